"""The KPI catalog: every KPI of the specification as data (``catalog.yaml``), validated on load.

A researcher lists and looks up KPIs from Python and adds a KPI by editing the YAML file (or
pointing :func:`load_catalog` at a copy) — no code change::

    >>> from kpianalysis.catalog import load_catalog
    >>> cat = load_catalog()
    >>> cat.get("sat-bmaq").weight
    20.0
    >>> cat.list(agency="สยป.")[["code", "weight"]].head(2)  # doctest: +SKIP

The catalog is the only registry of KPIs: an entry holds everything needed to evaluate and
report the KPI — names, target, weight, rubric kind and parameters, the instrument (by key into
``instruments.yaml``), the input files per fiscal year and round (relative to the data root),
the report family and the §G rule choices (:mod:`kpianalysis.rules`).
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib.resources
import logging
import math
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ._results import Result
from .kinds import KINDS, REPORT_FAMILIES
from .rubric import Band, ThresholdBands
from .rules import RULES, RuleError, check_rules

logger = logging.getLogger(__name__)

__all__ = [
    "KPI",
    "RUBRIC_KINDS",
    "Catalog",
    "CatalogError",
    "InputSpec",
    "load_catalog",
]

#: Rubric kinds and the parameters each one requires (from :data:`kpianalysis.kinds.KINDS`).
RUBRIC_KINDS: dict[str, tuple[str, ...]] = {k: v.params for k, v in KINDS.items()}

_REQUIRED = ("code", "name_th", "name_en", "host_agency", "unit", "target", "direction",
             "weight", "fiscal_year", "rubric", "inputs", "source")
_OPTIONAL = ("instrument", "scorecard", "notes", "report", "rules")
_DIRECTIONS = ("higher", "lower")


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present
    """A safe YAML loader that refuses a mapping with a repeated key."""

    def construct_mapping(self, node, deep=False):
        keys = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                continue
            if key_node.value in keys:
                raise yaml.constructor.ConstructorError(
                    None, None, f"repeated key {key_node.value!r}", key_node.start_mark)
            keys.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


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
    inputs : dict of int → tuple of InputSpec
        The input files per BE fiscal year, relative to the data root.
    report : str
        Report family (``rubric``, ``satisfaction``, ``awareness``).
    rules : dict of str → str
        The §G rule choices in force for this KPI (catalog defaults, then the entry's own).
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
    inputs: dict[int, tuple[InputSpec, ...]]
    source: str
    report: str = "rubric"
    rules: dict[str, str] = dataclasses.field(default_factory=dict)
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

    @property
    def fiscal_years(self) -> list[int]:
        """The fiscal years the catalog has inputs for."""
        return sorted(self.inputs)

    def inputs_for(self, fiscal_year: int | None = None) -> tuple[InputSpec, ...]:
        """The input specs of a fiscal year (default: the KPI's own ``fiscal_year``)."""
        fy = self.fiscal_year if fiscal_year is None else int(fiscal_year)
        if fy not in self.inputs:
            raise CatalogError(f"KPI {self.code!r} has no inputs for fiscal year {fy} in the "
                               f"catalog; it has: {', '.join(map(str, self.inputs)) or 'none'}")
        return self.inputs[fy]

    def data_paths(self, root: str | Path, fiscal_year: int | None = None) -> list[Path]:
        """The input files of a fiscal year joined to a data ``root``."""
        return [Path(root) / s.path for s in self.inputs_for(fiscal_year)]


@dataclasses.dataclass(frozen=True)
class InputSpec(Result):
    """One input file of a KPI as the catalog declares it.

    Attributes
    ----------
    role : str
        What the file is for the engine (``survey``, ``evidence``, ``tickets`` …).
    path : str
        Relative to the data root, POSIX separators.
    round : int or None
        Survey round (roles given per round).
    sheet : str or None
        Worksheet name for an ``.xlsx`` file.
    """

    role: str
    path: str
    round: int | None = None
    sheet: str | None = None


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
        blank = sorted(int(x["level"]) for x in levels if not x["criterion"])
        if blank and not set(blank) <= set(params.get("undefined_levels") or ()):
            raise CatalogError(f"{where}.levels {blank} have no criterion: list them in "
                               f"undefined_levels (KPI_SPEC §G.6) or give their text")
    undefined = params.get("undefined_levels")
    if undefined is not None and (not isinstance(undefined, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 10 for v in undefined)):
        raise CatalogError(f"{where}.undefined_levels must be a list of levels, got "
                           f"{undefined!r}")
    if "plan" in params or "target_percent" in params:
        raise CatalogError(f"{where}: 'plan' and 'target_percent' are not catalog parameters: "
                           f"the plan is the agency's (its progress file) and the target is "
                           f"the entry's target")
    if "likert_high_from" in params and float(params["likert_high_from"]) != 3.51:
        raise CatalogError(f"{where}.likert_high_from: only 3.51 (the seeds' 'high or above', "
                           f"KPI_SPEC §B) is implemented, got {params['likert_high_from']!r}")
    if kind == "training":
        labels = [b.get("label") for b in params["bands"]]
        if params["pass_label"] not in labels:
            raise CatalogError(f"{where}.pass_label {params['pass_label']!r} is not one of the "
                               f"band labels {labels}")
    for key in ("total", "n_committees"):
        if key in params and (not isinstance(params[key], int) or params[key] < 1):
            raise CatalogError(f"{where}.{key} must be a positive integer, got {params[key]!r}")


def _parse_inputs(who: str, kind: str, raw: Any) -> dict[int, tuple[InputSpec, ...]]:
    """Validate ``inputs: {fiscal year: [{role, path[, round][, sheet]}, ...]}``."""
    spec = KINDS[kind]
    if not isinstance(raw, Mapping) or not raw:
        raise CatalogError(f"{who}: inputs must map a BE fiscal year to a list of "
                           f"{{role, path[, round]}}, got {raw!r}")
    out: dict[int, tuple[InputSpec, ...]] = {}
    valid_roles = (*spec.roles, *spec.optional_roles)
    for fy, files in raw.items():
        if isinstance(fy, str) and fy.strip().isdigit():
            fy = int(fy)
        if isinstance(fy, bool) or not isinstance(fy, int) or not 2443 <= fy <= 2742:
            raise CatalogError(f"{who}: inputs key {fy!r} must be a BE fiscal year (2567)")
        if not isinstance(files, list):
            raise CatalogError(f"{who}: inputs.{fy} must be a list, got {files!r}")
        specs = []
        for j, f in enumerate(files, start=1):
            where = f"{who}: inputs.{fy}[{j}]"
            if not isinstance(f, Mapping) or set(f) - {"role", "path", "round", "sheet"} or not {
                    "role", "path"} <= set(f):
                raise CatalogError(f"{where} must be {{role, path[, round][, sheet]}}, got {f!r}")
            role, path = f["role"], f["path"]
            if role not in valid_roles:
                raise CatalogError(f"{where}: role {role!r} is not read by rubric kind {kind!r}; "
                                   f"valid roles are {', '.join(valid_roles)}")
            if (not isinstance(path, str) or not path.strip() or path.startswith(("/", "\\"))
                    or ".." in Path(path).parts or ":" in path):
                raise CatalogError(f"{where}: path must be relative to the data root, without "
                                   f"'..', got {path!r}")
            rnd = f.get("round")
            if role in spec.per_round:
                if isinstance(rnd, bool) or not isinstance(rnd, int) or rnd < 1:
                    raise CatalogError(f"{where}: a {role!r} input needs a round (1, 2 …)")
            elif rnd is not None:
                raise CatalogError(f"{where}: only {', '.join(spec.per_round) or 'no'} inputs "
                                   f"take a round")
            specs.append(InputSpec(role=role, path=path.strip(), round=rnd,
                                   sheet=f.get("sheet")))
        seen = [(s.role, s.round) for s in specs if s.role in spec.per_round]
        if len(seen) != len(set(seen)):
            raise CatalogError(f"{who}: inputs.{fy} names one round twice")
        single = [s.role for s in specs if s.role not in spec.per_round]
        if len(single) != len(set(single)):
            raise CatalogError(f"{who}: inputs.{fy} names one role twice")
        missing = [r for r in spec.roles if r not in {s.role for s in specs}]
        if missing:
            raise CatalogError(f"{who}: inputs.{fy} lacks the {', '.join(missing)} input(s) "
                               f"rubric kind {kind!r} reads")
        out[fy] = tuple(specs)
    return out


def _parse_entry(i: int, raw: Any, agencies: Mapping[str, Any],
                 defaults: Mapping[str, str] | None = None) -> KPI:
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
    if raw["direction"] != "higher":
        raise CatalogError(f"{who}: direction 'lower' is not implemented by any rubric engine "
                           f"yet (every KPI of the seeds is higher-is-better)")
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
    inputs = _parse_inputs(who, kind, raw["inputs"])
    report = raw.get("report") or KINDS[kind].report
    if report not in REPORT_FAMILIES:
        raise CatalogError(f"{who}: unknown report family {report!r}; valid families are "
                           f"{', '.join(REPORT_FAMILIES)}")
    try:
        rules = {**defaults, **check_rules(raw.get("rules") or {}, f"{who}: ")}
    except RuleError as exc:
        raise CatalogError(str(exc)) from None
    sc = raw.get("scorecard") or {}
    if sc:
        if not isinstance(sc, Mapping) or "agency" not in sc or "item" not in sc:
            raise CatalogError(f"{who}: scorecard must be {{agency, item}}, got {sc!r}")
        if weight is None:
            raise CatalogError(f"{who}: a scorecard KPI needs a weight")
        if not KINDS[kind].points:
            raise CatalogError(f"{who}: rubric kind {kind!r} gives no level-based points, so it "
                               f"cannot be in a scorecard; kinds that can: "
                               f"{', '.join(k for k, v in KINDS.items() if v.points)}")
    instrument = raw.get("instrument")
    if kind in ("satisfaction", "it_support_composite"):
        if not instrument:
            raise CatalogError(f"{who}: rubric kind {kind!r} needs an instrument")
        from .instruments import load_instruments

        known = load_instruments()
        if instrument not in known:
            raise CatalogError(f"{who}: unknown instrument {instrument!r}; instruments.yaml "
                               f"defines {', '.join(known)}")
    return KPI(
        code=code, name_th=raw["name_th"].strip(), name_en=raw["name_en"].strip(),
        host_agency=agency, unit=raw["unit"], target=float(target), direction=raw["direction"],
        weight=float(weight) if weight is not None else None, fiscal_year=fy,
        rubric_kind=kind, rubric_params=dict(params), inputs=inputs, source=raw["source"],
        report=report, rules=rules, instrument=instrument,
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
                 source: str = "", rules: Mapping[str, str] | None = None) -> None:
        self._kpis: dict[str, KPI] = {}
        for k in kpis:
            if k.code in self._kpis:
                raise CatalogError(f"duplicate KPI code {k.code!r} in {source or 'catalog'}")
            self._kpis[k.code] = k
        self.agencies = dict(agencies or {})
        self.source = source
        self.rules = {r: RULES[r].official for r in RULES} | dict(rules or {})
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
        if not isinstance(code, str):
            raise KeyError(f"unknown KPI code {code!r}")
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

    def abbreviation(self, agency: str) -> str:
        """The agency's abbreviation (``"สยป."``), or ``""`` when it has none."""
        info = self.agencies.get(self.resolve_agency(agency))
        return str(info.get("abbreviation") or "") if isinstance(info, Mapping) else ""

    def scorecard_agencies(self) -> list[str]:
        """Agencies with a negotiated scorecard, in catalog order."""
        return list(dict.fromkeys(k.scorecard_agency for k in self if k.scorecard_agency))

    def scorecard_kpis(self, agency: str) -> list[KPI]:
        """The KPIs of an agency's negotiated scorecard, in item order."""
        full = self.resolve_agency(agency)
        return sorted((k for k in self if k.scorecard_agency == full),
                      key=lambda k: k.scorecard_item or 0)


#: Catalogs already validated in this process, by (source, its absolute path, SHA-256 of the
#: text): a kernel
#: forked from the build's kernel server (:mod:`kpianalysis.kernels`) finds the build's
#: catalog here instead of parsing it again for every report. Never stale: keyed on content.
_LOADED: dict[tuple[str, str, str], Catalog] = {}


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Load and validate a KPI catalog (default: the packaged ``catalog.yaml``).

    A file with the same content as one already loaded in this process gives that catalog
    again (it is not mutated by the package).

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
    import hashlib

    key = (source, str(Path(source).resolve()) if path is not None else "",
           hashlib.sha256(text.encode("utf-8")).hexdigest())
    if key in _LOADED:
        return _LOADED[key]
    catalog = _parse_catalog(text, source)
    if len(_LOADED) >= 4:
        _LOADED.pop(next(iter(_LOADED)))
    _LOADED[key] = catalog
    return catalog


def _parse_catalog(text: str, source: str) -> Catalog:
    try:
        doc = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{source} is not valid YAML: {exc}") from exc
    if not isinstance(doc, Mapping) or not isinstance(doc.get("kpis"), list):
        raise CatalogError(f"{source} must be a mapping with a 'kpis' list")
    agencies = doc.get("agencies") or {}
    try:
        defaults = check_rules(doc.get("rules") or {}, "rules: ")
    except RuleError as exc:
        raise CatalogError(f"{source}: {exc}") from None
    missing_rules = [r for r in RULES if r not in defaults]
    if missing_rules:
        raise CatalogError(f"{source}: the top-level rules: section must give the default of "
                           f"every §G rule; missing {', '.join(missing_rules)}")
    try:
        kpis = [_parse_entry(i, e, agencies, defaults)
                for i, e in enumerate(doc["kpis"], start=1)]
    except CatalogError as exc:
        raise CatalogError(f"{source}: {exc}") from None
    return Catalog(kpis, agencies, source, defaults)
