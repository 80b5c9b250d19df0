"""Fay–Herriot EBLUP and its MSE (issue 12, item 6) against R's ``sae`` package.

Reference values: ``tests/data/sae/fay_herriot.json``, written by the R script beside it
(``fay_herriot.R``; R 4.2.2 and the CRAN package sae 1.3, versions stored in the JSON) with
``mseFH(yi ~ as.factor(MajorArea), var, method = ..., data = milk)``, the example of
``?eblupFH``, on sae's published ``milk`` data (Arora and Lahiri 1997; You and Chapman 2006),
copied to ``tests/data/sae/milk.csv`` by the same script; ``var = SD²``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kpianalysis as ka
from kpianalysis import DataValidationError
from kpianalysis.sae import FayHerriotConvergenceError, FayHerriotResult, fay_herriot

DATA = Path(__file__).resolve().parent / "data" / "sae"
R = json.loads((DATA / "fay_herriot.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def milk() -> pd.DataFrame:
    frame = pd.read_csv(DATA / "milk.csv")
    return frame.assign(var=frame["SD"] ** 2)


def test_reference_versions_are_recorded():
    assert R["sae_version"] == "1.3"
    assert R["R_version"].startswith("R version 4.2.2")


@pytest.mark.parametrize("method", ["REML", "ML", "FH"])
@pytest.mark.parametrize("tag, tol", [("default", 1e-4), ("1e-10", 1e-10)])
def test_milk_matches_sae_mseFH(milk, method, tag, tol):
    fit = fay_herriot(milk, "yi", "var", ["MajorArea"], categorical=["MajorArea"],
                      area="SmallArea", method=method, tol=tol)
    key = f"milk_{method}_{tag}"
    assert fit.iterations == R[f"{key}_iterations"]
    np.testing.assert_allclose(fit.refvar, R[f"{key}_refvar"], rtol=1e-10)
    np.testing.assert_allclose(fit.eblup, R[f"{key}_eblup"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fit.mse, R[f"{key}_mse"], rtol=1e-10)
    c = fit.coefficients
    assert c["term"].tolist() == ["(Intercept)", "MajorArea[2]", "MajorArea[3]",
                                  "MajorArea[4]"]
    np.testing.assert_allclose(c["estimate"], R[f"{key}_beta"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(c["se"], R[f"{key}_beta_se"], rtol=1e-10)
    np.testing.assert_allclose(c["z"], R[f"{key}_beta_z"], rtol=1e-10)
    np.testing.assert_allclose(c["p_value"], R[f"{key}_beta_p"], rtol=1e-8, atol=1e-15)
    np.testing.assert_allclose([fit.loglike, fit.aic, fit.bic], R[f"{key}_goodness"],
                               rtol=1e-10)


def test_milk_published_digits(milk):
    """The digits R prints for ``eblupFH(yi ~ as.factor(MajorArea), var, data = milk)`` (sae
    1.3, R 4.2.2): refvar 0.01855022, intercept 0.9681890 (SE 0.06936208), first EBLUP
    1.021970."""
    fit = fay_herriot(milk, "yi", "var", ["MajorArea"], categorical=["MajorArea"])
    assert round(fit.refvar, 8) == 0.01855022
    assert round(float(fit.coefficients["estimate"].iloc[0]), 7) == 0.9681890
    assert round(float(fit.coefficients["se"].iloc[0]), 8) == 0.06936208
    assert round(float(fit.eblup[0]), 6) == 1.021970


def test_shrinkage_and_mse_parts(milk):
    fit = fay_herriot(milk, "yi", "var", ["MajorArea"], categorical=["MajorArea"])
    a = fit.areas
    # the EBLUP lies between the direct and the synthetic estimate, weighted by B
    np.testing.assert_allclose(a["eblup"], (1 - a["shrinkage"]) * a["direct"]
                               + a["shrinkage"] * a["synthetic"], rtol=1e-12)
    np.testing.assert_allclose(a["mse"], a["g1"] + a["g2"] + 2 * a["g3"], rtol=1e-12)
    assert (a["se_eblup"] < a["se_direct"]).all()


def test_balanced_intercept_only_has_the_closed_form():
    """Equal sampling variances and an intercept only: REML and the FH moment estimator both
    give ``A = s² − ψ`` (Rao and Molina 2015, §6.1.2: the balanced case), ML
    ``A = (m − 1)/m · s² − ψ``; the EBLUP is ``ȳ + (1 − ψ/(A + ψ))(y − ȳ)``."""
    y = np.array([0.61, 0.74, 0.58, 0.83, 0.70, 0.66, 0.79, 0.52, 0.88, 0.69])
    psi = 0.002
    frame = pd.DataFrame({"y": y, "v": psi})
    s2 = float(np.var(y, ddof=1))
    m = len(y)
    for method, expected in (("REML", s2 - psi), ("FH", s2 - psi),
                             ("ML", (m - 1) / m * s2 - psi)):
        fit = fay_herriot(frame, "y", "v", method=method, tol=1e-13)
        assert fit.refvar == pytest.approx(expected, rel=1e-9)
        shrink = psi / (expected + psi)
        np.testing.assert_allclose(fit.eblup, y.mean() + (1 - shrink) * (y - y.mean()),
                                   rtol=1e-9)


def test_no_between_area_variance_gives_the_synthetic_estimate():
    """Direct estimates closer to the regression than sampling error allows: Â = 0, every
    area is the synthetic estimate, and every figure is finite (no NaN)."""
    x = np.arange(1.0, 13.0)
    y = 0.2 + 0.05 * x + np.array([1, -1, 1, -1, 0.5, -0.5, 1, -1, 0.2, -0.2, 0.1, -0.1]) * 1e-3
    frame = pd.DataFrame({"y": y, "v": 0.01, "x": x})
    for method in ("REML", "ML", "FH"):
        fit = fay_herriot(frame, "y", "v", ["x"], method=method)
        assert fit.refvar == 0.0
        np.testing.assert_allclose(fit.eblup, fit.areas["synthetic"], rtol=1e-12)
        assert np.isfinite(fit.areas.drop(columns="area").to_numpy(float)).all()


def test_result_object(milk):
    fit = ka.fay_herriot(milk, "yi", "var", ["MajorArea"], categorical=["MajorArea"],
                         method="ML")
    assert isinstance(fit, FayHerriotResult)
    d = fit.to_dict()
    json.dumps(d)
    assert d["method"] == "ML" and len(d["areas"]) == 43 and len(d["coefficients"]) == 4
    assert fit.summary().startswith("FayHerriotResult (ML): 43 areas, 4 terms")
    assert "FayHerriotResult" in fit._repr_html_()


# --------------------------------------------------------------------------------------------
# bad input: clear errors, never a silent NaN
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0.0, -0.01, np.nan, np.inf])
def test_non_positive_sampling_variance_is_refused(milk, bad):
    frame = milk.copy()
    frame.loc[4, "var"] = bad
    with pytest.raises(DataValidationError, match=r"column 'var'; row 5: the sampling "
                                                  r"variance must be a finite number > 0"):
        fay_herriot(frame, "yi", "var", ["MajorArea"], categorical=["MajorArea"],
                    source="milk.csv")


def test_missing_direct_estimate_is_refused(milk):
    frame = milk.copy()
    frame.loc[[2, 7], "yi"] = np.nan
    with pytest.raises(DataValidationError, match=r"file milk.csv; column 'yi'; rows 3, 8"):
        fay_herriot(frame, "yi", "var", source="milk.csv")


def test_missing_covariate_is_refused(milk):
    frame = milk.assign(x=milk["ni"].astype(float))
    frame.loc[10, "x"] = np.nan
    with pytest.raises(DataValidationError, match=r"column 'x'; row 11"):
        fay_herriot(frame, "yi", "var", ["x"])
    frame.loc[10, "MajorArea"] = np.nan
    with pytest.raises(DataValidationError, match=r"column 'MajorArea'; row 11"):
        fay_herriot(frame, "yi", "var", ["MajorArea"], categorical=["MajorArea"])


def test_fewer_areas_than_terms_is_refused(milk):
    frame = milk.head(4)
    with pytest.raises(DataValidationError,
                       match="more areas than terms of the regression: 4 areas for 4 terms"):
        fay_herriot(frame, "yi", "var", ["MajorArea", "ni", "CV"])


def test_rank_deficient_covariates_are_refused(milk):
    frame = milk.assign(ni2=2 * milk["ni"])
    with pytest.raises(DataValidationError, match=r"linearly dependent \(rank 3 < 4 terms\); "
                                                  r"drop or merge ni2"):
        fay_herriot(frame, "yi", "var", ["ni", "CV", "ni2"])


def test_duplicate_areas_and_unknown_columns_are_refused(milk):
    frame = milk.copy()
    frame.loc[1, "SmallArea"] = 1
    with pytest.raises(DataValidationError, match=r"column 'SmallArea'; rows 1, 2: area ids"):
        fay_herriot(frame, "yi", "var", area="SmallArea")
    with pytest.raises(DataValidationError, match="missing column.*'income'"):
        fay_herriot(milk, "yi", "var", ["income"])
    with pytest.raises(ValueError, match="unknown method 'EB'"):
        fay_herriot(milk, "yi", "var", method="EB")


def test_non_convergence_is_an_error(milk):
    with pytest.raises(FayHerriotConvergenceError, match="REML iteration .* did not converge "
                                                         "in 2 steps"):
        fay_herriot(milk, "yi", "var", ["MajorArea"], categorical=["MajorArea"], max_iter=2)


# --------------------------------------------------------------------------------------------
# the awareness report's district estimates
# --------------------------------------------------------------------------------------------

RAW = Path(__file__).resolve().parents[1] / "data" / "raw" / "awareness"


@pytest.fixture(scope="module")
def awareness():
    from kpianalysis.awareness import analyse_awareness, read_awareness_survey

    data = read_awareness_survey(RAW / "awareness_survey.csv", RAW / "population_margins.csv")
    return analyse_awareness(data)


@pytest.fixture(scope="module")
def covariates():
    from kpianalysis.awareness import read_district_covariates

    return read_district_covariates(RAW / "district_covariates.csv")


@pytest.mark.parametrize("method", ["REML", "ML"])
def test_awareness_district_model_matches_sae(method):
    """``mseFH(direct ~ internet_share + elderly_share, variance, method = ...)`` in R on the
    frozen district inputs ``awareness_districts_fh.csv`` (fay_herriot.R)."""
    frame = pd.read_csv(DATA / "awareness_districts_fh.csv")
    fit = fay_herriot(frame, "direct", "variance", ["internet_share", "elderly_share"],
                      area="district_code", method=method)
    key = f"awareness_{method}"
    np.testing.assert_allclose(fit.refvar, R[f"{key}_refvar"], rtol=1e-10)
    np.testing.assert_allclose(fit.eblup, R[f"{key}_eblup"], rtol=1e-10)
    np.testing.assert_allclose(fit.mse, R[f"{key}_mse"], rtol=1e-10)
    np.testing.assert_allclose(fit.coefficients["estimate"], R[f"{key}_beta"], rtol=1e-10)
    np.testing.assert_allclose(fit.coefficients["se"], R[f"{key}_beta_se"], rtol=1e-10)


def test_report_district_estimates_are_the_R_checked_fit(awareness, covariates):
    """The report's inputs are the frozen ones (direct estimates of the raked field design,
    checked against svy in test_awareness.py), so its EBLUPs and MSEs are R's."""
    from kpianalysis.awareness import district_small_area

    sae = district_small_area(awareness, covariates)
    frozen = pd.read_csv(DATA / "awareness_districts_fh.csv").set_index("district_code")
    t = sae.table.set_index("district_code").loc[frozen.index]
    np.testing.assert_allclose(t["direct"] / 100, frozen["direct"], rtol=1e-9)
    np.testing.assert_allclose((t["se_direct"] / 100) ** 2, frozen["variance"], rtol=1e-8)
    np.testing.assert_allclose(t["eblup"] / 100, R["awareness_REML_eblup"], rtol=1e-8)
    np.testing.assert_allclose((t["se_eblup"] / 100) ** 2, R["awareness_REML_mse"], rtol=1e-8)
    np.testing.assert_allclose(t["cv_eblup"], t["se_eblup"] / t["eblup"] * 100, rtol=1e-12)
    assert sae.illustrative and sae.covariate_status == "SYNTHETIC"
    assert sae.table["eblup"].is_monotonic_decreasing
    assert (t["se_eblup"] < t["se_direct"]).all()


