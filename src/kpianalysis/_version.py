"""The installed package version (from the distribution metadata)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kpianalysis")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"
