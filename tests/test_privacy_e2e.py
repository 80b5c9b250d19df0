"""Personal data end to end (issue 11 item 4): planted names, phone numbers, IDs and e-mail
addresses never reach a report, executed notebook, JSON, Parquet or error file, and strings from
the catalog are escaped in every HTML page."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from demo_kpi import add_milestone_kpi

from kpianalysis.build import main

pytestmark = pytest.mark.e2e

PLANTED_SUGGESTION = "ติดต่อ 089-765-4321 นายทดสอบ ปลอมนาม เลขบัตร 3-1012-34567-89-0"
PLANTED = ["089-765-4321", "0897654321", "ปลอมนาม", "3-1012-34567-89-0", "3101234567890",
           "plant.person@example.com", "0898887777", "RID-PLANTED-7788", "นายทดสอบ", "0891234567"]


def _build(root: Path, tmp_path: Path, *only: str, catalog: Path | None = None) -> int:
    args = ["--data-root", str(root), "--processed", str(tmp_path / "p"), "--out",
            str(tmp_path / "out")]
    if catalog is not None:
        args += ["--catalog", str(catalog)]
    return main([*args, "--only", *only])


def _outputs(tmp_path: Path) -> list[Path]:
    return sorted(p for folder in ("out", "p") for p in (tmp_path / folder).rglob("*")
                  if p.is_file())


def _leaks(tmp_path: Path, planted: list[str]) -> list[tuple[str, str]]:
    """(file, planted value) for every planted value found in any output."""
    found = []
    for path in _outputs(tmp_path):
        if path.suffix == ".parquet":
            table = pd.read_parquet(path)
            text = "\n".join([*map(str, table.columns),
                              *(str(v) for v in table.to_numpy().ravel())])
        else:
            text = path.read_bytes().decode("utf-8", errors="replace")
        found += [(path.name, value) for value in planted if value in text]
    return found


def test_planted_personal_data_reaches_no_output(tmp_path, raw_dir):
    root = tmp_path / "raw"
    shutil.copytree(raw_dir, root)
    path = root / "satisfaction" / "sat-oss_r2.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "suggestion"] = PLANTED_SUGGESTION           # free text
    frame["contact"] = ""                                     # an extra column the form had
    frame.loc[1, "contact"] = "plant.person@example.com"
    frame.loc[2, "contact"] = "0898887777"
    frame.loc[3, "respondent_id"] = "RID-PLANTED-7788"        # an identifier
    frame["โทร 0891234567"] = ""                              # a header holding a number
    frame.to_csv(path, index=False)
    _build(root, tmp_path, "sat-oss")  # the scorecards that need every KPI fail: not built
    assert (tmp_path / "out" / "sat-oss_2567.html").exists()
    assert not (tmp_path / "out" / "sat-oss_2567.error.txt").exists()
    outputs = {p.suffix for p in _outputs(tmp_path)}
    assert {".html", ".json", ".ipynb", ".parquet"} <= outputs
    assert _leaks(tmp_path, PLANTED) == []
    table = pd.read_parquet(tmp_path / "p" / "sat-oss_2567_r2.parquet")
    assert len(table) == len(frame) and table["respondent_id"].is_unique


@pytest.mark.parametrize("column, value", [("position", "นายสมชาย ปลอมนาม"),
                                           ("agency", "081-999-8888"),
                                           ("position_level", "1-2345-67890-12-1")])
def test_personal_data_in_a_label_field_fails_the_kpi_without_echo(tmp_path, raw_dir, column,
                                                                    value):
    root = tmp_path / "raw"
    shutil.copytree(raw_dir, root)
    path = root / "satisfaction" / "sat-oss_r1.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[4, column] = value
    frame.to_csv(path, index=False)
    assert _build(root, tmp_path, "sat-oss") == 1
    error = (tmp_path / "out" / "sat-oss_2567.error.txt").read_text(encoding="utf-8")
    assert "sat-oss_r1.csv" in error and f"'{column}'" in error and "row 5" in error
    digits = "".join(ch for ch in value if ch.isdigit())
    planted = [value, *value.split(), *([digits] if digits else [])]
    assert _leaks(tmp_path, planted) == []


class _Active(HTMLParser):
    """Script bodies, event-handler attributes and javascript: URLs of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")
        for name, val in attrs:
            if name.lower().startswith("on") or (val or "").strip().lower().startswith(
                    "javascript:"):
                self.handlers.append(f"{tag} {name}={val}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def test_script_in_a_catalog_string_is_escaped_everywhere(tmp_path, raw_dir, repo_root):
    evil = "<script>alert('kpi-xss')</script>"
    catalog, root = add_milestone_kpi(
        tmp_path, raw_dir, repo_root, agency="สำนักทดลอง<script>alert('agency-xss')</script>",
        agency_en="Test <img src=x onerror=alert('en-xss')>", code="demo-xss",
        name_th=f"{evil}ระดับความสำเร็จของโครงการทดลอง",
        name_en="Demo <img src=x onerror=alert('img-xss')>",
        unit="ระดับ<script>alert('unit-xss')</script>",
        first_step="มีแผน<script>alert('criterion-xss')</script>",
        source="test <script>alert('source-xss')</script>")
    assert _build(root, tmp_path, "demo-xss", "scorecard_สทร_2568", catalog=catalog) == 0
    out = tmp_path / "out"
    pages = {p.name: p.read_text(encoding="utf-8") for p in [
        out / "demo-xss_2568.html", out / "index.html", out / "scorecard_สทร_2568.html"]}
    for name, html in pages.items():
        parser = _Active()
        parser.feed(html)
        assert not [s for s in parser.scripts if "xss" in s], name
        assert not [h for h in parser.handlers if "xss" in h], name
        assert "<script>alert(" not in html and "<img src=x" not in html, name
    # the name is there, escaped, in the report and in the index
    assert "&lt;script&gt;alert(" in pages["demo-xss_2568.html"]
    assert "ระดับความสำเร็จของโครงการทดลอง" in pages["index.html"]


def test_awareness_identifiers_reach_no_output(tmp_path, raw_dir):
    root = tmp_path / "raw"
    shutil.copytree(raw_dir, root)
    path = root / "awareness" / "awareness_survey.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "respondent_id"] = "AW-PLANTED-9911"
    fg = frame.index[frame["mode"] == "focus_group"]
    same = frame["focus_group_id"] == frame.loc[fg[0], "focus_group_id"]
    frame.loc[same, "focus_group_id"] = "FG-PLANTED-4242"
    frame.to_csv(path, index=False)
    _build(root, tmp_path, "awareness-pr")
    assert (tmp_path / "out" / "awareness-pr_2568.html").exists()
    assert (tmp_path / "p" / "awareness-pr_2568.parquet").exists()
    assert _leaks(tmp_path, ["AW-PLANTED-9911", "FG-PLANTED-4242"]) == []