def test_suppressed_districts_stay_suppressed(covariates):
    from kpianalysis import awareness_presentation as show
    from kpianalysis.awareness import (
        analyse_awareness,
        district_small_area,
        read_awareness_survey,
    )

    data = read_awareness_survey(RAW / "awareness_survey.csv", RAW / "population_margins.csv")
    analysis = analyse_awareness(data, min_group=80)
    hidden = set(analysis.districts.loc[analysis.districts["suppressed"], "district_code"])
    assert 0 < len(hidden) < 50
    sae = district_small_area(analysis, covariates)
    t = sae.table.set_index("district_code")
    assert set(t.index[t["suppressed"]]) == hidden
    figures = ["direct", "se_direct", "cv_direct", "eblup", "se_eblup", "cv_eblup",
               "shrinkage", "synthetic"]
    assert t.loc[sorted(hidden), figures].isna().all().all()
    assert t.loc[sorted(hidden), "n"].isna().all()
    assert sae.fit.n_areas == 50 - len(hidden)
    assert not set(sae.fit.areas["area"]) & hidden
    html = show.small_area_table(sae)
    for code in hidden:
        row = html.split(f"{code} ")[1].split("</tr>")[0]
        assert "ไม่แสดง (suppressed)" in row and "%" not in row
    assert f"{len(hidden)} suppressed district(s)" in show.small_area_text(sae)


