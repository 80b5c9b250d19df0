"""District development targets (issue 10 item 5; seed 004 lines 480-504).

Every expected figure here is typed from the seed (the transcription) or computed by hand in
the test (the shares of the tiny tables, the sample's overall share with plain pandas); none is
taken from the package's own results.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kpianalysis as ka
from kpianalysis import DataValidationError
from kpianalysis import district_targets as dt
from kpianalysis import district_targets_report as show
from kpianalysis.bangkok import DISTRICTS

SEED_004 = Path(__file__).resolve().parent / "data" / "seeds" / "004_d48f5d17983ea448.txt"
NOTEBOOK = (Path(__file__).resolve().parents[1] / "src" / "kpianalysis" / "notebooks"
            / "district_targets.ipynb")
CODE = "district-development-targets"

# Seed 004, table "เป้าหมายการพัฒนา | H |": (item, unit in the parentheses, host H, line).
# Typed from the seed (KPI_SPEC §D lists the same items, units and hosts).
SEED_ROWS = [
    ("1", "กม.", "สนย.", 481),  # 1. พัฒนาถนนสวย (กม.) | สนย. |
    ("2", "ต้น", "สสล.", 482),  # 2. ปลูกต้นไม้ (ต้น) | สสล. |
    ("3", "แห่ง", "สสล.", 483),  # 3. เพิ่มสวน 15 นาที (แห่ง) | สสล. |
    ("4", "กม.", "สนย.", 484),  # 4. ปรับปรุงทางเท้า (กม.) | สนย. |
    ("5", "ดวง", "สนย.", 485),  # 5. ติดตั้ง/ซ่อม ไฟฟ้าส่องสว่าง (ดวง) | สนย. |
    ("6", "ดวง", "สนน.", 486),  # 6. ... ไฟฟ้าส่องสว่างริมคลอง (ดวง) | สนน. |
    ("7", "แห่ง", "สนท.", 487),  # 7. ยกเลิก/ยุบรวม พื้นที่หาบเร่แผงลอยนอกจุดผ่อนผัน (แห่ง) | สนท. |
    ("8", "แห่ง", "สนท.", 488),  # 8. ... Hawker Center ... (แห่ง) | สนท. |
    ("9", "จุด", "สนน.", 489),  # 9. แก้ไขจุดเสี่ยงน้ำท่วม (จุด) | สนน. |
    ("10", "แห่ง", "สจส.", 490),  # 10. แก้ปัญหาจุดจราจรฝืด (แห่ง) | สจส. |
    ("11(1)", "แห่ง", "สจส.", 491),  # 11. (1) แก้ไขจุดเสี่ยงอุบัติเหตุ (แห่ง) | สจส. |
    ("11(2)", "แห่ง", "สนท.", 492),  # 11. (2) แก้ไขจุดเสี่ยงอาชญากรรม (แห่ง) | สนท. |
    ("12", "แห่ง", "สวท.", 493),  # 12. ปรับปรุง/พัฒนา ลานกีฬา (แห่ง) | สวท. |
    ("13", "แห่ง", "สวท.", 495),  # 13. ปรับปรุง/พัฒนา บ้านหนังสือ (แห่ง) | สวท. |
    ("14", "แห่ง", "สพส.", 496),  # 14. ปรับปรุง/พัฒนา ศูนย์เด็กเล็ก (แห่ง) | สพส. |
    ("15", "แห่ง", "สนศ.", 497),  # 15. ปรับปรุงกายภาพโรงเรียน (แห่ง) | สนศ. |
    ("16", "% ของอาคารและ หลังคาเรือนในเขตที่สามารถจัดเก็บขยะได้มากกว่า 2 ครั้งต่อ สัปดาห์", "สสล.",
     498),
    ("17", "ชุมชน", "สพส.", 499),
    ("18", "มูลค่า เงินที่เบิกจ่าย", "สพส.", 500),
    ("19", "มูลค่าเงินที่เบิกจ่าย", "สนอ.", 501),
    ("20", "% จํานวนคําขอที่เขต สามารถให้บริการได้ภายในกรอบเวลาตามคู่มือประชาชน", "สยป.", 502),
    ("21", "กม.", "สนน.", 503),  # 21. ขุดลอกท่อ (กม.) | สนน. |
    ("22", "กม", "สนน.", 504),  # 22. ขุดลอก / เปิดทางน้ำไหล คลอง (กม) | สนน. |
]


@pytest.fixture(scope="module")
def targets() -> pd.DataFrame:
    return dt.load_targets()


# -- the transcription ------------------------------------------------------------------------

def test_transcription_has_the_seeds_22_items_23_rows_units_and_hosts(targets):
    assert len(targets) == 23
    assert targets["number"].nunique() == 22
    assert targets["number"].tolist() == [*range(1, 12), 11, *range(12, 23)]
    got = list(zip(targets["item"], targets["unit_th"], targets["host"], targets["seed_line"],
                   strict=True))
    assert got == SEED_ROWS
    assert set(targets["host"]) == {"สนย.", "สสล.", "สนน.", "สนท.", "สจส.", "สวท.", "สพส.", "สนศ.",
                                    "สนอ.", "สยป."}
    assert targets.loc[targets["percent"], "item"].tolist() == ["16", "20"]  # the "%" rows


@pytest.mark.skipif(not SEED_004.is_file(), reason="seed copy missing")
def test_each_row_reproduces_its_seed_line_exactly(targets):
    lines = SEED_004.read_text(encoding="utf-8").split("\n")
    assert lines[480 - 1] == lines[494 - 1] == "เป้าหมายการพัฒนา | H |"  # the table header
    for r in targets.itertuples():
        number = f"{r.number}. ({r.part}) " if r.part else f"{r.number}. "
        assert lines[r.seed_line - 1] == f"{number}{r.name_th} ({r.unit_th}) | {r.host} |"


@pytest.mark.skipif(not SEED_004.is_file(), reason="seed copy missing")
def test_rows_about_reducing_something_count_the_points_fixed(targets):
    # 004:487, 489-492 are worded as work done on points/areas (ยกเลิก/ยุบรวม, แก้ไข, แก้ปัญหา):
    # their unit counts what was fixed, so more is better; no row of the seed is at_most
    lines = SEED_004.read_text(encoding="utf-8").split("\n")
    verbs = {487: "7. ยกเลิก/ยุบรวม", 489: "9. แก้ไขจุดเสี่ยงน้ำท่วม", 490: "10. แก้ปัญหาจุดจราจรฝืด",
             491: "11. (1) แก้ไขจุดเสี่ยงอุบัติเหตุ", 492: "11. (2) แก้ไขจุดเสี่ยงอาชญากรรม"}
    for line, start in verbs.items():
        assert lines[line - 1].startswith(start)
    reduce = targets[targets["seed_line"].isin(list(verbs))]
    assert reduce["item"].tolist() == ["7", "9", "10", "11(1)", "11(2)"]
    assert set(targets["achieved_when"]) == {"at_least"}


def test_every_host_is_a_catalog_agency_and_existing_agencies_are_unchanged(targets):
    cat = ka.load_catalog()
    full = {"สนย.": "สำนักการโยธา", "สสล.": "สำนักสิ่งแวดล้อม", "สนน.": "สำนักการระบายน้ำ",
            "สนท.": "สำนักเทศกิจ", "สจส.": "สำนักการจราจรและขนส่ง",
            "สวท.": "สำนักวัฒนธรรม กีฬา และการท่องเที่ยว", "สพส.": "สำนักพัฒนาสังคม",
            "สนศ.": "สำนักการศึกษา", "สนอ.": "สำนักอนามัย", "สยป.": "สำนักยุทธศาสตร์และประเมินผล"}
    for host in targets["host"].unique():
        assert cat.resolve_agency(host) == full[host]
    assert show.agency_names(cat.agencies)["สยป."] == "สำนักยุทธศาสตร์และประเมินผล"
    assert cat.agencies["สำนักงานประชาสัมพันธ์"]["abbreviation"] is None


@pytest.mark.parametrize(("edit", "column", "row"), [
    (lambda t: t[3].pop("host"), "host", 4),
    (lambda t: t[2].update(item="3a"), "item", 3),
    (lambda t: t[5].update(achieved_when="less"), "achieved_when", 6),
    (lambda t: t[1].update(item="1"), "item", 1),  # item 1 twice (rows 1 and 2)
    (lambda t: t.pop(4), "item", 5),  # item 5 missing: 4 is followed by 6
    (lambda t: t[0].update(percent="no"), "percent", 1),
])
def test_a_bad_transcription_is_refused_naming_file_row_and_field(tmp_path, edit, column, row):
    import yaml

    doc = yaml.safe_load(
        (Path(dt.__file__).with_name("district_targets.yaml")).read_text(encoding="utf-8"))
    edit(doc["targets"])
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        dt.load_targets(path)
    assert str(path) in str(info.value) and info.value.column == column
    assert row in info.value.rows


# -- tiny hand-made tables --------------------------------------------------------------------

TINY_DISTRICTS = {1001: "พระนคร", 1002: "ดุสิต", 1003: "หนองจอก"}
TINY_ITEMS = ["1", "4", "9", "16"]  # hosts สนย., สนย., สนน., สสล.; 16 is a percentage row
TINY = [  # district, item, plan, actual  (hand scoring on the right: achieved, achievement %)
    (1001, "1", "2.0", "2.5"),    # yes, 100 (capped: 125 → 100)
    (1001, "4", "4", "3"),        # no, 75
    (1001, "9", "๕", "5"),        # yes, 100 (Thai digit five)
    (1001, "16", "90", "85.5"),   # no, 95
    (1002, "1", "1", "0.5"),      # no, 50
    (1002, "4", "0", "0"),        # no plan: left out
    (1002, "9", "2", "3"),        # yes, 100
    (1002, "16", "95", "95"),     # yes, 100
    (1003, "1", "3", "3"),        # yes, 100
    (1003, "4", "2", "2.2"),      # yes, 100
    (1003, "9", "4", "1"),        # no, 25
    (1003, "16", "80", "100"),    # yes, 100
]


def _tiny_targets(targets):
    return targets[targets["item"].isin(TINY_ITEMS)].reset_index(drop=True)


def _write(tmp_path, rows, name="plan_actual.csv"):
    path = tmp_path / name
    pd.DataFrame(rows, columns=["district_code", "item", "plan", "actual"]).to_csv(
        path, index=False, encoding="utf-8", lineterminator="\n")
    return path


@pytest.fixture
def tiny(tmp_path, targets):
    path = _write(tmp_path, TINY)
    return dt.analyse_district_targets(path, _tiny_targets(targets), districts=TINY_DISTRICTS)


def test_pair_scores_on_a_tiny_table(tiny):
    p = tiny.pairs
    assert p["achieved"].tolist() == [True, False, True, False, False, False, True, True, True,
                                      True, False, True]
    assert p["has_target"].sum() == 11
    expected = [100, 75, 100, 95, 50, np.nan, 100, 100, 100, 100, 25, 100]
    np.testing.assert_allclose(p["achievement"], expected)
    assert p["ratio"].iloc[0] == pytest.approx(1.25)  # uncapped ratio kept
    assert p.loc[1, "plan"] == 4 and p.loc[2, "plan"] == 5  # Thai digit read


def test_district_shares_and_ranking_on_a_tiny_table(tiny):
    d = tiny.districts.set_index("district_code")
    # 1001: 2 of 4; 1002: 2 of 3 (item 4 has no plan); 1003: 3 of 4
    assert d.loc[[1001, 1002, 1003], "with_target"].tolist() == [4, 3, 4]
    assert d.loc[[1001, 1002, 1003], "achieved"].tolist() == [2, 2, 3]
    assert d.loc[[1001, 1002, 1003], "share"].tolist() == pytest.approx([50, 200 / 3, 75])
    assert d.loc[[1001, 1002, 1003], "mean_achievement"].tolist() == pytest.approx(
        [(100 + 75 + 100 + 95) / 4, (50 + 100 + 100) / 3, (100 + 100 + 25 + 100) / 4])
    assert tiny.districts["district_code"].tolist() == [1003, 1002, 1001]
    assert tiny.districts["rank"].tolist() == [1, 2, 3]
    assert tiny.districts["district_th"].tolist() == ["หนองจอก", "ดุสิต", "พระนคร"]


def test_agency_shares_and_ranking_on_a_tiny_table(tiny):
    a = tiny.agencies.set_index("host")
    # สนย. hosts items 1 and 4: 5 pairs with a plan, achieved 1001×1, 1003×1, 1003×4
    assert a.loc["สนย.", ["rows", "pairs", "with_target", "achieved"]].tolist() == [2, 6, 5, 3]
    assert a.loc["สนย.", "share"] == pytest.approx(60)
    assert a.loc["สนย.", "mean_achievement"] == pytest.approx((100 + 75 + 50 + 100 + 100) / 5)
    assert a.loc["สนน.", "share"] == pytest.approx(200 / 3)  # item 9: 1001, 1002 of 3
    assert a.loc["สสล.", "share"] == pytest.approx(200 / 3)  # item 16: 1002, 1003 of 3
    # สนน. and สสล. tie on the share (rank 1 both); mean achievement orders them: 98.33 > 75
    assert tiny.agencies["host"].tolist() == ["สสล.", "สนน.", "สนย."]
    assert tiny.agencies["rank"].tolist() == [1, 1, 3]


def test_lagging_targets_and_overall_value_on_a_tiny_table(tiny):
    t = tiny.targets
    # item 4: 1 of 2 districts with a plan (50 %); items 9, 1, 16: 2 of 3 each, ordered by
    # mean achievement 75 < 83.33 < 98.33
    assert t["item"].tolist() == ["4", "9", "1", "16"]
    assert t["rank"].tolist() == [1, 2, 2, 2]
    assert t["share"].tolist() == pytest.approx([50, 200 / 3, 200 / 3, 200 / 3])
    assert t["mean_achievement"].tolist() == pytest.approx([87.5, 75, 250 / 3, 295 / 3])
    assert (tiny.n_pairs, tiny.n_with_target, tiny.n_achieved) == (12, 11, 7)
    assert tiny.percent == pytest.approx(700 / 11)
    assert tiny.n_without_target == 1


def test_an_at_most_row_is_achieved_when_actual_does_not_exceed_plan(tmp_path, targets):
    # no seed row is at_most (see the transcription); the rule itself, on a hand-made target
    tt = _tiny_targets(targets)
    tt.loc[tt["item"] == "9", "achieved_when"] = "at_most"
    a = dt.analyse_district_targets(_write(tmp_path, TINY), tt, districts=TINY_DISTRICTS)
    nine = a.pairs[a.pairs["item"] == "9"]
    # 1001: 5 <= 5 yes (100); 1002: 3 > 2 no (2/3 × 100); 1003: 1 <= 4 yes (100)
    assert nine["achieved"].tolist() == [True, False, True]
    assert nine["achievement"].tolist() == pytest.approx([100, 200 / 3, 100])


def test_money_with_thousands_separators_and_spaces_in_items(tmp_path, targets):
    tt = targets[targets["item"].isin(["11(2)", "18"])].reset_index(drop=True)
    rows = [(1001, "11 (2)", "3", "3"), (1001, "18", "4,000,000", "3,540,425.50")]
    pairs = dt.read_district_targets(_write(tmp_path, rows), tt, districts={1001: "พระนคร"})
    assert pairs["item"].tolist() == ["11(2)", "18"]
    assert pairs["actual"].tolist() == [3, 3_540_425.5]


# -- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize(("row", "column", "value", "message"), [
    (2, "district_code", "1099", "unknown district code"),
    (2, "district_code", "เขต1001", "DOPA district code"),
    (3, "item", "23", "unknown item"),
    (3, "item", "11(3)", "unknown item"),
    (4, "plan", "abc", "expected a number"),
    (4, "plan", "", "expected a number"),
    (5, "actual", "-1", "expected a number >= 0"),
    (4, "actual", "101", "between 0 and 100"),  # row 4 is item 16, a percentage row
])
def test_a_bad_value_is_refused_naming_file_row_and_column(tmp_path, targets, row, column,
                                                           value, message):
    frame = pd.DataFrame(TINY, columns=["district_code", "item", "plan", "actual"]).astype(str)
    frame.loc[row - 1, column] = value
    path = _write(tmp_path, frame.to_numpy().tolist())
    with pytest.raises(DataValidationError, match=re.escape(message)) as info:
        dt.read_district_targets(path, _tiny_targets(targets), districts=TINY_DISTRICTS)
    text = str(info.value)
    assert f"file {path}" in text and f"column '{column}'" in text and f"row {row}" in text
    assert info.value.rows == [row]


def test_a_pair_given_twice_is_refused_naming_both_rows(tmp_path, targets):
    rows = [*TINY, (1002, "9", "2", "3")]  # 1002 × 9 again, row 13
    path = _write(tmp_path, rows)
    with pytest.raises(DataValidationError, match=r"more than once") as info:
        dt.read_district_targets(path, _tiny_targets(targets), districts=TINY_DISTRICTS)
    assert info.value.rows == [7, 13] and info.value.column == "item"
    assert str(path) in str(info.value)


def test_a_missing_pair_is_refused_naming_the_pair(tmp_path, targets):
    path = _write(tmp_path, [r for r in TINY if (r[0], r[1]) != (1003, "16")])
    with pytest.raises(DataValidationError, match=r"1 \(district, item\) pair\(s\) missing: "
                                                  r"1003 หนองจอก × 16") as info:
        dt.read_district_targets(path, _tiny_targets(targets), districts=TINY_DISTRICTS)
    assert str(path) in str(info.value) and info.value.column == "item"


def test_the_full_file_needs_all_50_districts_and_23_rows(tmp_path, raw_dir):
    frame = pd.read_csv(raw_dir / "districts" / "district_targets_2567.csv", dtype=str,
                        keep_default_na=False)
    path = _write(tmp_path, frame.iloc[:-1].to_numpy().tolist())  # drop 1050 × 22
    with pytest.raises(DataValidationError, match=r"1050 บางบอน × 22"):
        dt.read_district_targets(path)


@pytest.mark.parametrize(("text", "message"), [
    ("", "the file is empty"),
    ("district_code,item,plan,actual\n", "header but no data rows"),
    ("district_code,item,plan\n1001,1,2\n", "missing actual"),
])
def test_an_empty_or_incomplete_file_is_refused(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError, match=message) as info:
        dt.read_district_targets(path)
    assert str(path) in str(info.value)


def test_the_engine_names_the_file_relative_to_the_data_root(tmp_path, raw_dir):
    root = tmp_path / "root"
    (root / "districts").mkdir(parents=True)
    text = (raw_dir / "districts" / "district_targets_2567.csv").read_text(encoding="utf-8")
    lines = text.split("\n")
    lines[5] = lines[5].replace("1001,", "9999,", 1)  # data row 5
    (root / "districts" / "district_targets_2567.csv").write_text("\n".join(lines),
                                                                  encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        ka.evaluate(CODE, data_root=root)
    assert str(info.value).startswith("file districts/district_targets_2567.csv; column "
                                      "'district_code'; row 5:")


# -- the KPI on the bundled sample ------------------------------------------------------------

def test_result_on_the_bundled_sample_matches_a_plain_pandas_count(raw_dir):
    raw = pd.read_csv(raw_dir / "districts" / "district_targets_2567.csv", dtype=str)
    plan = raw["plan"].str.replace(",", "").astype(float)
    actual = raw["actual"].str.replace(",", "").astype(float)
    with_plan = plan > 0
    achieved = with_plan & (actual >= plan)  # every seed row: actual >= plan
    r = ka.evaluate(CODE, data_root=raw_dir)
    assert r.value == pytest.approx(achieved.sum() * 100 / with_plan.sum())
    assert (r.details["pairs"], r.details["pairs_with_target"], r.details["pairs_achieved"]) == (
        50 * 23, int(with_plan.sum()), int(achieved.sum()))
    assert r.target_met is None and r.level is None and r.points is None
    assert r.target == 100 and r.unit == "ร้อยละ"
    codes = [f.code for f in r.flags]
    assert codes[:2] == ["sample_data", "no_overall_target"]
    assert "pairs_without_plan" in codes
    per_district = (achieved.groupby(raw["district_code"]).sum() * 100
                    / with_plan.groupby(raw["district_code"]).sum())
    got = {d["district_code"]: d["share"] for d in r.details["by_district"]}
    assert got == pytest.approx({int(k): v for k, v in per_district.items()})
    assert r.evidence[0].path == "districts/district_targets_2567.csv"
    json.dumps(r.to_dict())  # JSON-ready


def test_sample_regenerates_byte_for_byte_and_is_not_flattering(raw_dir, tmp_path):
    from kpianalysis.sample_data.district_targets import FILE, write_district_targets

    (path,) = write_district_targets(tmp_path)
    assert path.read_bytes() == (raw_dir / FILE).read_bytes()
    a = dt.analyse_district_targets(raw_dir / FILE)
    assert sorted(a.districts["district_code"]) == sorted(DISTRICTS)
    assert a.percent < 80  # some lag …
    assert (a.districts["share"] < 50).any() and (a.districts["share"] > 80).any()
    assert (a.targets["share"] < 50).sum() >= 3
    assert a.n_without_target > 0


def test_catalog_entry_and_report_family():
    cat = ka.load_catalog()
    k = cat.get(CODE)
    assert k.rubric_kind == "district_targets" and k.report == "district_targets"
    assert k.name_th == "เป้าหมายการพัฒนา"  # 004:480, the table's heading
    from kpianalysis.kinds import REPORT_FAMILIES

    assert REPORT_FAMILIES["district_targets"] == NOTEBOOK.name and NOTEBOOK.is_file()


# -- the report pieces ------------------------------------------------------------------------

def test_report_pieces_escape_every_data_derived_text(tmp_path, targets):
    evil = "<script>alert(1)</script>"
    tt = _tiny_targets(targets)
    tt.loc[0, "name_th"] = "<b>ถนน</b>"
    tt.loc[0, "unit_th"] = "<i>กม.</i>"
    districts = {1001: evil, 1002: "ดุสิต & <u>", 1003: "หนองจอก"}
    a = dt.analyse_district_targets(_write(tmp_path, TINY), tt, districts=districts)
    names = {"สนย.": "<img src=x onerror=alert(1)>"}
    pieces = [show.districts_table(a, "x<y", True), show.agencies_table(a, "s", names, True),
              show.targets_table(a, "s", True), show.lagging_text(a),
              show.transcription_table(tt, "s"), show.method_text(a),
              show.pairs_download(a, "s", True)]
    html = "".join(pieces)
    for raw in (evil, "<b>ถนน</b>", "<i>กม.</i>", "<img", "<u>", "x<y"):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;ถนน&lt;/b&gt;" in html and "&lt;img src=x" in html
    # the CSV travels URL-encoded inside the link and holds the raw value
    href = re.search(r"href='([^']+)'", pieces[0]).group(1)
    assert evil in urllib.parse.unquote(href)
    # charts take the same labels without error
    show.districts_chart(a, True)
    show.agencies_chart(a, names, True)


def test_every_table_is_downloadable_and_labelled_illustrative_on_sample_data(raw_dir, targets):
    a = dt.analyse_district_targets(raw_dir / "districts" / "district_targets_2567.csv")
    for piece in (show.districts_table(a, "s", True), show.agencies_table(a, "s", None, True),
                  show.targets_table(a, "s", True), show.transcription_table(targets, "s"),
                  show.pairs_download(a, "s", True)):
        assert "download=" in piece and "data:text/csv" in piece
    for piece in (show.districts_table(a, "s", True), show.agencies_table(a, "s", None, True),
                  show.targets_table(a, "s", True), show.pairs_download(a, "s", True)):
        assert show.ILLUSTRATIVE_TH in piece
    assert show.ILLUSTRATIVE_TH not in show.districts_table(a, "s", False)
    fig = show.districts_chart(a, True)
    assert show.ILLUSTRATIVE_TH in fig.axes[0].get_title()
    assert len(fig.axes[0].patches) == 50
    r = ka.evaluate(CODE, data_root=raw_dir)
    assert "ข้อมูลสมมุติ" in show.illustrative_note(r)


def test_notebook_is_a_family_notebook_with_the_generic_head():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    cells = nb["cells"]
    params = "".join(cells[0]["source"])
    assert "parameters" in cells[0]["metadata"]["tags"]
    assert params.rstrip().endswith("_declared = set(globals())  # names before Papermill's "
                                    "injected cell")
    setup = "".join(cells[1]["source"])
    assert "report-hide" in cells[1]["metadata"]["tags"]
    assert setup.split("\n")[2] == "_refuse_unknown(globals(), _declared)  # a misspelt -p name " \
                                   "is an error"
    head = "".join(cells[2]["source"])
    for piece in ("page.title", "page.plain_summary", "page.data_status_banner",
                  "page.headline", "show.illustrative_note"):
        assert piece in head
    code = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    for piece in ("page.ladder_table", "page.flags_list", "page.rules_table",
                  "show.districts_chart", "show.agencies_table", "show.targets_table",
                  "page.provenance_table"):
        assert piece in code
    last = "".join(cells[-1]["source"])
    assert last.startswith("# NBVAL_CHECK_OUTPUT") and "report-hide" in cells[-1]["metadata"][
        "tags"] and "page.check_line(result)" in last
    assert not any(c.get("outputs") for c in cells if c["cell_type"] == "code")


# -- the built report (only this KPI; the full e2e suite builds every report) ------------------

@pytest.mark.e2e
def test_report_builds_offline_with_rankings_downloads_and_the_illustrative_label(
        tmp_path, raw_dir):
    from kpianalysis.build import build_reports
    from kpianalysis.html_export import find_network_references

    out = tmp_path / "out"
    (outcome,) = build_reports(raw_dir, tmp_path / "processed", out, only=[CODE], index=False)
    assert outcome.ok, outcome.error
    html = (out / f"{CODE}_2567.html").read_text(encoding="utf-8")
    doc = json.loads((out / f"{CODE}_2567.json").read_text(encoding="utf-8"))
    assert find_network_references(html) == [] and "Traceback" not in html
    assert "import kpianalysis" not in html
    assert doc["name_th"] in html and doc["value_text"] in html
    assert "ข้อมูลตัวอย่าง (สังเคราะห์)" in html and show.ILLUSTRATIVE_TH in html
    for suffix in ("districts", "agencies", "targets", "target_list", "pairs"):
        assert f'{CODE}_2567_{suffix}.csv' in html
    for alt in ("อันดับเขตตามสัดส่วนเป้าหมายที่ได้ผลถึงแผน", "อันดับหน่วยงานเจ้าภาพ ("):
        assert f'alt="{alt}' in html  # the two charts, by their alternative text
    assert "อันดับเขต" in html and "อันดับหน่วยงานเจ้าภาพ" in html and "ล่าช้า" in html
    pairs = pd.read_parquet(tmp_path / "processed" / f"{CODE}_2567.parquet")
    assert len(pairs) == 50 * 23


@pytest.mark.e2e
def test_a_bad_file_builds_nothing_for_this_kpi_and_the_others_still_build(tmp_path, raw_dir):
    import shutil

    from kpianalysis.build import build_reports

    root = tmp_path / "raw"
    shutil.copytree(raw_dir, root)
    path = root / "districts" / "district_targets_2567.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[3] = "1001,3,สาม,3"  # data row 3: a plan that is not a number
    path.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "out"
    outcomes = build_reports(root, tmp_path / "processed", out, only=[CODE, "5.3.1.2"],
                             index=False)
    got = {o.name: o.ok for o in outcomes}
    assert {k: v for k, v in got.items() if not k.startswith("action_plan_")} == {
        f"{CODE}_2567": False, "5.3.1.2_2567": True}  # (the action plan reading 5.3.1.2 too)
    assert not (out / f"{CODE}_2567.json").exists() and not (out / f"{CODE}_2567.html").exists()
    error = (out / f"{CODE}_2567.error.txt").read_text(encoding="utf-8")
    assert ("file districts/district_targets_2567.csv; column 'plan'; row 3: invalid value(s) "
            "'สาม'") in error
