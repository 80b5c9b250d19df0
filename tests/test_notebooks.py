"""The report notebooks under nbval: every cell runs, and the summary values are checked.

The report notebooks ship inside the package (``src/kpianalysis/notebooks``, found by the
build with ``importlib.resources``). The committed notebooks carry no outputs, so the expected
output of the cell marked ``# NBVAL_CHECK_OUTPUT`` is kept in ``tests/expected/<name>.txt``
(a regression snapshot of the bundled sample data, whose numbers the end-to-end test
recomputes independently). The test writes a copy of the notebook holding that output next to
the original (nbval runs the kernel in the notebook's folder, so relative default paths
resolve) and runs ``pytest --nbval-lax`` on it.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.e2e

NOTEBOOKS = Path(__file__).resolve().parents[1] / "src" / "kpianalysis" / "notebooks"
EXPECTED = Path(__file__).resolve().parent / "expected"


def _with_expected_output(name: str, expected: str) -> Path:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and "NBVAL_CHECK_OUTPUT" in c.source]
    assert len(cells) == 1, f"{name}: expected exactly one NBVAL_CHECK_OUTPUT cell"
    cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text=expected)]
    cells[0].execution_count = 1  # nbval ignores outputs of cells marked as never run
    copy = NOTEBOOKS / f".nbval_{name}_{uuid.uuid4().hex[:8]}.ipynb"
    nbformat.write(nb, copy)
    return copy


def _nbval(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-q",
         "-p", "no:cacheprovider", "-p", "no:xdist", "-o", "addopts=", str(path)],
        capture_output=True, text=True, timeout=600, cwd=path.parent,
    )


@pytest.mark.parametrize("name", ["kpi_report", "satisfaction_survey", "scorecard",
                                  "awareness_survey", "issue_log", "district_targets",
                                  "action_plan"])
def test_notebook_runs_and_summary_matches(name):
    expected = (EXPECTED / f"{name}.txt").read_text(encoding="utf-8")
    copy = _with_expected_output(name, expected)
    try:
        result = _nbval(copy)
    finally:
        copy.unlink(missing_ok=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_nbval_check_fails_on_a_wrong_value():
    """The regression check can fail: a changed summary value is reported."""
    expected = (EXPECTED / "satisfaction_survey.txt").read_text(encoding="utf-8")
    copy = _with_expected_output("satisfaction_survey",
                                 expected.replace("value=", "value=9"))
    try:
        result = _nbval(copy)
    finally:
        copy.unlink(missing_ok=True)
    assert result.returncode != 0


def test_committed_notebooks_have_no_outputs_and_a_parameters_cell():
    paths = sorted(p for p in NOTEBOOKS.glob("*.ipynb") if not p.name.startswith("."))
    assert {p.stem for p in paths} >= {"kpi_report", "satisfaction_survey", "scorecard",
                                       "awareness_survey", "issue_log", "district_targets",
                                       "action_plan"}
    # one copy only: the project's top-level notebooks/ holds no second copy of a report
    top = Path(__file__).resolve().parents[1] / "notebooks"
    assert not {p.name for p in top.glob("*.ipynb")} & {p.name for p in paths}
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        assert nb.metadata.get("kernelspec", {}).get("name") == "python3", path.name
        assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), path.name
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, f"{path.name}: expected one cell tagged 'parameters'"


def test_plain_papermill_refuses_a_misspelt_parameter(tmp_path):
    """Papermill alone only warns about an unknown parameter; the notebook makes it an error."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError, match=r"unknown parameter\(s\) ci_methd; this "
                                                     r"notebook declares catalog_path"):
        papermill.execute_notebook(str(NOTEBOOKS / "kpi_report.ipynb"),
                                   str(tmp_path / "out.ipynb"), parameters={"ci_methd": "wald"},
                                   kernel_name="python3", progress_bar=False,
                                   cwd=str(NOTEBOOKS))
