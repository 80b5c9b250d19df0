"""The build's Papermill engine: Papermill's nbclient engine with sparse intermediate saves.

No timing is asserted: the saves are counted (Papermill's own engine writes the notebook
2 × cells + 2 times, which the first test checks too, so the count can tell them apart).
"""

from __future__ import annotations

import json

import papermill
import pytest
from notebook_files import write_notebook
from papermill.exceptions import PapermillExecutionError

from kpianalysis import papermill_engine
from kpianalysis.papermill_engine import engine_name

pytestmark = pytest.mark.e2e


@pytest.fixture
def writes(monkeypatch):
    """Every notebook Papermill writes, as (path, executed cells) at that moment."""
    seen: list[tuple[str, int]] = []
    original = papermill.engines.write_ipynb

    def counting(nb, path):
        seen.append((str(path), sum(c.get("execution_count") is not None for c in nb.cells)))
        return original(nb, path)

    monkeypatch.setattr(papermill.engines, "write_ipynb", counting)
    return seen


def _outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [["".join(o.get("text", "")) for o in c.get("outputs", [])] for c in nb["cells"]]


def test_a_quick_report_is_written_once_with_the_same_outputs(tmp_path, writes):
    source = write_notebook(tmp_path / "in.ipynb", "x = 2", "print(x * 21)", "print('ก')")
    papermill.execute_notebook(str(source), str(tmp_path / "plain.ipynb"), progress_bar=False)
    plain = len(writes)
    writes.clear()
    papermill.execute_notebook(str(source), str(tmp_path / "ours.ipynb"), progress_bar=False,
                               engine_name=engine_name())
    assert plain == 2 * 3 + 2  # Papermill's engine: start, each cell's start and end, end
    ours = str(tmp_path / "ours.ipynb")
    assert writes == [(ours, 0), (ours, 3)]  # ours: when it starts, and complete
    assert _outputs(tmp_path / "ours.ipynb") == _outputs(tmp_path / "plain.ipynb")
    assert _outputs(tmp_path / "ours.ipynb")[1:] == [["42\n"], ["ก\n"]]


def test_a_long_report_is_still_saved_while_it_runs(tmp_path, writes, monkeypatch):
    monkeypatch.setattr(papermill_engine, "SAVE_EVERY", 0.3)
    source = write_notebook(tmp_path / "in.ipynb", "import time", "time.sleep(0.8)", "print(1)",
                            "time.sleep(0.8)", "print(2)")
    papermill.execute_notebook(str(source), str(tmp_path / "out.ipynb"), progress_bar=False,
                               engine_name=engine_name())
    during = [n for _, n in writes[1:-1]]
    assert writes[0][1] == 0
    assert all(n < 5 for n in during) and any(0 < n for n in during)  # part-way through
    assert len(writes) < 2 * 5 + 2 and writes[-1][1] == 5


def test_a_failing_report_is_saved_with_its_error(tmp_path, writes):
    source = write_notebook(tmp_path / "in.ipynb", "print('before')", "raise ValueError('พัง')",
                            "print('never')")
    with pytest.raises(PapermillExecutionError, match="พัง"):
        papermill.execute_notebook(str(source), str(tmp_path / "out.ipynb"),
                                   progress_bar=False, engine_name=engine_name())
    assert len(writes) == 2
    nb = json.loads((tmp_path / "out.ipynb").read_text(encoding="utf-8"))
    errors = [o for c in nb["cells"] for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert [e["ename"] for e in errors] == ["ValueError"]
    assert nb["metadata"]["papermill"]["exception"] is True
