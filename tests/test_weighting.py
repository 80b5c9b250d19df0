"""Weighting (kpianalysis.weighting) against published R ``survey`` output.

Reference values:

* ``R-api``: ``tests/api.Rout.save`` of the survey package (``example(api)``), post-stratified
  one-stage cluster design ``dclus1p <- postStratify(dclus1, ~stype, pop.types)`` with
  ``pop.types <- xtabs(~stype, data=apipop)`` (E 4421, H 755, M 1018).
* ``R-rake``: ``tests/rakecheck.Rout.save`` of the survey package (R 2.15.0 run):
  ``rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide))`` and the fully
  converged equivalent ``calibrate(dclus1, ~stype+sch.wide, poptotals, calfun="raking")``.
  R's ``rake`` stops when no cell of the joint table moves by 1 (``epsilon = 1``) within
  ``maxit = 10`` passes; ``tol = 1 / 6194, max_iter = 10`` reproduces that rule here.
* ``balance``: docstring and tests of ``balance.stats_and_plots.weights_stats.design_effect``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kpianalysis.design import SurveyDesign, poststratify, rake
from kpianalysis.weighting import (
    kish_deff,
    kish_ess,
    poststratify_weights,
    rake_weights,
    trim_weights,
    weight_summary,
)

API = Path(__file__).resolve().parent / "data" / "api"  # copy of shared/reference-data/api
needs_api = pytest.mark.skipif(
    not API.is_dir(), reason=f"API reference data not found at {API} (clone shared/ next to repo)"
)

POP_TYPES = {"E": 4421, "H": 755, "M": 1018}  # R: xtabs(~stype, data=apipop)
POP_SCHWIDE = {"No": 1072, "Yes": 5122}  # R-rake: pop.schwide


@pytest.fixture(scope="module")
def apipop() -> pd.DataFrame:
    return pd.read_csv(API / "api_pop.csv")


@pytest.fixture(scope="module")
def dclus1() -> SurveyDesign:
    # R: dclus1 <- svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc)
    return SurveyDesign(pd.read_csv(API / "api_clus1.csv"), weights="pw", psu="dnum", fpc="fpc")


@needs_api
def test_population_margins_from_api_pop(apipop):
    assert apipop["stype"].value_counts().to_dict() == POP_TYPES
    assert apipop["sch.wide"].value_counts().to_dict() == POP_SCHWIDE


@needs_api
def test_poststratify_r_api(dclus1, apipop):
    pop = apipop["stype"].value_counts()
    p = poststratify(dclus1, "stype", pop)
    # R-api: svymean(~api00, dclus1p) -> 642.31, SE 23.921
    m = p.mean("api00")
    assert m.estimate == pytest.approx(642.31, abs=0.005)
    assert m.se == pytest.approx(23.921, rel=5e-5)
    # R-api: svytotal(~enroll, dclus1p, na.rm=TRUE) -> 3680893, SE 406293
    t = p.total("enroll")
    assert t.estimate == pytest.approx(3680893, abs=0.5)
    assert t.se == pytest.approx(406293, abs=0.5)
    # weights reproduce the population counts; the design method is the same function
    sums = pd.Series(p.weights).groupby(dclus1.data["stype"].to_numpy()).sum()
    assert sums.to_dict() == pytest.approx(POP_TYPES)
    assert dclus1.poststratify("stype", POP_TYPES).total("enroll").se == pytest.approx(t.se)


@needs_api
def test_poststratify_with_shares(dclus1):
    shares = {k: v / 6194 for k, v in POP_TYPES.items()}
    p = dclus1.poststratify("stype", shares, total=6194)
    assert p.total("enroll").estimate == pytest.approx(3680893, abs=0.5)
    assert p.mean("api00").se == pytest.approx(23.921, rel=5e-5)


@needs_api
def test_rake_converged_r_calibrate(dclus1):
    r = rake(dclus1, {"stype": POP_TYPES, "sch.wide": POP_SCHWIDE})
    assert r.calibration[0]["converged"]
    # R-rake: calibrate(dclus1, ~stype+sch.wide, poptotals, calfun="raking")
    #   svymean(~api00, dclus1g) -> 641.23 SE 23.704; svytotal(~enroll, dclus1g) -> 3647280
    #   SE 400603 (rake() prints the same means and SEs)
    m = r.mean("api00")
    assert m.estimate == pytest.approx(641.23, abs=0.005)
    assert m.se == pytest.approx(23.704, rel=5e-5)
    t = r.total("enroll")
    assert t.estimate == pytest.approx(3647280, abs=0.5)
    assert t.se == pytest.approx(400603, abs=0.5)


@needs_api
def test_rake_r_stopping_rule(dclus1):
    # R-rake: dclus1r <- rake(dclus1, list(~stype,~sch.wide), list(pop.types, pop.schwide))
    #   svymean(~api00, dclus1r) -> 641.23 SE 23.704; svytotal(~enroll, dclus1r) -> 3647300
    r = dclus1.rake({"stype": POP_TYPES, "sch.wide": POP_SCHWIDE}, tol=1 / 6194, max_iter=10)
    assert r.total("enroll").estimate == pytest.approx(3647300, abs=0.5)
    m = r.mean("api00")
    assert m.estimate == pytest.approx(641.23, abs=0.005)
    assert m.se == pytest.approx(23.704, rel=5e-5)


@needs_api
def test_rake_partial_joint_margin(dclus1, apipop):
    # R-rake: pop.table <- xtabs(~stype+sch.wide, apipop);
    #         pop.imp <- data.frame(comp.imp=c("No","Yes"), Freq=c(1712,4482))
    #   rake(dclus1, list(~stype+sch.wide, ~comp.imp), list(pop.table, pop.imp)):
    #     svymean(~api00) -> 642.62 SE 22.732
    #   calibrate(dclus1, ~stype*sch.wide+comp.imp, poptotals1, calfun="raking"):
    #     svymean(~api00) -> 642.61 SE 22.731
    table = apipop.groupby(["stype", "sch.wide"]).size()
    margins = {("stype", "sch.wide"): table, "comp.imp": {"No": 1712, "Yes": 4482}}
    converged = dclus1.rake(margins, tol=1e-10, max_iter=500).mean("api00")
    assert converged.estimate == pytest.approx(642.61, abs=0.005)
    assert converged.se == pytest.approx(22.731, rel=5e-5)
    r_rule = dclus1.rake(margins, tol=1 / 6194, max_iter=10).mean("api00")
    assert r_rule.estimate == pytest.approx(642.62, abs=0.005)
    assert r_rule.se == pytest.approx(22.732, rel=5e-5)


@needs_api
def test_rake_domain_totals_add_up(dclus1):
    r = dclus1.rake({"stype": POP_TYPES, "sch.wide": POP_SCHWIDE})
    by = r.total("enroll", by="stype")
    assert by.table["estimate"].sum() == pytest.approx(r.total("enroll").estimate)
    # the calibration variables are reproduced exactly: a raked count has (almost) no variance
    counts = r.data.assign(one=1.0)
    rr = SurveyDesign(counts, weights="pw", psu="dnum", fpc="fpc").rake(
        {"stype": POP_TYPES, "sch.wide": POP_SCHWIDE}
    )
    assert rr.total("one").se == pytest.approx(0.0, abs=1e-6)


# ----------------------------------------------------------------------------------------------
# Array-level functions
# ----------------------------------------------------------------------------------------------


def test_rake_weights_reproduce_margins():
    rng = np.random.default_rng(3)
    n = 2000
    sex = rng.choice(["M", "F"], n, p=[0.3, 0.7])
    age = rng.choice(["18-39", "40-59", "60+"], n)
    w0 = rng.uniform(1, 3, n)
    pop = {"sex": {"M": 0.47, "F": 0.53}, "age": {"18-39": 0.4, "40-59": 0.35, "60+": 0.25}}
    res = rake_weights(w0, {"sex": sex, "age": age}, pop, total=10_000)
    assert res.converged
    w = res.weights
    assert w.sum() == pytest.approx(10_000)
    assert w[sex == "M"].sum() == pytest.approx(4700, rel=1e-7)
    assert w[age == "60+"].sum() == pytest.approx(2500, rel=1e-7)


def test_poststratify_weights_counts():
    w = poststratify_weights([1, 1, 2, 2], ["a", "a", "b", "b"], {"a": 10, "b": 30})
    np.testing.assert_allclose(w, [5, 5, 15, 15])  # 2 * 30 / (2 + 2)


def test_rake_nonconvergence_warns():
    rng = np.random.default_rng(0)
    a = rng.choice(["x", "y"], 500)
    b = rng.choice(["u", "v"], 500)
    with pytest.warns(RuntimeWarning, match="did not converge"):
        res = rake_weights(np.ones(500), {"a": a, "b": b},
                           {"a": {"x": 100, "y": 400}, "b": {"u": 450, "v": 50}}, max_iter=1)
    assert not res.converged


# ----------------------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------------------


@needs_api
def test_margin_category_absent_from_sample(dclus1):
    pop = {"E": 4421, "H": 700, "M": 1018, "K": 55}
    with pytest.raises(ValueError, match=r"'stype'.*absent from the sample.*'K'"):
        dclus1.poststratify("stype", pop)


@needs_api
def test_sample_category_without_margin(dclus1):
    with pytest.raises(ValueError, match=r"'stype'.*no population margin.*'M'"):
        dclus1.rake({"stype": {"E": 5000, "H": 1194}, "sch.wide": POP_SCHWIDE})


@needs_api
def test_margins_disagree_in_total(dclus1):
    with pytest.raises(ValueError, match=r"disagree in total: 'stype': 6194, 'sch.wide': 6200"):
        dclus1.rake({"stype": POP_TYPES, "sch.wide": {"No": 1078, "Yes": 5122}})


def test_shares_must_sum_to_one():
    with pytest.raises(ValueError, match=r"sum to 1.*'a': 0\.9"):
        rake_weights([1, 1], {"a": ["x", "y"]}, {"a": {"x": 0.5, "y": 0.4}}, kind="share")


def test_missing_margin_variable():
    with pytest.raises(ValueError, match=r"'a'; row 2: margin variable has missing values"):
        rake_weights([1, 1, 1], {"a": ["x", None, "y"]}, {"a": {"x": 1, "y": 2}})


def test_bad_weights_named():
    with pytest.raises(ValueError, match=r"weights.*-1\.0"):
        poststratify_weights([1, -1], ["a", "b"], {"a": 1, "b": 1})


# ----------------------------------------------------------------------------------------------
# Trimming and Kish
# ----------------------------------------------------------------------------------------------


def test_trim_weights_caps_and_keeps_total():
    w = np.array([1, 1, 1, 1, 1, 1, 1, 1, 1, 20.0])
    t = trim_weights(w, upper=5)
    assert t.max() <= 5 + 1e-9
    assert t.sum() == pytest.approx(w.sum())
    # the capped weight sits at the bound, the others are scaled up equally
    assert t[-1] == pytest.approx(5)
    np.testing.assert_allclose(t[:-1], (29 - 5) / 9)
    m = trim_weights(w, upper=2, relative_to="median", keep_total=False)
    assert m[-1] == 2 and m.sum() < w.sum()
    with pytest.raises(ValueError, match="cannot hold the weight total"):
        trim_weights(w, upper=2)


# balance: design_effect(pd.Series((0, 1, 2, 3))) -> 1.5555555555555556;
#          design_effect(pd.Series((1, 1, 1000))) -> 2.9880418803112336
@pytest.mark.parametrize(("weights", "deff"), [
    ((0, 1, 2, 3), 1.5555555555555556),
    ((1, 1, 1000), 2.9880418803112336),
    ((1, 1, 1, 1), 1.0),
])
def test_kish(weights, deff):
    assert kish_deff(weights) == pytest.approx(deff, rel=1e-15)
    assert kish_ess(weights) == pytest.approx(len(weights) / deff, rel=1e-12)
    s = weight_summary(weights)
    assert s.kish_deff == pytest.approx(deff, rel=1e-15)
    assert s.kish_deff == pytest.approx(1 + s.cv**2, rel=1e-12)
