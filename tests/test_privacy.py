"""Personal data (issue 11 item 4): bounded messages, label allow-lists, pseudonyms and
complementary small-cell suppression (checked by subtraction)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kpianalysis as ka
from kpianalysis import DataValidationError, analyse_satisfaction, breakdown, get_instrument
from kpianalysis.awareness import analyse_awareness, read_awareness_survey
from kpianalysis.issue_log import read_agencies, read_issue_log
from kpianalysis.labels import DISTRICT_OFFICES, check_labels, known_agencies, known_sites
from kpianalysis.privacy import (
    complementary_suppression,
    personal_kind,
    pseudonymise,
    redact,
    shown,
)
from kpianalysis.readers import SurveyData, read_satisfaction_survey
from kpianalysis.rubric._inputs import _numeric

MB = 1_000_000

# Planted personal data: Thai phone formats (mobile, Bangkok landline, +66), a 13-digit ID
# written plain and with dashes, an e-mail address and names with and without an honorific.
PHONES = ["081-234-5678", "0812345678", "02 123 4567", "02-123-4567", "+66 81 234 5678",
          "+66812345678", "๐๘๑๒๓๔๕๖๗๘"]
IDS = ["1103700123456", "1-1037-00123-45-6", "1 1037 00123 45 6"]
EMAILS = ["somchai.t@example.co.th", "a+b@mail.com"]
BARE_NAMES = ["สมชาย ใจดี", "John Smith"]
NAMES = ["นายสมชาย ใจดี", "นางสาวสมหญิง รักเรียน", "น.ส. มาลี ดีงาม", "Mr John Smith",
         *BARE_NAMES]


# --- detectors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value, kind", [*((p, "phone number") for p in PHONES),
                                         *((i, "Thai national ID") for i in IDS),
                                         *((e, "e-mail address") for e in EMAILS),
                                         *((n, "name") for n in NAMES)])
def test_personal_data_is_recognised(value, kind):
    assert personal_kind(value) == kind
    if value not in BARE_NAMES:  # a name without honorific is recognised as a whole value
        assert personal_kind(f"ติดต่อ {value} ได้") is not None  # inside a longer text too
    assert shown(value) == f"[a value withheld: it looks like a {kind}]"


@pytest.mark.parametrize("value", [
    *DISTRICT_OFFICES, "สำนักการโยธา", "นายช่างโยธา", "ชำนาญการพิเศษ", "ฝ่ายพัฒนาชุมชนและสวัสดิการสังคม",
    "ศาลาว่าการกรุงเทพมหานคร 2 (ดินแดง)", "2024-01-15", "31/12/2565", "01/10/2562 08:10",
    "1001", "63.0667", "4.40", "IT67-0001", "sat-oss-1-00001", "AW00001", "2566"])
def test_labels_codes_dates_and_numbers_are_not_personal(value):
    assert personal_kind(value) is None
    assert shown(value) == repr(value)


def test_personal_mask_gives_the_same_answer_value_by_value_and_by_column():
    """personal_mask tests a few distinct values one by one and many as a column: both ways
    flag exactly the planted values, and agree on every value (padding, Thai digits, blanks,
    missing values and long texts included)."""
    from kpianalysis import privacy

    planted = [*PHONES, *IDS, *EMAILS, *NAMES, *(f" ติดต่อ {v} " for v in PHONES + EMAILS)]
    clean = [*DISTRICT_OFFICES, "สำนักการโยธา", "2024-01-15", "1001", "IT67-0001", "", "  ",
             "ก" * 200, "John Smith " * 12]
    values = pd.Series([*planted, *clean, None, np.nan] * 3, dtype=object)
    few = privacy.personal_mask(values)
    many = pd.Series(privacy._flagged_column(
        values.astype("string").fillna("").str.translate(privacy._THAI_DIGITS)),
        index=values.index)
    assert few.tolist() == many.tolist()
    expected = [True] * len(planted) + [False] * len(clean) + [False, False]
    assert few.tolist() == expected * 3
    wide = pd.Series([f"รายการ {i}" for i in range(privacy._FEW + 5)] + planted)
    assert privacy.personal_mask(wide).tolist() == [False] * (privacy._FEW + 5) + \
        [True] * len(planted)  # more distinct values than _FEW: the column path


def test_redact_masks_every_kind_inside_a_text():
    text = "โทร 081-234-5678 หรือ a@b.co อ้างอิง 1-1037-00123-45-6 นายสมชาย ใจดี"
    out = redact(text)
    for planted in ("081-234-5678", "a@b.co", "1-1037-00123-45-6", "สมชาย", "ใจดี"):
        assert planted not in out
    assert out.count("withheld") == 4


# --- bounded messages ---------------------------------------------------------------------------

def test_a_long_value_is_cut_and_its_length_given():
    assert shown("x" * MB).endswith("(1,000,000 characters)")
    assert len(shown("x" * MB)) < 100
    err = DataValidationError("bad " + "y" * MB, source="f.csv", column="z" * MB, rows=[3])
    assert len(str(err)) < 2_500
    assert "1,000,004 characters" in str(err) and "1,000,000 characters" in str(err)
    assert "file f.csv" in str(err) and "row 3" in str(err)


def test_a_message_never_carries_personal_data():
    err = DataValidationError("got 'นายสมชาย ใจดี' and 081-234-5678 and 1103700123456",
                              source="f.csv", column="position")
    for planted in ("สมชาย", "081-234-5678", "1103700123456"):
        assert planted not in str(err)


def _wifi_csv(tmp_path: Path, site: list[str], rid: list[str] | None = None) -> Path:
    n = len(site)
    frame = pd.DataFrame({"respondent_id": rid or [f"r{i}" for i in range(n)], "round": "1",
                          "response_date": "2024-01-15", "site": site, "q1_1": "4",
                          "q2_1": "5"})
    path = tmp_path / "sat-wifi_r1.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("reader", ["satisfaction", "awareness", "rubric", "issue_log"])
def test_a_one_megabyte_cell_gives_a_short_message(tmp_path, raw_dir, reader):
    big = "ก" * MB
    if reader == "satisfaction":
        path = _wifi_csv(tmp_path, ["สำนักงานเขตพระนคร", big])
        with pytest.raises(DataValidationError) as err:
            read_satisfaction_survey(path, get_instrument("sat-wifi"))
    elif reader == "awareness":
        frame = pd.read_csv(raw_dir / "awareness" / "awareness_survey.csv", dtype=str,
                            keep_default_na=False)
        frame.loc[1, "mode"] = big
        frame.to_csv(tmp_path / "awareness_survey.csv", index=False)
        with pytest.raises(DataValidationError) as err:
            read_awareness_survey(tmp_path / "awareness_survey.csv",
                                  raw_dir / "awareness" / "population_margins.csv")
    elif reader == "rubric":
        with pytest.raises(DataValidationError) as err:
            _numeric(pd.DataFrame({"score": ["72", big]}), "score", "t.csv")
    else:
        pd.DataFrame({"agency": ["สำนักการโยธา", big]}).to_csv(tmp_path / "a.csv", index=False)
        with pytest.raises(DataValidationError) as err:
            read_agencies(tmp_path / "a.csv")
    msg = str(err.value)
    assert len(msg) < 1_000, len(msg)
    # the reader names the row; the value is either cut with its length given, or (CSV cells
    # beyond the parser's field limit) not echoed at all
    assert "row 2" in msg and ("1,000,000 characters" in msg or "over-long cell" in msg)


# --- label fields -------------------------------------------------------------------------------

@pytest.mark.parametrize("planted", [PHONES[0], PHONES[4], IDS[1], EMAILS[0], NAMES[0], NAMES[4]])
def test_personal_data_in_a_label_field_is_refused_and_not_echoed(tmp_path, planted):
    path = _wifi_csv(tmp_path, ["สำนักงานเขตพระนคร", "สำนักงานเขตดุสิต", planted])
    with pytest.raises(DataValidationError) as err:
        read_satisfaction_survey(path, get_instrument("sat-wifi"))
    msg = str(err.value)
    assert "sat-wifi_r1.csv" in msg and "column 'site'" in msg and "row 3" in msg
    assert "personal data" in msg
    assert planted not in msg
    digits = "".join(ch for ch in planted.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789"))
                     if ch.isdigit())
    assert not digits or digits not in "".join(ch for ch in msg if ch.isdigit())


def test_an_unknown_label_that_is_not_personal_is_echoed(tmp_path):
    path = _wifi_csv(tmp_path, ["สำนักงานเขตพระนคร", "สำนักงานเขตนอกเมือง"])
    with pytest.raises(DataValidationError, match="สำนักงานเขตนอกเมือง") as err:
        read_satisfaction_survey(path, get_instrument("sat-wifi"))
    assert "row 2" in str(err.value) and "service sites" in str(err.value)


@pytest.mark.parametrize("column, value, echoed", [
    ("position_level", "ระดับพิเศษสุด", True),          # not one of the instrument's levels
    ("position_level", "081-234-5678", False),
    ("agency", "สำนักที่ไม่มีจริง", True),               # not a known agency
    ("agency", "somchai.t@example.co.th", False),
    ("position", "นายสมชาย ใจดี", False),              # no closed list: personal data refused
    ("division", "1-1037-00123-45-6", False),
    ("age", "0812345678", False),
])
def test_staff_survey_label_fields(tmp_path, raw_dir, column, value, echoed):
    frame = pd.read_csv(raw_dir / "satisfaction" / "sat-oss_r1.csv", dtype=str,
                        keep_default_na=False)
    frame.loc[6, column] = value
    path = tmp_path / "sat-oss_r1.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as err:
        read_satisfaction_survey(path, get_instrument("sat-oss"))
    msg = str(err.value)
    assert f"column '{column}'" in msg and "row 7" in msg
    assert (value in msg) is echoed


def test_every_bundled_label_is_on_its_list(raw_dir):
    """The reference lists admit the bundled files (each survey file is read in full)."""
    for path in sorted((raw_dir / "satisfaction").rglob("sat-*_r*.csv")):  # history too
        read_satisfaction_survey(path, get_instrument(path.stem.rsplit("_r", 1)[0]))
    agencies = read_agencies(raw_dir / "rubric" / "efficiency-pr_agencies.csv")
    assert set(agencies) <= known_agencies()
    assert len(DISTRICT_OFFICES) == 50 and set(DISTRICT_OFFICES) <= known_sites()


def test_issue_log_agency_must_be_known(tmp_path, raw_dir):
    log = pd.read_csv(raw_dir / "rubric" / "efficiency-pr_issue_log.csv", dtype=str,
                      keep_default_na=False)
    log.loc[2, "agency"] = "คุณสมศรี มีสุข"
    log.to_csv(tmp_path / "log.csv", index=False)
    with pytest.raises(DataValidationError) as err:
        read_issue_log(tmp_path / "log.csv", fiscal_year=2563)
    assert "column 'agency'" in str(err.value) and "row 3" in str(err.value)
    assert "สมศรี" not in str(err.value)


def test_awareness_label_with_an_email_is_refused_without_echo(tmp_path, raw_dir):
    frame = pd.read_csv(raw_dir / "awareness" / "awareness_survey.csv", dtype=str,
                        keep_default_na=False)
    frame.loc[9, "sex"] = "a+b@mail.com"
    frame.loc[11, "focus_group_id"] = "081-234-5678"
    frame.to_csv(tmp_path / "awareness_survey.csv", index=False)
    with pytest.raises(DataValidationError) as err:
        read_awareness_survey(tmp_path / "awareness_survey.csv",
                              raw_dir / "awareness" / "population_margins.csv")
    assert "column 'sex'" in str(err.value) and "row 10" in str(err.value)
    assert "mail.com" not in str(err.value)


def test_check_labels_names_every_bad_row():
    values = pd.Series(["A", "", "x", "081-234-5678", "A"])
    with pytest.raises(DataValidationError) as err:
        check_labels(values, ["A"], source="f.csv", column="c", what="codes")
    msg = str(err.value)
    assert "rows 3, 4" in msg and "'x'" in msg and "1 value not shown" in msg
    with pytest.raises(DataValidationError, match="rows 2, 3, 4"):
        check_labels(values, ["A"], source="f.csv", column="c", what="codes", allow_blank=False)


# --- pseudonyms ---------------------------------------------------------------------------------

def test_pseudonyms_are_stable_within_a_process_and_keyed_per_process():
    ids = pd.Series(["sat-oss-1-00001", "sat-oss-1-00002", "sat-oss-1-00001", None])
    p = pseudonymise(ids)
    assert p.iloc[0] == p.iloc[2] != p.iloc[1] and pd.isna(p.iloc[3])
    assert p.str.fullmatch(r"p[0-9a-f]{16}").iloc[:3].all()
    code = ("import pandas as pd; from kpianalysis.privacy import pseudonymise; "
            "print(pseudonymise(pd.Series(['sat-oss-1-00001'])).iloc[0])")
    other = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip() for _ in range(2)}
    assert len(other) == 2 and p.iloc[0] not in other  # a new key in every process


def test_processed_tables_hold_no_raw_identifier(raw_dir):
    inst = get_instrument("sat-oss")
    data = read_satisfaction_survey(raw_dir / "satisfaction" / "sat-oss_r1.csv", inst)
    raw_ids = set(pd.read_csv(raw_dir / "satisfaction" / "sat-oss_r1.csv",
                              dtype=str)["respondent_id"])
    table = data.processed_table(analyse_satisfaction(data).likert.respondents)
    assert not raw_ids & set(table["respondent_id"])
    assert table["respondent_id"].is_unique and "suggestion" not in table.columns


# --- complementary suppression, checked by subtraction -----------------------------------------

def _recoverable(true_n: pd.Series, hidden: pd.Series) -> list:
    """Hidden cells whose count equals the total minus the shown cells."""
    remainder = true_n.sum() - true_n[~hidden].sum()
    return [g for g in true_n.index[hidden] if true_n[g] == remainder]


def test_complementary_suppression_by_subtraction_on_random_tables():
    rng = np.random.default_rng(20240115)
    for _ in range(2_000):
        k = int(rng.integers(1, 12))
        n = pd.Series(rng.integers(1, 40, size=k))
        primary, extra = complementary_suppression(n.to_numpy(), 10)
        hidden = pd.Series(primary | extra)
        assert (primary == (n < 10).to_numpy()).all()  # every small cell is hidden
        if hidden.sum() == 1:  # a lone hidden cell is only allowed as the whole table
            assert k == 1
        else:
            assert _recoverable(n, hidden) == []


def _wifi_data(groups: list[str], high: list[bool]) -> SurveyData:
    inst = get_instrument("sat-wifi")
    n = len(groups)
    frame = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(n)], "round": 1,
                          "response_date": pd.Timestamp("2024-01-15"), "site": groups})
    answers = np.where(np.asarray(high)[:, None], 5, 2).repeat(2, axis=1)
    items = pd.DataFrame(answers, columns=list(inst.item_codes)).astype("Int8")
    return SurveyData(inst, "mem.csv", "0" * 64, frame, items, 0, ())


@pytest.mark.parametrize("sizes", [(30, 4, 25), (12, 3), (40, 9, 8, 15), (50, 2, 11, 11, 20)])
def test_satisfaction_breakdown_cannot_be_undone_by_subtraction(sizes):
    names = [f"สำนักงานเขต{n}" for n in list(ka.bangkok.DISTRICTS.values())[:len(sizes)]]
    groups = [g for g, k in zip(names, sizes, strict=True) for _ in range(k)]
    high = [i % 3 != 0 for i in range(len(groups))]  # every third respondent not high
    true = pd.DataFrame({"group": groups, "high": high}).groupby("group")["high"].agg(
        ["size", "sum"])
    data = _wifi_data(groups, high)
    analysis = analyse_satisfaction(data)
    # the report shows the total C and B (KPI formula) next to the groups' n and n high
    assert analysis.likert.n_scored == len(groups)
    table = breakdown(data, analysis, "site", min_group=10).set_index("group")
    hidden = table["suppressed"].reindex(true.index)
    assert hidden[true["size"] < 10].all()
    assert hidden.sum() != 1
    assert _recoverable(true["size"], hidden) == []
    shown = table[~table["suppressed"]]
    assert (shown["n"] == true.loc[shown.index, "size"]).all()
    assert (shown["n_high_or_above"] == true.loc[shown.index, "sum"]).all()
    assert table.loc[hidden[hidden].index, ["n", "n_high_or_above", "percent"]].isna().all().all()


def test_awareness_tables_cannot_be_undone_by_subtraction(tmp_path, raw_dir):
    frame = pd.read_csv(raw_dir / "awareness" / "awareness_survey.csv", dtype=str,
                        keep_default_na=False)
    # district 1001 keeps 3 field respondents (one a round, so raking still has the district
    # in every round); the focus groups keep one group of 8
    field_1001 = frame[(frame["district_code"] == "1001") & (frame["mode"] == "field")]
    drop_1001 = field_1001.index.difference(field_1001.groupby("round").head(1).index)
    fg = frame.index[frame["mode"] == "focus_group"]
    keep_fg = frame.loc[fg, "focus_group_id"] == frame.loc[fg[0], "focus_group_id"]
    frame = frame.drop([*drop_1001, *fg[~keep_fg.to_numpy()]])
    frame.to_csv(tmp_path / "awareness_survey.csv", index=False)
    data = read_awareness_survey(tmp_path / "awareness_survey.csv",
                                 raw_dir / "awareness" / "population_margins.csv")
    a = analyse_awareness(data)
    field = frame[frame["mode"] == "field"]
    checks = [
        (field["district_code"].astype(int).value_counts(), a.districts, "district_code"),
        (frame["mode"].value_counts(), a.modes, "mode"),
        (field["round"].astype(int).value_counts(), a.rounds, "round"),
    ]
    for true_n, table, key in checks:
        hidden = table.set_index(key)["suppressed"].reindex(true_n.index)
        assert hidden[true_n < 10].all(), key
        assert hidden.sum() != 1, key
        assert _recoverable(true_n, hidden) == [], key
        shown = table[~table["suppressed"]].set_index(key)["n"]
        assert (shown == true_n[shown.index]).all(), key
    assert a.districts.set_index("district_code").loc[1001, "suppressed"]
    assert a.modes.set_index("mode").loc["online", "complementary"]  # the smaller other mode
    summary = ka.awareness.awareness_summary(data, a)
    assert summary["n_by_mode"]["focus_group"] is None and summary["n_by_mode"]["online"] is None


def test_personal_data_in_a_status_note_is_masked(tmp_path, raw_dir):
    from kpianalysis.rubric.checklist import read_status_notes

    notes = pd.read_csv(raw_dir / "rubric" / "efficiency-pr_notes.csv", dtype=str,
                        keep_default_na=False)
    clean = notes.loc[0, "note"]
    notes.loc[1, "note"] = "ประสานงาน นางสาวสมศรี มีสุข โทร ๐๘๑-๒๓๔-๕๖๗๘ หรือ ss@bma.go.th"
    notes.to_csv(tmp_path / "notes.csv", index=False)
    out = read_status_notes(tmp_path / "notes.csv", 2563)
    text = " ".join(out["note"])
    for planted in ("สมศรี", "มีสุข", "๐๘๑-๒๓๔-๕๖๗๘", "081-234-5678", "ss@bma.go.th"):
        assert planted not in text
    assert "ประสานงาน [name withheld] โทร [phone number withheld]" in text
    assert clean in set(out["note"])  # a note without personal data is kept as written


def test_unused_column_names_are_bounded_and_masked(tmp_path):
    path = _wifi_csv(tmp_path, ["สำนักงานเขตพระนคร"])
    frame = pd.read_csv(path, dtype=str)
    frame["โทร 0891234567"] = ""
    frame["x" * 5_000] = ""
    frame.to_csv(path, index=False)
    data = read_satisfaction_survey(path, get_instrument("sat-wifi"))
    assert data.ignored_columns[0] == "โทร [phone number withheld]"
    assert data.ignored_columns[1].endswith("(5,000 characters)")
    assert "0891234567" not in data.summary()


def test_issue_log_pooled_line_never_is_one_agency(raw_dir):
    from kpianalysis.issue_log import agency_table

    log = read_issue_log(raw_dir / "rubric" / "efficiency-pr_issue_log.csv", fiscal_year=2563)
    counts = log["agency"].value_counts()
    lone = counts.index[counts < 5][0]
    keep = log["agency"].isin(counts.index[counts >= 5])
    subset = pd.concat([log[keep], log[log["agency"] == lone].head(1)], ignore_index=True)
    table = agency_table(subset, min_group=5)
    true = subset["agency"].value_counts()
    shown = table[~table["pooled"]].set_index("agency")["issues"]
    assert (shown == true[shown.index]).all()
    remainder = len(subset) - int(shown.sum())
    hidden = true.drop(shown.index)
    assert lone in hidden.index and len(hidden) == 2
    assert all(remainder != k for k in hidden)  # the subtraction gives no one agency
    assert int(table.loc[table["pooled"], "issues"].iloc[0]) == remainder


@pytest.mark.parametrize("value", ["นายช่างโยธา ชำนาญงาน", "นักวิเคราะห์นโยบายและแผน ชำนาญการ",
                                   "ผ่านการตรวจคุณภาพ ครบถ้วน", "คุณภาพ ดีมาก",
                                   "นายกรัฐมนตรี มอบนโยบาย", "สำนักวัฒนธรรม กีฬา และการท่องเที่ยว"])
def test_titles_and_words_that_begin_like_honorifics_are_not_names(value):
    assert redact(value) == value  # a note or a message keeps them
    if value.startswith(("นัก", "นายช่าง", "สำนัก", "คุณภาพ")):  # a label starting as a title
        assert personal_kind(value) is None
    # other two-word Thai values have the shape of a name and surname: never echoed
