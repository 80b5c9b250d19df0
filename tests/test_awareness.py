"""The awareness-survey analysis (kpianalysis.awareness) and its presentation.

Reference values and where they come from:

* ``svy``: the independent Python survey package ``svy`` 0.35.0 (not a runtime dependency),
  run in the project's venv on ``data/raw/awareness/awareness_survey.csv``; the calls are given
  next to the values (``f`` is the field rows, ``stratum`` = round-district, ``r_<var>`` =
  round_<category> columns for the within-round margins).
* ``statsmodels``: ``statsmodels.stats.proportion.proportions_ztest`` 0.14 (one-sample z test of
  a proportion with the SE at the sample proportion; Agresti, *Categorical Data Analysis*,
  3rd ed., section 1.4.1).
* ``scipy``: ``scipy.stats.ttest_1samp`` (one-sample t test on 0/1 data).
* Published sample-size tables: Krejcie & Morgan (1970) Table 1 (N = 1,000,000 → 384);
  Israel (1992) "Determining sample size", Table 2, Yamane's formula (N > 100,000, ±5 % → 400);
  Cochran (1977) section 4.4 (n0 = 384.16 → 385 for ±5 %, p = 0.5, 95 %).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from kpianalysis import DataValidationError
from kpianalysis import awareness_presentation as show
from kpianalysis.awareness import (
    AWARENESS_TARGET,
    analyse_awareness,
    awareness_summary,
    processed_table,
    read_awareness_survey,
    read_population_margins,
    target_test,
)

RAW = Path(__file__).resolve().parents[1] / "data" / "raw" / "awareness"
SURVEY = RAW / "awareness_survey.csv"
MARGINS = RAW / "population_margins.csv"


@pytest.fixture(scope="module")
def data():
    return read_awareness_survey(SURVEY, MARGINS)


@pytest.fixture(scope="module")
def analysis(data):
    return analyse_awareness(data)


@pytest.fixture(scope="module")
def summary(data, analysis):
    return awareness_summary(data, analysis)


def _bad_copy(tmp_path: Path, edit) -> Path:
    frame = pd.read_csv(SURVEY, dtype=str, keep_default_na=False)
    edit(frame)
    out = tmp_path / "awareness_survey.csv"
    frame.to_csv(out, index=False)
    (tmp_path / "population_margins.csv").write_bytes(MARGINS.read_bytes())
    return out


# ----------------------------------------------------------------------------------------------
# Reading and validation
# ----------------------------------------------------------------------------------------------


def test_reads_the_bundled_files(data):
    assert data.n == 10_000
    assert data.n_by_mode == {"field": 5550, "online": 3906, "focus_group": 544}
    assert data.rounds == (1, 2, 3)
    assert data.population == pytest.approx(5_471_588)
    assert data.sha256 == hashlib.sha256(SURVEY.read_bytes()).hexdigest()
    assert data.frame["design_weight"].notna().sum() == 5550
    assert data.frame["district_code"].dtype == np.int64


def test_margins_default_to_the_file_next_to_the_survey():
    assert read_awareness_survey(SURVEY).margins_path == str(MARGINS)


@pytest.mark.parametrize(
    ("column", "value", "needle"),
    [
        ("mode", "phone", "field, online, focus_group"),
        ("aware", "2", "must be 0 or 1"),
        ("district_code", "1099", "1001-1050"),
        ("age_group", "15-17", "expected one of 18-24"),
        ("interview_date", "31/02/2568", "not a valid date"),
        ("round", "x", "positive whole number"),
    ],
)
def test_bad_values_name_file_column_and_row(tmp_path, column, value, needle):
    def edit(frame):
        frame.loc[4, column] = value

    path = _bad_copy(tmp_path, edit)
    with pytest.raises(DataValidationError) as err:
        read_awareness_survey(path)
    msg = str(err.value)
    assert "awareness_survey.csv" in msg and repr(column) in msg and "row 5" in msg
    assert needle in msg
    assert err.value.rows == [5]


def test_field_row_without_design_weight(tmp_path):
    path = _bad_copy(tmp_path, lambda f: f.__setitem__("design_weight", f["design_weight"]
                                                        .mask(f.index == 2, "")))
    with pytest.raises(DataValidationError, match=r"'design_weight'; row 3: field respondents"):
        read_awareness_survey(path)


def test_aware_must_follow_the_kr_definition(tmp_path):
    def edit(frame):
        row = frame.index[(frame["aware"] == "1")][0]
        frame.loc[row, "aware"] = "0"

    with pytest.raises(DataValidationError, match="KR definition"):
        read_awareness_survey(_bad_copy(tmp_path, edit))


def test_missing_column(tmp_path):
    path = _bad_copy(tmp_path, lambda f: f.pop("ch_tv"))
    with pytest.raises(DataValidationError, match="missing column"):
        read_awareness_survey(path)


def test_margins_with_different_totals(tmp_path):
    m = pd.read_csv(MARGINS, dtype=str, keep_default_na=False)
    m.loc[0, "population"] = "2600000"
    bad = tmp_path / "m.csv"
    m.to_csv(bad, index=False)
    with pytest.raises(DataValidationError, match="totals differ"):
        read_population_margins(bad)


def test_unknown_rake_variable(data):
    with pytest.raises(ValueError, match="income"):
        analyse_awareness(data, rake_variables=["sex", "income"])


# ----------------------------------------------------------------------------------------------
# Target test
# ----------------------------------------------------------------------------------------------

# statsmodels: proportions_ztest(count, nobs, value=0.8, alternative="smaller")
ZTEST = [
    (150, 200, -1.6329931618554536, 0.05123521742987455),
    (4170, 5550, -8.384992626413641, 2.5364467993363758e-17),
]


@pytest.mark.parametrize(("count", "nobs", "z", "p"), ZTEST)
def test_target_test_is_the_one_sample_z_test(count, nobs, z, p):
    phat = count / nobs
    r = target_test(phat, np.sqrt(phat * (1 - phat) / nobs), df=None, target=0.8)
    assert r.statistic == pytest.approx(z, rel=1e-12)
    assert r.p_value == pytest.approx(p, rel=1e-9)
    assert r.reject == (p < 0.05)
    # the flat-prior normal approximation: P(p >= 0.8) equals the one-sided p-value
    assert r.p_target_met == pytest.approx(p, rel=1e-9)


def test_target_test_t_reference():
    # scipy: ttest_1samp(np.r_[np.ones(150), np.zeros(50)], 0.8, alternative="less")
    #   -> statistic -1.628905563049417, pvalue 0.052457507695801237, df 199
    x = np.r_[np.ones(150), np.zeros(50)]
    r = target_test(x.mean(), x.std(ddof=1) / np.sqrt(len(x)), df=199, target=0.8)
    assert r.statistic == pytest.approx(-1.628905563049417, rel=1e-12)
    assert r.p_value == pytest.approx(0.052457507695801237, rel=1e-9)
    assert not r.reject


def test_target_test_above_target_gives_high_probability():
    r = target_test(0.85, 0.02, df=100)
    assert r.p_target_met > 0.99 and not r.reject


@pytest.mark.parametrize(("kwargs", "needle"), [
    ({"estimate": 1.2, "se": 0.01}, "estimate"),
    ({"estimate": 0.7, "se": 0.0}, "se"),
    ({"estimate": 0.7, "se": 0.01, "target": 1.0}, "target"),
    ({"estimate": 0.7, "se": 0.01, "alpha": 0}, "alpha"),
])
def test_target_test_validates(kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        target_test(**kwargs)


# ----------------------------------------------------------------------------------------------
# Design-based estimates against svy
# ----------------------------------------------------------------------------------------------


def test_design_weighted_field_estimate_svy(analysis):
    # svy: Sample(f, Design(stratum="stratum", wgt="design_weight")).estimation.prop("aware")
    #   -> est 0.7522741392307942, se 0.005739524910507944, lci 0.7408518445760761,
    #      uci 0.7633537963559259, df 5400
    row = analysis.estimators.set_index("key").loc["design_weights"]
    assert row["estimate"] == pytest.approx(75.22741392307942, rel=1e-10)
    assert row["ci_low"] == pytest.approx(74.08518445760761, rel=1e-9)
    assert row["ci_high"] == pytest.approx(76.33537963559259, rel=1e-9)
    assert row["moe"] / 1.9604 == pytest.approx(0.5739524910507944, rel=1e-3)


def test_raked_headline_svy(analysis):
    # svy: s.weighting.rake(controls={"r_sex": ..., "r_age_group": ..., "r_district_code": ...},
    #      tol=1e-12, max_iter=1000).estimation.prop("aware")
    #   -> est 0.7518822837970742, se 0.005782942889455456, df 5400;
    #      by="round": 0.7272490328640815, 0.7562706542016574, 0.77212716432548
    o = analysis.overall
    assert o.estimate == pytest.approx(0.7518822837970742, rel=1e-9)
    assert o.df == 5400 and o.n == 5550
    # svy's linearisation of the raking adjustment differs from R's in the calibration term;
    # the two standard errors agree to 0.01 %
    assert o.se == pytest.approx(0.005782942889455456, rel=1e-3)
    np.testing.assert_allclose(analysis.rounds["estimate"],
                               [72.72490328640815, 75.62706542016574, 77.212716432548],
                               rtol=1e-9)
    assert analysis.raked_to == ("sex", "age_group", "district_code")


def test_raked_district_estimates_svy(analysis):
    # svy: (raked sample).estimation.prop("aware", by="district_code")
    #   -> 1001: est 0.7674259940729836, se 0.05565311261051381, df 57;
    #      1002: est 0.6319210366139143, se 0.049277122661486386, df 87
    d = analysis.districts.set_index("district_code")
    assert d.loc[1001, "estimate"] == pytest.approx(76.74259940729836, rel=1e-9)
    assert d.loc[1002, "estimate"] == pytest.approx(63.19210366139143, rel=1e-9)
    assert d.loc[1001, "se"] == pytest.approx(5.565311261051381, rel=1e-3)
    assert d.loc[1001, "df"] == 57


def test_raked_weights_reproduce_the_margins_in_every_round(data, analysis):
    w = analysis.weights.merge(data.frame[["respondent_id", "sex", "age_group"]])
    sex = w.groupby(["round", "sex"])["raked_weight"].sum().unstack()
    np.testing.assert_allclose(sex["male"], 2_555_426, rtol=1e-8)
    np.testing.assert_allclose(sex["female"], 2_916_162, rtol=1e-8)
    age = w.groupby(["round", "age_group"])["raked_weight"].sum().unstack()
    np.testing.assert_allclose(age["18-24"], 547_159, rtol=1e-8)


# ----------------------------------------------------------------------------------------------
# Analysis contents
# ----------------------------------------------------------------------------------------------


def test_headline_target_and_probability(analysis):
    assert analysis.target == AWARENESS_TARGET
    assert not analysis.verdict["target_met"]
    t = analysis.test
    assert t.statistic == pytest.approx((analysis.overall.estimate - 0.8) / analysis.overall.se)
    assert t.reject and t.p_target_met < 1e-6
    assert analysis.moe == pytest.approx(
        (analysis.overall.ci.high - analysis.overall.ci.low) * 50, rel=0.02)


def test_modes_are_compared_with_the_field_estimate(analysis):
    m = analysis.modes.set_index("mode")
    assert m.loc["field", "estimate"] == pytest.approx(analysis.percent)
    assert m.loc["field", "probability_sample"]
    assert not m.loc["online", "probability_sample"]
    assert not m.loc["focus_group", "probability_sample"]
    # two-sample z test of independent estimates (difference / sqrt(se1² + se2²))
    d = m.loc["online", "estimate"] - m.loc["field", "estimate"]
    z = d / np.hypot(m.loc["online", "se"], m.loc["field", "se"])
    assert m.loc["online", "z"] == pytest.approx(z)
    assert analysis.modes_disagree and m.loc["online", "disagrees"]
    # focus groups are clusters of 8: their design effect exceeds 1
    assert m.loc["focus_group", "deff"] > 1
    assert "district_code" not in m.loc["focus_group", "raked_to"]


def test_districts_sorted_and_complete(analysis):
    d = analysis.districts
    assert len(d) == 50 and not d["suppressed"].any()
    assert d["estimate"].is_monotonic_decreasing
    assert (d["ci_low"] < d["estimate"]).all() and (d["estimate"] < d["ci_high"]).all()


def test_channels_and_dimensions(analysis):
    c = analysis.channels.set_index("column")
    assert len(c) == 10
    # reach of any channel cannot be below reach of any single channel of that kind
    assert c.loc["any_offline", "estimate"] >= c.loc["ch_tv", "estimate"]
    assert c.loc["any_online", "estimate"] >= c.loc["ch_facebook", "estimate"]
    # among the aware the share is reach / awareness
    assert c.loc["ch_tv", "among_aware"] == pytest.approx(
        c.loc["ch_tv", "estimate"] / analysis.percent * 100, rel=1e-9)
    assert len(analysis.dimensions) == 9


def test_sample_size_review_matches_published_tables(analysis):
    ss = analysis.sample_size
    f = ss.formulas.set_index("margin")
    assert f.loc[5.0, "cochran"] == 385  # Cochran (1977) 4.4: n0 = 384.16 -> 385
    assert f.loc[5.0, "yamane"] == 400  # Israel (1992) Table 2: N > 100,000, ±5 % -> 400
    assert f.loc[5.0, "krejcie_morgan"] == 384  # Krejcie & Morgan (1970) Table 1
    assert f.loc[3.0, "yamane"] == 1111  # Israel (1992) Table 2: ±3 % -> 1,111
    scopes = set(ss.achieved["scope"])
    assert scopes == {"overall", "round", "mode", "district"}
    assert ss.district_needs["n_needed"].between(370, 450).all()
    assert ss.district_total_needed == ss.district_needs["n_needed"].sum()


def test_small_groups_are_suppressed(tmp_path):
    frame = pd.read_csv(SURVEY, dtype=str, keep_default_na=False)
    fg = frame.index[frame["mode"] == "focus_group"]
    frame = frame.drop(fg[8:]).reset_index(drop=True)  # one focus group of 8 left
    path = tmp_path / "awareness_survey.csv"
    frame.to_csv(path, index=False)
    a = analyse_awareness(read_awareness_survey(path, MARGINS))
    row = a.modes.set_index("mode").loc["focus_group"]
    assert row["suppressed"] and pd.isna(row["n"]) and np.isnan(row["estimate"])
    assert "&lt; 10" in show.modes_table(a) or "< 10" in show.modes_table(a)


# ----------------------------------------------------------------------------------------------
# Summary and presentation
# ----------------------------------------------------------------------------------------------


def test_summary_fields(summary, data):
    for key in ("kpi", "estimate", "ci_low", "ci_high", "target", "target_met", "p_target_met",
                "n_respondents", "moe_overall", "input_sha256", "margins_sha256", "test",
                "modes_disagree", "sample_size", "level", "points", "weight"):
        assert key in summary
    assert summary["kpi"] == "awareness-pr"
    assert summary["n_respondents"] == 10_000
    assert summary["target"] == 80.0 and summary["target_met"] is False
    assert summary["ci_low"] < summary["estimate"] < summary["ci_high"]
    assert summary["percent_all_modes_unweighted"] == pytest.approx(
        data.frame["aware"].mean() * 100)
    json.dumps(summary, allow_nan=False)  # plain JSON, no NaN


def test_processed_table(data, analysis):
    t = processed_table(data, analysis)
    assert len(t) == data.n
    assert t["raked_weight"].notna().sum() == 5550
    assert "interview_date" not in t.columns


def test_presentation_is_escaped_text(analysis, data, summary):
    texts = [
        show.awareness_headline(summary), show.estimator_text(analysis, data),
        show.estimators_table(analysis), show.target_text(analysis), show.rounds_table(analysis),
        show.round_change_text(analysis), show.modes_table(analysis),
        show.modes_warning(analysis), show.districts_table(analysis),
        show.channels_table(analysis), show.dimensions_table(analysis),
        show.moe_table(analysis), show.formulas_table(analysis), show.formulas_text(analysis),
        show.deff_text(analysis), show.test_power_table(analysis),
        show.district_needs_text(analysis), show.methods_text(summary, data),
    ]
    assert all(isinstance(t, str) and t for t in texts)
    assert "ไม่บรรลุค่าเป้าหมาย" in texts[0]
    assert "คำเตือน" in show.modes_warning(analysis)
    assert show.awareness_title(summary).startswith("# ร้อยละการรับรู้")


def test_methods_text_escapes_file_content(data, summary):
    margins = data.margins.copy()
    margins.loc[0, "source"] = "<script>alert(1)</script>"
    html = show.methods_text(summary, type(data)(**{**data.__dict__, "margins": margins}))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_figures(analysis):
    for fig in (show.rounds_chart(analysis), show.modes_chart(analysis),
                show.districts_chart(analysis), show.channels_chart(analysis)):
        assert isinstance(fig, Figure)
    ax = show.districts_chart(analysis).axes[0]
    assert len(ax.get_yticklabels()) == 50


def test_check_line(summary):
    line = show.check_line(summary)
    assert line.startswith("kpi=awareness-pr n_respondents=10000 n_field=5550")
    assert "target_met=False" in line and "\n" not in line
