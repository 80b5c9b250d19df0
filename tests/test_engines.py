"""Engines: every catalog KPI evaluated from its input files, checked against the seeds'
formulas recomputed here with plain pandas (never from the result under test)."""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kpianalysis import DataValidationError, evaluate, score_likert
from kpianalysis.catalog import CatalogError, load_catalog
from kpianalysis.engines import evaluate_all
from kpianalysis.engines._survey import jeffreys_p_at_least
from kpianalysis.inputs import InputError
from kpianalysis.result import KPIResult
from kpianalysis.rules import RuleError
from kpianalysis.scorecard import ScorecardError, score_agency

CATALOG = load_catalog()
CODES = CATALOG.codes

# KPIs scored from satisfaction surveys (seed 004 ตาราง ค. items 1, 2, 4, 5, 6; KPI_SPEC §B).
SURVEY_KPIS = ["sat-oss", "sat-policy-tracking", "sat-bmaq", "sat-it-support", "sat-wifi"]
# Of those, the ones whose value is A itself (item 5 adds SLA points, KPI_SPEC §B item 5).
A_VALUED = ["sat-oss", "sat-policy-tracking", "sat-bmaq", "sat-wifi"]

# Seed 004 ตาราง ค.: item → (KPI, weight); KPI_SPEC §E: weights 10, 10, 10, 20, 10, 10.
TABLE_KOR = [("sat-oss", 10), ("sat-policy-tracking", 10), ("livable-city-indicators", 10),
             ("sat-bmaq", 20), ("sat-it-support", 10), ("sat-wifi", 10)]
WEIGHT = dict(TABLE_KOR)

# Seed 004 ตาราง ค. เกณฑ์การให้คะแนน (004:428–432 for item 1, the same table in items 2, 4
# (004:565–569), 5 (004:581–585, in points out of 5) and, assumed, 6; KPI_SPEC §B item 5):
# A at least → (level, success %). Below 60 the level is 0.
SAT_BANDS = [(80, 5, 100), (75, 4, 80), (70, 3, 60), (65, 2, 40), (60, 1, 20)]

# Answer codes of the questionnaires: KPI_SPEC §B.1 (likert5) and the BMA Q emoji scale
# (seed 004:555 "ระดับมากที่สุด ระดับมาก ระดับปานกลาง ระดับน้อย ระดับน้อยที่สุด", 5..1).
LABELS = {"มากที่สุด": 5, "มาก": 4, "ปานกลาง": 3, "น้อย": 2, "น้อยที่สุด": 1,
          "ระดับมากที่สุด": 5, "ระดับมาก": 4, "ระดับปานกลาง": 3, "ระดับน้อย": 2,
          "ระดับน้อยที่สุด": 1, **{str(d): d for d in range(1, 6)}}


# --- independent recomputation from the raw CSV ----------------------------------------------

def _survey_file(root: Path, code: str, rnd: int) -> Path:
    return root / "satisfaction" / f"{code}_r{rnd}.csv"


