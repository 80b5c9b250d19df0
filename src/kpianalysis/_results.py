"""Small typed result objects shared by every estimator.

Every public estimator returns a frozen dataclass that derives from :class:`Result`. A result
prints as a compact text summary (``summary()``, also ``str()`` and IPython's plain-text
display), in the spirit of R's printed ``mean SE`` lines; shows itself in Jupyter headline
first (``_repr_html_``: the summary, then every field in a collapsed table, large tables
truncated); and becomes plain JSON-ready data (``to_dict``). The dataclass ``repr()`` is kept.

A subclass chooses its headline in one of two ways: the class attribute ``_headline_fields``
(the fields shown, in order; the default shows every field) or, for a hand-written summary,
the method ``_summary_lines()`` (the headline line first, then a few detail lines).
"""

from __future__ import annotations

import dataclasses
import html
import math
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import numpy as np
import pandas as pd

__all__ = [
    "ConfidenceInterval",
    "Result",
    "confidence_label",
    "format_interval",
    "format_value",
    "to_jsonable",
]

#: Rows of a DataFrame field shown in a result's HTML (the rest is elided, the shape shown).
HTML_MAX_ROWS = 10
#: Columns of a DataFrame field shown in a result's HTML.
HTML_MAX_COLS = 20
_LINE_WIDTH = 88


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


def confidence_label(confidence: float) -> str:
    """``0.95`` → ``"95%"``, ``0.9`` → ``"90%"``, ``0.975`` → ``"97.5%"`` (never rounded away)."""
    return f"{round(float(confidence) * 100, 6):g}%"


def format_value(value: Any, digits: int = 4) -> str:
    """A value as short text: numbers to ``digits`` significant digits, tables by their shape."""
    if value is None or value is pd.NA:
        return "–"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}" if abs(int(value)) >= 10_000 else str(int(value))
    if isinstance(value, (float, np.floating)):
        f = float(value)
        if math.isnan(f):
            return "NaN"
        if f.is_integer() and abs(f) < 1e15:
            return f"{int(f):,}" if abs(f) >= 10_000 else str(int(f))
        if 10_000 <= abs(f) < 1e15:  # large: every integer digit, thousands separated
            return f"{f:,.0f}"
        return f"{f:.{digits}g}"
    if isinstance(value, pd.DataFrame):
        return f"<table {value.shape[0]} × {value.shape[1]}>"
    if isinstance(value, pd.Series):
        return f"<series of {len(value)}>"
    if isinstance(value, np.ndarray):
        if value.size <= 6:
            return "[" + ", ".join(format_value(v, digits) for v in value.tolist()) + "]"
        return f"<array of {value.size}>"
    if isinstance(value, Result):
        return value.summary().splitlines()[0]
    text = str(value) if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def format_interval(low: Any, high: Any, confidence: float | None = None, method: str = "",
                    *, scale: float = 1.0, digits: int = 4, decimals: int | None = None,
                    unit: str = "") -> str:
    """``95% CI [0.2553, 0.3662] (wilson)``: an interval with its level and method.

    Bounds are multiplied by ``scale`` and shown to ``digits`` significant digits, or to a fixed
    number of ``decimals`` when given (e.g. percentages to 2 decimals).
    """
    if decimals is not None:
        lo, hi = (f"{float(v) * scale:.{decimals}f}" for v in (low, high))
    else:
        lo, hi = (format_value(float(v) * scale, digits) for v in (low, high))
    text = f"[{lo}, {hi}]{unit}"
    if confidence is not None:
        text = f"{confidence_label(confidence)} CI {text}"
    return f"{text} ({method})" if method else text


def _wrap(parts: Iterable[str], width: int = _LINE_WIDTH) -> list[str]:
    """Join short ``parts`` with ``", "`` into lines of at most ``width`` characters."""
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + 2 + len(part) <= width:
            lines[-1] += ", " + part
        else:
            lines.append(part)
    return lines


