"""Seed 001 (KPI_SPEC §D3): the Line BMA issue log, the evidence checklist, the monthly notes.

Every expected figure comes from the seed (file:line cited) or from a hand computation written
next to the assertion, never from the code under test.

Boundary rule checked here (and why): the seed says the issues are sent "ภายในเวลา 10.30 น."
and answered "ภายใน 24 ชั่วโมง นับตั้งแต่การแจ้งประเด็น" (001:10): ภายใน = *by* / *within*,
read inclusively. An issue sent at exactly 10:30 is on time, 10:31 is late; an answer exactly
24 hours after the sending is on time, 24 h 1 min is late. This is also how the package counts
an IT ticket solved exactly on its SLA deadline (seed 004, ``sat-it-support``).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from kpianalysis import DataValidationError, evaluate
from kpianalysis.issue_log import (
    agency_table,
    day_type_table,
    issue_shares,
    monthly_counts,
    read_agencies,
    read_issue_log,
)
from kpianalysis.rubric.checklist import (
    points_at,
    read_checklist,
    read_status_notes,
    score_checklist,
)

SEED_001 = Path(__file__).resolve().parent / "data" / "seeds" / "001_7d9ae577f30eab26.txt"
CODE = "efficiency-pr"
FILES = ("checklist", "issue_log", "agencies", "notes")

# The four evidence forms of 001:13 (texts shortened; the checklist only needs the numbers).
FORMS = {1: "แบบฟอร์ม 1 SWOT", 2: "แบบฟอร์ม 2 โครงการ", 3: "แบบฟอร์ม 3 สรุปโครงการ",
         4: "หลักฐานผลสำเร็จ"}


def _seed_lines() -> list[str]:
    return SEED_001.read_text(encoding="utf-8").split("\n")


def _seed_month(month_th: str) -> tuple[int, int, int]:
    """(issues, agencies, news items) the seed prints for a month (001:10, item 7)."""
    line = _seed_lines()[9]  # 001:10
    m = re.search(rf"ในเดือน{month_th} 2563 จำนวนประเด็น (\d+) เรื่อง มีหน่วยงานที่เกี่ยวข้อง "
                  r"(\d+) หน่วยงาน จัดทำ \"กทม.ชี้แจงข่าวร้องเรียน\" (\d+) เรื่อง", line)
    assert m, f"seed 001:10 no longer reports {month_th} 2563"
    return int(m[1]), int(m[2]), int(m[3])


def _seed_notes() -> list[tuple[str, str]]:
    """The twelve dated notes of 001:7–10, split at their dates (``dd/mm/BBBB``)."""
    text = " ".join(_seed_lines()[6:10])
    parts = re.split(r"(?:^|\s/\s|\s)(\d{1,2}/\d{1,2}/25\d\d)\s*:?\s", text)
    return list(zip(parts[1::2], parts[2::2], strict=True))


def _copy_root(raw_dir: Path, dest: Path) -> Path:
    """A data root holding only seed 001's files and the sample's dataset.yaml."""
    root = dest / "raw"
    (root / "rubric").mkdir(parents=True)
    shutil.copy(raw_dir / "dataset.yaml", root / "dataset.yaml")
    for f in FILES:
        name = f"{CODE}_{f}.csv"
        shutil.copy(raw_dir / "rubric" / name, root / "rubric" / name)
    return root


# --- the bundled sample reproduces the seed ---------------------------------------------------

def test_seed_reports_the_july_and_august_totals_quoted_in_the_spec():
    # KPI_SPEC §D3 quotes 001:10: July 2563 48 / 27 / 47, August 2563 42 / 22 / 43
    assert _seed_month("กรกฎาคม") == (48, 27, 47)
    assert _seed_month("สิงหาคม") == (42, 22, 43)


def _independent_month_totals(raw_dir: Path, month_ce: str) -> tuple[int, int, int]:
    """(issues, distinct agencies, news items) of a month, from the raw CSV with plain pandas.

    ``sent_at`` is ``dd/mm/BBBB HH:MM`` (Thai digits on some rows): month = the middle field,
    year = the BE year − 543.
    """
    raw = pd.read_csv(raw_dir / "rubric" / f"{CODE}_issue_log.csv", dtype=str,
                      keep_default_na=False)
    sent = raw["sent_at"].str.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789"))
    parts = sent.str.extract(r"^(\d{2})/(\d{2})/(\d{4}) \d{2}:\d{2}$")
    assert parts.notna().all().all(), "unexpected sent_at form in the sample"
    key = (parts[2].astype(int) - 543).astype(str) + "-" + parts[1]
    month = raw[key == month_ce]
    return len(month), month["agency"].nunique(), int(month["news_items"].astype(int).sum())


def test_sample_log_has_the_seeds_july_and_august_totals(raw_dir):
    # 001:10: "ในเดือนกรกฎาคม 2563 จำนวนประเด็น 48 เรื่อง มีหน่วยงานที่เกี่ยวข้อง 27 หน่วยงาน
    # จัดทำ "กทม.ชี้แจงข่าวร้องเรียน" 47 เรื่อง" and "ในเดือนสิงหาคม 2563 … 42 … 22 … 43"
    assert _independent_month_totals(raw_dir, "2020-07") == _seed_month("กรกฎาคม")
    assert _independent_month_totals(raw_dir, "2020-08") == _seed_month("สิงหาคม")


def test_monthly_counts_and_the_result_reproduce_the_seed_months(raw_dir):
    r = evaluate(CODE, data_root=raw_dir)
    monthly = {m["month"]: m for m in r.details["issue_log"]["monthly"]}
    assert list(monthly) == [f"{y}-{m:02d}" for y, m in
                             [(2019, 10), (2019, 11), (2019, 12)]
                             + [(2020, m) for m in range(1, 10)]]  # FY2563, October first
    for month, name in (("2020-07", "กรกฎาคม"), ("2020-08", "สิงหาคม")):
        m = monthly[month]
        assert (m["issues"], m["agencies"], m["news_items"]) == _seed_month(name)  # 001:10
    log = read_issue_log(raw_dir / "rubric" / f"{CODE}_issue_log.csv", fiscal_year=2563)
    table = monthly_counts(log, 2563).set_index("month")
    assert tuple(table.loc["2020-07", ["issues", "agencies", "news_items"]]) == (48, 27, 47)
    assert tuple(table.loc["2020-08", ["issues", "agencies", "news_items"]]) == (42, 22, 43)
    assert table.loc["2020-07", "month_th"] == "ก.ค. 2563"


def test_sample_score_is_the_seeds_result_and_flags_the_equal_shares(raw_dir):
    r = evaluate(CODE, data_root=raw_dir)
    # 001:1 "ค่าเป้าหมาย ร้อยละ : 100", 001:2 "ผลงานที่ทำได้ ร้อยละ : 100"
    assert r.target == 100 and r.value == 100 and r.target_met is True
    assert r.unit == "ร้อยละ" and r.level is None and r.points is None
    codes = [f.code for f in r.flags]
    assert codes[0] == "sample_data"
    assert "assumed_equal_shares" in codes and "form_scored_when_complete" in codes
    # 4 forms sharing 100 points (001:12–13): 100 / 4 = 25 each
    assert [f["share"] for f in r.details["forms"]] == [25, 25, 25, 25]
    assert "25 คะแนน" in next(f.message_th for f in r.flags if f.code == "assumed_equal_shares")
    assert [e.role for e in r.evidence] == list(FILES)
    assert r.name_th == "การเพิ่มประสิทธิภาพในการปฏิบัติงานของหน่วยงาน"  # 001:11


def test_the_twelve_monthly_notes_are_the_seeds_in_order_with_the_score_at_each_date(raw_dir):
    r = evaluate(CODE, data_root=raw_dir)
    seed = _seed_notes()  # 001:7–10
    assert len(seed) == 12 and seed[0][0] == "31/10/2562" and seed[-1][0] == "29/9/2563"
    timeline = r.details["timeline"]
    assert [n["note"] for n in timeline] == [text for _, text in seed]
    be = [f"{int(d[8:10])}/{int(d[5:7])}/{int(d[:4]) + 543}" for d in
          (n["date"] for n in timeline)]
    assert be == [d for d, _ in seed]
    # the sample checklist completes form 1 on 28/10/2562 (its later item), forms 2 and 3 on
    # 20/12/2562 and form 4 on 29/09/2563 (its last item): 25 points each, so the notes of
    # 31/10 and 30/11/2562 stand at 25, those of 29/12/2562 … 31/8/2563 at 75, 29/9/2563 at 100
    assert [n["points"] for n in timeline] == [25, 25] + [75] * 9 + [100]
    dated = [i for i in r.items if i.source.endswith("_notes.csv")]
    assert [i.date for i in dated] == [n["date"] for n in timeline]
    assert dated[2].status == "คะแนนหลักฐาน ณ วันนั้น 75 จาก 100"


def test_sample_files_are_regenerated_byte_for_byte(raw_dir, tmp_path):
    from kpianalysis.sample_data.issue_log import write_efficiency_inputs

    for path in write_efficiency_inputs(tmp_path):
        assert path.read_bytes() == (raw_dir / "rubric" / path.name).read_bytes(), path.name


# --- shares on a hand-made log ----------------------------------------------------------------

HAND_LOG = pd.DataFrame({
    "issue_id": ["A", "B", "C", "D", "E"],
    # A at exactly 10:30 (BE, day first); B at 10:31 (CE, month first); C Thai digits;
    # D ISO; E "14.00 น." and urgent. 1–2 July 2020 are a Wednesday and a Thursday,
    # 15 August 2020 a Saturday.
    "sent_at": ["01/07/2563 10:30", "7/1/2020 10:31", "๐๒/๐๗/๒๕๖๓ ๐๘:๐๐", "2020-08-15 09:59",
                "15/08/2563 14.00 น."],
    "agency": ["สำนักงานเขตพระนคร", "สำนักงานเขตพระนคร", "สำนักการโยธา", "สำนักงานเขตพระนคร",
               " สำนักงานเขตพระนคร "],
    # A exactly 24 h later; B 24 h 1 min later; C never; D 2 h 1 min; E 1 h
    "answered_at": ["02/07/2563 10:30", "02/07/2563 10:32", "", "2020-08-15 12:00",
                    "15/08/2563 15:00"],
    "news_items": ["1", "0", "2", "1", "1"],
    "urgent": ["no", "no", "no", "no", "yes"],
})


@pytest.fixture()
def hand_log() -> pd.DataFrame:
    return read_issue_log(HAND_LOG, fiscal_year=2563)


def test_boundaries_on_the_hand_made_log(hand_log):
    by_id = hand_log.set_index("issue_id")
    # sent by 10:30 inclusive: A (10:30) yes, B (10:31) no, C (08:00) yes, D (09:59) yes,
    # E urgent: not judged against the 10.30 round
    assert by_id["sent_by_1030"].to_dict() == {"A": True, "B": False, "C": True, "D": True,
                                               "E": False}
    # within 24 h inclusive: A (24:00) yes, B (24:01) no, C unanswered no, D, E yes
    assert by_id["answered_24h"].to_dict() == {"A": True, "B": False, "C": False, "D": True,
                                               "E": True}
    assert by_id.loc["A", "response_hours"] == 24
    assert by_id.loc["B", "response_hours"] == pytest.approx(24 + 1 / 60)
    assert by_id.loc["E", "agency"] == "สำนักงานเขตพระนคร"  # outer spaces removed


def test_overall_shares_are_the_hand_computation(hand_log):
    o = issue_shares(hand_log).iloc[0]
    # 5 issues; judged against 10.30: A, B, C, D (E urgent) = 4; on time A, C, D = 3 → 75 %
    assert (o["issues"], o["judged_1030"], o["sent_by_1030"], o["urgent"]) == (5, 4, 3, 1)
    assert o["pct_sent_by_1030"] == pytest.approx(3 * 100 / 4)
    # answered within 24 h: A, D, E = 3 of 5 issues → 60 %
    assert (o["answered"], o["answered_24h"]) == (4, 3)
    assert o["pct_answered_24h"] == pytest.approx(3 * 100 / 5)
    # agencies: พระนคร, โยธา; news 1 + 0 + 2 + 1 + 1 = 5
    assert (o["agencies"], o["news_items"]) == (2, 5)


def test_monthly_shares_are_the_hand_computation(hand_log):
    m = monthly_counts(hand_log, 2563).set_index("month")
    assert len(m) == 12 and m.loc["2019-10", "issues"] == 0  # months without issues shown
    assert pd.isna(m.loc["2019-10", "pct_sent_by_1030"])  # nothing to divide: no share
    jul, aug = m.loc["2020-07"], m.loc["2020-08"]
    # July: A, B, C; on time A, C = 2 of 3; within 24 h A = 1 of 3; agencies พระนคร, โยธา;
    # news 1 + 0 + 2 = 3; dispatch days 1 and 2 July = 2 of 31
    assert (jul["issues"], jul["agencies"], jul["news_items"]) == (3, 2, 3)
    assert jul["pct_sent_by_1030"] == pytest.approx(200 / 3)
    assert jul["pct_answered_24h"] == pytest.approx(100 / 3)
    assert (jul["days_with_dispatch"], jul["days"]) == (2, 31)
    # August: D (judged, on time) and E (urgent); both answered within 24 h; news 2
    assert (aug["issues"], aug["agencies"], aug["news_items"], aug["judged_1030"]) == (2, 1, 2, 1)
    assert aug["pct_sent_by_1030"] == 100 and aug["pct_answered_24h"] == 100


def test_agency_table_pools_small_agencies_into_one_line(hand_log):
    t = agency_table(hand_log, min_group=1)
    assert list(t["agency"]) == ["สำนักงานเขตพระนคร", "สำนักการโยธา"]
    assert list(t["pooled"]) == [False, False]
    assert list(t["issues"]) == [4, 1]
    # พระนคร: judged A, B, D → on time A, D = 2 of 3; within 24 h A, D, E = 3 of 4
    assert t.loc[0, "pct_sent_by_1030"] == pytest.approx(200 / 3)
    assert t.loc[0, "pct_answered_24h"] == pytest.approx(75)
    # พระนคร has A, B, D, E (4 ≥ 3); โยธา has C only (1 < 3): were โยธา pooled alone, its line
    # would be its own figures, so พระนคร is pooled with it (complementary suppression)
    t = agency_table(hand_log, min_group=3)
    assert list(t["pooled"]) == [True] and list(t["issues"]) == [5]
    assert t.loc[0, "agency"].startswith("หน่วยงานอื่น (2 หน่วยงาน")
    with pytest.raises(ValueError, match="min_group"):
        agency_table(hand_log, min_group=0)


def test_day_type_table_on_the_hand_made_log(hand_log):
    t = day_type_table(hand_log).set_index("day_type")
    # weekdays: A, B, C (1–2 July 2020); Saturday 15 August 2020: D, E
    assert t.loc["วันจันทร์–ศุกร์", "issues"] == 3 and t.loc["วันเสาร์–อาทิตย์", "issues"] == 2


def test_date_times_in_every_form_the_seeds_use():
    from kpianalysis.issue_log import parse_thai_datetimes

    got = parse_thai_datetimes(["31/7/2563 10:15", "7/31/2020 10:15", "2020-07-31T10:15:00",
                                "๓๑/๐๗/๒๕๖๓ ๑๐.๑๕ น.", "31/07/2563 10:15:30", ""],
                               allow_missing=True)
    # 2563 BE = 2020 CE; the CE form is month first (KPI_SPEC "Calendar conventions")
    expected = pd.Timestamp("2020-07-31 10:15")
    assert list(got[:4]) == [expected] * 4
    assert got[4] == expected + pd.Timedelta(seconds=30) and pd.isna(got[5])


# --- the evidence checklist -------------------------------------------------------------------

def _checklist(rows: list[tuple], weights: bool = False) -> pd.DataFrame:
    cols = ["form", "item", "status", "date"] + (["weight"] if weights else [])
    return pd.DataFrame(rows, columns=cols)


HALF_DONE = [(1, "SWOT", "done", "25/10/2562"), (1, "หนังสือเสนอผู้บริหาร", "done", "28/10/2562"),
             (2, "โครงการ", "done", "20/12/2562"), (3, "สรุปโครงการ", "done", "20/12/2562"),
             (3, "ภาคผนวก", "pending", ""), (4, "รายงานการประชุม", "pending", "")]


def test_equal_shares_score():
    s = score_checklist(_checklist(HALF_DONE), FORMS)
    # forms 1 and 2 complete; form 3 lacks one item, form 4 pending: 2 × 100 / 4 = 50
    assert s.points == 50 and s.percent == 50 and s.target_met is False
    assert [f.complete for f in s.forms] == [True, True, False, False]
    assert not s.weights_from_file
    assert s.missing == ("แบบฟอร์ม/หลักฐานรายการที่ 3: ภาคผนวก",
                         "แบบฟอร์ม/หลักฐานรายการที่ 4: รายงานการประชุม")
    # as of 30/11/2562 only form 1 is complete (its items: 25 and 28/10/2562): 25 points
    assert score_checklist(_checklist(HALF_DONE), FORMS, as_of="30/11/2562").points == 25
    assert points_at(_checklist(HALF_DONE), FORMS, ["27/10/2562", "28/10/2562",
                                                     "20/12/2562"]) == [0, 25, 50]


def test_equal_shares_of_three_forms_add_up_to_exactly_100():
    three = {1: "a", 2: "b", 3: "c"}
    rows = [(1, "a", "done", ""), (2, "b", "done", ""), (3, "c", "done", "")]
    s = score_checklist(_checklist(rows), three)
    # 3 × (100 / 3) in exact arithmetic is 100, so the target ร้อยละ 100 is met
    assert s.points == 100 and s.target_met is True


def test_weights_from_the_agencys_file():
    rows = [(f, i, st, d, w) for (f, i, st, d), w in
            zip(HALF_DONE, [10, 10, 20, 30, 30, 40], strict=True)]
    s = score_checklist(_checklist(rows, weights=True), FORMS)
    # forms 1 (10) and 2 (20) complete: 10 + 20 = 30 of 100
    assert s.weights_from_file and s.points == 30 and s.target_met is False
    assert [f.share for f in s.forms] == [10, 20, 30, 40]
    thirds = [(1, "a", "done", "", "33.33"), (2, "b", "done", "", "33.33"),
              (3, "c", "done", "", "33.34")]
    s3 = score_checklist(_checklist(thirds, weights=True), {1: "a", 2: "b", 3: "c"})
    # 33.33 + 33.33 + 33.34 = 100 exactly
    assert s3.points == 100 and s3.target_met is True


def test_an_all_blank_weight_column_means_equal_shares():
    rows = [(*r, "") for r in HALF_DONE]
    assert score_checklist(_checklist(rows, weights=True), FORMS).points == 50


def _root_with(tmp_path: Path, raw_dir: Path, **files: str) -> Path:
    root = _copy_root(raw_dir, tmp_path)
    for role, text in files.items():
        (root / "rubric" / f"{CODE}_{role}.csv").write_text(text, encoding="utf-8")
    return root


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


def test_evaluate_with_weights_says_so_and_gives_no_equal_share_flag(tmp_path, raw_dir):
    rows = [(f, i, st, d, w) for (f, i, st, d), w in
            zip(HALF_DONE, [10, 10, 20, 30, 30, 40], strict=True)]
    root = _root_with(tmp_path, raw_dir, checklist=_csv(_checklist(rows, weights=True)))
    r = evaluate(CODE, data_root=root)
    codes = [f.code for f in r.flags]
    assert "weights_from_agency_file" in codes and "assumed_equal_shares" not in codes
    assert r.value == 30 and r.target_met is False  # 10 + 20 (hand sum above)
    assert r.details["weights"] == "agency_file"


def test_cap_at_defined_scores_only_what_the_seed_defines(tmp_path, raw_dir):
    root = _root_with(tmp_path, raw_dir, checklist=_csv(_checklist(HALF_DONE)))
    official = evaluate(CODE, data_root=root)
    assert official.value == 50  # 2 of 4 equal shares (hand computation above)
    capped = evaluate(CODE, data_root=root, undefined_rubric_rows="cap_at_defined")
    # the seed defines 100 points for all the evidence (001:12), nothing for a part: 0
    assert capped.value == 0 and "capped_at_defined_row" in [f.code for f in capped.flags]
    # the target (ร้อยละ 100) is missed either way, so no alternative is reported
    assert official.alternatives == ()


def test_as_of_scores_the_checklist_at_a_date(raw_dir):
    r = evaluate(CODE, data_root=raw_dir, as_of="31/12/2562")
    # forms 1 (28/10/2562), 2 and 3 (20/12/2562) complete by then: 3 × 25 = 75
    assert r.value == 75 and r.target_met is False
    assert [n["date"] for n in r.details["timeline"]] == ["2019-10-31", "2019-11-30",
                                                         "2019-12-29"]


# --- bad input: DataValidationError naming file, row and column -------------------------------

def _bad_log(**changes: tuple[int, str]) -> pd.DataFrame:
    """The hand-made log with ``column=(row index, value)`` changed."""
    frame = HAND_LOG.copy()
    for column, (row, value) in changes.items():
        frame.loc[row, column] = value
    return frame


@pytest.mark.parametrize("changes, column, row, words", [
    ({"answered_at": (1, "7/1/2020 10:00")}, "answered_at", 2, "answered before"),
    ({"sent_at": (2, "1/10/2563 08:00")}, "sent_at", 3, "outside fiscal year 2563"),
    ({"sent_at": (0, "30/09/2562 23:59")}, "sent_at", 1, "outside fiscal year 2563"),
    ({"sent_at": (3, "10/1/2020 08:00")}, "sent_at", 4, "outside fiscal year 2563"),
    ({"sent_at": (0, "01/07/2563")}, "sent_at", 1, "time of day"),
    ({"sent_at": (0, "01/07/2563 25:10")}, "sent_at", 1, "time of day"),
    ({"sent_at": (0, "31/02/2563 09:00")}, "sent_at", 1, "not a valid date"),
    ({"sent_at": (0, "")}, "sent_at", 1, "time of day"),
    ({"answered_at": (4, "tomorrow")}, "answered_at", 5, "time of day"),
    ({"issue_id": (3, "A")}, "issue_id", 4, "unique"),
    ({"agency": (2, "")}, "agency", 3, "empty"),
    ({"news_items": (1, "-1")}, "news_items", 2, "integer"),
    ({"news_items": (1, "หนึ่ง")}, "news_items", 2, "integer"),
    ({"urgent": (4, "maybe")}, "urgent", 5, "yes/no"),
], ids=["answer-before-sending", "after-fy", "before-fy", "after-fy-ce", "no-time",
        "hour-25", "31-feb", "blank-sent", "bad-answer", "duplicate-id", "empty-agency",
        "negative-news", "news-not-a-number", "urgent-not-yes-no"])
def test_a_bad_log_names_file_row_and_column(tmp_path, changes, column, row, words):
    path = tmp_path / "log.csv"
    path.write_text(_csv(_bad_log(**changes)), encoding="utf-8")
    with pytest.raises(DataValidationError) as exc:
        read_issue_log(path, fiscal_year=2563)
    e = exc.value
    assert e.source == str(path) and e.column == column and e.rows == [row], str(e)
    assert words in str(e) and "log.csv" in str(e)


def test_the_fiscal_year_boundaries_are_inside():
    # FY2563 = 1/10/2562 00:00 … 30/9/2563 23:59 (KPI_SPEC "Calendar conventions")
    log = _bad_log(sent_at=(0, "01/10/2562 00:00"), answered_at=(0, "01/10/2562 01:00"))
    log.loc[1, ["sent_at", "answered_at"]] = ["30/09/2563 23:59", "01/10/2563 09:00"]
    read_issue_log(log, fiscal_year=2563)  # an answer after the year's end is fine


def test_an_unknown_agency_is_refused_when_a_list_is_given(tmp_path):
    agencies = tmp_path / "agencies.csv"
    agencies.write_text("agency\nสำนักงานเขตพระนคร\nสำนักการโยธา\n", encoding="utf-8")
    known = read_agencies(agencies)
    read_issue_log(HAND_LOG, fiscal_year=2563, agencies=known)  # all listed
    path = tmp_path / "log.csv"
    path.write_text(_csv(_bad_log(agency=(3, "สำนักงานเขตนอกรายการ"))), encoding="utf-8")
    with pytest.raises(DataValidationError) as exc:
        read_issue_log(path, fiscal_year=2563, agencies=known)
    assert exc.value.column == "agency" and exc.value.rows == [4]
    assert "สำนักงานเขตนอกรายการ" in str(exc.value)


def test_a_missing_column_or_an_empty_log_is_refused(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(_csv(HAND_LOG.drop(columns="news_items")), encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"missing column\(s\) 'news_items'"):
        read_issue_log(path, fiscal_year=2563)
    path.write_text(_csv(HAND_LOG.iloc[:0]), encoding="utf-8")
    with pytest.raises(DataValidationError, match="no rows"):
        read_issue_log(path, fiscal_year=2563)


def test_a_bad_agency_list_is_refused(tmp_path):
    path = tmp_path / "agencies.csv"
    path.write_text("agency\nสำนักการโยธา\nสำนักการโยธา\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as exc:
        read_agencies(path)
    assert exc.value.column == "agency" and exc.value.rows == [2]


@pytest.mark.parametrize("rows, weights, column, bad_rows, words", [
    ([(5, "x", "done", "")], False, "form", [7], "rubric's forms"),
    ([(1, "", "done", "")], False, "item", [7], "empty"),
    ([(1, "x", "perhaps", "")], False, "status", [7], "yes/no"),
    ([(1, "x", "done", "32/01/2563")], False, "date", [7], "not a valid date"),
], ids=["unknown-form", "empty-item", "bad-status", "bad-date"])
def test_a_bad_checklist_names_file_row_and_column(tmp_path, rows, weights, column, bad_rows,
                                                   words):
    path = tmp_path / "checklist.csv"
    path.write_text(_csv(_checklist(HALF_DONE + rows)), encoding="utf-8")
    with pytest.raises(DataValidationError) as exc:
        read_checklist(path, list(FORMS))
    e = exc.value
    assert e.source == str(path) and e.column == column and e.rows == bad_rows, str(e)
    assert words in str(e)


def test_a_checklist_without_a_form_of_the_rubric_is_refused(tmp_path):
    path = tmp_path / "checklist.csv"
    path.write_text(_csv(_checklist(HALF_DONE[:-1])), encoding="utf-8")  # form 4 dropped
    with pytest.raises(DataValidationError, match=r"form\(s\) \[4\].*no row") as exc:
        read_checklist(path, list(FORMS))
    assert exc.value.column == "form"


@pytest.mark.parametrize("weights, rows, words", [
    ([10, 15, 20, 30, 30, 40], [1, 2], "same on every row"),
    ([10, 10, 20, 30, 30, 50], None, "sum to 110"),
    ([10, 10, 20, 30, 30, ""], [6], "must be a number"),
    ([0, 0, 20, 30, 30, 50], [1, 2], "positive"),
], ids=["differs-within-a-form", "not-100", "partly-blank", "zero"])
def test_bad_weights_are_refused(tmp_path, weights, rows, words):
    path = tmp_path / "checklist.csv"
    table = [(f, i, st, d, w) for (f, i, st, d), w in zip(HALF_DONE, weights, strict=True)]
    path.write_text(_csv(_checklist(table, weights=True)), encoding="utf-8")
    with pytest.raises(DataValidationError) as exc:
        score_checklist(path, FORMS)
    e = exc.value
    assert e.column == "weight" and words in str(e) and "checklist.csv" in str(e), str(e)
    if rows is not None:
        assert e.rows == rows


@pytest.mark.parametrize("text, column, row", [
    ("date,note\n31/10/2562,ก\n1/10/2563,ข\n", "date", 2),  # FY2564
    ("date,note\n31/10/2562,ก\n30/11/2562,\n", "note", 2),
    ("date,note\n31/10/2562,ก\n,ข\n", "date", 2),
], ids=["outside-fy", "empty-note", "no-date"])
def test_bad_status_notes_are_refused(tmp_path, text, column, row):
    path = tmp_path / "notes.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError) as exc:
        read_status_notes(path, 2563)
    assert exc.value.column == column and exc.value.rows == [row]


def test_evaluate_refuses_a_bad_log_and_names_it_relative_to_nothing_else(tmp_path, raw_dir):
    bad = _csv(_bad_log(answered_at=(1, "7/1/2020 10:00")))
    root = _root_with(tmp_path, raw_dir, issue_log=bad)
    with pytest.raises(DataValidationError) as exc:
        evaluate(CODE, data_root=root)
    assert f"{CODE}_issue_log.csv" in str(exc.value) and exc.value.column == "answered_at"
    assert exc.value.rows == [2]


# --- the report pieces ------------------------------------------------------------------------

def test_report_tables_escape_data_and_show_the_seed_months(raw_dir, hand_log):
    from kpianalysis import issue_log_presentation as show

    r = evaluate(CODE, data_root=raw_dir)
    html = show.monthly_table(r)
    assert "48 / 27 / 47 ✓ ตรงกัน" in html and "42 / 22 / 43 ✓ ตรงกัน" in html  # 001:10
    evil = hand_log.assign(agency="<script>alert(1)</script>")
    table = show.shares_table(agency_table(evil, 1), "agency", "หน่วยงาน", "x.csv")
    assert "<script>" not in table and "&lt;script&gt;" in table
    assert "31 ต.ค. 2562" in show.notes_timeline(r)  # first note, 001:7
    assert show.monthly_chart(r) is not None


def test_the_report_notebook_has_the_common_head_and_the_check_cell(repo_root):
    import nbformat

    from kpianalysis.kinds import KINDS, REPORT_FAMILIES

    assert REPORT_FAMILIES["issue_log"] == "issue_log.ipynb"
    assert KINDS["evidence_checklist"].roles == ("checklist",)
    nb = nbformat.read(repo_root / "src" / "kpianalysis" / "notebooks" / "issue_log.ipynb",
                       as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata["tags"]
    assert code[0].source.rstrip().splitlines()[-1].startswith("_declared = set(globals())")
    assert code[1].source.startswith("from kpianalysis.report_pages import "
                                     "refuse_unknown_parameters as _refuse_unknown")
    assert "report-hide" in code[1].metadata["tags"]
    assert "NBVAL_CHECK_OUTPUT" in code[-1].source and "page.check_line(result)" in code[-1].source
    assert not any(c.get("outputs") for c in code)


@pytest.mark.e2e
def test_the_report_notebook_runs_on_the_sample(tmp_path, repo_root):
    import papermill

    nb_dir = repo_root / "src" / "kpianalysis" / "notebooks"
    out = papermill.execute_notebook(str(nb_dir / "issue_log.ipynb"), str(tmp_path / "o.ipynb"),
                                     parameters={"output_dir": str(tmp_path)},
                                     kernel_name="python3", progress_bar=False, cwd=str(nb_dir))
    printed = "".join(o.get("text", "") for o in out.cells[-1].outputs)
    # value 100 = 001:2; the flags: sample data, equal shares, form scored when complete
    assert printed.strip() == ("kpi=efficiency-pr fy=2563 value=100.0000 level=- points=- "
                               "target_met=True flags=sample_data,assumed_equal_shares,"
                               "form_scored_when_complete alternatives=")
    assert (tmp_path / "efficiency-pr_2563.json").is_file()
