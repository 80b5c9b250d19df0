"""Likert scoring exactly as the BMA satisfaction KPI sheets define it (KPI_SPEC section B).

1. Items are scored มากที่สุด 5, มาก 4, ปานกลาง 3, น้อย 2, น้อยที่สุด 1 (numbers or Thai labels).
2. A respondent's score is the mean of the items they answered.
3. Bands of a mean: 4.51–5.00 มากที่สุด; 3.51–4.50 มาก; 2.51–3.50 ปานกลาง; 1.51–2.50 น้อย;
   1.00–1.50 น้อยที่สุด.
4. A = B × 100 / C, B = respondents scoring ≥ 3.51 ("high or above"), C = respondents scored.

Exactness
---------
Threshold comparisons never use floating point: a respondent with item sum ``s`` over ``k``
answered items has mean ≥ 3.51 exactly when ``100 · s ≥ 351 · k`` (integers). A mean of exactly
3.51 (e.g. 351 / 100) or 4.50 is therefore classified by the published table, not by rounding
error. The published bands leave gaps (4.50–4.51); a mean inside a gap, possible only with more
than 100 items, belongs to the lower band because the rule of step 4 is "≥ 3.51".

Missing answers (the policy)
----------------------------
A respondent is scored when they answered at least ``min_answered_share`` of the items
(default 0.8, i.e. 5 of 6 items, 8 of 9); their score is the mean of the answered items, as the
seed's formula divides by the number of item answers. Respondents with no answer at all are
excluded as ``"no_answers"``, the others below the share as ``"too_few_answers"``. Excluded
respondents are counted in every summary and never silently dropped; C counts scored ones.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ._results import Result, format_value
from ._validation import DataValidationError, check_in_range, describe_values
from .proportion import ProportionCI, proportion_ci

__all__ = [
    "BANDS",
    "LIKERT_LABELS_TH",
    "Band",
    "LikertResult",
    "band_of_mean",
    "item_distribution",
    "parse_likert",
    "score_likert",
    "section_means",
]

#: Thai labels of the five-point scale, as in the seeds' questionnaires.
LIKERT_LABELS_TH: dict[str, int] = {
    "มากที่สุด": 5,
    "มาก": 4,
    "ปานกลาง": 3,
    "น้อย": 2,
    "น้อยที่สุด": 1,
}

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


@dataclasses.dataclass(frozen=True)
class Band:
    """One band of the mean-score table: ``lower_hundredths / 100`` is its published lower bound."""

    code: int
    label_th: str
    label_en: str
    lower_hundredths: int

    @property
    def lower(self) -> float:
        """The published lower bound (e.g. 3.51)."""
        return self.lower_hundredths / 100


#: The five bands, highest first (seed 004, "เกณฑ์การแบ่งช่วงคะแนนระดับความพึงพอใจ").
BANDS: tuple[Band, ...] = (
    Band(5, "มากที่สุด", "highest", 451),
    Band(4, "มาก", "high", 351),
    Band(3, "ปานกลาง", "moderate", 251),
    Band(2, "น้อย", "low", 151),
    Band(1, "น้อยที่สุด", "lowest", 100),
)
_HIGH_HUNDREDTHS = 351


def parse_likert(
    frame: pd.DataFrame,
    items: Sequence[str],
    labels: Mapping[str, int] | None = None,
    *,
    source: str | None = None,
) -> pd.DataFrame:
    """Convert item answers (numbers 1–5 or Thai labels) to nullable integer codes.

    Parameters
    ----------
    frame : DataFrame
        Raw answers, one row per respondent. Blank cells and NaN are missing answers.
    items : sequence of str
        The item columns to parse; each must be present.
    labels : mapping of str to int, optional
        Text labels accepted besides the digits 1–5 (ASCII or Thai digits, ``"4"`` or ``"4.0"``).
        Defaults to :data:`LIKERT_LABELS_TH`.
    source : str, optional
        File name used in error messages.

    Returns
    -------
    DataFrame
        The item columns as ``Int8`` (``<NA>`` for missing answers), same index as ``frame``.

    Raises
    ------
    DataValidationError
        A column is missing, or a value is neither 1–5 nor a known label; the message names the
        file, the column, the data rows (1 = first row after the header) and the values found.
    """
    labels = dict(LIKERT_LABELS_TH if labels is None else labels)
    missing = [c for c in items if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"missing item column(s) {', '.join(map(repr, missing))}; expected items: "
            f"{', '.join(items)}",
            source=source,
        )
    lookup = {str(k).strip(): int(v) for k, v in labels.items()}
    for d in range(1, 6):
        lookup.setdefault(str(d), d)
        lookup.setdefault(f"{d}.0", d)
    allowed = ", ".join([*(str(d) for d in range(1, 6)), *labels])
    out = {}
    row_numbers = np.arange(1, len(frame) + 1)
    for col in items:
        raw = frame[col]
        text = raw.astype("string").str.strip().str.translate(_THAI_DIGITS)
        is_missing = raw.isna().to_numpy() | (text.fillna("") == "").to_numpy()
        codes = text.map(lookup, na_action="ignore")
        bad = ~is_missing & codes.isna().to_numpy()
        if bad.any():
            raise DataValidationError(
                f"invalid answer(s) {describe_values(raw[bad].tolist())}; expected a score "
                f"1–5 or one of the labels ({allowed}) or blank",
                source=source,
                column=col,
                rows=row_numbers[bad].tolist(),
            )
        out[col] = pd.array(codes.where(~is_missing), dtype="Int8")
    return pd.DataFrame(out, index=frame.index)


def band_of_mean(score_sum: np.ndarray, n_answered: np.ndarray) -> np.ndarray:
    """Band code (5 = มากที่สุด … 1 = น้อยที่สุด, 0 = not scored) from exact integer sums.

    Parameters
    ----------
    score_sum, n_answered : array_like of int
        Sum of item scores and number of answered items per respondent.

    Returns
    -------
    ndarray of int8
    """
    s = np.asarray(score_sum, dtype=np.int64) * 100
    k = np.asarray(n_answered, dtype=np.int64)
    conds = [(k > 0) & (s >= b.lower_hundredths * k) for b in BANDS]
    return np.select(conds, [b.code for b in BANDS], default=0).astype(np.int8)


@dataclasses.dataclass(frozen=True)
class LikertResult(Result):
    """Respondent scores and the KPI's A = B × 100 / C.

    Attributes
    ----------
    respondents : DataFrame
        One row per respondent (same index as the input): ``n_answered``, ``score_sum``,
        ``score_mean``, ``band`` (1–5, 0 when excluded), ``band_th``, ``high_or_above``,
        ``scored``, ``exclusion_reason`` (``""`` when scored).
    n_total : int
        Respondents in the file.
    n_scored : int
        C: respondents scored under the missing-answer policy.
    n_excluded : int
        ``n_total − n_scored``.
    exclusions : dict
        Excluded respondents by reason.
    n_high_or_above : int
        B: scored respondents with mean ≥ 3.51.
    percent_high_or_above : float
        A = B × 100 / C (NaN when C = 0).
    band_counts : DataFrame
        Respondents per band with percentages of C.
    mean_score : float
        Mean of the respondents' scores.
    min_answered_share : float
        The minimum share answered (``answered_mean`` policy).
    policy : str
        The missing-answer policy applied (``answered_mean`` or ``official``, §G.1).
    """

    respondents: pd.DataFrame
    n_total: int
    n_scored: int
    n_excluded: int
    exclusions: dict[str, int]
    n_high_or_above: int
    percent_high_or_above: float
    band_counts: pd.DataFrame
    mean_score: float
    min_answered_share: float
    policy: str = "answered_mean"

    def ci(self, method: str = "wilson", confidence: float = 0.95) -> ProportionCI:
        """Confidence interval of B / C (as a proportion, not a percent)."""
        if self.n_scored == 0:
            raise ValueError("no respondent was scored: the proportion is undefined")
        return proportion_ci(self.n_high_or_above, self.n_scored, method=method,
                             confidence=confidence)

    def to_dict(self) -> dict:
        """Summary as JSON-ready data (the per-respondent table is left out)."""
        d = super().to_dict()
        d.pop("respondents")
        return d

    def _summary_lines(self) -> list[str]:
        excl = ", ".join(f"{k} {v}" for k, v in self.exclusions.items())
        bands = " · ".join(f"{r.band_th} {r.n}" for r in self.band_counts.itertuples())
        share = (f" (min answered share {format_value(self.min_answered_share)})"
                 if self.policy == "answered_mean" else "")
        return [
            f"LikertResult: A = {self.percent_high_or_above:.2f} % "
            f"(B = {self.n_high_or_above} of C = {self.n_scored} scored ≥ 3.51)",
            f"respondents {self.n_total}: scored {self.n_scored}, excluded {self.n_excluded}"
            + (f" ({excl})" if excl else ""),
            f"mean score {format_value(self.mean_score, 3)}; policy {self.policy}{share}",
            f"bands: {bands}",
        ]


#: Missing-answer policies of :func:`score_likert` (KPI_SPEC §G.1).
MISSING_ANSWER_POLICIES = ("answered_mean", "official")


def _answered_and_sums(items: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Items answered and the sum of item codes per respondent, in integer arithmetic.

    Item columns are accumulated one at a time (a loop over the handful of items, never over
    respondents) straight from each column's values and missing mask, without building a
    float matrix: this keeps scoring within a small factor of a plain numpy version.
    """
    n = len(items)
    k = np.zeros(n, dtype=np.int64)
    s = np.zeros(n, dtype=np.int64)
    for c in items.columns:
        col = items[c]
        missing = col.isna().to_numpy()
        if isinstance(col.dtype, pd.api.extensions.ExtensionDtype) or col.dtype.kind in "iu":
            values = col.to_numpy(dtype=np.float64, na_value=0.0)
        else:
            values = np.nan_to_num(col.to_numpy(dtype=np.float64), nan=0.0)
        answered = ~missing
        bad = answered & ((values < 1) | (values > 5) | (values != np.floor(values)))
        if bad.any():
            raise ValueError("item codes must be integers 1–5; parse raw answers with "
                             "parse_likert")
        k += answered
        s += values.astype(np.int64)  # 0 where missing
    return k, s


