"""The scorecard report's pieces: built from an AgencyScore only, escaped, complete.

The score comes from :func:`kpianalysis.score_agency` (tested in ``test_engines.py``); here the
card is made from hand-written rows so the expected figures are known independently: seed 004
ตาราง ค. weights 10, 10, 10, 20, 10, 10 (total 70), with invented points.
"""

from __future__ import annotations

import dataclasses
import io
import warnings

from matplotlib.figure import Figure

from kpianalysis.scorecard import AgencyScore, ScoreRow
from kpianalysis.scorecard_report import (
    missing_target_list,
    points_chart,
    scorecard_check_line,
    scorecard_headline,
    scorecard_methods,
    scorecard_table,
    scorecard_title,
)

# seed 004 ตาราง ค.: item → (code, weight); points invented: 10 + 6 + 8 + 20 + 6 + 0 = 50
ROWS = [(1, "sat-oss", 10, 5.0, 10, True), (2, "sat-policy-tracking", 10, 3.0, 6, False),
        (3, "livable-city-indicators", 10, 4.0, 8, False), (4, "sat-bmaq", 20, 5.0, 20, True),
        (5, "sat-it-support", 10, None, 6, False), (6, "sat-wifi", 10, 0.0, 0, False)]


def _card(name_2: str = "ระดับความพึงพอใจของผู้ใช้งานระบบ BMA Policy Tracking") -> AgencyScore:
    rows = tuple(ScoreRow(item=i, kpi=k, name_th=name_2 if i == 2 else f"ระดับความพึงพอใจ {k}",
                          weight=w, level=lv, points=p, target_met=met, value_text=f"ค่า {k}",
                          report=f"{k}_2567",
                          flags=("sample_data", "rubric_table_missing") if k == "sat-wifi"
                          else ("sample_data",))
                 for i, k, w, lv, p, met in ROWS)
    return AgencyScore(agency="สำนักยุทธศาสตร์และประเมินผล", abbreviation="สยป.",
                       fiscal_year=2567, rows=rows, total_points=50.0, max_points=70.0,
                       percent=50 * 100 / 70, missing_target=tuple(r[1] for r in ROWS
                                                                   if not r[5]),
                       data_status="sample")


def test_presentation_is_escaped_complete_and_linked():
    card = _card("<script>x</script>")
    table = scorecard_table(card)
    assert "<script>" not in table and "&lt;script&gt;" in table
    assert table.count("✓ บรรลุ") == 2 and table.count("✗ ไม่บรรลุ") == 4
    assert "<a href='sat-bmaq_2567.html'>" in table  # each line links to the KPI's report
    assert table.count("⚠") == 1 and "ตารางเกณฑ์ที่สันนิษฐาน" in table  # Wi-Fi, §G.6
    assert ">50<" in table and ">70<" in table
    assert "&lt;script&gt;" in missing_target_list(card)
    assert "50 / 70" in scorecard_headline(card)
    assert "พ.ศ. 2567" in scorecard_title(card)
    assert "ไม่คำนวณระดับหรือคะแนนใหม่" in scorecard_methods(card)
    line = scorecard_check_line(card)
    assert "total=50/70" in line and "sat-it-support:-/6" in line


def test_points_chart_is_a_figure_with_thai_text_and_no_warnings():
    card = _card()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "Glyph ... missing from font(s)"
        fig = points_chart(card)
        fig.savefig(io.BytesIO(), format="png")
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert any("50 / 70" in t for t in texts)
    assert any(t.strip().startswith("20 / 20") for t in texts)  # BMA Q, weight 20
    assert any("ระดับ –" in t for t in texts)  # the IT composite has no level (§G.5)
    labels = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert labels[0].startswith("1. ระดับความพึงพอใจ") and "(sat-oss)" in labels[0]


def test_card_summary_and_json_are_plain():
    card = _card()
    assert card.summary().splitlines()[0].startswith("scorecard สยป. FY2567: 50 / 70")
    assert '"total_points": 50.0' in card.to_json()
    assert dataclasses.replace(card, abbreviation="").stem.startswith("scorecard_สำนัก")


def test_scorecard_json_follows_its_shipped_schema(tmp_path):
    import json

    import pytest

    from kpianalysis.scorecard import ScorecardError, validate_scorecard_dict, write_scorecard

    path = write_scorecard(_card(), tmp_path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["schema_version"] == 1 and path.name == "scorecard_สยป_2567.json"
    validate_scorecard_dict(doc)
    with pytest.raises(ScorecardError, match="rows/0/points"):
        validate_scorecard_dict({**doc, "rows": [{**doc["rows"][0], "points": -1}]})
    with pytest.raises(ScorecardError, match="schema_version"):
        validate_scorecard_dict({**doc, "schema_version": 2})