def _item_values(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The raw file and its item answers as floats 1–5 (NaN = unanswered)."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    items = [c for c in raw.columns if re.fullmatch(r"q\d+(_\d+)?", c)]
    text = raw[items].apply(lambda col: col.str.strip())
    assert text.isin([*LABELS, ""]).to_numpy().all(), f"unexpected answer in {path.name}"
    return raw, text.apply(lambda col: col.map(LABELS)).astype(float)


def _official_bc(path: Path) -> tuple[int, int, int]:
    """(forms, B, C) by the seed's literal formula (KPI_SPEC §B.2, §B.4, §G.1).

    Respondent score = sum of the item scores / number of questions (004:422), an unanswered
    item adding 0; B = forms scoring ≥ 3.51 (004:425); C = forms with at least one answer.
    """
    raw, values = _item_values(path)
    n_questions = values.shape[1]
    score = values.fillna(0).sum(axis=1) / n_questions
    counted = values.notna().sum(axis=1) >= 1
    high = counted & (score.round(10) >= 3.51)
    return len(raw), int(high.sum()), int(counted.sum())


def _answered_mean_bc(path: Path) -> tuple[int, int, int]:
    """(forms, B, C) with the mean of answered items, ≥ 80 % answered (§G.1 option; the
    policy of tests/test_build_e2e.py ``_independent_a``)."""
    raw, values = _item_values(path)
    answered = values.notna().sum(axis=1)
    scored = answered >= np.ceil(0.8 * values.shape[1])
    mean = values.sum(axis=1) / answered
    high = scored & (mean.round(10) >= 3.51)
    return len(raw), int(high.sum()), int(scored.sum())


def _band(b: int, c: int) -> tuple[int, int]:
    """(level, success %) of A = B × 100 / C in the seed 004 table (exact integer test)."""
    for at_least, level, success in SAT_BANDS:
        if b * 100 >= at_least * c:
            return level, success
    return 0, 0


def _copy_root(raw_dir: Path, dest: Path) -> Path:
    root = dest / "raw"
    shutil.copytree(raw_dir, root)
    return root


@pytest.fixture(scope="module")
def results(raw_dir) -> dict[str, KPIResult]:
    """Every catalog KPI evaluated once on the bundled data (default rules)."""
    return {r.kpi: r for r in evaluate_all(data_root=raw_dir)}


@pytest.fixture(scope="module")
def official(raw_dir) -> dict[str, dict[int, tuple[int, int, int]]]:
    """Independent (forms, B, C) per round under the official rule."""
    return {code: {r: _official_bc(_survey_file(raw_dir, code, r)) for r in (1, 2)}
            for code in SURVEY_KPIS}


# --- every KPI on the bundled data ---------------------------------------------------------

@pytest.mark.parametrize("code", CODES)
def test_every_kpi_evaluates_on_the_sample_with_its_evidence(results, raw_dir, code):
    r = results[code]
    kpi = CATALOG.get(code)
    assert r.kpi == code and r.fiscal_year == kpi.fiscal_year
    # dataset.yaml of data/raw says `status: sample` (KPI_SPEC §G.7)
    assert r.data_status == "sample"
    assert r.flags and r.flags[0].code == "sample_data"
    specs = kpi.inputs_for()
    assert [(e.path, e.role, e.round) for e in r.evidence] == [
        (s.path, s.role, s.round) for s in specs]
    for e in r.evidence:
        assert e.sha256 == hashlib.sha256((raw_dir / e.path).read_bytes()).hexdigest()
    rule_names = [rc.rule for rc in r.rules]
    assert "data_status" in rule_names
    # with no option given every rule is the catalog default, the official choice (§G)
    assert all(rc.official for rc in r.rules)


# --- §G.1 official missing-answer rule and §G.2 rounds ---------------------------------------

@pytest.mark.parametrize("code", SURVEY_KPIS)
def test_pooled_official_b_c_a_match_the_seed_formula(results, official, code):
    r = results[code]
    # §G.2 default: both rounds of the fiscal year pooled, every form counted once
    b = official[code][1][1] + official[code][2][1]
    c = official[code][1][2] + official[code][2][2]
    assert (r.details["b"], r.details["c"]) == (b, c)
    assert r.details["rounds_used"] == [1, 2]
    a = b * 100 / c  # KPI_SPEC §B.4: A = B × 100 / C
    assert r.details["percent_high_or_above"] == pytest.approx(a)
    if code in A_VALUED:
        assert r.value == pytest.approx(a)


@pytest.mark.parametrize("code", SURVEY_KPIS)
def test_each_round_figure_is_that_round_alone(results, official, code):
    r = results[code]
    assert [f.round for f in r.rounds] == [1, 2]
    for f in r.rounds:
        n, b, c = official[code][f.round]
        assert (f.n_forms, f.n_high_or_above, f.n_counted) == (n, b, c)
        assert f.percent == pytest.approx(b * 100 / c)
        assert f.level == _band(b, c)[0]


@pytest.mark.parametrize("code", SURVEY_KPIS)
def test_latest_round_option_equals_round_2_alone(official, raw_dir, code):
    r = evaluate(code, data_root=raw_dir, survey_rounds="latest")
    _, b, c = official[code][2]  # §G.2 option: the latest round of the fiscal year
    assert (r.details["b"], r.details["c"]) == (b, c)
    assert r.details["rounds_used"] == [2]
    assert r.details["percent_high_or_above"] == pytest.approx(b * 100 / c)
    if code in A_VALUED:
        assert r.value == pytest.approx(b * 100 / c)
    choice = {rc.rule: rc for rc in r.rules}["survey_rounds"]
    assert choice.choice == "latest" and not choice.official


def _frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[f"q{i}" for i in range(1, 6)], dtype="Int8")


