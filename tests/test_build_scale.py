"""The build at scale: ready kernels from a fork server, per-report timeouts and worker deaths,
the all-units sample data, and the optional Dask executor.

No timing is asserted here (speed is measured by benchmarks/bench_build.py); these tests check
that every report still gets a fresh kernel, that a hung kernel or a dead worker fails only its
report, and that the other executors give the same results.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from notebook_files import write_notebook

from kpianalysis.build import build_reports, main
from kpianalysis.executors import LocalExecutor, TaskLost
from kpianalysis.kernels import KernelServer, kernel_manager_class

pytestmark = pytest.mark.e2e

CHEAP = ["gis-open-data", "5.3.1.2", "6.1.2.1", "0411-2029"]


def _execute(job: tuple[str, str], out_dir: str) -> dict:
    """Run a notebook with the build's kernel manager; return the JSON its last cell prints.
    A module-level function, so executor workers can run it."""
    import papermill

    source, name = job
    executed = Path(out_dir) / f"{name}.out.ipynb"
    nb = papermill.execute_notebook(source, str(executed), kernel_name="python3",
                                    progress_bar=False, kernel_manager_class=kernel_manager_class())
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("name") == "stdout")
    return json.loads(text)


def _die(job: str, out_dir: str) -> str:
    if job == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    return f"{job} ok"


# --- the kernel server ---------------------------------------------------------------------


def test_each_report_gets_a_fresh_preloaded_kernel_from_a_thread_free_template(tmp_path):
    probe = ("import json, os, sys\n"
             "print(json.dumps({'pid': os.getpid(), 'leftover': 'marker' in globals(),\n"
             "    'preloaded': 'kpianalysis.engines' in sys.modules and 'pandas' in sys.modules,\n"
             "    'cwd': os.getcwd(), 'gc': __import__('gc').isenabled()}))")
    first = write_notebook(tmp_path / "a.ipynb", "marker = 1", probe)
    second = write_notebook(tmp_path / "b.ipynb", probe)
    with KernelServer(cwd=tmp_path, ahead=1) as server:
        assert os.environ["KPIANALYSIS_KERNEL_SERVER"] == server.address
        folder = server.folder
        one = _execute((str(first), "a"), str(tmp_path))
        two = _execute((str(second), "b"), str(tmp_path))
        status = server.status()
    assert "KPIANALYSIS_KERNEL_SERVER" not in os.environ
    assert one["pid"] != two["pid"]  # a new process per notebook
    assert one["leftover"] is True and two["leftover"] is False  # clean namespace
    assert one["preloaded"] and two["preloaded"]  # forked after the imports
    assert two["cwd"] == str(Path.cwd().resolve())  # papermill's cwd, as for a new process
    # nothing that makes forking unsafe ever ran in the template
    assert status["threads"] == 1 and status["unsafe"] == ""
    assert status["forked"] >= 2
    # the preloaded objects are frozen out of the children's collections (so a collection in a
    # kernel or worker copies none of the shared pages), and collection still runs there
    assert status["frozen"] > 100_000 and status["gc"] is True
    assert one["gc"] is True and two["gc"] is True
    assert folder is not None and not folder.exists()  # sockets and keys removed


def _hang_and_quick(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A notebook that hangs (after writing its kernel's pid to the file returned third) and
    one that prints ``{"fine": 1}``."""
    pid_file = tmp_path / "kernel.pid"
    hang = write_notebook(
        tmp_path / "hang.ipynb",
        f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))",
        "time.sleep(600)", "print('{}')")
    return hang, write_notebook(tmp_path / "quick.ipynb", "print('{\"fine\": 1}')"), pid_file


def _gone_within(pid: int, seconds: float) -> bool:
    """Whether process ``pid`` has ended (within ``seconds``)."""
    deadline = time.monotonic() + seconds
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return not Path(f"/proc/{pid}").exists()


def test_a_kernel_whose_worker_is_killed_on_timeout_dies_too(tmp_path):
    hang, quick, pid_file = _hang_and_quick(tmp_path)
    with LocalExecutor(workers=2, timeout=20) as executor:
        results = dict(executor.map(_execute, [(str(hang), "hang"), (str(quick), "quick")],
                                    str(tmp_path)))
    lost = results[(str(hang), "hang")]
    assert isinstance(lost, TaskLost) and "timed out after 20 s" in str(lost)
    assert results[(str(quick), "quick")] == {"fine": 1}  # the other job went on
    assert _gone_within(int(pid_file.read_text()), 10), "the hung kernel outlived its report"