def test_awareness_presentation_labels_illustrative(awareness, covariates):
    from matplotlib.figure import Figure

    from kpianalysis import awareness_presentation as show
    from kpianalysis.awareness import district_small_area

    sae = district_small_area(awareness, covariates)
    text = show.small_area_text(sae)
    assert "ตัวอย่างประกอบเท่านั้น (ILLUSTRATIVE)" in text and "synthetic" in text
    assert "Prasad–Rao" in text
    assert isinstance(show.small_area_chart(sae), Figure)
    line = show.small_area_check_line(sae)
    assert line.startswith("sae method=REML districts=50 suppressed=0 ")
    assert f"refvar_pct2={R['awareness_REML_refvar'] * 1e4:.4f}" in line
    official = covariates.assign(status="official")
    assert not district_small_area(awareness, official).illustrative


def test_zero_design_variance_and_missing_covariates_are_refused(awareness, covariates):
    import dataclasses

    from kpianalysis.awareness import district_small_area

    d = awareness.districts.copy()
    d.loc[d["district_code"] == 1005, "se"] = 0.0
    with pytest.raises(DataValidationError, match="district.*1005 have a direct estimate with "
                                                  "no sampling variance"):
        district_small_area(dataclasses.replace(awareness, districts=d), covariates)
    with pytest.raises(DataValidationError, match=r"no covariates for district\(s\) 1007"):
        district_small_area(awareness, covariates[covariates["district_code"] != 1007])


