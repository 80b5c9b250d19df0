"""The satisfaction questionnaires (instruments) of the BMA KPIs, as data.

The instruments live in the packaged file ``kpianalysis/instruments.yaml``, transcribed from the
KPI agreement of the Strategy and Evaluation Department for FY2567 (table ค, items 1, 2, 4, 5
and 6, with their attached draft questionnaires). This module reads that file, checks it, and
returns frozen dataclasses:

* :class:`Instrument` - one questionnaire: its answer scale, respondent profile fields
  (part 1), rated items grouped in sections (part 2), free-text fields (part 3), respondents,
  title, source and transcription note;
* :class:`Section` and :class:`Item` - the rated questions;
* :class:`ProfileField` - a respondent-profile question (sex, age, agency, ...).

An instrument says nothing about the KPI it is scored for: the KPI's names, weight, table ค
item and the points of the satisfaction part live only in the KPI catalog
(:func:`kpianalysis.load_catalog`), whose entry names the instrument (``KPI.instrument``); see
:func:`kpianalysis.satisfaction.satisfaction_points`.

Profile and free-text answers are personal data under Thailand's Personal Data Protection Act
B.E. 2562 and are meant to be reported only in aggregate.

Examples
--------
>>> from kpianalysis.instruments import get_instrument
>>> oss = get_instrument("sat-oss")
>>> oss.item_codes
('q1_1', 'q1_2', 'q2_1', 'q2_2', 'q3_1', 'q4')
>>> oss.section_of["q2_2"]
'2'
"""

from __future__ import annotations

import dataclasses
import functools
import html
import logging
from collections import Counter
from collections.abc import Mapping
from importlib import resources
from os import PathLike
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from ._results import Result

__all__ = [
    "Instrument",
    "Item",
    "ProfileField",
    "Section",
    "get_instrument",
    "load_instruments",
    "load_scales",
]

logger = logging.getLogger(__name__)

_PACKAGE_FILE = "instruments.yaml"
_SCALE_LEVELS = (5, 4, 3, 2, 1)
_DERIVED = "derived from KPI definition"

_INSTRUMENT_REQUIRED = (
    "scale",
    "source",
    "respondents_th",
    "profile_fields",
    "free_text_fields",
    "sections",
)
_INSTRUMENT_OPTIONAL = (
    "questionnaire_th",
    "respondents_en",
    "respondent_groups_th",
    "respondent_groups_en",
    "note",
)
# Facts about the KPI, recorded once in the KPI catalog (catalog.yaml), never in an instrument.
_CATALOG_FIELDS = ("table_item", "name_th", "name_en", "weight", "satisfaction_points")
_SECTION_KEYS = ("code", "name_th", "name_en", "items")
_ITEM_KEYS = ("code", "text_th", "text_en")
_PROFILE_REQUIRED = ("column", "label_th")
_PROFILE_OPTIONAL = ("label_en", "input", "values", "unit")


@dataclasses.dataclass(frozen=True)
class Item(Result):
    """One rated question.

    Attributes
    ----------
    code : str
        Column name of the answers in a response table, e.g. ``"q1_1"``.
    text_th, text_en : str
        The question as printed (Thai) and an English gloss.
    section : str
        Code of the section the item belongs to, e.g. ``"1"``.
    """

    code: str
    text_th: str
    text_en: str
    section: str


@dataclasses.dataclass(frozen=True)
class Section(Result):
    """A group of rated items (ด้าน ...).

    Attributes
    ----------
    code : str
        Section number as printed, e.g. ``"1"``.
    name_th, name_en : str
        Section heading (Thai as printed) and an English gloss.
    items : tuple of Item
        The items, in questionnaire order.
    """

    code: str
    name_th: str
    name_en: str
    items: tuple[Item, ...]

    @property
    def item_codes(self) -> tuple[str, ...]:
        """Codes of the section's items, in order."""
        return tuple(item.code for item in self.items)


