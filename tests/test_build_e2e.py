"""End to end: build the reports from data/raw and check the HTML and JSON they produce."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kpianalysis.build import build_reports, main
from kpianalysis.html_export import find_network_references

pytestmark = pytest.mark.e2e

SATISFACTION = ["sat-oss", "sat-policy-tracking", "sat-bmaq", "sat-it-support", "sat-wifi"]
LABELS = {"มากที่สุด": 5, "มาก": 4, "ปานกลาง": 3, "น้อย": 2, "น้อยที่สุด": 1,
          "ระดับมากที่สุด": 5, "ระดับมาก": 4, "ระดับปานกลาง": 3, "ระดับน้อย": 2,
          "ระดับน้อยที่สุด": 1}


def _tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _independent_a(path: Path) -> tuple[int, int, int, float | None]:
    """Recompute (n, B, C, weighted A) from the raw CSV with plain pandas, as in Excel."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    items = [c for c in raw.columns if c.startswith("q")]
    values = raw[items].replace(LABELS).replace("", np.nan).astype(float)
    answered = values.notna().sum(axis=1)
    scored = answered >= np.ceil(0.8 * len(items))
    mean = values.sum(axis=1) / answered
    high = scored & (mean.round(10) >= 3.51)
    weighted = None
    if "weight" in raw.columns:
        w = raw["weight"].astype(float)
        weighted = float((w * high).sum() / (w * scored).sum() * 100)
    return len(raw), int(high.sum()), int(scored.sum()), weighted


def _offline_report(out: Path, name: str) -> str:
    """Read ``<name>.html`` after the checks every report must pass; return its text."""
    html_path = out / f"{name}.html"
    html = html_path.read_text(encoding="utf-8")
    assert html_path.stat().st_size < 2_000_000
    assert '<html lang="th">' in html
    assert find_network_references(html) == []
    assert "import kpianalysis" not in html  # code hidden
    assert "Traceback" not in html
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in html  # no warnings shown
    return html


def _assert_no_stderr(out: Path, name: str) -> None:
    """No stderr at all: in particular no matplotlib "Glyph ... missing from font" warning."""
    nb = json.loads((out / "executed" / f"{name}.ipynb").read_text(encoding="utf-8"))
    streams = [o for c in nb["cells"] for o in c.get("outputs", [])
               if o.get("output_type") in ("stream", "error")]
    assert all(o.get("name") == "stdout" for o in streams), streams


@pytest.fixture(scope="module")
def built(tmp_path_factory, raw_dir):
    out = tmp_path_factory.mktemp("reports")
    processed = tmp_path_factory.mktemp("processed")
    before = _tree_digest(raw_dir)
    outcomes = build_reports(raw_dir, processed, out)
    return out, processed, outcomes, before


def test_every_report_builds(built):
    _, _, outcomes, _ = built
    assert {o.name for o in outcomes} >= set(SATISFACTION)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes if not o.ok]


def test_raw_data_is_never_modified(built, raw_dir):
    assert _tree_digest(raw_dir) == built[3]


@pytest.mark.parametrize("kpi", SATISFACTION)
def test_html_report_is_offline_thai_and_small(built, kpi):
    html = _offline_report(built[0], kpi)
    assert "ร้อยละผู้มีความพึงพอใจระดับมากขึ้นไป" in html
    # personal data never reaches a report: phone numbers and free text from data/raw
    for secret in ("081-234-5678", "02 123 4567", "กรุณาติดต่อกลับ", "<b>ดีมาก</b>"):
        assert secret not in html


