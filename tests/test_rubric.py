"""Tests for kpianalysis.rubric: seed figures, boundaries and properties."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpianalysis._validation import DataValidationError
from kpianalysis.rubric import (
    LIKERT_BANDS,
    LIVABLE_CITY_BANDS,
    SATISFACTION_BANDS,
    SLA_BANDS,
    TRAINING_BANDS,
    Band,
    SLACompliance,
    ThresholdBands,
    count_livable_city_issues,
    read_requirements,
    score_committee_share,
    score_count_bands,
    score_count_target,
    score_it_support,
    score_milestones,
    score_quarterly_progress,
    score_satisfaction,
    score_satisfaction_counts,
    score_step_completion,
    score_training,
    sla_compliance,
)

# ---------------------------------------------------------------------------------------------
# Satisfaction threshold table (seed 004, table ค; identical in every satisfaction sheet):
# "ร้อยละ 80 ขึ้นไป = ระดับ 5 (ร้อยละ 100)", 75 → 4 (80), 70 → 3 (60), 65 → 2 (40), 60 → 1 (20);
# points = weight × success / 100 → weight 10: 10/8/6/4/2, weight 20 (BMA Q): 20/16/12/8/4.
SAT_TABLE = [
    # A,   level, success %, points@10, points@20
    (80.0, 5, 100, 10, 20),
    (75.0, 4, 80, 8, 16),
    (70.0, 3, 60, 6, 12),
    (65.0, 2, 40, 4, 8),
    (60.0, 1, 20, 2, 4),
]


@pytest.mark.parametrize(("a", "level", "success", "p10", "p20"), SAT_TABLE)
def test_satisfaction_table_at_each_threshold(a, level, success, p10, p20):
    r10 = score_satisfaction(a, weight=10)
    r20 = score_satisfaction(a, weight=20)
    assert r10.level == level
    assert r10.success_percent == pytest.approx(success)
    assert r10.points == pytest.approx(p10)
    assert r20.points == pytest.approx(p20)
    assert r20.max_points == pytest.approx(20)
    assert r10.target_met is (level == 5)


@pytest.mark.parametrize(("a", "level"), [(79.99999, 4), (74.99999, 3), (69.99999, 2),
                                          (64.99999, 1), (59.99999, 0), (0.0, 0), (100.0, 5)])
def test_satisfaction_just_below_each_threshold(a, level):
    assert score_satisfaction(a).level == level
    assert score_satisfaction(a).points == pytest.approx(2 * level)


@pytest.mark.parametrize(("b", "c", "level"), [
    (4, 5, 5),        # 4*100/5 = 80.0 exactly
    (8, 10, 5),
    (56, 70, 5),      # 56*100/70 = 80.00000000000001 in floating point
    (7, 10, 3),       # 70
    (799_999, 1_000_000, 4),
    (3, 4, 4),        # 75
    (13, 20, 2),      # 65
    (3, 5, 1),        # 60
    (59, 100, 0),
])
def test_satisfaction_counts_exact_and_float_agree(b, c, level):
    exact = score_satisfaction_counts(b, c)
    assert exact.level == level
    assert score_satisfaction(b * 100 / c).level == level
    # the product form 0.8 * 100 = 80.00000000000001 and (b / c) * 100 too
    assert score_satisfaction((b / c) * 100).level == level


def test_float_rounding_either_side_of_80():
    assert score_satisfaction(80.00000000000001).level == 5
    assert score_satisfaction(79.99999999999999).level == 5  # ulp below 80: rounding noise
    assert score_satisfaction(79.9999).level == 4


def test_ci_levels():
    r = score_satisfaction(81.0, weight=20, ci_low=78.2, ci_high=83.5)
    assert (r.level, r.level_at_ci_low, r.level_at_ci_high) == (5, 4, 5)
    assert (r.points_at_ci_low, r.points_at_ci_high) == (pytest.approx(16), pytest.approx(20))
    none = score_satisfaction(81.0)
    assert none.level_at_ci_low is None and none.points_at_ci_high is None
    assert none.to_dict()["level"] == 5


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"percent": 101}, "percent"),
    ({"percent": -1}, "percent"),
    ({"percent": float("nan")}, "percent"),
    ({"percent": 80, "weight": 0}, "weight"),
    ({"percent": 80, "ci_low": 70}, "ci_high"),
    ({"percent": 80, "ci_low": 90, "ci_high": 70}, "ci_low"),
])
def test_satisfaction_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        score_satisfaction(**kwargs)


def test_satisfaction_counts_bad_input():
    with pytest.raises(ValueError, match="b must be between"):
        score_satisfaction_counts(11, 10)
    with pytest.raises(TypeError, match="integer"):
        score_satisfaction_counts(8.0, 10)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="c"):
        score_satisfaction_counts(0, 0)


@given(a=st.floats(0, 100), b=st.floats(0, 100),
       w=st.floats(0.5, 100, allow_nan=False, allow_infinity=False))
def test_satisfaction_monotone_and_bounded(a, b, w):
    lo, hi = sorted((a, b))
    r_lo, r_hi = score_satisfaction(lo, weight=w), score_satisfaction(hi, weight=w)
    assert r_lo.level <= r_hi.level
    assert 0 <= r_hi.points <= w * (1 + 1e-12)
    assert r_hi.points == pytest.approx(w * r_hi.success_percent / 100)


@given(c=st.integers(1, 10_000), data=st.data())
def test_satisfaction_counts_match_float_form(c, data):
    b = data.draw(st.integers(0, c))
    assert score_satisfaction_counts(b, c).level == score_satisfaction(b * 100 / c).level


# ---------------------------------------------------------------------------------------------
# SLA table (seed 004 item 5): ≥ 90/85/80/75/70 → 5/4/3/2/1 points.
@pytest.mark.parametrize(("pct", "points"), [(90, 5), (89.99999, 4), (85, 4), (80, 3), (75, 2),
                                             (70, 1), (69.99999, 0)])
def test_sla_bands(pct, points):
    assert SLA_BANDS.level(pct) == points
    assert SLA_BANDS.score(pct, weight=5).points == pytest.approx(points)


# Likert band (satisfaction sheets): 3.51–4.50 มาก; exactly 3.51 is "high".
@pytest.mark.parametrize(("mean", "level", "label"), [(3.51, 4, "มาก"), (3.5, 3, "ปานกลาง"),
                                                     (4.51, 5, "มากที่สุด"), (4.5, 4, "มาก"),
                                                     (1.0, 1, "น้อยที่สุด"), (2.51, 3, "ปานกลาง"),
                                                     (1.51, 2, "น้อย")])
def test_likert_bands(mean, level, label):
    assert LIKERT_BANDS.level(mean) == level
    assert LIKERT_BANDS.band(mean).label == label
    # a respondent mean computed as a sum / items: (4+4+3+3+...)/n can be 3.5099999999999998
    assert LIKERT_BANDS.level(sum([3.51] * 7) / 7) == LIKERT_BANDS.level(3.51)


def test_threshold_vectorised():
    got = SATISFACTION_BANDS.level(np.array([100, 80, 79.99999, 60, 10]))
    np.testing.assert_array_equal(got, [5, 5, 4, 1, 0])


@pytest.mark.parametrize(("bands", "match"), [
    ([Band(5, 80, 100), Band(4, 80, 80)], "overlap"),
    ([Band(5, 70, 100), Band(4, 75, 80)], "overlap or are unordered"),
    ([Band(4, 80, 100), Band(5, 75, 80)], "levels must strictly decrease"),
    ([Band(5, 80, 100), Band(4, 75, 120)], "success_percent"),
    ([], "empty"),
])
def test_bad_bands(bands, match):
    with pytest.raises(ValueError, match=match):
        ThresholdBands(tuple(bands), name="demo")


# =============================================================================================
# Engines beyond satisfaction
# =============================================================================================
RAW = Path(__file__).resolve().parents[1] / "data" / "raw" / "rubric"


# --- quarterly progress: campaign KPI 0411-2029 (seed 003) -----------------------------------
# Seed 003 "ผลงานเทียบกับเป้าหมายรายไตรมาส": results 10.00 / 30.00 / 70.00 / 100.00 against the
# cumulative plan 10 / 30 / 70 / 100 (KPI_SPEC D); "ผลประเมินตัวชี้วัด" 100, (blank: 0 / 0), 100,
# 100; "ผลงานที่ทำได้ ร้อยละ : 100" against "ค่าเป้าหมาย ร้อยละ : 100".
SEED003_SCORES = [100.0, np.nan, 100.0, 100.0]


def test_campaign_progress_reproduces_seed_003():
    res = score_quarterly_progress(RAW / "0411-2029_progress.csv", target=100)
    np.testing.assert_allclose(res.quarters["actual_percent"], [10, 30, 70, 100])
    np.testing.assert_allclose(res.quarters["assessed_score"], SEED003_SCORES)
    np.testing.assert_allclose(res.quarters["score"], [100, 100, 100, 100])
    assert res.percent == pytest.approx(100) and res.target_met
    assert res.fiscal_year == 2566 and res.behind_plan == ()
    assert list(res.quarters["report_date"].dt.month) == [12, 3, 6, 9]


def _progress(**cols):
    base = {"quarter": [1, 2, 3, 4], "plan_percent": [10, 30, 70, 100],
            "actual_percent": [10, 25, 70, 90]}
    base.update(cols)
    return pd.DataFrame(base)


def test_progress_behind_plan():
    res = score_quarterly_progress(_progress())
    np.testing.assert_allclose(res.quarters["score"], [100, 25 * 100 / 30, 100, 90])
    assert res.behind_plan == (2, 4) and not res.target_met


@pytest.mark.parametrize(("cols", "column", "rows", "match"), [
    ({"quarter": [1, 3, 2, 4]}, "quarter", [3], "go backwards"),
    ({"quarter": [1, 2, 2, 4]}, "quarter", [3], "repeat"),
    ({"quarter": [0, 2, 3, 4]}, "quarter", [1], "integer >= 1"),
    ({"actual_percent": [10, 35, 30, 100]}, "actual_percent", [3], "must not decrease"),
    ({"plan_percent": [10, 30, 70, 120]}, "plan_percent", [4], "<= 100"),
    ({"report_date": ["31/12/2565", "31/02/2566", "6/30/2023", "30/09/2566"]}, "report_date",
     [2], "not a valid date"),
    ({"report_date": ["31/12/2565", "30/04/2566", "6/30/2023", "30/09/2566"]}, "report_date",
     [2], "not in the stated fiscal quarter"),
    ({"report_date": ["31/12/2565", "31/03/2566", "6/30/2023", "30/09/2566"],
      "fiscal_year": [2567] * 4}, "report_date", [1, 2, 3, 4], "fiscal year 2567"),
])
def test_progress_bad_files_name_column_and_row(cols, column, rows, match):
    with pytest.raises(DataValidationError, match=match) as err:
        score_quarterly_progress(_progress(**cols))
    assert err.value.column == column and err.value.rows == rows


# --- milestones: seed 002 (level 5.00) and GIS (seed 004) ------------------------------------

def test_seed_002_social_media_level_5():
    # Seed 002: "เป้าหมาย : 5 (ระดับ)", "ผลงานที่ทำได้ = 5.00 (ระดับ)".
    res = score_milestones(RAW / "social-media-proactive_evidence.csv", weight=10)
    assert res.level == 5 and res.target_met and res.points == pytest.approx(10)
    assert res.missing == ()
    # before the level 5 evidence date (30/09/2564) only level 4 was reached
    assert score_milestones(RAW / "social-media-proactive_evidence.csv",
                            as_of="9/29/2021").level == 4


def _evidence(status, levels=(1, 2, 2, 3, 4, 5)):
    return pd.DataFrame({"level": list(levels),
                         "criterion": [f"c{i}" for i in range(len(levels))],
                         "status": status, "date": [""] * len(levels)})


def test_milestones_need_all_lower_levels():
    # level 4 done but one level-2 criterion missing → level 1
    res = score_milestones(_evidence(["done", "done", "pending", "done", "done", "pending"]))
    assert res.level == 1 and res.missing == ("level 2: c2",)
    assert score_milestones(RAW / "gis-open-data_evidence.csv").level == 3


def test_milestones_bad_file():
    with pytest.raises(DataValidationError, match=r"no criterion for level\(s\) \[3\]"):
        score_milestones(_evidence(["done"] * 4, levels=(1, 2, 4, 5)))
    with pytest.raises(DataValidationError, match="yes/no") as err:
        score_milestones(_evidence(["done", "maybe", "done", "done", "done", "done"]))
    assert err.value.rows == [2]


@given(st.lists(st.booleans(), min_size=1, max_size=8))
def test_milestones_property(flags):
    ev = pd.DataFrame({"level": range(1, len(flags) + 1), "criterion": "c",
                       "status": ["done" if f else "no" for f in flags]})
    res = score_milestones(ev, weight=10, n_levels=len(flags))
    expected = next((i for i, f in enumerate(flags) if not f), len(flags))
    assert res.level == expected
    assert 0 <= res.points <= 10


# --- count bands: livable-city (seed 004 table ค item 3) -------------------------------------
# "1 - 6" → 1 (2 points), "7 – 13" → 2 (4), "14 – 20" → 3 (6), "21 – 27" → 4 (8),
# "28 … - มีรายงาน…รายงานผู้บริหารกรุงเทพมหานครทราบ" → 5 (10).
LIVABLE = [(0, 0, 0), (1, 1, 2), (6, 1, 2), (7, 2, 4), (13, 2, 4), (14, 3, 6), (20, 3, 6),
           (21, 4, 8), (27, 4, 8), (28, 5, 10)]


@pytest.mark.parametrize(("count", "level", "points"), LIVABLE)
def test_livable_city_bands(count, level, points):
    res = score_count_bands(count, top_level_requires=[("report", True)])
    assert (res.level, res.points) == (level, pytest.approx(points))


def test_livable_city_level_5_needs_report():
    res = score_count_bands(28, top_level_requires=[("รายงานผู้บริหาร", False)])
    assert res.level == 4 and res.missing == ("level 5 also needs: รายงานผู้บริหาร",)
    n = count_livable_city_issues(RAW / "livable-city-indicators_issues.csv")
    req = read_requirements(RAW / "livable-city-indicators_evidence.csv")
    assert n == 25 and req[0][1] is False
    assert score_count_bands(n, top_level_requires=req).level == 4
    with pytest.raises(ValueError, match="between 0 and 28"):
        score_count_bands(29)


@given(st.integers(0, 28), st.integers(0, 28), st.booleans())
def test_count_bands_monotone(a, b, report):
    lo, hi = sorted((a, b))
    req = [("report", report)]
    r_lo = score_count_bands(lo, top_level_requires=req)
    r_hi = score_count_bands(hi, top_level_requires=req)
    assert r_lo.level <= r_hi.level and r_hi.points <= r_hi.weight
    assert r_hi.level == LIVABLE_CITY_BANDS.level(hi) or (hi == 28 and not report)


# --- IT-support composite (seed 004 table ค item 5) ------------------------------------------

def _tickets():
    # 10 tickets, SLA 4 h; 9 resolved in time (one exactly on the deadline), 1 late → 90 %.
    opened = pd.date_range("2024-01-08 09:00", periods=10, freq="D")
    hours = [1, 2, 3, 4, 0.5, 3.99, 2, 2, 1, 4.01]
    return pd.DataFrame({"ticket_id": [f"T{i}" for i in range(10)],
                         "opened": opened.strftime("%Y-%m-%d %H:%M:%S"),
                         "resolved": (opened + pd.to_timedelta(hours, unit="h")).strftime(
                             "%Y-%m-%d %H:%M:%S"),
                         "sla_hours": 4})


def test_sla_from_tickets_boundary():
    res = sla_compliance(_tickets())
    assert (res.n_tickets, res.n_met, res.percent, res.points) == (10, 9, 90.0, 5.0)
    assert res.missed_tickets == ("T9",)


def test_sla_pending_and_unresolved():
    df = _tickets()
    df.loc[9, "resolved"] = ""
    assert sla_compliance(df).n_met == 9  # unresolved = miss without as_of
    res = sla_compliance(df, as_of="2024-01-17 10:00")  # T9 opened 09:00, deadline 13:00
    assert (res.n_tickets, res.n_pending, res.percent) == (9, 1, 100.0)


def test_sla_bad_tickets():
    df = _tickets()
    df.loc[3, "resolved"] = "2024-01-01 00:00"
    with pytest.raises(DataValidationError, match="before opened") as err:
        sla_compliance(df)
    assert err.value.rows == [4]
    df = _tickets()
    df.loc[2, "opened"] = "yesterday"
    with pytest.raises(DataValidationError, match="ISO 8601"):
        sla_compliance(df)


@pytest.mark.parametrize(("sat", "sla", "points"), [
    (80, 90, 10), (79.99999, 90, 9), (80, 89.99999, 9), (75, 85, 8), (70, 80, 6), (65, 75, 4),
    (60, 70, 2), (59, 69, 0), (100, 0, 5)])
def test_it_support_composite(sat, sla, points):
    res = score_it_support(sat, sla)
    assert res.points == pytest.approx(points) and res.points <= res.max_points
    assert res.target_met is (points == 10)


def test_it_support_from_sample_tickets():
    sla = sla_compliance(RAW / "sat-it-support_tickets.csv")
    assert isinstance(sla, SLACompliance) and sla.n_tickets == 264
    res = score_it_support(score_satisfaction(81.0), sla)
    assert res.satisfaction_points == 5 and res.sla_points == sla.points


# --- step completion, training, committees, counts -------------------------------------------

def test_step_completion():
    # seed 004: "ผลการดำเนินการ … คูณ 100 หารด้วยเป้าหมาย … ถ้าครบขั้นตอน คิดเป็นร้อยละ 100"
    assert score_step_completion(10, 10).percent == pytest.approx(100)
    res = score_step_completion(RAW / "steps-project-plan_steps.csv", target=80)
    assert (res.numerator, res.denominator, res.target_met) == (8, 10, True)  # exactly 80 %
    assert not score_step_completion(7, 9).target_met  # 77.8 %
    with pytest.raises(ValueError, match="between 0 and planned"):
        score_step_completion(11, 10)


def test_training_bands_and_50():
    # KPI 6.1.2.1: ดีมาก ≥ 81, ดี 71–80, ปานกลาง 61–70, พอใช้ 51–60, ควรปรับปรุง < 50;
    # 50 itself is unassigned by the seed and treated as ควรปรับปรุง.
    got = [TRAINING_BANDS.level(s) for s in (100, 81, 80, 71, 70.5, 61, 60, 51, 50.5, 50, 0)]
    assert got == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 1]
    res = score_training([81, 71, 80, 50, 65])
    assert (res.numerator, res.denominator) == (3, 5) and not res.target_met
    assert res.detail.set_index("band").loc["ควรปรับปรุง", "n"] == 1
    res = score_training([71, 72, 73, 74, 60])  # exactly 80 % at ดี or better
    assert res.target_met and res.percent == pytest.approx(80)
    with pytest.raises(ValueError, match="scores"):
        score_training([50, 101])


def test_committee_share_exact_30():
    df = pd.DataFrame({"committee_id": ["a", "b", "c"], "citizen_members": [3, 5, 2],
                       "total_members": [10, 17, 6]})
    res = score_committee_share(df, target=2)
    assert res.count == 2 and res.met == ("a", "c") and res.missing == ("b",)
    assert res.target_met
    sample = score_committee_share(RAW / "5.2.1.2_committees.csv")
    assert sample.out_of == 77 and sample.count + len(sample.missing) == 77
    bad = df.assign(citizen_members=[3, 18, 2])
    with pytest.raises(DataValidationError, match="exceeds") as err:
        score_committee_share(bad)
    assert err.value.rows == [2]


def test_count_targets_seed_004():
    # KPI 5.3.1.2: 3 missions (of 26 not yet transferred); KPI 5.3.1.3: 2 missions.
    res = score_count_target(RAW / "5.3.1_missions.csv", 3, column="confirmed_ready",
                             id_column="mission_no")
    assert (res.count, res.out_of, res.target_met) == (3, 26, True)
    res = score_count_target(1, 2)
    assert not res.target_met and res.shortfall == 1
    with pytest.raises(ValueError, match="exceeds out_of"):
        score_count_target(3, 27, out_of=26)


def test_sample_files_are_reproducible(tmp_path):
    from kpianalysis.sample_data.rubric_inputs import write_rubric_inputs

    for path in write_rubric_inputs(tmp_path):
        committed = RAW / path.name
        assert committed.is_file(), f"{committed} missing: run the generator"
        assert path.read_bytes() == committed.read_bytes(), path.name