NA = pd.NA
TINY = [(5, 4, NA, NA, 5), (5, 5, 4, NA, NA), (4, 4, 4, 4, NA), (4, 4, 4, 4, 4), (NA,) * 5]


def test_score_likert_official_is_the_seed_formula():
    lk = score_likert(_frame(TINY), policy="official")
    # seed 004:422: score = sum of the item scores / number of questions (5), blank adds 0
    seed = [sum(0 if v is NA else v for v in row) / 5 for row in TINY[:4]]
    assert seed == pytest.approx([14 / 5, 14 / 5, 16 / 5, 20 / 5])
    assert seed == pytest.approx([2.8, 2.8, 3.2, 4.0])
    resp = lk.respondents
    assert resp["score_mean"].iloc[:4].tolist() == pytest.approx(seed)
    # B: score ≥ 3.51 (004:425): only 4.0
    assert resp["high_or_above"].tolist() == [False, False, False, True, False]
    # C: every form with at least one answer (§G.1); the blank form is excluded and counted
    assert resp["scored"].tolist() == [True, True, True, True, False]
    assert resp["exclusion_reason"].tolist() == ["", "", "", "", "no_answers"]
    assert (lk.n_total, lk.n_scored, lk.n_high_or_above) == (5, 4, 1)
    assert lk.exclusions == {"no_answers": 1, "too_few_answers": 0}
    assert lk.percent_high_or_above == pytest.approx(1 * 100 / 4)


def test_score_likert_answered_mean_scores_the_same_rows_differently():
    # §G.1 option: mean of the answered items, at least ceil(0.8 × 5) = 4 answered
    lk = score_likert(_frame(TINY), policy="answered_mean")
    resp = lk.respondents
    assert resp["scored"].tolist() == [False, False, True, True, False]
    assert resp["exclusion_reason"].tolist() == [
        "too_few_answers", "too_few_answers", "", "", "no_answers"]
    # (4,4,4,4,NA): 16 / 4 = 4.0 (high), where the official reading gives 16 / 5 = 3.2
    assert resp["score_mean"].iloc[2] == pytest.approx(16 / 4)
    assert (lk.n_scored, lk.n_high_or_above) == (2, 2)
    # with 3 answers enough, (5,4,NA,NA,5) is 14 / 3 ≈ 4.67, high; officially 14 / 5 = 2.8
    lk3 = score_likert(_frame(TINY), policy="answered_mean", min_answered_share=0.6)
    assert lk3.respondents["score_mean"].iloc[:4].tolist() == pytest.approx(
        [14 / 3, 14 / 3, 16 / 4, 20 / 5])
    assert (lk3.n_scored, lk3.n_high_or_above) == (4, 4)


# --- level and points from the seed table -------------------------------------------------------