@pytest.mark.parametrize("kpi", SATISFACTION)
def test_json_summary_matches_independent_recount(built, raw_dir, kpi):
    summary = json.loads((built[0] / f"{kpi}.json").read_text(encoding="utf-8"))
    n, b, c, weighted = _independent_a(raw_dir / "satisfaction" / f"{kpi}_r2.csv")
    assert summary["kpi"] == kpi and summary["round"] == 2
    assert summary["n_respondents"] == n
    assert summary["n_high_or_above"] == b
    assert summary["n_excluded"] == n - c
    assert summary["percent_unweighted"] == pytest.approx(b * 100 / c)
    expected = b * 100 / c if weighted is None else weighted
    assert summary["percent_high_or_above"] == pytest.approx(expected)
    assert summary["estimator"].startswith("design-based" if weighted else "simple random")
    assert summary["ci_low"] < summary["percent_high_or_above"] < summary["ci_high"]
    assert summary["target_met"] == (expected >= 80)
    assert summary["input_sha256"] == hashlib.sha256(
        (raw_dir / "satisfaction" / f"{kpi}_r2.csv").read_bytes()).hexdigest()
    assert "previous_round" in summary


@pytest.mark.parametrize("kpi", SATISFACTION)
def test_executed_notebook_has_no_warnings(built, kpi):
    _assert_no_stderr(built[0], kpi)


def test_processed_table_is_deidentified(built):
    table = pd.read_parquet(built[1] / "sat-oss_r2.parquet")
    assert {"respondent_id", "q1_1", "score_mean", "high_or_above"} <= set(table.columns)
    assert "suggestion" not in table.columns


def test_a_bad_file_fails_alone_with_a_clear_error(tmp_path, raw_dir):
    raw = tmp_path / "raw"
    shutil.copytree(raw_dir / "satisfaction", raw / "satisfaction")
    bad = raw / "satisfaction" / "sat-wifi_r2.csv"
    frame = pd.read_csv(bad, dtype=str, keep_default_na=False)
    frame.loc[4, "q2_1"] = "6"
    frame.to_csv(bad, index=False)
    out = tmp_path / "out"
    (out).mkdir()
    (out / "sat-wifi.html").write_text("stale report from last quarter")
    status = main(["--raw", str(raw), "--processed", str(tmp_path / "p"), "--out", str(out),
                   "--only", "sat-wifi", "sat-oss"])
    assert status == 1
    assert (out / "sat-oss.html").exists()
    assert not (out / "sat-wifi.html").exists()  # no stale report left to mislead
    error = (out / "sat-wifi.error.txt").read_text(encoding="utf-8")
    assert "sat-wifi_r2.csv" in error and "'q2_1'" in error and "row 5" in error
    assert "'6'" in error


# --- the agency scorecard (seed 004 table ค) --------------------------------------------------

# seed 004 ตาราง ค.: item → (KPI, weight); the agency score is the sum of the KPIs' points.
TABLE_KOR = [("sat-oss", 10), ("sat-policy-tracking", 10), ("livable-city-indicators", 10),
             ("sat-bmaq", 20), ("sat-it-support", 10), ("sat-wifi", 10)]


def _band(value: float, thresholds: list[float]) -> int:
    """Level 5..1 for the first threshold reached (thresholds from level 5 down), else 0."""
    return next((5 - i for i, t in enumerate(thresholds) if value >= t), 0)


def test_scorecard_html_is_offline_thai_and_small(built):
    html = _offline_report(built[0], "scorecard")
    assert "ระดับความพึงพอใจของประชาชนต่อการให้บริการด้านการจัดทำบัตรประชาชน" in html
    assert "✓" in html or "✗" in html
    _assert_no_stderr(built[0], "scorecard")


