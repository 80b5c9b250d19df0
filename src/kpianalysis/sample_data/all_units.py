"""A synthetic data root for every BMA unit: the 50 district offices and the departments.

``python -m kpianalysis.sample_data --all-units --out DIR`` writes, under ``DIR``:

* the bundled sample (the same files as ``data/raw``, same generators and seeds);
* for every unit (``d1001`` … ``d1050`` for the district offices, ``dept03`` … for the
  departments of the catalog that host none of its KPIs), its own copy of
  :data:`UNIT_KPIS` — ten KPIs, five of them on the unit's own scorecard — with input files
  drawn from the same generators under a seed of the unit's own, in ``units/<unit>/...``;
* ``catalog.yaml``: the packaged catalog plus one entry per unit and KPI (code
  ``<unit>.<kpi>``, host agency the unit), and the district offices as agencies;
* ``dataset.yaml``: ``status: sample``, described as synthetic, so every report says so.

About 700 reports: build them with
``kpianalysis-build --data-root DIR --catalog DIR/catalog.yaml``. Nothing here describes a
real unit's performance: the files are random draws, labelled synthetic.
"""

from __future__ import annotations

import copy
import importlib.resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..bangkok import DISTRICTS
from ..files import write_text_atomic
from .rubric_inputs import SEED as RUBRIC_SEED
from .rubric_inputs import generate_rubric_inputs
from .satisfaction import SEED as SATISFACTION_SEED
from .satisfaction import generate_satisfaction

__all__ = ["UNIT_KPIS", "all_units", "write_all_units"]

#: The catalog KPIs every unit gets a copy of (the first five are scorecard KPIs).
UNIT_KPIS = ("sat-oss", "livable-city-indicators", "sat-bmaq", "sat-it-support", "sat-wifi",
             "gis-open-data", "steps-project-plan", "5.2.1.2", "6.1.2.1", "7.2.2.1")

DESCRIPTION_TH = ("ข้อมูลตัวอย่าง (สังเคราะห์) ของทุกหน่วยงานของกรุงเทพมหานคร "
                  "สร้างโดย kpianalysis ไม่ใช่ข้อมูลจริงของหน่วยงาน")


def _packaged_catalog() -> dict[str, Any]:
    text = (importlib.resources.files("kpianalysis") / "catalog.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def all_units(catalog: dict[str, Any] | None = None) -> list[tuple[str, str, dict[str, Any]]]:
    """Every unit: ``(unit id, Thai name, agency entry)`` — the 50 district offices by DOPA
    code, then the catalog's departments that host no KPI of it yet, in catalog order."""
    doc = catalog or _packaged_catalog()
    units = [(f"d{code}", f"สำนักงานเขต{name}",
              {"abbreviation": None, "name_en": f"District office {code} (synthetic data)"})
             for code, name in DISTRICTS.items()]
    hosts = {k["host_agency"] for k in doc["kpis"]}
    for i, name in enumerate(doc["agencies"], start=1):
        abbreviation = doc["agencies"][name].get("abbreviation")
        if name not in hosts and abbreviation not in hosts:  # a host has its own KPIs
            units.append((f"dept{i:02d}", name, dict(doc["agencies"][name])))
    return units


def _unit_entry(template: dict[str, Any], unit: str, agency: str) -> dict[str, Any]:
    entry = copy.deepcopy(template)
    fy = entry["fiscal_year"]
    entry["code"] = f"{unit}.{template['code']}"
    entry["host_agency"] = agency
    entry["inputs"] = {fy: [{**spec, "path": f"units/{unit}/{spec['path']}"}
                            for spec in template["inputs"][fy]]}
    if entry.get("scorecard"):
        entry["scorecard"] = {"agency": agency, "item": template["scorecard"]["item"]}
    entry["source"] = f"synthetic copy of {template['code']} for {agency} ({template['source']})"
    entry.pop("notes", None)
    return entry


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


def write_all_units(out: str | Path) -> list[Path]:
    """Write the all-units data root and its catalog under ``out``; return the unit files,
    the catalog and the status file (the bundled sample is written by the caller)."""
    out = Path(out)
    doc = _packaged_catalog()
    templates = {k["code"]: k for k in doc["kpis"]}
    units = all_units(doc)
    paths: list[Path] = []
    entries = []
    for i, (unit, agency, info) in enumerate(units, start=1):
        if agency not in doc["agencies"]:
            doc["agencies"][agency] = info
        survey = generate_satisfaction(SATISFACTION_SEED + 1000 + i)
        rubric = generate_rubric_inputs(RUBRIC_SEED + 1000 + i)
        for code in UNIT_KPIS:
            entry = _unit_entry(templates[code], unit, agency)
            entries.append(entry)
            for spec in templates[code]["inputs"][templates[code]["fiscal_year"]]:
                folder, name = spec["path"].split("/", 1)
                frame = (survey if folder == "satisfaction" else rubric)[name]
                path = out / "units" / unit / spec["path"]
                if not path.exists():
                    path.parent.mkdir(parents=True, exist_ok=True)
                    write_text_atomic(path, _csv(frame))
                    paths.append(path)
    doc["kpis"] = [*doc["kpis"], *entries]
    header = ("# Generated by `python -m kpianalysis.sample_data --all-units`: the packaged "
              "catalog plus a synthetic copy\n# of ten KPIs for each of the 50 district offices "
              "and the departments. Synthetic data only.\n")
    catalog = write_text_atomic(out / "catalog.yaml", header + yaml.safe_dump(
        doc, allow_unicode=True, sort_keys=False, width=100))
    status = write_text_atomic(out / "dataset.yaml", yaml.safe_dump(
        {"status": "sample", "description_th": DESCRIPTION_TH}, allow_unicode=True,
        sort_keys=False))
    return [*paths, catalog, status]
