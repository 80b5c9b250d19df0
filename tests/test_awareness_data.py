"""The committed awareness sample data is what the seeded generator produces, and is sane."""

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kpianalysis.bangkok import BANGKOK_POPULATION_2566, DISTRICTS
from kpianalysis.sample_data.awareness import (
    AWARENESS_COLUMNS,
    CHANNELS,
    DIMENSIONS,
    DISTRICT_POPULATION_ILLUSTRATIVE,
    MODES,
    generate_awareness,
    generate_margins,
    read_awareness,
    write_awareness,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "raw" / "awareness"
SURVEY = DATA / "awareness_survey.csv"
MARGINS = DATA / "population_margins.csv"

REQUIRED = [c for c in AWARENESS_COLUMNS if c not in ("focus_group_id", "design_weight")]


@pytest.fixture(scope="module")
def generated() -> pd.DataFrame:
    return generate_awareness()


@pytest.fixture(scope="module")
def committed() -> pd.DataFrame:
    return read_awareness(SURVEY)


def _csv_text(frame: pd.DataFrame) -> str:
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def test_regenerating_reproduces_committed_files(generated, committed):
    pd.testing.assert_frame_equal(committed, generated)
    assert SURVEY.read_text(encoding="utf-8") == _csv_text(generated)
    assert MARGINS.read_text(encoding="utf-8") == _csv_text(generate_margins())


def test_write_awareness_is_byte_identical(tmp_path):
    paths = write_awareness(tmp_path)
    assert [p.name for p in paths] == [SURVEY.name, MARGINS.name]
    for p in paths:
        assert p.read_bytes() == (DATA / p.name).read_bytes()


def test_shape_and_design(committed):
    df = committed
    assert df.shape == (10_000, len(AWARENESS_COLUMNS))
    assert list(df.columns) == list(AWARENESS_COLUMNS)
    assert df["respondent_id"].is_unique
    assert sorted(df["round"].unique()) == [1, 2, 3]
    assert set(df["mode"]) == set(MODES)
    assert df["district_code"].nunique() == 50
    assert set(df["district_code"]) == set(DISTRICTS)
    assert (df["district_th"] == df["district_code"].map(DISTRICTS)).all()
    assert set(df["sex"]) == {"male", "female"}
    assert df[REQUIRED].notna().all().all()
    # field: every district in every round, with at least 20 interviews
    field = df[df["mode"] == "field"]
    per = field.groupby(["round", "district_code"]).size()
    assert len(per) == 150 and per.min() >= 20
    # design weights only for the probability (field) sample; they expand to the population
    assert field["design_weight"].notna().all()
    assert df.loc[df["mode"] != "field", "design_weight"].isna().all()
    sums = field.groupby("round")["design_weight"].sum()
    np.testing.assert_allclose(sums, BANGKOK_POPULATION_2566["total"], rtol=1e-8)
    # focus groups of 8 in one district each
    fg = df[df["mode"] == "focus_group"]
    assert fg["focus_group_id"].notna().all()
    assert (fg.groupby("focus_group_id").size() == 8).all()
    assert (fg.groupby("focus_group_id")["district_code"].nunique() == 1).all()
    assert df.loc[df["mode"] != "focus_group", "focus_group_id"].isna().all()


def test_binary_columns_and_kr_definition(committed):
    df = committed
    binary = ["aware", *CHANNELS, *DIMENSIONS]
    assert df[binary].isin([0, 1]).all().all()
    any_channel = df[list(CHANNELS)].max(axis=1)
    any_dimension = df[list(DIMENSIONS)].max(axis=1)
    assert (df["aware"] == any_channel).all()
    assert (df["aware"] == any_dimension).all()


def test_realistic_mode_differences(committed):
    df = committed
    aware_by_mode = df.groupby("mode")["aware"].mean()
    assert aware_by_mode["online"] > aware_by_mode["field"]
    field = df[df["mode"] == "field"]
    weighted = np.average(field["aware"], weights=field["design_weight"])
    assert 0.70 < weighted < 0.80  # below the 80 % target, but not far
    assert 0.75 < df["aware"].mean() < 0.85
    among_aware = df[df["aware"] == 1].groupby("mode")[list(CHANNELS)].mean()
    assert among_aware.loc["online", "ch_facebook"] > among_aware.loc["field", "ch_facebook"]
    assert among_aware.loc["online", "ch_tiktok"] > among_aware.loc["field", "ch_tiktok"]
    assert among_aware.loc["field", "ch_tv"] > among_aware.loc["online", "ch_tv"]
    young = df.groupby("mode")["age_group"].apply(lambda s: s.isin(["18-24", "25-34"]).mean())
    assert young["online"] > young["field"]


def test_margins(committed):
    m = pd.read_csv(MARGINS, dtype={"category": "str"})
    assert list(m.columns) == ["variable", "category", "label_th", "population", "share",
                               "status", "source"]
    totals = m.groupby("variable")["population"].sum()
    assert (totals == BANGKOK_POPULATION_2566["total"]).all()
    sex = m[m["variable"] == "sex"].set_index("category")["population"]
    # NSO Statistical Yearbook Thailand 2024, Table 7.1: Bangkok 2023, male / female
    assert sex["male"] == 2_555_426
    assert sex["female"] == 2_916_162
    assert (m.loc[m["variable"] == "sex", "status"] == "official").all()
    assert (m.loc[m["variable"] != "sex", "status"] == "ILLUSTRATIVE").all()
    # every survey category has a margin
    for var in ("sex", "age_group", "district_code"):
        cats = set(m.loc[m["variable"] == var, "category"])
        assert set(committed[var].astype(str)) <= cats
    assert sum(DISTRICT_POPULATION_ILLUSTRATIVE.values()) == BANGKOK_POPULATION_2566["total"]


def test_other_seed_differs():
    other = generate_awareness(seed=1)
    assert other.shape == (10_000, len(AWARENESS_COLUMNS))
    assert not other["aware"].equals(generate_awareness()["aware"])
