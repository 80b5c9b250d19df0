"""What is refused, and with which words: options that do not apply, results the scorecard
cannot use, files of another year, forms counted twice. Nothing is silently ignored."""

from __future__ import annotations

import dataclasses
import shutil

import pandas as pd
import pytest
import yaml

import kpianalysis as ka
from kpianalysis import DataValidationError
from kpianalysis.build import main
from kpianalysis.inputs import InputError
from kpianalysis.report_pages import title
from kpianalysis.scorecard import ScorecardError

SCORECARD = [k.code for k in ka.load_catalog().scorecard_kpis("สยป.")]


@pytest.fixture(scope="module")
def official(raw_dir):
    return ka.evaluate_all(SCORECARD, data_root=raw_dir)


def _copy(raw_dir, tmp_path):
    root = tmp_path / "raw"
    shutil.copytree(raw_dir, root)
    return root


def test_options_that_do_not_apply_or_are_invalid_are_refused(raw_dir):
    with pytest.raises(TypeError, match=r"option 'ci_method' does not apply to KPI '5.3.1.2'"):
        ka.evaluate("5.3.1.2", data_root=raw_dir, ci_method="wald")
    with pytest.raises(TypeError, match="survey_rounds"):
        ka.evaluate("gis-open-data", data_root=raw_dir, survey_rounds="latest")
    with pytest.raises(ValueError, match="confidence must be a proportion"):
        ka.evaluate("sat-oss", data_root=raw_dir, confidence=95)
    with pytest.raises(ValueError, match="ci_method must be one of"):
        ka.evaluate("sat-oss", data_root=raw_dir, ci_method="bogus")
    # §G.3: a design-based level needs design weights; sat-oss files carry none
    with pytest.raises(ValueError, match="needs design weights"):
        ka.evaluate("sat-oss", data_root=raw_dir, weights="design_based")
    # §G.7: the bundled sample cannot be called agency data
    with pytest.raises(InputError, match="bundled sample"):
        ka.evaluate("sat-oss", data_root=raw_dir, data_status="agency")


def test_confidence_reaches_the_interval(raw_dir):
    r90 = ka.evaluate("sat-oss", data_root=raw_dir, confidence=0.90)
    r95 = ka.evaluate("sat-oss", data_root=raw_dir)
    assert r90.uncertainty.confidence == 0.90
    assert (r90.uncertainty.ci_high - r90.uncertainty.ci_low) < (
        r95.uncertainty.ci_high - r95.uncertainty.ci_low)


def test_scorecard_refuses_results_under_other_rules(official, raw_dir):
    # the issue's own example: latest round + answered-mean scoring gave 51 of 70 points
    alt = ka.evaluate("sat-oss", data_root=raw_dir, survey_rounds="latest")
    mixed = [alt if r.kpi == "sat-oss" else r for r in official]
    with pytest.raises(ScorecardError, match=r"KPI 'sat-oss'.*survey_rounds=latest.*catalog "
                                             r"sets survey_rounds=pooled"):
        ka.score_agency(mixed, data_root=raw_dir)


def test_scorecard_refuses_a_result_built_from_other_files_than_the_catalog_lists(
        official, raw_dir):
    bmaq = next(r for r in official if r.kpi == "sat-bmaq")
    only_r2 = dataclasses.replace(bmaq, evidence=tuple(e for e in bmaq.evidence
                                                       if e.round != 1))
    mixed = [only_r2 if r.kpi == "sat-bmaq" else r for r in official]
    with pytest.raises(ScorecardError, match=r"KPI 'sat-bmaq'.*catalog now lists"):
        ka.score_agency(mixed, data_root=raw_dir)


def test_scorecard_refuses_a_kpi_the_catalog_does_not_list(official, raw_dir):
    stray = dataclasses.replace(official[0], kpi="sat-unknown")
    with pytest.raises(ScorecardError, match="'sat-unknown', which the catalog"):
        ka.score_agency([*official, stray], data_root=raw_dir)


def test_a_form_counted_twice_in_the_year_is_refused(raw_dir, tmp_path):
    root = _copy(raw_dir, tmp_path)
    r1 = pd.read_csv(root / "satisfaction" / "sat-oss_r1.csv", dtype=str, keep_default_na=False)
    r2_path = root / "satisfaction" / "sat-oss_r2.csv"
    r2 = pd.read_csv(r2_path, dtype=str, keep_default_na=False)
    r2.loc[3, "respondent_id"] = r1.loc[0, "respondent_id"]
    r2.to_csv(r2_path, index=False)
    with pytest.raises(DataValidationError, match="counted twice") as exc:
        ka.evaluate("sat-oss", data_root=root)
    assert "sat-oss_r2.csv" in str(exc.value) and exc.value.rows == [4]


