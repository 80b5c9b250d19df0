"""Seeded generator of the rubric-KPI sample inputs in ``data/raw/rubric/``.

What reproduces a seed and what is illustrative:

* ``0411-2029_progress.csv`` — seed 003: cumulative plan 10/30/70/100 %, results
  10.00/30.00/70.00/100.00, the evaluator's scores 100, (blank), 100, 100 (``assessed = no``
  for Q2). Report dates of Q2 and Q3 are the seed's last monthly reports; Q1 and Q4 (no date in
  the seed) use the quarter's last day. The dates mix ``dd/mm/BBBB``, ``m/d/CCCC`` and Thai
  digits on purpose, as the seeds do.
* ``social-media-proactive_evidence.csv`` — seed 002: level texts 1–3 as in the seed, levels
  4–5 are placeholders (the seed's text stops at level 3); all met → level 5 (the seed reports
  5.00). Dates are the seed's monthly report dates, in both forms.
* ``sat-bmaq_evidence.csv`` — the extra level-5 condition of BMA Q (seed 004 table ค item 4:
  a report of results, problems and suggestions to BMA executives); synthetic status and date.
* Everything else (livable-city issue counts, GIS milestones, IT tickets, training scores,
  committees, decentralisation missions, project steps, infrastructure steps, the 77 units of
  KPI 7.5.4.1) is synthetic and deliberately not
  flattering: several KPIs miss their target.
* The seed-004 §D2 tables (KPIs 4.1.4.1, 5.1.1.1, 7.2.1.2, 7.2.2.1, 7.2.2.2, the table ข
  guideline and its satisfaction ratings, the 52 Wi-Fi sites and their outages) are synthetic
  too; only the five service areas of 5.1.1.1 (004:111) and the 52 sites (004:623) follow
  the seed. Each has its own generator seeded from ``SEED`` and a tag.

Regenerate with ``python -m kpianalysis.sample_data.rubric_inputs --out data/raw`` (same seed →
same bytes).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from ..bangkok import DISTRICTS

__all__ = ["SEED", "generate_rubric_inputs", "write_rubric_inputs"]

SEED = 25670502


def _progress() -> pd.DataFrame:
    return pd.DataFrame({
        "fiscal_year": [2566] * 4,
        "quarter": [1, 2, 3, 4],
        "report_date": ["31/12/2565", "31/03/2566", "6/30/2023", "๓๐/๐๙/๒๕๖๖"],
        "plan_percent": [10, 30, 70, 100],
        "actual_percent": ["10.00", "30.00", "70.00", "100.00"],
        "assessed": ["yes", "no", "yes", "yes"],
        "note": [
            "จัดทำแผนประชาสัมพันธ์รณรงค์ฯ และเสนอผู้บริหารกรุงเทพมหานครเพื่ออนุมัติแผนฯ",
            "ผลิตและเผยแพร่สื่อรณรงค์ประชาสัมพันธ์ตามแผนฯ (สยป. ไม่ได้ให้คะแนนไตรมาสนี้)",
            "เผยแพร่สื่อรณรงค์ 30 ครั้ง ยอดผู้เข้าถึง 1,104,325 คน",
            "ดำเนินการได้ครบทุกขั้นตอนตามแผนฯ; ประชาชนร้อยละ 84.80 มีความพึงพอใจ",
        ],
    })


def _progress_sources() -> pd.DataFrame:
    """The four evidence sources of KPI 0411-2029 (seed 003:73) with the figures the seed
    reports for FY2566 (003:59): the plan approved by letter กท. 0408/3009 of 6 July 2566,
    409 media items, 3 participation activities; the survey's 84.80 % (KPI_SPEC §D)."""
    return pd.DataFrame({
        "source_no": [1, 2, 3, 4],
        "source": [
            "แผนประชาสัมพันธ์การรณรงค์วินัยพลเมืองของกรุงเทพมหานคร",
            "จำนวนสื่อประชาสัมพันธ์รณรงค์สิทธิและระเบียบวินัยพลเมืองในเรื่องจราจร ความสะอาด "
            "คอร์รัปชั่น และสิ่งแวดล้อมทางสื่อออนไลน์ และการสื่อสารภายในองค์กรตามแผนที่กำหนด",
            "สรุปผลการจัดกิจกรรมการมีส่วนร่วมของลุ่มเป้าหมายผ่านช่องทางที่กำหนด ไม่น้อยกว่า 3 กิจกรรม",
            "ผลสำรวจการรับรู้และความพึงพอใจของประชาชนต่อรูปแบบและชุดข้อมูลประชาสัมพันธ์ที่เผยแพร่"
            "ในช่องทางที่ตอบสนองต่อรสนิยมการบริโภคสื่อของคนเมือง",
        ],
        "measure": ["", "409", "3", "84.80"],
        "unit": ["", "ครั้ง", "กิจกรรม", "ร้อยละ"],
        "status": ["done", "done", "done", "done"],
        "date": ["6/07/2566", "๓๐/๐๙/๒๕๖๖", "30/09/2566", "9/30/2023"],
    })


