"""R conventions offered by name (issue 12): additive weight trimming, ``df = Inf`` intervals,
pairwise Cronbach's alpha.

Every reference value comes from ``tests/data/r_reference/r_conventions.R`` run with
R 4.2.2 and Debian's r-cran-survey 4.1-1 (versions stored in ``r_conventions.json``), on R's
``data(api)`` (the rows of ``tests/data/api/*.csv``); values are printed with 17 significant
digits. The R call behind each value is quoted beside its test.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kpianalysis.design import SurveyDesign, proportion_interval
from kpianalysis.reliability import cronbach_alpha
from kpianalysis.weighting import trim_weights

DATA = Path(__file__).resolve().parent / "data"
R = json.loads((DATA / "r_reference" / "r_conventions.json").read_text())
TOL = 1e-10


@pytest.fixture(scope="module")
def apistrat() -> pd.DataFrame:
    return pd.read_csv(DATA / "api" / "api_strat.csv")


@pytest.fixture(scope="module")
def apiclus1() -> pd.DataFrame:
    return pd.read_csv(DATA / "api" / "api_clus1.csv")


def test_reference_versions() -> None:
    assert R["survey_version"] == "4.1.1"
    assert R["R_version"].startswith("R version 4.2")


# ---- 1. trimming: R's survey::trimWeights -----------------------------------------------------


def test_csv_weights_are_r_weights(apistrat: pd.DataFrame) -> None:
    # weights(svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat, fpc=~fpc))
    np.testing.assert_allclose(apistrat["pw"].to_numpy(), R["strat_pw"], rtol=1e-7)


@pytest.mark.parametrize(
    ("base", "key", "kwargs"),
    [
        # trimWeights(d, upper = 40, lower = 16)
        ("strat_pw", "trim_strat_u40_l16", {"upper": 40, "lower": 16}),
        # trimWeights(d, upper = 35, lower = 16, strict = FALSE)
        ("strat_pw", "trim_strat_u35_l16_nonstrict", {"upper": 35, "lower": 16}),
        # trimWeights(d, upper = 35, lower = 16, strict = TRUE)
        ("strat_pw", "trim_strat_u35_l16_strict", {"upper": 35, "lower": 16, "strict": True}),
        # d2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
        # trimWeights(d2, upper = 60, lower = 20, strict = FALSE)
        ("clus2_pw", "trim_clus2_u60_l20_nonstrict", {"upper": 60, "lower": 20}),
        # trimWeights(d2, upper = 60, lower = 20, strict = TRUE)
        ("clus2_pw", "trim_clus2_u60_l20_strict", {"upper": 60, "lower": 20, "strict": True}),
    ],
)
def test_trim_additive_matches_r(base: str, key: str, kwargs: dict) -> None:
    w = np.array(R[base])
    out = trim_weights(w, method="additive", **kwargs)
    np.testing.assert_allclose(out, R[key], rtol=TOL, atol=0)
    assert out.sum() == pytest.approx(w.sum(), rel=1e-12)


def test_trim_additive_nonstrict_can_leave_weights_outside() -> None:
    w = np.array(R["strat_pw"])
    once = trim_weights(w, upper=35, lower=16, method="additive")
    assert once.max() > 35  # R's strict = FALSE: one pass
    strict = trim_weights(w, upper=35, lower=16, method="additive", strict=True)
    assert strict.max() <= 35 * (1 + 1e-12) and strict.min() >= 16


def test_trim_default_unchanged_and_differs_from_r() -> None:
    w = np.array(R["clus2_pw"])
    default = trim_weights(w, upper=60)
    named = trim_weights(w, upper=60, method="proportional")
    np.testing.assert_array_equal(default, named)
    additive = trim_weights(w, upper=60, method="additive", strict=True)
    assert default.sum() == pytest.approx(additive.sum(), rel=1e-12)
    assert np.abs(default - additive).max() > 1.0


def test_trim_additive_bad_options() -> None:
    w = np.array(R["strat_pw"])
    with pytest.raises(ValueError, match="keep_total"):
        trim_weights(w, upper=35, method="additive", keep_total=False)
    with pytest.raises(ValueError, match="method"):
        trim_weights(w, upper=35, method="scaled")


def test_trim_additive_keeps_zero_weights() -> None:
    w = np.array([0.0, 1.0, 1.0, 10.0])
    out = trim_weights(w, upper=5, method="additive", strict=True)
    assert out[0] == 0.0
    assert out.sum() == pytest.approx(12.0)


# ---- 2. df = Inf (normal) intervals -----------------------------------------------------------


def test_mean_interval_normal_and_degf(apistrat: pd.DataFrame) -> None:
    d = SurveyDesign(apistrat, weights="pw", strata="stype", fpc="fpc")
    # svymean(~api00, d)
    est = d.mean("api00")
    assert est.estimate == pytest.approx(R["strat_mean_api00"][0], rel=TOL)
    assert est.se == pytest.approx(R["strat_mean_api00"][1], rel=TOL)
    assert est.df == R["strat_degf"]  # degf(d)
    # confint(svymean(~api00, d), df = degf(d)): today's default
    np.testing.assert_allclose(
        [est.ci.low, est.ci.high], R["strat_mean_api00_confint_degf"], rtol=TOL
    )
    assert est.ci.method == "t"
    # confint(svymean(~api00, d)): normal
    normal = d.mean("api00", df=float("inf"))
    np.testing.assert_allclose(
        [normal.ci.low, normal.ci.high], R["strat_mean_api00_confint_normal"], rtol=TOL
    )
    assert normal.ci.method == "normal" and normal.df == R["strat_degf"]
    again = est.confint(df=float("inf"))
    np.testing.assert_allclose([again.low, again.high], R["strat_mean_api00_confint_normal"],
                               rtol=TOL)
    same = est.confint()
    assert (same.low, same.high) == (est.ci.low, est.ci.high)


def test_total_interval_normal_and_degf(apiclus1: pd.DataFrame) -> None:
    dc = SurveyDesign(apiclus1, weights="pw", psu="dnum", fpc="fpc")
    # confint(svytotal(~enroll, dc), df = degf(dc))
    est = dc.total("enroll")
    np.testing.assert_allclose(
        [est.ci.low, est.ci.high], R["clus1_total_enroll_confint_degf"], rtol=TOL
    )
    # confint(svytotal(~enroll, dc))
    normal = dc.total("enroll", df=float("inf"))
    np.testing.assert_allclose(
        [normal.ci.low, normal.ci.high], R["clus1_total_enroll_confint_normal"], rtol=TOL
    )


def test_domain_interval_normal(apiclus1: pd.DataFrame) -> None:
    dc = SurveyDesign(apiclus1, weights="pw", psu="dnum", fpc="fpc")
    res = dc.mean("api00", by="stype", df=float("inf"))
    z = 1.959963984540054  # qnorm(0.975)
    tab = res.table
    np.testing.assert_allclose(tab["ci_high"] - tab["estimate"], z * tab["se"], rtol=1e-12)
    assert res.method.endswith("normal")
    assert res["E"].ci.method == "normal"


@pytest.mark.parametrize("method", ["logit", "beta"])
def test_proportion_interval_df(apistrat: pd.DataFrame, method: str) -> None:
    d = SurveyDesign(apistrat.assign(yes=apistrat["sch.wide"] == "Yes"), weights="pw",
                     strata="stype", fpc="fpc")
    # svyciprop(~I(sch.wide == "Yes"), d, method = method)            (df = degf(d))
    est = d.proportion("yes", ci_method=method)
    np.testing.assert_allclose([est.ci.low, est.ci.high],
                               R[f"strat_prop_schwide_{method}_degf"][1:], rtol=1e-8)
    # svyciprop(~I(sch.wide == "Yes"), d, method = method, df = Inf)
    # (R's "beta" keeps degf(d) in the Korn-Graubard adjustment, so its interval is unchanged)
    normal = d.proportion("yes", ci_method=method, df=float("inf"))
    np.testing.assert_allclose([normal.ci.low, normal.ci.high],
                               R[f"strat_prop_schwide_{method}_normal"][1:], rtol=1e-8)
    ci = proportion_interval(est.estimate, est.se, n=est.n, df=est.df, method=method,
                             ci_df=float("inf"))
    assert (ci.low, ci.high) == (normal.ci.low, normal.ci.high)


def test_df_validation(apistrat: pd.DataFrame) -> None:
    d = SurveyDesign(apistrat, weights="pw", strata="stype", fpc="fpc")
    for bad in (0, -1, "inf", True):
        with pytest.raises(ValueError, match="df"):
            d.mean("api00", df=bad)


# ---- 3. Cronbach's alpha, pairwise ------------------------------------------------------------


@pytest.mark.parametrize(
    "cols",
    [["acs.k3", "acs.46", "acs.core"], ["acs.k3", "acs.46", "acs.core", "avg.ed"]],
)
def test_alpha_pairwise_matches_r(apistrat: pd.DataFrame, cols: list[str]) -> None:
    # x <- apistrat[, cols]; C <- cov(x, use = "pairwise.complete.obs")
    # k / (k - 1) * (1 - sum(diag(C)) / sum(C))   (psych::alpha's formula, its default
    # use = "pairwise"; psych itself is not installed where the reference was computed)
    key = "_".join(cols)
    items = apistrat[cols]
    res = cronbach_alpha(items, missing="pairwise")
    assert res.alpha == pytest.approx(R[f"alpha_pairwise_{key}"], rel=TOL)
    assert res.k == len(cols)
    assert res.n == int(items.notna().any(axis=1).sum())
    # listwise (the default) is unchanged: x <- na.omit(x), same formula
    listwise = cronbach_alpha(items)
    assert listwise.alpha == pytest.approx(R[f"alpha_listwise_{key}"], rel=TOL)


def test_alpha_pairwise_equals_listwise_without_missing() -> None:
    rng = np.random.default_rng(12)
    items = pd.DataFrame(rng.integers(1, 6, size=(40, 4)))
    a = cronbach_alpha(items, missing="pairwise")
    b = cronbach_alpha(items)
    assert a.alpha == pytest.approx(b.alpha, rel=1e-12)
    assert (a.ci.low, a.n) == pytest.approx((b.ci.low, b.n), rel=1e-12)


def test_alpha_pairwise_needs_overlap() -> None:
    items = pd.DataFrame({"a": [1, 2, np.nan, np.nan], "b": [np.nan, np.nan, 3, 4],
                          "c": [1, 2, 3, 5]})
    with pytest.raises(ValueError, match="items 1 and 2"):
        cronbach_alpha(items, missing="pairwise")
    with pytest.raises(ValueError, match="missing"):
        cronbach_alpha(items, missing="pairwise", nan_policy="raise")
    with pytest.raises(ValueError, match="valid values"):
        cronbach_alpha(items, missing="available")
