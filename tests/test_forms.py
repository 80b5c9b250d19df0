"""Google Forms exports (issue 11, item 1): the draft mapping from a Forms header row, the
mapping file, and reading a form's responses as the instrument's survey.

The header row is written as Google Forms exports it (``csv`` module): the submission time
``ประทับเวลา``, the question texts of the instrument as printed in the seed
(``instruments.yaml``), a grid question as ``title [row]``, numbering and instructions around
some texts, and personal-data questions (e-mail, phone) that match nothing.
"""

from __future__ import annotations

import csv

import pytest

from kpianalysis import DataValidationError, get_instrument
from kpianalysis.forms import (
    draft_mapping,
    load_mapping,
    main,
    mapping_yaml,
    read_google_form,
)

INST = get_instrument("sat-oss")
TEXT = {i.code: i.text_th for i in INST.items}

#: Forms header → the column it must map to (None: left unmatched).
HEADER = {
    "ประทับเวลา": "response_date",
    "อีเมล": None,
    "เพศ": "sex",
    "อายุ (ปี)": "age",
    "ตำแหน่ง": "position",
    "ระดับ (ตำแหน่ง)": "position_level",
    "หน่วยงาน": "agency",
    "ส่วนราชการ": "division",
    f"ด้านกระบวนงาน [{TEXT['q1_1']}]": "q1_1",
    f"ด้านกระบวนงาน [{TEXT['q1_2']}]": "q1_2",
    f"2.1 {TEXT['q2_1']}": "q2_1",
    f"  {TEXT['q2_2']} ": "q2_2",
    f"{TEXT['q3_1']} (โปรดเลือกหนึ่งข้อ)": "q3_1",
    TEXT["q4"]: "q4",
    "ข้อเสนอแนะเพิ่มเติม": "suggestion",
    "เบอร์โทรศัพท์ที่ติดต่อได้": None,
}
ROWS = [
    ["26/1/2567, 10:15:30", "a@example.org", "หญิง", "๔๕", "นักวิเคราะห์นโยบายและแผน",
     "ชำนาญการ", "สำนักงานเขตพระนคร", "ฝ่ายปกครอง", "มากที่สุด", "มาก", "5", "4", "ปานกลาง",
     "มาก", "", "0812345678"],
    ["1/29/2024 08:02:11", "b@example.org", "ชาย", "31", "นิติกร", "ปฏิบัติการ",
     "สำนักงานเขตดุสิต", "ฝ่ายเทศกิจ", "น้อย", "", "3", "มากที่สุด", "มาก", "๕",
     "ระบบช้า", ""],
]
#: The answers above as codes (scale likert5: มากที่สุด 5 … น้อยที่สุด 1; blank = missing).
CODES = {"q1_1": [5, 2], "q1_2": [4, None], "q2_1": [5, 3], "q2_2": [4, 5], "q3_1": [3, 4],
         "q4": [4, 5]}


@pytest.fixture
def form(tmp_path):
    path = tmp_path / "form.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(list(HEADER))
        w.writerows(ROWS)
    return path


def test_the_draft_maps_every_question_and_marks_the_rest_unmatched():
    mapping = draft_mapping(list(HEADER), INST)
    assert mapping.columns == HEADER
    assert mapping.unmatched == ["อีเมล", "เบอร์โทรศัพท์ที่ติดต่อได้"]


def test_the_draft_file_loads_and_names_unmatched_columns(form, tmp_path, capsys):
    assert main(["draft", str(form), "--instrument", "sat-oss"]) == 0
    out, err = capsys.readouterr()
    assert '"อีเมล": null  # UNMATCHED' in out
    assert "2 form column(s) left UNMATCHED" in err
    path = tmp_path / "mapping.yaml"
    path.write_text(out, encoding="utf-8")
    assert load_mapping(path).columns == HEADER


def test_a_form_is_read_as_the_instruments_survey(form, tmp_path):
    path = tmp_path / "mapping.yaml"
    path.write_text(mapping_yaml(draft_mapping(list(HEADER), INST)), encoding="utf-8")
    data = read_google_form(form, path, round=1)
    for code, want in CODES.items():
        got = [None if v is None or str(v) == "<NA>" else int(v) for v in data.items[code]]
        assert got == want, code
    assert data.frame["response_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-26", "2024-01-29"]  # BE day first, CE month first (thaidate's rule)
    assert data.frame["age"].tolist() == ["45", "31"]  # Thai digits read as ASCII
    assert data.rounds == (1,) and data.n_free_text == 1
    # the unmapped personal-data columns are never read
    assert not {"อีเมล", "เบอร์โทรศัพท์ที่ติดต่อได้"} & set(map(str, data.processed_table()))


def test_convert_writes_a_standard_survey_file(form, tmp_path):
    from kpianalysis.readers import read_satisfaction_survey

    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(mapping_yaml(draft_mapping(list(HEADER), INST)), encoding="utf-8")
    out = tmp_path / "sat-oss_r2.csv"
    assert main(["convert", str(form), "--mapping", str(mapping), "--round", "2",
                 "-o", str(out)]) == 0
    data = read_satisfaction_survey(out, INST)
    assert data.rounds == (2,) and list(data.items["q1_1"].astype(int)) == CODES["q1_1"]
    assert "@" not in out.read_text(encoding="utf-8")


def test_bad_mappings_are_refused_with_the_file_named(tmp_path, form):
    path = tmp_path / "m.yaml"
    text = mapping_yaml(draft_mapping(list(HEADER), INST))
    path.write_text(text.replace(": q4", ": null"), encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"m\.yaml.*item\(s\) q4 of sat-oss are not "
                                                  r"mapped"):
        load_mapping(path)
    path.write_text(text.replace(": q4", ": q3_1"), encoding="utf-8")
    with pytest.raises(DataValidationError, match="q3_1 mapped from more than one"):
        load_mapping(path)
    path.write_text(text.replace(": q4", ": q9"), encoding="utf-8")
    with pytest.raises(DataValidationError, match="mapped to 'q9'"):
        load_mapping(path)
    path.write_text(text, encoding="utf-8")
    other = tmp_path / "other.csv"
    other.write_text("ประทับเวลา,อื่น\n1/1/2024,x\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="the form has no column"):
        read_google_form(other, path, round=1)


def test_a_thai_locale_timestamp_with_ce_years_needs_day_first(tmp_path):
    header = ["Timestamp", *[TEXT[c] for c in INST.item_codes], "เพศ", "อายุ", "ตำแหน่ง",
              "ระดับ (ตำแหน่ง)", "หน่วยงาน", "ส่วนราชการ"]
    form = tmp_path / "f.csv"
    with open(form, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, ["26/1/2024 10:00:00", *["5"] * 6, "ชาย", "40",
                                          "นิติกร", "ปฏิบัติการ", "สำนักงานเขตดุสิต",
                                          "ฝ่ายเทศกิจ"]])
    mapping = draft_mapping(header, INST)
    path = tmp_path / "m.yaml"
    path.write_text(mapping_yaml(mapping), encoding="utf-8")
    with pytest.raises(DataValidationError, match="response_date"):  # month 26
        read_google_form(form, path, round=1)
    path.write_text(mapping_yaml(mapping).replace("day_first: false", "day_first: true"),
                    encoding="utf-8")
    data = read_google_form(form, path, round=1)
    assert str(data.frame["response_date"].iloc[0].date()) == "2024-01-26"
