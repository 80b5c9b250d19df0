"""Tests for kpianalysis.instruments: the packaged questionnaires against the seed text.

An instrument is the questionnaire only; the KPI each one feeds (table ค item, name, weight,
points of the satisfaction part) is recorded once, in the KPI catalog, and checked here through
``kpianalysis.load_catalog()``.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml

from kpianalysis import load_catalog
from kpianalysis.instruments import (
    Instrument,
    get_instrument,
    load_instruments,
    load_scales,
)
from kpianalysis.satisfaction import satisfaction_points

SEEDS = Path(__file__).resolve().parent / "data" / "seeds"  # copy of shared/seeds
SEED_004 = SEEDS / "004_d48f5d17983ea448.txt"
PACKAGED = Path(__file__).resolve().parents[1] / "src" / "kpianalysis" / "instruments.yaml"

# Expected content, read off seed 004 (table ค and the attached "(ร่าง) แบบสอบถาม..."):
# code -> (table item, weight, points of the satisfaction part, scale, item codes). The first
# three are facts about the KPI and are checked on its catalog entry; the last two on the
# instrument.
EXPECTED = {
    # item 1, weight 10; questionnaire 1.1, 1.2 / 2.1, 2.2 / 3.1 / 4
    "sat-oss": (1, 10, 10, "likert5", ("q1_1", "q1_2", "q2_1", "q2_2", "q3_1", "q4")),
    # item 2, weight 10; questionnaire 1.1-1.2 / 2.1-2.4 / 3.1-3.2 / 4
    "sat-policy-tracking": (
        2,
        10,
        10,
        "likert5",
        ("q1_1", "q1_2", "q2_1", "q2_2", "q2_3", "q2_4", "q3_1", "q3_2", "q4"),
    ),
    # item 4, weight 20, 5 symbol levels ("ใข้สัญลักษณ์แทนความรู้สึกพึงพอใจ"); no questionnaire
    "sat-bmaq": (4, 20, 20, "emoji5", ("q1",)),
    # item 5, weight 10 = satisfaction (5 points) + SLA (5 points); 1.1-1.2 / 2.1-2.2 / 3.1-3.2 / 4
    "sat-it-support": (
        5,
        10,
        5,
        "likert5",
        ("q1_1", "q1_2", "q2_1", "q2_2", "q3_1", "q3_2", "q4"),
    ),
    # item 6, weight 10; aspects "ด้านความสะดวกในการใช้งานระบบ", "ด้านความเสถียรของระบบ"
    "sat-wifi": (6, 10, 10, "likert5", ("q1_1", "q2_1")),
}

# Part 1 (ตอนที่ 1 ข้อมูลทั่วไป) of the three attached staff questionnaires: 1.1 เพศ (check:
# ชาย / หญิง), 1.2 อายุ (text, ปี), 1.3 ตำแหน่ง, 1.4 ระดับ (ตำแหน่ง), 1.5 หน่วยงาน,
# 1.6 ส่วนราชการ (drop down).
STAFF_PROFILE = ("sex", "age", "position", "position_level", "agency", "division")


def _squash(text: str) -> str:
    """Drop all whitespace: the seed's OCR breaks Thai phrases at table-cell boundaries."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def instruments() -> dict[str, Instrument]:
    return load_instruments()