@pytest.mark.parametrize("forked", [True, False], ids=["forked-workers", "spawned-workers"])
def test_a_worker_that_dies_fails_only_its_job(tmp_path, monkeypatch, forked):
    if not forked:
        monkeypatch.setenv("KPIANALYSIS_NO_KERNEL_SERVER", "1")
    with LocalExecutor(workers=2) as executor:
        results = dict(executor.map(_die, ["a", "die", "b", "c"], str(tmp_path)))
    assert results["a"] == "a ok" and results["b"] == "b ok" and results["c"] == "c ok"
    assert isinstance(results["die"], TaskLost)
    assert "died (killed by signal SIGKILL)" in str(results["die"])


def test_the_build_records_a_lost_report_and_builds_the_rest(tmp_path, raw_dir):
    """A report lost by the executor gets an error file, its stale outputs go, the build
    goes on (exit 1 from the command)."""

    class LosesOne(LocalExecutor):
        def map(self, fn, jobs, *args):
            lost = [j for j in jobs if j.name == "6.1.2.1_2567"]
            yield from ((j, TaskLost("the worker process building this report died "
                                     "(killed by signal SIGKILL)")) for j in lost)
            yield from super().map(fn, [j for j in jobs if j not in lost], *args)

    out = tmp_path / "out"
    out.mkdir()
    (out / "6.1.2.1_2567.html").write_text("stale")
    outcomes = build_reports(raw_dir, tmp_path / "p", out, only=["6.1.2.1", "5.3.1.2"],
                             runner=LosesOne(1))
    by_name = {o.name: o for o in outcomes}
    assert by_name["5.3.1.2_2567"].ok and not by_name["6.1.2.1_2567"].ok
    assert not (out / "6.1.2.1_2567.html").exists()
    error = (out / "6.1.2.1_2567.error.txt").read_text(encoding="utf-8")
    assert "killed by signal SIGKILL" in error


# --- all units -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def all_units(tmp_path_factory):
    from kpianalysis.sample_data.__main__ import main as sample_main

    root = tmp_path_factory.mktemp("all_units")
    assert sample_main(["--all-units", "--out", str(root)]) == 0
    return root


def test_all_units_data_root_lists_every_district_office_and_is_labelled_synthetic(
        all_units, raw_dir):
    from kpianalysis.bangkok import DISTRICTS
    from kpianalysis.build import report_jobs
    from kpianalysis.catalog import load_catalog

    cat = load_catalog(all_units / "catalog.yaml")
    hosts = {k.host_agency for k in cat}
    assert {f"สำนักงานเขต{name}" for name in DISTRICTS.values()} <= hosts  # all 50
    departments = [a for a in cat.agencies if not a.startswith("สำนักงานเขต")]
    assert set(departments) <= hosts  # every department has KPIs
    jobs = report_jobs(cat, all_units, all_units / "p", all_units / "out")
    assert 650 <= len(jobs) <= 750  # about 700 reports
    status = yaml.safe_load((all_units / "dataset.yaml").read_text(encoding="utf-8"))
    assert status["status"] == "sample" and "สังเคราะห์" in status["description_th"]
    for k in cat:  # every input is there
        assert all((all_units / s.path).is_file() for s in k.inputs_for())
    # the bundled sample is part of it, byte for byte
    for name in ("satisfaction/sat-oss_r1.csv", "rubric/5.3.1_missions.csv"):
        assert (all_units / name).read_bytes() == (raw_dir / name).read_bytes()


def test_all_units_generation_is_reproducible(all_units, tmp_path):
    from kpianalysis.sample_data.all_units import write_all_units

    again = write_all_units(tmp_path)
    assert len(again) > 500
    for path in again[::37]:
        rel = path.relative_to(tmp_path)
        assert path.read_bytes() == (all_units / rel).read_bytes(), rel


def test_a_district_office_report_matches_the_seed_formula(all_units, tmp_path, monkeypatch):
    """The district copy of sat-oss, from its own survey files (seed formula, KPI_SPEC §B:
    score = sum / items, blank adds 0, ≥ 3.51 counts; C = forms with an answer)."""
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    status = main(["--data-root", str(all_units), "--catalog", str(all_units / "catalog.yaml"),
                   "--processed", str(tmp_path / "p"), "--out", str(out), "-j", "2",
                   "--only", "d1030.sat-oss", "d1030.6.1.2.1"])
    assert status == 1  # the unit's scorecard lacks its other KPIs: it fails, naming one
    doc = json.loads((out / "d1030.sat-oss_2567.json").read_text(encoding="utf-8"))
    labels = {"มากที่สุด": 5, "มาก": 4, "ปานกลาง": 3, "น้อย": 2, "น้อยที่สุด": 1,
              "ระดับมากที่สุด": 5, "ระดับมาก": 4, "ระดับปานกลาง": 3, "ระดับน้อย": 2,
              "ระดับน้อยที่สุด": 1}
    b = c = 0
    for rnd in (1, 2):
        raw = pd.read_csv(all_units / "units" / "d1030" / "satisfaction" / f"sat-oss_r{rnd}.csv",
                          dtype=str, keep_default_na=False)
        items = [col for col in raw.columns if col.startswith("q")]
        values = raw[items].replace(labels).replace("", float("nan")).astype(float)
        counted = values.notna().sum(axis=1) >= 1
        high = counted & ((values.fillna(0).sum(axis=1) / len(items)).round(10) >= 3.51)
        b, c = b + int(high.sum()), c + int(counted.sum())
    assert doc["agency"] == "สำนักงานเขตจตุจักร" and doc["data_status"] == "sample"
    assert (doc["details"]["b"], doc["details"]["c"]) == (b, c)  # §G.2: both rounds pooled
    assert doc["details"]["percent_high_or_above"] == pytest.approx(b * 100 / c)
    assert (out / "d1030.6.1.2.1_2567.html").is_file()
    error = (out / "scorecard_สำนักงานเขตจตุจักร_2567.error.txt").read_text(encoding="utf-8")
    assert "d1030." in error


