"""KPI 0411-2029 from its four evidence sources (seed 003:73; KPI_SPEC §D, issue 10 item 7)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

import kpianalysis as ka
from kpianalysis import DataValidationError


@pytest.fixture(scope="module")
def result(raw_dir):
    return ka.evaluate("0411-2029", data_root=raw_dir)


def test_the_sample_sources_carry_the_seed_figures(result):
    sources = {row["source_no"]: row for row in result.details["sources"]}
    assert sorted(sources) == [1, 2, 3, 4]  # 003:73 names four sources
    assert sources[2]["measure"] == 409  # 003:59 "รวมทั้งสิ้นจำนวน 409 ครั้ง"
    assert sources[3]["measure"] == 3  # 003:59 "จัดกิจกรรมสร้างการมีส่วนร่วมจำนวน 3 ครั้ง"
    assert sources[4]["measure"] == pytest.approx(84.80)  # KPI_SPEC §D: 84.80 % satisfied
    assert sources[1]["date"].startswith("2023-07-06")  # 003:59 ลงวันที่ 6 กรกฎาคม 2566
    assert "evidence_source_missing" not in [f.code for f in result.flags]
    shown = [i.status for i in result.items if i.item.startswith("แหล่งข้อมูลที่ 4")]
    assert shown == ["ดำเนินการแล้ว; 84.80 ร้อยละ"]


def _with_sources(raw_dir, tmp_path, edit):
    root = tmp_path / "raw"
    shutil.copytree(raw_dir, root)
    path = root / "rubric" / "0411-2029_sources.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(frame).to_csv(path, index=False)
    return root


def test_fewer_than_three_activities_is_flagged(raw_dir, tmp_path):
    # 003:73: "ไม่น้อยกว่า 3 กิจกรรม"
    def two(frame):
        frame.loc[frame["source_no"] == "3", "measure"] = "2"
        return frame

    r = ka.evaluate("0411-2029", data_root=_with_sources(raw_dir, tmp_path, two))
    flag = next(f for f in r.flags if f.code == "evidence_source_missing")
    assert "แหล่งที่ 3" in flag.message_th


def test_a_missing_source_is_flagged(raw_dir, tmp_path):
    root = _with_sources(raw_dir, tmp_path, lambda f: f[f["source_no"] != "4"])
    r = ka.evaluate("0411-2029", data_root=root)
    assert "แหล่งที่ 4" in next(f for f in r.flags if f.code == "evidence_source_missing"
                                ).message_th


@pytest.mark.parametrize(("column", "value", "words"), [
    ("measure", "ประมาณ 400", "must be a number"),
    ("source_no", "1", "distinct whole numbers"),
    ("date", "31/02/2566", "date"),
])
def test_bad_sources_file(raw_dir, tmp_path, column, value, words):
    def spoil(frame):
        frame.loc[1, column] = value
        return frame

    with pytest.raises(DataValidationError, match=words) as exc:
        ka.evaluate("0411-2029", data_root=_with_sources(raw_dir, tmp_path, spoil))
    assert "0411-2029_sources.csv" in str(exc.value)
