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


def test_a_kpi_reads_its_input_from_a_workbook(raw_dir, tmp_path):
    root = tmp_path / "raw"
    shutil.copytree(raw_dir, root)
    missions = read_table(root / "rubric" / "5.3.1_missions.csv")
    missions.to_excel(root / "rubric" / "5.3.1_missions.xlsx", index=False)
    with open(ka.__path__[0] + "/catalog.yaml", encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    entry = next(e for e in doc["kpis"] if e["code"] == "5.3.1.2")
    entry["inputs"][2567][0]["path"] = "rubric/5.3.1_missions.xlsx"
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
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
