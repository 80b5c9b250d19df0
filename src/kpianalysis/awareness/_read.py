"""Reading and validating the awareness-survey file and its population margins.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._results import Result
from .._validation import DataValidationError, describe_values
from ..bangkok import DISTRICTS
from ..files import sha256_of
from ..labels import check_labels, check_no_personal_data
from ..tables import read_table
from ..thaidate import parse_thai_dates, thai_digits_to_ascii
from ._schema import (
    _FLAG_COLUMNS,
    _REQUIRED,
    AGE_GROUPS,
    CHANNELS,
    DIMENSIONS,
    MODES,
    SEXES,
)

__all__ = [
    "AwarenessData",
    "read_awareness_survey",
    "read_population_margins",
]


# --------------------------------------------------------------------------------------------
# Reading and validation
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class AwarenessData(Result):
    """A validated awareness-survey file and its population margins.

    Attributes
    ----------
    frame : DataFrame
        One row per respondent: ``round``, ``district_code``, flags (``aware``, ``ch_*``,
        ``dim_*``) as int 0/1, ``design_weight`` as float (NaN outside the field sample),
        ``interview_date`` as datetime.
    margins : DataFrame
        The population margins (``variable``, ``category``, ``label_th``, ``population``,
        ``status``, ``source``); ``category`` is text.
    path, margins_path : str
        The files read.
    sha256, margins_sha256 : str
        SHA-256 of their bytes.
    """

    frame: pd.DataFrame
    margins: pd.DataFrame
    path: str
    sha256: str
    margins_path: str
    margins_sha256: str

    @property
    def n(self) -> int:
        """Respondents in the file."""
        return len(self.frame)

    @property
    def rounds(self) -> tuple[int, ...]:
        """Survey rounds present."""
        return tuple(sorted(int(r) for r in self.frame["round"].unique()))

    @property
    def n_by_mode(self) -> dict[str, int]:
        """Respondents per collection mode (in the order of :data:`MODES`)."""
        counts = self.frame["mode"].value_counts()
        return {m: int(counts.get(m, 0)) for m in MODES}

    @property
    def population(self) -> float:
        """The population total of the margins (every variable has the same total)."""
        first = self.margins["variable"].iloc[0]
        return float(self.margins.loc[self.margins["variable"] == first, "population"].sum())

    def _summary_lines(self) -> list[str]:
        modes = ", ".join(f"{m} {n}" for m, n in self.n_by_mode.items() if n)
        return [
            f"AwarenessData: {self.n} respondents, rounds {', '.join(map(str, self.rounds))}",
            f"by mode: {modes}",
            f"population (margins) {self.population:,.0f}; file {self.path} "
            f"(sha256 {self.sha256[:12]}…)",
        ]


def _rows(mask: Any) -> list[int]:
    """1-based data-row numbers of the True entries."""
    return (np.flatnonzero(np.asarray(mask)) + 1).tolist()


def _fail(message: str, source: str, column: str | None, mask: Any) -> None:
    rows = _rows(mask)
    raise DataValidationError(message, source=source, column=column, rows=rows)


def _check_set(raw: pd.DataFrame, column: str, valid: Sequence[str], source: str) -> None:
    check_labels(raw[column], list(map(str, valid)), source=source, column=column,
                 what=f"{column} values", allow_blank=False)


def read_awareness_survey(
    path: str | Path, margins_path: str | Path | None = None
) -> AwarenessData:
    """Read and validate ``awareness_survey.csv`` and its ``population_margins.csv``.

    Parameters
    ----------
    path : str or Path
        The survey file (columns as documented in ``data/raw/README.md``).
    margins_path : str or Path, optional
        The margins file; default ``population_margins.csv`` next to ``path``.

    Returns
    -------
    AwarenessData

    Raises
    ------
    DataValidationError
        A column is missing, or a value is invalid; the message names the file, the column and
        the first offending rows (1 = first data row).
    """
    source = str(path)
    raw = read_table(path, source=source)
    missing = [c for c in _REQUIRED if c not in raw.columns]
    if missing:
        raise DataValidationError(
            f"missing column(s) {', '.join(missing)}; the file has "
            f"{', '.join(raw.columns[:12])}{', ...' if len(raw.columns) > 12 else ''}",
            source=source)
    if raw.empty:
        raise DataValidationError("the file has no data rows", source=source)
    raw = raw.apply(lambda s: s.str.strip())
    numeric = ["round", "district_code", "design_weight", *_FLAG_COLUMNS]
    raw[numeric] = raw[numeric].apply(thai_digits_to_ascii)

    ids = raw["respondent_id"]
    blank_id = ids == ""
    if blank_id.any():
        _fail("respondent_id must not be blank", source, "respondent_id", blank_id)
    dup = ids.duplicated(keep=False)
    if dup.any():
        _fail(f"respondent_id values repeat: {describe_values(ids[dup])}", source,
              "respondent_id", dup)

    rnd = pd.to_numeric(raw["round"], errors="coerce")
    bad = rnd.isna() | (rnd < 1) | (rnd > 99) | (rnd % 1 != 0)
    if bad.any():
        _fail("round must be a positive whole number (at most 99); found "
              f"{describe_values(raw.loc[bad, 'round'])}", source, "round", bad)

    _check_set(raw, "mode", list(MODES), source)
    _check_set(raw, "sex", tuple(SEXES), source)
    _check_set(raw, "age_group", AGE_GROUPS, source)

    code = pd.to_numeric(raw["district_code"], errors="coerce")
    bad = ~code.isin(list(DISTRICTS))
    if bad.any():
        _fail("district_code must be a DOPA Bangkok district code 1001-1050; found "
              f"{describe_values(raw.loc[bad, 'district_code'])}", source, "district_code", bad)
    expected_name = code.map(DISTRICTS)
    bad = raw["district_th"] != expected_name
    if bad.any():
        _fail("district_th does not match district_code (names as kpianalysis.bangkok.DISTRICTS,"
              f" without เขต); found {describe_values(raw.loc[bad, 'district_th'])}", source,
              "district_th", bad)

    dates = parse_thai_dates(raw["interview_date"], source=source, column="interview_date")
    bad = dates.isna()
    if bad.any():
        _fail("interview_date is blank; expected a date (2025-01-17, 17/01/2568, 1/17/2025)",
              source, "interview_date", bad)
    dates = dates.dt.normalize()

    field = raw["mode"] == "field"
    weight = pd.to_numeric(raw["design_weight"], errors="coerce")
    bad = field & ~(np.isfinite(weight) & (weight > 0))
    if bad.any():
        _fail("field respondents need a positive design weight; found "
              f"{describe_values(raw.loc[bad, 'design_weight'])}", source, "design_weight", bad)
    bad = ~field & (raw["design_weight"] != "")
    if bad.any():
        _fail("online and focus-group respondents are not a probability sample and must have a "
              "blank design weight", source, "design_weight", bad)
    check_no_personal_data(raw["focus_group_id"], source=source, column="focus_group_id")
    fg = raw["mode"] == "focus_group"
    bad = fg & (raw["focus_group_id"] == "")
    if bad.any():
        _fail("focus-group respondents need a focus_group_id", source, "focus_group_id", bad)

    flags = {}
    for col in _FLAG_COLUMNS:
        bad = ~raw[col].isin(["0", "1"])
        if bad.any():
            _fail(f"must be 0 or 1; found {describe_values(raw.loc[bad, col])}", source, col, bad)
        flags[col] = (raw[col] == "1").astype(np.int64)
    any_channel = np.max([flags[c] for c in CHANNELS], axis=0)
    any_dimension = np.max([flags[c] for c in DIMENSIONS], axis=0)
    bad = (flags["aware"] != any_channel) | (flags["aware"] != any_dimension)
    if bad.any():
        _fail("aware must be 1 exactly when the respondent received news through at least one "
              "channel (ch_*) on at least one dimension (dim_*) (KR definition)", source,
              "aware", bad)

    frame = pd.DataFrame({
        "respondent_id": ids.to_numpy(),
        "round": rnd.astype(np.int64).to_numpy(),
        "mode": raw["mode"].to_numpy(),
        "interview_date": dates.to_numpy(),
        "district_code": code.astype(np.int64).to_numpy(),
        "district_th": raw["district_th"].to_numpy(),
        "sex": raw["sex"].to_numpy(),
        "age_group": raw["age_group"].to_numpy(),
        "focus_group_id": raw["focus_group_id"].replace("", np.nan).to_numpy(),
        "design_weight": weight.where(field).to_numpy(dtype=float),
        **{c: flags[c].to_numpy() for c in _FLAG_COLUMNS},
    })
    margins_path = Path(path).with_name("population_margins.csv") if margins_path is None \
        else margins_path
    margins = read_population_margins(margins_path)
    return AwarenessData(frame=frame, margins=margins, path=source, sha256=sha256_of(path),
                         margins_path=str(margins_path), margins_sha256=sha256_of(margins_path))


def read_population_margins(path: str | Path) -> pd.DataFrame:
    """Read and validate a population-margins file (long format, one row per category).

    Columns ``variable``, ``category``, ``population`` (persons, > 0) and ``status``
    (``official`` or ``ILLUSTRATIVE``) are required; ``label_th`` and ``source`` are kept when
    present. Every variable must have the same population total (raking needs it).

    Raises
    ------
    DataValidationError
        A column is missing, a population is not a positive number, a category repeats, or the
        totals of the variables differ.
    """
    from ..input_schema import check_input

    source = str(path)
    raw = check_input(read_table(path, source=source), "population_margins", source)
    if raw.empty:
        raise DataValidationError("the file has no data rows", source=source)
    raw = raw.apply(lambda s: s.str.strip())
    pop = pd.to_numeric(thai_digits_to_ascii(raw["population"]), errors="coerce")
    bad = ~(np.isfinite(pop) & (pop > 0))
    if bad.any():
        _fail(f"population must be a positive number; found "
              f"{describe_values(raw.loc[bad, 'population'])}", source, "population", bad)
    dup = raw.duplicated(["variable", "category"], keep=False)
    if dup.any():
        _fail("a (variable, category) pair repeats", source, "category", dup)
    bad = ~raw["status"].str.lower().isin(["official", "illustrative"])
    if bad.any():
        _fail("status must be 'official' or 'ILLUSTRATIVE'", source, "status", bad)
    out = pd.DataFrame({
        "variable": raw["variable"],
        "category": raw["category"],
        "label_th": raw["label_th"] if "label_th" in raw.columns else raw["category"],
        "population": pop.astype(float),
        "status": raw["status"],
        "source": raw["source"] if "source" in raw.columns else "",
    })
    totals = out.groupby("variable", sort=False)["population"].sum()
    if (totals - totals.iloc[0]).abs().max() > 1e-6 * totals.iloc[0]:
        raise DataValidationError(
            "the variables' population totals differ ("
            + ", ".join(f"{k}: {v:,.0f}" for k, v in totals.items())
            + "); every margin must describe the same population", source=source,
            column="population")
    return out
