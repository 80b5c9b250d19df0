"""The KPI catalog: every KPI of the specification as data (``catalog.yaml``), validated on load.

A researcher lists and looks up KPIs from Python and adds a KPI by editing the YAML file (or
pointing :func:`load_catalog` at a copy) — no code change::

    >>> from kpianalysis.catalog import load_catalog
    >>> cat = load_catalog()
    >>> cat.get("sat-bmaq").weight
    20.0
    >>> cat.list(agency="สยป.")[["code", "weight"]].head(2)  # doctest: +SKIP

:func:`score_agency` turns per-KPI result summaries (dicts or JSON files with at least ``kpi``,
``level``, ``points``, ``weight``, ``target_met``) into an agency :class:`Scorecard`
(seed 004 table ค: the agency score is the sum of the KPIs' points against the total weight).
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib.resources
import json
import logging
import math
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ._results import Result
from .rubric import Band, ThresholdBands

logger = logging.getLogger(__name__)

__all__ = [
    "KPI",
    "RUBRIC_KINDS",
    "Catalog",
    "CatalogError",
    "Scorecard",
    "load_catalog",
    "score_agency",
]

#: Rubric kinds and the parameters each one requires.
RUBRIC_KINDS: dict[str, tuple[str, ...]] = {
    "satisfaction": ("bands", "likert_high_from"),
    "it_support_composite": ("satisfaction_bands", "sla_bands"),
    "count_bands": ("bands", "total"),
    "milestones": ("n_levels", "levels"),
    "step_completion": ("target_percent",),
    "quarterly_progress": ("plan",),
    "training": ("bands", "pass_label"),
    "committee_share": ("min_share", "n_committees"),
    "count_target": ("out_of",),
    "percent_target": (),
}

_REQUIRED = ("code", "name_th", "name_en", "host_agency", "unit", "target", "direction",
             "weight", "fiscal_year", "rubric", "data", "source")
_OPTIONAL = ("instrument", "scorecard", "notes")
_DIRECTIONS = ("higher", "lower")


class CatalogError(ValueError):
    """The catalog file is invalid; the message names the KPI and the field."""


@dataclasses.dataclass(frozen=True)
class KPI(Result):
    """One catalog entry.

    Attributes
    ----------
    code : str
        Catalog code (``sat-bmaq``, ``0411-2029``, ``6.1.2.1`` …).
    name_th, name_en : str
        Thai name exactly as in the seed; English name.
    host_agency : str
        Thai name of the host agency.
    unit : str
        Unit of the target (``ระดับ``, ``ร้อยละ``, ``คณะ`` …).
    target : float
        Target value in that unit.
    direction : str
        ``"higher"`` or ``"lower"`` is better.
    weight : float or None
        Weight in a negotiated scorecard (table ค), None outside one.
    fiscal_year : int
        Buddhist-Era fiscal year.
    rubric_kind : str
        One of :data:`RUBRIC_KINDS`.
    rubric_params : dict
        The rubric parameters.
    data : tuple of str
        Files (relative to the repository root) the KPI needs.
    source : str
        Where in the seeds the KPI is defined.
    instrument : str or None
        Questionnaire code (satisfaction KPIs).
    scorecard_agency : str or None
        Agency whose negotiated scorecard lists the KPI.
    scorecard_item : int or None
        Item number in that scorecard.
    notes : str
    """

    code: str
    name_th: str
    name_en: str
    host_agency: str
    unit: str
    target: float
    direction: str
    weight: float | None
    fiscal_year: int
    rubric_kind: str
    rubric_params: dict[str, Any]
    data: tuple[str, ...]
    source: str
    instrument: str | None = None
    scorecard_agency: str | None = None
    scorecard_item: int | None = None
    notes: str = ""

    def bands(self, name: str = "bands") -> ThresholdBands:
        """The :class:`~kpianalysis.rubric.ThresholdBands` stored under ``name``."""
        if name not in self.rubric_params:
            raise KeyError(f"KPI {self.code!r} ({self.rubric_kind}) has no {name!r} parameter; "
                           f"it has: {', '.join(self.rubric_params) or 'none'}")
        return _make_bands(self.code, name, self.rubric_params[name])

    def data_paths(self, root: str | Path) -> list[Path]:
        """The data files joined to a repository ``root``."""
        return [Path(root) / p for p in self.data]


def _make_bands(code: str, name: str, spec: Any) -> ThresholdBands:
    where = f"KPI {code!r}: rubric.params.{name}"
    if not isinstance(spec, list) or not spec:
        raise CatalogError(f"{where} must be a non-empty list of bands, got {spec!r}")
    bands = []
    for i, b in enumerate(spec, start=1):
        if not isinstance(b, Mapping):
            raise CatalogError(f"{where}[{i}] must be a mapping, got {b!r}")
        miss = [k for k in ("level", "at_least", "success_percent") if k not in b]
        if miss:
            raise CatalogError(f"{where}[{i}] is missing {', '.join(miss)}")
        try:
            bands.append(Band(int(b["level"]), float(b["at_least"]), float(b["success_percent"]),
                              str(b.get("label", ""))))
        except (TypeError, ValueError) as exc:
            raise CatalogError(f"{where}[{i}]: {exc}") from exc
    try:
        return ThresholdBands(tuple(bands), name=f"{code} {name}")
    except (TypeError, ValueError) as exc:
        raise CatalogError(f"{where}: {exc}") from exc


def _check_params(code: str, kind: str, params: Mapping[str, Any]) -> None:
    for key in ("bands", "satisfaction_bands", "sla_bands"):
        if key in params:
            _make_bands(code, key, params[key])
    where = f"KPI {code!r}: rubric.params"
    if kind == "milestones":
        n = params["n_levels"]
        if not isinstance(n, int) or n < 1:
            raise CatalogError(f"{where}.n_levels must be a positive integer, got {n!r}")
        levels = params["levels"]
        if not isinstance(levels, list) or not all(
                isinstance(x, Mapping) and {"level", "criterion"} <= set(x) for x in levels):
            raise CatalogError(f"{where}.levels must be a list of {{level, criterion}}")
        got = sorted({int(x["level"]) for x in levels})
        if got != list(range(1, n + 1)):
            raise CatalogError(f"{where}.levels must cover levels 1..{n}; got {got}")
    if kind == "quarterly_progress":
        plan = params["plan"]
        if (not isinstance(plan, list) or not 1 <= len(plan) <= 4
                or not all(isinstance(v, (int, float)) for v in plan)):
            raise CatalogError(f"{where}.plan must be a list of up to 4 cumulative percents, "
                               f"got {plan!r}")
        if any(b < a for a, b in zip(plan, plan[1:], strict=False)) or not all(
                0 <= v <= 100 for v in plan):
            raise CatalogError(f"{where}.plan must be non-decreasing within 0–100 "
                               f"(cumulative), got {plan!r}")
    if kind == "training":
        labels = [b.get("label") for b in params["bands"]]
        if params["pass_label"] not in labels:
            raise CatalogError(f"{where}.pass_label {params['pass_label']!r} is not one of the "
                               f"band labels {labels}")
    for key in ("total", "n_committees"):
        if key in params and (not isinstance(params[key], int) or params[key] < 1):
            raise CatalogError(f"{where}.{key} must be a positive integer, got {params[key]!r}")


def _parse_entry(i: int, raw: Any, agencies: Mapping[str, Any]) -> KPI:
    if not isinstance(raw, Mapping):
        raise CatalogError(f"kpis[{i}] must be a mapping, got {raw!r}")
    code = raw.get("code")
    who = f"KPI {code!r}" if code is not None else f"kpis[{i}]"
    missing = [f for f in _REQUIRED if f not in raw]
    if missing:
        raise CatalogError(f"{who} is missing required field(s): {', '.join(missing)}")
    unknown = sorted(set(raw) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise CatalogError(f"{who} has unknown field(s): {', '.join(unknown)}; valid fields "
                           f"are {', '.join(_REQUIRED + _OPTIONAL)}")
    if not isinstance(code, str) or not code.strip():
        raise CatalogError(f"kpis[{i}]: code must be a non-empty string (quote numeric codes "
                           f"such as \"5.2.1.2\"), got {code!r}")
    for f in ("name_th", "name_en", "unit", "source"):
        if not isinstance(raw[f], str) or not raw[f].strip():
            raise CatalogError(f"{who}: {f} must be a non-empty string, got {raw[f]!r}")
    agency = _resolve_agency(raw["host_agency"], agencies, f"{who}: host_agency")
    target = raw["target"]
    if isinstance(target, bool) or not isinstance(target, (int, float)):
        raise CatalogError(f"{who}: target must be a number, got {target!r}")
    if raw["direction"] not in _DIRECTIONS:
        raise CatalogError(f"{who}: direction must be one of {', '.join(_DIRECTIONS)}, got "
                           f"{raw['direction']!r}")
    weight = raw["weight"]
    if weight is not None and (isinstance(weight, bool) or not isinstance(weight, (int, float))
                               or not math.isfinite(weight) or weight <= 0):
        raise CatalogError(f"{who}: weight must be a positive number or null, got {weight!r}")
    fy = raw["fiscal_year"]
    if isinstance(fy, bool) or not isinstance(fy, int) or not 2443 <= fy <= 2742:
        raise CatalogError(f"{who}: fiscal_year must be a Buddhist-Era year (e.g. 2567), got "
                           f"{fy!r}")
    rubric = raw["rubric"]
    if not isinstance(rubric, Mapping) or "kind" not in rubric:
        raise CatalogError(f"{who}: rubric must be a mapping with 'kind' and 'params'")
    kind = rubric["kind"]
    if kind not in RUBRIC_KINDS:
        raise CatalogError(f"{who}: unknown rubric kind {kind!r}; valid kinds are "
                           f"{', '.join(sorted(RUBRIC_KINDS))}")
    params = rubric.get("params") or {}
    if not isinstance(params, Mapping):
        raise CatalogError(f"{who}: rubric.params must be a mapping, got {params!r}")
    miss = [p for p in RUBRIC_KINDS[kind] if p not in params]
    if miss:
        raise CatalogError(f"{who}: rubric kind {kind!r} needs params {', '.join(miss)}")
    _check_params(code, kind, params)
    data = raw["data"]
    if not isinstance(data, list) or not all(isinstance(d, str) for d in data):
        raise CatalogError(f"{who}: data must be a list of file paths, got {data!r}")
    sc = raw.get("scorecard") or {}
    if sc:
        if not isinstance(sc, Mapping) or "agency" not in sc or "item" not in sc:
            raise CatalogError(f"{who}: scorecard must be {{agency, item}}, got {sc!r}")
        if weight is None:
            raise CatalogError(f"{who}: a scorecard KPI needs a weight")
    instrument = raw.get("instrument")
    if kind in ("satisfaction", "it_support_composite") and not instrument:
        raise CatalogError(f"{who}: rubric kind {kind!r} needs an instrument")
    return KPI(
        code=code, name_th=raw["name_th"].strip(), name_en=raw["name_en"].strip(),
        host_agency=agency, unit=raw["unit"], target=float(target), direction=raw["direction"],
        weight=float(weight) if weight is not None else None, fiscal_year=fy,
        rubric_kind=kind, rubric_params=dict(params), data=tuple(data), source=raw["source"],
        instrument=instrument,
        scorecard_agency=(_resolve_agency(sc["agency"], agencies, f"{who}: scorecard.agency")
                          if sc else None),
        scorecard_item=int(sc["item"]) if sc else None,
        notes=str(raw.get("notes") or "").strip())


def _resolve_agency(name: Any, agencies: Mapping[str, Any], where: str) -> str:
    if not agencies:
        return str(name)
    if name in agencies:
        return str(name)
    for full, info in agencies.items():
        if isinstance(info, Mapping) and info.get("abbreviation") == name and name:
            return str(full)
    valid = ", ".join(list(agencies) + [str(i.get("abbreviation")) for i in agencies.values()
                                        if isinstance(i, Mapping) and i.get("abbreviation")])
    raise CatalogError(f"{where} {name!r} is not a listed agency; valid values are: {valid}")


class Catalog:
    """A validated set of KPIs; build it with :func:`load_catalog`.

    ``catalog.get(code)`` (or ``catalog[code]``) returns a :class:`KPI`; an unknown code is a
    ``KeyError`` listing close matches. ``catalog.list(...)`` returns a DataFrame.
    """

    def __init__(self, kpis: Iterable[KPI], agencies: Mapping[str, Any] | None = None,
                 source: str = "") -> None:
        self._kpis: dict[str, KPI] = {}
        for k in kpis:
            if k.code in self._kpis:
                raise CatalogError(f"duplicate KPI code {k.code!r} in {source or 'catalog'}")
            self._kpis[k.code] = k
        self.agencies = dict(agencies or {})
        self.source = source
        items: dict[tuple[str, int], str] = {}
        for k in self._kpis.values():
            if k.scorecard_agency is not None:
                key = (k.scorecard_agency, int(k.scorecard_item or 0))
                if key in items:
                    raise CatalogError(f"KPI {k.code!r}: scorecard item {key[1]} of {key[0]} is "
                                       f"already used by KPI {items[key]!r}")
                items[key] = k.code

    def __len__(self) -> int:
        return len(self._kpis)

    def __iter__(self) -> Iterator[KPI]:
        return iter(self._kpis.values())

    def __contains__(self, code: object) -> bool:
        return code in self._kpis

    def __getitem__(self, code: str) -> KPI:
        return self.get(code)

    def __repr__(self) -> str:
        return f"Catalog({len(self)} KPIs from {self.source or '<memory>'})"

    @property
    def codes(self) -> list[str]:
        """All KPI codes in file order."""
        return list(self._kpis)

    def get(self, code: str) -> KPI:
        """The KPI with this code; ``KeyError`` listing close matches if there is none."""
        if code in self._kpis:
            return self._kpis[code]
        close = difflib.get_close_matches(str(code), self.codes, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise KeyError(f"unknown KPI code {code!r}{hint} (known codes: {', '.join(self.codes)})")

    def resolve_agency(self, agency: str) -> str:
        """Full Thai agency name for a name or abbreviation (``"สยป."``)."""
        try:
            return _resolve_agency(agency, self.agencies, "agency")
        except CatalogError as exc:
            raise ValueError(str(exc)) from None

    def list(self, *, agency: str | None = None, kind: str | None = None,
             fiscal_year: int | None = None, scorecard: bool | None = None) -> pd.DataFrame:
        """The KPIs as a DataFrame, optionally filtered.

        Parameters
        ----------
        agency : str, optional
            Host agency (Thai name or abbreviation).
        kind : str, optional
            Rubric kind (one of :data:`RUBRIC_KINDS`).
        fiscal_year : int, optional
            BE fiscal year.
        scorecard : bool, optional
            True: only KPIs in a negotiated scorecard (table ค); False: only those outside.
        """
        rows = list(self._kpis.values())
        if agency is not None:
            full = self.resolve_agency(agency)
            rows = [k for k in rows if k.host_agency == full]
        if kind is not None:
            if kind not in RUBRIC_KINDS:
                raise ValueError(f"unknown rubric kind {kind!r}; valid kinds are "
                                 f"{', '.join(sorted(RUBRIC_KINDS))}")
            rows = [k for k in rows if k.rubric_kind == kind]
        if fiscal_year is not None:
            rows = [k for k in rows if k.fiscal_year == fiscal_year]
        if scorecard is not None:
            rows = [k for k in rows if (k.scorecard_agency is not None) == scorecard]
        cols = ["code", "name_th", "name_en", "host_agency", "unit", "target", "direction",
                "weight", "fiscal_year", "rubric_kind", "scorecard_item", "instrument", "source"]
        out = pd.DataFrame([{c: getattr(k, c) for c in cols} for k in rows], columns=cols)
        out["scorecard_item"] = out["scorecard_item"].astype("Int64")
        return out

    def scorecard_kpis(self, agency: str) -> list[KPI]:
        """The KPIs of an agency's negotiated scorecard, in item order."""
        full = self.resolve_agency(agency)
        return sorted((k for k in self if k.scorecard_agency == full),
                      key=lambda k: k.scorecard_item or 0)


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Load and validate a KPI catalog (default: the packaged ``catalog.yaml``).

    Raises
    ------
    CatalogError
        Naming the KPI and field of the first problem: a missing or unknown field, an unknown
        rubric kind, missing rubric parameters, overlapping or unordered bands, …
    """
    if path is None:
        res = importlib.resources.files("kpianalysis").joinpath("catalog.yaml")
        text = res.read_text(encoding="utf-8")
        source = "kpianalysis/catalog.yaml"
    else:
        p = Path(path)
        if not p.is_file():
            raise FileNotFoundError(f"catalog file not found: {p}")
        text = p.read_text(encoding="utf-8")
        source = str(p)
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{source} is not valid YAML: {exc}") from exc
    if not isinstance(doc, Mapping) or not isinstance(doc.get("kpis"), list):
        raise CatalogError(f"{source} must be a mapping with a 'kpis' list")
    agencies = doc.get("agencies") or {}
    try:
        kpis = [_parse_entry(i, e, agencies) for i, e in enumerate(doc["kpis"], start=1)]
    except CatalogError as exc:
        raise CatalogError(f"{source}: {exc}") from None
    return Catalog(kpis, agencies, source)


# -- agency scorecard -------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Scorecard(Result):
    """An agency's negotiated scorecard (seed 004 table ค).

    Attributes
    ----------
    agency : str
        Host agency (Thai name).
    table : DataFrame
        One row per scorecard KPI: ``item``, ``kpi``, ``name_th``, ``weight``, ``level``,
        ``points``, ``target_met``, ``evidence``; KPIs without a result have NaN points.
    total_points : float
        Sum of the KPIs' points.
    max_points : float
        Sum of the weights.
    percent : float
        ``total_points × 100 / max_points``.
    missing_target : tuple of str
        KPIs whose target was not met.
    missing_results : tuple of str
        Scorecard KPIs with no result given (counted as 0 points).
    """

    agency: str
    table: pd.DataFrame
    total_points: float
    max_points: float
    percent: float
    missing_target: tuple[str, ...] = ()
    missing_results: tuple[str, ...] = ()


def _load_results(kpi_results: Any) -> list[dict[str, Any]]:
    if isinstance(kpi_results, (str, Path)):
        p = Path(kpi_results)
        files = sorted(p.glob("*.json")) if p.is_dir() else [p]
        out = []
        for f in files:
            doc = json.loads(f.read_text(encoding="utf-8"))
            for d in doc if isinstance(doc, list) else [doc]:
                out.append({**d, "_source": str(f)})
        return out
    if isinstance(kpi_results, Mapping):
        if "kpi" in kpi_results:
            return [dict(kpi_results)]
        return [{"kpi": code, **dict(d)} for code, d in kpi_results.items()]
    out = []
    for d in kpi_results:
        if isinstance(d, (str, Path)):
            out.extend(_load_results(d))
        elif isinstance(d, Result):
            out.append(d.to_dict())
        elif isinstance(d, Mapping):
            out.append(dict(d))
        else:
            raise TypeError(f"kpi_results items must be dicts or JSON paths, got {d!r}")
    return out


def score_agency(kpi_results: Any, catalog: Catalog | None = None, *,
                 agency: str = "สำนักยุทธศาสตร์และประเมินผล") -> Scorecard:
    """Sum the points of an agency's scorecard KPIs against the total weight.

    Parameters
    ----------
    kpi_results : iterable of dict, mapping code → dict, or JSON file / directory of JSON files
        Per-KPI summaries with at least ``kpi``, ``level``, ``points``, ``weight``,
        ``target_met`` (optional ``evidence``). Results for KPIs outside the scorecard are
        ignored (logged at debug level).
    catalog : Catalog, optional
        Default :func:`load_catalog`.
    agency : str
        Agency (Thai name or abbreviation); default สำนักยุทธศาสตร์และประเมินผล (สยป.).

    Returns
    -------
    Scorecard

    Raises
    ------
    ValueError
        A result for an unknown KPI code, missing keys, a weight that differs from the
        catalog's, points above the weight or below 0, or two results for one KPI.
    """
    cat = catalog or load_catalog()
    full = cat.resolve_agency(agency)
    kpis = cat.scorecard_kpis(full)
    if not kpis:
        raise ValueError(f"agency {agency!r} has no scorecard KPIs in {cat.source}")
    by_code: dict[str, dict[str, Any]] = {}
    for r in _load_results(kpi_results):
        where = f" (from {r['_source']})" if "_source" in r else ""
        code = r.get("kpi")
        if code not in cat:
            cat.get(str(code))  # raises KeyError with close matches
        miss = [k for k in ("level", "points", "weight", "target_met") if k not in r]
        if miss:
            raise ValueError(f"result for KPI {code!r}{where} is missing {', '.join(miss)}")
        if code in by_code:
            raise ValueError(f"two results for KPI {code!r}{where}")
        by_code[code] = r
    rows = []
    for k in kpis:
        r = by_code.get(k.code)
        if r is None:
            rows.append({"item": k.scorecard_item, "kpi": k.code, "name_th": k.name_th,
                         "weight": k.weight, "level": None, "points": float("nan"),
                         "target_met": False, "evidence": "no result"})
            continue
        w, pts = float(r["weight"]), float(r["points"])
        if not math.isclose(w, k.weight or 0, rel_tol=1e-9):
            raise ValueError(f"result for KPI {k.code!r} has weight {w:g} but the catalog "
                             f"gives {k.weight:g}")
        if not 0 <= pts <= w * (1 + 1e-12):
            raise ValueError(f"result for KPI {k.code!r} has points {pts:g} outside 0–{w:g}")
        rows.append({"item": k.scorecard_item, "kpi": k.code, "name_th": k.name_th,
                     "weight": w, "level": r["level"], "points": pts,
                     "target_met": bool(r["target_met"]),
                     "evidence": str(r.get("evidence", r.get("_source", "")))})
    for code in by_code:
        if code not in {k.code for k in kpis}:
            logger.debug("result for KPI %s is not in the scorecard of %s; ignored", code, full)
    table = pd.DataFrame(rows)
    total = float(table["points"].fillna(0).sum())
    max_points = float(table["weight"].sum())
    return Scorecard(
        agency=full, table=table, total_points=total, max_points=max_points,
        percent=total * 100 / max_points,
        missing_target=tuple(table.loc[~table["target_met"], "kpi"]),
        missing_results=tuple(table.loc[table["points"].isna(), "kpi"]))