def score_likert(items: pd.DataFrame, *, min_answered_share: float = 0.8,
                 policy: str = "answered_mean") -> LikertResult:
    """Score respondents and compute A = B × 100 / C.

    Parameters
    ----------
    items : DataFrame
        Parsed item codes (see :func:`parse_likert`): integers 1–5 or missing.
    min_answered_share : float, default 0.8
        With ``policy="answered_mean"``: a respondent is scored when they answered at least
        ``ceil(share × items)`` items. Ignored by the official policy.
    policy : {"answered_mean", "official"}, default "answered_mean"
        ``"official"`` is the seeds' literal reading (004:422, KPI_SPEC §G.1): the score is
        the sum of the item scores divided by the *number of questions*, an unanswered item
        adding 0, and every form with at least one answer is in C. ``"answered_mean"``
        divides by the number of items answered and scores a form only when enough items
        were answered. Forms with no answer at all are excluded (and counted) under both.

    Returns
    -------
    LikertResult

    Examples
    --------
    A respondent answering 5, 4, 3, 2, 4 has mean 18 / 5 = 3.6 ≥ 3.51, so is "high or above":

    >>> import pandas as pd
    >>> r = score_likert(pd.DataFrame({"a": [5, 3], "b": [4, 3], "c": [3, 4], "d": [2, 3],
    ...                                "e": [4, 4]}))
    >>> r.n_high_or_above, r.n_scored, r.percent_high_or_above
    (1, 2, 50.0)
    """
    share = float(check_in_range("min_answered_share", min_answered_share, 0.0, 1.0,
                                 low_inclusive=False))
    if policy not in MISSING_ANSWER_POLICIES:
        raise ValueError(f"policy must be one of {', '.join(MISSING_ANSWER_POLICIES)}; "
                         f"got {policy!r}")
    if items.shape[1] == 0:
        raise ValueError("items has no columns")
    k, s = _answered_and_sums(items)
    if policy == "official":
        min_items = 1
        # the divisor is the number of questions, whatever was answered
        divisor = np.full_like(k, items.shape[1])
    else:
        min_items = max(1, math.ceil(share * items.shape[1] - 1e-9))
        divisor = k
    scored = k >= min_items
    reason_code = np.where(k == 0, 1, np.where(scored, 0, 2)).astype(np.int8)
    reason = pd.Categorical.from_codes(reason_code, ["", "no_answers", "too_few_answers"])
    band = np.where(scored, band_of_mean(s, divisor), 0).astype(np.int8)
    high = scored & (s * 100 >= _HIGH_HUNDREDTHS * divisor)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(k > 0, s / np.maximum(divisor, 1), np.nan)
    # band codes 0..5 index the labels directly ("" for not scored)
    band_labels = ["", *(b.label_th for b in sorted(BANDS, key=lambda b: b.code))]
    respondents = pd.DataFrame(
        {
            "n_answered": k,
            "score_sum": s,
            "score_mean": mean,
            "band": band,
            "band_th": pd.Categorical.from_codes(band, band_labels),
            "high_or_above": high,
            "scored": scored,
            "exclusion_reason": reason,
        },
        index=items.index,
    )
    n_scored = int(scored.sum())
    n_high = int(high.sum())
    per_code = np.bincount(band, minlength=6)
    counts = np.array([int(per_code[b.code]) for b in BANDS])
    band_counts = pd.DataFrame(
        {
            "band": [b.code for b in BANDS],
            "band_th": [b.label_th for b in BANDS],
            "band_en": [b.label_en for b in BANDS],
            "range": [f"{b.lower:.2f}–{(BANDS[i - 1].lower - 0.01) if i else 5.0:.2f}"
                      for i, b in enumerate(BANDS)],
            "n": counts,
            "percent": counts * 100 / n_scored if n_scored else np.full(len(BANDS), np.nan),
        }
    )
    per_reason = np.bincount(reason_code, minlength=3)
    exclusions = {"no_answers": int(per_reason[1]), "too_few_answers": int(per_reason[2])}
    return LikertResult(
        respondents=respondents,
        n_total=len(items),
        n_scored=n_scored,
        n_excluded=len(items) - n_scored,
        exclusions=exclusions,
        n_high_or_above=n_high,
        percent_high_or_above=n_high * 100 / n_scored if n_scored else math.nan,
        band_counts=band_counts,
        mean_score=float(np.mean(mean[scored])) if n_scored else math.nan,
        min_answered_share=share,
        policy=policy,
    )


