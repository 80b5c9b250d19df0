"""Personal data (Thailand PDPA): detectors, bounded and withheld values, pseudonyms.

Agencies type what they like into label fields: a respondent's name in "position", a phone
number in "district", a national ID in a comment. This module is the package's one place for
recognising such values and keeping them out of messages and outputs:

* :func:`personal_kind` says whether a value looks like a Thai phone number (``0x-xxx-xxxx``,
  ``02 123 4567``, ``+66 8x …``), an e-mail address, a 13-digit Thai national ID (with or
  without dashes) or a person's name (an honorific such as นาย / นาง / นางสาว / Mr, or two or
  three words of letters only, as a name and surname are written);
* :func:`shown` is how a cell value appears in a message: withheld when it looks personal, cut
  with its length given when it is long, quoted otherwise; :func:`redact` masks phone numbers,
  e-mail addresses, IDs and honorific-led names inside a longer text (an error message);
* :func:`complementary_suppression` picks the cells of a table to hide so that no small
  cell can be recovered by subtracting the shown cells from the total;
* :func:`pseudonymise` replaces identifiers by a keyed hash (SipHash-2-4) whose key is drawn
  at random once per process (per build step) and never written anywhere, so a processed file
  can be joined within itself but not back to the raw file.

Nothing here imports the rest of the package (the validation module uses it).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "MAX_SHOWN",
    "complementary_suppression",
    "cut",
    "personal_kind",
    "personal_mask",
    "pseudonymise",
    "redact",
    "redact_series",
    "shown",
]

#: Longest cell value quoted in a message (characters); longer ones are cut and measured.
MAX_SHOWN = 60

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_SEP = r"[\s\-.]?"
# Thai numbers: mobile 0[689]x-xxx-xxxx (10 digits), landline 0x-xxx-xxxx (9 digits),
# international +66 followed by the number without its leading 0.
_PHONE = re.compile(
    r"(?<![\d+])(?:\+66" + _SEP + r"\(?0?\)?|0)" + _SEP
    + r"\d" + _SEP + r"\d?" + _SEP + r"\d{3}" + _SEP + r"\d{3,4}(?!\d)")
# 13-digit Thai ID, plain or written 1-2345-67890-12-3 (dashes or spaces).
_THAI_ID = re.compile(r"(?<!\d)\d[\s\-]?\d{4}[\s\-]?\d{5}[\s\-]?\d{2}[\s\-]?\d(?!\d)")
_EMAIL = re.compile(r"[\w.+\-]{1,64}@[\w\-]{1,63}(?:\.[\w\-]{1,63}){1,8}", re.UNICODE)
# A Thai honorific at the start of a word (not inside one), and not the first syllable of a
# common word: นายช่าง, นายก, นายทะเบียน, นายอำเภอ, นางเลิ้ง, คุณภาพ, คุณค่า, คุณสมบัติ …
_NOT_A_NAME = (r"(?!ช่าง|กรัฐ|กเทศ|กสมาคม|กฯ|ทะเบียน|อำเภอ|ตรวจ|เลิ้ง|พยาบาล|ภาพ|ค่า|สมบัติ|ธรรม|"
               r"ประโยชน์|ลักษณะ|วุฒิ|านุ)")
_TH_HONORIFIC = (r"(?<![\u0E00-\u0E7F])(?:นางสาว|นาง|นาย|น\.ส\.|ด\.ช\.|ด\.ญ\.|เด็กชาย|"
                 r"เด็กหญิง|คุณ|ดร\.)" + _NOT_A_NAME)
_EN_HONORIFIC = r"(?:Mr|Mrs|Ms|Miss|Dr)\.?"
# An honorific, then a word, then (after a space) a surname: นายสมชาย ใจดี, Mr John Smith.
_HONORIFIC_NAME = re.compile(
    r"(?:" + _TH_HONORIFIC + r"\s?[\u0E00-\u0E7F]{1,40}\s{1,3}[\u0E00-\u0E7F]{1,40}"
    r"|\b" + _EN_HONORIFIC + r"\s{1,3}[A-Z][A-Za-z'\-]{0,40}(?:\s{1,3}[A-Z][A-Za-z'\-]{0,40})?)")
# A whole value of two or three words of letters only: a name and surname without honorific.
#: Longest value :data:`_BARE_NAME` is tried on (a name and surname are short).
_BARE_NAME_MAX = 80
# Thai values that start like a position, unit or document title are not taken for names.
_TITLE_START = (r"(?!นัก|เจ้าพนักงาน|เจ้าหน้าที่|นายช่าง|ผู้|หัวหน้า|ฝ่าย|กอง|ส่วน|สำนัก|เขต|ศาลา|"
                r"ด้าน|ประเด็น|โครงการ|แผน|รายงาน|ระดับ|กลุ่ม|งาน|ศูนย์|คุณภาพ|หน่วย|ภาค|สถาบัน)")
_BARE_NAME = re.compile(r"^(?:[A-Z][a-z'\-]+(?:\s+[A-Z][a-z'\-]+){1,2}"
                        r"|" + _TITLE_START
                        + r"[\u0E00-\u0E7F]{2,}(?:\s+[\u0E00-\u0E7F]{2,}){1,2})$")

_KINDS = (("e-mail address", _EMAIL), ("Thai national ID", _THAI_ID),
          ("phone number", _PHONE), ("name", _HONORIFIC_NAME))

#: Per-process key of :func:`pseudonymise` (16 characters, as pandas' SipHash needs); drawn
#: at random on first import, held in memory only.
_KEY = secrets.token_urlsafe(12)[:16]


def _text(value: Any) -> str:
    return str(value).translate(_THAI_DIGITS)


def personal_kind(value: Any) -> str | None:
    """What personal data ``value`` looks like, or ``None``.

    Parameters
    ----------
    value : object
        A cell value (converted with ``str``; Thai digits read as digits).

    Returns
    -------
    str or None
        ``"e-mail address"``, ``"Thai national ID"``, ``"phone number"`` or ``"name"``.

    Examples
    --------
    >>> personal_kind("081-234-5678"), personal_kind("+66 81 234 5678")
    ('phone number', 'phone number')
    >>> personal_kind("1-1037-00123-45-6"), personal_kind("สำนักการโยธา")
    ('Thai national ID', None)
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = _text(value)
    for kind, pattern in _KINDS:
        if (kind != "e-mail address" or "@" in text) and pattern.search(text):
            return kind
    text = text.strip()
    if len(text) <= _BARE_NAME_MAX and _BARE_NAME.match(text):
        return "name"
    return None


