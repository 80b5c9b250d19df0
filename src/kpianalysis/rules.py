"""The rules the source documents leave open (KPI_SPEC §G), as named options.

Each rule has a name, the section of KPI_SPEC §G that decides it, the official choice (the
project's binding default) and the alternatives a user may ask for by name. The catalog
(``catalog.yaml``, top-level ``rules:``) holds the defaults; a KPI entry may override them
(``rules:`` in the entry) and :func:`kpianalysis.evaluate` takes them as keyword options.
Every :class:`~kpianalysis.result.KPIResult` records the choices applied, and the engines
recompute the result under the alternative whenever it would change the level.

>>> from kpianalysis.rules import RULES
>>> RULES["missing_answers"].official
'official'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

__all__ = ["RULES", "Rule", "RuleError", "check_rules"]


class RuleError(ValueError):
    """An unknown rule name or choice; the message lists the valid ones."""


@dataclasses.dataclass(frozen=True)
class Rule:
    """One open rule of KPI_SPEC §G.

    Attributes
    ----------
    name : str
        Option name (``missing_answers`` …).
    section : str
        ``"G.1"`` … ``"G.7"``.
    official : str
        The choice §G makes the default.
    choices : dict of str → str
        Every valid choice with its Thai description (shown in reports).
    why_th : str
        One Thai sentence saying why the official choice is official.
    """

    name: str
    section: str
    official: str
    choices: dict[str, str]
    why_th: str

    def check(self, choice: Any, where: str = "") -> str:
        """Return ``choice`` if valid, else raise :class:`RuleError` listing the choices."""
        if choice not in self.choices:
            raise RuleError(f"{where}rule {self.name!r} has no choice {choice!r}; valid choices "
                            f"are {', '.join(sorted(self.choices))}")
        return str(choice)

    def alternatives(self, choice: str) -> list[str]:
        """The choices other than ``choice``."""
        return [c for c in self.choices if c != choice]


RULES: dict[str, Rule] = {r.name: r for r in (
    Rule("missing_answers", "G.1", "official", {
        "official": "คะแนนเฉลี่ย = ผลรวมคะแนน / จำนวนข้อคำถามทั้งหมด (ข้อที่ไม่ตอบได้ 0) "
                    "และ C = แบบสอบถามที่ตอบอย่างน้อย 1 ข้อ",
        "answered_mean": "คะแนนเฉลี่ยจากข้อที่ตอบ เมื่อตอบครบตามสัดส่วนขั้นต่ำ (min_answered_share, "
                         "ค่าเริ่มต้นร้อยละ 80 ของข้อคำถาม)",
    }, "เอกสารกำหนดให้หารด้วยจำนวนข้อคำถาม (004:422) และนับ C จากแบบสอบถามที่ส่งกลับทั้งหมด"),
    Rule("survey_rounds", "G.2", "pooled", {
        "pooled": "รวมแบบสอบถามทุกรอบของปีงบประมาณ (นับทุกฉบับครั้งเดียว)",
        "latest": "ใช้เฉพาะรอบล่าสุดของปีงบประมาณ",
    }, "เอกสารให้นับ B จากจำนวนแบบสอบถาม (004:425) และปีหนึ่งมีการสำรวจ 2 รอบ"),
    Rule("weights", "G.3", "unweighted", {
        "unweighted": "ค่า A ทางการ = B × 100 / C ไม่ถ่วงน้ำหนัก ค่าประมาณตามแผนการสุ่มแสดงประกอบ",
        "design_based": "ใช้ค่าประมาณตามแผนการสุ่ม (ถ่วงน้ำหนัก) ในการให้ระดับ",
    }, "สูตรในเอกสารคือ B × 100 / C ซึ่งไม่มีการถ่วงน้ำหนัก"),
    Rule("awareness_formula", "G.4", "all_respondents", {
        "all_respondents": "ผู้รับรู้ × 100 / ผู้ตอบกลุ่มเป้าหมายทั้งหมด (ทุกรอบ ทุกวิธีเก็บข้อมูล)",
        "raked_field_sample": "ค่าประมาณจากตัวอย่างลงพื้นที่ (ตัวอย่างความน่าจะเป็น) "
                              "ถ่วงน้ำหนักให้ตรงกับโครงสร้างประชากร",
    }, "สูตรในเอกสาร (seed 000) คำนวณจากผู้ตอบกลุ่มเป้าหมายทั้งหมด"),
    Rule("it_composite", "G.5", "points_out_of_10", {
        "points_out_of_10": "แสดงคะแนนรวม (ความพึงพอใจ 0–5 + SLA 0–5) จาก 10 ไม่แปลงเป็นระดับ",
        "derived_level": "แปลงคะแนนรวมเป็นระดับ = คะแนนรวม / 2",
    }, "เอกสารกำหนดคะแนนสองส่วนรวมกัน แต่ไม่ได้กำหนดระดับของผลรวม"),
    Rule("undefined_rubric_rows", "G.6", "flag", {
        "flag": "ให้ระดับตามหลักฐาน และระบุชัดเจนว่าระดับนั้นอาศัยเกณฑ์ที่เอกสารไม่ได้กำหนด",
        "cap_at_defined": "ให้ระดับสูงสุดเท่าที่เอกสารกำหนดเกณฑ์ไว้เท่านั้น",
    }, "ห้ามสร้างเกณฑ์ที่ขาดหายขึ้นเองโดยไม่แจ้ง: ระดับที่อาศัยเกณฑ์ที่ไม่มีในเอกสารต้องถูกระบุ"),
    Rule("data_status", "G.7", "auto", {
        "auto": "อ่านสถานะข้อมูลจากไฟล์ dataset.yaml ของโฟลเดอร์ข้อมูล",
        "sample": "ข้อมูลตัวอย่าง (สังเคราะห์) ที่มากับแพ็กเกจ",
        "agency": "ข้อมูลจริงของหน่วยงาน",
    }, "ทุกผลลัพธ์ต้องบอกว่าสร้างจากข้อมูลตัวอย่างหรือข้อมูลของหน่วยงาน"),
)}


def check_rules(rules: Mapping[str, Any], where: str = "") -> dict[str, str]:
    """Validate a mapping of rule name → choice; return it as plain strings.

    Raises
    ------
    RuleError
        An unknown rule name or choice (the message lists the valid ones).
    """
    out = {}
    for name, choice in rules.items():
        if name not in RULES:
            raise RuleError(f"{where}unknown rule {name!r}; valid rules are "
                            f"{', '.join(RULES)}")
        out[str(name)] = RULES[name].check(choice, where)
    return out
