"""Input validation shared across modules: clear errors that name what was wrong.

Library code raises :class:`DataValidationError` (a ``ValueError``) for bad data files, and
plain ``ValueError`` / ``TypeError`` for bad arguments, always naming the argument, the rule and
the value received.

Messages are bounded and keep personal data out (Thailand PDPA): a cell value is quoted through
:func:`kpianalysis.privacy.shown` (cut with its length given when long, withheld when it looks
like a name, phone number, e-mail address or national ID), and a :class:`DataValidationError`
masks any such value left in its message and cuts a message longer than
:data:`MAX_MESSAGE` characters, so a 1 MB cell never gives a 1 MB message.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .privacy import cut, redact, shown

__all__ = [
    "MAX_MESSAGE",
    "DataValidationError",
    "check_choice",
    "check_confidence",
    "check_in_range",
    "check_positive",
    "check_probability",
    "describe_values",
]


#: Longest message of a :class:`DataValidationError` (characters, before the location prefix).
MAX_MESSAGE = 2_000


class DataValidationError(ValueError):
    """A data file (or frame) does not have the expected shape or content.

    Parameters
    ----------
    message : str
        What was expected and what was found.
    source : str, optional
        The file (or frame name) the data came from.
    column : str, optional
        The offending column.
    rows : sequence of int, optional
        Offending row numbers as a person counts them in the file (1 = first data row after
        the header), first few only.

    Notes
    -----
    The message is bounded: a ``message`` longer than :data:`MAX_MESSAGE` characters is cut
    and its length given, the column name is cut at 60 characters, and phone numbers, e-mail
    addresses, national IDs and honorific-led names are masked (``[phone number withheld]``).
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        column: str | None = None,
        rows: Sequence[int] | None = None,
    ) -> None:
        message = cut(redact(str(message)), MAX_MESSAGE)
        column = cut(redact(str(column))) if column is not None else None
        self.source = source
        self.column = column
        self.rows = list(rows) if rows is not None else []
        where = []
        if source:
            where.append(f"file {source!s}")
        if column:
            where.append(f"column {column!r}")
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:5])
            more = f" (and {len(self.rows) - 5} more)" if len(self.rows) > 5 else ""
            where.append(f"row{'s' if len(self.rows) > 1 else ''} {shown}{more}")
        prefix = "; ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


def describe_values(values: Iterable[Any], limit: int = 5) -> str:
    """Return the first ``limit`` distinct values as a short readable list.

    Each value is shown by :func:`kpianalysis.privacy.shown`: a long one is cut and its length
    given, one that looks like personal data is withheld (its kind is named instead).
    """
    seen: list[Any] = []
    for v in values:
        if v not in seen:
            seen.append(v)
        if len(seen) >= limit:
            break
    return ", ".join(shown(v) for v in seen)


def _as_array(name: str, value: Any) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric, got {value!r}") from exc
    return arr


def check_in_range(
    name: str,
    value: Any,
    low: float,
    high: float,
    *,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> np.ndarray:
    """Check that every element of ``value`` lies in the given range; return it as an array."""
    arr = _as_array(name, value)
    bad = np.isnan(arr)
    bad |= (arr < low) if low_inclusive else (arr <= low)
    bad |= (arr > high) if high_inclusive else (arr >= high)
    if np.any(bad):
        lb = "[" if low_inclusive else "("
        hb = "]" if high_inclusive else ")"
        offending = describe_values(np.atleast_1d(arr)[np.atleast_1d(bad)])
        raise ValueError(f"{name} must be in {lb}{low}, {high}{hb}; got {offending}")
    return arr


def check_probability(name: str, value: Any, *, open_interval: bool = False) -> np.ndarray:
    """Check ``0 <= value <= 1`` (or ``0 < value < 1`` with ``open_interval``)."""
    return check_in_range(
        name, value, 0.0, 1.0, low_inclusive=not open_interval, high_inclusive=not open_interval
    )


def check_confidence(confidence: Any) -> float:
    """Check a confidence level in the open interval (0, 1) and return it as a float."""
    arr = check_in_range("confidence", confidence, 0.0, 1.0, low_inclusive=False,
                         high_inclusive=False)
    if arr.ndim != 0:
        raise ValueError(f"confidence must be a scalar, got {confidence!r}")
    return float(arr)


def check_positive(name: str, value: Any, *, allow_zero: bool = False) -> np.ndarray:
    """Check that every element is > 0 (or >= 0 with ``allow_zero``) and finite."""
    arr = _as_array(name, value)
    bad = ~np.isfinite(arr) | ((arr < 0) if allow_zero else (arr <= 0))
    if np.any(bad):
        rule = ">= 0" if allow_zero else "> 0"
        offending = describe_values(np.atleast_1d(arr)[np.atleast_1d(bad)])
        raise ValueError(f"{name} must be finite and {rule}; got {offending}")
    return arr


def check_choice(name: str, value: Any, choices: Iterable[str]) -> str:
    """Check that ``value`` is exactly one of ``choices`` (no prefix matching)."""
    valid = sorted(choices)
    if not isinstance(value, str) or value not in valid:
        raise ValueError(f"unknown {name} {value!r}; valid values are: {', '.join(valid)}")
    return value
