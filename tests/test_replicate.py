"""Replicate-weight designs (issue 12 item 4) against R's survey package.

Every expected value comes from tests/data/r_reference/replicate.R (R 4.2.2, survey 4.1-1,
both recorded in replicate.json) on R's api data (tests/data/api/*.csv). Bootstrap replicates
are random in R, so the R script exports its replicate weights (replicate_*_weights.csv) and
the tests read them back; the construction of the package's own bootstrap is tested by its
properties. Tolerance: 1e-8 relative, except where said.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kpianalysis
from kpianalysis._validation import DataValidationError
from kpianalysis.design import SurveyDesign
from kpianalysis.replicate import (
    ReplicateDesign,
    as_replicate_design,
    hadamard,
    read_replicate_design,
)

HERE = Path(__file__).parent
REF = HERE / "data" / "r_reference"
R = json.loads((REF / "replicate.json").read_text())
RTOL = 1e-8
# R's svyciprop(method = "logit") fits a quasibinomial svyglm per replicate by IRLS, whose
# convergence criterion (glm.control epsilon = 1e-8) leaves ~1e-9 in the replicate logits
LOGIT_RTOL = 1e-7


def _api(name: str) -> pd.DataFrame:
    frame = pd.read_csv(HERE / "data" / "api" / f"api_{name}.csv")
    frame["schwide"] = (frame["sch.wide"] == "Yes").astype(float)
    if name in ("strat", "clus1"):
        # the weights to the last digit as R holds them (the CSV rounds them to 10 digits)
        frame["pw"] = R[f"{name}_pw"]
    return frame


STRAT = _api("strat")
CLUS1 = _api("clus1")
CLUS2 = _api("clus2")


def _dstrat(**kw) -> SurveyDesign:
    # R: svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
    return SurveyDesign(STRAT, weights="pw", strata="stype", fpc="fpc", **kw)


def _dclus1() -> SurveyDesign:
    # R: svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
    return SurveyDesign(CLUS1, weights="pw", psu="dnum", fpc="fpc")


def _dclus2() -> SurveyDesign:
    # R: svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
    return SurveyDesign(CLUS2, psu="dnum", ssu="snum", fpc=["fpc1", "fpc2"])


def _read_boot(name: str, tmp: Path) -> ReplicateDesign:
    """R's bootstrap replicates, as an agency's file: the data with its replicate columns."""
    data = {"strat": STRAT, "clus1": CLUS1, "clus2": CLUS2}[name]
    weights = pd.read_csv(REF / f"replicate_{name}_bootstrap_weights.csv")
    assert (weights["row"].to_numpy() == np.arange(1, len(data) + 1)).all()
    frame = pd.concat([data.drop(columns=["pw"], errors="ignore"),
                       weights.drop(columns=["row"])], axis=1)
    path = tmp / f"{name}_bootstrap.csv"
    frame.to_csv(path, index=False, float_format="%.17g")
    # R: as.svrepdesign(design, type = "bootstrap", replicates = 50); the scale is R's
    # bootweights scale, given with the file as an agency gives it
    return read_replicate_design(path, repweights=r"boot\d+", weights="pw", type="bootstrap",
                                 combined_weights=False, scale=R[f"{name}_bootstrap_scale"])


def _read_jk1(tmp: Path) -> ReplicateDesign:
    weights = pd.read_csv(REF / "replicate_clus1_jk1_weights.csv")
    frame = pd.concat([CLUS1.drop(columns=["pw"]), weights.drop(columns=["row"])], axis=1)
    path = tmp / "clus1_jk1.csv"
    frame.to_csv(path, index=False, float_format="%.17g")
    # R: svrepdesign(repweights = "jk[0-9]+", weights = ~pw, type = "JK1", scale = 14 / 15)
    return read_replicate_design(path, repweights=[f"jk{i:02d}" for i in range(1, 16)],
                                 weights="pw", type="JK1", scale=14 / 15)


def _read_fay() -> ReplicateDesign:
    # R: svrepdesign(repweights = <factors of as.svrepdesign(dstrat, "Fay", fay.rho = 0.3)>,
    #                type = "Fay", rho = 0.3, combined.weights = FALSE)
    factors = np.asarray(R["strat_Fay_factors"])
    cols = pd.DataFrame(factors, columns=[f"fay{i:03d}" for i in range(1, factors.shape[1] + 1)])
    return ReplicateDesign.from_columns(pd.concat([STRAT, cols], axis=1),
                                        repweights=list(cols.columns), weights="pw",
                                        type="Fay", rho=0.3, combined_weights=False)


def _read_jkn() -> ReplicateDesign:
    # R: svrepdesign(repweights = weights(as.svrepdesign(dstrat, "JKn"), "analysis"),
    #                type = "JKn", rscales = <its rscales>, combined.weights = TRUE)
    w = as_replicate_design(_dstrat(), "JKn").replicate_weights()
    cols = pd.DataFrame(w, columns=[f"jkn{i:03d}" for i in range(1, w.shape[1] + 1)])
    return ReplicateDesign.from_columns(pd.concat([STRAT, cols], axis=1),
                                        repweights=r"jkn\d+", weights="pw", type="JKn",
                                        rscales=R["read_strat_JKn_rscales"])


BUILDERS = {
    # R: as.svrepdesign(<design>, type = ...)
    "strat_JKn": lambda tmp: as_replicate_design(_dstrat(), "JKn"),
    "strat_BRR": lambda tmp: as_replicate_design(_dstrat(), "BRR"),
    "strat_Fay": lambda tmp: as_replicate_design(_dstrat(), "Fay", rho=0.3),
    "strat_BRR_mse": lambda tmp: as_replicate_design(_dstrat(), "BRR", mse=True),
    "clus1_JK1": lambda tmp: as_replicate_design(_dclus1(), "JK1"),
    "clus1_JK1_mse": lambda tmp: as_replicate_design(_dclus1(), "JK1", mse=True),
    "clus2_JK1": lambda tmp: as_replicate_design(_dclus2(), "JK1"),
    # R: as.svrepdesign(svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat),
    #                   type = "JKn")
    "strat_nofpc_JKn": lambda tmp: as_replicate_design(
        SurveyDesign(STRAT, weights="pw", strata="stype"), "JKn"),
    # bootstrap: R's own replicates, read back
    "strat_bootstrap": lambda tmp: _read_boot("strat", tmp),
    "clus1_bootstrap": lambda tmp: _read_boot("clus1", tmp),
    "clus2_bootstrap": lambda tmp: _read_boot("clus2", tmp),
    # svrepdesign(repweights = ...) on supplied columns
    "read_clus1_JK1": _read_jk1,
    "read_strat_Fay": lambda tmp: _read_fay(),
    "read_strat_JKn": lambda tmp: _read_jkn(),
}
CASES = sorted(BUILDERS)


@pytest.fixture(scope="module")
def designs(tmp_path_factory) -> dict[str, ReplicateDesign]:
    tmp = tmp_path_factory.mktemp("replicate")
    return {name: build(tmp) for name, build in BUILDERS.items()}


def test_reference_versions() -> None:
    assert R["R_version"].startswith("R version 4.2.2")
    assert R["survey_version"] == "4.1.1"


@pytest.mark.parametrize("case", CASES)
def test_scale_rscales_and_degf(designs, case) -> None:
    rd = designs[case]
    assert rd.n_replicates == R[f"{case}_nrep"]
    np.testing.assert_allclose(rd.scale, R[f"{case}_scale"], rtol=1e-12)
    np.testing.assert_allclose(np.sort(rd.rscales), np.sort(R[f"{case}_rscales"]), rtol=1e-12)
    assert rd.df == R[f"{case}_degf"]  # degf(rd)


@pytest.mark.parametrize("case", CASES)
def test_mean_total_proportion(designs, case) -> None:
    rd = designs[case]
    # svymean(~api00, rd, deff = TRUE): coef, SE, confint(df = degf(rd)), confint(), deff
    est, se, lo, hi, lo_n, hi_n, deff = R[f"{case}_mean_api00"]
    m = rd.mean("api00")
    np.testing.assert_allclose([m.estimate, m.se, m.ci.low, m.ci.high, m.deff],
                               [est, se, lo, hi, deff], rtol=RTOL)
    normal = rd.mean("api00", df=float("inf")).ci
    np.testing.assert_allclose([normal.low, normal.high], [lo_n, hi_n], rtol=RTOL)
    # svytotal(~enroll, rd, na.rm = TRUE, deff = TRUE): coef, SE, confint(df = degf(rd)), deff
    t = rd.total("enroll", na_rm=True)
    np.testing.assert_allclose([t.estimate, t.se, t.ci.low, t.ci.high, t.deff],
                               R[f"{case}_total_enroll"], rtol=RTOL)
    # svymean(~I(as.numeric(sch.wide == "Yes")), rd)
    p = rd.proportion("sch.wide", level="Yes")
    np.testing.assert_allclose([p.estimate, p.se], R[f"{case}_prop_schwide"], rtol=RTOL)


@pytest.mark.parametrize("method", ["logit", "beta", "mean", "xlogit", "asin"])
@pytest.mark.parametrize("case", CASES)
def test_proportion_intervals(designs, case, method) -> None:
    # svyciprop(~I(sch.wide == "Yes"), rd, method = method)
    est, lo, hi = R[f"{case}_prop_schwide_{method}"]
    p = designs[case].proportion("schwide", ci_method=method)
    np.testing.assert_allclose(p.estimate, est, rtol=RTOL)
    np.testing.assert_allclose([p.ci.low, p.ci.high], [lo, hi],
                               rtol=LOGIT_RTOL if method == "logit" else RTOL)


@pytest.mark.parametrize("case", CASES)
def test_domains_as_svyby(designs, case) -> None:
    rd = designs[case]
    levels = R[f"{case}_by_stype_levels"]
    k = len(levels)
    for stat, key in (("mean", "mean_api00"), ("total", "total_enroll"),
                      ("proportion", "prop_schwide")):
        # svyby(~api00, ~stype, rd, svymean); svyby(~enroll, ~stype, rd, svytotal,
        # na.rm = TRUE); svyby(~I(as.numeric(sch.wide == "Yes")), ~stype, rd, svymean)
        if stat == "mean":
            res = rd.mean("api00", by="stype")
        elif stat == "total":
            res = rd.total("enroll", by="stype", na_rm=True)
        else:
            res = rd.proportion("schwide", by="stype")
        ref = np.asarray(R[f"{case}_by_stype_{key}"])
        assert res.table["stype"].tolist() == levels
        np.testing.assert_allclose(res.table["estimate"], ref[:k], rtol=RTOL)
        np.testing.assert_allclose(res.table["se"], ref[k:], rtol=RTOL)
        # degf(subset(rd, stype == s))
        assert res.table["df"].tolist() == R[f"{case}_by_stype_degf"]
    assert res["E"].estimate == pytest.approx(ref[0], rel=RTOL)


@pytest.mark.parametrize("method", ["logit", "beta"])
@pytest.mark.parametrize("case", CASES)
def test_domain_proportion_intervals(designs, case, method) -> None:
    # svyby(~I(sch.wide == "Yes"), ~stype, rd, svyciprop, vartype = "ci", method = method):
    # coef, ci_l, ci_u of each domain (each from the domain's subset: its rows and degf)
    ref = np.asarray(R[f"{case}_by_stype_ciprop_{method}"]).reshape(3, -1)
    res = designs[case].proportion("schwide", by="stype", ci_method=method)
    got = res.table[["estimate", "ci_low", "ci_high"]].to_numpy().T
    degenerate = ref[2] - ref[1] > 0.999
    # where a bootstrap replicate drops every non-sch.wide school of a domain its logit is
    # infinite: R's svyglm stops at a large finite logit, giving nearly [0, 1]; the package
    # gives [0, 1] and says so in the method
    np.testing.assert_allclose(got[:, ~degenerate], ref[:, ~degenerate],
                               rtol=LOGIT_RTOL if method == "logit" else RTOL)
    np.testing.assert_allclose(got[1:, degenerate], ref[1:, degenerate], atol=1e-4)
    assert ("interval [0, 1]" in res.method) == bool(degenerate.any())


@pytest.mark.parametrize("interval_type", ["mean", "quantile"])
@pytest.mark.parametrize("case", CASES)
def test_domain_medians(designs, case, interval_type) -> None:
    # svyby(~api00, ~stype, rd, svyquantile, quantiles = 0.5, interval.type = ...): coef, SE
    ref = np.asarray(R[f"{case}_by_stype_median_api00_{interval_type}"],
                     dtype=float).reshape(2, -1)  # null (NaN): R's Woodruff end undefined
    q = designs[case].quantile("api00", 0.5, by="stype", interval_type=interval_type)
    assert q.table["stype"].tolist() == R[f"{case}_by_stype_levels"]
    np.testing.assert_allclose(q.table[["quantile", "se"]].to_numpy().T, ref, rtol=RTOL)


@pytest.mark.parametrize("case", CASES)
def test_median_with_missing_values(designs, case) -> None:
    # svyquantile(~enroll, rd, 0.5, na.rm = TRUE, interval.type = "quantile"): the rows with
    # an enrolment (apiclus2 lacks 6), degf of that subset
    q = designs[case].quantile("enroll", 0.5, na_rm=True, interval_type="quantile")
    got = q.table[["quantile", "ci_low", "ci_high", "se"]].to_numpy()[0]
    np.testing.assert_allclose(got, R[f"{case}_median_enroll_narm"], rtol=RTOL)


@pytest.mark.parametrize("option", ["remove", "certainty", "adjust", "average"])
def test_jkn_with_a_lonely_psu(option) -> None:
    # options(survey.lonely.psu = option); as.svrepdesign(svydesign(id = ~1, strata = ~stype,
    # weights = ~pw, data = lonely), type = "JKn"), lonely = apistrat with one high school
    keep = (STRAT["stype"] != "H") | ~STRAT["stype"].duplicated()
    design = SurveyDesign(STRAT[keep.to_numpy()].reset_index(drop=True), weights="pw",
                          strata="stype", lonely_psu=option)
    rd = as_replicate_design(design, "JKn")
    p = f"lonely_{option}_JKn"
    assert rd.n_replicates == R[f"{p}_nrep"]
    assert rd.df == R[f"{p}_degf"]
    assert rd.scale == pytest.approx(R[f"{p}_scale"], rel=1e-12)
    m = rd.mean("api00")
    t = rd.total("enroll")
    np.testing.assert_allclose([m.estimate, m.se], R[f"{p}_mean_api00"], rtol=RTOL)
    np.testing.assert_allclose([t.estimate, t.se], R[f"{p}_total_enroll"], rtol=RTOL)
    with pytest.raises(ValueError, match="stratum 'H' has only one PSU"):
        as_replicate_design(SurveyDesign(STRAT[keep.to_numpy()], weights="pw",
                                         strata="stype", lonely_psu="adjust")
                            .with_weights(design.weights), "BRR")


@pytest.mark.parametrize("qrule", ["math", "school"])
@pytest.mark.parametrize("interval_type", ["mean", "quantile"])
@pytest.mark.parametrize("case", CASES)
def test_quantiles(designs, case, interval_type, qrule) -> None:
    # svyquantile(~api00, rd, c(0.1, 0.5, 0.9), interval.type = ..., qrule = ...):
    # rows quantile, ci.2.5, ci.97.5, se
    q = designs[case].quantile("api00", [0.1, 0.5, 0.9], interval_type=interval_type,
                               qrule=qrule)
    ref = np.asarray(R[f"{case}_quantile_api00_{interval_type}_{qrule}"], dtype=float)
    got = q.table[["quantile", "ci_low", "ci_high", "se"]].to_numpy()
    np.testing.assert_allclose(got, ref, rtol=RTOL, atol=1e-9)
    # R gives NaN where the interval of the share below the quantile leaves [0, 1]; the
    # package gives NaN there too and says so in notes
    assert len(q.notes) == int(np.isnan(ref[:, 1:3]).sum())
    assert interval_type in q.method and qrule in q.method


def test_brr_and_fay_factors_are_rs() -> None:
    # brrweights(...)$weights of as.svrepdesign(dstrat, type = "BRR" / "Fay", fay.rho = 0.3):
    # apistrat's strata of 100, 50 and 50 schools split into 100 pairs, hadamard(100)
    for rtype, rho, key in (("BRR", None, "strat_BRR_factors"), ("Fay", 0.3,
                                                                  "strat_Fay_factors")):
        rd = as_replicate_design(_dstrat(), rtype, rho=rho)
        np.testing.assert_array_equal(rd._factors, np.asarray(R[key]))


def _h_pm(h: np.ndarray) -> np.ndarray:
    return 2 * h.astype(int) - 1


@pytest.mark.parametrize("n", [int(k.split("_")[1]) for k in R if k.startswith("hadamard_")])
def test_hadamard_as_r(n) -> None:
    # survey:::hadamard(n), rows as strings of 0/1
    ref = np.array([[int(c) for c in row] for row in R[f"hadamard_{n}"]])
    h = hadamard(n)
    assert h.shape == ref.shape  # the same order as R chooses
    pm = _h_pm(h)
    np.testing.assert_array_equal(pm @ pm.T, len(h) * np.eye(len(h), dtype=int))
    assert (h[0] == 1).all() and (h[:, 0] == 1).all()
    order = len(h)
    while order % 2 == 0 and order not in (28, 36):
        order //= 2
    if order not in (28, 36):  # R's stored matrices of order 28 and 36 are not rebuilt
        np.testing.assert_array_equal(h, ref)


def test_hadamard_property_for_every_size_up_to_300() -> None:
    # a Hadamard matrix of order > n: +-1 coded, H H' = m I; first row and column ones
    for n in range(0, 301):
        h = hadamard(n)
        m = len(h)
        assert m > n and (m in (1, 2) or m % 4 == 0)
        pm = _h_pm(h)
        np.testing.assert_array_equal(pm @ pm.T, m * np.eye(m, dtype=int))
        assert (h[0] == 1).all() and (h[:, 0] == 1).all()


def test_bootstrap_construction_properties() -> None:
    design = _dstrat()
    rd = as_replicate_design(design, "bootstrap", replicates=40, seed=7)
    counts = rd._factors  # PSUs x replicates; apistrat: one school per PSU
    assert np.array_equal(counts, np.round(counts)) and counts.min() >= 0
    per_stratum = pd.DataFrame(counts).groupby(STRAT["stype"].to_numpy()).sum()
    # every replicate draws n_h PSUs in each stratum
    n_h = STRAT["stype"].value_counts().sort_index()
    assert (per_stratum.to_numpy() == n_h.to_numpy()[:, None]).all()
    # fpc: drawn without replacement from PSUs repeated to N_h = 4421, 755, 1018: a PSU is
    # drawn at most ceil(N_h / n_h) times
    assert counts.max() <= int(np.ceil(4421 / 100))
    # scale m / ((m - 1) (R - 1)), m the harmonic mean of PSUs per stratum (Canty-Davison)
    m = 3 / (1 / 100 + 1 / 50 + 1 / 50)
    assert rd.scale == pytest.approx(m / ((m - 1) * 39), rel=1e-12)
    # seeded: reproducible; another seed, other draws
    again = as_replicate_design(design, "bootstrap", replicates=40, seed=7)
    np.testing.assert_array_equal(again._factors, counts)
    other = as_replicate_design(design, "bootstrap", replicates=40, seed=8)
    assert not np.array_equal(other._factors, counts)


def test_bootstrap_variance_approaches_the_linearisation_variance() -> None:
    # Without fpc the rescaled bootstrap estimates the with-replacement variance: with 4000
    # replicates (relative sampling error ~ sqrt(2 / 4000) = 2 %) the SE of the api
    # one-stage cluster total of enrolment is within 5 % of its linearisation SE
    design = SurveyDesign(CLUS1, weights="pw", psu="dnum")
    rd = as_replicate_design(design, "bootstrap", replicates=4000, seed=2026)
    lin = design.total("enroll").se
    assert rd.total("enroll").se == pytest.approx(lin, rel=0.05)


def test_jk1_is_exact_for_a_total() -> None:
    # For a total, JK1 without fpc reproduces the with-replacement linearisation variance
    # exactly (Wolter 2007, sec. 4.2): both are (n / (n - 1)) sum (t_i - mean t)^2
    design = SurveyDesign(CLUS1, weights="pw", psu="dnum")
    rd = as_replicate_design(design, "JK1")
    assert rd.total("enroll").se == pytest.approx(design.total("enroll").se, rel=1e-12)


# ---- bad input -------------------------------------------------------------------------------


def _frame(n_rep: int, *, value: float = 2.0) -> pd.DataFrame:
    cols = {f"rw{i}": np.full(10, value) for i in range(1, n_rep + 1)}
    return pd.DataFrame({"y": np.arange(10.0), "w": np.ones(10), **cols})


def _write(tmp_path: Path, frame: pd.DataFrame, name: str = "agency.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_jk1_scale_not_r_minus_1_over_r(tmp_path) -> None:
    path = _write(tmp_path, _frame(20))
    with pytest.raises(DataValidationError, match=r"agency\.csv.*JK1.*\(R - 1\) / R = 0\.95"):
        read_replicate_design(path, repweights=r"rw\d+", weights="w", type="JK1", scale=0.5)


def test_brr_count_no_hadamard_matrix_fits(tmp_path) -> None:
    path = _write(tmp_path, _frame(30))
    with pytest.raises(DataValidationError,
                       match=r"agency\.csv.*30 is not the order of a Hadamard matrix.*28 or 32"):
        read_replicate_design(path, repweights=r"rw\d+", weights="w", type="BRR")
    with pytest.raises(DataValidationError, match=r"scale must be 1 / R = 0\.03125"):
        read_replicate_design(_write(tmp_path, _frame(32)), repweights=r"rw\d+",
                              weights="w", type="BRR", scale=1 / 31)


@pytest.mark.parametrize("rho", [None, 0.0, 1.0, 1.2, -0.1])
def test_fay_rho_outside_0_1(tmp_path, rho) -> None:
    path = _write(tmp_path, _frame(8))
    with pytest.raises(DataValidationError, match=r"agency\.csv.*rho must be a number in \(0, 1\)"):
        read_replicate_design(path, repweights=r"rw\d+", weights="w", type="Fay", rho=rho)


def test_jkn_needs_rscales_and_other_needs_scale(tmp_path) -> None:
    frame = _frame(4)
    with pytest.raises(DataValidationError, match="JKn needs rscales"):
        ReplicateDesign.from_columns(frame, repweights=r"rw\d+", type="JKn")
    with pytest.raises(DataValidationError, match="rscales has 3 values; expected one per"):
        ReplicateDesign.from_columns(frame, repweights=r"rw\d+", type="JKn",
                                     rscales=[0.5, 0.5, 0.5])
    with pytest.raises(DataValidationError, match="needs both scale and rscales"):
        ReplicateDesign.from_columns(frame, repweights=r"rw\d+", type="other", scale=1.0)


@pytest.mark.parametrize("bad, what", [(-1.0, "-1.0"), (np.nan, "nan"), ("x", "'x'")])
def test_negative_missing_or_text_replicate_weight(tmp_path, bad, what) -> None:
    frame = _frame(8).astype({"rw3": object})
    frame.loc[6, "rw3"] = bad
    path = _write(tmp_path, frame)
    with pytest.raises(DataValidationError) as err:
        read_replicate_design(path, repweights=r"rw\d+", weights="w", type="BRR")
    assert err.value.source == "agency.csv"
    assert err.value.column == "rw3"
    assert err.value.rows == [7]
    assert what in str(err.value) or "number" in str(err.value)


def test_all_zero_replicate_column_and_missing_column(tmp_path) -> None:
    frame = _frame(4)
    frame["rw2"] = 0.0
    with pytest.raises(DataValidationError, match="all zero") as err:
        ReplicateDesign.from_columns(frame, repweights=r"rw\d+", type="JK1", source="f.csv")
    assert err.value.column == "rw2"
    with pytest.raises(DataValidationError, match="no column matches"):
        ReplicateDesign.from_columns(frame, repweights=r"rep\d+", type="JK1")
    with pytest.raises(DataValidationError, match="'rw9'"):
        ReplicateDesign.from_columns(frame, repweights=["rw1", "rw9"], type="JK1")


def test_constructed_types_must_fit_the_design() -> None:
    with pytest.raises(ValueError, match="JK1 is for unstratified designs"):
        as_replicate_design(_dstrat(), "JK1")
    for rtype in ("JKn", "BRR"):
        with pytest.raises(ValueError, match="needs a stratified design"):
            as_replicate_design(_dclus1(), rtype)
    for rho in (None, 0.0, 1.0, 1.5):
        with pytest.raises(ValueError, match=r"rho must be a number in \(0, 1\)"):
            as_replicate_design(_dstrat(), "Fay", rho=rho)
    odd = STRAT.iloc[:199]  # stratum M loses a school: 49 PSUs cannot be paired
    with pytest.raises(ValueError, match="odd number of PSUs"):
        as_replicate_design(SurveyDesign(odd, weights="pw", strata="stype"), "BRR")
    with pytest.raises(ValueError, match="unknown type"):
        as_replicate_design(_dstrat(), "JK2")


def test_woodruff_end_outside_0_1_is_reported_not_silent() -> None:
    # the 0.1 % quantile of a 15-cluster sample: the interval of the share below it starts
    # below 0, so R's lower end is NaN; the package says so in notes
    rd = as_replicate_design(_dclus1(), "JK1")
    q = rd.quantile("api00", 0.001)
    assert np.isnan(q.table["ci_low"].iloc[0])
    assert len(q.notes) == 1 and "lower end" in q.notes[0]


def test_lazy_exports() -> None:
    assert kpianalysis.ReplicateDesign is ReplicateDesign
    assert kpianalysis.as_replicate_design is as_replicate_design
    assert kpianalysis.read_replicate_design is read_replicate_design
    assert kpianalysis.hadamard is hadamard


def test_factors_declared_as_combined_weights_are_flagged(caplog) -> None:
    # R's svrepdesign warns when the replicate columns look like factors (mean < 5) while the
    # sampling weights are large, or the reverse
    frame = _frame(8, value=1.0)
    frame["w"] = 40.0
    with caplog.at_level("WARNING", logger="kpianalysis.replicate"):
        ReplicateDesign.from_columns(frame, repweights=r"rw\d+", weights="w", type="BRR")
    assert "do not look like combined weights" in caplog.text


def test_quantile_of_a_domain_without_values_is_an_error() -> None:
    frame = STRAT.assign(api_h=np.where(STRAT["stype"] == "H", np.nan, STRAT["api00"]))
    rd = as_replicate_design(SurveyDesign(frame, weights="pw", strata="stype"), "JKn")
    with pytest.raises(ValueError, match="domain {'stype': 'H'} has no rows"):
        rd.quantile("api_h", 0.5, by="stype", na_rm=True)


def test_jk1_columns_with_an_fpc_scale_as_type_other(tmp_path) -> None:
    # The JK1 columns of the api one-stage cluster sample with R's finite-population scale
    # f (n - 1) / n (as.svrepdesign(dclus1, type = "JK1")) are not a plain JK1 file: declared
    # JK1 they are refused, declared "other" with that scale they give R's clus1_JK1 values
    weights = pd.read_csv(REF / "replicate_clus1_jk1_weights.csv")
    frame = pd.concat([CLUS1.drop(columns=["pw"]), weights.drop(columns=["row"])], axis=1)
    cols = [f"jk{i:02d}" for i in range(1, 16)]
    with pytest.raises(DataValidationError, match="use type='other'"):
        ReplicateDesign.from_columns(frame, repweights=cols, weights="pw", type="JK1",
                                     scale=R["clus1_JK1_scale"])
    rd = ReplicateDesign.from_columns(frame, repweights=cols, weights="pw", type="other",
                                      scale=R["clus1_JK1_scale"], rscales=1.0)
    m = rd.mean("api00")
    np.testing.assert_allclose([m.estimate, m.se], R["clus1_JK1_mean_api00"][:2], rtol=RTOL)
    t = rd.total("enroll", by="stype")
    ref = np.asarray(R["clus1_JK1_by_stype_total_enroll"])
    np.testing.assert_allclose(t.table["se"], ref[3:], rtol=RTOL)