@pytest.fixture(scope="module")
def seed_text() -> str:
    if not SEED_004.is_file():
        pytest.skip(f"seed file {SEED_004} is not available (shared/ not cloned next to repo)")
    return _squash(SEED_004.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _kpi_of(catalog, code: str):
    """The one catalog KPI scored with instrument ``code``."""
    (kpi,) = [k for k in catalog if k.instrument == code]
    return kpi


def test_all_instruments_load(instruments):
    assert list(instruments) == list(EXPECTED)
    for code, inst in instruments.items():
        *_, scale, items = EXPECTED[code]
        assert inst.code == code
        assert inst.scale == scale
        assert inst.item_codes == items


def test_catalog_kpis_of_the_instruments_match_table_c(catalog, instruments):
    # table ค item, weight and satisfaction points of each instrument's KPI (seed 004, see
    # EXPECTED) are recorded in the catalog, not in instruments.yaml.
    for code in instruments:
        table_item, weight, points, _, _ = EXPECTED[code]
        kpi = _kpi_of(catalog, code)
        assert kpi.instrument == code
        assert kpi.scorecard_item == table_item
        assert kpi.scorecard_agency == "สำนักยุทธศาสตร์และประเมินผล"
        assert kpi.weight == pytest.approx(weight)
        assert satisfaction_points(kpi) == pytest.approx(points)
        assert satisfaction_points(kpi) <= kpi.weight


def test_satisfaction_points_by_rubric_kind(catalog):
    # satisfaction KPIs earn their whole weight from the survey; the IT-support composite
    # (seed 004 item 5, KPI_SPEC §B item 5) scores satisfaction 0-5 + SLA 0-5 out of 10.
    assert catalog["sat-bmaq"].rubric_kind == "satisfaction"
    assert satisfaction_points(catalog["sat-bmaq"]) == pytest.approx(20)
    it = catalog["sat-it-support"]
    assert it.rubric_kind == "it_support_composite"
    assert satisfaction_points(it) == pytest.approx(it.weight * 5 / 10)
    with pytest.raises(ValueError, match="rubric kind 'count_bands' has no satisfaction part"):
        satisfaction_points(catalog["livable-city-indicators"])
    with pytest.raises(ValueError, match="has no weight"):
        satisfaction_points(dataclasses.replace(catalog["sat-oss"], weight=None))


def test_item_codes_unique_and_sections_consistent(instruments):
    for inst in instruments.values():
        assert len(set(inst.item_codes)) == len(inst.item_codes)
        assert len(set(inst.section_codes)) == len(inst.section_codes)
        # every item code is q<section>[_<n>] and section_of agrees with the item's section
        for item in inst.items:
            assert inst.section_of[item.code] == item.section
            assert item.code.split("_")[0] == f"q{item.section}"
        assert set(inst.section_of) == set(inst.item_codes)


def test_questionnaires_end_with_overall_item(instruments):
    # Seed: item "4 | ความพึงพอใจของระบบในภาพรวมฯ" closes each attached questionnaire.
    for code in ("sat-oss", "sat-policy-tracking", "sat-it-support"):
        inst = instruments[code]
        assert inst.item_codes[-1] == "q4"
        assert inst.section_of["q4"] == "4"
        assert inst.items[-1].text_th == "ความพึงพอใจของระบบในภาพรวมฯ"


def test_names_match_seed(catalog, instruments, seed_text):
    # The KPI name of each satisfaction KPI is the catalog's, transcribed from seed 004.
    for inst in instruments.values():
        assert _squash(_kpi_of(catalog, inst.code).name_th) in seed_text, inst.code
        assert _squash(inst.respondents_th) in seed_text, inst.code
        if inst.questionnaire_th:
            assert _squash(inst.questionnaire_th) in seed_text, inst.code


def test_item_and_section_texts_match_seed(instruments, seed_text):
    for inst in instruments.values():
        for section in inst.sections:
            assert _squash(section.name_th) in seed_text, (inst.code, section.code)
            for item in section.items:
                assert _squash(item.text_th) in seed_text, (inst.code, item.code)


def test_transcribed_texts(instruments):
    # Spot checks copied from the seed questionnaires.
    oss = instruments["sat-oss"]
    assert oss.section("1").name_th == "ด้านกระบวนงาน"
    assert oss.items[1].text_th == "มีการแจ้งเตือนให้กับเจ้าหน้าที่ตาม SLA ของคู่มือประชาชน"
    pt = instruments["sat-policy-tracking"]
    assert pt.section("3").name_th == "ด้านความปลอดภัยในกระบวนการให้บริการ"
    assert pt.items[7].text_th == "เว็บไซต์มีความน่าเชื่อถือ (https://)"
    assert pt.respondent_groups_th == (
        "เจ้าหน้าที่ของหน่วยงาน",
        "นักวิเคราะห์นโยบายและแผนของสำนักยุทธศาสตร์และประเมินผล",
        "ผู้บริหารของกรุงเทพมหานคร",
    )
    it = instruments["sat-it-support"]
    assert [s.name_th for s in it.sections] == [
        "ด้านกระบวนงาน",
        "ด้านคุณภาพการให้บริการ",
        "เจ้าหน้าที่ผู้ให้บริการ",
        "ความพึงพอใจของระบบในภาพรวม",
    ]
    wifi = instruments["sat-wifi"]
    assert [s.name_th for s in wifi.sections] == [
        "ด้านความสะดวกในการใช้งานระบบ",
        "ด้านความเสถียรของระบบ",
    ]


def test_sources_and_derived_notes(instruments):
    for inst in instruments.values():
        if inst.is_derived:
            assert inst.note, f"{inst.code} is derived and must explain how in `note`"
            assert not inst.questionnaire_th
        else:
            assert inst.questionnaire_th.startswith("(ร่าง) แบบสอบถามความพึงพอใจ")
    assert {c for c, i in instruments.items() if i.is_derived} == {"sat-bmaq", "sat-wifi"}


def test_profile_fields(instruments):
    for code in ("sat-oss", "sat-policy-tracking", "sat-it-support"):
        inst = instruments[code]
        assert inst.profile_columns == STAFF_PROFILE
        sex = inst.profile_fields[0]
        assert (sex.label_th, sex.values, sex.input) == ("เพศ", ("ชาย", "หญิง"), "check")
        age = inst.profile_fields[1]
        assert (age.label_th, age.unit, age.values) == ("อายุ", "ปี", None)
        assert inst.free_text_fields == ("suggestion",)
    for inst in instruments.values():
        overlap = set(inst.profile_columns) & (set(inst.item_codes) | set(inst.free_text_fields))
        assert not overlap


def test_scales_have_five_levels(instruments):
    scales = load_scales()
    assert set(scales) == {"likert5", "emoji5"}
    for labels in scales.values():
        assert tuple(labels) == (5, 4, 3, 2, 1)
        assert all(isinstance(v, str) and v for v in labels.values())
    # Questionnaire header: มากที่สุด (5) | มาก (4) | ปานกลาง (3) | น้อย (2) | น้อยที่สุด (1)
    assert dict(scales["likert5"]) == {
        5: "มากที่สุด",
        4: "มาก",
        3: "ปานกลาง",
        2: "น้อย",
        1: "น้อยที่สุด",
    }
    # BMA Q sheet: "ระดับมากที่สุด ระดับมาก ระดับปานกลาง ระดับน้อย ระดับน้อยที่สุด"
    assert scales["emoji5"][5] == "ระดับมากที่สุด"
    assert scales["emoji5"][1] == "ระดับน้อยที่สุด"
    for inst in instruments.values():
        assert inst.scale_levels == (5, 4, 3, 2, 1)
        assert inst.scale_labels == scales[inst.scale]


def test_get_instrument(catalog):
    # BMA Q weighs 20 in table ค (seed 004 item 4): the catalog entry that names the instrument
    kpi = catalog["sat-bmaq"]
    assert kpi.weight == pytest.approx(20)
    assert get_instrument(kpi.instrument).code == "sat-bmaq"
    with pytest.raises(ValueError, match="valid instruments: sat-oss, sat-policy-tracking"):
        get_instrument("sat-unknown")
    with pytest.raises(ValueError, match="valid sections: 1, 2, 3, 4"):
        get_instrument("sat-oss").section("9")


def test_results_are_frozen_and_serialisable(instruments):
    inst = instruments["sat-oss"]
    with pytest.raises(AttributeError):
        inst.scale = "emoji5"  # type: ignore[misc]
    d = inst.to_dict()
    assert d["sections"][0]["items"][0]["code"] == "q1_1"
    assert d["scale_labels"]["5"] == "มากที่สุด"
    page = inst._repr_html_()
    assert "ด้านกระบวนงาน" in page and inst.questionnaire_th in page
    assert "weight" not in page  # the KPI's weight is the catalog's, not the instrument's


def test_explicit_path_matches_packaged(instruments):
    assert load_instruments(PACKAGED) == instruments


# --- bad files -------------------------------------------------------------------------------


def _document() -> dict:
    return yaml.safe_load(PACKAGED.read_text(encoding="utf-8"))


def _write(tmp_path: Path, document) -> Path:
    path = tmp_path / "instruments.yaml"
    text = document if isinstance(document, str) else yaml.safe_dump(document, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_yaml_syntax(tmp_path):
    path = _write(tmp_path, "instruments: [unclosed\n")
    with pytest.raises(ValueError, match="not valid YAML"):
        load_instruments(path)


def test_missing_file(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        load_instruments(tmp_path / "nope.yaml")


def test_not_a_mapping(tmp_path):
    with pytest.raises(ValueError, match="must be a mapping"):
        load_instruments(_write(tmp_path, "- a\n- b\n"))


def test_duplicate_item_codes(tmp_path):
    doc = _document()
    doc["instruments"]["sat-oss"]["sections"][1]["items"][0]["code"] = "q1_1"
    with pytest.raises(ValueError, match=r"instrument 'sat-oss': field 'sections'.*q1_1"):
        load_instruments(_write(tmp_path, doc))


def test_unknown_scale(tmp_path):
    doc = _document()
    doc["instruments"]["sat-wifi"]["scale"] = "likert7"
    with pytest.raises(ValueError, match=r"instrument 'sat-wifi': field 'scale'.*likert7"):
        load_instruments(_write(tmp_path, doc))


@pytest.mark.parametrize("field", ["respondents_th", "source", "sections", "scale"])
def test_missing_instrument_field(tmp_path, field):
    doc = _document()
    del doc["instruments"]["sat-bmaq"][field]
    with pytest.raises(ValueError, match=rf"instrument 'sat-bmaq': field '{field}' is missing"):
        load_instruments(_write(tmp_path, doc))


def test_missing_item_text(tmp_path):
    doc = _document()
    del doc["instruments"]["sat-it-support"]["sections"][2]["items"][1]["text_th"]
    with pytest.raises(ValueError, match=r"'sat-it-support', section '3', item 2: field 'text_th'"):
        load_instruments(_write(tmp_path, doc))


def test_unknown_field_is_rejected(tmp_path):
    doc = _document()
    doc["instruments"]["sat-oss"]["wieght"] = 10
    with pytest.raises(ValueError, match="field 'wieght' is not a known field"):
        load_instruments(_write(tmp_path, doc))


@pytest.mark.parametrize(
    ("field", "value"),
    [("table_item", 1), ("name_th", "ชื่อ"), ("name_en", "Name"), ("weight", 10),
     ("satisfaction_points", 10)],
)
def test_kpi_fields_are_refused_in_an_instrument(tmp_path, field, value):
    # A KPI's name, weight and table item live in catalog.yaml only (its weight is validated
    # there, see tests/test_catalog.py); an instrument repeating one is refused by name.
    doc = _document()
    doc["instruments"]["sat-oss"][field] = value
    with pytest.raises(ValueError, match=rf"instrument 'sat-oss': field '{field}' belongs to "
                                         r"the KPI.*catalog\.yaml"):
        load_instruments(_write(tmp_path, doc))


def test_scale_must_have_five_levels(tmp_path):
    doc = _document()
    del doc["scales"]["likert5"][3]
    with pytest.raises(ValueError, match="scale 'likert5': field 'levels'"):
        load_instruments(_write(tmp_path, doc))


def test_profile_column_clash(tmp_path):
    doc = _document()
    doc["instruments"]["sat-oss"]["profile_fields"][0]["column"] = "q4"
    with pytest.raises(ValueError, match="reuses column names.*q4"):
        load_instruments(_write(tmp_path, doc))


# --- one record per fact: the catalog owns the KPI, instruments.yaml the questionnaire --------

KPI_FIELDS = ("table_item", "name_th", "name_en", "weight", "satisfaction_points")


def test_instruments_yaml_has_no_kpi_fields():
    doc = _document()
    for code, raw in doc["instruments"].items():
        assert not set(KPI_FIELDS) & set(raw), code
    # and the dataclass has no such attribute either
    fields = {f.name for f in dataclasses.fields(Instrument)}
    assert not set(KPI_FIELDS) & fields


def test_every_instrument_is_used_by_exactly_one_catalog_kpi(catalog, instruments):
    users = {code: [k.code for k in catalog if k.instrument == code] for code in instruments}
    assert all(len(kpis) == 1 for kpis in users.values()), users
    # and every instrument a KPI names exists
    assert {k.instrument for k in catalog if k.instrument} <= set(instruments)