def item_distribution(
    items: pd.DataFrame, labels: Mapping[int, str] | None = None
) -> pd.DataFrame:
    """Answer distribution, mean and SD of each item.

    Parameters
    ----------
    items : DataFrame
        Parsed item codes (1–5 or missing), one column per item.
    labels : mapping of int to str, optional
        Column labels for the levels (default the Thai labels, 5 = มากที่สุด).

    Returns
    -------
    DataFrame
        Index = item; columns: count per level (5 … 1), ``n`` answered, ``n_missing``,
        percent per level (``pct_5`` … ``pct_1``), ``mean`` and sample ``sd`` (ddof = 1),
        and ``band_th`` of the item mean (same table as respondent scores).
    """
    if labels is None:
        labels = {v: k for k, v in LIKERT_LABELS_TH.items()}
    values = items.astype("Int16")
    levels = [5, 4, 3, 2, 1]
    counts = pd.DataFrame(
        {lvl: values.eq(lvl).sum(axis=0).astype(int) for lvl in levels}, index=items.columns
    )
    n = counts.sum(axis=1)
    out = counts.rename(columns={lvl: labels[lvl] for lvl in levels})
    out.insert(len(levels), "n", n)
    out.insert(len(levels) + 1, "n_missing", len(items) - n)
    for lvl in levels:
        out[f"pct_{lvl}"] = np.where(n > 0, counts[lvl] * 100 / n.where(n > 0, 1), np.nan)
    numeric = values.astype("Float64")
    out["mean"] = numeric.mean(axis=0).astype(float)
    out["sd"] = numeric.std(axis=0, ddof=1).astype(float)
    sums = (counts.mul(levels, axis=1)).sum(axis=1).to_numpy()
    codes = band_of_mean(sums, n.to_numpy())
    out["band_th"] = [{b.code: b.label_th for b in BANDS}.get(int(c), "") for c in codes]
    out.index.name = "item"
    return out


