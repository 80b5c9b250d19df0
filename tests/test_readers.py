"""Reading raw satisfaction files: bad input gets a clear error naming file, column and row."""

from pathlib import Path

import pandas as pd
import pytest

from kpianalysis import DataValidationError, get_instrument, read_satisfaction_survey
from kpianalysis.readers import survey_round_files

INSTRUMENT = get_instrument("sat-oss")
GOOD = {
    "respondent_id": ["a1", "a2", "a3"],
    "round": ["1", "1", "1"],
    "response_date": ["2024-01-10", "2024-01-11", "2024-01-12"],
    "sex": ["หญิง", "ชาย", ""],
    "age": ["35", "41", "29"],
    "position": ["นิติกร", "นิติกร", "นิติกร"],
    "position_level": ["ชำนาญการ", "ปฏิบัติการ", ""],
    "agency": ["สำนักงานเขตพระนคร"] * 3,
    "division": ["ฝ่ายปกครอง"] * 3,
    "q1_1": ["5", "มาก", "3"],
    "q1_2": ["4", "4", ""],
    "q2_1": ["5", "ปานกลาง", "3"],
    "q2_2": ["4", "4", "2"],
    "q3_1": ["5", "4", "3"],
    "q4": ["5", "มากที่สุด", "3"],
    "suggestion": ["", "โทร 081-234-5678", ""],
    "contact_phone": ["", "0812345678", ""],
}


def _write(tmp_path: Path, changes=None, drop=(), name="survey.csv") -> Path:
    data = {k: list(v) for k, v in GOOD.items() if k not in drop}
    for (col, row), value in (changes or {}).items():
        data[col][row] = value
    path = tmp_path / name
    pd.DataFrame(data).to_csv(path, index=False)
    return path


def test_reads_and_keeps_personal_data_out(tmp_path):
    d = read_satisfaction_survey(_write(tmp_path), INSTRUMENT)
    assert d.items["q1_1"].tolist() == [5, 4, 3]
    assert d.rounds == (1,)
    assert d.n_free_text == 1
    assert d.ignored_columns == ("contact_phone",)
    table = d.processed_table()
    assert "suggestion" not in table.columns and "contact_phone" not in table.columns
    assert len(d.sha256) == 64


@pytest.mark.parametrize("bad", ["0", "6", "มากมาก"])
def test_out_of_range_answer(tmp_path, bad):
    path = _write(tmp_path, {("q2_2", 1): bad})
    with pytest.raises(DataValidationError) as info:
        read_satisfaction_survey(path, INSTRUMENT)
    msg = str(info.value)
    assert str(path) in msg and "'q2_2'" in msg and "row 2" in msg and repr(bad) in msg


def test_missing_column(tmp_path):
    path = _write(tmp_path, drop=("q3_1",))
    with pytest.raises(DataValidationError, match=r"missing column\(s\) 'q3_1'") as info:
        read_satisfaction_survey(path, INSTRUMENT)
    assert str(path) in str(info.value)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(DataValidationError, match="empty"):
        read_satisfaction_survey(path, INSTRUMENT)