def personal_mask(values: pd.Series) -> pd.Series:
    """Boolean mask of the entries of ``values`` that :func:`personal_kind` flags.

    The patterns run once per distinct text (a profile column of a few labels over thousands
    of forms costs a few regex calls), and the answer is spread back to every entry.
    """
    codes, distinct = pd.factorize(values.astype("string").fillna(""))
    if len(distinct) <= _FEW:  # a few labels: plain regex calls beat a dozen column operations
        mask = np.fromiter((_flagged(str(t).translate(_THAI_DIGITS)) for t in distinct),
                           dtype=bool, count=len(distinct))
    else:
        mask = _flagged_column(pd.Series(distinct, dtype="string").str.translate(_THAI_DIGITS))
    return pd.Series(mask[codes] if len(mask) else np.zeros(len(codes), dtype=bool),
                     index=values.index)


#: Up to this many distinct values, :func:`personal_mask` tests them one by one.
_FEW = 256


def _flagged(text: str) -> bool:
    """:func:`personal_mask`'s rule for one text (digits already Arabic)."""
    for kind, pattern in _KINDS:
        if (kind != "e-mail address" or "@" in text) and pattern.search(text):
            return True
    return len(text) <= _BARE_NAME_MAX + 10 and _BARE_NAME.match(text.strip()) is not None


def _flagged_column(text: pd.Series) -> np.ndarray:
    """:func:`personal_mask`'s rule over a text column (digits already Arabic)."""
    mask = np.zeros(len(text), dtype=bool)
    for kind, pattern in _KINDS:
        where = text.str.contains("@", regex=False) if kind == "e-mail address" else None
        found = (text if where is None else text.where(where, "")).str.contains(pattern)
        mask |= found.fillna(False).to_numpy(dtype=bool)
    short = text.str.strip().where(text.str.len() <= _BARE_NAME_MAX + 10, "")
    mask |= short.str.match(_BARE_NAME).fillna(False).to_numpy(dtype=bool)
    return mask