_SOCIAL_MEDIA_LEVELS = [
    "มีแผนการพัฒนาสื่อสังคมออนไลน์เสริมสร้างการรับรู้เชิงรุก",
    "มีการจัดเก็บและเผยแพร่ข้อมูล ข่าวสาร ปฏิทินกิจกรรม ข้อมูลเกี่ยวกับองค์กรและส่วนราชการของ"
    "กรุงเทพมหานคร ข้อมูลการให้บริการ ภาพถ่ายกิจกรรม หนังสืออิเล็กทรอนิกส์ (e-book) และสถิติที่"
    "สำคัญของกรุงเทพมหานคร รวมถึงมีแบบฟอร์มต่าง ๆ ให้สามารถดาวน์โหลดใช้งานได้",
    "มีการปรับปรุงและบริหารจัดการสื่อสังคมออนไลน์ของสำนักงานประชาสัมพันธ์กรุงเทพมหานคร เพื่อสร้าง"
    "และกระตุ้นการรับรู้ เกิดภาพลักษณ์ที่ชัดเจน โดดเด่น และแตกต่าง ประชาชนสามารถจดจำความสำคัญของ"
    "กรุงเทพมหานคร ด้วยบทบาทภารกิจและหน้าที่รับผิดชอบที่ถูกต้อง",
    "ผลการดำเนินงานระดับ 4 ตามที่หน่วยงานรายงาน (เอกสารต้นฉบับไม่ได้ระบุเกณฑ์ของระดับนี้)",
    "ผลการดำเนินงานระดับ 5 ตามที่หน่วยงานรายงาน (เอกสารต้นฉบับไม่ได้ระบุเกณฑ์ของระดับนี้)",
]


def _social_media() -> pd.DataFrame:
    return pd.DataFrame({
        "level": [1, 2, 3, 4, 5],
        "criterion": _SOCIAL_MEDIA_LEVELS,
        "status": ["done"] * 5,
        "date": ["28/10/2563", "31/03/2564", "6/30/2021", "30/08/2564", "30/09/2564"],
    })


def _gis() -> pd.DataFrame:
    crit = [
        "ผู้รับจ้างติดตั้งโปรแกรมฯ และถ่ายทอดองค์ความรู้ให้เจ้าหน้าที่กองสารสนเทศภูมิศาสตร์",
        "ประชุมหารือร่วมกับผู้ที่เกี่ยวข้อง (สำนักอนามัย)",
        "ประชุมหารือร่วมกับผู้ที่เกี่ยวข้อง (สำนักสิ่งแวดล้อม)",
        "นำชุดข้อมูล (ด้านสิ่งแวดล้อม) เข้าสู่ศูนย์ข้อมูล (Data Center) พร้อม Data Cleansing",
        "วิเคราะห์เชิงพื้นที่ (GIS Data Analytics) และเผยแพร่ชุดข้อมูลเปิดผ่านทางเว็บไซต์",
        "ถ่ายทอดองค์ความรู้ และความพึงพอใจระดับมาก - มากที่สุด ไม่น้อยกว่าร้อยละ 80",
    ]
    return pd.DataFrame({
        "level": [1, 2, 2, 3, 4, 5],
        "criterion": crit,
        "status": ["done", "done", "done", "done", "pending", "pending"],
        "date": ["15/01/2567", "2/20/2024", "๒๘/๐๒/๒๕๖๗", "30/05/2567", "", ""],
    })


