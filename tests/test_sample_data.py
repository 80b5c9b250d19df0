"""The bundled sample data is exactly what the documented, seeded generator produces."""

import pandas as pd
import pytest

from kpianalysis import get_instrument, read_satisfaction_survey, score_likert
from kpianalysis.sample_data.satisfaction import generate_satisfaction


@pytest.fixture(scope="module")
def generated():
    return generate_satisfaction()


def test_regeneration_reproduces_committed_files(generated, raw_dir, tmp_path):
    for name, frame in generated.items():
        committed = (raw_dir / "satisfaction" / name).read_bytes()
        path = tmp_path / name
        frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        assert path.read_bytes() == committed, f"{name} differs from its generator output"


def test_sample_files_are_realistic(raw_dir):
    """Some KPIs miss the target, some answers are missing, some are Thai labels."""
    percents = {}
    for kpi in ("sat-oss", "sat-policy-tracking", "sat-bmaq", "sat-it-support", "sat-wifi"):
        for rnd in (1, 2):
            path = raw_dir / "satisfaction" / f"{kpi}_r{rnd}.csv"
            data = read_satisfaction_survey(path, get_instrument(kpi))
            r = score_likert(data.items)
            percents[kpi, rnd] = r.percent_high_or_above
            raw = pd.read_csv(path, dtype=str, keep_default_na=False)
            items = list(get_instrument(kpi).item_codes)
            assert (raw[items] == "").to_numpy().any(), f"{path.name} has no missing answer"
            assert r.n_excluded > 0
    assert any(p < 80 for p in percents.values()) and any(p >= 80 for p in percents.values())
    labels = pd.read_csv(raw_dir / "satisfaction" / "sat-oss_r1.csv", dtype=str)["q1_1"]
    assert labels.isin(["มากที่สุด", "มาก", "ปานกลาง", "น้อย", "น้อยที่สุด"]).any()


def test_history_regeneration_reproduces_committed_files(raw_dir, tmp_path):
    from kpianalysis.sample_data.satisfaction import generate_history

    history = generate_history()
    assert {name.split("/")[1] for name in history} == {"2565", "2566"}
    for name, frame in history.items():
        path = tmp_path / "x.csv"
        frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        assert path.read_bytes() == (raw_dir / "satisfaction" / name).read_bytes(), name


def test_every_history_file_is_in_the_catalog(raw_dir):
    from kpianalysis import load_catalog

    listed = {s.path for k in load_catalog() for fy in k.fiscal_years for s in k.inputs_for(fy)}
    on_disk = {str(p.relative_to(raw_dir)) for p in (raw_dir / "satisfaction").rglob("*.csv")}
    assert on_disk <= listed  # no sample file the catalog does not use


def test_the_sample_command_regenerates_data_raw_exactly(raw_dir, tmp_path):
    """`python -m kpianalysis.sample_data --out DIR` rebuilds every bundled data file."""
    from kpianalysis.sample_data.__main__ import main

    assert main(["--out", str(tmp_path)]) == 0
    made = {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()}
    bundled = {str(p.relative_to(raw_dir)) for p in raw_dir.rglob("*") if p.is_file()
               and p.name not in ("README.md", "dataset.yaml")}
    assert made == bundled
    for name in sorted(made):
        assert (tmp_path / name).read_bytes() == (raw_dir / name).read_bytes(), name
