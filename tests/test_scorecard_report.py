"""Tests for kpianalysis.scorecard_report: the agency scorecard of seed 004 table ค.

Reference values are the seed's own tables (seed 004, ตาราง ค. แสดงตัวชี้วัดและภารกิจจากการ
เจรจาตกลงการประเมินผลการปฏิบัติราชการประจำปี พ.ศ. 2567), restated in KPI_SPEC sections B, C, E:

* weights of items 1–6: 10, 10, 10, 20, 10, 10 (total 70);
* satisfaction: A "ร้อยละ 80 ขึ้นไป" → level 5 (100 %), ≥ 75 → 4 (80 %), ≥ 70 → 3 (60 %),
  ≥ 65 → 2 (40 %), ≥ 60 → 1 (20 %); points = weight × success % / 100, so weight 20 at level 4
  is 16 points and weight 10 at level 3 is 6 points (KPI_SPEC table in section B);
* BMA Q level 5 also needs "มีรายงานผลการดำเนินงาน ปัญหา อุปสรรค ข้อเสนอแนะ รายงานผู้บริหาร
  กรุงเทพมหานครทราบ" (item 4); livable-city level 5 needs all 28 issues and that report (item 3);
* IT support (item 5): satisfaction points (A ≥ 80/75/70/65/60 → 5..1) + SLA points
  (≥ 90/85/80/75/70 → 5..1).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest
import yaml
from matplotlib.figure import Figure

from kpianalysis._validation import DataValidationError
from kpianalysis.catalog import load_catalog
from kpianalysis.sample_data.rubric_inputs import BMAQ_REPORT
from kpianalysis.scorecard_report import (
    AgencyScorecard,
    gather_scorecard,
    latest_survey_file,
    missing_target_list,
    points_chart,
    scorecard_check_line,
    scorecard_headline,
    scorecard_methods,
    scorecard_summary,
    scorecard_table,
    scorecard_title,
)

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
LIVABLE_REPORT = "รายงานผลการดำเนินงาน ปัญหา อุปสรรค ข้อเสนอแนะ รายงานผู้บริหารกรุงเทพมหานครทราบ"

# seed 004 ตาราง ค.: item → (code, weight)
TABLE_KOR = [(1, "sat-oss", 10), (2, "sat-policy-tracking", 10), (3, "livable-city-indicators", 10),
             (4, "sat-bmaq", 20), (5, "sat-it-support", 10), (6, "sat-wifi", 10)]

# Synthetic inputs: (B, C) per satisfaction KPI and the level the seed's table gives for A.
COUNTS = {
    "sat-oss": (160, 200, 5),              # A = 80.0 exactly: "ร้อยละ 80 ขึ้นไป" → 5
    "sat-policy-tracking": (149, 200, 3),  # 74.5 → 3 (60 %) → 6 of 10 points
    "sat-bmaq": (170, 200, 5),             # 85.0 → 5, if the report to executives is done
    "sat-it-support": (130, 200, 2),       # 65.0 → 2 satisfaction points (of 5)
    "sat-wifi": (119, 200, 0),             # 59.5 → 0
}


def _summary(kpi: str, b: int, c: int, level: int, weight: float, **extra) -> dict:
    return {"kpi": kpi, "round": 2, "n_high_or_above": b, "n_scored": c,
            "percent_high_or_above": b * 100 / c, "level": level, "weight": weight,
            "input_path": f"/data/{kpi}_r2.csv", "input_sha256": "ab" * 32, **extra}


def _write_inputs(tmp_path: Path, *, bmaq_report: str | None = "done", issues_ok: int = 28,
                  sla_met: int = 9) -> tuple[Path, Path]:
    """Summaries and rubric inputs in ``tmp_path`` (a stand-in for reports/ and data/raw)."""
    summaries = tmp_path / "reports"
    rubric = tmp_path / "rubric"
    summaries.mkdir()
    rubric.mkdir()
    weights = {code: w for _, code, w in TABLE_KOR}
    for kpi, (b, c, level) in COUNTS.items():
        (summaries / f"{kpi}.json").write_text(
            json.dumps(_summary(kpi, b, c, level, weights[kpi])), encoding="utf-8")
    pd.DataFrame({
        "issue_no": range(1, 29), "issue_name": [f"ประเด็น {i}" for i in range(1, 29)],
        "n_indicators": [2] * 28,
        "has_data": ["yes"] * issues_ok + ["no"] * (28 - issues_ok),
    }).to_csv(rubric / "livable-city-indicators_issues.csv", index=False)
    pd.DataFrame({"criterion": [LIVABLE_REPORT], "status": ["done"], "date": ["30/09/2567"]}
                 ).to_csv(rubric / "livable-city-indicators_evidence.csv", index=False)
    if bmaq_report is not None:
        pd.DataFrame({"criterion": [BMAQ_REPORT], "status": [bmaq_report], "date": [""]}
                     ).to_csv(rubric / "sat-bmaq_evidence.csv", index=False)
    # 10 tickets with a 4-hour SLA; the first sla_met are resolved in 3 h, the rest in 5 h.
    opened = pd.date_range("2024-01-08 09:00", periods=10, freq="D")
    hours = [3] * sla_met + [5] * (10 - sla_met)
    pd.DataFrame({
        "ticket_id": [f"T{i}" for i in range(10)],
        "opened": opened.strftime("%Y-%m-%d %H:%M"),
        "resolved": (opened + pd.to_timedelta(hours, unit="h")).strftime("%Y-%m-%d %H:%M"),
        "sla_hours": [4] * 10,
    }).to_csv(rubric / "sat-it-support_tickets.csv", index=False)
    return summaries, rubric


@pytest.fixture
def inputs(tmp_path):
    return _write_inputs(tmp_path)


def test_synthetic_scorecard_matches_seed_tables(inputs):
    summaries, rubric = inputs
    card = gather_scorecard(summaries, rubric_dir=rubric)
    got = {o.kpi: (o.weight, o.level, o.points, o.target_met) for o in card.outcomes}
    assert [(o.item, o.kpi, o.weight) for o in card.outcomes] == [
        (i, k, pytest.approx(w)) for i, k, w in TABLE_KOR]
    # A = 80.0 → 5 → 10; 74.5 → 3 → 6 (KPI_SPEC section B table: weight 10, level 3 = 6)
    assert got["sat-oss"] == (10, 5, pytest.approx(10), True)
    assert got["sat-policy-tracking"] == (10, 3, pytest.approx(6), False)
    # 28 of 28 issues and the report done → level 5, 10 points (seed 004 item 3)
    assert got["livable-city-indicators"] == (10, 5, pytest.approx(10), True)
    # A = 85 and the report to executives done → level 5, 20 points (item 4)
    assert got["sat-bmaq"] == (20, 5, pytest.approx(20), True)
    # 65 % → 2 points; 9 of 10 tickets in time = 90 % → 5 points; 7 of 10 (item 5)
    assert got["sat-it-support"] == (10, pytest.approx(3.5), pytest.approx(7), False)
    assert got["sat-wifi"] == (10, 0, pytest.approx(0), False)
    assert card.total_points == pytest.approx(10 + 6 + 10 + 20 + 7 + 0)
    assert card.max_points == pytest.approx(70)
    assert card.percent == pytest.approx(53 * 100 / 70)
    assert card.missing_target == ("sat-policy-tracking", "sat-it-support", "sat-wifi")
    assert card.fiscal_year_be == 2567 and card.abbreviation == "สยป."


def test_bmaq_level_5_needs_the_report_to_executives(tmp_path):
    # seed 004 item 4: level 5 = A ≥ 80 % AND the report; without it level 4 = 16 of 20 points
    summaries, rubric = _write_inputs(tmp_path, bmaq_report="pending")
    out = {o.kpi: o for o in gather_scorecard(summaries, rubric_dir=rubric).outcomes}["sat-bmaq"]
    assert (out.level, out.points, out.target_met) == (4, pytest.approx(16), False)
    assert any(BMAQ_REPORT in m for m in out.missing)
    assert "ยังไม่ดำเนินการ" in out.value


def test_missing_evidence_file_counts_as_not_done(tmp_path):
    summaries, rubric = _write_inputs(tmp_path, bmaq_report=None)
    card = gather_scorecard(summaries, rubric_dir=rubric)
    out = {o.kpi: o for o in card.outcomes}["sat-bmaq"]
    assert (out.level, out.points) == (4, pytest.approx(16))
    assert "sat-bmaq_evidence.csv" not in scorecard_summary(card)["input_sha256"]


def test_evidence_naming_an_unknown_condition_is_rejected(inputs):
    summaries, rubric = inputs
    pd.DataFrame({"criterion": [BMAQ_REPORT, "รายงานอื่น"], "status": ["done", "done"]}
                 ).to_csv(rubric / "sat-bmaq_evidence.csv", index=False)
    with pytest.raises(DataValidationError, match="not a level-5 condition") as err:
        gather_scorecard(summaries, rubric_dir=rubric)
    assert err.value.rows == [2]


def test_livable_and_sla_bands(tmp_path):
    # 21 issues → level 4 (21–27), 8 points; 8 of 10 tickets = 80 % → 3 SLA points
    summaries, rubric = _write_inputs(tmp_path, issues_ok=21, sla_met=8)
    out = {o.kpi: o for o in gather_scorecard(summaries, rubric_dir=rubric).outcomes}
    assert (out["livable-city-indicators"].level,
            out["livable-city-indicators"].points) == (4, pytest.approx(8))
    assert out["sat-it-support"].points == pytest.approx(2 + 3)


def test_missing_summary_names_the_report_to_build(inputs):
    summaries, rubric = inputs
    (summaries / "sat-wifi.json").unlink()
    with pytest.raises(FileNotFoundError, match=r"sat-wifi\.json.*--only sat-wifi"):
        gather_scorecard(summaries, rubric_dir=rubric)


def test_stale_or_inconsistent_summary_is_rejected(inputs):
    summaries, rubric = inputs
    path = summaries / "sat-oss.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**doc, "level": 4}), encoding="utf-8")
    with pytest.raises(DataValidationError, match="disagrees"):
        gather_scorecard(summaries, rubric_dir=rubric)
    path.write_text(json.dumps({**doc, "weight": 20}), encoding="utf-8")
    with pytest.raises(DataValidationError, match="weight"):
        gather_scorecard(summaries, rubric_dir=rubric)
    path.write_text(json.dumps({**doc, "kpi": "sat-wifi"}), encoding="utf-8")
    with pytest.raises(DataValidationError, match="for KPI 'sat-wifi'"):
        gather_scorecard(summaries, rubric_dir=rubric)
    path.write_text(json.dumps({k: v for k, v in doc.items() if k != "n_scored"}),
                    encoding="utf-8")
    with pytest.raises(DataValidationError, match="missing n_scored"):
        gather_scorecard(summaries, rubric_dir=rubric)


def test_design_weighted_summary_is_scored_on_its_percent(inputs):
    # A weighted report decides the level on the design-based A (here 80.4 %), not B / C
    # (here 158 / 200 = 79 %): the scorecard must follow the report.
    summaries, rubric = inputs
    path = summaries / "sat-oss.json"
    path.write_text(json.dumps(_summary("sat-oss", 158, 200, 5, 10, percent_high_or_above=80.4,
                                        design_effect=1.3)), encoding="utf-8")
    out = gather_scorecard(summaries, rubric_dir=rubric).outcomes[0]
    assert (out.level, out.points) == (5, pytest.approx(10))
    assert "design-based" in out.value


def test_json_summary_and_provenance(inputs):
    summaries, rubric = inputs
    card = gather_scorecard(summaries, rubric_dir=rubric)
    doc = json.loads(json.dumps(scorecard_summary(card), allow_nan=False))
    assert {"agency", "fiscal_year_be", "total_points", "max_points", "percent", "kpis",
            "kpis_missing_target", "input_sha256", "package_version"} <= set(doc)
    assert doc["total_points"] == pytest.approx(sum(r["points"] for r in doc["kpis"]))
    assert [r["weight"] for r in doc["kpis"]] == [10, 10, 10, 20, 10, 10]
    expected = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                for p in [*summaries.glob("*.json"), *rubric.glob("*.csv")]}
    assert doc["input_sha256"] == expected
    # the survey behind a summary is recorded per KPI (from the summary), not as read
    oss = doc["kpis"][0]["evidence"]
    assert oss[1] == {"name": "sat-oss_r2.csv", "sha256": "ab" * 32, "role": "survey",
                      "read": False}


def test_sample_data_both_sources_agree(tmp_path):
    """The bundled sample data: surveys scored directly = the reports' JSON summaries."""
    from kpianalysis.instruments import get_instrument
    from kpianalysis.readers import read_satisfaction_survey
    from kpianalysis.satisfaction import analyse_satisfaction, satisfaction_summary

    direct = gather_scorecard(None, rubric_dir=RAW / "rubric",
                              satisfaction_dir=RAW / "satisfaction")
    for kpi in COUNTS:
        data = read_satisfaction_survey(latest_survey_file(RAW / "satisfaction", kpi),
                                        get_instrument(kpi))
        summary = satisfaction_summary(data, analyse_satisfaction(data))
        (tmp_path / f"{kpi}.json").write_text(json.dumps(summary, ensure_ascii=False),
                                              encoding="utf-8")
    via_json = gather_scorecard(tmp_path, rubric_dir=RAW / "rubric")
    assert scorecard_check_line(direct) == scorecard_check_line(via_json)
    assert direct.satisfaction_source == "surveys" and via_json.satisfaction_source == "summaries"
    by = {o.kpi: o for o in direct.outcomes}
    # data/raw/README.md: 25 of 28 issues counted, report pending → level 4;
    # 89.0 % of tickets within SLA → 4 of 5 points.
    assert (by["livable-city-indicators"].level, by["livable-city-indicators"].points) == (
        4, pytest.approx(8))
    assert "SLA = 89.02 %" in by["sat-it-support"].value
    assert direct.total_points == pytest.approx(sum(o.points for o in direct.outcomes))
    expected = (ROOT / "tests" / "expected" / "scorecard.txt").read_text(encoding="utf-8")
    assert scorecard_check_line(direct) == expected.strip()