@pytest.mark.parametrize("code", A_VALUED)
def test_level_and_points_follow_the_seed_table(results, official, raw_dir, code):
    r = results[code]
    b = official[code][1][1] + official[code][2][1]
    c = official[code][1][2] + official[code][2][2]
    level, success = _band(b, c)
    if code == "sat-bmaq" and level == 5:
        # seed 004:565: level 5 also needs the report to executives
        ev = pd.read_csv(raw_dir / "rubric" / "sat-bmaq_evidence.csv", dtype=str)
        if not (ev["status"].str.strip() == "done").all():
            level, success = 4, 80
    assert r.level == level
    assert r.level_max == 5
    # KPI_SPEC §B.5: points = weight × success % / 100
    assert r.weight == WEIGHT[code]
    assert r.points == pytest.approx(WEIGHT[code] * success / 100)
    # target: level 5 (seed 004 ตาราง ค. "ระดับ 5")
    assert r.target_met is (level == 5)
    assert [row.level for row in r.ladder] == [5, 4, 3, 2, 1, 0]
    assert [row.reached for row in r.ladder] == [lv <= level for lv in (5, 4, 3, 2, 1, 0)]


def test_it_support_satisfaction_points_follow_the_seed_table(results, official):
    r = results["sat-it-support"]
    b = official["sat-it-support"][1][1] + official["sat-it-support"][2][1]
    c = official["sat-it-support"][1][2] + official["sat-it-support"][2][2]
    # seed 004:581–585: A ≥ 80/75/70/65/60 → 5/4/3/2/1 points (KPI_SPEC §B item 5)
    assert r.details["satisfaction_points"] == pytest.approx(5 * _band(b, c)[1] / 100)
    # KPI score = satisfaction points + SLA points (out of 10)
    assert r.value == pytest.approx(r.details["satisfaction_points"] + r.details["sla_points"])


def _all_top_answers(root: Path, code: str, label: str, moderate_per_round: int = 0) -> None:
    """Rewrite every item answer of both rounds to the top label (the first
    ``moderate_per_round`` forms of each round answer ระดับปานกลาง, 3, instead)."""
    for rnd in (1, 2):
        path = _survey_file(root, code, rnd)
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        for col in [c for c in frame.columns if re.fullmatch(r"q\d+(_\d+)?", c)]:
            frame[col] = label
            frame.loc[frame.index[:moderate_per_round], col] = "ระดับปานกลาง"
        frame.to_csv(path, index=False, encoding="utf-8")


def _set_report_status(root: Path, status: str) -> None:
    path = root / "rubric" / "sat-bmaq_evidence.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame["status"] = status
    frame.to_csv(path, index=False, encoding="utf-8")


@pytest.fixture(scope="module", params=[0, 1], ids=["all-high", "all-but-one-per-round"])
def bmaq_high(request, tmp_path_factory, raw_dir) -> tuple[Path, int, int]:
    """A data root whose BMA Q forms are all ระดับมากที่สุด (or all but one per round),
    with the independent B and C: 1,500 forms per round in data/raw, each one item."""
    root = _copy_root(raw_dir, tmp_path_factory.mktemp("bmaq"))
    _all_top_answers(root, "sat-bmaq", "ระดับมากที่สุด", moderate_per_round=request.param)
    counts = [_official_bc(_survey_file(root, "sat-bmaq", rnd)) for rnd in (1, 2)]
    b, c = sum(x[1] for x in counts), sum(x[2] for x in counts)
    assert (b, c) == (3000 - 2 * request.param, 3000)
    return root, b, c


def test_bmaq_level_5_needs_the_report_to_executives(bmaq_high):
    root, b, c = bmaq_high
    _set_report_status(root, "pending")
    r = evaluate("sat-bmaq", data_root=root)
    assert (r.details["b"], r.details["c"]) == (b, c)
    assert r.value == pytest.approx(b * 100 / c)
    assert _band(b, c)[0] == 5
    # seed 004:565–566: A ≥ 80 without the report to executives is level 4 → 16 of 20 points
    assert r.level == 4
    assert r.points == pytest.approx(20 * 80 / 100)
    assert r.target_met is False
    assert any("รายงานผู้บริหารกรุงเทพมหานครทราบ" in m for m in r.missing)
    assert [i.status for i in r.items] == ["ยังไม่ดำเนินการ"]


