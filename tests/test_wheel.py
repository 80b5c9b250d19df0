"""The built wheel is enough to build a report: notebooks, catalog and schema ship inside it.

Builds the wheel (pip, isolated build), installs it without its dependencies into a fresh
venv whose only other path is this environment's site-packages (so the third-party packages
resolve but the editable checkout does not), and builds one KPI report with the installed
``kpianalysis-build`` command from a folder outside the repository.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]


_CLEAN_ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JUPYTER_PATH")}


def _run(*args: str | Path, cwd: Path | None = None, env: dict | None = None) -> str:
    """Run a command without this process's PYTHONPATH (the checkout must not leak in)."""
    proc = subprocess.run([str(a) for a in args], cwd=cwd, env=env or _CLEAN_ENV,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (args, proc.stdout[-3000:], proc.stderr[-3000:])
    return proc.stdout


def test_wheel_installs_and_builds_a_report(tmp_path, raw_dir):
    dist = tmp_path / "dist"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", dist, ROOT)
    wheel = next(dist.glob("kpianalysis-*.whl"))
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv)
    py = venv / "bin" / "python"
    _run(py, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", wheel)
    # third-party dependencies from this environment; a plain path line in a .pth file adds the
    # folder without running its own .pth files, so the editable install is not picked up
    fresh_site = Path(_run(py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
                      .strip())
    (fresh_site / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JUPYTER_PATH")}
    # the data files those dependencies install (nbconvert's templates) live outside
    # site-packages: expose only them, not this environment's kernel spec
    shared = tmp_path / "jupyter"
    shared.mkdir()
    (shared / "nbconvert").symlink_to(Path(sys.prefix) / "share" / "jupyter" / "nbconvert")
    env["JUPYTER_PATH"] = str(shared)
    _run(py, "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3", env=env)
    work = tmp_path / "work"
    work.mkdir()
    kernel = _run(py, "-c", "from jupyter_client.kernelspec import KernelSpecManager as K; "
                  "print(K().get_kernel_spec('python3').argv[0])", cwd=work, env=env)
    assert kernel.strip().startswith(str(venv)), kernel  # reports run in the fresh venv
    where = _run(py, "-c", "import kpianalysis; print(kpianalysis.__file__)", cwd=work, env=env)
    assert where.startswith(str(venv)), where  # the installed wheel, not the checkout
    shutil.copytree(raw_dir, work / "data")
    _run(venv / "bin" / "kpianalysis-build", "--data-root", "data", "--out", "reports",
         "--processed", "processed", "--only", "gis-open-data", cwd=work, env=env)
    result = json.loads((work / "reports" / "gis-open-data_2567.json").read_text("utf-8"))
    assert result["kpi"] == "gis-open-data" and result["data_status"] == "sample"
    html = (work / "reports" / "gis-open-data_2567.html").read_text("utf-8")
    assert result["name_th"] in html