def test_latest_survey_file(tmp_path):
    for r in (1, 2, 10):
        (tmp_path / f"sat-oss_r{r}.csv").write_text("x")
    (tmp_path / "sat-oss_rx.csv").write_text("x")
    assert latest_survey_file(tmp_path, "sat-oss").name == "sat-oss_r10.csv"
    with pytest.raises(FileNotFoundError, match="sat-wifi_r<round>"):
        latest_survey_file(tmp_path, "sat-wifi")


def test_no_source_for_satisfaction_is_an_error(inputs):
    _, rubric = inputs
    with pytest.raises(ValueError, match="summaries_dir .* or satisfaction_dir"):
        gather_scorecard(None, rubric_dir=rubric)
    with pytest.raises(FileNotFoundError, match="rubric folder"):
        gather_scorecard(None, rubric_dir=rubric / "nope")


def test_unsupported_rubric_kind_in_a_scorecard(tmp_path, inputs):
    doc = yaml.safe_load((ROOT / "src" / "kpianalysis" / "catalog.yaml").read_text("utf-8"))
    gis = next(e for e in doc["kpis"] if e["code"] == "gis-open-data")
    gis["weight"] = 10
    gis["scorecard"] = {"agency": "สยป.", "item": 7}
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    summaries, rubric = inputs
    with pytest.raises(NotImplementedError, match="gis-open-data \\(milestones\\)"):
        gather_scorecard(summaries, rubric_dir=rubric, catalog=load_catalog(path))
    with pytest.raises(ValueError, match="no scorecard KPIs"):
        gather_scorecard(summaries, rubric_dir=rubric, agency="สำนักงานประชาสัมพันธ์")