def test_bmaq_level_5_with_the_report_done(bmaq_high):
    root, b, c = bmaq_high
    _set_report_status(root, "done")
    r = evaluate("sat-bmaq", data_root=root)
    assert r.value == pytest.approx(b * 100 / c)
    assert r.level == 5
    assert r.points == pytest.approx(20.0)  # seed 004:565: level 5 = 20 points
    assert r.target_met is True
    assert r.missing == ()


# --- the chance the target is met ---------------------------------------------------------------

def test_jeffreys_p_at_least_at_the_published_bounds():
    # statsmodels 0.15.0 proportion_confint(81, 263, method="jeffreys") = (0.254522, 0.365647)
    # (tests/test_proportion.py STATSMODELS_REFERENCE): the 2.5 % and 97.5 % posterior
    # quantiles, so P(p ≥ upper) = 0.025 and P(p ≥ lower) = 0.975. Bounds printed to 6 digits.
    assert jeffreys_p_at_least(81, 263, 0.365647) == pytest.approx(0.025, abs=1e-5)
    assert jeffreys_p_at_least(81, 263, 0.254522) == pytest.approx(0.975, abs=1e-5)
    assert jeffreys_p_at_least(81, 263, 0.0) == pytest.approx(1.0)
    assert jeffreys_p_at_least(81, 263, 1.0) == pytest.approx(0.0)


def test_p_target_met_of_unweighted_a_is_the_jeffreys_posterior(results, official):
    r = results["sat-oss"]
    b = official["sat-oss"][1][1] + official["sat-oss"][2][1]
    c = official["sat-oss"][1][2] + official["sat-oss"][2][2]
    # R: pbeta(0.80, b + 0.5, c - b + 0.5, lower.tail = FALSE) (Brown, Cai & DasGupta 2001)
    expected = stats.beta.sf(0.80, b + 0.5, c - b + 0.5)
    assert r.uncertainty.p_target_met == pytest.approx(expected, abs=1e-12)
    assert r.uncertainty.n == c
    assert r.uncertainty.ci_low < b * 100 / c < r.uncertainty.ci_high


# --- alternatives and flags ---------------------------------------------------------------------

def _alternatives(r: KPIResult, rule: str):
    return [a for a in r.alternatives if a.rule == rule]


def test_sat_oss_answered_mean_alternative_changes_the_level(results, raw_dir):
    r = results["sat-oss"]
    (alt,) = _alternatives(r, "missing_answers")
    assert alt.choice == "answered_mean"
    counts = [_answered_mean_bc(_survey_file(raw_dir, "sat-oss", rnd)) for rnd in (1, 2)]
    b, c = sum(x[1] for x in counts), sum(x[2] for x in counts)
    level, success = _band(b, c)
    assert alt.value == pytest.approx(b * 100 / c)
    assert alt.level == level and alt.level != r.level
    assert alt.points == pytest.approx(10 * success / 100)


def test_social_media_undefined_rows_are_flagged_and_capped(results):
    r = results["social-media-proactive"]
    # seed 002 defines the criteria of levels 1–3 only (KPI_SPEC §G.6)
    assert "undefined_rubric_row" in [f.code for f in r.flags]
    assert [row.defined for row in r.ladder] == [False, False, True, True, True]
    (alt,) = _alternatives(r, "undefined_rubric_rows")
    assert alt.choice == "cap_at_defined"
    assert alt.level == 3


def test_sat_wifi_rubric_table_is_missing(results):
    r = results["sat-wifi"]
    # seed 004 item 6 ends before its scoring table (KPI_SPEC §G.6)
    assert "rubric_table_missing" in [f.code for f in r.flags]
    assert not any(row.defined for row in r.ladder)


