"""Every public result prints as a compact summary (headline first) and shows itself in Jupyter
headline first, with large tables truncated (issue 13, part 4)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kpianalysis as ka
from kpianalysis import awareness as aw
from kpianalysis._results import HTML_MAX_ROWS, Result, confidence_label, format_value

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


@pytest.fixture(scope="module")
def bmaq():
    data = ka.read_satisfaction_survey(RAW / "satisfaction" / "sat-bmaq_r2.csv",
                                       ka.get_instrument("sat-bmaq"))
    return data, ka.analyse_satisfaction(data)


@pytest.fixture(scope="module")
def oss():
    data = ka.read_satisfaction_survey(RAW / "satisfaction" / "sat-oss_r2.csv",
                                       ka.get_instrument("sat-oss"))
    return data, ka.analyse_satisfaction(data)


@pytest.fixture(scope="module")
def awareness():
    data = aw.read_awareness_survey(RAW / "awareness" / "awareness_survey.csv")
    return data, aw.analyse_awareness(data)


def _results(bmaq, oss, awareness) -> dict[str, Result]:
    data, a = bmaq
    design = ka.SurveyDesign(data.frame, weights="weight", strata="stratum")
    rk = ka.rake_weights(np.ones(4), {"x": np.array(["a", "a", "b", "b"])},
                         {"x": {"a": 10, "b": 30}})
    return {
        "Estimate": a.design,
        "DomainEstimates": design.mean("weight", by="stratum"),
        "ProportionCI": ka.proportion_ci(81, 263),
        "ProportionDifference": ka.proportion_difference_ci(56, 70, 48, 80),
        "LikertResult": a.likert,
        "SatisfactionAnalysis": a,
        "CronbachAlpha": ka.cronbach_alpha(oss[0].items),
        "TargetTest": ka.target_test(0.75, 0.01),
        "Allocation": ka.allocate(100, {"a": 1000, "b": 3000}),
        "RakingResult": rk,
        "WeightSummary": ka.weight_summary(data.frame["weight"]),
        "SurveyData": data,
        "AwarenessData": awareness[0],
        "AwarenessAnalysis": awareness[1],
        "SampleSizeReview": awareness[1].sample_size,
        "ConfidenceInterval": a.design.ci,
    }


@pytest.mark.parametrize("name", [
    "Estimate", "DomainEstimates", "ProportionCI", "ProportionDifference", "LikertResult",
    "SatisfactionAnalysis", "CronbachAlpha", "TargetTest", "Allocation", "RakingResult",
    "WeightSummary", "SurveyData", "AwarenessData", "AwarenessAnalysis", "SampleSizeReview",
])
def test_summary_is_compact_and_headline_first(name, bmaq, oss, awareness):
    r = _results(bmaq, oss, awareness)[name]
    text = r.summary()
    lines = text.splitlines()
    assert lines[0].startswith(name)  # the headline names the result
    assert 1 <= len(lines) <= 16
    assert all(line.startswith("  ") for line in lines[1:])
    assert str(r) == text
    assert repr(r).startswith(f"{name}(")  # the dataclass repr is kept
    html = r._repr_html_()
    assert "<table" in html
    assert html.index(lines[0].split(":")[0]) < html.index("<table")
    assert len(html) < 60_000  # no table is dumped in full


def test_estimate_reads_like_r(bmaq):
    _, a = bmaq
    lines = a.design.summary().splitlines()
    assert lines[0] == "Estimate: proportion of _high = 0.7531, SE 0.01136"
    assert lines[1] == "  95% CI [0.7302, 0.7747] (logit)"
    assert lines[2] == "  n 1433, design effect 1.007, effective n 1423, df 1383"


def test_satisfaction_html_shows_the_headline_before_any_table(bmaq):
    data, a = bmaq
    html = a._repr_html_()
    first_table = html.index("<table")
    lo, hi = a.ci_percent
    for needle in ("A = 75.31 %", f"95% CI [{lo:.2f}, {hi:.2f}] %", "B = 1078", "C = 1433",
                   "level 4"):
        assert needle in html[:first_table], needle
    # the respondent table (1500 rows) is truncated and its shape shown
    assert "1500 rows × 8 columns (truncated)" in html
    assert html.count("<tr") < 200
    assert len(a.likert.respondents) == 1500 > HTML_MAX_ROWS


def test_satisfaction_summary_lines(oss):
    _, a = oss
    lines = a.summary().splitlines()
    assert lines[0] == "SatisfactionAnalysis sat-oss round 2: A = 82.78 %"
    assert lines[1].strip().endswith("% (wilson, unweighted)")
    assert "B = 173 high or above, C = 209 scored of 214 respondents" in lines[2]
    assert lines[3].strip().startswith("level 5")


def test_generic_summary_for_other_results():
    score = ka.score_satisfaction(75.3, weight=20)
    lines = score.summary().splitlines()
    assert lines[0] == "SatisfactionScore"
    assert "percent 75.3" in lines[1] and "level 4" in lines[1]


@pytest.mark.parametrize(("value", "text"), [
    (0.95, "95%"), (0.9, "90%"), (0.975, "97.5%"), (0.999, "99.9%"), (0.5, "50%")])
def test_confidence_label(value, text):
    assert confidence_label(value) == text


@pytest.mark.parametrize(("value", "text"), [
    (None, "–"), (True, "yes"), (3, "3"), (12345, "12,345"), (0.75314, "0.7531"),
    (8530124.7, "8,530,125"), (float("nan"), "NaN"), (2.0, "2"),
    (pd.DataFrame({"a": [1, 2]}), "<table 2 × 1>"), (np.arange(3), "[0, 1, 2]")])
def test_format_value(value, text):
    assert format_value(value) == text


def test_headline_fields_hook_and_ipython_text():
    import dataclasses

    @dataclasses.dataclass(frozen=True)
    class Mine(Result):
        _headline_fields = ("estimate", "n")
        table: pd.DataFrame
        estimate: float
        n: int

    r = Mine(pd.DataFrame({"x": range(50)}), 0.123456, 40)
    assert r.summary() == "Mine\n  estimate 0.1235, n 40"
    assert "50 rows × 1 columns (truncated)" in r._repr_html_()
    pretty = pytest.importorskip("IPython.lib.pretty")
    assert pretty.pretty(r) == r.summary()  # IPython's text/plain shows the summary
    assert pretty.pretty(ka.proportion_ci(3, 10)) == ka.proportion_ci(3, 10).summary()
