"""The satisfaction-survey KPI analysis: from a validated file to A, its interval and the rubric.

This module glues the tested pieces together so that a notebook only calls and presents:
:func:`analyse_satisfaction` scores one round, :func:`compare_rounds` compares two rounds,
:func:`breakdown` gives A by a profile field with small groups suppressed, and
:func:`satisfaction_summary` is the machine-readable summary written next to each report.

The questionnaire (:class:`~kpianalysis.instruments.Instrument`) knows nothing of the KPI it is
scored for: the KPI's name, weight and rubric come from the catalog
(:func:`kpianalysis.load_catalog`), and :func:`satisfaction_points` turns a catalog KPI into the
points of its satisfaction part::

    >>> import kpianalysis as ka
    >>> from kpianalysis.satisfaction import satisfaction_points
    >>> kpi = ka.load_catalog()["sat-it-support"]
    >>> satisfaction_points(kpi)  # satisfaction is 5 of the KPI's 10 points
    5.0
    >>> # analysis = ka.analyse_satisfaction(data, weight=satisfaction_points(kpi))
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from ._results import ConfidenceInterval, Result, format_interval, format_value
from ._validation import check_confidence
from ._version import __version__
from .design import Estimate, SurveyDesign
from .inference import TableTest, chisq_test
from .likert import LikertResult, item_distribution, score_likert, section_means
from .privacy import complementary_suppression
from .proportion import ProportionCI, ProportionDifference, proportion_ci, proportion_difference_ci
from .readers import SurveyData
from .rubric import SatisfactionScore, score_satisfaction, score_satisfaction_counts

if TYPE_CHECKING:
    from .catalog import KPI

__all__ = [
    "SATISFACTION_TARGET",
    "SatisfactionAnalysis",
    "analyse_satisfaction",
    "breakdown",
    "breakdown_test",
    "compare_rounds",
    "satisfaction_points",
    "satisfaction_summary",
]

#: The target of every satisfaction KPI: A ≥ 80 % (level 5).
SATISFACTION_TARGET = 80.0

#: Rubric kind of the IT-support composite and the share of its points that satisfaction earns:
#: KPI_SPEC §B item 5 scores satisfaction 0–5 plus SLA compliance 0–5, out of 10.
_COMPOSITE_KIND = "it_support_composite"
_COMPOSITE_SATISFACTION_SHARE = 5 / 10


def satisfaction_points(kpi: KPI) -> float:
    """Points of a catalog KPI's satisfaction part at level 5.

    The catalog is the only record of a KPI's weight; this reads it and, for the IT-support
    composite, keeps the satisfaction part's share. Pass the result as ``weight`` to
    :func:`analyse_satisfaction`.

    Parameters
    ----------
    kpi : KPI
        A catalog entry (``kpianalysis.load_catalog()[code]``).

    Returns
    -------
    float
        ``kpi.weight`` for rubric kind ``satisfaction``; ``kpi.weight × 5 / 10`` for
        ``it_support_composite`` (KPI_SPEC §B item 5: satisfaction 0–5 + SLA 0–5 out of 10).

    Raises
    ------
    ValueError
        If the KPI's rubric kind is neither of these, or the KPI has no weight (it is not in a
        negotiated scorecard).

    Examples
    --------
    >>> from kpianalysis import load_catalog
    >>> catalog = load_catalog()
    >>> satisfaction_points(catalog["sat-bmaq"]), satisfaction_points(catalog["sat-it-support"])
    (20.0, 5.0)
    """
    kind = kpi.rubric_kind
    if kind not in ("satisfaction", _COMPOSITE_KIND):
        raise ValueError(
            f"KPI {kpi.code!r}: rubric kind {kind!r} has no satisfaction part; expected "
            f"'satisfaction' or {_COMPOSITE_KIND!r}"
        )
    if kpi.weight is None:
        raise ValueError(
            f"KPI {kpi.code!r} has no weight in the catalog, so its satisfaction part has no "
            "points; give the KPI a weight (a scorecard KPI) or pass weight= yourself"
        )
    weight = float(kpi.weight)
    return weight * _COMPOSITE_SATISFACTION_SHARE if kind == _COMPOSITE_KIND else weight


@dataclasses.dataclass(frozen=True)
class SatisfactionAnalysis(Result):
    """Everything the satisfaction report shows for one round.

    Attributes
    ----------
    kpi : str
        KPI / instrument code.
    round : int
        Survey round (1 = January, 2 = July).
    likert : LikertResult
        Respondent scores, B, C, A, bands.
    ci : ProportionCI
        Interval for B / C (proportion scale).
    score : SatisfactionScore
        Level and points (with the levels at the interval's bounds).
    items : DataFrame
        Item distribution with Thai item texts and section codes.
    sections : DataFrame
        Section (ด้าน) means with Thai names.
    design : Estimate or None
        The design-based estimate of B / C when the file carries design weights (then A, its
        interval and the rubric use it); ``None`` for an unweighted file.
    """

    kpi: str
    round: int
    likert: LikertResult
    ci: ProportionCI
    score: SatisfactionScore
    items: pd.DataFrame
    sections: pd.DataFrame
    design: Estimate | None = None

    @property
    def percent(self) -> float:
        """A in percent: design-based when the file has weights, else B × 100 / C."""
        if self.design is not None:
            return self.design.estimate * 100
        return self.likert.percent_high_or_above

    @property
    def interval(self) -> ConfidenceInterval:
        """The interval of A on the proportion scale (design-based when weighted)."""
        if self.design is not None:
            return self.design.ci
        return self.ci.ci

    @property
    def ci_percent(self) -> tuple[float, float]:
        """The interval bounds in percent."""
        return float(self.interval.low) * 100, float(self.interval.high) * 100

    @property
    def estimator(self) -> str:
        """How A and its interval were estimated, in words."""
        if self.design is not None:
            return f"design-based ({self.design.method})"
        return f"simple random sample, unweighted ({self.ci.method} interval)"

    def _summary_lines(self) -> list[str]:
        lk, s, iv = self.likert, self.score, self.interval
        kind = "design-based" if self.design is not None else "unweighted"
        lines = [
            f"SatisfactionAnalysis {self.kpi} round {self.round}: A = {self.percent:.2f} %",
            format_interval(iv.low, iv.high, iv.confidence, f"{iv.method}, {kind}", scale=100,
                            decimals=2, unit=" %"),
            f"B = {lk.n_high_or_above} high or above, C = {lk.n_scored} scored of "
            f"{lk.n_total} respondents",
        ]
        if self.design is not None:
            lines.append(f"unweighted A = {lk.percent_high_or_above:.2f} %; design effect "
                         f"{format_value(self.design.deff)}, effective n "
                         f"{format_value(self.design.n_eff)}")
        level = f"level {s.level}"
        if s.level_at_ci_low is not None and s.level_at_ci_high is not None:
            level += f" ({s.level_at_ci_low}–{s.level_at_ci_high} at the interval's bounds)"
        met = "met" if s.target_met else "not met"
        lines.append(f"{level}, points {format_value(s.points)} of "
                     f"{format_value(s.max_points)}; target {SATISFACTION_TARGET:g} % {met}")
        return lines


def analyse_satisfaction(
    data: SurveyData,
    *,
    ci_method: str = "wilson",
    confidence: float = 0.95,
    min_answered_share: float = 0.8,
    design_ci_method: str = "logit",
    missing_answers: str = "answered_mean",
    weight: float = 10.0,
) -> SatisfactionAnalysis:
    """Score one round of a satisfaction survey.

    Parameters
    ----------
    data : SurveyData
        A validated file (see :func:`kpianalysis.read_satisfaction_survey`) holding one round.
    ci_method : str, default "wilson"
        Interval method for A (see :func:`kpianalysis.proportion_ci`).
    confidence : float, default 0.95
        Confidence level.
    min_answered_share : float, default 0.8
        Missing-answer policy (see :func:`kpianalysis.score_likert`).
    design_ci_method : str, default "logit"
        Interval method when the file carries design weights (R's ``svyciprop`` default).
    missing_answers : {"answered_mean", "official"}, default "answered_mean"
        Missing-answer policy (KPI_SPEC §G.1, see :func:`kpianalysis.score_likert`).
    weight : float, default 10.0
        Points of the satisfaction part at level 5 (points = weight × success % / 100). The
        caller takes it from the KPI catalog: ``satisfaction_points(kpi)`` (the KPI's weight,
        or 5 of the IT-support composite's 10). The default 10 is the common weight of seed
        004 table ค and matches :func:`kpianalysis.rubric.score_satisfaction`'s default.

    Returns
    -------
    SatisfactionAnalysis

    Notes
    -----
    When the file has a ``weight`` column (and optionally ``stratum`` and ``psu``), A is the
    design-based proportion of respondents scoring ≥ 3.51 among those scored, estimated as a
    domain (the scored respondents) of the full design so its variance is the correct domain
    variance; the level and points are then taken from that estimate. B and C stay the
    unweighted counts.

    Raises
    ------
    ValueError
        The file holds more than one round, or no respondent could be scored.
    """
    if len(data.rounds) != 1:
        raise ValueError(f"{data.path}: expected one survey round per file, found {data.rounds}")
    instrument = data.instrument
    likert = score_likert(data.items, min_answered_share=min_answered_share,
                          policy=missing_answers)
    if likert.n_scored == 0:
        raise ValueError(f"{data.path}: no respondent answered enough items to be scored")
    ci = likert.ci(method=ci_method, confidence=confidence)
    design = None
    if data.has_design:
        design = _design_estimate(data, likert, confidence, design_ci_method)
        score = score_satisfaction(
            design.estimate * 100,
            weight=weight,
            ci_low=design.ci.low * 100,
            ci_high=design.ci.high * 100,
        )
    else:
        score = score_satisfaction_counts(
            likert.n_high_or_above,
            likert.n_scored,
            weight=weight,
            ci_low=float(ci.low) * 100,
            ci_high=float(ci.high) * 100,
        )
    scored = data.items[likert.respondents["scored"]]
    dist = item_distribution(scored, dict(instrument.scale_labels))
    texts = {i.code: i.text_th for i in instrument.items}
    dist.insert(0, "section", [instrument.section_of[c] for c in dist.index])
    dist.insert(1, "text_th", [texts[c] for c in dist.index])
    sections = section_means(scored, instrument.section_of)
    sections.insert(0, "name_th", [instrument.section(c).name_th for c in sections.index])
    return SatisfactionAnalysis(
        kpi=instrument.code,
        round=data.rounds[0],
        likert=likert,
        ci=ci,
        score=score,
        items=dist,
        sections=sections,
        design=design,
    )


def _design_estimate(data: SurveyData, likert: LikertResult, confidence: float,
                     ci_method: str) -> Estimate:
    frame = data.frame.assign(
        _high=likert.respondents["high_or_above"].to_numpy(),
        _scored=likert.respondents["scored"].to_numpy(),
    )
    design = _file_design(frame, confidence)
    return design.proportion("_high", by="_scored", ci_method=ci_method)[True]


def _file_design(frame: pd.DataFrame, confidence: float = 0.95) -> SurveyDesign:
    """The sampling design a satisfaction file declares: its ``weight`` column and, when
    present, ``stratum`` and ``psu``."""
    return SurveyDesign(
        frame,
        weights="weight",
        strata="stratum" if "stratum" in frame.columns else None,
        psu="psu" if "psu" in frame.columns else None,
        confidence=confidence,
    )


def compare_rounds(
    later: SatisfactionAnalysis, earlier: SatisfactionAnalysis, confidence: float = 0.95
) -> ProportionDifference:
    """Difference in A between two rounds (later − earlier) with its confidence interval.

    The rounds are treated as independent samples (different respondents each round). Unweighted
    rounds use Newcombe's hybrid score interval; when both rounds have design-based estimates
    the interval is ``d ± z · sqrt(se₁² + se₂²)`` on the design standard errors.
    """
    check_confidence(confidence)
    if later.design is not None and earlier.design is not None:
        d = later.design.estimate - earlier.design.estimate
        half = stats.norm.isf((1 - confidence) / 2) * math.hypot(later.design.se,
                                                                  earlier.design.se)
        return ProportionDifference(
            difference=float(d), low=float(d - half), high=float(d + half),
            p1=later.design.estimate, p2=earlier.design.estimate,
            method="design-based Wald (independent rounds)",
            confidence=confidence,
        )
    return proportion_difference_ci(
        later.likert.n_high_or_above, later.likert.n_scored,
        earlier.likert.n_high_or_above, earlier.likert.n_scored,
        confidence=confidence,
    )


def breakdown(
    data: SurveyData,
    analysis: SatisfactionAnalysis,
    column: str,
    *,
    min_group: int = 10,
    ci_method: str = "wilson",
) -> pd.DataFrame:
    """A by a profile field, with groups smaller than ``min_group`` suppressed.

    Parameters
    ----------
    data : SurveyData
        The file analysed.
    analysis : SatisfactionAnalysis
        Its analysis (respondent scores).
    column : str
        A profile column of the file (e.g. ``"position_level"``).
    min_group : int, default 10
        Groups with fewer scored respondents show no figures (personal-data protection and
        unstable estimates); blank answers form the group ``"(ไม่ระบุ)"``. Suppression is
        complementary (:func:`kpianalysis.privacy.complementary_suppression`): when only one
        group is small, the smallest other group is suppressed too, so the overall B and C
        minus the shown groups never give a small group's figures.
    ci_method : str
        Interval method.

    Returns
    -------
    DataFrame
        ``group``, ``n``, ``n_high_or_above``, ``percent``, ``ci_low``, ``ci_high`` (percent),
        ``suppressed``, ``complementary`` (suppressed only to protect a small group);
        suppressed rows carry missing values in every figure column.
    """
    if column not in data.frame.columns:
        raise ValueError(f"unknown column {column!r}; profile columns are: "
                         f"{', '.join(data.instrument.profile_columns)}")
    resp = analysis.likert.respondents
    scored = resp["scored"].to_numpy()
    groups = data.frame[column].astype("string").fillna("(ไม่ระบุ)")[scored]
    high = resp["high_or_above"][scored]
    table = (
        pd.DataFrame({"group": groups.to_numpy(), "high": high.to_numpy()})
        .groupby("group", sort=True)["high"].agg(n="size", n_high_or_above="sum")
        .reset_index()
    )
    small, complementary = complementary_suppression(table["n"].to_numpy(), min_group)
    table["suppressed"] = small | complementary
    table["complementary"] = complementary
    ok = ~table["suppressed"]
    table["percent"] = np.where(ok, table["n_high_or_above"] * 100 / table["n"], np.nan)
    ci = proportion_ci(table["n_high_or_above"].to_numpy(), table["n"].to_numpy(), ci_method,
                       confidence=analysis.ci.confidence)
    table["ci_low"] = np.where(ok, np.asarray(ci.low) * 100, np.nan)
    table["ci_high"] = np.where(ok, np.asarray(ci.high) * 100, np.nan)
    # Suppressed groups show no figures at all, not even their size.
    table["n"] = table["n"].astype("Int64").where(ok, pd.NA)
    table["n_high_or_above"] = table["n_high_or_above"].astype("Int64").where(ok, pd.NA)
    out = table.sort_values(["suppressed", "percent"], ascending=[True, False],
                            ignore_index=True)
    out.attrs["confidence"] = analysis.ci.confidence
    return out


def breakdown_test(
    data: SurveyData,
    analysis: SatisfactionAnalysis,
    column: str,
    table: pd.DataFrame,
    *,
    statistic: str = "F",
) -> TableTest | None:
    """Test that A differs across the groups a breakdown shows (R's ``svychisq``).

    A design-based test of independence of "scored at or above the satisfied band" and the
    group, among the scored respondents of the groups shown in ``table`` (suppressed groups
    are left out, so the statistic says nothing about them). With design weights the design is
    the file's (as A's estimate); without, respondents are an equal-weight sample and the
    Rao-Scott F is Pearson's X² with its degrees of freedom.

    Parameters
    ----------
    data : SurveyData
        The file analysed.
    analysis : SatisfactionAnalysis
        Its analysis.
    column : str
        The profile column of the breakdown.
    table : DataFrame
        The breakdown shown (:func:`breakdown`): its unsuppressed groups are tested.
    statistic : {"F", "Chisq", "Wald", "adjWald"}, default "F"
        See :func:`kpianalysis.inference.chisq_test`.

    Returns
    -------
    TableTest or None
        ``None`` when fewer than two groups are shown.
    """
    shown = set(table.loc[~table["suppressed"].astype(bool), "group"])
    if len(shown) < 2:
        return None
    resp = analysis.likert.respondents
    frame = data.frame.assign(
        _high=resp["high_or_above"].to_numpy(dtype=bool),
        _group=data.frame[column].astype("string").fillna("(ไม่ระบุ)").to_numpy(dtype=object))
    within = resp["scored"].to_numpy(dtype=bool) & frame["_group"].isin(shown).to_numpy()
    design = _file_design(frame) if data.has_design else SurveyDesign(frame)
    return chisq_test(design, "_high", "_group", statistic=statistic,  # type: ignore[arg-type]
                      within=within)


def satisfaction_summary(
    data: SurveyData,
    analysis: SatisfactionAnalysis,
    previous: SatisfactionAnalysis | None = None,
    *,
    kpi: KPI | None = None,
) -> dict:
    """The machine-readable summary written as ``<output>/<kpi>.json``.

    Percentages (``percent_high_or_above``, ``ci_low``, ``ci_high``) are on the 0–100 scale.
    ``max_points`` is the points this survey can earn (the ``weight`` given to
    :func:`analyse_satisfaction`).

    Parameters
    ----------
    data : SurveyData
        The file analysed.
    analysis : SatisfactionAnalysis
        Its analysis.
    previous : SatisfactionAnalysis, optional
        The earlier round, for the ``previous_round`` comparison.
    kpi : KPI, optional
        The catalog entry the survey is scored for; ``name_th`` and ``weight`` (the KPI's
        weight in the agency scorecard, which differs from ``max_points`` for IT support, whose
        other 5 points come from SLA compliance) are taken from it. Without it both are
        ``None``: the questionnaire does not know its KPI.
    """
    lo, hi = analysis.ci_percent
    s = analysis.score
    out = {
        "kpi": analysis.kpi,
        "name_th": kpi.name_th if kpi is not None else None,
        "round": analysis.round,
        "n_respondents": analysis.likert.n_total,
        "n_scored": analysis.likert.n_scored,
        "n_excluded": analysis.likert.n_excluded,
        "exclusions": analysis.likert.exclusions,
        "n_high_or_above": analysis.likert.n_high_or_above,
        "percent_high_or_above": analysis.percent,
        "ci_low": lo,
        "ci_high": hi,
        "ci_method": analysis.interval.method,
        "confidence": analysis.ci.confidence,
        "estimator": analysis.estimator,
        "percent_unweighted": analysis.likert.percent_high_or_above,
        "design_effect": analysis.design.deff if analysis.design is not None else None,
        "effective_n": analysis.design.n_eff if analysis.design is not None else None,
        "target": SATISFACTION_TARGET,
        "target_met": bool(s.target_met),
        "level": s.level,
        "level_at_ci_low": s.level_at_ci_low,
        "level_at_ci_high": s.level_at_ci_high,
        "points": s.points,
        "max_points": s.max_points,
        "weight": kpi.weight if kpi is not None else None,
        "mean_score": analysis.likert.mean_score,
        "input_path": data.path,
        "input_sha256": data.sha256,
        "package_version": __version__,
    }
    if previous is not None:
        diff = compare_rounds(analysis, previous, confidence=analysis.ci.confidence)
        out["previous_round"] = {
            "round": previous.round,
            "percent_high_or_above": previous.percent,
            "difference": diff.difference * 100,
            "difference_ci_low": diff.low * 100,
            "difference_ci_high": diff.high * 100,
            "difference_method": diff.method,
        }
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in out.items()}
