"""Estimation for the awareness KR: the target test, the field and mode designs (raked within
rounds), the breakdowns and the sample-size review (the estimator is explained in the
:mod:`kpianalysis.awareness` package docstring).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._results import Result, confidence_label, format_interval, format_value
from .._validation import DataValidationError, check_confidence, check_probability
from ..bangkok import DISTRICTS
from ..design import Estimate, SurveyDesign
from ..inference import chisq_test
from ..privacy import complementary_suppression
from ..rubric import score_percent_target
from ..sample_size import (
    cochran,
    krejcie_morgan,
    margin_of_error,
    n_one_sided_proportion_test,
    yamane,
)
from ..weighting import kish_deff
from ._read import AwarenessData
from ._schema import (
    AWARENESS_TARGET,
    CHANNELS,
    DEFAULT_RAKE_VARIABLES,
    DIMENSIONS,
    MODES,
    OFFLINE_CHANNELS,
    ONLINE_CHANNELS,
)

__all__ = [
    "AwarenessAnalysis",
    "SampleSizeReview",
    "TargetTest",
    "analyse_awareness",
    "target_test",
]


# --------------------------------------------------------------------------------------------
# Target test
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TargetTest(Result):
    """One-sided test of ``H0: p ≥ target`` against ``H1: p < target``, and ``P(p ≥ target)``.

    Attributes
    ----------
    target : float
        The target proportion (0.80).
    estimate, se : float
        The estimate and its (design-based) standard error.
    df : float
        Degrees of freedom of the reference t distribution (``inf``: normal).
    statistic : float
        ``(estimate − target) / se``.
    p_value : float
        One-sided p-value ``F_t(statistic)``; small values are evidence that the target is
        *not* met.
    reject : bool
        ``p_value < alpha``: the estimate is significantly below the target.
    alpha : float
        Significance level.
    p_target_met : float
        Approximate probability that the true proportion is at least the target:
        ``P(p ≥ target)`` with ``p ~ estimate + se · t_df`` (flat-prior plug-in approximation;
        numerically equal to ``p_value``).
    method : str
        Description.
    """

    target: float
    estimate: float
    se: float
    df: float
    statistic: float
    p_value: float
    reject: bool
    alpha: float
    p_target_met: float
    method: str

    def _summary_lines(self) -> list[str]:
        on = "normal" if math.isinf(self.df) else f"t on {format_value(self.df)} df"
        verdict = ("significantly below the target" if self.reject
                   else "not significantly below the target")
        return [
            f"TargetTest: estimate {format_value(self.estimate)} vs target "
            f"{format_value(self.target)}, P(p ≥ target) ≈ {format_value(self.p_target_met, 3)}",
            f"SE {format_value(self.se)}, statistic {format_value(self.statistic)} ({on}), "
            f"one-sided p = {format_value(self.p_value, 3)}",
            f"H1: p < {format_value(self.target)} at alpha {format_value(self.alpha)}: {verdict}",
        ]


def target_test(
    estimate: float, se: float, df: float | None = None, target: float = 0.80, alpha: float = 0.05
) -> TargetTest:
    """Test whether a proportion is below its target, and the probability the target is met.

    ``t = (estimate − target) / se`` referred to Student's t on ``df`` degrees of freedom (the
    design df; ``None`` or ``inf`` for the normal distribution). The one-sided p-value of
    ``H0: p ≥ target`` against ``H1: p < target`` is ``F(t)``. With an SRS standard error
    ``sqrt(p̂(1 − p̂)/n)`` and ``df=None`` this is the one-sample z test of a proportion
    (e.g. ``statsmodels.stats.proportion.proportions_ztest(count, n, value=target,
    alternative="smaller")``).

    ``p_target_met`` is ``P(p ≥ target)`` when the true proportion is taken as distributed
    ``estimate + se · T`` (``T`` ~ t on ``df``): the posterior under a flat prior with the
    normal/t approximation of the estimate's sampling distribution. It equals ``F(t)``, the
    p-value, by the symmetry of ``T`` (Casella & Berger 1987) — an approximate, model-based
    statement, not an exact probability.

    Parameters
    ----------
    estimate : float
        Estimated proportion in [0, 1].
    se : float
        Its standard error (> 0).
    df : float, optional
        Degrees of freedom (values below 1 are treated as 1); ``None``: normal.
    target : float, default 0.80
        Target proportion in (0, 1).
    alpha : float, default 0.05
        One-sided significance level.

    Returns
    -------
    TargetTest

    Examples
    --------
    >>> r = target_test(0.75, 0.01, df=None)
    >>> round(r.statistic, 6), f"{r.p_value:.3g}", r.reject
    (-5.0, '2.87e-07', True)
    """
    p = float(check_probability("estimate", estimate))
    tgt = float(check_probability("target", target, open_interval=True))
    a = float(check_probability("alpha", alpha, open_interval=True))
    if not (math.isfinite(se) and se > 0):
        raise ValueError(f"se must be finite and > 0; got {se!r}")
    t = (p - tgt) / se
    if df is None or not math.isfinite(df):
        dist = stats.norm
        dof = math.inf
        name = "normal"
    else:
        dof = max(float(df), 1.0)
        dist = stats.t(dof)
        name = f"t on {dof:g} df"
    pv = float(dist.cdf(t))
    return TargetTest(
        target=tgt, estimate=p, se=float(se), df=dof, statistic=float(t), p_value=pv,
        reject=pv < a, alpha=a, p_target_met=pv,
        method=f"one-sided test of H0: p >= {tgt:g} vs H1: p < {tgt:g}, {name}; "
               "P(p >= target) by the flat-prior normal/t approximation",
    )


# --------------------------------------------------------------------------------------------
# Designs
# --------------------------------------------------------------------------------------------


def _round_margins(data: AwarenessData, frame: pd.DataFrame, variables: Sequence[str]
                   ) -> tuple[dict[tuple[str, str], dict[tuple[Any, Any], float]], list[str]]:
    """Joint ``round × variable`` margins for raking, restricted to variables whose every
    category appears in every round of ``frame``; returns (margins, variables used)."""
    m = data.margins
    known = list(dict.fromkeys(m["variable"]))
    unknown = [v for v in variables if v not in known]
    if unknown:
        raise ValueError(f"rake variable(s) {', '.join(unknown)} not in the margins file "
                         f"{data.margins_path}; it has {', '.join(known)}")
    rounds = sorted(frame["round"].unique())
    out: dict[tuple[str, str], dict[tuple[Any, Any], float]] = {}
    used = []
    for var in variables:
        rows = m[m["variable"] == var]
        cats: Any = rows["category"]
        if pd.api.types.is_integer_dtype(frame[var]):
            cats = pd.to_numeric(cats, errors="coerce")
            if cats.isna().any():
                raise DataValidationError(
                    f"categories of {var!r} must be whole numbers (as in the survey file)",
                    source=data.margins_path, column="category")
            cats = cats.astype(np.int64)
        pops = dict(zip(cats.tolist(), rows["population"].tolist(), strict=True))
        present = set(zip(frame["round"], frame[var], strict=True))
        if not all((r, c) in present for r in rounds for c in pops):
            continue
        out[("round", var)] = {(r, c): v for r in rounds for c, v in pops.items()}
        used.append(var)
    return out, used


def _field_design(data: AwarenessData, rake_variables: Sequence[str], confidence: float
                  ) -> tuple[SurveyDesign, SurveyDesign, list[str]]:
    field = data.frame[data.frame["mode"] == "field"].reset_index(drop=True)
    if field.empty:
        raise ValueError(f"{data.path}: no field (probability-sample) respondents")
    field = field.assign(stratum=field["round"] * 10_000 + field["district_code"],
                         any_offline=field[list(OFFLINE_CHANNELS)].max(axis=1),
                         any_online=field[list(ONLINE_CHANNELS)].max(axis=1))
    base = SurveyDesign(field, weights="design_weight", strata="stratum", lonely_psu="adjust",
                        confidence=confidence)
    margins, used = _round_margins(data, field, rake_variables)
    missing = [v for v in rake_variables if v not in used]
    if missing:
        raise ValueError(f"{data.path}: the field sample lacks categories of {missing} in some "
                         "round; collapse categories in the margins file or drop the variable")
    raked = base.rake(margins, tol=1e-10, max_iter=500) if margins else base
    return base, raked, used


def _mode_design(data: AwarenessData, mode: str, rake_variables: Sequence[str],
                 confidence: float) -> tuple[SurveyDesign, list[str]]:
    sub = data.frame[data.frame["mode"] == mode].reset_index(drop=True)
    sub = sub.assign(_w=1.0)
    if mode == "focus_group":
        design = SurveyDesign(sub, weights="_w", strata="round", psu="focus_group_id",
                              lonely_psu="adjust", confidence=confidence)
    else:
        design = SurveyDesign(sub, weights="_w", strata="round", lonely_psu="adjust",
                              confidence=confidence)
    margins, used = _round_margins(data, sub, rake_variables)
    if margins:
        design = design.rake(margins, tol=1e-10, max_iter=500)
    return design, used


# --------------------------------------------------------------------------------------------
# Analysis
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SampleSizeReview(Result):
    """The numbers of the report's sample-size section.

    Attributes
    ----------
    population : float
        Bangkok's registered population (the margins' total).
    deff : float
        Design effect of the headline estimate (against SRS, R's ``deff``).
    kish_deff : float
        Kish's weighting effect of the raked field weights, ``1 + cv²`` (pooled rounds).
    achieved : DataFrame
        Margin of error achieved (percentage points, design-based ``t·SE``) by scope:
        ``scope``, ``group``, ``n``, ``moe``, ``moe_srs_p50`` (SRS at p = 0.5 for the same n).
    formulas : DataFrame
        Required n for ``margin`` 5, 3, 2, 1 points at the analysis' confidence level (95 %
        by default; Yamane's formula has its own fixed z = 2): ``cochran``, ``yamane``,
        ``krejcie_morgan`` (population N), ``cochran_deff`` (× the headline deff),
        ``cochran_p_hat`` (Cochran at the estimated p instead of 0.5).
    test_power : DataFrame
        n for a one-sided 5 % test of the 80 % target with 80 % power when the true value is
        ``p_expected`` (SRS and with the headline deff).
    district_moe_target : float
        The district margin of error asked for (0.05).
    district_needs : DataFrame
        Per district: ``district_code``, ``population``, ``n`` (field interviews, all rounds),
        ``moe``, ``n_needed`` (Cochran, p = 0.5, ±5 points, district FPC, × deff).
    district_total_needed : int
        Sum of ``n_needed`` over districts (for one round, or for the pooled rounds).
    """

    population: float
    deff: float
    kish_deff: float
    achieved: pd.DataFrame
    formulas: pd.DataFrame
    test_power: pd.DataFrame
    district_moe_target: float
    district_needs: pd.DataFrame
    district_total_needed: int

    def _summary_lines(self) -> list[str]:
        tables = ", ".join(f"{name} {getattr(self, name).shape[0]}×{getattr(self, name).shape[1]}"
                           for name in ("achieved", "formulas", "test_power", "district_needs"))
        return [
            f"SampleSizeReview: population {format_value(self.population)}, design effect "
            f"{format_value(self.deff)}, Kish weighting effect {format_value(self.kish_deff)}",
            f"districts at ±{format_value(self.district_moe_target * 100)} points need "
            f"{format_value(self.district_total_needed)} interviews in total",
            f"tables: {tables}",
        ]


@dataclasses.dataclass(frozen=True, eq=False)
class AwarenessAnalysis(Result):
    """Everything the awareness report shows.

    Percent columns of the tables are on the 0–100 scale; ``moe`` is the design-based margin of
    error ``t(1/2 + confidence/2, df) · SE`` in percentage points (``t(0.975, df) · SE`` at
    the default 95 %). Rows with fewer than ``min_group``
    respondents have every figure blanked (``suppressed`` is True).

    Attributes
    ----------
    overall : Estimate
        The headline proportion (0–1 scale).
    test : TargetTest
        The one-sided test of the target and ``p_target_met``.
    target : float
        The target in percent (80).
    verdict : dict
        ``target_met`` and the verdict at each interval bound (:func:`score_percent_target`).
    raked_to : tuple of str
        Margin variables of the headline raking.
    rounds : DataFrame
        Field estimate by round.
    round_change : dict
        Last round minus first round (percentage points) with its interval at ``confidence``.
    modes : DataFrame
        Estimate by collection mode with the test of the difference from the field estimate.
    modes_disagree : bool
        A non-probability mode differs from the field estimate beyond sampling error.
    districts : DataFrame
        Field estimate by district, sorted from highest to lowest.
    associations : DataFrame
        Design-based tests that awareness differs across rounds, districts and collection
        modes (Rao-Scott second-order F, R's ``svychisq``), among the groups shown (suppressed
        groups are left out): ``scope``, ``label_th``, ``groups``, ``statistic``, ``ndf``,
        ``ddf``, ``p_value``, ``differs`` (``p_value < alpha``), ``mean_deff``, ``method``.
    channels, dimensions : DataFrame
        Reach of each channel / recall of each policy dimension (share of the population) and
        the share among the aware.
    estimators : DataFrame
        The headline next to other estimators (design weights only, sex-raked, unweighted,
        the pooled share of every respondent as the KR formula reads literally).
    sample_size : SampleSizeReview
        The sample-size section.
    weights : DataFrame
        ``respondent_id`` and the raked weight of each field respondent.
    confidence, alpha : float
        Confidence level of the intervals; significance level of the tests.
    min_group : int
        Suppression threshold.
    """

    overall: Estimate
    test: TargetTest
    target: float
    verdict: dict
    raked_to: tuple[str, ...]
    rounds: pd.DataFrame
    round_change: dict
    modes: pd.DataFrame
    modes_disagree: bool
    districts: pd.DataFrame
    associations: pd.DataFrame
    channels: pd.DataFrame
    dimensions: pd.DataFrame
    estimators: pd.DataFrame
    sample_size: SampleSizeReview
    weights: pd.DataFrame
    confidence: float
    alpha: float
    min_group: int

    @property
    def percent(self) -> float:
        """The headline estimate in percent."""
        return self.overall.estimate * 100

    @property
    def moe(self) -> float:
        """Margin of error of the headline, in percentage points."""
        return _moe(self.overall.se, self.overall.df, self.confidence) * 100

    def _summary_lines(self) -> list[str]:
        o, t = self.overall, self.test
        met = {True: "met", False: "not met"}.get(self.verdict.get("target_met"), "–")
        return [
            f"AwarenessAnalysis: {self.percent:.2f} % aware (target {self.target:g} %: {met}), "
            f"P(target met) ≈ {format_value(t.p_target_met, 3)}",
            format_interval(o.ci.low, o.ci.high, o.ci.confidence, o.ci.method, scale=100,
                            decimals=2, unit=" %")
            + f"; margin of error ±{self.moe:.2f} points",
            f"SE {o.se * 100:.2f} points, n {format_value(o.n)}, design effect "
            f"{format_value(o.deff)}, effective n {format_value(o.n_eff)}",
            f"raked to {' + '.join(self.raked_to) or '(none)'}; modes disagree: "
            f"{format_value(self.modes_disagree)}; tests at alpha {format_value(self.alpha)}, "
            f"intervals at {confidence_label(self.confidence)}",
        ]


def _moe(se: Any, df: Any, confidence: float) -> Any:
    q = stats.t.ppf(0.5 + confidence / 2, np.maximum(np.asarray(df, dtype=float), 1.0))
    return q * np.asarray(se, dtype=float) if np.ndim(se) else float(q * se)


def _domain_table(design: SurveyDesign, column: str, by: str, confidence: float,
                  ci_method: str) -> pd.DataFrame:
    t = design.proportion(column, by=by, confidence=confidence, ci_method=ci_method).table.copy()
    t["moe"] = _moe(t["se"].to_numpy(), t["df"].to_numpy(), confidence) * 100
    for c in ("estimate", "se", "ci_low", "ci_high"):
        t[c] = t[c] * 100
    return t


def _suppress(table: pd.DataFrame, min_group: int, figures: Sequence[str]) -> pd.DataFrame:
    """Blank the figures of small cells and of their complements (no recovery by subtraction).

    ``suppressed`` marks every hidden row, ``complementary`` those hidden only because a single
    small cell would otherwise be the total minus the shown cells
    (:func:`kpianalysis.privacy.complementary_suppression`).
    """
    table = table.copy()
    small, complementary = complementary_suppression(table["n"].to_numpy(), min_group)
    hidden = small | complementary
    table["suppressed"] = hidden
    table["complementary"] = complementary
    for c in figures:
        if c in table.columns:
            table[c] = table[c].astype(float).where(~hidden)
    table["n"] = table["n"].astype("Int64").where(~hidden, pd.NA)
    return table


_FIGURES = ("estimate", "se", "ci_low", "ci_high", "deff", "n_eff", "moe", "p_target_met")


def _reach_table(design: SurveyDesign, online: pd.DataFrame, columns: dict[str, str],
                 confidence: float, ci_method: str) -> pd.DataFrame:
    rows = []
    for col, label in columns.items():
        est = design.proportion(col, confidence=confidence, ci_method=ci_method)
        among = design.proportion(col, by="aware", confidence=confidence,
                                  ci_method=ci_method)
        aware_rows = among.table[among.table["aware"] == 1]
        rows.append({
            "column": col, "label_th": label,
            "group": ("offline" if col in OFFLINE_CHANNELS else
                      "online" if col in ONLINE_CHANNELS or col == "any_online" else
                      "any" if col.startswith("any") else "dimension"),
            "n": est.n, "estimate": est.estimate * 100, "ci_low": est.ci.low * 100,
            "ci_high": est.ci.high * 100, "moe": _moe(est.se, est.df, confidence) * 100,
            "among_aware": float(aware_rows["estimate"].iloc[0]) * 100
            if len(aware_rows) else float("nan"),
            "online_sample": float(online[col].mean()) * 100 if len(online) else float("nan"),
        })
    return pd.DataFrame(rows).sort_values("estimate", ascending=False, ignore_index=True)


def analyse_awareness(
    data: AwarenessData,
    *,
    rake_variables: Sequence[str] = DEFAULT_RAKE_VARIABLES,
    target: float = AWARENESS_TARGET,
    confidence: float = 0.95,
    alpha: float = 0.05,
    ci_method: str = "logit",
    min_group: int = 10,
    district_margin: float = 0.05,
) -> AwarenessAnalysis:
    """Analyse the awareness survey (the estimator is explained in :mod:`kpianalysis.awareness`).

    Parameters
    ----------
    data : AwarenessData
        From :func:`read_awareness_survey`.
    rake_variables : sequence of str, default ("sex", "age_group", "district_code")
        Margin variables (of the margins file) the field weights are raked to, within each
        round. Non-probability modes are raked to those of them whose categories they cover.
        An empty sequence keeps the design weights.
    target : float, default 80
        The KR target in percent.
    confidence : float, default 0.95
        Confidence level of the intervals.
    alpha : float, default 0.05
        Significance level of the target test and of the mode comparisons.
    ci_method : str, default "logit"
        Interval method for design-based proportions
        (see :func:`kpianalysis.design.proportion_interval`).
    min_group : int, default 10
        Groups with fewer respondents show no figures.
    district_margin : float, default 0.05
        The district margin of error the sample-size section plans for.

    Returns
    -------
    AwarenessAnalysis
    """
    confidence = check_confidence(confidence)
    a = float(check_probability("alpha", alpha, open_interval=True))
    if not 0 < target < 100:
        raise ValueError(f"target must be a percentage in (0, 100); got {target!r}")
    if int(min_group) < 1:
        raise ValueError(f"min_group must be >= 1; got {min_group!r}")
    rake_variables = tuple(rake_variables)
    base, design, used = _field_design(data, rake_variables, confidence)
    overall = design.proportion("aware", confidence=confidence, ci_method=ci_method)
    test = target_test(overall.estimate, overall.se, overall.df, target / 100, a)
    verdict = score_percent_target(overall.estimate * 100, target,
                                   ci_low=overall.ci.low * 100, ci_high=overall.ci.high * 100)

    # ---- rounds ------------------------------------------------------------------------------
    rounds = _domain_table(design, "aware", "round", confidence, ci_method)
    rounds["p_target_met"] = [
        target_test(e / 100, s / 100, d, target / 100, a).p_target_met if s > 0 else float("nan")
        for e, s, d in zip(rounds["estimate"], rounds["se"], rounds["df"], strict=True)]
    z = stats.norm.ppf(0.5 + confidence / 2)
    small, complementary = complementary_suppression(rounds["n"].to_numpy(), min_group)
    shown = rounds[~(small | complementary)]  # no figures of suppressed rounds leak out
    first, last = (shown.iloc[0], shown.iloc[-1]) if len(shown) else (rounds.iloc[0],) * 2
    diff = float(last["estimate"] - first["estimate"])
    diff_se = math.hypot(float(last["se"]), float(first["se"]))
    round_change = {"from_round": int(first["round"]), "to_round": int(last["round"]),
                    "difference": diff, "ci_low": float(diff - z * diff_se),
                    "ci_high": float(diff + z * diff_se),
                    "method": "independent rounds (separate strata): normal interval on "
                              "sqrt(SE1² + SE2²)"}
    rounds = _suppress(rounds, min_group, _FIGURES)

    # ---- modes -------------------------------------------------------------------------------
    mode_rows = []
    mode_designs: dict[str, SurveyDesign] = {"field": design}
    for mode, label in MODES.items():
        sub = data.frame[data.frame["mode"] == mode]
        if sub.empty:
            continue
        if mode == "field":
            est, raked_to = overall, used
        else:
            mdesign, raked_to = _mode_design(data, mode, rake_variables, confidence)
            mode_designs[mode] = mdesign
            est = mdesign.proportion("aware", confidence=confidence, ci_method=ci_method)
        row = {"mode": mode, "label_th": label, "probability_sample": mode == "field",
               "n": len(sub), "unweighted": float(sub["aware"].mean()) * 100,
               "estimate": est.estimate * 100, "se": est.se * 100, "ci_low": est.ci.low * 100,
               "ci_high": est.ci.high * 100, "deff": est.deff,
               "moe": _moe(est.se, est.df, confidence) * 100,
               "raked_to": ", ".join(raked_to) or "(none)",
               "difference": float("nan"), "z": float("nan"), "p_value": float("nan"),
               "disagrees": False}
        if mode != "field":
            d = (est.estimate - overall.estimate) * 100
            se_d = math.hypot(est.se, overall.se) * 100
            zz = d / se_d if se_d > 0 else float("nan")
            pv = float(2 * stats.norm.sf(abs(zz))) if se_d > 0 else float("nan")
            row.update(difference=d, z=zz, p_value=pv, disagrees=bool(pv < a))
        mode_rows.append(row)
    modes = _suppress(pd.DataFrame(mode_rows), min_group,
                      ("unweighted", *_FIGURES, "difference", "z", "p_value"))
    modes_disagree = bool(modes["disagrees"].any())

    # ---- districts ---------------------------------------------------------------------------
    districts = _domain_table(design, "aware", "district_code", confidence, ci_method)
    districts.insert(1, "district_th", districts["district_code"].map(DISTRICTS))
    pops = data.margins[data.margins["variable"] == "district_code"]
    dpop = dict(zip(pd.to_numeric(pops["category"]).astype(int), pops["population"],
                    strict=True))
    districts["population"] = districts["district_code"].map(dpop)

    # ---- sample size -------------------------------------------------------------------------
    sample_size = _sample_size_review(data, design, overall, rounds, modes, districts,
                                      confidence, district_margin, target / 100, a)
    need = sample_size.district_needs.set_index("district_code")["n_needed"]
    districts["n_needed"] = districts["district_code"].map(need)
    districts = _suppress(districts, min_group, _FIGURES).sort_values(
        ["suppressed", "estimate"], ascending=[True, False], ignore_index=True)

    associations = _association_tests(design, mode_designs, rounds, districts, modes, a)

    # ---- channels and dimensions -------------------------------------------------------------
    online = data.frame[data.frame["mode"] == "online"]
    online = online.assign(any_offline=online[list(OFFLINE_CHANNELS)].max(axis=1),
                           any_online=online[list(ONLINE_CHANNELS)].max(axis=1))
    channel_labels = {**CHANNELS, "any_offline": "สื่อออฟไลน์ช่องทางใดก็ได้ (any offline)",
                      "any_online": "สื่อออนไลน์ช่องทางใดก็ได้ (any online)"}
    channels = _reach_table(design, online, channel_labels, confidence, ci_method)
    dimensions = _reach_table(design, online, DIMENSIONS, confidence, ci_method)

    # ---- estimators --------------------------------------------------------------------------
    estimators = _estimators(data, base, design, overall, used, confidence, ci_method)

    weights = pd.DataFrame({"respondent_id": design.data["respondent_id"].to_numpy(),
                            "round": design.data["round"].to_numpy(),
                            "design_weight": design.data["design_weight"].to_numpy(),
                            "raked_weight": design.weights})
    return AwarenessAnalysis(
        overall=overall, test=test, target=float(target), verdict=verdict,
        raked_to=tuple(used), rounds=rounds, round_change=round_change, modes=modes,
        modes_disagree=modes_disagree, districts=districts, associations=associations,
        channels=channels,
        dimensions=dimensions, estimators=estimators, sample_size=sample_size,
        weights=weights, confidence=confidence, alpha=a, min_group=int(min_group))


_ASSOCIATION_TH = {"round": "รอบสำรวจ (round)", "district_code": "เขต (district)",
                   "mode": "วิธีเก็บข้อมูล (mode)"}


def _association_tests(design: SurveyDesign, mode_designs: dict[str, SurveyDesign],
                       rounds: pd.DataFrame, districts: pd.DataFrame, modes: pd.DataFrame,
                       alpha: float) -> pd.DataFrame:
    """Rao-Scott tests of awareness × round, × district (field design) and × mode.

    Only groups shown in the report take part (a test over suppressed groups, with the shown
    cells and the totals, could narrow down a suppressed count). Modes are independent samples:
    their test uses one design with each mode's final weights rescaled to its sample size,
    strata = the mode's own strata (field: round × district; others: round) and focus groups
    as clusters; the calibration of each mode is not carried into this test, which makes it
    conservative.
    """
    rows = []

    def add(scope: str, d: SurveyDesign, column: str, shown: set[Any]) -> None:
        within = d.data[column].isin(shown).to_numpy()
        row: dict[str, Any] = {"scope": scope, "label_th": _ASSOCIATION_TH[scope],
                               "groups": len(shown)}
        if len(shown) < 2:
            row.update(statistic=float("nan"), ndf=float("nan"), ddf=float("nan"),
                       p_value=float("nan"), differs=False, mean_deff=float("nan"),
                       method="fewer than two groups shown: no test")
        else:
            t = chisq_test(d, "aware", column, within=within)
            row.update(statistic=t.statistic, ndf=t.ndf, ddf=t.ddf, p_value=t.p_value,
                       differs=bool(t.p_value < alpha), mean_deff=t.mean_deff,
                       method=t.method)
        rows.append(row)

    add("round", design, "round", set(rounds.loc[~rounds["suppressed"], "round"]))
    add("district_code", design, "district_code",
        set(districts.loc[~districts["suppressed"], "district_code"]))
    parts = []
    for mode, d in mode_designs.items():
        w = d.weights
        frame = d.data
        strata = (frame["stratum"].astype(str) if mode == "field"
                  else frame["round"].astype(str))
        cluster = (frame["focus_group_id"].astype(str) if mode == "focus_group"
                   else frame["respondent_id"].astype(str))
        parts.append(pd.DataFrame({
            "aware": frame["aware"].to_numpy(), "mode": mode,
            "_stratum": mode + ":" + strata.to_numpy(), "_psu": mode + ":" + cluster.to_numpy(),
            "_w": w * len(w) / w.sum()}))
    pooled = SurveyDesign(pd.concat(parts, ignore_index=True), weights="_w", strata="_stratum",
                          psu="_psu", lonely_psu="adjust")
    add("mode", pooled, "mode", set(modes.loc[~modes["suppressed"], "mode"]))
    return pd.DataFrame(rows)


def _estimators(data: AwarenessData, base: SurveyDesign, design: SurveyDesign,
                overall: Estimate, used: Sequence[str], confidence: float,
                ci_method: str) -> pd.DataFrame:
    rows = []

    def add(key: str, label: str, est: Estimate | None, n: int, value: float | None = None,
            probability: bool = True) -> None:
        rows.append({
            "key": key, "label": label, "probability_sample": probability, "n": n,
            "estimate": est.estimate * 100 if est is not None else value,
            "ci_low": est.ci.low * 100 if est is not None else float("nan"),
            "ci_high": est.ci.high * 100 if est is not None else float("nan"),
            "moe": _moe(est.se, est.df, confidence) * 100 if est is not None else float("nan"),
            "deff": est.deff if est is not None else float("nan"),
        })

    add("headline", "field, design weights raked to " + " + ".join(used) + " within rounds"
        if used else "field, design weights", overall, overall.n)
    add("design_weights", "field, design weights only (no raking)",
        base.proportion("aware", confidence=confidence, ci_method=ci_method), base.n)
    if "sex" in used:
        margins, _ = _round_margins(data, base.data, ["sex"])
        add("raked_sex", "field, raked to the official sex margin only",
            base.rake(margins, tol=1e-10, max_iter=500).proportion(
                "aware", confidence=confidence, ci_method=ci_method), base.n)
    unweighted = SurveyDesign(base.data.assign(_w=1.0), weights="_w", strata="stratum",
                              lonely_psu="adjust", confidence=confidence)
    add("field_unweighted", "field, unweighted",
        unweighted.proportion("aware", confidence=confidence, ci_method=ci_method), base.n)
    add("all_modes_unweighted", "all respondents pooled, unweighted (the KR formula read "
        "literally: aware × 100 / respondents)", None, data.n,
        value=float(data.frame["aware"].mean()) * 100, probability=False)
    return pd.DataFrame(rows)


def _sample_size_review(data: AwarenessData, design: SurveyDesign, overall: Estimate,
                        rounds: pd.DataFrame, modes: pd.DataFrame, districts: pd.DataFrame,
                        confidence: float, district_margin: float, target: float,
                        alpha: float) -> SampleSizeReview:
    N = data.population
    deff = float(overall.deff) if math.isfinite(overall.deff) else 1.0
    p_hat = overall.estimate

    achieved_rows = [{"scope": "overall", "group": "ทั้งหมด (field, all rounds)", "n": overall.n,
                      "moe": _moe(overall.se, overall.df, confidence) * 100}]
    for r in rounds.itertuples():
        achieved_rows.append({"scope": "round", "group": f"รอบที่ {r.round}", "n": r.n,
                              "moe": r.moe})
    for r in modes.itertuples():
        achieved_rows.append({"scope": "mode", "group": r.label_th, "n": r.n, "moe": r.moe})
    dm = districts["moe"]
    for name, idx in (("smallest", dm.idxmin()), ("median", None), ("largest", dm.idxmax())):
        if idx is None:
            achieved_rows.append({"scope": "district", "group": "มัธยฐาน 50 เขต (median)",
                                  "n": int(districts["n"].median()), "moe": float(dm.median())})
            continue
        r = districts.loc[idx]
        achieved_rows.append({"scope": "district",
                              "group": f"MOE {'ต่ำสุด' if name == 'smallest' else 'สูงสุด'} "
                                       f"({name} MOE): เขต{r['district_th']}",
                              "n": int(r["n"]), "moe": float(r["moe"])})
    achieved = pd.DataFrame(achieved_rows)
    n_vals = pd.to_numeric(achieved["n"], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(n_vals) & (n_vals > 0)
    srs = np.full(len(achieved), np.nan)
    srs[ok] = np.asarray(margin_of_error(n_vals[ok], p=0.5, confidence=confidence,
                                         population=N)) * 100
    achieved["moe_srs_p50"] = srs

    margins = np.array([0.05, 0.03, 0.02, 0.01])
    formulas = pd.DataFrame({
        "margin": margins * 100,
        "cochran": cochran(0.5, margins, confidence, population=N),
        "yamane": yamane(N, margins),
        "krejcie_morgan": krejcie_morgan(  # chi2 = 3.841 at 95 %, as published
            N, chi2=round(float(stats.chi2.ppf(confidence, 1)), 3), margin=margins),
        "cochran_deff": cochran(0.5, margins, confidence, population=N, deff=deff),
        "cochran_p_hat": cochran(p_hat, margins, confidence, population=N),
    })
    expected = np.array([0.70, 0.75, 0.77, 0.78])
    test_power = pd.DataFrame({
        "p_expected": expected * 100,
        "n_srs": n_one_sided_proportion_test(target, expected, alpha, 0.8, population=N),
        "n_deff": n_one_sided_proportion_test(target, expected, alpha, 0.8, population=N,
                                              deff=deff),
    })
    pops = districts["population"].to_numpy(dtype=float)
    d_deff = np.where(np.isfinite(districts["deff"]), np.maximum(districts["deff"], 1.0), 1.0)
    needed = np.asarray(cochran(0.5, district_margin, confidence, population=pops,
                                deff=d_deff))
    district_needs = pd.DataFrame({
        "district_code": districts["district_code"].to_numpy(),
        "district_th": districts["district_th"].to_numpy(),
        "population": pops, "n": districts["n"].to_numpy(), "moe": districts["moe"].to_numpy(),
        "n_needed": needed,
    })
    return SampleSizeReview(
        population=N, deff=deff, kish_deff=kish_deff(design.weights), achieved=achieved,
        formulas=formulas, test_power=test_power, district_moe_target=district_margin,
        district_needs=district_needs, district_total_needed=int(needed.sum()))