def test_presentation_is_escaped_and_complete(inputs):
    summaries, rubric = inputs
    card = gather_scorecard(summaries, rubric_dir=rubric)
    evil = dataclasses.replace(card.outcomes[1], name_th="<script>x</script>",
                               missing=("<b>bad</b>",))
    card = dataclasses.replace(card, outcomes=(card.outcomes[0], evil, *card.outcomes[2:]))
    assert isinstance(card, AgencyScorecard)
    table = scorecard_table(card)
    assert "<script>" not in table and "&lt;script&gt;" in table
    assert table.count("✓ บรรลุ") == 3 and table.count("✗ ไม่บรรลุ") == 3
    assert "<code>sat-it-support_tickets.csv</code>" in table
    assert "53" in table and ">70<" in table
    missing = missing_target_list(card)
    assert "&lt;b&gt;bad&lt;/b&gt;" in missing and "<b>bad</b>" not in missing
    assert "53 / 70" in scorecard_headline(card)
    assert "พ.ศ. 2567" in scorecard_title(card)
    methods = scorecard_methods(card)
    assert all(f.sha256 in methods for f in card.inputs)


def test_points_chart_is_a_figure_with_thai_text_and_no_warnings(inputs):
    import io

    summaries, rubric = inputs
    card = gather_scorecard(summaries, rubric_dir=rubric)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "Glyph ... missing from font(s)"
        fig = points_chart(card)
        fig.savefig(io.BytesIO(), format="png")
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert any("53 / 70" in t for t in texts)
    assert any(t.strip().startswith("20 / 20") for t in texts)  # BMA Q, weight 20
    labels = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert labels[0].startswith("1. ระดับความพึงพอใจ") and "(sat-oss)" in labels[0]
