"""The researchers' tutorial (``notebooks/tutorial.ipynb``) runs under nbval and is committed
without outputs.

nbval runs the kernel in the notebook's folder, so the tutorial's paths (``../data/raw/…``)
resolve as they do for a researcher who opens it in JupyterLab from the project.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.e2e

TUTORIAL = Path(__file__).resolve().parents[1] / "notebooks" / "tutorial.ipynb"


def test_tutorial_runs_under_nbval():
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-q",
         "-p", "no:cacheprovider", "-p", "no:xdist", "-o", "addopts=", str(TUTORIAL)],
        capture_output=True, text=True, timeout=600, cwd=TUTORIAL.parent,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout


def test_committed_tutorial_has_no_outputs():
    nb = nbformat.read(TUTORIAL, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "the tutorial has code cells"
    for cell in code:
        assert cell.outputs == [], cell.source[:60]
        assert cell.execution_count is None, cell.source[:60]


def test_tutorial_covers_the_researchers_path():
    nb = nbformat.read(TUTORIAL, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for needle in ('ka.read_satisfaction_survey("../data/raw/satisfaction/sat-bmaq_r2.csv"',
                   "ka.score_likert(", 'method="wilson"', "ka.SurveyDesign(",
                   'weights="weight", strata="stratum"', "ka.target_test(",
                   'ka.evaluate("sat-bmaq", data_root="../data/raw")', "result.summary()"):
        assert needle in source, needle
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "ค่าเป้าหมาย" in text and "target" in text  # Thai and English


def test_tutorial_has_one_parameters_cell():
    nb = nbformat.read(TUTORIAL, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "target = 0.80" in tagged[0].source
