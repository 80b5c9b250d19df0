"""Label fields: the values they may hold, and the check every reader runs on them.

A label field (district office, service site, agency, position level, collection mode …) is
printed in reports and kept in processed files, so it may only hold a value from the catalog or
a reference list: whatever else an agency typed there — a respondent's name, a phone number —
is refused with its file, row and column, and echoed only when it does not look like personal
data (:func:`kpianalysis.privacy.personal_kind`). A field with no closed list (a position
title, a stratum code) is still refused when a value looks like personal data.

Reference lists:

* :data:`DISTRICT_OFFICES` — the 50 ``สำนักงานเขต…`` of :data:`kpianalysis.bangkok.DISTRICTS`;
* :data:`CITY_HALL_SITES` — City Hall 1 (Sao Chingcha) and City Hall 2 (Din Daeng), as the
  installation and survey files write them;
* :func:`known_agencies` — the agencies of ``catalog.yaml``, the BMA departments and offices
  of :data:`BMA_DEPARTMENTS`, and the district offices;
* :func:`known_sites` — district offices and City Hall sites.
"""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Collection

import numpy as np
import pandas as pd
import yaml

from ._validation import DataValidationError, describe_values
from .bangkok import DISTRICTS
from .privacy import personal_kind, personal_mask

__all__ = [
    "BMA_DEPARTMENTS",
    "CITY_HALL_SITES",
    "DISTRICT_OFFICES",
    "PROFILE_LISTS",
    "check_labels",
    "check_no_personal_data",
    "known_agencies",
    "known_sites",
]

#: The 50 district offices (สำนักงานเขต + the district's name as bangkok.DISTRICTS prints it).
DISTRICT_OFFICES: tuple[str, ...] = tuple(f"สำนักงานเขต{name}" for name in DISTRICTS.values())

#: City Hall sites, as the seed-004 installation list and the survey files name them.
CITY_HALL_SITES: tuple[str, ...] = (
    "ศาลาว่าการกรุงเทพมหานคร (เสาชิงช้า)",
    "ศาลาว่าการกรุงเทพมหานคร 1 (เสาชิงช้า)",
    "ศาลาว่าการกรุงเทพมหานคร 2 (ดินแดง)",
)

#: BMA departments (สำนัก) and offices (สำนักงาน) of the City Hall administration.
BMA_DEPARTMENTS: tuple[str, ...] = (
    "สำนักปลัดกรุงเทพมหานคร", "สำนักงานเลขานุการผู้ว่าราชการกรุงเทพมหานคร",
    "สำนักงานเลขานุการสภากรุงเทพมหานคร", "สำนักงานคณะกรรมการข้าราชการกรุงเทพมหานคร",
    "สำนักงานการเจ้าหน้าที่", "สำนักงานกฎหมายและคดี", "สำนักงานตรวจสอบภายใน",
    "สำนักงานการต่างประเทศ", "สำนักงานการตรวจเงินกรุงเทพมหานคร", "สำนักงานประชาสัมพันธ์",
    "สำนักงานปกครองและทะเบียน", "สำนักยุทธศาสตร์และประเมินผล", "สำนักการคลัง",
    "สำนักการแพทย์", "สำนักอนามัย", "สำนักการศึกษา", "สำนักการโยธา", "สำนักการระบายน้ำ",
    "สำนักสิ่งแวดล้อม", "สำนักเทศกิจ", "สำนักการจราจรและขนส่ง", "สำนักพัฒนาสังคม",
    "สำนักวัฒนธรรม กีฬา และการท่องเที่ยว", "สำนักป้องกันและบรรเทาสาธารณภัย",
    "สำนักการวางผังและพัฒนาเมือง",
)


@functools.cache
def _catalog_agencies() -> tuple[str, ...]:
    text = (importlib.resources.files("kpianalysis") / "catalog.yaml").read_text("utf-8")
    return tuple(str(name) for name in (yaml.safe_load(text).get("agencies") or {}))


def known_agencies() -> frozenset[str]:
    """Agency names a label field may hold: catalog agencies, BMA departments, district offices."""
    return frozenset((*_catalog_agencies(), *BMA_DEPARTMENTS, *DISTRICT_OFFICES))


def known_sites() -> frozenset[str]:
    """Service sites a label field may hold: the district offices and the City Hall sites."""
    return frozenset((*DISTRICT_OFFICES, *CITY_HALL_SITES))


#: Profile columns of the survey instruments whose values come from a reference list (a
#: column with ``values`` in ``instruments.yaml`` is checked against those instead).
PROFILE_LISTS = {
    "agency": ("agencies", known_agencies),
    "district": ("district offices", lambda: frozenset(DISTRICT_OFFICES)),
    "site": ("service sites", known_sites),
}


def _rows(mask: np.ndarray) -> list[int]:
    return (np.flatnonzero(mask) + 1).tolist()


def _withheld(values: pd.Series) -> str:
    kinds = sorted({k for k in map(personal_kind, values) if k})
    n = len(values)
    return (f"{n} value{'s' if n != 1 else ''} not shown because "
            f"{'they look' if n != 1 else 'it looks'} like personal data ({', '.join(kinds)})")


def check_labels(values: pd.Series, allowed: Collection[str], *, source: str | None,
                 column: str, what: str, allow_blank: bool = True) -> None:
    """Refuse any value of a label column that is not in ``allowed``.

    Parameters
    ----------
    values : Series
        The column as text, stripped (row ``i`` of the series is data row ``i + 1``).
    allowed : collection of str
        The values the column may hold.
    source : str or None
        The file, for the message.
    column : str
        The column, for the message.
    what : str
        What the values are (``"district offices"``), for the message.
    allow_blank : bool, default True
        Whether a blank cell (no answer) is accepted.

    Raises
    ------
    DataValidationError
        Naming the file, column and rows; values that look like a name, phone number, e-mail
        address or national ID are counted, never shown; others are shown bounded.
    """
    text = values.astype("string").fillna("").reset_index(drop=True)
    blank = (text == "").to_numpy()
    known = text.isin(list(allowed)).to_numpy()
    bad = ~known & ~(blank & allow_blank)
    if not bad.any():
        return
    wrong = text[bad]
    personal = personal_mask(wrong).to_numpy()
    parts = []
    if (~personal).any():
        parts.append(describe_values(wrong[~personal]))
    if personal.any():
        parts.append(_withheld(wrong[personal]))
    listed = list(allowed) if not isinstance(allowed, (set, frozenset)) else sorted(allowed)
    if len(listed) <= 12:
        expected = f"one of {', '.join(listed)}"
    else:
        expected = (f"a value from the catalog or the reference list (e.g. "
                    f"{', '.join(listed[:3])}, …)")
    raise DataValidationError(
        f"not one of the {len(listed)} known {what}: {'; '.join(parts)}; expected {expected}"
        f"{'' if allow_blank else ', never blank'}",
        source=source, column=column, rows=_rows(bad))


def check_no_personal_data(values: pd.Series, *, source: str | None, column: str) -> None:
    """Refuse any value of a label column without a closed list that looks like personal data.

    Raises
    ------
    DataValidationError
        Naming the file, column and rows; the values themselves are never shown.
    """
    text = values.astype("string").fillna("").reset_index(drop=True)
    bad = personal_mask(text).to_numpy()
    if bad.any():
        raise DataValidationError(
            f"{_withheld(text[bad])}; this label field holds no personal data — write the "
            f"category (a position title, a code), not a person's name or contact",
            source=source, column=column, rows=_rows(bad))