def _livable(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = 28
    n_ind = rng.integers(1, 7, size=n)
    has_data = np.ones(n, dtype=bool)
    has_data[[9, 22]] = False  # two issues still lack data
    published = has_data.copy()
    published[17] = False  # one with data not yet published as open data
    issues = pd.DataFrame({
        "issue_no": np.arange(1, n + 1),
        "issue_name": [f"ประเด็นการพัฒนาที่ {i}" for i in range(1, n + 1)],
        "n_indicators": n_ind,
        "has_data": np.where(has_data, "yes", "no"),
        "published_open_data": np.where(published, "yes", "no"),
    })
    report = pd.DataFrame({
        "criterion": ["รายงานผลการดำเนินงาน ปัญหา อุปสรรค ข้อเสนอแนะ "
                      "รายงานผู้บริหารกรุงเทพมหานครทราบ"],
        "status": ["pending"],
        "date": [""],
    })
    return issues, report


#: Seed 004 table ค item 4, level 5: the condition beside A >= 80 % (text as in the catalog).
BMAQ_REPORT = "มีรายงานผลการดำเนินงาน ปัญหา อุปสรรค ข้อเสนอแนะ รายงานผู้บริหารกรุงเทพมหานครทราบ"


def _bmaq_report() -> pd.DataFrame:
    return pd.DataFrame({"criterion": [BMAQ_REPORT], "status": ["done"], "date": ["27/09/2567"]})


def _tickets(rng: np.random.Generator) -> pd.DataFrame:
    n = 264
    start = pd.Timestamp("2023-10-02 08:30")
    # office hours opening times spread over the fiscal year 2567
    day = rng.integers(0, 360, size=n)
    minute = rng.integers(0, 8 * 60, size=n)
    opened = start + pd.to_timedelta(day, unit="D") + pd.to_timedelta(minute, unit="min")
    category = rng.choice(["network", "hardware", "software", "account"], size=n,
                          p=[0.35, 0.25, 0.25, 0.15])
    sla = pd.Series(category).map({"network": 4, "hardware": 24, "software": 8,
                                   "account": 2}).to_numpy()
    # resolution time as a multiple of the SLA: most well inside, a tail beyond it
    ratio = rng.lognormal(mean=-0.75, sigma=0.62, size=n)
    hours = np.round(sla * ratio, 2)
    resolved = opened + pd.to_timedelta(hours, unit="h")
    order = np.argsort(opened.to_numpy(), kind="stable")
    opened, resolved = opened[order], resolved[order]
    category, sla = category[order], sla[order]
    resolved_s = pd.Series(resolved.strftime("%Y-%m-%d %H:%M"))
    resolved_s.iloc[-3:] = ""  # three still open at the end of the year
    resolved_s.iloc[5] = (opened[5] + pd.Timedelta(hours=int(sla[5]))).strftime(
        "%Y-%m-%d %H:%M")  # exactly on the deadline: counts as met
    codes = list(DISTRICTS)
    return pd.DataFrame({
        "ticket_id": [f"IT67-{i + 1:04d}" for i in range(n)],
        "district_code": rng.choice(codes, size=n),
        "category": category,
        "opened": pd.Series(opened.strftime("%Y-%m-%d %H:%M")),
        "resolved": resolved_s,
        "sla_hours": sla,
    })


def _training(rng: np.random.Generator) -> pd.DataFrame:
    scores = np.clip(np.round(rng.normal(78, 8, size=41)), 35, 98).astype(int)
    boundary = np.array([50, 51, 70, 71, 80, 81])  # the edges of every band
    scores = np.concatenate([scores, boundary])
    return pd.DataFrame({"trainee_id": [f"T{i + 1:03d}" for i in range(scores.size)],
                         "score": scores})


def _committees(rng: np.random.Generator) -> pd.DataFrame:
    n = 77
    total = rng.integers(7, 21, size=n)
    share = rng.beta(5, 8, size=n)
    citizens = np.round(total * share).astype(int)
    total[:3], citizens[:3] = 10, 3  # exactly 30 %
    total[3], citizens[3] = 13, 4  # 30.77 %
    total[4], citizens[4] = 17, 5  # 29.41 %
    names = list(DISTRICTS.values())
    return pd.DataFrame({
        "committee_id": [f"K{i + 1:02d}" for i in range(n)],
        "agency": [f"สำนักงานเขต{names[i % len(names)]}" for i in range(n)],
        "citizen_members": citizens,
        "total_members": total,
    })


def _missions() -> pd.DataFrame:
    n = 26
    confirmed = np.zeros(n, dtype=bool)
    confirmed[[2, 7, 15]] = True
    transferred = np.zeros(n, dtype=bool)
    transferred[[2, 7]] = True
    return pd.DataFrame({
        "mission_no": [f"M{i + 1:02d}" for i in range(n)],
        "mission": [f"ภารกิจที่ยังไม่ได้รับการถ่ายโอน ลำดับที่ {i + 1}" for i in range(n)],
        "confirmed_ready": np.where(confirmed, "yes", "no"),
        "transferred": np.where(transferred, "yes", "no"),
    })


def _steps() -> pd.DataFrame:
    steps = ["ขออนุมัติโครงการ", "ขออนุมัติเงินงวด", "แต่งตั้งคณะกรรมการกำหนดขอบเขตของงาน",
             "จัดทำขอบเขตของงาน (TOR)", "ประกาศจัดซื้อจัดจ้าง", "ได้ตัวผู้รับจ้าง / ลงนามสัญญา",
             "ตรวจรับงานงวดที่ 1", "ตรวจรับงานงวดที่ 2", "ตรวจรับงานงวดที่ 3",
             "ติดตั้งระบบและอบรมผู้ใช้งาน"]
    planned = ["31/10/2566", "30/11/2566", "31/12/2566", "31/01/2567", "29/02/2567",
               "31/03/2567", "31/05/2567", "30/06/2567", "31/08/2567", "30/09/2567"]
    done = ["25/10/2566", "11/28/2023", "20/12/2566", "15/02/2567", "15/03/2567",
            "30/04/2567", "30/06/2567", "31/07/2567", "", ""]
    return pd.DataFrame({"step": steps, "planned_date": planned, "done_date": done,
                         "status": ["done"] * 8 + ["pending"] * 2})


def _infrastructure_steps() -> pd.DataFrame:
    """Synthetic steps of the table ข digital-infrastructure projects (5 of 7 done)."""
    steps = ["สำรวจความต้องการโครงสร้างพื้นฐานของหน่วยงาน", "จัดทำรายละเอียดโครงการและขออนุมัติ",
             "จัดซื้อจัดจ้าง", "ติดตั้งอุปกรณ์เครือข่าย", "ทดสอบระบบ",
             "ส่งมอบและอบรมผู้ดูแลระบบของหน่วยงาน", "ประเมินผลการใช้งาน"]
    planned = ["30/11/2566", "31/01/2567", "31/03/2567", "30/06/2567", "31/07/2567",
               "31/08/2567", "30/09/2567"]
    done = ["28/11/2566", "1/31/2024", "๒๙/๐๓/๒๕๖๗", "15/07/2567", "20/08/2567", "", ""]
    return pd.DataFrame({"step": steps, "planned_date": planned, "done_date": done,
                         "status": ["done"] * 5 + ["pending"] * 2})


def _units(rng: np.random.Generator) -> pd.DataFrame:
    """Synthetic KPI 7.5.4.1 units: 50 district offices and 27 departments; 71 of 77 ready."""
    names = [f"สำนักงานเขต{name}" for name in DISTRICTS.values()]
    names += [f"หน่วยงานระดับสำนัก ลำดับที่ {i + 1}" for i in range(27)]
    ready = np.ones(len(names), dtype=bool)
    ready[rng.choice(len(names), size=6, replace=False)] = False
    return pd.DataFrame({"unit_no": [f"U{i + 1:02d}" for i in range(len(names))],
                         "unit": names, "able_to_serve": np.where(ready, "yes", "no")})


# --- seed 004 §D2, the rest of สยป.'s FY2567 KPIs (issue 10 item 3) ----------------------------
# Each table below has its own generator, seeded from SEED and a tag, so adding them changed no
# byte of the files above. Everything is synthetic; several targets are missed on purpose.

def _seed004_rng(seed: int, tag: int) -> np.random.Generator:
    return np.random.default_rng([seed, tag])


def _fy2567_month_days(rng: np.random.Generator, months: list[int],
                       low: int = 18) -> list[pd.Timestamp]:
    """A day from ``low`` to the last day of each fiscal month index (0 = Oct 2023)."""
    first = pd.period_range("2023-10", periods=12, freq="M")
    out = []
    for m in months:
        period = first[m]
        out.append(period.start_time + pd.Timedelta(days=int(rng.integers(low - 1,
                                                                           period.days_in_month))))
    return out


def _thai_forms(dates: list[pd.Timestamp], rng: np.random.Generator) -> list[str]:
    """Dates written as the seeds write them: ``dd/mm/BBBB``, ``m/d/CCCC``, Thai digits."""
    thai = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
    forms = rng.choice(3, size=len(dates), p=[0.7, 0.2, 0.1])
    out = []
    for d, f in zip(dates, forms, strict=True):
        be = f"{d.day:02d}/{d.month:02d}/{d.year + 543}"
        out.append(be if f == 0 else f"{d.month}/{d.day}/{d.year}" if f == 1
                   else be.translate(thai))
    return out


def _gis_datasets() -> pd.DataFrame:
    """KPI 4.1.4.1: 6 candidate datasets, 4 shown as maps and added in FY2567 (target 5)."""
    return pd.DataFrame({
        "dataset": ["ขอบเขตพื้นที่เสี่ยงน้ำท่วมขัง", "ตำแหน่งไฟฟ้าแสงสว่างริมทางเดิน",
                    "สวน 15 นาทีและพื้นที่สีเขียว", "จุดรับและจุดพักขยะมูลฝอย",
                    "ทะเบียนโรงเรียนสังกัดกรุงเทพมหานคร (ตาราง ยังไม่แสดงผลเป็นแผนที่)",
                    "คุณภาพอากาศ PM2.5 รายเขต"],
        "owner": ["สนน.", "สนย.", "สสล.", "สสล.", "สนศ.", "สสล."],
        "gis_map": ["yes", "yes", "yes", "yes", "no", "no"],
        "added_date": ["14/12/2566", "2/29/2024", "๓๑/๐๕/๒๕๖๗", "15/08/2567", "20/06/2567", ""],
    })


_SERVICE_AREAS = ["ด้านโครงสร้างพื้นฐาน", "ด้านส่งเสริมคุณภาพชีวิต",
                  "ด้านการจัดระเบียบชุมชนสังคมและการรักษาความสงบเรียบร้อย",
                  "ด้านศิลปวัฒนธรรมจารีตประเพณีและภูมิปัญญาท้องถิ่น",
                  "ด้านการส่งเสริมการลงทุนและพาณิชยกรรมและการท่องเที่ยว"]


def _integrated_plans() -> pd.DataFrame:
    """KPI 5.1.1.1: the five service areas of 004:111; one integrated plan done (target 1)."""
    return pd.DataFrame({
        "area": _SERVICE_AREAS,
        "plan_done": ["yes", "no", "no", "no", "no"],
        "approved_date": ["28/06/2567", "", "", "", ""],
        "note": ["แผนบูรณาการโครงสร้างพื้นฐาน (ตัวอย่างสังเคราะห์)", "อยู่ระหว่างยกร่าง", "", "", ""],
    })


def _network_plans() -> pd.DataFrame:
    """KPI 7.2.1.2: three plans or activities with network partners, one achieved (target 1)."""
    return pd.DataFrame({
        "plan": ["แผนขับเคลื่อนเป้าหมายการพัฒนาระดับพื้นที่ร่วมกับเครือข่ายภาคี (ตัวอย่าง)",
                 "กิจกรรมห้องปฏิบัติการนโยบายร่วมกับสถาบันการศึกษา (ตัวอย่าง)",
                 "ข้อตกลงความร่วมมือด้านข้อมูลเมืองกับภาคเอกชน (ตัวอย่าง)"],
        "partners": ["หน่วยงานภาครัฐและภาคประชาสังคม", "สถาบันการศึกษา", "ภาคเอกชน"],
        "achieved": ["yes", "no", "no"],
        "achieved_date": ["30/08/2567", "", ""],
    })


def _analyst_guideline() -> pd.DataFrame:
    """Table ข: the analysts' guideline, made and published in June 2567 (target 1 document)."""
    return pd.DataFrame({
        "document": ["แนวทางพัฒนาการปฏิบัติงานของนักวิเคราะห์นโยบายและแผน "
                     "สำนักยุทธศาสตร์และประเมินผล (ฉบับตัวอย่างสังเคราะห์)"],
        "published": ["yes"],
        "published_date": ["28/06/2567"],
    })


def _monthly_reports(seed: int, tag: int, title: str, skip: tuple[int, ...],
                     twice: tuple[int, ...]) -> pd.DataFrame:
    """One report a month of FY2567 except the months ``skip``, two in the months ``twice``."""
    rng = _seed004_rng(seed, tag)
    months = sorted([m for m in range(12) if m not in skip] + list(twice))
    dates = sorted(_fy2567_month_days(rng, months))  # months ascending: so are their dates
    labels = ["ต.ค. 2566", "พ.ย. 2566", "ธ.ค. 2566", "ม.ค. 2567", "ก.พ. 2567", "มี.ค. 2567",
              "เม.ย. 2567", "พ.ค. 2567", "มิ.ย. 2567", "ก.ค. 2567", "ส.ค. 2567", "ก.ย. 2567"]
    seen: dict[int, int] = {}
    titles = []
    for m in months:
        seen[m] = seen.get(m, 0) + 1
        extra = "" if seen[m] == 1 else f" (ครั้งที่ {seen[m]})"
        titles.append(f"{title} ประจำเดือน {labels[m]}{extra}")
    return pd.DataFrame({"report": titles, "date": _thai_forms(dates, rng)})


def _guideline_ratings(seed: int) -> pd.DataFrame:
    """Satisfaction and expectation of 36 analysts (mean of 5 items each, 1–5): the mean
    satisfaction falls a little short of the mean expectation."""
    rng = _seed004_rng(seed, 273)
    n = 36
    sat = rng.choice([2, 3, 4, 5], size=(n, 5), p=[0.05, 0.2, 0.5, 0.25]).mean(axis=1)
    exp = rng.choice([3, 4, 5], size=(n, 5), p=[0.12, 0.55, 0.33]).mean(axis=1)
    days = rng.integers(0, 31, size=n)
    dates = [pd.Timestamp("2024-08-01") + pd.Timedelta(days=int(d)) for d in np.sort(days)]
    return pd.DataFrame({"respondent_id": [f"AG67-{i + 1:03d}" for i in range(n)],
                         "response_date": [f"{d.day:02d}/{d.month:02d}/{d.year + 543}"
                                           for d in dates],
                         "satisfaction": [f"{v:.2f}" for v in sat],
                         "expectation": [f"{v:.2f}" for v in exp]})


def _wifi_sites() -> pd.DataFrame:
    """The 52 Wi-Fi sites of 004:623: 50 district offices, City Hall 1 and City Hall 2."""
    ids = [f"W{code}" for code in DISTRICTS] + ["W-CH1", "W-CH2"]
    names = [f"สำนักงานเขต{name}" for name in DISTRICTS.values()]
    names += ["ศาลาว่าการกรุงเทพมหานคร (เสาชิงช้า)", "ศาลาว่าการกรุงเทพมหานคร 2 (ดินแดง)"]
    kinds = ["สำนักงานเขต"] * 50 + ["ศาลาว่าการ"] * 2
    return pd.DataFrame({"site_id": ids, "site": names, "site_type": kinds})


def _wifi_outages(seed: int) -> pd.DataFrame:
    """About 150 outages in FY2567: most a few hours, a long tail, one 3-day outage."""
    rng = _seed004_rng(seed, 627)
    sites = _wifi_sites()["site_id"].to_numpy()
    prone = rng.gamma(1.5, 1.0, size=sites.size)  # some sites fail more often
    n = 148
    site = rng.choice(sites, size=n, p=prone / prone.sum())
    day = rng.integers(0, 366, size=n)
    hours = np.clip(np.round(rng.lognormal(np.log(3.0), 0.9, size=n) * 2) / 2, 0.5, 48.0)
    site[0], day[0], hours[0] = "W1046", 230, 72.0  # a 3-day outage at one district office
    hours = np.minimum(hours, 24 * (366 - day))  # nothing runs past 30 September 2567
    order = np.argsort(day, kind="stable")
    dates = [pd.Timestamp("2023-10-01") + pd.Timedelta(days=int(d)) for d in day[order]]
    text = [f"{h:g}" for h in hours[order]]
    text[5] = text[5].translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))  # Thai digits
    return pd.DataFrame({"site_id": site[order], "date": _thai_forms(dates, rng),
                         "outage_hours": text})