# --- Dask ------------------------------------------------------------------------------------


def _jsons(out: Path) -> dict[str, str]:
    strip = re.compile(r'"built_at": "[^"]*"')
    return {p.name: strip.sub("", p.read_text(encoding="utf-8"))
            for p in sorted(out.glob("*.json"))
            if not p.name.startswith("action_plan_") and p.name != "build-summary.json"}


def test_dask_local_cluster_gives_the_same_results_as_the_local_build(tmp_path, raw_dir,
                                                                      monkeypatch):
    import distributed  # a dev dependency: the test never skips

    from kpianalysis.executors import DaskExecutor

    monkeypatch.chdir(tmp_path)
    assert main(["--data-root", str(raw_dir), "--processed", "local/p", "--out", "local/out",
                 "-j", "1", "--only", *CHEAP]) == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        outcomes = build_reports(raw_dir, Path("dask/p"), Path("dask/out"), only=CHEAP,
                                 runner=DaskExecutor(client))
        workers = {w["id"] for w in client.scheduler_info()["workers"].values()}
    assert all(o.ok for o in outcomes), [o.error for o in outcomes if not o.ok]
    assert len(workers) == 2
    local, dask = _jsons(tmp_path / "local" / "out"), _jsons(tmp_path / "dask" / "out")
    assert len(local) == len(CHEAP) and local == dask


def test_an_unreachable_scheduler_is_one_line_naming_it(tmp_path, capsys):
    status = main(["--data-root", "x", "--out", str(tmp_path / "o"), "--executor", "dask",
                   "--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert len(err.splitlines()) == 1 and "tcp://127.0.0.1:9" in err, err
    assert not (tmp_path / "o").exists()  # nothing built


@pytest.mark.parametrize("forked", [True, False], ids=["kernel-server", "no-kernel-server"])
def test_dask_timeout_and_a_dying_report_fail_alone_and_the_dask_workers_go_on(
        tmp_path, monkeypatch, forked):
    """Issue 14: a kernel that hangs (per-report timeout) or a report process that dies fails
    that report with the local build's message; the Dask workers survive and build on. Without
    a kernel server the report processes are new interpreters, started from Dask worker
    processes that are daemonic (which multiprocessing would refuse)."""
    import distributed

    if not forked:
        monkeypatch.setenv("KPIANALYSIS_NO_KERNEL_SERVER", "1")  # inherited by the cluster

    from kpianalysis.executors import DaskExecutor

    hang, quick, pid_file = _hang_and_quick(tmp_path)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        before = set(client.scheduler_info()["workers"])
        with DaskExecutor(client, timeout=12) as executor:
            results = dict(executor.map(_execute, [(str(hang), "hang"), (str(quick), "q1")],
                                        str(tmp_path)))
            died = dict(executor.map(_die, ["die", "a", "b"], str(tmp_path)))
            after = dict(executor.map(_execute, [(str(quick), f"q{i}") for i in (2, 3, 4)],
                                      str(tmp_path)))
        workers = set(client.scheduler_info()["workers"])
    lost = results[(str(hang), "hang")]
    assert isinstance(lost, TaskLost) and "timed out after 12 s" in str(lost), lost
    assert results[(str(quick), "q1")] == {"fine": 1}
    assert isinstance(died["die"], TaskLost), died
    assert "died (killed by signal SIGKILL)" in str(died["die"])
    assert died["a"] == "a ok" and died["b"] == "b ok"
    assert list(after.values()) == [{"fine": 1}] * 3
    assert workers == before  # no Dask worker was lost or restarted
    assert _gone_within(int(pid_file.read_text()), 10), "the hung kernel outlived its report"


def test_dask_executor_refuses_a_timeout_that_is_not_positive():
    from kpianalysis.executors import DaskExecutor

    with pytest.raises(ValueError, match="positive"):  # before any connection is tried
        DaskExecutor("tcp://127.0.0.1:9", timeout=0)