def _frame_html(frame: pd.DataFrame) -> str:
    rows, cols = frame.shape
    table = frame.to_html(max_rows=HTML_MAX_ROWS, max_cols=HTML_MAX_COLS, border=0)
    shown = "" if rows <= HTML_MAX_ROWS and cols <= HTML_MAX_COLS else " (truncated)"
    return f"<div><small>{rows} rows × {cols} columns{shown}</small></div>{table}"


def _format_cell(value: Any) -> str:
    if isinstance(value, Result):
        return value._repr_html_()
    if isinstance(value, pd.DataFrame):
        return _frame_html(value)
    if isinstance(value, pd.Series):
        return _frame_html(value.to_frame())
    if isinstance(value, np.ndarray) and value.size > 20:
        return html.escape(format_value(value))
    if isinstance(value, (float, np.floating)):
        return html.escape(f"{float(value):.6g}")
    return html.escape(str(value))


class Result:
    """Mixin for result dataclasses: ``summary()`` / ``str()`` for a compact text summary,
    ``_repr_html_()`` for Jupyter (headline first) and ``to_dict()`` for JSON.

    Subclasses pick their headline with ``_headline_fields`` (field names, in order) or write
    ``_summary_lines()`` themselves (the headline line first, then a few short lines).
    """

    #: Fields shown by the default summary, in order; empty: every field.
    _headline_fields: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # IPython looks for ``_repr_pretty_`` in each class's own namespace before the
        # ``__repr__`` that ``@dataclass`` writes there, so every subclass gets its own entry.
        if "_repr_pretty_" not in cls.__dict__:
            cls._repr_pretty_ = Result._repr_pretty_  # type: ignore[method-assign]

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-ready ``dict`` (numpy scalars converted, NaN → None)."""
        if not dataclasses.is_dataclass(self):  # pragma: no cover - programming error
            raise TypeError(f"{type(self).__name__} must be a dataclass")
        return {f.name: to_jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}

    # -- presentation ---------------------------------------------------------------------
    def _summary_lines(self) -> list[str]:
        """The summary: the headline line first, then a few short detail lines.

        The default names the class and lists ``_headline_fields`` (or every field) as
        ``name value``; tables appear by their shape only.
        """
        names = self._headline_fields or tuple(
            f.name for f in dataclasses.fields(self)  # type: ignore[arg-type]
        )
        parts = [f"{name} {format_value(getattr(self, name))}" for name in names]
        return [type(self).__name__, *_wrap(parts)]

    def summary(self) -> str:
        """A compact text summary: the headline on the first line, a few indented lines after.

        Like R's printed ``mean SE`` lines: the estimate, its standard error, the interval with
        its confidence level and method, and ``n`` / design effect where they apply.
        """
        first, *rest = self._summary_lines()
        return "\n".join([first, *(f"  {line}" for line in rest)])

    def __str__(self) -> str:
        return self.summary()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's plain-text display (terminal, text/plain): the summary, not the repr."""
        printer.text(f"{type(self).__name__}(...)" if cycle else self.summary())

    def _repr_html_(self) -> str:
        first, *rest = self._summary_lines()
        head = f"<p style='margin:0 0 .25em 0'><b>{html.escape(first)}</b></p>"
        if rest:
            head += ("<pre style='margin:0 0 .5em 0;white-space:pre-wrap'>"
                     + html.escape("\n".join(rest)) + "</pre>")
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(f.name)}</th>"
            f"<td style='text-align:left'>{_format_cell(getattr(self, f.name))}</td></tr>"
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
        )
        return (
            f"<div class='kpianalysis-result'>{head}<details><summary>"
            f"{html.escape(type(self).__name__)}: all fields</summary>"
            f"<table class='kpianalysis-result'>{rows}</table></details></div>"
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

    def _summary_lines(self) -> list[str]:
        return [format_interval(self.low, self.high, self.confidence, self.method)]
