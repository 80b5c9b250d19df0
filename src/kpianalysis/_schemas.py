"""The JSON Schemas shipped in ``kpianalysis/schemas/`` and one way to check data against them."""

from __future__ import annotations

import functools
import importlib.resources
import json
import sys
from typing import Any

__all__ = ["first_schema_error", "load_schema_file"]


@functools.cache
def load_schema_file(name: str) -> dict[str, Any]:
    """The schema ``kpianalysis/schemas/<name>`` as a dict (read once)."""
    text = (importlib.resources.files("kpianalysis") / "schemas" / name).read_text(
        encoding="utf-8")
    return json.loads(text)


def first_schema_error(name: str, data: Any) -> tuple[str, str] | None:
    """``(field path, message)`` of the first place ``data`` fails schema ``name``, else None.

    The message is cut to 300 characters (a bad value can be long).
    """
    validator = _jsonschema().Draft202012Validator(load_schema_file(name))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    field = "/".join(str(p) for p in errors[0].absolute_path) or "(top level)"
    return field, errors[0].message[:300]


def _jsonschema() -> Any:
    """``jsonschema``, imported without its optional IRI format checker when not loaded yet.

    ``import jsonschema`` imports ``rfc3987_syntax`` when it is installed, which builds 38
    parsers at import: 1-4 s of CPU in every process (the build, each worker). Our schemas
    check no ``format`` (validators are built without a format checker), so the module is
    held back for this import only; jsonschema then leaves the "iri" formats out, as it does
    when the package is absent. A later ``import rfc3987_syntax`` elsewhere works as usual.
    """
    if "jsonschema" in sys.modules:
        return sys.modules["jsonschema"]
    held = "rfc3987_syntax" not in sys.modules
    if held:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # ImportError inside
    try:
        import jsonschema
    finally:
        if held:
            del sys.modules["rfc3987_syntax"]
    return jsonschema