def test_survey_dates_outside_the_fiscal_year_are_refused(raw_dir, tmp_path):
    root = _copy(raw_dir, tmp_path)
    path = root / "satisfaction" / "sat-oss_r2.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[1, "response_date"] = "2025-07-15"  # FY2568 (1 Oct 2024 – 30 Sep 2025)
    frame.to_csv(path, index=False)
    with pytest.raises(DataValidationError, match="outside fiscal year 2567") as exc:
        ka.evaluate("sat-oss", data_root=root)
    assert exc.value.rows == [2]


def test_a_progress_file_of_another_fiscal_year_is_refused(raw_dir, tmp_path):
    root = _copy(raw_dir, tmp_path)
    with pytest.raises(DataValidationError, match="fiscal year 2566 but KPI '0411-2029' is "
                                                  "evaluated for fiscal year 2567"):
        ka.evaluate("0411-2029", data_root=root, fiscal_year=2567,
                    catalog=_catalog_with_inputs_for(tmp_path, "0411-2029", 2567))


def _catalog_with_inputs_for(tmp_path, code, fy):
    path = tmp_path / "catalog.yaml"
    text = (ka.__path__[0] + "/catalog.yaml")
    doc = yaml.safe_load(open(text, encoding="utf-8"))
    entry = next(e for e in doc["kpis"] if e["code"] == code)
    entry["inputs"][fy] = next(iter(entry["inputs"].values()))
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_the_chance_of_meeting_the_target_counts_what_is_not_sampled(official):
    # sample data: SLA 89.02 % < 90 → 4 of 5 SLA points, so 10 of 10 is out of reach
    it = next(r for r in official if r.kpi == "sat-it-support")
    assert it.details["sla_points"] < 5 and it.uncertainty.p_target_met == 0.0


def test_an_undefined_count_band_is_flagged(raw_dir, tmp_path):
    path = tmp_path / "catalog.yaml"
    doc = yaml.safe_load(open(ka.__path__[0] + "/catalog.yaml", encoding="utf-8"))
    entry = next(e for e in doc["kpis"] if e["code"] == "livable-city-indicators")
    entry["rubric"]["params"]["undefined_levels"] = [4]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    r = ka.evaluate("livable-city-indicators", data_root=raw_dir, catalog=path)
    assert r.level == 4 and "undefined_rubric_row" in [f.code for f in r.flags]
    capped = [a for a in r.alternatives if a.rule == "undefined_rubric_rows"]
    assert capped and capped[0].level == 3


def test_title_escapes_catalog_text(official):
    evil = dataclasses.replace(official[0], name_th="<img src=x onerror=alert(1)>")
    text = title(evil)
    assert "<img" not in text and "&lt;img" in text


def test_only_a_kpi_also_rebuilds_the_scorecard_that_sums_it(capsys):
    assert main(["--list", "--only", "sat-oss"]) == 0
    names = [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()]
    assert names == ["sat-oss_2567", "scorecard_สยป_2567"]


@pytest.mark.parametrize(("code", "name", "content", "words"), [
    ("efficiency-pr", "efficiency-pr_issue_log.csv", "", "the file is empty"),
    ("7.2.2.1", "7.2.2.1_monitoring_reports.csv", None, "malformed CSV"),
    # bytes that are neither UTF-8 nor Windows Thai (0x81, 0x82, 0xFC are unassigned in cp874)
    ("5.3.1.2", "5.3.1_missions.csv", b"mission_no,x\n\x81\x82,\xfc\n", "not text in UTF-8"),
])
def test_an_empty_broken_or_undecodable_file_is_a_clear_error(raw_dir, tmp_path, code, name,
                                                               content, words):
    root = _copy(raw_dir, tmp_path)
    path = next((root / "rubric").glob(name))
    if content is None:  # a stray quote opens a field that never closes
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join([lines[0], lines[1] + ',"x', *lines[2:]]) + "\n",
                        encoding="utf-8")
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(DataValidationError, match=words) as exc:
        ka.evaluate(code, data_root=root)
    assert name in str(exc.value)


@pytest.mark.parametrize(("code", "answered_mean", "official"), [
    ("sat-oss", 5, 3),  # issue 10: "the OSS satisfaction KPI falls from level 5 to 3"
    ("sat-wifi", 1, 0),  # issue 10: "and Wi-Fi from 1 to 0"
])
def test_section_g1_moves_the_levels_issue_10_names(raw_dir, code, answered_mean, official):
    # the first pass scored the latest round with the answered-mean rule; §G.1's official
    # reading divides by the number of questions (004:422)
    old = ka.evaluate(code, data_root=raw_dir, survey_rounds="latest",
                      missing_answers="answered_mean")
    new = ka.evaluate(code, data_root=raw_dir, survey_rounds="latest")
    assert (old.level, new.level) == (answered_mean, official)
    alt = [a for a in new.alternatives if a.rule == "missing_answers"]
    assert alt and alt[0].level == answered_mean  # shown side by side in the report