def test_awareness_official_value_and_raked_alternative(results, raw_dir):
    r = results["awareness-pr"]
    survey = pd.read_csv(raw_dir / "awareness" / "awareness_survey.csv", dtype=str,
                         keep_default_na=False)
    aware, n = int((survey["aware"] == "1").sum()), len(survey)
    assert n == 10_000  # seed 000:34: 3 rounds, 10,000 respondents in total
    # seed 000:34, KPI_SPEC §A and §G.4: aware × 100 / target-group respondents
    assert r.value == pytest.approx(aware * 100 / n)
    assert r.value == pytest.approx(8046 * 100 / 10_000)
    assert r.target_met is (aware * 100 >= 80 * n)  # target ร้อยละ 80 (KPI_SPEC §A)
    (alt,) = _alternatives(r, "awareness_formula")
    assert alt.choice == "raked_field_sample"
    assert alt.target_met is False and alt.value < 80
    assert "estimators_disagree" in [f.code for f in r.flags]
    assert r.population_estimate is not None
    assert r.population_estimate.estimate == pytest.approx(alt.value)


def test_it_support_has_no_level_and_a_derived_level_alternative(results):
    r = results["sat-it-support"]
    # §G.5: points out of 10, no level
    assert r.level is None and r.level_max is None
    assert r.details["points_out_of_10"] == pytest.approx(r.value)
    # weight 10 (seed 004 ตาราง ค. item 5): the points are the out-of-10 total
    assert r.points == pytest.approx(r.value * WEIGHT["sat-it-support"] / 10)
    (alt,) = _alternatives(r, "it_composite")
    assert alt.choice == "derived_level"
    assert alt.level == pytest.approx(r.points / 2)


# --- options -----------------------------------------------------------------------------

def test_rule_option_is_recorded_as_not_official(raw_dir, results):
    r = evaluate("sat-oss", data_root=raw_dir, missing_answers="answered_mean")
    rc = {x.rule: x for x in r.rules}["missing_answers"]
    assert rc.choice == "answered_mean" and rc.official is False and rc.section == "G.1"
    assert all(x.official for x in r.rules if x.rule != "missing_answers")
    # the official choice is then the alternative, with the official result's level
    (alt,) = _alternatives(r, "missing_answers")
    assert alt.choice == "official" and alt.level == results["sat-oss"].level


def test_unknown_option_name_is_a_type_error_listing_valid_names(raw_dir):
    with pytest.raises(TypeError) as exc:
        evaluate("sat-oss", data_root=raw_dir, missing_answer="official")
    msg = str(exc.value)
    assert "'missing_answer'" in msg
    for name in ("missing_answers", "survey_rounds", "undefined_rubric_rows", "confidence"):
        assert name in msg


def test_unknown_choice_is_a_rule_error(raw_dir):
    with pytest.raises(RuleError) as exc:
        evaluate("sat-oss", data_root=raw_dir, survey_rounds="first")
    assert "'first'" in str(exc.value)
    assert "latest" in str(exc.value) and "pooled" in str(exc.value)


def test_unknown_code_is_a_key_error_with_close_matches(raw_dir):
    with pytest.raises(KeyError) as exc:
        evaluate("sat-os", data_root=raw_dir)
    assert "did you mean" in str(exc.value) and "'sat-oss'" in str(exc.value)


# --- bad input -----------------------------------------------------------------------------

def test_missing_input_file_is_named_relative_to_the_data_root(tmp_path, raw_dir):
    root = _copy_root(raw_dir, tmp_path)
    (root / "satisfaction" / "sat-oss_r2.csv").unlink()
    with pytest.raises(InputError) as exc:
        evaluate("sat-oss", data_root=root)
    msg = str(exc.value)
    assert "'sat-oss'" in msg
    assert "satisfaction/sat-oss_r2.csv" in msg
    assert str(tmp_path) not in msg