def test_header_only(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text(",".join(GOOD) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="no data rows"):
        read_satisfaction_survey(path, INSTRUMENT)


def test_duplicated_respondent_id(tmp_path):
    path = _write(tmp_path, {("respondent_id", 2): "a1"})
    with pytest.raises(DataValidationError) as info:
        read_satisfaction_survey(path, INSTRUMENT)
    msg = str(info.value)
    assert "duplicated respondent_id 'a1'" in msg and "rows 1, 3" in msg


def test_bad_round_date_and_profile_value(tmp_path):
    with pytest.raises(DataValidationError, match="'round'.*row 1.*expected one of 1, 2"):
        read_satisfaction_survey(_write(tmp_path, {("round", 0): "3"}), INSTRUMENT)
    # a CE year is read month first (m/d/CCCC, as the seeds' exports write it): month 15
    with pytest.raises(DataValidationError, match="'response_date'.*row 2"):
        read_satisfaction_survey(_write(tmp_path, {("response_date", 1): "15/01/2024"}),
                                 INSTRUMENT)
    # a year that is neither a plausible CE nor BE year is refused, not converted
    with pytest.raises(DataValidationError, match="'response_date'.*row 2"):
        read_satisfaction_survey(_write(tmp_path, {("response_date", 1): "1567-01-15"}), INSTRUMENT)
    with pytest.raises(DataValidationError, match="'sex'.*expected one of ชาย, หญิง"):
        read_satisfaction_survey(_write(tmp_path, {("sex", 0): "x"}), INSTRUMENT)


def test_bad_weight(tmp_path):
    path = _write(tmp_path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["weight"] = ["1.5", "-2", ""]
    frame.to_csv(path, index=False)
    with pytest.raises(DataValidationError, match="'weight'.*rows 2, 3"):
        read_satisfaction_survey(path, INSTRUMENT)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        read_satisfaction_survey(tmp_path / "nope.csv", INSTRUMENT)


def test_excel_bom_accepted(tmp_path):
    path = _write(tmp_path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert read_satisfaction_survey(path, INSTRUMENT).frame.shape[0] == 3


def test_survey_round_files_sorted_by_round(tmp_path):
    for name in ("sat-oss_r2.csv", "sat-oss_r10.csv", "sat-oss_r1.csv", "sat-oss_rX.csv",
                 "sat-wifi_r1.csv"):
        (tmp_path / name).write_text("x\n")
    found = survey_round_files(tmp_path, "sat-oss")
    assert list(found) == [1, 2, 10]
    assert found[10].name == "sat-oss_r10.csv"
    assert survey_round_files(tmp_path, "sat-bmaq") == {}


# -- the processed table: unscored respondents are missing, not False ------------------------

BMAQ_R2 = Path(__file__).resolve().parents[1] / "data" / "raw" / "satisfaction" / "sat-bmaq_r2.csv"


@pytest.fixture(scope="module")
def bmaq():
    from kpianalysis import analyse_satisfaction

    data = read_satisfaction_survey(BMAQ_R2, get_instrument("sat-bmaq"))
    analysis = analyse_satisfaction(data)
    return data, analysis, data.processed_table(analysis.likert.respondents)


def test_processed_table_marks_unscored_respondents_missing(bmaq):
    data, analysis, table = bmaq
    unscored = ~table["scored"]
    assert unscored.sum() == analysis.likert.n_excluded == 67  # forms with no answer at all
    assert table["high_or_above"].dtype == "boolean"
    assert table["band"].dtype == "Int8"
    for col in ("high_or_above", "band", "band_th", "score_mean"):
        assert table.loc[unscored, col].isna().all(), col
        assert table.loc[~unscored, col].notna().all(), col
    # counts stay as they are; the scored rows are unchanged
    assert (table.loc[unscored, "n_answered"] == 0).all()
    resp = analysis.likert.respondents.reset_index(drop=True)
    scored = resp["scored"].to_numpy()
    assert (table.loc[scored, "high_or_above"].astype(bool).to_numpy()
            == resp.loc[scored, "high_or_above"].to_numpy()).all()
    assert (table.loc[scored, "band"].astype(int).to_numpy()
            == resp.loc[scored, "band"].to_numpy()).all()
    # the analysis' own respondent table keeps its plain boolean arrays
    assert resp["high_or_above"].dtype == bool and resp["band"].dtype == "int8"


def test_naive_shares_of_the_processed_table_equal_the_report(bmaq):
    data, analysis, table = bmaq
    lk = analysis.likert
    # unweighted: pandas skips <NA>, so the mean is B / C exactly
    assert table["high_or_above"].mean() == lk.n_high_or_above / lk.n_scored
    assert table["high_or_above"].sum() == lk.n_high_or_above
    # weighted by the file's design weight (normalised over the scored rows, as pandas'
    # NA-skipping does): the design-based A of the report (a ratio estimator of the domain)
    ok = table["high_or_above"].notna()
    w = table.loc[ok, "weight"]
    share = (table.loc[ok, "high_or_above"].astype(float) * w).sum() / w.sum()
    assert analysis.design is not None
    assert share == pytest.approx(analysis.percent / 100, rel=1e-12)
    assert round(share * 100, 1) == 75.3  # not the 71.8 % that False for unscored gave


def test_processed_table_survives_parquet(bmaq, tmp_path):
    pytest.importorskip("pyarrow")
    _, _, table = bmaq
    path = tmp_path / "t.parquet"
    table.to_parquet(path)
    back = pd.read_parquet(path)
    assert back["high_or_above"].dtype == "boolean"
    assert back["high_or_above"].isna().sum() == 67


def test_processed_table_without_scores_is_unchanged(tmp_path):
    d = read_satisfaction_survey(_write(tmp_path), INSTRUMENT)
    assert "high_or_above" not in d.processed_table().columns


def test_survey_data_summary(bmaq):
    data, _, _ = bmaq
    lines = str(data).splitlines()
    assert lines[0] == "SurveyData sat-bmaq: 1500 respondents, round 2, 1 item"
    assert "weight, stratum" in lines[1]
    assert "<table" in data._repr_html_()


def test_a_file_read_again_in_the_same_process_is_a_fresh_copy_of_its_bytes(tmp_path):
    """The reader remembers what it validated, by content: the same bytes give an equal,
    independent copy; changed bytes (same name, same size) are read again; a bad file is
    refused every time."""
    import os

    path = _write(tmp_path)
    first = read_satisfaction_survey(path, INSTRUMENT)
    first.frame.loc[0, "agency"] = "changed by a caller"
    first.items.iloc[0, 0] = 1
    second = read_satisfaction_survey(path, INSTRUMENT)
    assert second.frame.loc[0, "agency"] == "สำนักงานเขตพระนคร"  # not the caller's change
    assert second.items.iloc[0, 0] == 5
    assert second.sha256 == first.sha256 and second.frame is not first.frame
    import shutil  # the same bytes under another name: that name, the same reading

    copy = tmp_path / "copy" / "survey.csv"
    copy.parent.mkdir()
    shutil.copy(path, copy)
    other = read_satisfaction_survey(copy, INSTRUMENT)
    assert other.path == str(copy) and second.path == str(path)
    assert other.frame.equals(second.frame) and other.items.equals(second.items)
    stat = path.stat()
    text = path.read_text(encoding="utf-8").replace(",41,", ",42,")
    assert len(text.encode()) == stat.st_size  # same size
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same time stamp
    third = read_satisfaction_survey(path, INSTRUMENT)
    assert third.sha256 != first.sha256
    assert third.frame["age"].astype(str).tolist() == ["35", "42", "29"]
    bad = _write(tmp_path, {("q1_1", 0): "9"}, name="bad.csv")
    for _ in range(2):
        with pytest.raises(DataValidationError, match="q1_1"):
            read_satisfaction_survey(bad, INSTRUMENT)
