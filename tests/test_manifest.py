"""The input manifest (issue 11 item 2): the build knows every file it needs, per fiscal year
and round, and a missing or unreadable one fails that KPI, never falling back to another round
or an older file. No notebook runs here (the build tests are in test_build_safety.py).

Expected file lists are read from catalog.yaml with plain PyYAML, not through the package.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from kpianalysis import evaluate, load_catalog, score_agency, write_result
from kpianalysis._schemas import load_schema_file
from kpianalysis.build import main
from kpianalysis.inputs import InputError, resolve_inputs
from kpianalysis.manifest import READS_EARLIER_YEARS, build_manifest, kpi_manifest
from kpianalysis.scorecard import ScorecardError

CATALOG = load_catalog()
ROOT = Path(__file__).resolve().parents[1]
CATALOG_YAML = ROOT / "src" / "kpianalysis" / "catalog.yaml"
NOTEBOOKS = ROOT / "src" / "kpianalysis" / "notebooks"


def _yaml_inputs() -> dict[str, dict[int, list[dict]]]:
    doc = yaml.safe_load(CATALOG_YAML.read_text(encoding="utf-8"))
    return {k["code"]: {int(fy): files for fy, files in k["inputs"].items()}
            for k in doc["kpis"]}


def _satisfaction_root(raw_dir: Path, tmp_path: Path) -> Path:
    root = tmp_path / "raw"
    shutil.copytree(raw_dir / "satisfaction", root / "satisfaction")
    shutil.copy(raw_dir / "dataset.yaml", root / "dataset.yaml")
    return root


def _validate(data: dict) -> None:
    jsonschema.Draft202012Validator(load_schema_file("input_manifest.schema.json")).validate(data)


# --- what the manifest lists ------------------------------------------------------------------

def test_manifest_lists_every_catalog_file_of_each_kpis_fiscal_year(raw_dir):
    declared = _yaml_inputs()
    manifest = build_manifest(CATALOG, raw_dir)
    assert manifest.ok, [e.message() for e in manifest.entries if not e.ok]
    assert [e.kpi for e in manifest.entries] == list(declared)
    for entry in manifest.entries:
        own = declared[entry.kpi][entry.fiscal_year]
        result = [(f.spec.path, f.spec.role, f.spec.round) for f in entry.files
                  if f.purpose == "result"]
        assert result == [(f["path"], f["role"], f.get("round")) for f in own], entry.kpi
        assert all(f.fiscal_year == entry.fiscal_year for f in entry.files
                   if f.purpose == "result")
    data = manifest.to_dict()
    _validate(data)
    assert data["status"] == "ok" and data["missing"] == data["unreadable"] == 0


def test_a_satisfaction_report_also_needs_its_earlier_years_for_the_trend(raw_dir):
    entry = kpi_manifest(CATALOG.get("sat-oss"), raw_dir)
    got = [(f.fiscal_year, f.spec.round, f.purpose, f.spec.path) for f in entry.files]
    assert got == [  # catalog.yaml, sat-oss: 2567 for the result, 2565 and 2566 for the trend
        (2567, 1, "result", "satisfaction/sat-oss_r1.csv"),
        (2567, 2, "result", "satisfaction/sat-oss_r2.csv"),
        (2565, 1, "trend", "satisfaction/history/2565/sat-oss_r1.csv"),
        (2565, 2, "trend", "satisfaction/history/2565/sat-oss_r2.csv"),
        (2566, 1, "trend", "satisfaction/history/2566/sat-oss_r1.csv"),
        (2566, 2, "trend", "satisfaction/history/2566/sat-oss_r2.csv")]
    for f in entry.files:  # each file hashed as it is on disk
        import hashlib

        assert f.sha256 == hashlib.sha256((raw_dir / f.spec.path).read_bytes()).hexdigest()
        assert f.size == (raw_dir / f.spec.path).stat().st_size
    assert [f.purpose for f in kpi_manifest(CATALOG.get("gis-open-data"), raw_dir).files] == [
        "result"]


def test_the_notebooks_reading_earlier_years_are_the_ones_the_manifest_knows():
    reading = {p.name for p in NOTEBOOKS.glob("*.ipynb")
               if "kpi_entry.fiscal_years" in p.read_text(encoding="utf-8")}
    assert reading == set(READS_EARLIER_YEARS)


def test_manifest_groups_the_files_per_fiscal_year_and_round(raw_dir):
    data = build_manifest(CATALOG, raw_dir, ["sat-oss", "gis-open-data"]).to_dict()
    groups = {(g["fiscal_year"], g["round"]): g["files"] for g in data["by_fiscal_year_and_round"]}
    assert groups[(2567, 2)] == ["satisfaction/sat-oss_r2.csv"]
    assert groups[(2566, 1)] == ["satisfaction/history/2566/sat-oss_r1.csv"]
    assert groups[(2567, None)] == ["rubric/gis-open-data_evidence.csv"]
    assert len(groups) == 7  # 2565–2567 × rounds 1, 2, and 2567 without a round


# --- failures: missing, unreadable, never a fallback ---------------------------------------------

def test_missing_current_round_fails_the_kpi_although_the_previous_round_is_there(
        raw_dir, tmp_path):
    root = _satisfaction_root(raw_dir, tmp_path)
    (root / "satisfaction" / "sat-wifi_r2.csv").unlink()
    assert (root / "satisfaction" / "sat-wifi_r1.csv").is_file()  # round 1 is there
    assert (root / "satisfaction" / "history" / "2566" / "sat-wifi_r2.csv").is_file()
    entry = build_manifest(CATALOG, root, ["sat-wifi"]).entry("sat-wifi")
    assert not entry.ok
    assert [(f.spec.path, f.status) for f in entry.problems] == [
        ("satisfaction/sat-wifi_r2.csv", "missing")]
    message = entry.message()
    for words in ("'sat-wifi'", "fiscal year 2567", "satisfaction/sat-wifi_r2.csv", "round 2",
                  "not found", "survey file", "never falls back"):
        assert words in message, words
    assert str(tmp_path) not in message
    # the engine refuses the same way: no result from round 1 alone, nor from 2566
    with pytest.raises(InputError) as exc:
        evaluate("sat-wifi", data_root=root)
    assert "satisfaction/sat-wifi_r2.csv" in str(exc.value) and "round 2" in str(exc.value)


def _make_unreadable(path: Path, how: str) -> None:
    path.unlink()
    if how == "folder":
        path.mkdir()
    elif how == "pipe":
        os.mkfifo(path)
    elif how == "broken link":
        path.symlink_to(path.parent / "no-such-file.csv")


@pytest.mark.parametrize(("how", "status", "reason"), [
    ("folder", "unreadable", "is a folder"),
    ("pipe", "unreadable", "not a regular file"),
    ("broken link", "missing", "broken symbolic link"),
])
def test_an_unreadable_input_fails_the_kpi_with_the_reason(raw_dir, tmp_path, how, status,
                                                           reason):
    root = _satisfaction_root(raw_dir, tmp_path)
    target = root / "satisfaction" / "sat-oss_r1.csv"
    _make_unreadable(target, how)
    entry = kpi_manifest(CATALOG.get("sat-oss"), root)
    assert [(f.spec.path, f.status) for f in entry.problems] == [
        ("satisfaction/sat-oss_r1.csv", status)]
    assert reason in entry.problems[0].reason
    assert "round 1" in entry.message() and reason in entry.message()
    with pytest.raises(InputError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        resolve_inputs(CATALOG.get("sat-oss"), 2567, root)  # a pipe must not block the read


def test_a_file_without_read_permission_is_unreadable(raw_dir, tmp_path, monkeypatch):
    root = _satisfaction_root(raw_dir, tmp_path)
    target = root / "satisfaction" / "sat-oss_r2.csv"
    target.chmod(0)
    if os.geteuid() == 0:  # root may read any file: the OS answers "readable"; ask as a user
        import kpianalysis.inputs as inputs_module

        real_access = os.access
        monkeypatch.setattr(inputs_module.os, "access", lambda p, mode: False if Path(
            p) == target else real_access(p, mode))
    entry = kpi_manifest(CATALOG.get("sat-oss"), root)
    assert entry.problems[0].status == "unreadable"
    assert "permission denied" in entry.problems[0].reason


def test_manifest_command_prints_json_and_fails_on_a_missing_file(raw_dir, tmp_path, capsys):
    root = _satisfaction_root(raw_dir, tmp_path)
    out = tmp_path / "reports"
    assert main(["--manifest", "--data-root", str(root), "--out", str(out),
                 "--only", "sat-wifi"]) == 0
    data = json.loads(capsys.readouterr().out)
    _validate(data)
    assert [k["kpi"] for k in data["kpis"]] == ["sat-wifi"]
    (root / "satisfaction" / "sat-wifi_r2.csv").unlink()
    target = tmp_path / "manifest.json"
    assert main(["--manifest", str(target), "--data-root", str(root), "--out", str(out),
                 "--only", "sat-wifi"]) == 1
    assert "1 file(s) missing" in capsys.readouterr().err
    data = json.loads(target.read_text(encoding="utf-8"))
    _validate(data)
    assert data["status"] == "failed" and data["missing"] == 1
    bad = [f for f in data["kpis"][0]["files"] if f["status"] != "ok"]
    assert [(f["path"], f["round"], f["fiscal_year"]) for f in bad] == [
        ("satisfaction/sat-wifi_r2.csv", 2, 2567)]
    assert not out.exists()  # nothing built
    assert str(tmp_path) not in target.read_text(encoding="utf-8")


def test_dry_run_names_an_unreadable_file(raw_dir, tmp_path, capsys):
    root = _satisfaction_root(raw_dir, tmp_path)
    _make_unreadable(root / "satisfaction" / "sat-oss_r2.csv", "folder")
    assert main(["--dry-run", "--data-root", str(root), "--only", "sat-oss"]) == 1
    text = capsys.readouterr().out
    assert "UNREADABLE survey round 2: satisfaction/sat-oss_r2.csv  — is a folder, not a file" \
        in text
    assert "ok      survey round 1 (FY2566, trend): satisfaction/history/2566/sat-oss_r1.csv" \
        in text


# --- the scorecard never sums a stale result -----------------------------------------------------

@pytest.fixture
def one_kpi_scorecard(raw_dir, tmp_path):
    """A catalog whose only scorecard KPI is sat-wifi, its result written as a build would."""
    doc = yaml.safe_load(CATALOG_YAML.read_text(encoding="utf-8"))
    doc["kpis"] = [k for k in doc["kpis"] if k["code"] == "sat-wifi"]
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                       encoding="utf-8")
    root = _satisfaction_root(raw_dir, tmp_path)
    out = tmp_path / "reports"
    write_result(evaluate("sat-wifi", data_root=root, catalog=catalog),
                 out / "sat-wifi_2567.json")
    assert score_agency(out, data_root=root, catalog=catalog).max_points == 10
    return catalog, root, out


def test_scorecard_refuses_a_result_whose_current_round_file_is_gone(one_kpi_scorecard):
    catalog, root, out = one_kpi_scorecard
    (root / "satisfaction" / "sat-wifi_r2.csv").unlink()
    with pytest.raises(ScorecardError, match=r"'sat-wifi'.*sat-wifi_r2\.csv.*no longer"):
        score_agency(out, data_root=root, catalog=catalog)


def test_scorecard_refuses_a_result_when_an_older_file_takes_the_current_ones_place(
        one_kpi_scorecard):
    catalog, root, out = one_kpi_scorecard
    shutil.copy(root / "satisfaction" / "history" / "2566" / "sat-wifi_r2.csv",
                root / "satisfaction" / "sat-wifi_r2.csv")
    with pytest.raises(ScorecardError, match=r"'sat-wifi'.*sat-wifi_r2\.csv.*changed"):
        score_agency(out, data_root=root, catalog=catalog)


def test_scorecard_refuses_a_result_built_from_another_years_files(one_kpi_scorecard):
    catalog, root, out = one_kpi_scorecard
    path = out / "sat-wifi_2567.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    for ev in doc["evidence"]:  # as if built from last year's rounds
        ev["path"] = ev["path"].replace("satisfaction/", "satisfaction/history/2566/")
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ScorecardError, match=r"'sat-wifi'.*built from .*history/2566"):
        score_agency(out, data_root=root, catalog=catalog)


def test_a_missing_data_root_is_named_as_such(tmp_path):
    entry = kpi_manifest(CATALOG.get("gis-open-data"), tmp_path / "no-such-root")
    assert entry.problems[0].status == "missing"
    assert "data root folder itself does not exist" in entry.message()
    assert str(tmp_path) not in entry.message()
