"""District development targets (seed 004:480-504): plan against actual in the 50 districts.

Seed 004 lists 22 numbered development targets (23 rows: item 11 has (1) accidents and (2)
crime), each with a unit and a host agency (H). They are transcribed, with their seed lines, in
``district_targets.yaml`` (:func:`load_targets`). The seed prints no plan and no actual: the
agency's file gives, for every district and every row, the plan and the actual in the row's
unit (:func:`read_district_targets`). This module scores it (:func:`analyse_district_targets`):

* a (district, row) pair **has a target** when its plan is above 0 (a plan of 0 means the row
  sets nothing for that district, e.g. no canal to dredge; such pairs are left out of every
  share and counted separately);
* a pair is **achieved** when ``actual >= plan`` (rows marked ``at_least``, all 23 of the seed)
  or ``actual <= plan`` (rows marked ``at_most``);
* its **achievement** is ``min(actual / plan, 1) × 100`` (``at_most``: 100 when
  ``actual <= plan``, else ``plan / actual × 100``). It is capped at 100 % on purpose: the
  achievement of a row is averaged over districts, and a district that doubles its plan must
  not hide one that reaches half of it. The uncapped ``actual / plan`` is kept in ``ratio``;
* a district's **share** = its achieved pairs × 100 / its pairs with a target; a host agency's
  share = achieved pairs of the rows it hosts, over all districts, × 100 / those pairs with a
  target; a row's share = districts that achieved it × 100 / districts with a target for it;
* the **overall value** = achieved pairs × 100 / pairs with a target (all districts, all rows).

The seed prints no overall target, so nothing here says whether the overall value is "met".
Every statistic is computed with vectorised pandas/numpy operations (group-bys), never a loop
over the 50 × 23 pairs.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ._validation import DataValidationError, describe_values
from .bangkok import DISTRICTS
from .thaidate import thai_digits_to_ascii

__all__ = [
    "ACHIEVED_WHEN",
    "COLUMNS",
    "DistrictTargetsAnalysis",
    "analyse_district_targets",
    "by_agency",
    "by_district",
    "by_target",
    "load_targets",
    "read_district_targets",
    "score_pairs",
]

#: The columns the agency's plan-and-actual file must have (other columns are ignored).
COLUMNS = ("district_code", "item", "plan", "actual")

#: How a row is achieved: ``at_least`` (actual >= plan) or ``at_most`` (actual <= plan).
ACHIEVED_WHEN = ("at_least", "at_most")

_TARGET_FIELDS = ("item", "name_th", "unit_th", "unit", "host", "achieved_when", "percent",
                  "seed_line")
_ITEM = re.compile(r"^(?P<number>[1-9]\d*)(?:\((?P<part>[1-9])\))?$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


# -- the transcription ------------------------------------------------------------------------

def load_targets(path: str | Path | None = None) -> pd.DataFrame:
    """The development targets transcribed from seed 004 (default: the packaged YAML file).

    Parameters
    ----------
    path : path, optional
        A YAML file of the same form as the packaged ``district_targets.yaml``.

    Returns
    -------
    DataFrame
        One row per target row, in the seed's order: ``item`` (``"1"`` … ``"22"``,
        ``"11(1)"``, ``"11(2)"``), ``number``, ``part`` (0 when the item has no sub-row),
        ``name_th``, ``unit_th`` (both exactly as in the seed), ``unit`` (short unit),
        ``host`` (abbreviation), ``achieved_when``, ``percent`` (bool), ``seed_line``.

    Raises
    ------
    DataValidationError
        Naming the file, the entry (row) and the field: a missing or unknown field, an empty
        text, an item that is not ``N`` or ``N(k)``, a repeated item, items not numbered
        1, 2, … in order, an unknown ``achieved_when``, a seed line that is not increasing.
    """
    if path is None:
        return _packaged_targets().copy()
    p = Path(path)
    return _parse_targets(p.read_text(encoding="utf-8"), str(p))


@functools.lru_cache(maxsize=1)
def _packaged_targets() -> pd.DataFrame:
    res = importlib.resources.files("kpianalysis").joinpath("district_targets.yaml")
    return _parse_targets(res.read_text(encoding="utf-8"), "kpianalysis/district_targets.yaml")


def _parse_targets(text: str, source: str) -> pd.DataFrame:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DataValidationError(f"not valid YAML: {exc}", source=source) from exc
    entries = doc.get("targets") if isinstance(doc, Mapping) else None
    if not isinstance(entries, list) or not entries:
        raise DataValidationError("expected a mapping with a non-empty 'targets' list",
                                  source=source)
    rows = []
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, Mapping):
            raise DataValidationError(f"each target must be a mapping, got {entry!r}",
                                      source=source, rows=[i])
        missing = [f for f in _TARGET_FIELDS if f not in entry]
        unknown = sorted(set(map(str, entry)) - set(_TARGET_FIELDS))
        if missing or unknown:
            raise DataValidationError(
                f"target fields must be {', '.join(_TARGET_FIELDS)}; missing "
                f"{', '.join(missing) or 'none'}, unknown {', '.join(unknown) or 'none'}",
                source=source, rows=[i], column=(missing or unknown)[0])
        for field in ("item", "name_th", "unit_th", "unit", "host"):
            if not isinstance(entry[field], str) or not entry[field].strip():
                raise DataValidationError(f"must be a non-empty text, got {entry[field]!r}",
                                          source=source, rows=[i], column=field)
        match = _ITEM.match(entry["item"])
        if match is None:
            raise DataValidationError(f"must be an item number such as 1 or 11(2), got "
                                      f"{entry['item']!r}", source=source, rows=[i],
                                      column="item")
        if entry["achieved_when"] not in ACHIEVED_WHEN:
            raise DataValidationError(f"must be one of {', '.join(ACHIEVED_WHEN)}, got "
                                      f"{entry['achieved_when']!r}", source=source, rows=[i],
                                      column="achieved_when")
        if not isinstance(entry["percent"], bool):
            raise DataValidationError(f"must be true or false, got {entry['percent']!r}",
                                      source=source, rows=[i], column="percent")
        line = entry["seed_line"]
        if isinstance(line, bool) or not isinstance(line, int) or line < 1:
            raise DataValidationError(f"must be a positive line number, got {line!r}",
                                      source=source, rows=[i], column="seed_line")
        rows.append({"item": entry["item"], "number": int(match["number"]),
                     "part": int(match["part"] or 0), "name_th": entry["name_th"],
                     "unit_th": entry["unit_th"], "unit": entry["unit"],
                     "host": entry["host"].strip(), "achieved_when": entry["achieved_when"],
                     "percent": entry["percent"], "seed_line": line})
    frame = pd.DataFrame(rows)
    _check_target_order(frame, source)
    return frame


def _check_target_order(frame: pd.DataFrame, source: str) -> None:
    """Items unique, numbered 1, 2, … in order, sub-rows (1), (2), … in order; lines increase."""
    dup = frame["item"].duplicated(keep=False).to_numpy()
    if dup.any():
        raise DataValidationError(
            f"item(s) {describe_values(frame.loc[dup, 'item'])} appear more than once",
            source=source, column="item", rows=(np.flatnonzero(dup) + 1).tolist())
    number = frame["number"].to_numpy()
    part = frame["part"].to_numpy()
    prev_number = np.concatenate([[0], number[:-1]])
    prev_part = np.concatenate([[0], part[:-1]])
    same = number == prev_number
    ok = np.where(same, (prev_part >= 1) & (part == prev_part + 1),
                  (number == prev_number + 1) & (part <= 1))
    # an item split into sub-rows must have at least two of them
    next_number = np.concatenate([number[1:], [0]])
    ok &= ~((part == 1) & (next_number != number))
    lines = frame["seed_line"].to_numpy()
    ok &= np.concatenate([[True], lines[1:] > lines[:-1]])
    if not ok.all():
        bad = np.flatnonzero(~ok)
        raise DataValidationError(
            "targets must be numbered 1, 2, … in order (sub-rows N(1), N(2), … together) with "
            f"increasing seed lines; out of order at item(s) "
            f"{describe_values(frame['item'].to_numpy()[bad])}",
            source=source, column="item", rows=(bad + 1).tolist())


# -- the agency's plan and actual -------------------------------------------------------------

def read_district_targets(data: Any, targets: pd.DataFrame | None = None, *,
                          districts: Mapping[int, str] | None = None,
                          source: str | None = None) -> pd.DataFrame:
    """Read and validate a plan-and-actual file: one row per district and target row.

    Parameters
    ----------
    data : path or DataFrame
        UTF-8 CSV (or a frame) with the columns :data:`COLUMNS`: ``district_code`` (DOPA code,
        1001–1050), ``item`` (``"1"`` … ``"22"``, ``"11(1)"``, ``"11(2)"``; spaces ignored),
        ``plan`` and ``actual`` (numbers ≥ 0 in the row's unit; Thai digits and thousands
        separators such as ``200,000`` accepted; at most 100 for the percentage rows).
    targets : DataFrame, optional
        The target rows (default :func:`load_targets`).
    districts : mapping of int to str, optional
        District code → Thai name (default the 50 districts of :mod:`kpianalysis.bangkok`).
    source : str, optional
        The file name to show in errors (default the path given).

    Returns
    -------
    DataFrame
        ``district_code`` (int), ``district_th``, ``item``, ``plan``, ``actual`` (float) and
        ``row`` (the row's number in the file, 1 = first data row), ordered by district and
        by the targets' order.

    Raises
    ------
    DataValidationError
        Naming the file, the column and the rows: a missing column, an unknown or malformed
        district code, an unknown item, a plan or actual that is not a number or is negative
        (or above 100 in a percentage row), a (district, item) pair given twice, a pair
        missing (the missing pairs listed).
    """
    targets = load_targets() if targets is None else targets
    districts = DISTRICTS if districts is None else districts
    frame, name = _read_table(data)
    src = source or name
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"needs the columns {', '.join(COLUMNS)}; missing {', '.join(missing)} (found: "
            f"{', '.join(map(str, frame.columns))})", source=src, column=missing[0])

    code_text = thai_digits_to_ascii(frame["district_code"].astype(str).str.strip())
    code = pd.to_numeric(code_text, errors="coerce")
    bad = (code.isna() | ~np.isfinite(code) | (code != code.round())).to_numpy()
    _fail(bad, frame, "district_code", src,
          "expected a DOPA district code, a whole number such as 1001")
    code = code.astype(int)
    bad = (~code.isin(list(districts))).to_numpy()
    _fail(bad, frame, "district_code", src,
          f"unknown district code; expected one of the {len(districts)} DOPA codes "
          f"{min(districts)}–{max(districts)} (kpianalysis.bangkok.DISTRICTS)")

    item = frame["item"].astype(str).str.replace(r"\s+", "", regex=True)
    item = thai_digits_to_ascii(item)
    valid_items = targets["item"].tolist()
    bad = (~item.isin(valid_items)).to_numpy()
    _fail(bad, frame, "item", src,
          f"unknown item; expected one of the {len(valid_items)} target rows of seed 004: "
          f"{', '.join(valid_items)}")

    percent_row = item.map(targets.set_index("item")["percent"]).astype(bool).to_numpy()
    values = {c: _numbers(frame, c, src, percent_row) for c in ("plan", "actual")}

    pairs = pd.DataFrame({"district_code": code.to_numpy(), "item": item.to_numpy(dtype=str)})
    dup = pairs.duplicated(keep=False).to_numpy()
    if dup.any():
        first = pairs[dup].iloc[0]
        raise DataValidationError(
            f"the pair (district {first['district_code']}, item {first['item']}) and maybe "
            f"others are given more than once; expected one row per district and item",
            source=src, column="item", rows=(np.flatnonzero(dup) + 1).tolist())

    expected = pd.MultiIndex.from_product([list(districts), valid_items],
                                          names=["district_code", "item"])
    absent = expected.difference(pd.MultiIndex.from_frame(pairs), sort=False)
    if len(absent):
        shown = ", ".join(f"{d} {districts[d]} × {i}" for d, i in absent[:5])
        more = f" (and {len(absent) - 5} more)" if len(absent) > 5 else ""
        raise DataValidationError(
            f"{len(absent)} (district, item) pair(s) missing: {shown}{more}; expected one row "
            f"for each of the {len(districts)} districts × {len(valid_items)} target rows "
            f"(plan 0 when a row sets nothing for a district)",
            source=src, column="item")

    out = pairs.assign(district_th=pairs["district_code"].map(districts),
                       plan=values["plan"], actual=values["actual"],
                       row=np.arange(1, len(pairs) + 1))
    order = pd.Categorical(out["item"], categories=valid_items, ordered=True)
    out = out.assign(_order=order).sort_values(["district_code", "_order"], kind="stable")
    return out.drop(columns="_order").reset_index(drop=True)[
        ["district_code", "district_th", "item", "plan", "actual", "row"]]


def _read_table(data: Any) -> tuple[pd.DataFrame, str | None]:
    """A file (:func:`kpianalysis.tables.read_table`) or a DataFrame as a frame of text; the
    source name for errors."""
    from .tables import TableRef, read_table

    if isinstance(data, pd.DataFrame):
        return data.reset_index(drop=True).fillna("").astype(str), None
    if not isinstance(data, (str, Path, TableRef)):
        raise TypeError(f"data must be a CSV path or a DataFrame, got {type(data).__name__}")
    source = str(data)
    if not Path(data).is_file():
        raise FileNotFoundError(f"plan-and-actual file not found: {source}")
    frame = read_table(data, source=source)
    if frame.empty:
        raise DataValidationError("the file has a header but no data rows", source=source)
    return frame, source


def _fail(bad: np.ndarray, frame: pd.DataFrame, column: str, source: str | None,
          expectation: str) -> None:
    if bad.any():
        raise DataValidationError(
            f"invalid value(s) {describe_values(frame.loc[bad, column].tolist())}; "
            f"{expectation}", source=source, column=column,
            rows=(np.flatnonzero(bad) + 1).tolist())


def _numbers(frame: pd.DataFrame, column: str, source: str | None,
             percent_row: np.ndarray) -> np.ndarray:
    """A plan or actual column as floats ≥ 0 (≤ 100 in percentage rows)."""
    text = thai_digits_to_ascii(frame[column].astype(str).str.strip())
    grouped = text.str.fullmatch(_THOUSANDS.pattern).to_numpy(dtype=bool)
    text = text.where(~grouped, text.str.replace(",", "", regex=False))
    values = pd.to_numeric(text.mask(text == ""), errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    _fail(bad, frame, column, source, "expected a number in the row's unit (e.g. 12 or 3.5)")
    _fail(values < 0, frame, column, source, "expected a number >= 0")
    _fail(percent_row & (values > 100), frame, column, source,
          "expected a percentage between 0 and 100 (this item's unit is %)")
    return values


# -- scoring ----------------------------------------------------------------------------------

def score_pairs(pairs: pd.DataFrame, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """Score every (district, row) pair: has a target, achieved, ratio and achievement.

    Parameters
    ----------
    pairs : DataFrame
        Output of :func:`read_district_targets` (``district_code``, ``district_th``, ``item``,
        ``plan``, ``actual``).
    targets : DataFrame, optional
        The target rows (default :func:`load_targets`).

    Returns
    -------
    DataFrame
        ``pairs`` with ``host``, ``achieved_when``, ``has_target`` (plan > 0), ``achieved``
        (False where there is no target), ``ratio`` (actual / plan, NaN without a target) and
        ``achievement`` (percent, capped at 100, NaN without a target; see the module text).
    """
    targets = load_targets() if targets is None else targets
    info = targets.set_index("item")
    plan = pairs["plan"].to_numpy(dtype=float)
    actual = pairs["actual"].to_numpy(dtype=float)
    at_least = (pairs["item"].map(info["achieved_when"]) == "at_least").to_numpy()
    has_target = plan > 0
    achieved = has_target & np.where(at_least, actual >= plan, actual <= plan)
    ratio = np.divide(actual, plan, out=np.full(plan.shape, np.nan), where=has_target)
    inverse = np.divide(plan, actual, out=np.ones(plan.shape), where=actual > plan)
    achievement = np.where(at_least, np.minimum(ratio, 1.0), np.minimum(inverse, 1.0)) * 100
    achievement = np.where(has_target, achievement, np.nan)
    return pairs.assign(host=pairs["item"].map(info["host"]).to_numpy(),
                        achieved_when=np.where(at_least, "at_least", "at_most"),
                        has_target=has_target, achieved=achieved, ratio=ratio,
                        achievement=achievement)


def _shares(scored: pd.DataFrame, key: str | list[str]) -> pd.DataFrame:
    """Pairs with a target, achieved pairs, share (%) and mean achievement per ``key``."""
    g = scored.groupby(key, sort=False)
    out = pd.DataFrame({
        "pairs": g.size(),
        "with_target": g["has_target"].sum().astype(int),
        "achieved": g["achieved"].sum().astype(int),
        "mean_achievement": g["achievement"].mean(),
    })
    with np.errstate(invalid="ignore", divide="ignore"):
        share = out["achieved"] * 100 / out["with_target"]
    out["share"] = share.where(out["with_target"] > 0)
    return out.reset_index()


def _ranked(frame: pd.DataFrame, ascending: bool, tiebreak: str) -> pd.DataFrame:
    """Sort by share then mean achievement (missing last); ``rank`` ties on the share."""
    out = frame.sort_values(["share", "mean_achievement", tiebreak],
                            ascending=[ascending, ascending, True], na_position="last",
                            kind="stable").reset_index(drop=True)
    out["rank"] = out["share"].rank(method="min", ascending=ascending,
                                    na_option="bottom").astype(int)
    return out


def by_district(scored: pd.DataFrame) -> pd.DataFrame:
    """The districts ranked by their share of rows achieved (best first).

    Returns
    -------
    DataFrame
        ``rank`` (equal shares share a rank), ``district_code``, ``district_th``, ``pairs``
        (rows), ``with_target`` (rows with a plan), ``achieved``, ``share`` (percent; NaN when
        no row has a plan) and ``mean_achievement`` (mean capped achievement over its rows with
        a target, the tie-break of the order).
    """
    out = _ranked(_shares(scored, ["district_code", "district_th"]), False, "district_code")
    return out[["rank", "district_code", "district_th", "pairs", "with_target", "achieved",
                "share", "mean_achievement"]]


def by_agency(scored: pd.DataFrame) -> pd.DataFrame:
    """The host agencies ranked by the share of their rows × districts achieved (best first).

    Returns
    -------
    DataFrame
        ``rank``, ``host``, ``rows`` (target rows it hosts), ``pairs``, ``with_target``,
        ``achieved``, ``share`` (percent) and ``mean_achievement``.
    """
    shares = _shares(scored, "host")
    rows = scored.groupby("host", sort=False)["item"].nunique()
    shares["rows"] = shares["host"].map(rows).astype(int)
    out = _ranked(shares, False, "host")
    return out[["rank", "host", "rows", "pairs", "with_target", "achieved", "share",
                "mean_achievement"]]


def by_target(scored: pd.DataFrame, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """The target rows ordered from the one that lags most (lowest share of districts achieving
    it, then lowest mean achievement) to the one that lags least.

    Returns
    -------
    DataFrame
        ``rank`` (1 = lags most), ``item``, ``name_th``, ``unit_th``, ``unit``, ``host``,
        ``achieved_when``, ``pairs`` (districts), ``with_target`` (districts with a plan),
        ``achieved``, ``share`` (percent of districts with a plan that achieved it),
        ``mean_achievement``.
    """
    targets = load_targets() if targets is None else targets
    shares = _shares(scored, "item")
    shares["_order"] = shares["item"].map(
        pd.Series(np.arange(len(targets)), index=targets["item"].to_numpy()))
    out = _ranked(shares, True, "_order").merge(
        targets[["item", "name_th", "unit_th", "unit", "host", "achieved_when"]], on="item",
        how="left")
    return out[["rank", "item", "name_th", "unit_th", "unit", "host", "achieved_when", "pairs",
                "with_target", "achieved", "share", "mean_achievement"]]


@dataclasses.dataclass(frozen=True)
class DistrictTargetsAnalysis:
    """Plan against actual of the district development targets, scored.

    Attributes
    ----------
    pairs : DataFrame
        Every (district, row) pair, scored (:func:`score_pairs`).
    districts, agencies, targets : DataFrame
        :func:`by_district`, :func:`by_agency`, :func:`by_target`.
    n_pairs, n_with_target, n_achieved : int
        All pairs, pairs with a plan above 0, pairs achieved.
    percent : float or None
        ``n_achieved × 100 / n_with_target`` (None when no pair has a target).
    """

    pairs: pd.DataFrame
    districts: pd.DataFrame
    agencies: pd.DataFrame
    targets: pd.DataFrame
    n_pairs: int
    n_with_target: int
    n_achieved: int
    percent: float | None

    @property
    def n_without_target(self) -> int:
        """Pairs whose plan is 0 (left out of every share)."""
        return self.n_pairs - self.n_with_target


def analyse_district_targets(data: Any, targets: pd.DataFrame | None = None, *,
                             districts: Mapping[int, str] | None = None,
                             source: str | None = None) -> DistrictTargetsAnalysis:
    """Read, validate and score a plan-and-actual file (see the module text for the formulas).

    Parameters are those of :func:`read_district_targets`.
    """
    targets = load_targets() if targets is None else targets
    pairs = read_district_targets(data, targets, districts=districts, source=source)
    scored = score_pairs(pairs, targets)
    n_with = int(scored["has_target"].sum())
    n_ach = int(scored["achieved"].sum())
    return DistrictTargetsAnalysis(
        pairs=scored, districts=by_district(scored), agencies=by_agency(scored),
        targets=by_target(scored, targets), n_pairs=len(scored), n_with_target=n_with,
        n_achieved=n_ach, percent=n_ach * 100 / n_with if n_with else None)
