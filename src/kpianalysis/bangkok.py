"""Reference facts about Bangkok used for sampling frames, weighting and labels.

District codes are the Department of Provincial Administration (DOPA) codes 1001–1050; the
population totals are the registered population of 2023 (พ.ศ. 2566) from the National
Statistical Office (KPI_SPEC section F).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["BANGKOK_POPULATION_2566", "DISTRICTS", "districts"]

#: Registered population of Bangkok, 2023 (NSO Bulletin of Statistics Q1/2567, Table 1.1;
#: Statistical Yearbook Thailand 2024, Table 7.1).
BANGKOK_POPULATION_2566: dict[str, int] = {
    "total": 5_471_588,
    "male": 2_555_426,
    "female": 2_916_162,
}

#: The 50 districts (เขต) of Bangkok by DOPA code.
DISTRICTS: dict[int, str] = {
    1001: "พระนคร", 1002: "ดุสิต", 1003: "หนองจอก", 1004: "บางรัก", 1005: "บางเขน",
    1006: "บางกะปิ", 1007: "ปทุมวัน", 1008: "ป้อมปราบศัตรูพ่าย", 1009: "พระโขนง",
    1010: "มีนบุรี", 1011: "ลาดกระบัง", 1012: "ยานนาวา", 1013: "สัมพันธวงศ์", 1014: "พญาไท",
    1015: "ธนบุรี", 1016: "บางกอกใหญ่", 1017: "ห้วยขวาง", 1018: "คลองสาน", 1019: "ตลิ่งชัน",
    1020: "บางกอกน้อย", 1021: "บางขุนเทียน", 1022: "ภาษีเจริญ", 1023: "หนองแขม",
    1024: "ราษฎร์บูรณะ", 1025: "บางพลัด", 1026: "ดินแดง", 1027: "บึงกุ่ม", 1028: "สาทร",
    1029: "บางซื่อ", 1030: "จตุจักร", 1031: "บางคอแหลม", 1032: "ประเวศ", 1033: "คลองเตย",
    1034: "สวนหลวง", 1035: "จอมทอง", 1036: "ดอนเมือง", 1037: "ราชเทวี", 1038: "ลาดพร้าว",
    1039: "วัฒนา", 1040: "บางแค", 1041: "หลักสี่", 1042: "สายไหม", 1043: "คันนายาว",
    1044: "สะพานสูง", 1045: "วังทองหลาง", 1046: "คลองสามวา", 1047: "บางนา", 1048: "ทวีวัฒนา",
    1049: "ทุ่งครุ", 1050: "บางบอน",
}


def districts() -> pd.DataFrame:
    """The 50 districts as a frame: ``district_code``, ``district_th``, ``office_th``."""
    return pd.DataFrame(
        {
            "district_code": list(DISTRICTS),
            "district_th": list(DISTRICTS.values()),
            "office_th": [f"สำนักงานเขต{name}" for name in DISTRICTS.values()],
        }
    )
