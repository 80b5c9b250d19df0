"""A build that cannot corrupt itself (issue 11 item 5, and item 2's clean-up).

One bad input among several KPIs: the others are built, the failure (KPI, file, message) is in
the build summary, the exit status is 1 and nothing older stands in for the failed report. A
lock on the reports folder: a second build stops naming the first (pid, start time) or waits
for it, tried with real processes; a lock left by a killed build is detected. Outputs are
replaced atomically: a build killed mid-way leaves only whole files, and the next one
finishes. The cheap KPIs below take a few seconds each.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from kpianalysis import load_catalog
from kpianalysis.build import _up_to_date, _write_stamp, main
from kpianalysis.build_summary import (
    BUILD_SUMMARY_FILE,
    BuildRecorder,
    bounded,
    read_build_summary,
)
from kpianalysis.buildlock import LOCK_FILE, BuildLockedError, build_lock, read_holder
from kpianalysis.files import atomic_path, write_text_atomic

ABSOLUTE = re.compile(r"""(?:^|[\s"'(=])/(?:tmp|work|root|home|usr|opt)/""")
SCORECARD = "scorecard_สยป_2567"
CHEAP = ["social-media-proactive", "0411-2029"]  # one kernel each, no scorecard or plan after


def _copy_raw(raw_dir: Path, tmp_path: Path) -> Path:
    root = tmp_path / "raw"
    shutil.copytree(raw_dir, root)
    return root


def _stale_outputs(out: Path, processed: Path, stem: str, rounds: int = 2) -> list[Path]:
    """Outputs of an earlier build of ``stem`` (what must not survive its failure)."""
    files = [out / f"{stem}.html", out / f"{stem}.json", out / "executed" / f"{stem}.ipynb",
             out / ".build" / f"{stem}.stamp"]
    files += [processed / f"{stem}_r{r}.parquet" for r in range(1, rounds + 1)]
    for f in files:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("from the build of last quarter", encoding="utf-8")
    return files


# --- one bad input among several KPIs ------------------------------------------------------------

@pytest.mark.e2e
def test_one_missing_input_fails_its_kpi_alone_and_leaves_nothing_older(raw_dir, tmp_path,
                                                                       caplog):
    caplog.set_level("INFO")
    root = _copy_raw(raw_dir, tmp_path)
    (root / "satisfaction" / "sat-wifi_r2.csv").unlink()  # round 1 and FY2566 still there
    out, processed = tmp_path / "out", tmp_path / "p"
    stale = _stale_outputs(out, processed, "sat-wifi_2567")
    status = main(["--data-root", str(root), "--processed", str(processed), "--out", str(out),
                   "-j", "2", "--only", *CHEAP, "sat-wifi"])
    assert status == 1
    for stem in ("social-media-proactive_2564", "0411-2029_2566"):  # the others: built
        assert (out / f"{stem}.html").is_file() and (out / f"{stem}.json").is_file(), stem
    assert [p for p in stale if p.exists()] == []  # no older report, table or stamp left
    error = (out / "sat-wifi_2567.error.txt").read_text(encoding="utf-8")
    for words in ("satisfaction/sat-wifi_r2.csv was not found under the data root", "round 2",
                  "never falls back"):
        assert words in error
    # the scorecard that sums sat-wifi fails too, naming it, without an older total
    assert not (out / f"{SCORECARD}.json").exists()
    assert "sat-wifi_2567" in (out / f"{SCORECARD}.error.txt").read_text(encoding="utf-8")
    # no kernel was started for the KPI whose input is missing
    assert not any("sat-wifi_2567" in r.getMessage() and " ok" in r.getMessage()
                   for r in caplog.records)

    summary = read_build_summary(out)  # schema-checked
    assert summary["status"] == "failed"
    assert summary["counts"] == {"reports": 4, "built": 2, "up_to_date": 0, "failed": 2,
                                 "not_run": 0}
    failures = {f["report"]: f for f in summary["failures"]}
    assert set(failures) == {"sat-wifi_2567", SCORECARD}
    assert failures["sat-wifi_2567"]["kpi"] == "sat-wifi"
    assert failures["sat-wifi_2567"]["files"] == ["satisfaction/sat-wifi_r2.csv"]
    assert "round 2" in failures["sat-wifi_2567"]["message"]
    entry = next(k for k in summary["manifest"]["kpis"] if k["kpi"] == "sat-wifi")
    assert entry["status"] == "failed"
    removed = set(summary["removed"])
    assert {Path(os.path.relpath(p, out)).as_posix() for p in stale} <= removed
    assert "sat-wifi_2567.html" in removed and "../p/sat-wifi_2567_r2.parquet" in removed
    reports = {r["name"]: r for r in summary["reports"]}
    assert reports["0411-2029_2566"]["status"] == "built"
    assert set(reports["0411-2029_2566"]["outputs"]) == {  # relative to the summary
        "0411-2029_2566.html", "0411-2029_2566.json", "executed/0411-2029_2566.ipynb"}
    assert (summary["data_root"], summary["processed_dir"]) == ("../raw", "../p")
    assert reports["sat-wifi_2567"]["outputs"] == []
    text = (out / BUILD_SUMMARY_FILE).read_text(encoding="utf-8")
    assert not ABSOLUTE.search(text) and str(tmp_path) not in text
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "สร้างรายงานไม่สำเร็จ" in index and "sat-wifi_r2.csv" in index

    # the file comes back: the KPI is built; its scorecard still lacks the other five KPIs
    shutil.copy(raw_dir / "satisfaction" / "sat-wifi_r2.csv", root / "satisfaction")
    assert main(["--data-root", str(root), "--processed", str(processed), "--out", str(out),
                 "--only", "sat-wifi"]) == 1
    summary = read_build_summary(out)
    states = {r["name"]: r["status"] for r in summary["reports"]}
    assert states == {"sat-wifi_2567": "built", SCORECARD: "failed"}
    assert [f["report"] for f in summary["failures"]] == [SCORECARD]
    assert "'sat-oss'" in summary["failures"][0]["message"]
    assert not (out / "sat-wifi_2567.error.txt").exists()
    assert sorted(p.name for p in processed.glob("sat-wifi_2567_r*.parquet")) == [
        "sat-wifi_2567_r1.parquet", "sat-wifi_2567_r2.parquet"]
    pd.read_parquet(processed / "sat-wifi_2567_r2.parquet")  # this build's, not the stale text


# --- derived files whose source is gone -----------------------------------------------------------

def _job(name: str, **parameters) -> SimpleNamespace:
    return SimpleNamespace(name=name, parameters=parameters, notebook="kpi_report.ipynb",
                           depends_on=())


def test_outputs_of_a_report_the_catalog_no_longer_defines_are_removed(raw_dir, tmp_path):
    out, processed = tmp_path / "out", tmp_path / "p"
    stale = _stale_outputs(out, processed, "retired-kpi_2566")
    (out / "retired-kpi_2566.json").write_text(json.dumps(
        {"schema_version": 1, "kpi": "retired-kpi", "package_version": "0.0.1"}))
    (out / "retired-kpi_2566.error.txt").write_text("report retired-kpi_2566 failed")
    keep = [out / "notes.json", out / "readme.html", out / "index.html"]
    keep[0].write_text('{"mine": true}')
    keep[1].write_text("<p>the office's own page</p>")
    keep[2].write_text("<p>index</p>")
    cat = load_catalog()
    recorder = BuildRecorder(cat, [], ["sat-oss_2567"], data_root=raw_dir, processed=processed,
                             out=out, settings={})
    recorder.start()
    assert [p for p in stale if p.exists()] == []
    assert not (out / "retired-kpi_2566.error.txt").exists()
    assert all(p.exists() for p in keep)
    assert read_build_summary(out)["status"] == "running"  # an older summary never stands


def test_outputs_of_a_kpi_outside_the_build_whose_source_is_gone_are_removed(raw_dir,
                                                                           tmp_path):
    from kpianalysis.build import report_jobs, select_jobs

    root = _copy_raw(raw_dir, tmp_path)
    out, processed = tmp_path / "out", tmp_path / "p"
    gone = _stale_outputs(out, processed, "sat-oss_2567")
    kept = _stale_outputs(out, processed, "sat-wifi_2567")
    (root / "satisfaction" / "history" / "2566" / "sat-oss_r1.csv").unlink()  # a trend year
    cat = load_catalog()
    every = report_jobs(cat, root, processed, out)
    jobs = select_jobs(every, ["gis-open-data"])  # neither satisfaction KPI is built now
    recorder = BuildRecorder(cat, jobs, [j.name for j in every], data_root=root,
                             processed=processed, out=out, settings={})
    recorder.start(cat, every)
    assert [p for p in gone if p.exists()] == []
    assert all(p.exists() for p in kept)  # its files are all there: left as built
    removed = recorder.summary("ok")["removed"]  # what the final summary will list
    assert {"sat-oss_2567.html", "sat-oss_2567.json", "../p/sat-oss_2567_r1.parquet"} <= set(
        removed)
    assert not any("sat-wifi" in r for r in removed)


def test_a_rebuilt_kpi_drops_the_processed_tables_it_no_longer_writes(raw_dir, tmp_path):
    out, processed = tmp_path / "out", tmp_path / "p"
    _stale_outputs(out, processed, "sat-oss_2567", rounds=3)
    cat = load_catalog()
    job = _job("sat-oss_2567", kpi="sat-oss", fiscal_year=2567)
    recorder = BuildRecorder(cat, [job], ["sat-oss_2567"], data_root=raw_dir,
                             processed=processed, out=out, settings={})
    recorder.snapshot(job)
    for r in (1, 2):  # this run rewrites rounds 1 and 2, atomically; round 3 is gone
        write_text_atomic(processed / f"sat-oss_2567_r{r}.parquet", "new")
    recorder.record(job, SimpleNamespace(ok=True, skipped=False, seconds=1.0, error=""))
    assert sorted(p.name for p in processed.iterdir()) == [
        "sat-oss_2567_r1.parquet", "sat-oss_2567_r2.parquet"]


def test_an_output_replaced_since_the_last_build_is_not_up_to_date(tmp_path):
    out = tmp_path / "out"
    job = _job("gis-open-data_2567", kpi="gis-open-data")
    for p in (out / "gis-open-data_2567.html", out / "gis-open-data_2567.json",
              out / "executed" / "gis-open-data_2567.ipynb"):
        write_text_atomic(p, "this build's")
    _write_stamp(job, "abc", out)
    assert _up_to_date(job, "abc", out)
    assert not _up_to_date(job, "abd", out)  # an input changed
    write_text_atomic(out / "gis-open-data_2567.json", "last quarter's, copied back")
    assert not _up_to_date(job, "abc", out)
    (out / "gis-open-data_2567.json").unlink()
    assert not _up_to_date(job, "abc", out)


def test_failure_messages_are_bounded():
    long = "x" * 1_000_000
    cut = bounded(long)
    assert len(cut) <= 2000 and "1000000 characters" in cut
    assert bounded("short") == "short"


# --- atomic writes -------------------------------------------------------------------------------

def test_an_atomic_write_that_fails_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "r.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half of the new")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


