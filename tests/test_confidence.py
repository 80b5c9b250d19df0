"""``confidence`` is honoured wherever it is accepted: a non-default level changes the interval
and the label that says which level it is (issue 13, part 4)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import kpianalysis as ka
from kpianalysis import awareness as aw

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
SAT = RAW / "satisfaction"


def _width(low, high) -> float:
    return float(high) - float(low)


def _read(kpi: str, rnd: int) -> ka.SurveyData:
    return ka.read_satisfaction_survey(SAT / f"{kpi}_r{rnd}.csv", ka.get_instrument(kpi))


@pytest.mark.parametrize("method", sorted(ka.proportion.PROPORTION_CI_NAMES))
def test_proportion_ci(method):
    wide = ka.proportion_ci(81, 263, method, confidence=0.99)
    narrow = ka.proportion_ci(81, 263, method, confidence=0.80)
    assert _width(narrow.low, narrow.high) < _width(wide.low, wide.high)
    assert narrow.confidence == 0.80 and narrow.ci.confidence == 0.80
    assert "80% CI" in narrow.summary() and "99% CI" in wide.summary()


def test_proportion_difference():
    d90 = ka.proportion_difference_ci(56, 70, 48, 80, confidence=0.90)
    d95 = ka.proportion_difference_ci(56, 70, 48, 80)
    assert _width(d90.low, d90.high) < _width(d95.low, d95.high)
    assert d90.confidence == 0.90 and "90% CI" in d90.summary()


@pytest.mark.parametrize("kpi", ["sat-oss", "sat-bmaq"])  # unweighted, design-weighted
def test_satisfaction_analysis_summary_breakdown_and_rounds(kpi):
    r2, r1 = _read(kpi, 2), _read(kpi, 1)
    a95 = ka.analyse_satisfaction(r2)
    a90 = ka.analyse_satisfaction(r2, confidence=0.90)
    assert a90.percent == a95.percent  # the estimate does not move
    assert _width(*a90.ci_percent) < _width(*a95.ci_percent)
    assert a90.interval.confidence == 0.90 and a90.ci.confidence == 0.90
    assert "90% CI" in a90.summary() and "95%" not in a90.summary()
    summary = ka.satisfaction_summary(r2, a90)
    assert summary["confidence"] == 0.90
    assert (summary["ci_low"], summary["ci_high"]) == pytest.approx(a90.ci_percent)
    column = r2.instrument.profile_columns[0]
    b90 = ka.breakdown(r2, a90, column, min_group=1)
    b95 = ka.breakdown(r2, a95, column, min_group=1)
    assert b90.attrs["confidence"] == 0.90
    assert (b90["ci_high"] - b90["ci_low"] <= b95["ci_high"] - b95["ci_low"] + 1e-12).all()
    p90 = ka.analyse_satisfaction(r1, confidence=0.90)
    p95 = ka.analyse_satisfaction(r1)
    c90 = ka.compare_rounds(a90, p90, confidence=0.90)
    c95 = ka.compare_rounds(a95, p95)
    assert c90.difference == pytest.approx(c95.difference)
    assert _width(c90.low, c90.high) < _width(c95.low, c95.high)
    assert "90% CI" in c90.summary()


def test_design_estimates():
    data = _read("sat-bmaq", 2)
    frame = data.frame.assign(q1=data.items["q1"].astype("Float64"))
    d90 = ka.SurveyDesign(frame, weights="weight", strata="stratum", confidence=0.90)
    d95 = ka.SurveyDesign(frame, weights="weight", strata="stratum")
    m90, m95 = d90.mean("q1", na_rm=True), d95.mean("q1", na_rm=True)
    assert _width(*m90.ci) < _width(*m95.ci)
    assert m90.ci.confidence == 0.90 and "90% CI" in m90.summary()
    per_call = d95.mean("q1", na_rm=True, confidence=0.90)
    assert (per_call.ci.low, per_call.ci.high) == pytest.approx((m90.ci.low, m90.ci.high))
    dom = d95.mean("q1", by="stratum", na_rm=True, confidence=0.80)
    assert dom.confidence == 0.80 and "80% CI" in dom.summary()
    assert dom[dom.domains[0]].ci.confidence == 0.80
    again = m95.confint(0.90)
    assert (again.low, again.high) == pytest.approx((m90.ci.low, m90.ci.high))
    assert "90% CI" in str(again)


def test_reliability():
    items = _read("sat-oss", 2).items
    a90 = ka.cronbach_alpha(items, confidence=0.90)
    a95 = ka.cronbach_alpha(items)
    assert a90.alpha == a95.alpha
    assert _width(*a90.ci) < _width(*a95.ci)
    assert a90.ci.confidence == 0.90 and "90% CI" in a90.summary()


def test_sample_size():
    assert ka.margin_of_error(400, confidence=0.90) < ka.margin_of_error(400)
    assert ka.cochran(0.5, 0.05, confidence=0.90) < ka.cochran(0.5, 0.05)


def test_awareness_analysis():
    data = aw.read_awareness_survey(RAW / "awareness" / "awareness_survey.csv")
    a90 = aw.analyse_awareness(data, confidence=0.90)
    a95 = aw.analyse_awareness(data)
    assert a90.percent == a95.percent
    assert _width(*a90.overall.ci) < _width(*a95.overall.ci)
    assert a90.moe < a95.moe
    rc90, rc95 = a90.round_change, a95.round_change
    assert rc90["ci_high"] - rc90["ci_low"] < rc95["ci_high"] - rc95["ci_low"]
    assert np.all(a90.rounds["moe"].dropna() < a95.rounds["moe"].dropna())
    assert "90% CI" in a90.summary() and "intervals at 90%" in a90.summary()
    assert aw.awareness_summary(data, a90)["confidence"] == 0.90


def test_evaluate_passes_confidence_to_the_result():
    r = ka.evaluate("sat-oss", data_root=RAW, confidence=0.90)
    assert r.uncertainty is not None and r.uncertainty.confidence == 0.90
    r95 = ka.evaluate("sat-oss", data_root=RAW)
    assert _width(r.uncertainty.ci_low, r.uncertainty.ci_high) < _width(
        r95.uncertainty.ci_low, r95.uncertainty.ci_high)
    assert "90% CI" in r.summary()
