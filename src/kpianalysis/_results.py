"""Small typed result objects shared by every estimator.

Every public estimator returns a frozen dataclass that derives from :class:`Result`. A result
knows how to show itself in Jupyter (``_repr_html_``) and how to become plain JSON-ready data
(``to_dict``); nothing else is assumed of it.
"""

from __future__ import annotations

import dataclasses
import html
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ConfidenceInterval", "Result", "to_jsonable"]


def to_jsonable(value: Any) -> Any:
    """Convert numpy / pandas scalars and containers to plain JSON-ready Python objects.

    ``NaN`` and infinities become ``None`` (JSON has no representation for them).
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "to_dict"):
            return value.to_dict()
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, pd.DataFrame):
        return [to_jsonable(r) for r in value.to_dict(orient="records")]
    if isinstance(value, pd.Series):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return f if math.isfinite(f) else None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    return value


def _format_cell(value: Any) -> str:
    if isinstance(value, Result):
        return value._repr_html_()
    if isinstance(value, pd.DataFrame):
        return value.to_html(max_rows=20)
    if isinstance(value, (float, np.floating)):
        return html.escape(f"{float(value):.6g}")
    return html.escape(str(value))


class Result:
    """Mixin for result dataclasses: ``to_dict()`` for JSON and ``_repr_html_()`` for Jupyter."""

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-ready ``dict`` (numpy scalars converted, NaN → None)."""
        if not dataclasses.is_dataclass(self):  # pragma: no cover - programming error
            raise TypeError(f"{type(self).__name__} must be a dataclass")
        return {f.name: to_jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(f.name)}</th>"
            f"<td style='text-align:left'>{_format_cell(getattr(self, f.name))}</td></tr>"
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
        )
        return (
            f"<table class='kpianalysis-result'><caption>{html.escape(type(self).__name__)}"
            f"</caption>{rows}</table>"
        )


@dataclasses.dataclass(frozen=True)
class ConfidenceInterval(Result):
    """A two-sided confidence interval.

    Attributes
    ----------
    low, high : float
        The bounds.
    confidence : float
        The nominal coverage, e.g. ``0.95``.
    method : str
        How the interval was computed (e.g. ``"wilson"``).
    """

    low: float
    high: float
    confidence: float = 0.95
    method: str = ""

    def __iter__(self):  # allows ``low, high = ci``
        yield self.low
        yield self.high

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies inside the closed interval."""
        return self.low <= value <= self.high