@dataclasses.dataclass(frozen=True)
class ProfileField(Result):
    """A respondent-profile question (ตอนที่ 1 ข้อมูลทั่วไป).

    Attributes
    ----------
    column : str
        Column name in a response table, e.g. ``"sex"``.
    label_th, label_en : str
        The question label as printed and an English gloss.
    input : str
        The input type noted on the questionnaire (``"check"``, ``"text"``, ``"drop down"``,
        ``"app"``), or ``""`` when not stated.
    values : tuple of str or None
        The allowed answers of a closed question; ``None`` for an open list (e.g. agency).
    unit : str
        Unit of a numeric answer (``"ปี"`` for age), else ``""``.
    """

    column: str
    label_th: str
    label_en: str = ""
    input: str = ""
    values: tuple[str, ...] | None = None
    unit: str = ""


@dataclasses.dataclass(frozen=True)
class Instrument(Result):
    """A satisfaction questionnaire: what is asked, of whom, on which scale.

    The KPI the questionnaire is scored for (its names, weight, table ค item and the points of
    the satisfaction part) is not part of the instrument: it is the catalog entry whose
    ``instrument`` is this code (:func:`kpianalysis.load_catalog`).

    Attributes
    ----------
    code : str
        Instrument code, e.g. ``"sat-oss"``.
    scale : str
        Code of the answer scale (``"likert5"`` or ``"emoji5"``).
    scale_labels : Mapping[int, str]
        Thai label of each answer level, from 5 (highest) to 1.
    sections : tuple of Section
        Rated sections in questionnaire order.
    profile_fields : tuple of ProfileField
        Respondent-profile questions (personal data; report only in aggregate).
    free_text_fields : tuple of str
        Columns of free-text answers (ข้อเสนอแนะ; personal data, never reported raw).
    respondents_th, respondents_en : str
        Who answers the questionnaire.
    source : str
        ``"questionnaire"`` when transcribed from the attached questionnaire, or
        ``"derived from KPI definition"`` when built from the KPI text.
    questionnaire_th : str
        Title of the attached questionnaire, ``""`` if none.
    respondent_groups_th, respondent_groups_en : tuple of str
        User groups named by the KPI definition, if any.
    note : str
        Transcription remarks and uncertainties.
    """

    code: str
    scale: str
    scale_labels: Mapping[int, str]
    sections: tuple[Section, ...]
    profile_fields: tuple[ProfileField, ...]
    free_text_fields: tuple[str, ...]
    respondents_th: str
    respondents_en: str = ""
    source: str = "questionnaire"
    questionnaire_th: str = ""
    respondent_groups_th: tuple[str, ...] = ()
    respondent_groups_en: tuple[str, ...] = ()
    note: str = ""

    @property
    def items(self) -> tuple[Item, ...]:
        """All rated items, in questionnaire order."""
        return tuple(item for section in self.sections for item in section.items)

    @property
    def item_codes(self) -> tuple[str, ...]:
        """Codes of all rated items, in questionnaire order."""
        return tuple(item.code for item in self.items)

    @property
    def section_of(self) -> Mapping[str, str]:
        """Map item code to the code of its section."""
        return MappingProxyType({item.code: item.section for item in self.items})

    @property
    def section_codes(self) -> tuple[str, ...]:
        """Codes of the sections, in order."""
        return tuple(section.code for section in self.sections)

    @property
    def profile_columns(self) -> tuple[str, ...]:
        """Column names of the profile fields."""
        return tuple(field.column for field in self.profile_fields)

    @property
    def scale_levels(self) -> tuple[int, ...]:
        """The answer levels, highest first: ``(5, 4, 3, 2, 1)``."""
        return tuple(self.scale_labels)

    @property
    def is_derived(self) -> bool:
        """Whether the items were built from the KPI definition (no questionnaire in the seed)."""
        return self.source == _DERIVED

    def section(self, code: str) -> Section:
        """Return the section with the given code.

        Raises
        ------
        ValueError
            If the instrument has no such section (the message lists the valid codes).
        """
        for section in self.sections:
            if section.code == code:
                return section
        raise ValueError(
            f"instrument {self.code!r} has no section {code!r}; "
            f"valid sections: {', '.join(self.section_codes)}"
        )

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(s.code)}</td><td>{html.escape(s.name_th)}</td>"
            f"<td>{html.escape(i.code)}</td><td>{html.escape(i.text_th)}</td></tr>"
            for s in self.sections
            for i in s.items
        )
        title = self.questionnaire_th or f"ผู้ตอบ (respondents): {self.respondents_th}"
        return (
            f"<table class='kpianalysis-instrument'><caption>{html.escape(self.code)}: "
            f"{html.escape(title)} (scale {html.escape(self.scale)}, "
            f"{html.escape(self.source)})</caption><tr><th>section</th><th>ด้าน</th>"
            f"<th>item</th><th>ข้อคำถาม</th></tr>{rows}</table>"
        )