def test_round_column_disagreeing_with_the_catalog(tmp_path, raw_dir):
    root = _copy_root(raw_dir, tmp_path)
    path = root / "satisfaction" / "sat-oss_r2.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame["round"] = "1"
    frame.to_csv(path, index=False, encoding="utf-8")
    with pytest.raises(DataValidationError) as exc:
        evaluate("sat-oss", data_root=root)
    msg = str(exc.value)
    assert "satisfaction/sat-oss_r2.csv" in msg
    assert "round" in msg and "'sat-oss'" in msg


# --- the agency scorecard ----------------------------------------------------------------

def test_score_agency_sums_the_results_points(results, raw_dir):
    card = score_agency(list(results.values()), data_root=raw_dir)
    assert [row.kpi for row in card.rows] == [code for code, _ in TABLE_KOR]
    assert [row.item for row in card.rows] == [1, 2, 3, 4, 5, 6]
    assert [row.weight for row in card.rows] == [w for _, w in TABLE_KOR]
    expected = math.fsum(results[code].points for code, _ in TABLE_KOR)
    assert card.total_points == pytest.approx(expected)
    assert card.max_points == pytest.approx(70)  # KPI_SPEC §E: 10+10+10+20+10+10
    assert card.percent == pytest.approx(expected * 100 / 70)
    assert card.data_status == "sample"
    assert set(card.missing_target) == {c for c, _ in TABLE_KOR if not results[c].target_met}


def test_score_agency_refuses_a_missing_result(results, raw_dir):
    partial = [r for code, r in results.items() if code != "sat-wifi"]
    with pytest.raises(ScorecardError, match="'sat-wifi'"):
        score_agency(partial, data_root=raw_dir)


def test_score_agency_refuses_a_changed_input(tmp_path, raw_dir):
    root = _copy_root(raw_dir, tmp_path)
    fresh = evaluate_all([code for code, _ in TABLE_KOR], data_root=root)
    score_agency(fresh, data_root=root)  # current: accepted
    with (root / "satisfaction" / "sat-bmaq_r2.csv").open("ab") as fh:
        fh.write(b"\n")
    with pytest.raises(ScorecardError) as exc:
        score_agency(fresh, data_root=root)
    msg = str(exc.value)
    assert "'sat-bmaq'" in msg and "changed" in msg
    assert "satisfaction/sat-bmaq_r2.csv" in msg


def test_score_agency_refuses_a_result_of_another_package_version(results, raw_dir):
    stale = {**results, "sat-oss": dataclasses.replace(results["sat-oss"],
                                                       package_version="0.0.1")}
    with pytest.raises(ScorecardError, match="'sat-oss'.*0.0.1"):
        score_agency(list(stale.values()), data_root=raw_dir)


def test_score_agency_refuses_another_schema_version(results, raw_dir):
    data = [r.to_dict() for r in results.values()]
    for d in data:
        if d["kpi"] == "sat-policy-tracking":
            d["schema_version"] = 99
    with pytest.raises(ScorecardError) as exc:
        score_agency(data, data_root=raw_dir)
    assert "'sat-policy-tracking'" in str(exc.value) and "99" in str(exc.value)


def test_score_agency_refuses_a_weight_mismatch(results, raw_dir):
    r = results["sat-wifi"]
    wrong = {**results, "sat-wifi": dataclasses.replace(r, weight=20.0)}
    with pytest.raises(ScorecardError, match="'sat-wifi'.*weight"):
        score_agency(list(wrong.values()), data_root=raw_dir)


# --- a new KPI is one catalog entry and a data file ---------------------------------------

NEW_STEPS = """step,planned_date,done_date,status
ศึกษาความต้องการ,31/10/2566,20/10/2566,done
จัดทำขอบเขตของงาน (TOR),31/12/2566,15/12/2566,done
ได้ตัวผู้รับจ้าง / ลงนามสัญญา,31/03/2567,30/03/2567,done
ติดตั้งระบบและอบรมผู้ใช้งาน,30/09/2567,,pending
"""