# --- the lock, with real processes -------------------------------------------------------------

def _env() -> dict[str, str]:
    src = str(Path(__file__).resolve().parents[1] / "src")
    return {**os.environ, "PYTHONPATH": os.pathsep.join(
        [src, *filter(None, [os.environ.get("PYTHONPATH")])])}


def _wait_for(predicate, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


_HOLDER = """
import sys, time
from kpianalysis.buildlock import build_lock
with build_lock([sys.argv[1]]):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


@pytest.mark.e2e
def test_a_second_build_stops_naming_the_first_or_waits_for_it(raw_dir, tmp_path):
    out, processed = tmp_path / "out", tmp_path / "p"
    args = [sys.executable, "-m", "kpianalysis.build", "--data-root", str(raw_dir),
            "--processed", str(processed), "--out", str(out), "-j", "1",
            "--only", CHEAP[1]]
    first = subprocess.Popen(args, cwd=tmp_path, env=_env(), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: (h := read_holder(out / LOCK_FILE)) is not None
                  and h.pid == first.pid)
        holder = read_holder(out / LOCK_FILE)
        second = subprocess.run(args, cwd=tmp_path, env=_env(), capture_output=True,
                                text=True, timeout=120)
        assert second.returncode == 3
        assert f"pid {first.pid}" in second.stderr and holder.started_at in second.stderr
        assert "--wait" in second.stderr
        waiting = subprocess.Popen([*args, "--wait", "300"], cwd=tmp_path, env=_env(),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _, err_first = first.communicate(timeout=300)
        _, err_waiting = waiting.communicate(timeout=300)
    finally:
        for proc in (first,):
            if proc.poll() is None:
                proc.kill()
    assert first.returncode == 0, err_first[-2000:]
    assert waiting.returncode == 0, err_waiting[-2000:]
    assert "waiting for the build" in err_waiting and f"pid {first.pid}" in err_waiting
    # it ran after the first had finished: the report was up to date by then
    assert "0411-2029_2566 … 0.0 s up to date" in err_waiting
    assert not (out / LOCK_FILE).exists() and not (processed / LOCK_FILE).exists()


def test_a_build_of_another_folder_sharing_the_processed_folder_waits_too(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(tmp_path / "p"), "30"],
                              env=_env(), stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        start = time.monotonic()
        with pytest.raises(BuildLockedError) as exc, \
                build_lock([tmp_path / "out2", tmp_path / "p"], wait=0.5):
            pass
        assert time.monotonic() - start >= 0.5  # it waited as long as it was told
        assert f"pid {holder.pid}" in str(exc.value) and exc.value.holder.pid == holder.pid
    finally:
        holder.kill()
        holder.wait()


def test_a_lock_left_by_a_killed_build_is_detected_and_its_temporary_files_removed(
        tmp_path, caplog):
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(out), "60"], env=_env(),
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    left = [out / ".r.json.x1y2.tmp", out / "executed" / f".r.{holder.pid}.running.ipynb"]
    for p in left:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("half")
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert read_holder(out / LOCK_FILE).pid == holder.pid  # the dead build's record is there
    caplog.set_level("INFO")
    with build_lock([out], wait=0) as me:  # not blocked by the dead process
        assert me.pid == os.getpid() and read_holder(out / LOCK_FILE).pid == os.getpid()
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("stale build lock" in m and f"pid {holder.pid}" in m for m in warnings)
    assert [p for p in left if p.exists()] == []
    assert not (out / LOCK_FILE).exists()


@pytest.mark.e2e
def test_a_build_killed_midway_leaves_whole_files_and_the_next_build_finishes(raw_dir,
                                                                             tmp_path):
    out, processed = tmp_path / "out", tmp_path / "p"
    args = ["--data-root", str(raw_dir), "--processed", str(processed), "--out", str(out),
            "-j", "1", "--only", CHEAP[1], "--force"]
    assert main(args) == 0  # a complete earlier build
    proc = subprocess.Popen([sys.executable, "-m", "kpianalysis.build", *args], cwd=tmp_path,
                            env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:  # kill it while papermill writes the notebook it is running
        _wait_for(lambda: any((out / "executed").glob(".*.running.ipynb")), 120)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    summary = json.loads((out / BUILD_SUMMARY_FILE).read_text(encoding="utf-8"))
    assert summary["status"] == "running" and summary["pid"] == proc.pid  # not "ok"
    for p in out.rglob("*"):  # every output is whole: the old one or the new one
        if p.name.startswith(".") or not p.is_file():
            continue
        text = p.read_text(encoding="utf-8")
        if p.suffix in (".json", ".ipynb"):
            json.loads(text)
        elif p.suffix == ".html":
            assert text.rstrip().endswith("</html>"), p.name
    assert main(args[:-1]) == 0
    assert read_build_summary(out)["status"] == "ok"
    assert list(out.rglob(".*.running.ipynb")) == [] and list(out.rglob(".*.tmp")) == []


def test_no_package_code_reads_processed_tables_back(repo_root):
    """Processed tables are outputs only: nothing older there can stand in for raw data."""
    package = repo_root / "src" / "kpianalysis"
    readers = [p.relative_to(package).as_posix() for p in sorted(package.rglob("*"))
               if p.suffix in (".py", ".ipynb")
               and re.search(r"read_parquet|read_table\(.*processed|processed_dir\)\s*/.*open",
                             p.read_text(encoding="utf-8"))]
    assert readers == []


@pytest.mark.parametrize("value", ["-1", "soon", "nan"])
def test_a_bad_wait_is_refused_before_anything_is_built(tmp_path, capsys, value):
    assert main(["--wait", value, "--out", str(tmp_path / "out"),
                 "--processed", str(tmp_path / "p")]) == 2
    assert "--wait" in capsys.readouterr().err
    assert not (tmp_path / "out").exists() and not (tmp_path / "p").exists()


def test_the_stamp_covers_the_trend_years_a_report_reads(raw_dir, tmp_path):
    from kpianalysis.build import job_stamp, report_jobs

    root = _copy_raw(raw_dir, tmp_path)
    cat = load_catalog()
    job = next(j for j in report_jobs(cat, root, tmp_path / "p", tmp_path / "out")
               if j.name == "sat-oss_2567")
    before = job_stamp(job, cat, root, tmp_path / "out")
    history = root / "satisfaction" / "history" / "2566" / "sat-oss_r2.csv"
    history.write_text(history.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert job_stamp(job, cat, root, tmp_path / "out") != before  # rebuilt, never kept
    history.unlink()
    assert job_stamp(job, cat, root, tmp_path / "out") is None
