"""The satisfaction analysis: A, interval, rubric, breakdowns with suppression, summary."""

import pandas as pd
import pytest

import kpianalysis as ka
from kpianalysis import (
    analyse_satisfaction,
    breakdown,
    get_instrument,
    load_catalog,
    satisfaction_summary,
)
from kpianalysis.readers import SurveyData
from kpianalysis.satisfaction import satisfaction_points

WIFI = load_catalog()["sat-wifi"]  # the KPI scored with the sat-wifi questionnaire (weight 10)


def _data(answers, groups=None, round_no=2) -> SurveyData:
    inst = get_instrument("sat-wifi")  # two items: q1_1, q2_1
    n = len(answers)
    frame = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(n)], "round": round_no,
                          "response_date": pd.Timestamp("2024-07-10"),
                          "site": groups or ["สำนักงานเขตพระนคร"] * n})
    items = pd.DataFrame(answers, columns=list(inst.item_codes)).astype("Int8")
    return SurveyData(inst, "mem.csv", "0" * 64, frame, items, 0, ())


def test_analysis_matches_hand_count_and_rubric():
    # 16 of 20 respondents with both items >= 4 -> A = 80 % exactly -> level 5, 10 points.
    answers = [[4, 4]] * 16 + [[3, 3]] * 4
    a = analyse_satisfaction(_data(answers), weight=satisfaction_points(WIFI))
    assert a.likert.n_high_or_above == 16 and a.percent == pytest.approx(80.0)
    assert a.score.level == 5 and a.score.points == pytest.approx(10.0)
    # Wilson 95 % interval of 16/20 (Newcombe 1998a method 3; statsmodels
    # proportion_confint(16, 20, method="wilson") = (0.583983, 0.919342)).
    lo, hi = a.ci_percent
    assert (lo, hi) == pytest.approx((58.3983, 91.9342), abs=1e-3)
    assert a.score.level_at_ci_low == 0 and a.score.level_at_ci_high == 5


def test_one_fewer_high_drops_a_level():
    a = analyse_satisfaction(_data([[4, 4]] * 15 + [[3, 3]] * 5))  # 75 %
    assert a.score.level == 4 and a.score.points == pytest.approx(8.0)


def test_weight_sets_the_points_and_defaults_to_ten():
    # points = weight x success % / 100 (seed 004: level 5 -> 100 %, level 4 -> 80 %)
    d = _data([[4, 4]] * 15 + [[3, 3]] * 5)  # 75 % -> level 4
    assert analyse_satisfaction(d).score.max_points == pytest.approx(10.0)
    catalog = load_catalog()
    bmaq = analyse_satisfaction(d, weight=satisfaction_points(catalog["sat-bmaq"]))  # 20
    assert bmaq.score.level == 4 and bmaq.score.points == pytest.approx(16.0)
    assert bmaq.score.max_points == pytest.approx(20.0)
    it = analyse_satisfaction(d, weight=satisfaction_points(catalog["sat-it-support"]))  # 5 of 10
    assert it.score.level == 4 and it.score.points == pytest.approx(4.0)
    assert it.score.max_points == pytest.approx(5.0)


def test_breakdown_suppresses_small_groups():
    # C: 12 of 16 high (75 %); B has 3 respondents (small); A, the smallest other group (12),
    # is suppressed too, or the total minus C would give B back (complementary suppression)
    groups = ["A"] * 12 + ["B"] * 3 + ["C"] * 16
    answers = [[5, 5]] * 12 + [[5, 5]] * 3 + [[5, 5]] * 12 + [[2, 2]] * 4
    d = _data(answers, groups)
    table = breakdown(d, analyse_satisfaction(d), "site", min_group=10).set_index("group")
    assert table.loc["C", "n"] == 16 and table.loc["C", "percent"] == pytest.approx(75.0)
    assert not table.loc["C", "suppressed"]
    b_row, a_row = table.loc["B"], table.loc["A"]
    assert b_row["suppressed"] and not b_row["complementary"]
    assert pd.isna(b_row["n"]) and pd.isna(b_row["percent"])
    assert a_row["suppressed"] and a_row["complementary"]
    assert pd.isna(a_row["n"]) and pd.isna(a_row["percent"])
    with pytest.raises(ValueError, match="unknown column"):
        breakdown(d, analyse_satisfaction(d), "nope")