def _entry(code: str = "steps-new-project", kind: str = "step_completion",
           params: str = "{}", role: str = "steps",
           path: str = "rubric/steps-new-project_steps.csv", extra: str = "", rnd: str = "",
           scorecard: str = "") -> str:
    card = f"\n    scorecard: {scorecard}" if scorecard else ""
    return f"""
  - code: {code}
    name_th: ร้อยละความสำเร็จของแผนการดำเนินโครงการใหม่
    name_en: Percent of the new project's plan steps completed
    host_agency: สำนักยุทธศาสตร์และประเมินผล
    unit: ร้อยละ
    target: 80
    direction: higher
    weight: 10
    fiscal_year: 2567{card}
    rubric:
      kind: {kind}
      params: {params}
    inputs:
      2567:
        - {{role: {role}, path: {path}{rnd}}}
    source: test entry{extra}
"""


def _catalog_with(tmp_path: Path, *entries: str) -> Path:
    path = tmp_path / "catalog.yaml"
    text = (Path(__file__).resolve().parents[1] / "src" / "kpianalysis" / "catalog.yaml"
            ).read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + "\n" + "".join(entries), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def new_kpi(tmp_path_factory, raw_dir) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("new-kpi")
    root = _copy_root(raw_dir, tmp)
    (root / "rubric" / "steps-new-project_steps.csv").write_text(NEW_STEPS, encoding="utf-8")
    return _catalog_with(tmp, _entry()), root


def test_new_kpi_evaluates_from_one_catalog_entry(new_kpi):
    path, root = new_kpi
    r = evaluate("steps-new-project", catalog=path, data_root=root)
    # seed 004:383: steps done × 100 / planned steps; 3 of the 4 steps in NEW_STEPS are done
    assert r.value == pytest.approx(3 * 100 / 4)
    assert r.target_met is False  # target ร้อยละ 80
    assert r.weight == 10
    assert [e.path for e in r.evidence] == ["rubric/steps-new-project_steps.csv"]
    assert r.evidence[0].sha256 == hashlib.sha256(NEW_STEPS.encode("utf-8")).hexdigest()
    assert r.agency_abbreviation == "สยป."
    # a step_completion KPI scores a percentage, not points (engines/percent.py)
    assert r.points is None and r.level is None


def test_a_kind_without_points_cannot_join_a_scorecard(tmp_path):
    # a step_completion KPI scores a percentage, not points: the catalog refuses to put it in
    # a scorecard rather than letting the scorecard fail later
    path = _catalog_with(tmp_path, _entry(scorecard="{agency: สยป., item: 7}"))
    with pytest.raises(CatalogError, match="'steps-new-project'.*no level-based points"):
        load_catalog(path)


@pytest.mark.parametrize("entry, words", [
    (_entry(kind="step_completions"), ["'steps-new-project'", "step_completions"]),
    (_entry(kind="satisfaction", role="survey", path="satisfaction/sat-oss_r1.csv",
            rnd=", round: 1", extra="\n    instrument: sat-nope",
            params="{bands: [{level: 5, at_least: 80, success_percent: 100}], "
                   "likert_high_from: 3.51}"),
     ["'steps-new-project'", "sat-nope"]),
    (_entry(role="survey"), ["'steps-new-project'", "'survey'"]),
    (_entry(code="sat-oss"), ["'sat-oss'", "duplicate"]),
], ids=["unknown-kind", "unknown-instrument", "role-not-read", "duplicate-code"])
def test_catalog_errors_name_the_entry(tmp_path, entry, words):
    path = _catalog_with(tmp_path, entry)
    with pytest.raises(CatalogError) as exc:
        load_catalog(path)
    for w in words:
        assert w in str(exc.value), str(exc.value)
