"""End to end: build every catalog KPI's report and the scorecard; check what they produce.

Expected figures are recomputed here from the raw CSVs with plain pandas (the seed's formulas,
KPI_SPEC §B and §G), never taken from the package's own results.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import json
import re
import shutil
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest
from demo_kpi import add_milestone_kpi

from kpianalysis import load_catalog, score_agency
from kpianalysis.build import build_reports, main
from kpianalysis.html_export import find_network_references
from kpianalysis.result import load_schema
from kpianalysis.scorecard import ScorecardError

pytestmark = pytest.mark.e2e

CATALOG = load_catalog()
STEMS = [f"{k.code}_{k.fiscal_year}" for k in CATALOG]
SCORECARD = "scorecard_สยป_2567"
ACTION_PLAN = "action_plan_สยป_2567"
SATISFACTION = ["sat-oss", "sat-policy-tracking", "sat-bmaq", "sat-it-support", "sat-wifi"]
LABELS = {"มากที่สุด": 5, "มาก": 4, "ปานกลาง": 3, "น้อย": 2, "น้อยที่สุด": 1,
          "ระดับมากที่สุด": 5, "ระดับมาก": 4, "ระดับปานกลาง": 3, "ระดับน้อย": 2,
          "ระดับน้อยที่สุด": 1}
ABSOLUTE = re.compile(r"""(?:^|[\s"'(=])/(?:tmp|work|root|home|usr|opt)/""")


def _tree_digest(folder: Path) -> dict[str, tuple]:
    """Every file and folder under ``folder``: SHA-256 of the bytes, mode and mtime (a build
    that rewrote a file with the same bytes, or left a lock or temporary file, shows too)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        st = p.lstat()
        digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
        out[str(p.relative_to(folder))] = (digest, st.st_mode, st.st_mtime_ns)
    return out


def _official_b_c(path: Path) -> tuple[int, int]:
    """B and C of one survey file under the seed's literal formula (KPI_SPEC §B, §G.1):
    score = sum of item scores / number of items (blank adds 0); C = forms with an answer."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    items = [c for c in raw.columns if c.startswith("q")]
    values = raw[items].replace(LABELS).replace("", np.nan).astype(float)
    counted = values.notna().sum(axis=1) >= 1
    high = counted & ((values.fillna(0).sum(axis=1) / len(items)).round(10) >= 3.51)
    return int(high.sum()), int(counted.sum())


def _offline_report(out: Path, name: str) -> str:
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


def test_every_catalog_kpi_has_a_report_and_a_valid_json(built):
    out, _, outcomes, _ = built
    assert [o.name for o in outcomes] == [*STEMS, SCORECARD, ACTION_PLAN]
    assert all(o.ok for o in outcomes), [o.error for o in outcomes if not o.ok]
    assert len(STEMS) == len(CATALOG) >= 17
    validator = jsonschema.Draft202012Validator(load_schema())
    for stem in STEMS:
        doc = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
        assert list(validator.iter_errors(doc)) == [], stem
        assert doc["data_status"] == "sample"  # §G.7: the bundled data says so
        html = _offline_report(out, stem)
        assert doc["name_th"] in html  # the seed's Thai name, exactly
        assert "ข้อมูลตัวอย่าง (สังเคราะห์)" in html
        _assert_no_stderr(out, stem)


def test_raw_data_is_never_modified(built, raw_dir):
    assert len(built[3]) >= 50  # every file of the bundled data root, hashed before the build
    assert _tree_digest(raw_dir) == built[3]


def test_the_build_summary_records_every_report_and_the_manifest(built):
    from kpianalysis.build_summary import read_build_summary

    summary = read_build_summary(built[0])  # both schemas checked
    assert summary["status"] == "ok" and summary["failures"] == []
    assert [r["name"] for r in summary["reports"]] == [*STEMS, SCORECARD, ACTION_PLAN]
    assert summary["counts"]["built"] == len(STEMS) + 2
    assert [k["kpi"] for k in summary["manifest"]["kpis"]] == [k.code for k in CATALOG]
    assert summary["manifest"]["status"] == "ok"
    assert not (built[0] / ".kpianalysis-build.lock").exists()  # released


def test_no_absolute_path_in_any_output(built, repo_root):
    out = built[0]
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.suffix in (".json", ".html", ".ipynb"):
            text = path.read_text(encoding="utf-8")
            for root in (str(out), str(repo_root)):  # only as part of a relative ../ path
                assert not re.search(rf"(?<!\.\.){re.escape(root)}", text), (path.name, root)
            assert not ABSOLUTE.search(text), (path.name, ABSOLUTE.search(text))


@pytest.mark.parametrize("kpi", SATISFACTION)
def test_satisfaction_result_matches_the_seed_formula(built, raw_dir, kpi):
    doc = json.loads((built[0] / f"{kpi}_2567.json").read_text(encoding="utf-8"))
    pairs = [_official_b_c(raw_dir / "satisfaction" / f"{kpi}_r{r}.csv") for r in (1, 2)]
    b, c = sum(p[0] for p in pairs), sum(p[1] for p in pairs)  # §G.2: both rounds pooled
    assert (doc["details"]["b"], doc["details"]["c"]) == (b, c)
    a = b * 100 / c
    assert doc["details"]["percent_high_or_above"] == pytest.approx(a)
    sat_level = next((lv for lv, t in zip((5, 4, 3, 2, 1), (80, 75, 70, 65, 60), strict=True)
                      if b * 100 >= t * c), 0)  # seed 004 ตาราง ค. bands
    if kpi != "sat-it-support":
        if kpi != "sat-bmaq" or sat_level < 5:
            assert doc["level"] == sat_level
    for rnd, (rb, rc) in zip(doc["rounds"], pairs, strict=True):
        assert (rnd["n_high_or_above"], rnd["n_counted"]) == (rb, rc)  # each round alone
    for ev in doc["evidence"]:
        assert ev["sha256"] == hashlib.sha256((raw_dir / ev["path"]).read_bytes()).hexdigest()
    html = _offline_report(built[0], f"{kpi}_2567")
    for secret in ("081-234-5678", "02 123 4567", "กรุณาติดต่อกลับ", "<b>ดีมาก</b>"):
        assert secret not in html  # personal data never reaches a report


def test_processed_tables_are_deidentified(built, raw_dir):
    table = pd.read_parquet(built[1] / "sat-oss_2567_r2.parquet")
    assert {"respondent_id", "q1_1", "score_mean", "high_or_above"} <= set(table.columns)
    assert "suggestion" not in table.columns
    aware = pd.read_parquet(built[1] / "awareness-pr_2568.parquet")
    assert {"respondent_id", "mode", "aware", "raked_weight"} <= set(aware.columns)
    # identifiers are pseudonyms (issue 11 item 4): no raw respondent_id is written
    for processed, raw in ((table, "satisfaction/sat-oss_r2.csv"),
                           (aware, "awareness/awareness_survey.csv")):
        ids = pd.read_csv(raw_dir / raw, dtype=str, keep_default_na=False)["respondent_id"]
        assert not set(ids) & set(processed["respondent_id"])


def test_awareness_official_value_is_the_seed_formula(built, raw_dir):
    # seed 000: aware × 100 / target-group respondents, all rounds and modes (§G.4)
    raw = pd.read_csv(raw_dir / "awareness" / "awareness_survey.csv", dtype=str,
                      keep_default_na=False)
    doc = json.loads((built[0] / "awareness-pr_2568.json").read_text(encoding="utf-8"))
    assert doc["value"] == pytest.approx((raw["aware"] == "1").mean() * 100)
    assert doc["target_met"] == ((raw["aware"] == "1").mean() * 100 >= 80)
    assert [a["rule"] for a in doc["alternatives"]] == ["awareness_formula"]


def test_index_lists_every_report_with_working_links(built):
    out = built[0]
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="th">' in page and find_network_references(page) == []
    links = re.findall(r"href='([^']+)'", page)
    assert {f"{s}.html" for s in [*STEMS, SCORECARD, ACTION_PLAN]} <= set(links)
    assert all((out / link).is_file() for link in links)
    for k in CATALOG:  # the seeds' Thai names, escaped
        assert htmllib.escape(k.name_th) in page, k.code
    assert "ข้อมูลตัวอย่าง (สังเคราะห์)" in page
    assert "34 / 70 คะแนน" not in page or "scorecard" in page  # the total comes from the JSON
    card = json.loads((out / f"{SCORECARD}.json").read_text(encoding="utf-8"))
    assert f"{card['total_points']:g} / {card['max_points']:g} คะแนน" in page


def test_a_clean_build_logs_no_warning_or_error(tmp_path, raw_dir, capfd, caplog):
    caplog.set_level("INFO")
    assert main(["--data-root", str(raw_dir), "--processed", str(tmp_path / "p"), "--out",
                 str(tmp_path / "out"), "--only", "gis-open-data"]) == 0
    messages = [r.getMessage() for r in caplog.records]
    # one progress line per report: the KPI, then the action plan that reads its result
    assert any(m.startswith("[1/2] gis-open-data_2567") for m in messages)
    assert any(m.startswith(f"[2/2] {ACTION_PLAN}") for m in messages)
    assert [r for r in caplog.records if r.levelno >= 30] == []
    captured = capfd.readouterr()  # what the kernels and libraries print themselves
    text = captured.out + captured.err
    assert "WARNING" not in text and "ERROR" not in text, text


# --- in a browser: headless Chromium (Debian package, installed by `make test`) ------------

BROWSER_PAGES = {  # one report of each family, the scorecard and the index: a sentence each
    "index.html": "รายงานตัวชี้วัดทั้งหมด",
    "gis-open-data_2567.html": "รายงานนี้แสดงผลตัวชี้วัด",
    "sat-oss_2567.html": "รายงานนี้แสดงผลตัวชี้วัด",
    "awareness-pr_2568.html": "รายงานนี้แสดงผลตัวชี้วัด",
    f"{SCORECARD}.html": "คะแนนรวมตามตาราง ค.",
    "efficiency-pr_2563.html": "รายงานนี้แสดงผลตัวชี้วัด",
    "district-development-targets_2567.html": "รายงานนี้แสดงผลตัวชี้วัด",
    f"{ACTION_PLAN}.html": "แผนปฏิบัติราชการ",
}
A4_POINTS = (595.28, 841.89)  # ISO 216 A4, 210 × 297 mm in PostScript points


def test_reports_in_a_browser_offline_without_errors_and_print_on_a4(built):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from browser import Browser

    out = built[0]
    browser = Browser()
    try:
        for name, sentence in BROWSER_PAGES.items():
            seen = browser.open(out / name)
            assert seen["errors"] == [], (name, seen["errors"][:3])
            remote = [u for u in seen["requests"] if not u.startswith(("file:", "data:"))]
            assert remote == [], (name, remote)  # no network request at all
            assert sentence in browser.text(), name  # the plain Thai summary / heading
            links = browser.call("Runtime.evaluate", returnByValue=True, expression=(
                "Array.from(document.querySelectorAll('a[href]'))"
                ".map(a => a.getAttribute('href'))"
                ".filter(h => !h.startsWith('data:') && !h.startsWith('#'))"))
            for href in links["result"]["value"]:
                assert (out / href).is_file(), (name, href)
            pdf = browser.pdf()
            boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
            assert boxes, name
            for w, h in boxes:
                assert abs(float(w) - A4_POINTS[0]) < 2 and abs(float(h) - A4_POINTS[1]) < 2
    finally:
        browser.close()


# --- the scorecard only sums results ----------------------------------------------------------

def test_scorecard_is_the_sum_of_the_kpi_jsons_and_equals_the_api(built, raw_dir, tmp_path):
    out = built[0]
    card = json.loads((out / f"{SCORECARD}.json").read_text(encoding="utf-8"))
    # seed 004 ตาราง ค.: items 1–6 with weights 10, 10, 10, 20, 10, 10
    assert [(r["kpi"], r["weight"]) for r in card["rows"]] == [
        ("sat-oss", 10), ("sat-policy-tracking", 10), ("livable-city-indicators", 10),
        ("sat-bmaq", 20), ("sat-it-support", 10), ("sat-wifi", 10)]
    points = {r["kpi"]: json.loads((out / f"{r['kpi']}_2567.json").read_text(
        encoding="utf-8"))["points"] for r in card["rows"]}
    assert card["total_points"] == pytest.approx(sum(points.values()))
    assert card["max_points"] == 70
    api = score_agency(out, data_root=raw_dir)
    assert api.total_points == pytest.approx(card["total_points"])
    assert [r.points for r in api.rows] == [r["points"] for r in card["rows"]]
    # the CLI alone (scorecard only, from the same results) writes the same scorecard
    again = tmp_path / "again"
    shutil.copytree(out, again)
    (again / f"{SCORECARD}.json").unlink()
    assert main(["--data-root", str(raw_dir), "--processed", str(tmp_path / "p"), "--out",
                 str(again), "--only", SCORECARD]) == 0
    strip = re.compile(r'"built_at": "[^"]*"')
    assert strip.sub("", (again / f"{SCORECARD}.json").read_text(encoding="utf-8")) == \
        strip.sub("", (out / f"{SCORECARD}.json").read_text(encoding="utf-8"))
    html = _offline_report(out, SCORECARD)
    assert "sat-bmaq_2567.html" in html  # links to each KPI's report


def test_scorecard_refuses_a_missing_or_stale_result(built, raw_dir, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(built[0], out)
    root = tmp_path / "raw"
    shutil.copytree(raw_dir, root)
    assert score_agency(out, data_root=root).max_points == 70
    with (root / "satisfaction" / "sat-wifi_r2.csv").open("a", encoding="utf-8") as f:
        f.write("\n")  # one changed input after the build
    with pytest.raises(ScorecardError, match=r"KPI 'sat-wifi'.*changed"):
        score_agency(out, data_root=root)
    (out / "sat-oss_2567.json").unlink()
    with pytest.raises(ScorecardError, match=r"KPI 'sat-oss'.*no result"):
        score_agency(out, data_root=raw_dir)
    # the build's scorecard fails too, naming the KPI, and leaves no scorecard behind
    status = main(["--data-root", str(raw_dir), "--processed", str(tmp_path / "p"),
                   "--out", str(out), "--only", SCORECARD])
    assert status == 1
    assert not (out / f"{SCORECARD}.json").exists() and not (out / f"{SCORECARD}.html").exists()
    assert "sat-oss" in (out / f"{SCORECARD}.error.txt").read_text(encoding="utf-8")


def test_a_bad_file_fails_alone_with_a_clear_error(tmp_path, raw_dir):
    raw = tmp_path / "raw"
    shutil.copytree(raw_dir, raw)
    bad = raw / "satisfaction" / "sat-wifi_r2.csv"
    frame = pd.read_csv(bad, dtype=str, keep_default_na=False)
    frame.loc[4, "q2_1"] = "6"
    frame.to_csv(bad, index=False)
    out = tmp_path / "out"
    out.mkdir()
    (out / "sat-wifi_2567.html").write_text("stale report from last quarter")
    (out / "sat-wifi_2567.json").write_text("{}")
    status = main(["--data-root", str(raw), "--processed", str(tmp_path / "p"), "--out",
                   str(out), "--only", "sat-wifi", "sat-oss"])
    assert status == 1
    assert (out / "sat-oss_2567.html").exists()
    assert not (out / "sat-wifi_2567.html").exists()  # no stale report left to mislead
    assert not (out / "sat-wifi_2567.json").exists()
    error = (out / "sat-wifi_2567.error.txt").read_text(encoding="utf-8")
    assert "sat-wifi_r2.csv" in error and "'q2_1'" in error and "row 5" in error
    assert "'6'" in error
    assert not ABSOLUTE.search(error)  # paths relative to where the build ran
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "สร้างรายงานไม่สำเร็จ" in index and "row 5" in index  # the failure and its reason


def test_two_builds_of_the_same_inputs_give_identical_json(tmp_path, raw_dir):
    docs = []
    for name in ("a", "b"):
        out = tmp_path / name
        assert main(["--data-root", str(raw_dir), "--processed", str(tmp_path / "p"),
                     "--out", str(out), "--only", "awareness-pr"]) == 0  # raked estimates
        text = (out / "awareness-pr_2568.json").read_text(encoding="utf-8")
        docs.append(re.sub(r'"built_at": "[^"]*"', '"built_at": ""', text))
    assert docs[0] == docs[1]


def test_a_new_kpi_needs_one_catalog_entry_and_its_data_file(tmp_path, raw_dir, repo_root):
    """A milestone KPI of a new agency: its report and its line on that agency's scorecard."""
    catalog, root = add_milestone_kpi(tmp_path, raw_dir, repo_root)
    out = tmp_path / "out"
    status = main(["--data-root", str(root), "--processed", str(tmp_path / "p"), "--out",
                   str(out), "--catalog", str(catalog), "--only", "demo-milestones",
                   "scorecard_สทร_2568"])
    assert status == 0
    result = json.loads((out / "demo-milestones_2568.json").read_text(encoding="utf-8"))
    # levels 1 and 2 done, 3 pending → level 2 of 3; points = 10 × 2 / 3 (§C rule)
    assert result["level"] == 2 and result["points"] == pytest.approx(10 * 2 / 3)
    card = json.loads((out / "scorecard_สทร_2568.json").read_text(encoding="utf-8"))
    assert [r["kpi"] for r in card["rows"]] == ["demo-milestones"]
    assert "ระดับความสำเร็จของโครงการทดลอง" in _offline_report(out, "demo-milestones_2568")


# --- parallel and incremental builds ------------------------------------------------------------

CHEAP = ["gis-open-data", "5.3.1.2", "6.1.2.1", "0411-2029"]


def _jsons(out: Path) -> dict[str, str]:
    strip = re.compile(r'"built_at": "[^"]*"')
    return {p.name: strip.sub("", p.read_text(encoding="utf-8"))
            for p in sorted(out.glob("*.json"))
            if not p.name.startswith("action_plan_") and p.name != "build-summary.json"}


def test_a_parallel_build_writes_the_same_results_as_one_at_a_time(tmp_path, raw_dir):
    for name, jobs in (("serial", "1"), ("parallel", "2")):
        assert main(["--data-root", str(raw_dir), "--processed", str(tmp_path / name / "p"),
                     "--out", str(tmp_path / name / "out"), "-j", jobs, "--only", *CHEAP]) == 0
    serial, parallel = _jsons(tmp_path / "serial" / "out"), _jsons(tmp_path / "parallel" / "out")
    assert len(serial) == len(CHEAP) and serial == parallel


def test_an_unchanged_report_is_not_rebuilt_and_a_changed_input_is(tmp_path, raw_dir, caplog):
    caplog.set_level("INFO")
    root = tmp_path / "raw"
    shutil.copytree(raw_dir, root)
    args = ["--data-root", str(root), "--processed", str(tmp_path / "p"), "--out",
            str(tmp_path / "out"), "-j", "1", "--only", "5.3.1.2", "5.3.1.3"]
    assert main(args) == 0
    first = (tmp_path / "out" / "5.3.1.2_2567.json").read_bytes()
    caplog.clear()
    assert main(args) == 0  # nothing changed: both skipped, outputs untouched
    fresh = [r.getMessage() for r in caplog.records if r.getMessage().endswith("s up to date")]
    assert len(fresh) == 3 and any(ACTION_PLAN in m for m in fresh)  # 2 KPIs + the plan
    assert (tmp_path / "out" / "5.3.1.2_2567.json").read_bytes() == first
    # both KPIs read 5.3.1_missions.csv: change it and both are rebuilt from it
    missions = root / "rubric" / "5.3.1_missions.csv"
    missions.write_text(missions.read_text(encoding="utf-8").replace(
        "M01,ภารกิจที่ยังไม่ได้รับการถ่ายโอน ลำดับที่ 1,no,no",
        "M01,ภารกิจที่ยังไม่ได้รับการถ่ายโอน ลำดับที่ 1,yes,no"), encoding="utf-8")
    caplog.clear()
    assert main(args) == 0
    rebuilt = [r.getMessage() for r in caplog.records
               if "… " in r.getMessage() and r.getMessage().endswith(" ok")]
    assert len(rebuilt) == 3  # both KPIs reading the file, and the plan that reads them
    result = json.loads((tmp_path / "out" / "5.3.1.2_2567.json").read_text(encoding="utf-8"))
    assert result["value"] == 4  # 3 confirmed in the sample + the one changed (KPI_SPEC §D)
    caplog.clear()
    assert main([*args, "--force"]) == 0
    assert not any(r.getMessage().endswith("s up to date") for r in caplog.records)