def test_summary_has_required_fields_and_comparison():
    later = _data([[4, 4]] * 18 + [[2, 2]] * 2)
    earlier = _data([[4, 4]] * 12 + [[2, 2]] * 8, round_no=1)
    s = satisfaction_summary(later, analyse_satisfaction(later), analyse_satisfaction(earlier),
                             kpi=WIFI)
    required = {"kpi", "round", "n_respondents", "n_excluded", "n_high_or_above",
                "percent_high_or_above", "ci_low", "ci_high", "ci_method", "level", "points",
                "weight", "target_met", "input_sha256", "package_version"}
    assert required <= set(s)
    assert s["package_version"] == ka.__version__
    # name and weight come from the catalog KPI
    assert s["name_th"] == WIFI.name_th and s["weight"] == pytest.approx(10.0)
    assert s["max_points"] == pytest.approx(10.0)
    prev = s["previous_round"]
    assert prev["difference"] == pytest.approx(30.0)
    # Newcombe (1998b) hybrid score interval for 18/20 - 12/20; statsmodels
    # confint_proportions_2indep(18, 20, 12, 20, method="newcomb") = (0.029361, 0.525279).
    assert (prev["difference_ci_low"], prev["difference_ci_high"]) == pytest.approx(
        (2.9361, 52.5279), abs=1e-3)


def test_file_with_two_rounds_is_rejected():
    d = _data([[4, 4], [3, 3]])
    d.frame.loc[0, "round"] = 1
    with pytest.raises(ValueError, match="one survey round"):
        analyse_satisfaction(d)


def test_weighted_file_uses_the_design_based_estimate():
    """With design weights, A is the domain proportion of SurveyDesign (tested against R's
    survey package in tests/test_design.py), and the rubric level follows it."""
    inst = get_instrument("sat-wifi")
    answers = [[5, 5]] * 6 + [[2, 2]] * 4 + [[5, 5]] * 3 + [[2, 2]] * 7 + [[None, None]] * 2
    strata = ["a"] * 10 + ["b"] * 10 + ["a", "b"]
    weights = [1.0] * 10 + [4.0] * 10 + [1.0, 4.0]
    n = len(answers)
    frame = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(n)], "round": 2,
                          "response_date": pd.Timestamp("2024-07-10"),
                          "site": ["x"] * n, "weight": weights, "stratum": strata})
    items = pd.DataFrame(answers, columns=list(inst.item_codes)).astype("Int8")
    data = SurveyData(inst, "mem.csv", "0" * 64, frame, items, 0, ())
    a = analyse_satisfaction(data)
    # weighted share among scored respondents: (6*1 + 3*4) / (10*1 + 10*4) = 18 / 50 = 36 %
    assert a.percent == pytest.approx(36.0)
    assert a.likert.percent_high_or_above == pytest.approx(45.0)  # unweighted 9 / 20
    direct = ka.SurveyDesign(frame.assign(h=a.likert.respondents["high_or_above"],
                                          s=a.likert.respondents["scored"]),
                             weights="weight", strata="stratum").proportion("h", by="s")[True]
    assert a.design.se == pytest.approx(direct.se)
    assert a.ci_percent == pytest.approx((direct.ci.low * 100, direct.ci.high * 100))
    assert a.score.level == 0 and a.estimator.startswith("design-based")
    summary = satisfaction_summary(data, a)
    # without a catalog KPI the summary has no KPI name or weight (the questionnaire has none)
    assert summary["name_th"] is None and summary["weight"] is None
    assert summary["percent_high_or_above"] == pytest.approx(36.0)
    assert summary["percent_unweighted"] == pytest.approx(45.0)
    assert summary["design_effect"] == pytest.approx(direct.deff)


def test_public_api_is_exported():
    for name in ka.__all__:
        assert hasattr(ka, name), name
    assert callable(ka.proportion_ci) and callable(ka.SurveyDesign)


@pytest.mark.parametrize(("alias", "canonical"), [("wald", "normal"), ("beta", "clopper-pearson"),
                                                  ("agresti_coull", "agresti-coull")])
def test_statsmodels_method_names_are_accepted(alias, canonical):
    d = _data([[4, 4]] * 16 + [[3, 3]] * 4)
    a = analyse_satisfaction(d, ci_method=alias)
    b = analyse_satisfaction(d, ci_method=canonical)
    assert a.ci_percent == b.ci_percent and a.ci.method == canonical
    assert satisfaction_summary(d, a)["ci_method"] == canonical
    column = "site"
    assert breakdown(d, a, column, min_group=1, ci_method=alias).equals(
        breakdown(d, b, column, min_group=1, ci_method=canonical))
    with pytest.raises(ValueError, match="clopper_pearson"):
        analyse_satisfaction(d, ci_method="exactly")


def test_analysis_prints_its_headline_first():
    a = analyse_satisfaction(_data([[4, 4]] * 16 + [[3, 3]] * 4), confidence=0.9)
    lines = str(a).splitlines()
    assert lines[0] == "SatisfactionAnalysis sat-wifi round 2: A = 80.00 %"
    assert lines[1].strip().startswith("90% CI [") and "(wilson, unweighted)" in lines[1]
    assert "B = 16 high or above, C = 20 scored of 20 respondents" in lines[2]
    assert lines[3].strip().startswith("level 5") and "target 80 % met" in lines[3]