def generate_rubric_inputs(seed: int = SEED) -> dict[str, pd.DataFrame]:
    """Return every rubric sample table keyed by its file name (no files written)."""
    rng = np.random.default_rng(seed)
    livable, report = _livable(rng)
    return {
        "0411-2029_progress.csv": _progress(),
        "0411-2029_sources.csv": _progress_sources(),
        "social-media-proactive_evidence.csv": _social_media(),
        "gis-open-data_evidence.csv": _gis(),
        "livable-city-indicators_issues.csv": livable,
        "livable-city-indicators_evidence.csv": report,
        "sat-it-support_tickets.csv": _tickets(rng),
        "sat-bmaq_evidence.csv": _bmaq_report(),
        "6.1.2.1_training_scores.csv": _training(rng),
        "5.2.1.2_committees.csv": _committees(rng),
        "5.3.1_missions.csv": _missions(),
        "steps-project-plan_steps.csv": _steps(),
        "steps-digital-infrastructure_steps.csv": _infrastructure_steps(),
        "7.5.4.1_units.csv": _units(rng),
        # seed 004 §D2 (issue 10 item 3): own generators, own seeds (tags) — see above
        "4.1.4.1_gis_datasets.csv": _gis_datasets(),
        "5.1.1.1_integrated_plans.csv": _integrated_plans(),
        "7.2.1.2_network_plans.csv": _network_plans(),
        "7.2.2.1_monitoring_reports.csv": _monthly_reports(
            seed, 193, "รายงานการติดตามประเมินผลพร้อมข้อเสนอในการปรับปรุงการปฏิบัติงาน",
            skip=(5,), twice=(8,)),
        "7.2.2.2_data_entries.csv": _monthly_reports(
            seed, 194, "นำเข้าข้อมูลผลการดำเนินงานและรายงานผลตามยุทธศาสตร์และนโยบายของผู้ว่าฯ",
            skip=(), twice=(2, 5, 9)),
        "analyst-guideline_documents.csv": _analyst_guideline(),
        "analyst-guideline-satisfaction_ratings.csv": _guideline_ratings(seed),
        "wifi-availability_sites.csv": _wifi_sites(),
        "wifi-availability_outages.csv": _wifi_outages(seed),
    }


def write_rubric_inputs(out: str | Path, seed: int = SEED) -> list[Path]:
    """Write the tables under ``out/rubric/`` (UTF-8 CSV, ``\\n`` line ends); return the paths."""
    folder = Path(out) / "rubric"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, df in generate_rubric_inputs(seed).items():
        path = folder / name
        df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - thin CLI
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="data/raw", help="the data/raw folder")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    for p in write_rubric_inputs(args.out, args.seed):
        print(p)


if __name__ == "__main__":  # pragma: no cover
    main()
