"""One reader for every input: the encodings and formats agencies export give one result."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml

import kpianalysis as ka
from kpianalysis import DataValidationError
from kpianalysis.tables import normalise_header, read_table

SURVEY = "satisfaction/sat-oss_r2.csv"


@pytest.fixture(scope="module")
def utf8(raw_dir):
    return read_table(raw_dir / SURVEY)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp874"])
def test_the_same_file_in_every_encoding_reads_the_same(raw_dir, tmp_path, utf8, encoding):
    text = (raw_dir / SURVEY).read_text(encoding="utf-8")
    path = tmp_path / "survey.csv"
    path.write_bytes(text.encode(encoding))
    assert read_table(path).equals(utf8)


def test_a_survey_in_windows_thai_gives_the_same_kpi_result(raw_dir, tmp_path):
    root = tmp_path / "raw"
    shutil.copytree(raw_dir, root)
    for name in ("sat-oss_r1.csv", "sat-oss_r2.csv"):
        path = root / "satisfaction" / name
        path.write_bytes(path.read_text(encoding="utf-8").encode("cp874"))
    before = ka.evaluate("sat-oss", data_root=raw_dir)
    after = ka.evaluate("sat-oss", data_root=root)
    assert (after.value, after.level, after.details["b"], after.details["c"]) == (
        before.value, before.level, before.details["b"], before.details["c"])


def test_an_excel_workbook_is_read_by_sheet_name(raw_dir, tmp_path, utf8):
    path = tmp_path / "survey.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        pd.DataFrame({"note": ["cover sheet"]}).to_excel(xl, sheet_name="ปก", index=False)
        utf8.to_excel(xl, sheet_name="data", index=False)
    assert read_table(path, sheet="data").equals(utf8)
    with pytest.raises(DataValidationError, match=r"worksheet 'ข้อมูล' not found; the "
                                                  r"workbook has 'ปก', 'data'"):
        read_table(path, sheet="ข้อมูล")


def _catalog_reading_workbook(tmp_path, sheet=None):
    """``tmp_path/catalog.yaml``: the packaged catalog, KPI 5.3.1.2 reading its missions from
    ``rubric/5.3.1_missions.xlsx`` (worksheet ``sheet``, or the first one)."""
    with open(ka.__path__[0] + "/catalog.yaml", encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    entry = next(e for e in doc["kpis"] if e["code"] == "5.3.1.2")
    entry["inputs"][2567][0]["path"] = "rubric/5.3.1_missions.xlsx"
    if sheet is not None:
        entry["inputs"][2567][0]["sheet"] = sheet
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return catalog


def test_a_kpi_reads_its_input_from_a_workbook(raw_dir, tmp_path):
    root = tmp_path / "raw"
    shutil.copytree(raw_dir, root)
    missions = read_table(root / "rubric" / "5.3.1_missions.csv")
    missions.to_excel(root / "rubric" / "5.3.1_missions.xlsx", index=False)
    catalog = _catalog_reading_workbook(tmp_path)
    csv_result = ka.evaluate("5.3.1.2", data_root=raw_dir)
    xlsx_result = ka.evaluate("5.3.1.2", data_root=root, catalog=catalog)
    assert xlsx_result.value == csv_result.value == 3  # KPI_SPEC §D: 3 of 26 confirmed


def test_headers_are_normalised_and_a_repeated_column_is_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(" respondent_id ,  round,q1 \n1,1,5\n", encoding="utf-8")
    assert list(read_table(path).columns) == ["respondent_id", "round", "q1"]
    assert normalise_header("cafe\u0301  x") == "caf\u00e9 x"  # NFC, spaces collapsed
    path.write_text("q1,q2, q1\n5,4,3\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"column 'q1' appears twice \(columns 1 "
                                                  r"and 3\)"):
        read_table(path)


def test_empty_undecodable_and_malformed_files(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(DataValidationError, match="the file is empty"):
        read_table(path)
    path.write_bytes(b"a,b\n\x81\x82,\xfc\n")  # neither UTF-8 nor cp874
    with pytest.raises(DataValidationError, match="not text in UTF-8, UTF-16 or Windows Thai"):
        read_table(path)
    path.write_text('a,b\n1,"2\n3,4\n', encoding="utf-8")
    with pytest.raises(DataValidationError, match="malformed CSV"):
        read_table(path)
    path.write_text("a,b\n", encoding="utf-8")  # a header only is the caller's to judge
    assert read_table(path).empty


def test_the_catalogs_sheet_reaches_the_reader(raw_dir, tmp_path):
    # a workbook whose first sheet is a cover page: only the catalog's `sheet:` finds the data
    root = tmp_path / "raw"
    shutil.copytree(raw_dir, root)
    missions = read_table(root / "rubric" / "5.3.1_missions.csv")
    with pd.ExcelWriter(root / "rubric" / "5.3.1_missions.xlsx", engine="openpyxl") as xl:
        pd.DataFrame({"หมายเหตุ": ["ปก"]}).to_excel(xl, sheet_name="ปก", index=False)
        missions.to_excel(xl, sheet_name="ภารกิจ", index=False)
    catalog = _catalog_reading_workbook(tmp_path)
    with pytest.raises(DataValidationError, match=r"5\.3\.1_missions\.xlsx.*needs columns"):
        ka.evaluate("5.3.1.2", data_root=root, catalog=catalog)  # the cover sheet
    _catalog_reading_workbook(tmp_path, sheet="ภารกิจ")
    assert ka.evaluate("5.3.1.2", data_root=root, catalog=catalog).value == 3  # KPI_SPEC §D
    _catalog_reading_workbook(tmp_path, sheet="ข้อมูล")
    with pytest.raises(DataValidationError, match="worksheet 'ข้อมูล' not found"):
        ka.evaluate("5.3.1.2", data_root=root, catalog=catalog)


@pytest.mark.parametrize("text, words, rows", [
    ("a,b,c\n1,2,3\n4,5\n", "fewer values than the header's 3 columns", [2]),
    ("a,b,c\n1,2,3,9\n4,5,6\n", "more values than the header's 3 columns", [1]),
    ('a,b\n1,"x"y\n', "malformed CSV", [1]),
], ids=["truncated-row", "extra-field", "stray-quote"])
def test_a_row_of_the_wrong_shape_is_refused_with_its_row(tmp_path, text, words, rows):
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError, match=words) as exc:
        read_table(path)
    assert exc.value.rows == rows and exc.value.source == str(path)


def test_blank_lines_and_trailing_separators_are_not_data(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("A , B\r\n1,2,,\r\n\r\n,,\r\n3,4\r\n", encoding="utf-8")
    frame = read_table(path)
    assert list(frame.columns) == ["a", "b"]  # case folded, spaces trimmed
    assert frame.to_dict("list") == {"a": ["1", "3"], "b": ["2", "4"]}


def test_an_over_long_cell_is_refused_not_cut(tmp_path):
    from kpianalysis.tables import MAX_CELL_CHARS

    path = tmp_path / "t.csv"
    path.write_text(f"a,b\n1,{'x' * (MAX_CELL_CHARS + 1)}\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"column 'b'; row 1: a cell of 10,001 "
                                                  r"characters; expected at most 10,000"):
        read_table(path)


def test_excel_cells_read_as_a_csv_export_writes_them(tmp_path):
    import datetime as dt

    import openpyxl

    path = tmp_path / "t.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Date", "N", "x", "ok"])
    ws.append([dt.datetime(2024, 1, 26), 4.0, 2.5, True])
    ws.append([dt.datetime(2024, 1, 26, 10, 15), 12, None, False])
    book.save(path)
    assert read_table(path).to_dict("list") == {
        "date": ["2024-01-26", "2024-01-26 10:15"], "n": ["4", "12"], "x": ["2.5", ""],
        "ok": ["TRUE", "FALSE"]}
    ws.append([None, None, None, None, "stray"])
    book.save(path)
    with pytest.raises(DataValidationError, match="more values than the header's 4"):
        read_table(path)