def test_scorecard_total_is_the_sum_of_the_kpi_results(built, raw_dir):
    """Recompute every KPI's points from the per-KPI JSONs and the rubric CSVs with pandas."""
    out = built[0]
    card = json.loads((out / "scorecard.json").read_text(encoding="utf-8"))
    rows = {r["kpi"]: r for r in card["kpis"]}
    assert [(r["kpi"], r["weight"]) for r in card["kpis"]] == TABLE_KOR
    assert card["max_points"] == 70 and card["fiscal_year_be"] == 2567
    rubric = raw_dir / "rubric"
    expected = {}
    for kpi, _ in TABLE_KOR:
        if kpi.startswith("sat-"):
            s = json.loads((out / f"{kpi}.json").read_text(encoding="utf-8"))
            assert card["input_sha256"][f"{kpi}.json"] == hashlib.sha256(
                (out / f"{kpi}.json").read_bytes()).hexdigest()
            expected[kpi] = s["points"]
    # item 4, BMA Q: level 5 also needs the report to executives (sat-bmaq_evidence.csv)
    bmaq = json.loads((out / "sat-bmaq.json").read_text(encoding="utf-8"))
    report = pd.read_csv(rubric / "sat-bmaq_evidence.csv")["status"].eq("done").all()
    if bmaq["level"] == 5 and not report:
        expected["sat-bmaq"] = 16
    # item 5: satisfaction points (the JSON, 0–5) + SLA points from the tickets
    t = pd.read_csv(rubric / "sat-it-support_tickets.csv", keep_default_na=False)
    opened = pd.to_datetime(t["opened"])
    resolved = pd.to_datetime(t["resolved"].replace("", None))
    in_time = resolved.notna() & (resolved - opened <= pd.to_timedelta(t["sla_hours"], unit="h"))
    expected["sat-it-support"] += _band(in_time.mean() * 100, [90, 85, 80, 75, 70])
    # item 3: issues with indicators, data and publication; 28 + the report → 5
    issues = pd.read_csv(rubric / "livable-city-indicators_issues.csv")
    n = int(((issues["n_indicators"] >= 1) & issues["has_data"].eq("yes")
             & issues["published_open_data"].eq("yes")).sum())
    level = _band(n, [28, 21, 14, 7, 1])
    done = pd.read_csv(rubric / "livable-city-indicators_evidence.csv")["status"].eq("done").all()
    if level == 5 and not done:
        level = 4
    expected["livable-city-indicators"] = 10 * level * 20 / 100
    for kpi, points in expected.items():
        assert rows[kpi]["points"] == pytest.approx(points), kpi
    assert card["total_points"] == pytest.approx(sum(expected.values()))
    assert card["percent"] == pytest.approx(card["total_points"] * 100 / 70)
    assert card["kpis_missing_target"] == [r["kpi"] for r in card["kpis"]
                                           if not r["target_met"]]


# ---- awareness survey (awareness-pr) --------------------------------------------------------


def test_awareness_report_is_offline_thai_and_small(built):
    html = _offline_report(built[0], "awareness-pr")
    assert "ร้อยละการรับรู้ข่าวสาร" in html


def test_awareness_json_matches_the_csv(built, raw_dir):
    path = raw_dir / "awareness" / "awareness_survey.csv"
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    summary = json.loads((built[0] / "awareness-pr.json").read_text(encoding="utf-8"))
    for key in ("kpi", "estimate", "ci_low", "ci_high", "target", "target_met", "p_target_met",
                "n_respondents", "moe_overall", "input_sha256", "test", "modes_disagree",
                "sample_size", "rounds", "modes", "channels"):
        assert key in summary, key
    assert summary["kpi"] == "awareness-pr"
    assert summary["n_respondents"] == len(raw)
    assert summary["n_by_mode"] == raw["mode"].value_counts().to_dict()
    assert summary["n_field"] == int((raw["mode"] == "field").sum())
    assert summary["percent_all_modes_unweighted"] == pytest.approx(
        (raw["aware"] == "1").mean() * 100)
    assert summary["input_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert summary["ci_low"] < summary["estimate"] < summary["ci_high"]
    assert summary["target"] == 80
    assert summary["target_met"] == (summary["estimate"] >= 80)
    assert 0 <= summary["p_target_met"] <= 1
    # the design-weighted field share, recomputed by hand, is close to the raked headline
    field = raw[raw["mode"] == "field"]
    w = field["design_weight"].astype(float)
    weighted = (w * (field["aware"] == "1")).sum() / w.sum() * 100
    assert summary["estimate"] == pytest.approx(weighted, abs=1.0)


def test_awareness_notebook_has_no_warnings_and_writes_processed(built):
    _assert_no_stderr(built[0], "awareness-pr")
    table = pd.read_parquet(built[1] / "awareness-pr.parquet")
    assert {"respondent_id", "mode", "aware", "raked_weight"} <= set(table.columns)