def test_covariate_file_errors(tmp_path, covariates):
    from kpianalysis.awareness import read_district_covariates

    frame = pd.read_csv(RAW / "district_covariates.csv")
    bad = frame.astype({"internet_share": object})
    bad.loc[3, "internet_share"] = "n/a"
    bad.to_csv(tmp_path / "c.csv", index=False)
    with pytest.raises(DataValidationError, match=r"file c.csv; column 'internet_share'; row 4"):
        read_district_covariates(tmp_path / "c.csv")
    frame.iloc[:-1].to_csv(tmp_path / "c.csv", index=False)
    with pytest.raises(DataValidationError, match="1 district.* missing: 1050"):
        read_district_covariates(tmp_path / "c.csv")
    frame.assign(district_code=frame["district_code"].replace(1002, 1001)).to_csv(
        tmp_path / "c.csv", index=False)
    with pytest.raises(DataValidationError, match="rows 1, 2: each district must appear once"):
        read_district_covariates(tmp_path / "c.csv")


def test_covariates_regenerate_byte_for_byte(tmp_path):
    from kpianalysis.sample_data.district_covariates import write_district_covariates

    (path,) = write_district_covariates(tmp_path)
    assert path.read_bytes() == (RAW / "district_covariates.csv").read_bytes()
    frame = pd.read_csv(path)
    assert (frame["status"] == "SYNTHETIC").all() and len(frame) == 50


def test_report_without_a_covariate_file_says_so():
    from kpianalysis import awareness_presentation as show

    assert "no district covariate file" in show.small_area_text(None)


def test_covariate_file_is_a_declared_hashed_input(tmp_path):
    # the catalog declares the covariates (role "covariates"): they are evidence of the result
    # (hashed, so a change rebuilds the report) and a missing declared file is an error, never
    # a quietly missing section
    import shutil

    import kpianalysis as ka

    result = ka.evaluate("awareness-pr", data_root=RAW.parent)
    roles = {e.role: e for e in result.evidence}
    assert roles["covariates"].path == "awareness/district_covariates.csv"
    assert len(roles["covariates"].sha256) == 64
    root = tmp_path / "raw"
    shutil.copytree(RAW.parent, root)
    (root / "awareness" / "district_covariates.csv").unlink()
    with pytest.raises(ka.InputError, match="district_covariates.csv"):
        ka.evaluate("awareness-pr", data_root=root)


def test_categorical_covariate_mixing_numbers_and_text_is_refused(milk):
    mixed = milk.assign(MajorArea=milk["MajorArea"].astype(object))
    mixed.loc[mixed.index[0], "MajorArea"] = "north"
    with pytest.raises(DataValidationError, match="one kind"):
        fay_herriot(mixed, "yi", "var", ["MajorArea"], categorical=["MajorArea"])