# ---------------------------------------------------------------------------------------------
# Loading and validation
# ---------------------------------------------------------------------------------------------


def _fail(where: str, field: str, message: str) -> ValueError:
    return ValueError(f"{where}: field {field!r} {message}")


def _text(mapping: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    if key not in mapping or mapping[key] is None:
        if required:
            raise _fail(where, key, "is missing")
        return ""
    value = mapping[key]
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, key, f"must be a non-empty string, got {value!r}")
    return " ".join(value.split())


def _mapping(value: Any, where: str, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(where, field, f"must be a mapping, got {type(value).__name__}")
    return value


def _sequence(mapping: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = mapping.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(where, key, f"must be a list, got {type(value).__name__}")
    return value


def _check_keys(
    mapping: Mapping[str, Any], where: str, required: tuple[str, ...], optional: tuple[str, ...]
) -> None:
    missing = [k for k in required if k not in mapping]
    if missing:
        raise _fail(where, missing[0], f"is missing (required fields: {', '.join(required)})")
    unknown = sorted(str(k) for k in mapping if k not in required and k not in optional)
    if unknown:
        raise _fail(
            where,
            unknown[0],
            f"is not a known field (known: {', '.join(required + optional)})",
        )


def _parse_scales(raw: Any) -> dict[str, Mapping[int, str]]:
    raw = _mapping(raw, "instruments file", "scales")
    scales: dict[str, Mapping[int, str]] = {}
    for code, levels in raw.items():
        where = f"scale {code!r}"
        levels = _mapping(levels, where, "levels")
        keys = list(levels)
        if any(isinstance(k, bool) or not isinstance(k, int) for k in keys) or set(keys) != set(
            _SCALE_LEVELS
        ):
            raise _fail(where, "levels", f"must be exactly the levels 5, 4, 3, 2, 1, got {keys}")
        labels = {}
        for level in _SCALE_LEVELS:
            label = levels[level]
            if not isinstance(label, str) or not label.strip():
                raise _fail(where, str(level), f"must be a non-empty label, got {label!r}")
            labels[level] = label.strip()
        scales[str(code)] = MappingProxyType(labels)
    return scales


def _parse_profile(raw: Any, where: str, index: int) -> ProfileField:
    here = f"{where}, profile field {index + 1}"
    raw = _mapping(raw, here, "profile_fields")
    _check_keys(raw, here, _PROFILE_REQUIRED, _PROFILE_OPTIONAL)
    values = raw.get("values")
    if values is not None:
        if not isinstance(values, list) or not values:
            raise _fail(here, "values", f"must be a non-empty list, got {values!r}")
        values = tuple(str(v) for v in values)
        if len(set(values)) != len(values):
            raise _fail(here, "values", f"has duplicate values: {list(values)}")
    return ProfileField(
        column=_text(raw, "column", here),
        label_th=_text(raw, "label_th", here),
        label_en=_text(raw, "label_en", here, required=False),
        input=_text(raw, "input", here, required=False),
        values=values,
        unit=_text(raw, "unit", here, required=False),
    )


def _parse_section(raw: Any, where: str, index: int) -> Section:
    here = f"{where}, section {index + 1}"
    raw = _mapping(raw, here, "sections")
    _check_keys(raw, here, _SECTION_KEYS, ())
    code = raw["code"]
    if isinstance(code, bool) or not isinstance(code, (str, int)) or not str(code).strip():
        raise _fail(here, "code", f"must be a non-empty string, got {code!r}")
    code = str(code).strip()
    here = f"{where}, section {code!r}"
    items_raw = _sequence(raw, "items", here)
    if not items_raw:
        raise _fail(here, "items", "must list at least one item")
    items = []
    for j, item_raw in enumerate(items_raw):
        item_where = f"{here}, item {j + 1}"
        item_raw = _mapping(item_raw, item_where, "items")
        _check_keys(item_raw, item_where, _ITEM_KEYS, ())
        items.append(
            Item(
                code=_text(item_raw, "code", item_where),
                text_th=_text(item_raw, "text_th", item_where),
                text_en=_text(item_raw, "text_en", item_where),
                section=code,
            )
        )
    return Section(
        code=code,
        name_th=_text(raw, "name_th", here),
        name_en=_text(raw, "name_en", here),
        items=tuple(items),
    )


def _duplicates(values: list[str]) -> list[str]:
    return sorted(value for value, count in Counter(values).items() if count > 1)


def _parse_instrument(code: str, raw: Any, scales: Mapping[str, Mapping[int, str]]) -> Instrument:
    where = f"instrument {code!r}"
    raw = _mapping(raw, where, code)
    misplaced = [key for key in _CATALOG_FIELDS if key in raw]
    if misplaced:
        raise _fail(
            where,
            misplaced[0],
            "belongs to the KPI, not the questionnaire: record the KPI's name_th, name_en, "
            "weight, scorecard item and rubric in the KPI catalog (catalog.yaml), whose entry "
            "names this instrument",
        )
    _check_keys(raw, where, _INSTRUMENT_REQUIRED, _INSTRUMENT_OPTIONAL)

    scale = _text(raw, "scale", where)
    if scale not in scales:
        raise _fail(
            where, "scale", f"names unknown scale {scale!r}; valid scales: {', '.join(scales)}"
        )

    sections_raw = _sequence(raw, "sections", where)
    if not sections_raw:
        raise _fail(where, "sections", "must list at least one section")
    sections = tuple(_parse_section(s, where, i) for i, s in enumerate(sections_raw))
    dup = _duplicates([s.code for s in sections])
    if dup:
        raise _fail(where, "sections", f"has duplicate section codes: {', '.join(dup)}")
    item_codes = [item.code for s in sections for item in s.items]
    dup = _duplicates(item_codes)
    if dup:
        raise _fail(where, "sections", f"has duplicate item codes: {', '.join(dup)}")

    profile = tuple(
        _parse_profile(p, where, i) for i, p in enumerate(_sequence(raw, "profile_fields", where))
    )
    free_text = _sequence(raw, "free_text_fields", where)
    if not all(isinstance(f, str) and f.strip() for f in free_text):
        raise _fail(where, "free_text_fields", f"must be a list of column names, got {free_text}")
    free_text_t = tuple(f.strip() for f in free_text)
    dup = _duplicates(item_codes + [p.column for p in profile] + list(free_text_t))
    if dup:
        raise _fail(
            where,
            "profile_fields",
            f"reuses column names across items, profile and free-text fields: {', '.join(dup)}",
        )

    source = _text(raw, "source", where)
    if source not in ("questionnaire", _DERIVED):
        raise _fail(where, "source", f"must be 'questionnaire' or {_DERIVED!r}, got {source!r}")
    groups = {}
    for key in ("respondent_groups_th", "respondent_groups_en"):
        values = _sequence(raw, key, where)
        if not all(isinstance(v, str) and v.strip() for v in values):
            raise _fail(where, key, f"must be a list of non-empty strings, got {values}")
        groups[key] = tuple(v.strip() for v in values)

    return Instrument(
        code=code,
        scale=scale,
        scale_labels=scales[scale],
        sections=sections,
        profile_fields=profile,
        free_text_fields=free_text_t,
        respondents_th=_text(raw, "respondents_th", where),
        respondents_en=_text(raw, "respondents_en", where, required=False),
        source=source,
        questionnaire_th=_text(raw, "questionnaire_th", where, required=False),
        respondent_groups_th=groups["respondent_groups_th"],
        respondent_groups_en=groups["respondent_groups_en"],
        note=_text(raw, "note", where, required=False),
    )


def _read_document(path: str | PathLike[str] | None) -> tuple[Any, str]:
    if path is None:
        resource = resources.files("kpianalysis").joinpath(_PACKAGE_FILE)
        return yaml.safe_load(resource.read_text(encoding="utf-8")), f"kpianalysis/{_PACKAGE_FILE}"
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"path: instruments file {source!r} does not exist") from None
    try:
        return yaml.safe_load(text), source
    except yaml.YAMLError as exc:
        raise ValueError(f"instruments file {source!r} is not valid YAML: {exc}") from exc


def _parse_document(document: Any, source: str) -> tuple[dict[str, Instrument], dict]:
    if not isinstance(document, Mapping):
        raise ValueError(
            f"instruments file {source!r} must be a mapping with keys 'scales' and "
            f"'instruments', got {type(document).__name__}"
        )
    for key in ("scales", "instruments"):
        if key not in document:
            raise ValueError(f"instruments file {source!r}: field {key!r} is missing")
    scales = _parse_scales(document["scales"])
    raw_instruments = _mapping(
        document["instruments"], f"instruments file {source!r}", "instruments"
    )
    if not raw_instruments:
        raise ValueError(f"instruments file {source!r}: field 'instruments' is empty")
    instruments = {
        str(code): _parse_instrument(str(code), raw, scales)
        for code, raw in raw_instruments.items()
    }
    logger.debug("loaded %d instruments from %s", len(instruments), source)
    return instruments, scales


@functools.lru_cache(maxsize=1)
def _packaged() -> tuple[dict[str, Instrument], dict[str, Mapping[int, str]]]:
    return _parse_document(*_read_document(None))


def load_instruments(path: str | PathLike[str] | None = None) -> dict[str, Instrument]:
    """Read and validate the satisfaction instruments.

    Parameters
    ----------
    path : str or path-like, optional
        A YAML file with top-level keys ``scales`` and ``instruments`` (the layout of the
        packaged file). By default the packaged ``kpianalysis/instruments.yaml`` is read.

    Returns
    -------
    dict of str to Instrument
        Instruments by code, in file order.

    Raises
    ------
    ValueError
        If the file is missing or not valid YAML, or an instrument has a missing or malformed
        field, an unknown scale, duplicate section, item or column codes, or a field that
        belongs to the KPI catalog (``table_item``, ``name_th``, ``name_en``, ``weight``,
        ``satisfaction_points``). The message names the instrument and the field.

    Examples
    --------
    >>> sorted(load_instruments())
    ['sat-bmaq', 'sat-it-support', 'sat-oss', 'sat-policy-tracking', 'sat-wifi']
    """
    if path is None:
        return dict(_packaged()[0])
    return _parse_document(*_read_document(path))[0]


def load_scales(path: str | PathLike[str] | None = None) -> dict[str, Mapping[int, str]]:
    """Return the answer scales: scale code to ``{level: Thai label}``, level 5 first.

    Parameters
    ----------
    path : str or path-like, optional
        As for :func:`load_instruments`.

    Examples
    --------
    >>> load_scales()["likert5"][5]
    'มากที่สุด'
    """
    if path is None:
        return dict(_packaged()[1])
    return _parse_document(*_read_document(path))[1]


def get_instrument(code: str, path: str | PathLike[str] | None = None) -> Instrument:
    """Return one instrument by code.

    Parameters
    ----------
    code : str
        Instrument code, e.g. ``"sat-oss"``.
    path : str or path-like, optional
        As for :func:`load_instruments`.

    Raises
    ------
    ValueError
        If ``code`` is unknown; the message lists the valid codes.
    """
    instruments = load_instruments(path)
    if code not in instruments:
        raise ValueError(
            f"code: unknown instrument {code!r}; valid instruments: {', '.join(instruments)}"
        )
    return instruments[code]