def section_means(items: pd.DataFrame, section_of: Mapping[str, str]) -> pd.DataFrame:
    """Mean and SD per section (ด้าน): each respondent's mean over the section's answered items.

    Parameters
    ----------
    items : DataFrame
        Parsed item codes.
    section_of : mapping of str to str
        Item column → section code; every item column must be mapped.

    Returns
    -------
    DataFrame
        Index = section (in first-appearance order); columns ``n_items``, ``n`` (respondents
        with at least one answer in the section), ``mean``, ``sd`` (ddof = 1), ``band_th``.
    """
    unmapped = [c for c in items.columns if c not in section_of]
    if unmapped:
        raise ValueError(f"section_of has no section for item(s): {', '.join(unmapped)}")
    values = items.astype("Float64")
    sections = list(dict.fromkeys(section_of[c] for c in items.columns))
    rows = []
    for sec in sections:  # loop over sections (a handful), vectorised over respondents
        cols = [c for c in items.columns if section_of[c] == sec]
        sub = values[cols]
        k = sub.notna().sum(axis=1)
        s = sub.sum(axis=1, skipna=True)
        resp_mean = (s / k.where(k > 0)).astype(float)
        rows.append(
            {
                "section": sec,
                "n_items": len(cols),
                "n": int((k > 0).sum()),
                "mean": float(resp_mean.mean()),
                "sd": float(resp_mean.std(ddof=1)),
            }
        )
    out = pd.DataFrame(rows).set_index("section")
    # Band of the section mean: compare in hundredths, after rounding the mean to 2 decimals as
    # the published table is written to two decimals.
    hundredths = np.round(out["mean"].to_numpy() * 100)
    out["band_th"] = [
        next((b.label_th for b in BANDS if h >= b.lower_hundredths), "") if np.isfinite(h) else ""
        for h in hundredths
    ]
    return out
