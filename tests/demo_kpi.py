"""A new agency with one three-milestone KPI, added to a copy of the packaged catalog and of
the sample data: what a user does to bring a KPI in (tests of the build and of escaping)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml


def add_milestone_kpi(tmp_path: Path, raw_dir: Path, repo_root: Path, *,
                      agency: str = "สำนักทดลองระบบ", agency_en: str = "Test Office",
                      code: str = "demo-milestones",
                      name_th: str = "ระดับความสำเร็จของโครงการทดลอง",
                      name_en: str = "Demo milestones", unit: str = "ระดับ",
                      first_step: str = "มีแผน", source: str = "test") -> tuple[Path, Path]:
    """Write ``tmp_path/catalog.yaml`` (the packaged catalog plus the KPI, fiscal year 2568,
    agency abbreviation สทร., on its scorecard) and ``tmp_path/raw`` (the sample data plus the
    KPI's evidence: steps 1 and 2 done, 3 pending); return both paths."""
    doc = yaml.safe_load((repo_root / "src" / "kpianalysis" / "catalog.yaml").read_text(
        encoding="utf-8"))
    doc["agencies"][agency] = {"abbreviation": "สทร.", "name_en": agency_en}
    doc["kpis"].append({
        "code": code, "name_th": name_th, "name_en": name_en, "host_agency": "สทร.",
        "unit": unit, "target": 3, "direction": "higher", "weight": 10, "fiscal_year": 2568,
        "scorecard": {"agency": "สทร.", "item": 1},
        "rubric": {"kind": "milestones", "params": {"n_levels": 3, "levels": [
            {"level": 1, "criterion": first_step}, {"level": 2, "criterion": "ดำเนินการ"},
            {"level": 3, "criterion": "รายงานผล"}]}},
        "inputs": {2568: [{"role": "evidence", "path": "demo/evidence.csv"}]},
        "source": source})
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                       encoding="utf-8")
    root = tmp_path / "raw"
    shutil.copytree(raw_dir, root)
    (root / "demo").mkdir()
    (root / "demo" / "evidence.csv").write_text(
        f"level,criterion,status,date\n1,{first_step},done,15/01/2568\n"
        "2,ดำเนินการ,done,15/03/2568\n3,รายงานผล,pending,\n", encoding="utf-8")
    return catalog, root
