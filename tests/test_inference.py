"""Quantiles (Woodruff intervals), ratios and Rao-Scott tests against R's ``survey``.

Every reference value comes from ``tests/data/r_reference/r_inference.R`` run with R 4.2.2 and
survey 4.5 (built from CRAN's source; versions stored in ``r_inference.json``; Debian's
survey 4.1-1 agrees except where the script says) on R's ``data(api)`` —
the rows of ``tests/data/api/*.csv``. The R call behind each key is written beside it in the
script; values are printed with 17 significant digits.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kpianalysis.design import SurveyDesign, poststratify
from kpianalysis.inference import QUANTILE_RULES, chisq_test, quantile, ratio

DATA = Path(__file__).resolve().parent / "data"
R = json.loads((DATA / "r_reference" / "r_inference.json").read_text())
TOL = 1e-9
PROBS = [0.1, 0.25, 0.5, 0.75, 0.9]
FIELDS = ["quantile", "ci_low", "ci_high", "se"]


def _designs() -> dict[str, SurveyDesign]:
    strat = pd.read_csv(DATA / "api" / "api_strat.csv")
    clus1 = pd.read_csv(DATA / "api" / "api_clus1.csv")
    clus2 = pd.read_csv(DATA / "api" / "api_clus2.csv")
    out = {
        # svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
        "strat": SurveyDesign(strat, weights="pw", strata="stype", fpc="fpc"),
        # svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
        "clus1": SurveyDesign(clus1, weights="pw", psu="dnum", fpc="fpc"),
        # svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
        "clus2": SurveyDesign(clus2, psu="dnum", ssu="snum", fpc=("fpc1", "fpc2")),
    }
    # postStratify(clus1, ~stype, data.frame(stype = c("E","H","M"), Freq = c(4421,755,1018)))
    out["clus1ps"] = poststratify(out["clus1"], "stype", {"E": 4421, "H": 755, "M": 1018})
    return out


DESIGNS = _designs()
NAMES = list(DESIGNS)


def _ref(key: str) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in R[key]], dtype=float)


def test_reference_versions() -> None:
    assert R["survey_version"] == "4.5"
    assert R["R_version"].startswith("R version 4.2")


# ---- quantiles: svyquantile(~api00, d, c(.1, .25, .5, .75, .9), qrule = , interval.type = ) --


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("rule", QUANTILE_RULES)
def test_quantile_rules_match_r(name: str, rule: str) -> None:
    q = quantile(DESIGNS[name], "api00", PROBS, rule=rule)
    np.testing.assert_allclose(q.table[FIELDS].to_numpy().ravel(), _ref(f"q_{name}_{rule}_mean"),
                               rtol=TOL)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("kind", ["xlogit", "asin", "beta"])
def test_woodruff_interval_types_match_r(name: str, kind: str) -> None:
    q = quantile(DESIGNS[name], "api00", PROBS, interval_type=kind)
    np.testing.assert_allclose(q.table[FIELDS].to_numpy().ravel(), _ref(f"q_{name}_math_{kind}"),
                               rtol=TOL)


@pytest.mark.parametrize("name", NAMES)
def test_quantile_alpha_and_normal_df_match_r(name: str) -> None:
    # svyquantile(~api00, d, probs, qrule = "hf7", alpha = 0.1, df = Inf)
    q = quantile(DESIGNS[name], "api00", PROBS, rule="hf7", confidence=0.9, df=float("inf"))
    np.testing.assert_allclose(q.table[FIELDS].to_numpy().ravel(),
                               _ref(f"q_{name}_hf7_mean_a10_dfinf"), rtol=TOL)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("rule", ["math", "hf7"])
def test_domain_quantiles_match_r_subsets(name: str, rule: str) -> None:
    # svyquantile(~api00, subset(d, stype == S), c(.25, .5), qrule = RULE)  (what svyby runs)
    q = quantile(DESIGNS[name], "api00", [0.25, 0.5], rule=rule, by="stype")
    for s in "EHM":
        got = q.table[q.table["stype"] == s][FIELDS].to_numpy().ravel()
        np.testing.assert_allclose(got, _ref(f"qdom_{name}_{s}_{rule}"), rtol=TOL)


def test_quantile_of_a_known_sample() -> None:
    # equal weights: "hf7" is the textbook (and numpy's default linear) quantile, "math" the
    # inverse of the empirical distribution function (numpy's "inverted_cdf")
    data = pd.DataFrame({"x": [7.0, 1.0, 4.0, 10.0, 3.0, 8.0], "w": 1.0})
    d = SurveyDesign(data, weights="w")
    for p in (0.2, 0.5, 0.9):
        assert quantile(d, "x", p, rule="hf7").table["quantile"][0] == pytest.approx(
            np.quantile(data["x"], p))
        assert quantile(d, "x", p, rule="math").table["quantile"][0] == pytest.approx(
            np.quantile(data["x"], p, method="inverted_cdf"))


def test_quantile_refuses_bad_probabilities_and_rules() -> None:
    d = DESIGNS["strat"]
    with pytest.raises(ValueError, match="probabilities"):
        quantile(d, "api00", [0.5, 1.5])
    with pytest.raises(ValueError, match="rule"):
        quantile(d, "api00", 0.5, rule="hf10")  # type: ignore[arg-type]


# ---- ratios: svyratio(~api.stu, ~enroll, d, na.rm = TRUE) ------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_ratio_matches_r(name: str) -> None:
    r = ratio(DESIGNS[name], "api.stu", "enroll", na_rm=True)
    np.testing.assert_allclose([r.estimate, r.se, r.ci.low, r.ci.high], _ref(f"ratio_{name}"),
                               rtol=TOL)
    assert r.statistic == "ratio"


@pytest.mark.parametrize("name", NAMES)
def test_domain_ratios_match_r_svyby(name: str) -> None:
    # svyby(~api.stu, ~stype, denominator = ~enroll, design = d, FUN = svyratio, na.rm = TRUE)
    r = ratio(DESIGNS[name], "api.stu", "enroll", by="stype", na_rm=True)
    got = np.concatenate([r.table["estimate"], r.table["se"]])
    np.testing.assert_allclose(got, _ref(f"ratio_by_stype_{name}"), rtol=TOL)


def test_ratio_with_missing_values_needs_na_rm() -> None:
    from kpianalysis import DataValidationError

    with pytest.raises(DataValidationError, match="missing"):
        ratio(DESIGNS["clus2"], "api.stu", "enroll")


# ---- tests of association: svychisq(~X + stype, d, statistic = S) -------------------------


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("var", ["sch.wide", "comp.imp"])
@pytest.mark.parametrize("stat", ["F", "Chisq", "Wald", "adjWald"])
def test_chisq_matches_r(name: str, var: str, stat: str) -> None:
    t = chisq_test(DESIGNS[name], var, "stype", statistic=stat)  # type: ignore[arg-type]
    got = [t.statistic, t.ndf, *([] if stat == "Chisq" else [t.ddf]), t.p_value]
    # R returns [statistic, parameter(s), p.value]
    np.testing.assert_allclose(got, _ref(f"chisq_{name}_{var}_{stat}"), rtol=1e-8)


@pytest.mark.parametrize("stat", ["F", "Chisq", "Wald", "adjWald"])
def test_chisq_four_by_three_table_matches_r(stat: str) -> None:
    # apistrat$meals4 <- cut(apistrat$meals, c(-1, 25, 50, 75, 100)); svychisq(~meals4 + stype)
    data = pd.read_csv(DATA / "api" / "api_strat.csv")
    data["meals4"] = pd.cut(data["meals"], [-1, 25, 50, 75, 100]).astype(str)
    d = SurveyDesign(data, weights="pw", strata="stype", fpc="fpc")
    t = chisq_test(d, "meals4", "stype", statistic=stat)
    got = [t.statistic, t.ndf, *([] if stat == "Chisq" else [t.ddf]), t.p_value]
    np.testing.assert_allclose(got, _ref(f"chisq_strat_meals4_{stat}"), rtol=1e-8)


def test_pearson_statistic_equals_scipy_on_equal_weights() -> None:
    # with equal weights, no strata or clusters the weighted table is the count table and X²
    # is scipy's Pearson statistic (no continuity correction)
    from scipy.stats import chi2_contingency

    rng = np.random.default_rng(3)
    data = pd.DataFrame({"a": rng.choice(["x", "y", "z"], 300), "b": rng.choice(["p", "q"], 300)})
    t = chisq_test(SurveyDesign(data), "a", "b")
    expected = chi2_contingency(pd.crosstab(data["a"], data["b"]), correction=False)[0]
    assert t.pearson == pytest.approx(expected, rel=1e-12)
    assert t.table.to_numpy().sum() == pytest.approx(1.0)


def test_table_shares_are_the_domain_proportions() -> None:
    # the cell proportions of the table, read by column, are svyby's domain proportions
    d = DESIGNS["clus1ps"]
    props = d.proportion("sch.wide", level="Yes", by="stype")
    t = chisq_test(d, "sch.wide", "stype")
    assert t.table.to_numpy().sum() == pytest.approx(1.0)
    shares = t.table.loc["Yes"] / t.table.sum()
    np.testing.assert_allclose(shares.to_numpy(), props.table["estimate"].to_numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_dense_covariance_diagonal_is_the_domain_variance(name: str) -> None:
    # the dense covariance behind the Rao-Scott tests has the per-domain SE² of svyby on its
    # diagonal (domain means of api00 by stype; their SEs are checked against R elsewhere)
    d = DESIGNS[name]
    by = d.mean("api00", by="stype")
    codes = pd.factorize(d.data["stype"], sort=True)[0]
    z = np.zeros((d.n, 3))
    z[np.arange(d.n), codes] = 1.0
    w = d.weights
    big_n = (w[:, None] * z).sum(axis=0)
    y = d.data["api00"].to_numpy(dtype=float)
    u = z * (y[:, None] - by.table["estimate"].to_numpy()[None, :]) / big_n
    cov = d._covariance(w[:, None] * u, u)
    np.testing.assert_allclose(np.sqrt(np.diag(cov)), by.table["se"].to_numpy(), rtol=1e-10)


def test_chisq_needs_two_categories() -> None:
    data = pd.DataFrame({"a": ["x"] * 10, "b": ["p", "q"] * 5})
    with pytest.raises(ValueError, match="two categories"):
        chisq_test(SurveyDesign(data), "a", "b")


@pytest.mark.parametrize("name", ["strat", "clus1ps"])
@pytest.mark.parametrize("stat", ["F", "Chisq"])
def test_chisq_within_a_subpopulation_matches_r(name: str, stat: str) -> None:
    # update(d, sw = ifelse(stype == "H", NA, sch.wide), st = ifelse(stype == "H", NA, stype));
    # svychisq(~sw + st, dn, statistic = S): the design is kept, the H schools left out
    d = DESIGNS[name]
    t = chisq_test(d, "sch.wide", "stype", statistic=stat,
                   within=(d.data["stype"] != "H").to_numpy())
    got = [t.statistic, t.ndf, *([] if stat == "Chisq" else [t.ddf]), t.p_value]
    np.testing.assert_allclose(got, _ref(f"chisq_{name}_noH_{stat}"), rtol=1e-8)
    assert list(t.table.columns) == ["E", "M"]


def _calibrated() -> dict[str, SurveyDesign]:
    apipop = pd.read_csv(DATA / "api" / "api_pop.csv")
    types = {"E": 4421, "H": 755, "M": 1018}
    return {
        # rake(clus2, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control = tight)
        "rake2": DESIGNS["clus2"].rake({"stype": types, "sch.wide": {"No": 1072, "Yes": 5122}},
                                       tol=1e-13, max_iter=1000, linearisation="rake"),
        # calibrate(clus1, ~stype + api99, c(`(Intercept)` = 6194, stypeH = 755,
        #           stypeM = 1018, api99 = sum(apipop$api99)))
        "greg1": DESIGNS["clus1"].calibrate({"stype": types},
                                            totals={"api99": float(apipop["api99"].sum())}),
    }


CALIBRATED = _calibrated()


@pytest.mark.parametrize("name", list(CALIBRATED))
def test_estimators_on_calibrated_designs_match_r(name: str) -> None:
    d = CALIBRATED[name]
    for stat in ("F", "Chisq", "Wald"):
        # svychisq(~comp.imp + awards, d, statistic = S)
        t = chisq_test(d, "comp.imp", "awards", statistic=stat)  # type: ignore[arg-type]
        got = [t.statistic, t.ndf, *([] if stat == "Chisq" else [t.ddf]), t.p_value]
        np.testing.assert_allclose(got, _ref(f"chisq_{name}_{stat}"), rtol=1e-8)
    # svyquantile(~api00, d, probs, qrule = "hf7"); svyratio(~api.stu, ~enroll, d, na.rm = TRUE)
    q = quantile(d, "api00", PROBS, rule="hf7")
    np.testing.assert_allclose(q.table[FIELDS].to_numpy().ravel(), _ref(f"q_{name}_hf7_mean"),
                               rtol=TOL)
    r = ratio(d, "api.stu", "enroll", na_rm=True)
    np.testing.assert_allclose([r.estimate, r.se], _ref(f"ratio_{name}"), rtol=TOL)


# ---- lonely PSUs (survey 4.5; R >= 4.4-1's svyby conventions) --------------------------------


def _lonely(opt: str) -> SurveyDesign:
    # options(survey.lonely.psu = OPT)
    # svydesign(id = ~dnum + snum, strata = ~cname, fpc = ~fpc1 + fpc2, data = apiclus2)
    data = pd.read_csv(DATA / "api" / "api_clus2.csv")
    return SurveyDesign(data, psu="dnum", ssu="snum", strata="cname", fpc=("fpc1", "fpc2"),
                        lonely_psu=opt)  # type: ignore[arg-type]


@pytest.mark.parametrize("opt", ["adjust", "average"])
def test_estimators_with_lonely_psus_match_r(opt: str) -> None:
    d = _lonely(opt)
    # svyquantile(~api00, subset(d, stype == S), c(.25, .5), qrule = "math")
    for s in "EH":
        q = quantile(d, "api00", [0.25, 0.5], by="stype")
        got = q.table[q.table["stype"] == s][FIELDS].to_numpy().ravel()
        np.testing.assert_allclose(got, _ref(f"lonely_{opt}_qdom_{s}"), rtol=TOL)
    # svyby(~api.stu, ~stype, denominator = ~enroll, design = d, FUN = svyratio, na.rm = TRUE)
    r = ratio(d, "api.stu", "enroll", by="stype", na_rm=True)
    np.testing.assert_allclose([*r.table["estimate"], *r.table["se"]],
                               _ref(f"lonely_{opt}_ratio_by"), rtol=TOL)
    for stat in ("F", "Chisq", "Wald"):
        # svychisq(~sch.wide + stype, d, statistic = S)
        t = chisq_test(d, "sch.wide", "stype", statistic=stat)  # type: ignore[arg-type]
        got = [t.statistic, t.ndf, *([] if stat == "Chisq" else [t.ddf]), t.p_value]
        np.testing.assert_allclose(got, _ref(f"lonely_{opt}_chisq_{stat}"), rtol=1e-8)
    for stat in ("F", "Chisq"):
        # svychisq(~sw + st, update(d, sw, st = NA for the E schools), statistic = S)
        t = chisq_test(d, "sch.wide", "stype", statistic=stat,  # type: ignore[arg-type]
                       within=(d.data["stype"] != "E").to_numpy())
        got = [t.statistic, t.ndf, *([] if stat == "Chisq" else [t.ddf]), t.p_value]
        np.testing.assert_allclose(got, _ref(f"lonely_{opt}_chisq_noE_{stat}"), rtol=1e-8)


def test_lonely_adjust_domain_quantile_below_first_share_matches_r45() -> None:
    # domain M: the Woodruff lower bound of the 0.5 quantile falls below the first cumulative
    # share; survey 4.5 gives the smallest value (502), 4.1-1 the second-smallest
    q = quantile(_lonely("adjust"), "api00", [0.25, 0.5], by="stype")
    got = q.table[q.table["stype"] == "M"][FIELDS].to_numpy().ravel()
    np.testing.assert_allclose(got, _ref("lonely_adjust_qdom_M"), rtol=TOL)


def test_average_domain_quantile_interval_outside_unit_range_is_nan_as_r() -> None:
    # R (survey 4.5): the Woodruff interval of domain M leaves [0, 1] under "average", so both
    # ends and the SE are NaN while the quantiles themselves are defined
    q = quantile(_lonely("average"), "api00", [0.25, 0.5], by="stype")
    got = q.table[q.table["stype"] == "M"][FIELDS].to_numpy().ravel()
    np.testing.assert_allclose(got, _ref("lonely_average_qdom_M"), rtol=TOL)


def test_ratio_in_a_domain_of_lonely_strata_only_is_refused() -> None:
    # a domain whose strata all have a single PSU has nothing to average (R's svyby: NaN)
    data = pd.read_csv(DATA / "api" / "api_clus2.csv")
    d = SurveyDesign(data, psu="dnum", ssu="snum", strata="cname", fpc=("fpc1", "fpc2"),
                     lonely_psu="average")
    lonely = d.data.groupby("cname")["dnum"].transform("nunique") == 1
    d.data["only"] = np.where(lonely, "lonely", "other")
    with pytest.raises(ValueError, match="single PSU"):
        ratio(d, "api.stu", "enroll", by="only", na_rm=True)


def test_quantile_edge_cases_give_no_half_defined_rows() -> None:
    d = DESIGNS["strat"]
    # "hf4" at p = 1 is undefined (0 / 0): R gives NaN for the quantile and its interval
    row = quantile(d, "api00", 1.0, rule="hf4").table.iloc[0]
    assert np.isnan(row["quantile"]) and np.isnan(row["ci_low"]) and np.isnan(row["se"])
    # below the first cumulative share the quantile is the smallest value (numpy inverted_cdf)
    data = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0], "w": 1.0})
    q = quantile(SurveyDesign(data, weights="w"), "x", 0.1).table["quantile"][0]
    assert q == np.quantile(data["x"], 0.1, method="inverted_cdf") == 1.0


def test_chisq_drops_categories_seen_only_on_zero_weights() -> None:
    data = pd.read_csv(DATA / "api" / "api_strat.csv")
    data.loc[data.index[:3], "stype"] = "X"
    data.loc[data.index[:3], "pw"] = 0.0
    d = SurveyDesign(data.assign(fpc=1e6), weights="pw", strata="sch.wide", fpc="fpc")
    t = chisq_test(d, "comp.imp", "stype", statistic="Wald")
    assert "X" not in t.table.columns and np.isfinite(t.statistic)
