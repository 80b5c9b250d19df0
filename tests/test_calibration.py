"""Calibration (issue 12): raking's two linearisations by name, linear / bounded linear / logit /
raking calibration to several margins and to totals of continuous auxiliaries, and the
calibrated designs' standard errors; bad input.

Every reference value comes from ``tests/data/r_reference/calibration.R`` run with R 4.2.2 and
Debian's r-cran-survey 4.1-1 (versions stored in ``calibration.json``), on R's ``data(api)``
(the rows of ``tests/data/api/*.csv``), printed with 17 significant digits. For each case the
script stores the calibrated weights, ``svymean(~api00)``, ``svytotal(~enroll, na.rm = TRUE)``,
the proportion ``svymean(~I(awards == "Yes"))`` and its ``svyciprop(method = "logit")``
interval, and ``svyby(~api00 / ~enroll, ~comp.imp, ...)`` domain means and totals; the R call
behind each case is quoted beside it here and in the script.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kpianalysis import DataValidationError
from kpianalysis.design import SurveyDesign, calibrate, rake
from kpianalysis.weighting import calibrate_weights, rake_weights

DATA = Path(__file__).resolve().parent / "data"
R = json.loads((DATA / "r_reference" / "calibration.json").read_text())
RTOL = 1e-8


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / "api" / name)


@pytest.fixture(scope="module")
def apipop() -> pd.DataFrame:
    return _read("api_pop.csv")


@pytest.fixture(scope="module")
def dstrat() -> SurveyDesign:
    # R: svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
    return SurveyDesign(_read("api_strat.csv"), weights="pw", strata="stype", fpc="fpc")


@pytest.fixture(scope="module")
def dclus1() -> SurveyDesign:
    # R: svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
    return SurveyDesign(_read("api_clus1.csv"), weights="pw", psu="dnum", fpc="fpc")


@pytest.fixture(scope="module")
def dclus2() -> SurveyDesign:
    # R: svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
    return SurveyDesign(_read("api_clus2.csv"), psu="dnum", ssu="snum", fpc=("fpc1", "fpc2"))


# population margins, from apipop (checked against the values the R script used)
def _margin(apipop: pd.DataFrame, column: str) -> dict[str, int]:
    return apipop[column].value_counts().sort_index().to_dict()


@pytest.fixture(scope="module")
def pop(apipop: pd.DataFrame) -> dict[str, Any]:
    return {
        "stype": _margin(apipop, "stype"),
        "sch.wide": _margin(apipop, "sch.wide"),
        "comp.imp": _margin(apipop, "comp.imp"),
        "N": len(apipop),
        "api99": float(apipop["api99"].sum()),
        "stype x sch.wide": apipop.groupby(["stype", "sch.wide"]).size(),
    }


def test_reference_versions_and_population(pop: dict[str, Any]) -> None:
    assert R["survey_version"] == "4.1.1"
    assert R["R_version"].startswith("R version 4.2")
    assert list(pop["stype"].values()) == R["pop_stype"]
    assert list(pop["sch.wide"].values()) == R["pop_sch_wide"]
    assert list(pop["comp.imp"].values()) == R["pop_comp_imp"]
    assert pop["N"] == R["pop_N"]
    assert pop["api99"] == R["pop_api99"]


def _check(design: SurveyDesign, key: str) -> None:
    """Weights and every stored estimate of case ``key`` against R."""
    np.testing.assert_allclose(design.weights, R[f"{key}_weights"], rtol=RTOL, atol=0)
    m = design.mean("api00")
    np.testing.assert_allclose([m.estimate, m.se], R[f"{key}_mean_api00"], rtol=RTOL)
    t = design.total("enroll", na_rm=True)
    np.testing.assert_allclose([t.estimate, t.se], R[f"{key}_total_enroll"], rtol=RTOL)
    p = design.proportion("awards", level="Yes", ci_method="logit")
    np.testing.assert_allclose([p.estimate, p.se], R[f"{key}_prop_awards"], rtol=RTOL)
    # svyciprop(method = "logit"): R's point estimate is back-transformed from the logit scale
    np.testing.assert_allclose([p.ci.low, p.ci.high], R[f"{key}_ciprop_awards_logit"][1:],
                               rtol=1e-7)
    b = design.mean("api00", by="comp.imp").table
    assert b["comp.imp"].tolist() == ["No", "Yes"]
    np.testing.assert_allclose([*b["estimate"], *b["se"]],
                               R[f"{key}_by_compimp_mean_api00"], rtol=RTOL)
    b = design.total("enroll", by="comp.imp", na_rm=True).table
    np.testing.assert_allclose([*b["estimate"], *b["se"]],
                               R[f"{key}_by_compimp_total_enroll"], rtol=RTOL)


TIGHT = {"tol": 1e-13, "max_iter": 1000}  # R: control = list(maxit = 1000, epsilon = 1e-13)


# ---- 1. raking: the two linearisations -------------------------------------------------------


def test_rake_linearisation_rake_matches_r_rake(dclus2, pop) -> None:
    # rake(dclus2, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control = tight)
    r = dclus2.rake({"stype": pop["stype"], "sch.wide": pop["sch.wide"]}, **TIGHT,
                    linearisation="rake")
    _check(r, "clus2_rake")
    # the figure: rake() SE of mean api00 31.72751
    assert r.mean("api00").se == pytest.approx(31.72751, abs=5e-6)
    assert r.calibration[0]["linearisation"] == "rake"


def test_rake_default_linearisation_is_calibrate_raking(dclus2, pop) -> None:
    # calibrate(dclus2, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
    #           calfun = "raking")
    margins = {"stype": pop["stype"], "sch.wide": pop["sch.wide"]}
    r = rake(dclus2, margins, **TIGHT)
    _check(r, "clus2_calraking")
    assert r.mean("api00").se == pytest.approx(25.99754, abs=5e-6)  # the figure
    # the same design through calibrate(calfun = "raking") (Newton instead of IPF)
    _check(dclus2.calibrate(margins, calfun="raking", tol=1e-12), "clus2_calraking")


def test_rake_linearisation_with_r_default_control(dclus2, pop) -> None:
    # rake(dclus2, list(~stype, ~sch.wide), list(pop.types, pop.schwide)): R's default
    # control = list(maxit = 10, epsilon = 1), i.e. tol = 1 / N here; not fully converged, so
    # the weights after each margin of the last pass matter
    r = dclus2.rake({"stype": pop["stype"], "sch.wide": pop["sch.wide"]}, tol=1 / pop["N"],
                    max_iter=10, linearisation="rake")
    _check(r, "clus2_rake_default")


def test_rake_linearisation_three_margins_stratified(dstrat, pop) -> None:
    # rake(dstrat, list(~stype, ~sch.wide, ~comp.imp), list(pop.types, pop.schwide, pop.imp),
    #      control = tight)
    r = dstrat.rake({k: pop[k] for k in ("stype", "sch.wide", "comp.imp")}, **TIGHT,
                    linearisation="rake")
    _check(r, "strat_rake")


def test_rake_linearisation_joint_margin(dclus1, pop) -> None:
    # rake(dclus1, list(~stype + sch.wide, ~comp.imp), list(pop.table, pop.imp),
    #      control = tight)
    margins = {("stype", "sch.wide"): pop["stype x sch.wide"], "comp.imp": pop["comp.imp"]}
    _check(dclus1.rake(margins, **TIGHT, linearisation="rake"), "clus1_rake_joint")


def test_linearisations_agree_with_constant_weights_in_cells(dclus1, pop) -> None:
    # tests/rakecheck.Rout.save of the survey package: on dclus1 (equal weights) rake() and
    # calibrate(calfun = "raking") print the same mean api00, 641.23 SE 23.704
    margins = {"stype": pop["stype"], "sch.wide": pop["sch.wide"]}
    for lin in ("calibrate", "rake"):
        m = dclus1.rake(margins, tol=1e-10, linearisation=lin).mean("api00")
        assert m.estimate == pytest.approx(641.23, abs=0.005)
        assert m.se == pytest.approx(23.704, rel=5e-5)


def test_poststratify_then_rake_linearisation(dclus2, pop) -> None:
    # rake(postStratify(dclus2, ~stype, pop.types), list(~sch.wide, ~comp.imp),
    #      list(pop.schwide, pop.imp), control = tight)
    d = dclus2.poststratify("stype", pop["stype"])
    r = d.rake({"sch.wide": pop["sch.wide"], "comp.imp": pop["comp.imp"]}, **TIGHT,
               linearisation="rake")
    _check(r, "clus2_ps_then_rake")


def test_rake_linearisation_then_calibration(dclus2, pop) -> None:
    # calibrate(rake(dclus2, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
    #           control = tight), ~api99, c(`(Intercept)` = N, api99 = T.api99))
    r = dclus2.rake({"stype": pop["stype"], "sch.wide": pop["sch.wide"]}, **TIGHT,
                    linearisation="rake")
    c = r.calibrate(totals={"api99": pop["api99"]}, population_size=pop["N"])
    _check(c, "clus2_rake_then_linear")
    assert [s["kind"] for s in c.calibration] == ["rake", "calibrate:linear"]


# ---- 2. calibration -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "kwargs"),
    [
        # calibrate(dclus2, ~stype + sch.wide + api99, pop.c2)  (GREG)
        ("clus2_linear", {}),
        # calibrate(dclus2, ~stype + sch.wide + api99, pop.c2, calfun = "logit",
        #           bounds = c(0.4, 2), epsilon = 1e-12)
        ("clus2_logit", {"calfun": "logit", "bounds": (0.4, 2), "tol": 1e-12}),
        # calibrate(..., calfun = "linear", bounds = c(0.5, 1.7), epsilon = 1e-12)
        ("clus2_linear_bounded", {"calfun": "linear", "bounds": (0.5, 1.7), "tol": 1e-12}),
        # calibrate(..., calfun = "raking", epsilon = 1e-12)
        ("clus2_raking_api99", {"calfun": "raking", "tol": 1e-12}),
    ],
)
def test_calibrate_margins_and_auxiliary(dclus2, pop, key: str, kwargs: dict) -> None:
    # pop.c2 <- c(`(Intercept)` = N, stypeH = 755, stypeM = 1018, sch.wideYes = 5122,
    #             api99 = T.api99)
    c = calibrate(dclus2, {"stype": pop["stype"], "sch.wide": pop["sch.wide"]},
                  {"api99": pop["api99"]}, **kwargs)
    _check(c, key)
    w = c.weights
    assert w.sum() == pytest.approx(pop["N"], rel=1e-10)
    assert float(np.sum(w * c.data["api99"])) == pytest.approx(pop["api99"], rel=1e-10)
    if "bounds" in kwargs:
        g = w / dclus2.weights
        lo, hi = kwargs["bounds"]
        assert g.min() >= lo * (1 - 1e-12) and g.max() <= hi * (1 + 1e-12)


def test_bounds_bind(dclus2, pop) -> None:
    # unbounded GREG g ranges beyond (0.4, 2) / (0.5, 1.7): the bounded fits differ from it
    g = calibrate(dclus2, {"stype": pop["stype"], "sch.wide": pop["sch.wide"]},
                  {"api99": pop["api99"]}).weights / dclus2.weights
    assert g.min() < 0.4


@pytest.mark.parametrize(
    ("key", "kwargs"),
    [
        # calibrate(dstrat, list(~stype, ~sch.wide, ~comp.imp),
        #           list(pop.types, pop.schwide, pop.imp))
        ("strat_linear", {}),
        # ... calfun = "logit", bounds = c(0.5, 2.5), epsilon = 1e-12
        ("strat_logit", {"calfun": "logit", "bounds": (0.5, 2.5), "tol": 1e-12}),
    ],
)
def test_calibrate_several_categorical_margins(dstrat, pop, key: str, kwargs: dict) -> None:
    c = dstrat.calibrate({k: pop[k] for k in ("stype", "sch.wide", "comp.imp")}, **kwargs)
    _check(c, key)


def test_calibrate_joint_margin(dclus1, pop) -> None:
    # calibrate(dclus1, list(~stype + sch.wide, ~comp.imp), list(pop.table, pop.imp))
    joint = {("stype", "sch.wide"): pop["stype x sch.wide"], "comp.imp": pop["comp.imp"]}
    _check(dclus1.calibrate(joint), "clus1_linear_joint")
    # a redundant margin (stype is implied by the joint one) makes the model matrix
    # collinear; the fit and its SEs are the same
    _check(dclus1.calibrate({**joint, "stype": pop["stype"]}), "clus1_linear_joint")


def test_calibrate_auxiliary_with_population_size(dclus1, pop) -> None:
    # calibrate(dclus1, ~api99, c(`(Intercept)` = N, api99 = T.api99))
    _check(dclus1.calibrate(totals={"api99": pop["api99"]}, population_size=pop["N"]),
           "clus1_linear_api99")


def test_calibrate_auxiliary_alone_is_ratio_estimator(dclus1, pop) -> None:
    # calibrate(dclus1, ~api99 - 1, c(api99 = T.api99))
    _check(dclus1.calibrate(totals={"api99": pop["api99"]}), "clus1_ratio_api99")


def test_logit_with_r_default_epsilon(dclus1, pop) -> None:
    # calibrate(dclus1, ~stype + api99, pop.c2[c(1, 2, 3, 5)], calfun = "logit",
    #           bounds = c(0.5, 1.9))   (R's default epsilon = 1e-7, maxit = 50)
    c = dclus1.calibrate({"stype": pop["stype"]}, {"api99": pop["api99"]}, calfun="logit",
                         bounds=(0.5, 1.9))
    _check(c, "clus1_logit_default")
    info = c.calibration[0]
    assert info["converged"] and info["calfun"] == "logit" and info["max_misfit"] < 1e-7


def test_calibrate_weights_array_level(dclus1, pop) -> None:
    # the weights of calibrate(dclus1, ~api99, c(`(Intercept)` = N, api99 = T.api99))
    res = calibrate_weights(dclus1.weights, covariates={"api99": dclus1.data["api99"]},
                            totals={"api99": pop["api99"]}, population_size=pop["N"])
    np.testing.assert_allclose(res.weights, R["clus1_linear_api99_weights"], rtol=RTOL)
    assert res.converged and res.iterations == 1  # linear: one Newton step is exact
    np.testing.assert_allclose(res.g * dclus1.weights, res.weights)


def test_calibrate_weights_array_level_margins(dstrat, pop) -> None:
    # the weights of calibrate(dstrat, list(~stype, ~sch.wide, ~comp.imp), list(...))
    keys = ("stype", "sch.wide", "comp.imp")
    res = calibrate_weights(dstrat.weights, {k: dstrat.data[k] for k in keys},
                            {k: pop[k] for k in keys})
    np.testing.assert_allclose(res.weights, R["strat_linear_weights"], rtol=RTOL)


def test_calibrate_with_shares(dstrat, pop) -> None:
    # shares times the population size give the counts of the strat_linear case
    shares = {k: {c: v / pop["N"] for c, v in pop[k].items()}
              for k in ("stype", "sch.wide", "comp.imp")}
    c = dstrat.calibrate(shares, population_size=pop["N"])
    np.testing.assert_allclose(c.weights, R["strat_linear_weights"], rtol=RTOL)


# ---- 3. bad input ---------------------------------------------------------------------------


def test_calibration_that_cannot_meet_its_margins(dclus1, pop) -> None:
    # R: calibrate(dclus1, ~stype + api99, ..., calfun = "logit", bounds = c(0.9, 1.1)) stops
    assert R["clus1_logit_tight_bounds_fails"] is True
    with pytest.raises(DataValidationError,
                       match=r"cannot meet its constraints.*largest miss at margin 'stype', "
                             r"category '[EHM]': weighted total [\d.]+ against the "
                             r"population's \d+, missing it by [-+][\d.]+"):
        dclus1.calibrate({"stype": pop["stype"]}, {"api99": pop["api99"]}, calfun="logit",
                         bounds=(0.9, 1.1))


def test_calibration_miss_on_auxiliary_named(dclus1, pop) -> None:
    with pytest.raises(DataValidationError, match=r"api99 \(total\)"):
        dclus1.calibrate(totals={"api99": 3 * pop["api99"]}, population_size=pop["N"],
                         calfun="linear", bounds=(0.5, 1.5))


def test_negative_greg_weights_refused(dclus1, pop) -> None:
    # R: calibrate(dclus1, ~api99, c(`(Intercept)` = N, api99 = 1.1 * T.api99)) keeps 22
    # negative weights (smallest g -0.6837); the estimators here would drop them, so refuse
    count, g_min = R["clus1_linear_api99x1.1_negative"]
    with pytest.raises(DataValidationError,
                       match=rf"gives {int(count)} negative weight\(s\) \(smallest g "
                             rf"{g_min:.4g}\); bound"):
        dclus1.calibrate(totals={"api99": 1.1 * pop["api99"]}, population_size=pop["N"])
    # bounded, the same totals can be met
    c = dclus1.calibrate(totals={"api99": 1.1 * pop["api99"]}, population_size=pop["N"],
                         calfun="logit", bounds=(0.05, 20))
    assert c.weights.min() > 0


def test_force_keeps_weights_with_a_warning(dclus1, pop) -> None:
    with pytest.warns(RuntimeWarning, match="cannot meet"):
        c = dclus1.calibrate({"stype": pop["stype"]}, {"api99": pop["api99"]},
                             calfun="logit", bounds=(0.9, 1.1), force=True)
    assert np.all(np.isfinite(c.weights))
    assert not c.calibration[0]["converged"]


def _cycling() -> SurveyDesign:
    frame = pd.DataFrame({"a": np.repeat(["x", "y"], 50), "b": np.repeat(["u", "v"], 50),
                          "w": 1.0, "y": np.arange(100.0)})
    return SurveyDesign(frame, weights="w")


CYCLING = {"a": {"x": 100, "y": 400}, "b": {"u": 450, "v": 50}}


def test_raking_margins_that_cannot_hold_together() -> None:
    # R: rake(dd, list(~a, ~b), ...) on a sample where a and b are the same split returns
    # without a warning; svytotal(~a, r) shows margin a missed: x 450 (population 100)
    assert "rake_infeasible_warning" not in R
    achieved = R["rake_infeasible_total_a"][0]
    pattern = (rf"raking cannot meet its margins.*margin 'a', category 'x': weighted total "
               rf"{achieved:.10g} against the population's 100, missing it by \+350")
    for lin in ("calibrate", "rake"):
        with pytest.raises(DataValidationError, match=pattern):
            _cycling().rake(CYCLING, linearisation=lin)
    with pytest.warns(RuntimeWarning, match="did not converge to the margins"):
        res = rake_weights(np.ones(100), {"a": np.repeat(["x", "y"], 50),
                                          "b": np.repeat(["u", "v"], 50)}, CYCLING)
    assert not res.converged


def test_raking_force_keeps_weights() -> None:
    with pytest.warns(RuntimeWarning, match="missing it by"):
        r = _cycling().rake(CYCLING, force=True)
    assert np.isfinite(r.mean("y").se)


def test_inconsistent_population_totals(dstrat, pop) -> None:
    margins = {"stype": pop["stype"], "sch.wide": {"No": 1072, "Yes": 5200}}
    with pytest.raises(DataValidationError, match=r"disagree in total: 'stype': 6194, "
                                                  r"'sch.wide': 6272"):
        dstrat.calibrate(margins)
    with pytest.raises(DataValidationError, match=r"population_size 6000.*'stype' \(6194\)"):
        dstrat.calibrate({"stype": pop["stype"]}, population_size=6000)


def test_margin_category_absent_from_sample(dclus1, pop) -> None:
    with pytest.raises(DataValidationError,
                       match=r"column 'stype'.*absent from the sample.*'K' \(population 55"):
        dclus1.calibrate({"stype": {**pop["stype"], "K": 55}})
    with pytest.raises(DataValidationError, match=r"'stype'.*absent from the sample.*'K'"):
        dclus1.rake({"stype": {**pop["stype"], "K": 55}, "sch.wide": {"No": 1072,
                                                                      "Yes": 5177}})


def test_sample_category_without_margin(dclus1) -> None:
    with pytest.raises(DataValidationError, match=r"'stype'.*no population margin.*'M'"):
        dclus1.calibrate({"stype": {"E": 5000, "H": 1194}})


def test_auxiliary_with_missing_values(pop) -> None:
    frame = _read("api_clus1.csv")
    frame.loc[[3, 7], "api99"] = np.nan
    d = SurveyDesign(frame, weights="pw", psu="dnum", fpc="fpc")
    with pytest.raises(DataValidationError, match=r"column 'api99'; rows 4, 8: auxiliary"):
        d.calibrate(totals={"api99": pop["api99"]}, population_size=pop["N"])


def test_auxiliary_zero_everywhere() -> None:
    frame = pd.DataFrame({"z": 0.0, "w": 1.0}, index=range(5))
    d = SurveyDesign(frame, weights="w")
    with pytest.raises(DataValidationError, match=r"'z'.*0 for every respondent.*10 cannot"):
        d.calibrate(totals={"z": 10.0}, population_size=5)


def test_bad_arguments(dclus1, pop) -> None:
    with pytest.raises(ValueError, match="logit' needs finite bounds"):
        dclus1.calibrate({"stype": pop["stype"]}, calfun="logit")
    with pytest.raises(ValueError, match="lower < 1 < upper"):
        dclus1.calibrate({"stype": pop["stype"]}, bounds=(1.2, 3))
    with pytest.raises(ValueError, match="unknown calfun"):
        dclus1.calibrate({"stype": pop["stype"]}, calfun="probit")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown linearisation"):
        dclus1.rake({"stype": pop["stype"]}, linearisation="greg")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one margin"):
        dclus1.calibrate()


def test_no_nan_from_calibration_of_rows_with_zero_weight(pop) -> None:
    # a respondent with weight 0 stays at 0 and does not enter the rake() cell means
    frame = _read("api_clus1.csv")
    frame.loc[0, "pw"] = 0.0
    d = SurveyDesign(frame, weights="pw", psu="dnum", fpc="fpc")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for lin in ("calibrate", "rake"):
            r = d.rake({"stype": pop["stype"], "sch.wide": pop["sch.wide"]}, linearisation=lin)
            assert r.weights[0] == 0.0
            assert np.isfinite(r.mean("api00").se)
        c = d.calibrate({"stype": pop["stype"]}, {"api99": pop["api99"]}, calfun="logit",
                        bounds=(0.5, 1.9))
        assert c.weights[0] == 0.0 and np.isfinite(c.total("enroll").se)
