"""The reports' tests of a difference across groups (issue 12, item 5): Rao-Scott F from
:func:`kpianalysis.inference.chisq_test` (checked against R's ``svychisq`` in
``test_inference.py``), among the groups a report shows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

import kpianalysis as ka
from kpianalysis import awareness as aw

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


@pytest.fixture(scope="module")
def awareness_data() -> aw.AwarenessData:
    return aw.read_awareness_survey(RAW / "awareness" / "awareness_survey.csv",
                                    RAW / "awareness" / "population_margins.csv")


def test_awareness_tests_cover_round_district_and_mode(awareness_data) -> None:
    a = aw.analyse_awareness(awareness_data)
    table = a.associations.set_index("scope")
    assert list(table.index) == ["round", "district_code", "mode"]
    assert table.loc["district_code", "groups"] == 50
    assert table.loc["round", "groups"] == 3
    assert (table["differs"] == (table["p_value"] < a.alpha)).all()
    assert np.isfinite(table["statistic"]).all() and (table["ndf"] > 0).all()


def test_awareness_tests_leave_suppressed_groups_out(awareness_data) -> None:
    a = aw.analyse_awareness(awareness_data, min_group=200)
    shown = int((~a.districts["suppressed"]).sum())
    assert 2 <= shown < 50
    table = a.associations.set_index("scope")
    assert table.loc["district_code", "groups"] == shown
    full = aw.analyse_awareness(awareness_data).associations.set_index("scope")
    assert table.loc["district_code", "statistic"] != full.loc["district_code", "statistic"]


def test_satisfaction_breakdown_test_is_pearson_on_unweighted_files(raw_dir: Path,
                                                                   tmp_path: Path) -> None:
    # the bundled BMA Q file without its design columns: an unweighted file
    frame = pd.read_csv(raw_dir / "satisfaction" / "sat-bmaq_r1.csv", dtype=str)
    path = tmp_path / "sat-bmaq_r1.csv"
    frame.drop(columns=["stratum", "weight"]).to_csv(path, index=False)
    data = ka.read_satisfaction_survey(path, ka.get_instrument("sat-bmaq"))
    assert not data.has_design
    analysis = ka.analyse_satisfaction(data)
    column = data.instrument.profile_columns[0]
    groups = ka.breakdown(data, analysis, column, min_group=10)
    test = ka.breakdown_test(data, analysis, column, groups)
    assert test is not None
    resp = analysis.likert.respondents
    shown = set(groups.loc[~groups["suppressed"], "group"])
    g = data.frame[column].astype("string").fillna("(ไม่ระบุ)")
    keep = resp["scored"].to_numpy(dtype=bool) & g.isin(shown).to_numpy()
    counts = pd.crosstab(resp["high_or_above"][keep].to_numpy(), g[keep].to_numpy())
    # equal weights: Pearson's X² of the count table (scipy, no continuity correction), on the
    # table scaled to every row of the file as R's svytable(Ntotal = nrow) does
    x2 = chi2_contingency(counts, correction=False)[0] * len(data.frame) / keep.sum()
    assert test.pearson == pytest.approx(x2, rel=1e-10)
    assert len(test.table.columns) == len(shown)


def test_breakdown_test_needs_two_shown_groups(raw_dir: Path) -> None:
    data = ka.read_satisfaction_survey(raw_dir / "satisfaction" / "sat-bmaq_r1.csv",
                                       ka.get_instrument("sat-bmaq"))
    analysis = ka.analyse_satisfaction(data)
    column = data.instrument.profile_columns[0]
    groups = ka.breakdown(data, analysis, column, min_group=10_000)
    assert ka.breakdown_test(data, analysis, column, groups) is None
