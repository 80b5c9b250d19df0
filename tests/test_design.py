"""Design-based estimation (kpianalysis.design) against published R ``survey`` output.

Reference values and where they come from:

* ``R-api``: the saved output of R survey's own test ``tests/api.Rout.save``
  (cran/survey on GitHub; R 2.14.0 run of ``example(api)``), reproduced by every later version.
* ``R-lonely``: ``tests/lonely.psu.Rout.save`` of the survey package. The ``svymean`` values
  (5.8058, 5.8281, 6.0096, 5.7344) are printed identically by every saved run since survey
  3.30-2 (R 3.1.0); the ``svytotal`` variances of ``design_w_singleton`` (126625, 127579.8)
  first appear in survey 4.4-1's file (R 4.3.1 run): 127579.8 (``"adjust"``) needs
  survey >= 4.4-1, which centres the lonely PSU at the total over all PSUs (4.1-1 centres
  it at 0 and gives 562225 here, checked with Debian's r-cran-survey 4.1-1).
* ``R-deff``: ``tests/deff.Rout.save`` of the survey package.
* ``R-svyby``: R survey 4.5 output of ``svyby(~api99+api00, ~stype, dclus1, svymean,
  deff=TRUE, vartype="ci")`` and of the matching ``svytotal`` call, quoted in a bug report to
  the maintainer (public text; the values are the stored ``DEff`` columns and the interval
  bounds, which R computes with the normal quantile).
* ``svy``: values computed with the independent Python implementation ``svy`` 0.35.0 (not a
  runtime dependency) where no printed R value was available; the calls are given next to them.

Digits: R prints 5 significant digits for means/SEs (``rel=5e-5`` covers rounding of the last
printed digit) and integer totals (``abs=0.5`` plus printed rounding).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kpianalysis.design import DomainEstimates, Estimate, SurveyDesign, proportion_interval

API = Path(__file__).resolve().parent / "data" / "api"  # copy of shared/reference-data/api
pytestmark = pytest.mark.skipif(
    not API.is_dir(), reason=f"API reference data not found at {API} (clone shared/ next to repo)"
)


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(API / name)


@pytest.fixture(scope="module")
def apistrat() -> pd.DataFrame:
    return _read("api_strat.csv")


@pytest.fixture(scope="module")
def apiclus1() -> pd.DataFrame:
    return _read("api_clus1.csv")


@pytest.fixture(scope="module")
def apiclus2() -> pd.DataFrame:
    return _read("api_clus2.csv")


@pytest.fixture(scope="module")
def dstrat(apistrat: pd.DataFrame) -> SurveyDesign:
    # R: dstrat <- svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat, fpc=~fpc)
    return SurveyDesign(apistrat, weights="pw", strata="stype", fpc="fpc")


@pytest.fixture(scope="module")
def dclus1(apiclus1: pd.DataFrame) -> SurveyDesign:
    # R: dclus1 <- svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc)
    return SurveyDesign(apiclus1, weights="pw", psu="dnum", fpc="fpc")


@pytest.fixture(scope="module")
def dclus2(apiclus2: pd.DataFrame) -> SurveyDesign:
    # R: dclus2 <- svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=apiclus2)  (weights from fpc)
    return SurveyDesign(apiclus2, psu="dnum", ssu="snum", fpc=("fpc1", "fpc2"))


# ----------------------------------------------------------------------------------------------
# Means and totals: R-api
# ----------------------------------------------------------------------------------------------

# (design fixture, statistic, column, na_rm, estimate, se, estimate tolerance)
R_API = [
    # R-api: svymean(~api00, dstrat) -> 662.29, SE 9.4089
    ("dstrat", "mean", "api00", False, 662.29, 9.4089),
    # R-api: svytotal(~enroll, dstrat, na.rm=TRUE) -> 3687178, SE 114642
    ("dstrat", "total", "enroll", False, 3687178, 114642),
    # R-api: svymean(~api00, dclus1) -> 644.17, SE 23.542
    ("dclus1", "mean", "api00", False, 644.17, 23.542),
    # R-api: svytotal(~enroll, dclus1, na.rm=TRUE) -> 3404940, SE 932235
    ("dclus1", "total", "enroll", False, 3404940, 932235),
    # R-api: svymean(~api00, dclus2) -> 670.81, SE 30.099
    ("dclus2", "mean", "api00", False, 670.81, 30.099),
    # R-api: svytotal(~enroll, dclus2, na.rm=TRUE) -> 2639273, SE 799638
    ("dclus2", "total", "enroll", True, 2639273, 799638),
]


@pytest.mark.parametrize(("design", "statistic", "column", "na_rm", "est", "se"), R_API)
def test_r_api_examples(request, design, statistic, column, na_rm, est, se):
    d = request.getfixturevalue(design)
    res = getattr(d, statistic)(column, na_rm=na_rm)
    assert isinstance(res, Estimate)
    if statistic == "total":
        assert res.estimate == pytest.approx(est, abs=0.5)
        assert res.se == pytest.approx(se, abs=0.5)
    else:
        assert res.estimate == pytest.approx(est, abs=0.005)
        assert res.se == pytest.approx(se, rel=5e-5)


def test_two_stage_with_replacement(apiclus2):
    # R-api: dclus2wr <- svydesign(id=~dnum+snum, weights=~pw, data=apiclus2)
    #        svymean(~api00, dclus2wr) -> 670.81 SE 30.712;
    #        svytotal(~enroll, dclus2wr, na.rm=TRUE) -> 2639273 SE 820261
    d = SurveyDesign(apiclus2, weights="pw", psu="dnum", ssu="snum")
    m = d.mean("api00")
    assert m.estimate == pytest.approx(670.81, abs=0.005)
    assert m.se == pytest.approx(30.712, rel=5e-5)
    t = d.total("enroll", na_rm=True)
    assert t.estimate == pytest.approx(2639273, abs=0.5)
    assert t.se == pytest.approx(820261, abs=0.5)


def test_weights_from_fpc_match_given_weights(apiclus2, dclus2):
    # R-api summary(dclus2) and summary(dclus2wr) print identical probabilities: the weights
    # implied by fpc1+fpc2 are the pw column.
    np.testing.assert_allclose(dclus2.weights, apiclus2["pw"].to_numpy(), rtol=1e-6)


def test_degrees_of_freedom(dstrat, dclus1, dclus2):
    # R: degf(dstrat) = 200 - 3; degf(dclus1) = 15 - 1; degf(dclus2) = 40 - 1
    assert (dstrat.df, dclus1.df, dclus2.df) == (197, 14, 39)
    assert dstrat.mean("api00").df == 197


def test_t_interval_on_design_df(dclus1):
    res = dclus1.mean("api00")
    q = stats.t.ppf(0.975, 14)
    assert res.ci.low == pytest.approx(res.estimate - q * res.se, rel=1e-12)
    assert res.ci.high == pytest.approx(res.estimate + q * res.se, rel=1e-12)
    wider = res.confint(0.99)
    assert wider.low < res.ci.low and wider.high > res.ci.high


# ----------------------------------------------------------------------------------------------
# Design effects
# ----------------------------------------------------------------------------------------------


def test_deff_srs_example():
    # R-deff: kigyo data; des.srs <- svydesign(ids=~1, weights=~srs.w, data=kigyo)
    #   svymean(~uriage, des.srs, deff=TRUE)  -> 113.700  SE 35.626  DEff 1.0101
    #   svytotal(~uriage, des.srs, deff=TRUE) -> 113700   SE 35626   DEff 1.0101
    kigyo = pd.DataFrame(
        {
            "uriage": [15, 143, 21, 51, 337, 50, 274, 145, 15, 86],
            "srs_w": [100] * 10,
        }
    )
    d = SurveyDesign(kigyo, weights="srs_w")
    m = d.mean("uriage")
    assert m.estimate == pytest.approx(113.7)
    assert m.se == pytest.approx(35.626, rel=5e-5)
    assert m.deff == pytest.approx(1.0101, rel=5e-5)
    assert m.n_eff == pytest.approx(10 / m.deff)
    t = d.total("uriage")
    assert t.se == pytest.approx(35626, abs=0.5)
    assert t.deff == pytest.approx(1.0101, rel=5e-5)


# R-svyby: svyby(~api99+api00, ~stype, dclus1, svymean, deff=TRUE, vartype="ci")
#   DEff.api99: E 5.895734, H 2.211866, M 2.226990; DEff.api00: E 6.583674, H 2.228259,
#   M 2.163900; api99 for E: 607.7917, normal 95% interval (563.0720, 652.5114); upper bounds of
#   api99 for H and M: 677.5702, 672.4177.
R_SVYBY_DEFF = {
    "api99": {"E": 5.895734, "H": 2.211866, "M": 2.226990},
    "api00": {"E": 6.583674, "H": 2.228259, "M": 2.163900},
}


@pytest.mark.parametrize("column", ["api99", "api00"])
def test_domain_deff_r_svyby(dclus1, column):
    res = dclus1.mean(column, by="stype")
    assert isinstance(res, DomainEstimates)
    for stype, deff in R_SVYBY_DEFF[column].items():
        assert res[stype].deff == pytest.approx(deff, rel=5e-7)


def test_domain_means_r_svyby(dclus1):
    res = dclus1.mean("api99", by="stype")
    z = stats.norm.ppf(0.975)  # R's confint on svyby uses the normal quantile
    e = res["E"]
    assert e.estimate == pytest.approx(607.7917, abs=5e-5)
    assert e.estimate - z * e.se == pytest.approx(563.0720, abs=5e-5)
    assert e.estimate + z * e.se == pytest.approx(652.5114, abs=5e-5)
    for stype, upper in {"H": 677.5702, "M": 672.4177}.items():
        d = res[stype]
        assert d.estimate + z * d.se == pytest.approx(upper, abs=5e-5)
    # svy: sample.estimation.mean("api99", by="stype") -> SEs 22.816600382209167,
    # 41.76400033799482, 32.560641345976194; df 14, 7, 11; n 144, 14, 25
    np.testing.assert_allclose(
        res.table["se"], [22.816600382209167, 41.76400033799482, 32.560641345976194], rtol=1e-9
    )
    assert res.table["df"].tolist() == [14, 7, 11]
    assert res.table["n"].tolist() == [144, 14, 25]


def test_domain_total_deff(dclus1):
    # R-svyby: svyby(~enroll, ~stype, dclus1, svytotal, deff=TRUE): DEff for E 125.04
    # svy: sample.estimation.total("enroll", by="stype", deff="wor") -> E 2109717.126998611,
    #      SE 631349.386324111, deff 125.03907530935932; H 535594.86960944, SE 226716.594724006
    res = dclus1.total("enroll", by="stype")
    e = res["E"]
    assert e.deff == pytest.approx(125.04, abs=0.005)
    assert e.estimate == pytest.approx(2109717.126998611, rel=1e-10)
    assert e.se == pytest.approx(631349.386324111, rel=1e-9)
    assert res["H"].se == pytest.approx(226716.594724006, rel=1e-9)
    # domains partition the sample: domain totals add up to the overall total
    assert res.table["estimate"].sum() == pytest.approx(dclus1.total("enroll").estimate)


def test_two_stage_domains(dclus2):
    # svy: Sample(apiclus2, Design(psu="dnum", ssu="snum", wgt="pw",
    #      pop_size=PopSize(psu="fpc1", ssu="fpc2"))).estimation.mean("api00", by="stype",
    #      deff="wor")
    res = dclus2.mean("api00", by="stype")
    np.testing.assert_allclose(
        res.table["estimate"], [692.8104008667391, 598.3406593406595, 642.3519999999999],
        rtol=1e-10,
    )
    np.testing.assert_allclose(
        res.table["se"], [29.926604237403, 17.69416712609102, 45.09131630033111], rtol=1e-9
    )
    np.testing.assert_allclose(
        res.table["deff"], [3.946035940628549, 0.6629107948851783, 2.674994421368794],
        rtol=1e-9,
    )
    assert res.table["df"].tolist() == [34, 13, 20]


def test_crossed_domains(dstrat):
    # svy: Sample(apistrat, Design(stratum="stype", wgt="pw", pop_size="fpc"))
    #      .estimation.mean("api00", by=["stype", "awards"], deff="wor")
    res = dstrat.mean("api00", by=["stype", "awards"])
    assert res.domains == [("E", "No"), ("E", "Yes"), ("H", "No"), ("H", "Yes"),
                           ("M", "No"), ("M", "Yes")]
    np.testing.assert_allclose(
        res.table["se"],
        [25.766732465194426, 13.979701345051087, 15.771328616039643, 30.67662077771124,
         21.64198159208548, 21.522836522895513],
        rtol=1e-9,
    )
    assert res[("H", "Yes")].estimate == pytest.approx(661.9999999999998, rel=1e-12)
    assert res[("E", "No")].deff == pytest.approx(0.9726898620471942, rel=1e-9)


# ----------------------------------------------------------------------------------------------
# Proportions
# ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clus1_flags(apiclus1: pd.DataFrame) -> SurveyDesign:
    data = apiclus1.assign(ell0=apiclus1["ell"] == 0, sw=apiclus1["sch.wide"] == "Yes")
    return SurveyDesign(data, weights="pw", psu="dnum", fpc="fpc")


# svy: Sample(apiclus1 + ell0, Design(psu="dnum", wgt="pw", pop_size="fpc"))
#      .estimation.prop("ell0", ci_method=m): p = 0.02185792349726782, se = 0.022622450861134007;
#      "logit" (R svyciprop method="logit", Wald on the logit scale with degf df) and "beta"
#      (R svyciprop method="beta", Korn-Graubard).
PROP_CI = [
    ("logit", 0.0023046912841355014, 0.1777477668226999),
    ("beta", 0.0002161468327431592, 0.137507763914981),
    ("korn-graubard", 0.0002161468327431592, 0.137507763914981),
]


@pytest.mark.parametrize(("method", "low", "high"), PROP_CI)
def test_proportion_intervals(clus1_flags, method, low, high):
    res = clus1_flags.proportion("ell0", ci_method=method)
    assert res.estimate == pytest.approx(0.02185792349726782, rel=1e-12)
    assert res.se == pytest.approx(0.022622450861134007, rel=1e-9)
    assert res.ci.low == pytest.approx(low, rel=1e-7)
    assert res.ci.high == pytest.approx(high, rel=1e-7)


def test_wilson_with_effective_sample_size(clus1_flags):
    # Wilson score interval on the effective sample size n* = p(1-p)/se^2 with the t quantile
    # on the design df (14). Reference: statsmodels 0.15.0
    #   proportion_confint(p * n_star, n_star, alpha=2 * norm.sf(t.ppf(0.975, 14)),
    #                      method="wilson")
    # with n_star = 41.77645030805774, alpha = 0.031969906045356655
    #   -> (0.003178777237786576, 0.1353912851471647)
    res = clus1_flags.proportion("ell0", ci_method="wilson")
    n_star = res.estimate * (1 - res.estimate) / res.se**2
    assert n_star == pytest.approx(41.77645030805774, rel=1e-9)
    assert res.ci.low == pytest.approx(0.003178777237786576, rel=1e-9)
    assert res.ci.high == pytest.approx(0.1353912851471647, rel=1e-9)


def test_proportion_by_domain(clus1_flags):
    # svy: .estimation.prop("sw", by="stype", ci_method="beta", deff="wor"), level sw = 1
    res = clus1_flags.proportion("sw", by="stype", ci_method="beta")
    np.testing.assert_allclose(
        res.table["estimate"], [0.9166666666666674, 0.7857142857142857, 0.6799999999999999],
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        res.table["se"], [0.02098427895249093, 0.09146190998884926, 0.10950224839804529],
        rtol=1e-9,
    )
    np.testing.assert_allclose(
        res.table["ci_low"], [0.8597653587373517, 0.5217609712072495, 0.40570899167224],
        rtol=1e-7,
    )
    np.testing.assert_allclose(
        res.table["ci_high"], [0.9558166233101519, 0.9439076936708067, 0.8852412895437648],
        rtol=1e-7,
    )
    np.testing.assert_allclose(
        res.table["deff"], [0.8494120515318219, 0.6655650205154113, 1.3627710410798568],
        rtol=1e-9,
    )


def test_proportion_of_level_equals_boolean(apiclus1, clus1_flags):
    d = SurveyDesign(apiclus1, weights="pw", psu="dnum", fpc="fpc")
    a = d.proportion("sch.wide", level="Yes")
    b = clus1_flags.proportion("sw")
    assert a.estimate == pytest.approx(b.estimate, rel=1e-14)
    assert a.se == pytest.approx(b.se, rel=1e-12)


def test_proportion_at_boundary_has_finite_interval():
    data = pd.DataFrame({"y": [1, 1, 1, 1], "w": [1.0, 2.0, 1.0, 2.0]})
    res = SurveyDesign(data, weights="w").proportion("y")
    assert res.estimate == 1.0
    # Clopper-Pearson with n = 4 (df-adjusted factor 1 here): lower = (alpha/2)^(1/4)
    assert res.ci.low == pytest.approx(stats.beta.ppf(0.025, 4, 1), rel=1e-9)
    assert res.ci.high == 1.0
    assert "boundary" in res.ci.method


def test_proportion_interval_function_matches_method(clus1_flags):
    res = clus1_flags.proportion("ell0", ci_method="logit")
    ci = proportion_interval(res.estimate, res.se, n=res.n, df=res.df, method="beta")
    assert ci.low == pytest.approx(PROP_CI[1][1], rel=1e-7)
    assert res.confint(method="beta").high == pytest.approx(PROP_CI[1][2], rel=1e-7)


# ----------------------------------------------------------------------------------------------
# Lonely PSUs: R-lonely
# ----------------------------------------------------------------------------------------------

# R-lonely: ds <- svydesign(id=~1, weights=~pw, strata=~dnum, data=apiclus1); stratum 413 has one
# PSU. svymean(~api00, ds) under options(survey.lonely.psu=...)
LONELY = [("remove", 5.8058), ("certainty", 5.8058), ("adjust", 5.8281), ("average", 6.0096)]


@pytest.mark.parametrize(("option", "se"), LONELY)
def test_lonely_psu_options(apiclus1, option, se):
    d = SurveyDesign(apiclus1, weights="pw", strata="dnum", lonely_psu=option)
    res = d.mean("api00")
    assert res.estimate == pytest.approx(644.17, abs=0.005)
    assert res.se == pytest.approx(se, rel=5e-5)


def test_lonely_psu_fail_names_stratum(apiclus1):
    # R-lonely: options(survey.lonely.psu="fail"); svymean(~api00, ds)
    #   -> Error: Stratum (413) has only one PSU at stage 1
    with pytest.raises(ValueError, match=r"413.*only one PSU"):
        SurveyDesign(apiclus1, weights="pw", strata="dnum")


@pytest.mark.parametrize("option", ["fail", "remove", "certainty", "adjust", "average"])
def test_certainty_stratum_by_fpc(apiclus1, option):
    # R-lonely: fpc <- ifelse(apiclus1$dnum==413, 1, 1000); every option -> SE 5.7344
    data = apiclus1.assign(f=np.where(apiclus1["dnum"] == 413, 1, 1000))
    d = SurveyDesign(data, weights="pw", strata="dnum", fpc="f", lonely_psu=option)
    assert d.mean("api00").se == pytest.approx(5.7344, rel=5e-5)


@pytest.mark.parametrize(("option", "variance"), [
    # R-lonely (survey 4.4-1's tests/lonely.psu.Rout.save, R 4.3.1): design_w_singleton;
    # vcov(svytotal(~Age, design)) under each option ("adjust" needs survey >= 4.4-1)
    ("remove", 126625.0), ("certainty", 126625.0), ("adjust", 127579.8),
])
def test_lonely_psu_totals(option, variance):
    data = pd.DataFrame({
        "Stratum": [1, 1, 2, 2, 3], "PSU": [1, 2, 3, 4, 5],
        "Design_Weight": [10.5, 10.5, 20, 20, 15], "Age": [30.5, 40.5, 35, 52, 44],
    })
    d = SurveyDesign(data, weights="Design_Weight", strata="Stratum", psu="PSU",
                     lonely_psu=option)
    assert d.total("Age").se ** 2 == pytest.approx(variance, rel=1e-6)


# ----------------------------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------------------------


def test_results_are_json_and_html(dclus1):
    est = dclus1.mean("api00")
    json.dumps(est.to_dict())
    assert "<table" in est._repr_html_()
    dom = dclus1.mean("api00", by="stype")
    payload = dom.to_dict()
    json.dumps(payload)
    assert payload["table"][0]["stype"] == "E"
    assert "<table" in dom._repr_html_()
    assert len(dom) == 3
    with pytest.raises(KeyError, match="not found"):
        dom["X"]


# ----------------------------------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------------------------------


@pytest.fixture()
def small() -> pd.DataFrame:
    return pd.DataFrame({
        "h": ["a", "a", "b", "b", "b"],
        "psu": [1, 2, 3, 4, 5],
        "w": [1.0, 2.0, 1.5, 1.0, 3.0],
        "y": [1.0, 2.0, 3.0, 4.0, 5.0],
        "flag": [0, 1, 1, 0, 1],
        "mode": ["web", "web", "field", "field", "web"],
    })


def test_negative_weights(small):
    data = small.assign(w=[1.0, -2.0, 1.5, -1.0, 3.0])
    with pytest.raises(ValueError, match=r"'w'.*rows 2, 4.*-2\.0, -1\.0"):
        SurveyDesign(data, weights="w", strata="h")


def test_missing_weights(small):
    data = small.assign(w=[1.0, np.nan, 1.5, 1.0, 3.0])
    with pytest.raises(ValueError, match=r"'w'.*row 2.*nan"):
        SurveyDesign(data, weights="w", strata="h")


def test_single_psu_stratum_default_fails(small):
    data = small.assign(h=["a", "b", "b", "b", "b"])
    with pytest.raises(ValueError, match=r"stratum 'a'.*only one PSU.*'h'"):
        SurveyDesign(data, weights="w", strata="h")


def test_fpc_smaller_than_sample(small):
    data = small.assign(N=[10, 10, 2, 2, 2])
    with pytest.raises(ValueError, match=r"smaller than the sample.*'b': population 2 < sampled 3"):
        SurveyDesign(data, weights="w", strata="h", fpc="N")


def test_fpc_varying_within_stratum(small):
    data = small.assign(N=[10, 11, 20, 20, 20])
    with pytest.raises(ValueError, match=r"varies within stratum 'a'"):
        SurveyDesign(data, weights="w", strata="h", fpc="N")


def test_empty_domain(small):
    data = small.assign(mode=pd.Categorical(small["mode"], categories=["web", "field", "phone"]))
    d = SurveyDesign(data, weights="w", strata="h")
    with pytest.raises(ValueError, match=r"'mode'.*no respondents.*'phone'"):
        d.mean("y", by="mode")


def test_domain_with_only_missing_outcome(small):
    data = small.assign(y=[1.0, 2.0, np.nan, np.nan, 5.0], mode=["w", "w", "f", "f", "w"])
    d = SurveyDesign(data, weights="w", strata="h")
    with pytest.raises(ValueError, match=r"domain 'f'.*no respondents"):
        d.mean("y", by="mode", na_rm=True)


def test_missing_outcome_needs_na_rm(small):
    data = small.assign(y=[1.0, np.nan, 3.0, 4.0, 5.0])
    d = SurveyDesign(data, weights="w", strata="h")
    with pytest.raises(ValueError, match=r"'y'.*row 2.*missing.*na_rm=True"):
        d.mean("y")
    assert np.isfinite(d.mean("y", na_rm=True).se)


def test_non_numeric_outcome(small):
    data = small.assign(y=["1", "2", "x", "4", "5"])
    d = SurveyDesign(data, weights="w", strata="h")
    with pytest.raises(ValueError, match=r"'y'.*numeric.*'1', '2', 'x'"):
        d.mean("y")


def test_proportion_needs_binary(small):
    d = SurveyDesign(small, weights="w", strata="h")
    with pytest.raises(ValueError, match=r"'y'.*0/1.*2\.0, 3\.0"):
        d.proportion("y")


def test_unknown_options(small):
    with pytest.raises(ValueError, match="valid values are: adjust, average, certainty"):
        SurveyDesign(small, weights="w", lonely_psu="drop")
    d = SurveyDesign(small, weights="w", strata="h")
    with pytest.raises(ValueError,
                       match="valid values are: asin, beta, korn-graubard, likelihood, logit"):
        d.proportion("flag", ci_method="exact")
    with pytest.raises(ValueError, match=r"column 'nope' not found"):
        d.mean("nope")


def test_psu_not_nested(small):
    data = small.assign(psu=[1, 2, 2, 3, 4])
    with pytest.raises(ValueError, match=r"not nested.*nest=True"):
        SurveyDesign(data, weights="w", strata="h", psu="psu")
    d = SurveyDesign(data, weights="w", strata="h", psu="psu", nest=True)
    assert d.n_psu == 5


def test_fpc_as_sampling_fractions(apistrat, dstrat):
    # R's as.fpc: fpc values <= 1 are sampling fractions n_h / N_h; same design as dstrat
    n_h = apistrat.groupby("stype")["stype"].transform("size")
    d = SurveyDesign(apistrat.assign(f=n_h / apistrat["fpc"]), weights="pw", strata="stype",
                     fpc="f")
    assert d.mean("api00").se == pytest.approx(dstrat.mean("api00").se, rel=1e-12)


def test_domain_proportion_at_boundary(small):
    d = SurveyDesign(small.assign(flag=[1, 1, 0, 1, 1]), weights="w", strata="h")
    res = d.proportion("flag", by="mode", ci_method="wilson")
    web = res["web"]
    assert web.estimate == 1.0 and web.se == 0.0
    assert 0.0 < web.ci.low < 1.0 and web.ci.high == 1.0
    assert np.isfinite(res.table[["ci_low", "ci_high"]].to_numpy()).all()


def test_with_weights_and_repr(dclus1):
    d = dclus1.with_weights(dclus1.weights * 2)
    assert d.total("enroll").estimate == pytest.approx(2 * dclus1.total("enroll").estimate)
    assert d.mean("api00").se == pytest.approx(dclus1.mean("api00").se, rel=1e-12)
    assert "psu='dnum' (15)" in repr(dclus1)
    with pytest.raises(ValueError, match="one value per row"):
        dclus1.with_weights([1.0, 2.0])