def cut(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` itself when short, else its first ``limit`` characters and its length."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def shown(value: Any, limit: int = MAX_SHOWN) -> str:
    """How a cell value appears in a message: quoted and bounded, or withheld.

    Examples
    --------
    >>> shown("สำนักงานเขตพระนคร")
    "'สำนักงานเขตพระนคร'"
    >>> shown("โทร 02 123 4567")
    '[a value withheld: it looks like a phone number]'
    >>> shown("x" * 100_000)[-20:]
    '(100,000 characters)'
    """
    if isinstance(value, np.generic):
        value = value.item()
    kind = personal_kind(value) if isinstance(value, str) else None
    if kind is not None:
        return f"[a value withheld: it looks like a {kind}]"
    text = repr(value)
    if len(text) <= limit + 2:
        return text
    return f"{text[:limit]}…' ({len(str(value)):,} characters)"


def redact(text: str) -> str:
    """``text`` with phone numbers, e-mail addresses, IDs and honorific-led names masked."""
    text = text.translate(_THAI_DIGITS) if any("๐" <= ch <= "๙" for ch in text) else text
    for kind, pattern in _KINDS:
        if kind != "e-mail address" or "@" in text:
            text = pattern.sub(f"[{kind} withheld]", text)
    return text


def pseudonymise(values: Iterable[Any] | pd.Series, *, prefix: str = "p") -> pd.Series:
    """Replace identifiers by a keyed hash (SipHash-2-4 with a per-process secret key).

    The same identifier gets the same pseudonym within one process (one build step), so a
    table can still be joined with itself; the key is random, held in memory only, so the
    pseudonym cannot be traced back to the raw file. Missing values stay missing.

    Parameters
    ----------
    values : Series or iterable
        The identifiers (any type; compared as text).
    prefix : str, default "p"
        Put before the 16 hexadecimal digits.

    Returns
    -------
    Series
        ``string`` dtype, same index as ``values`` when it is a Series.
    """
    s = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    text = s.astype("string")
    missing = text.isna().to_numpy()
    hashed = pd.util.hash_pandas_object(text.fillna(""), index=False, hash_key=_KEY,
                                        categorize=True).to_numpy(dtype=np.uint64)
    out = pd.Series(np.char.add(prefix, np.char.mod("%016x", hashed)), index=s.index,
                    dtype="string")
    return out.mask(missing)


def complementary_suppression(n: Any, min_group: int) -> tuple[np.ndarray, np.ndarray]:
    """Which cells of one table dimension to suppress so none can be recovered by subtraction.

    A cell with fewer than ``min_group`` respondents is suppressed (*primary*). When that
    leaves exactly one suppressed cell while others are shown, the total minus the shown cells
    would give it back, so the smallest shown cell is suppressed as well (*complementary*; on
    a tie, the first). With two or more suppressed cells the subtraction gives only their sum.

    Parameters
    ----------
    n : array-like of int
        Respondents per cell of one dimension (one table: rounds, modes, districts, groups).
    min_group : int
        The smallest cell shown.

    Returns
    -------
    primary, complementary : ndarray of bool
        Cells suppressed because they are small, and cells suppressed only to protect them.

    Examples
    --------
    >>> p, c = complementary_suppression([40, 3, 25, 60], 10)
    >>> p.tolist(), c.tolist()
    ([False, True, False, False], [False, False, True, False])
    """
    counts = np.asarray(n, dtype=float)
    primary = counts < min_group
    complementary = np.zeros_like(primary)
    if primary.sum() == 1 and (~primary).any():
        shown_counts = np.where(primary, np.inf, counts)
        complementary[int(np.argmin(shown_counts))] = True
    return primary, complementary


def redact_series(values: pd.Series) -> pd.Series:
    """:func:`redact` applied to every entry of a text column (vectorised per pattern).

    Entries with nothing to mask are returned unchanged (Thai digits kept); in the others the
    digits are read as ASCII digits so that a number written in Thai digits is masked too.
    """
    original = values.astype("string")
    text = original.str.translate(_THAI_DIGITS)
    for kind, pattern in _KINDS:
        text = text.str.replace(pattern, f"[{kind} withheld]", regex=True)
    changed = (text != original.str.translate(_THAI_DIGITS)).fillna(False).astype(bool)
    return original.where(~changed, text)
