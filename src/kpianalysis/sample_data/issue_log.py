"""Seeded generator of seed 001's sample inputs (KPI ``efficiency-pr``, FY2563) in ``rubric/``.

What reproduces the seed and what is synthetic:

* ``efficiency-pr_notes.csv`` — **from seed 001** (001:7–10): the twelve monthly status notes,
  31/10/2562 – 29/9/2563, dates and texts as the seed prints them (``dd/mm/BBBB``).
* ``efficiency-pr_issue_log.csv`` — **synthetic** Line BMA issue log of FY2563
  (1 Oct 2019 – 30 Sep 2020): no row is a real issue. Its July and August 2563 totals are the
  seed's (001:10 item 7): July 48 issues, 27 agencies, 47 "กทม.ชี้แจงข่าวร้องเรียน" news items;
  August 42, 22, 43. Every other month, every time of day, answer time and news count is
  invented. A few issues are sent exactly at 10:30 and one is answered exactly 24 hours after
  its sending (both on time); some are late, a few urgent, a few never answered.
* ``efficiency-pr_agencies.csv`` — the agencies an issue may be sent to: the 50 district
  offices (:data:`kpianalysis.bangkok.DISTRICTS`) and an ILLUSTRATIVE list of BMA departments
  (not an official list of the Line BMA group's members).
* ``efficiency-pr_checklist.csv`` — the four evidence forms of 001:13 with synthetic dates,
  all done by 29/9/2563 so the score is the seed's result, ร้อยละ 100 (001:2). No weight
  column: the shares are equal (25 points each), which the result flags.

Regenerate with ``python -m kpianalysis.sample_data --out data/raw`` (same seed → same bytes).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..bangkok import DISTRICTS
from ..thaidate import BE_OFFSET

__all__ = ["NOTES", "SEED", "SEED_MONTHS", "generate_efficiency_inputs",
           "write_efficiency_inputs"]

SEED = 25630930
#: The months whose totals the seed prints (001:10 item 7): CE month → (issues, agencies, news).
SEED_MONTHS: dict[str, tuple[int, int, int]] = {"2020-07": (48, 27, 47), "2020-08": (42, 22, 43)}

# Items 1–6 of the 31/7/2563, 31/8/2563 and 29/9/2563 notes (001:10), verbatim.
_STEPS_1_TO_6 = (
    '1. จัดเจ้าหน้าที่ตรวจสอบ ติดตามประเด็นข่าวสารและความคิดเห็นของประชาชนที่'
    'กล่าวถึงกรุงเทพมหานครในสื่อสังคมออนไลน์และสื่อมวลชน 2. คณะทำงานกำหนดแล'
    'ะพิจารณาประเด็นที่ส่งผลกระทบต่อภาพลักษณ์ของกรุงเทพมหานคร และจัดส่งประเ'
    'ด็นทางกลุ่ม Line BMA รับประเด็น ภายในเวลา 10.30 น. ของทุกวันโดยไม่มีวั'
    'นหยุด หรือหากเป็นกรณีเร่งด่วน ต้องแจ้งหน่วยงานที่เกี่ยวข้องดำเนินการทั'
    'นที 3. จัดกิจกรรมเพื่อเพิ่มศักยภาพในการกำหนดและพิจารณาประเด็นฯ ให้เป็น'
    'ไปตามมาตรฐานทันเวลา 10.30 น. ทุกวัน ดังนี้ 3.1 จัดเวรเจ้าหน้าที่ในการก'
    'ำหนดและพิจารณาประเด็นฯ ในวันหยุด 3.2 ดำเนินการเพิ่มทักษะให้แก่เจ้าหน้า'
    'ที่ของกลุ่มงานวิเคราะห์ข่าวทุกคน โดยวิธีเรียนรู้จากการฝึกปฏิบัติในงาน '
    '(On the Job Training) ให้สามารถทำงานทดแทนกันได้ 3.3 จัดให้มีการซักซ้อม'
    'ความเข้าใจในการดำเนินงานสื่อสารประชาสัมพันธ์และชี้แจงประเด็นต่าง ๆ ระห'
    'ว่างกลุ่มงานภายในหน่วยงาน 4. สำนักงานประชาสัมพันธ์นำข้อมูลจากการชี้แจง'
    'ประเด็นในกลุ่ม Line BMA ตอบประเด็น มาจัดทำข่าวชี้แจงข้อร้องเรียนหรือข่'
    'าวประชาสัมพันธ์`เผยแพร่ทางสื่อมวลชนและสื่อสังคมออนไลน์ 5. จัดทำหลักเกณ'
    'ฑ์การชี้แจงและรายงานประเด็นที่ส่งผลกระทบต่อภาพลักษณ์ของกรุงเทพมหานคร เ'
    'พื่อซักซ้อมความเข้าใจกับหน่วยงานที่เกี่ยวข้องในการดำเนินการตอบรับประเด็'
    'นทางกลุ่ม Line BMA รับประเด็น และชี้แจงประเด็นทางกลุ่ม Line BMA ตอบประ'
    'เด็น ภายใน 24 ชั่วโมง นับตั้งแต่การแจ้งประเด็นในกลุ่ม ไลน์ BMA รับประเ'
    'ด็น พร้อมทั้งจัดให้มีการติดตามหน่วยงานที่เกี่ยวข้องเพื่อเร่งรัดดำเนินก'
    'ารให้ทันภายในกำหนด 6. จัดทำสรุปรายงานผลการจัดส่งและชี้แจงประเด็นที่ส่ง'
    'ผลกระทบต่อภาพลักษณ์ของกรุงเทพมหานครผ่านแอปพลิเคชันไลน์ประจำเดือน เพื่อ'
    'รายงานผู้บริหารกรุงเทพมหานครทราบ พร้อมเวียนแจ้งหน่วยงานที่เกี่ยวข้องทร'
    'าบ และนำเข้าวาระการประชุมหัวหน้าหน่วยงานเพื่อกำชับให้หน่วยงานตระหนักถึ'
    'งความสำคัญในการชี้แจงประเด็นข่าวเพื่อสร้างความเข้าใจที่ถูกต้องแก่ประชา'
    'ชนให้ทันต่อเหตุการณ์'
)

#: The twelve monthly status notes of seed 001 (001:7–10), as (date dd/mm/BBBB, text).
NOTES: tuple[tuple[str, str], ...] = (
    ("31/10/2562", "อยู่ระหว่างขั้นตอนศึกษาข้อมูลเตรียมขออนุมัติโครงการ"),
    ("30/11/2562", "อยู่ระหว่างขั้นตอนปรับแก้รายละเอียดโครงการตามข้อเสนอแนะของคณะกรรมการฯ และ"
                   "สำนักงาน ก.ก."),
    ("29/12/2562", "อยู่ระหว่างขั้นตอนดำเนินการตามขั้นตอนของตัวชี้วัดที่กำหนดไว้ในโครงการ"),
    ("31/1/2563", "อยู่ระหว่างขั้นตอนดำเนินการตามขั้นตอนของตัวชี้วัดที่กำหนดไว้ในโครงการ"),
    ("29/2/2563", "อยู่ระหว่างขั้นตอนดำเนินการตามขั้นตอนของตัวชี้วัดที่กำหนดไว้ในโครงการ"),
    ("31/3/2563", "อยู่ระหว่างขั้นตอนดำเนินการตามขั้นตอนของตัวชี้วัดที่กำหนดไว้ในโครงการ"),
    ("30/4/2563", "ดำเนินการตามขั้นตอนของตัวชี้วัดที่กำหนดไว้ในโครงการ"),
    ("29/5/2563", "ดำเนินการตามขั้นตอนของตัวชี้วัดที่กำหนดไว้ในโครงการ"),
    ("30/6/2563", "ดำเนินการตามขั้นตอนของตัวชี้วัดที่กำหนดไว้ในโครงการ"),
    ("31/7/2563", "".join(_STEPS_1_TO_6) + " 7. จัดส่งและชี้แจงประเด็นสำคัญผ่านแอปพลิเคชั่นไลน์"
                  "ในเดือนกรกฎาคม 2563 จำนวนประเด็น 48 เรื่อง มีหน่วยงานที่เกี่ยวข้อง 27 หน่วยงาน "
                  "จัดทำ \"กทม.ชี้แจงข่าวร้องเรียน\" 47 เรื่อง"),
    ("31/8/2563", "".join(_STEPS_1_TO_6) + " 7. จัดส่งและชี้แจงประเด็นสำคัญผ่านแอปพลิเคชั่นไลน์"
                  "ในเดือนสิงหาคม 2563 จำนวนประเด็น 42 เรื่อง มีหน่วยงานที่เกี่ยวข้อง 22 หน่วยงาน "
                  "จัดทำ \"กทม.ชี้แจงข่าวร้องเรียน\" 43 เรื่อง"),
    ("29/9/2563", "".join(_STEPS_1_TO_6) + " 7. อยู่ระหว่างสรุปผลการจัดส่งและชี้แจงประเด็นสำคัญผ่าน"
                  "แอปพลิเคชั่นไลน์ในเดือนกันยายน 2563"),
)

#: ILLUSTRATIVE BMA departments an issue may go to (besides the 50 district offices).
_DEPARTMENTS = (
    "สำนักการโยธา", "สำนักการระบายน้ำ", "สำนักสิ่งแวดล้อม", "สำนักเทศกิจ",
    "สำนักการจราจรและขนส่ง", "สำนักอนามัย", "สำนักการแพทย์", "สำนักการศึกษา",
    "สำนักพัฒนาสังคม", "สำนักป้องกันและบรรเทาสาธารณภัย", "สำนักการคลัง",
    "สำนักงานปกครองและทะเบียน", "สำนักยุทธศาสตร์และประเมินผล", "สำนักปลัดกรุงเทพมหานคร",
)


def _agencies() -> list[str]:
    return [*_DEPARTMENTS, *(f"สำนักงานเขต{name}" for name in DISTRICTS.values())]


def _be(ts: pd.DatetimeIndex | pd.Series, thai_digits: np.ndarray | None = None) -> list[str]:
    """``dd/mm/BBBB HH:MM`` (Buddhist Era, day first, as seed 001 writes dates)."""
    s = pd.Series(ts)
    text = (s.dt.day.astype(str).str.zfill(2) + "/" + s.dt.month.astype(str).str.zfill(2) + "/"
            + (s.dt.year + BE_OFFSET).astype(str) + " " + s.dt.strftime("%H:%M"))
    if thai_digits is not None:
        text = text.where(~thai_digits, text.str.translate(str.maketrans("0123456789",
                                                                          "๐๑๒๓๔๕๖๗๘๙")))
    return text.tolist()


def _issue_log(rng: np.random.Generator) -> pd.DataFrame:
    agencies = np.array(_agencies())
    # a few agencies get most issues (drainage, public works, some districts), many get few
    popularity = 1 / np.arange(1, len(agencies) + 1) ** 0.9
    popularity = popularity[rng.permutation(len(agencies))]
    popularity /= popularity.sum()
    months = pd.period_range("2019-10", "2020-09", freq="M")
    frames = []
    for month in months:
        key = month.strftime("%Y-%m")
        if key in SEED_MONTHS:
            n, k, news_total = SEED_MONTHS[key]
        else:
            n = int(rng.integers(30, 56))
            k = int(rng.integers(15, min(n, 30) + 1))
            news_total = None
        chosen = rng.choice(len(agencies), size=k, replace=False, p=popularity)
        p_chosen = popularity[chosen] / popularity[chosen].sum()
        extra = rng.choice(chosen, size=n - k, replace=True, p=p_chosen)
        who = rng.permutation(np.concatenate([chosen, extra]))
        day = rng.integers(0, month.days_in_month, size=n)
        kind = rng.choice(3, size=n, p=[0.90, 0.07, 0.03])  # on time, late, urgent
        minute = np.select(
            [kind == 0, kind == 1],
            [rng.integers(8 * 60, 10 * 60 + 31, size=n),  # 08:00–10:30
             rng.integers(10 * 60 + 31, 12 * 60 + 1, size=n)],  # 10:31–12:00
            rng.integers(12 * 60, 20 * 60 + 1, size=n))  # urgent: sent at once
        news = rng.choice([0, 1, 2], size=n, p=[0.06, 0.9, 0.04])
        if news_total is not None:
            while news.sum() != news_total:
                if news.sum() > news_total:
                    i = rng.choice(np.flatnonzero(news > 0))
                    news[i] -= 1
                else:
                    i = rng.choice(np.flatnonzero(news < 2))
                    news[i] += 1
        sent = (month.start_time + pd.to_timedelta(day, unit="D")
                + pd.to_timedelta(minute, unit="min"))
        frames.append(pd.DataFrame({"sent": sent, "agency": agencies[who], "news": news,
                                    "urgent": kind == 2}))
    log = pd.concat(frames, ignore_index=True).sort_values("sent", kind="stable")
    log = log.reset_index(drop=True)
    n = len(log)
    # answer time: most within a few hours, a tail beyond 24 h, a few never answered
    hours = np.round(rng.lognormal(mean=np.log(5.0), sigma=1.0, size=n) * 60) / 60
    answered = log["sent"] + pd.to_timedelta(np.round(hours * 60), unit="min")
    unanswered = np.zeros(n, dtype=bool)
    unanswered[rng.choice(n, size=6, replace=False)] = True
    # the boundaries, on purpose: sent exactly at 10:30 (on time), at 10:31 (late), answered
    # exactly 24 h after sending (on time) and 24 h 1 min after (late)
    normal = np.flatnonzero(~log["urgent"].to_numpy() & ~unanswered)
    at_1030, at_1031, at_24h, after_24h = normal[[10, 200, 300, 400]]
    for i, hhmm in ((at_1030, (10, 30)), (at_1031, (10, 31))):
        log.loc[i, "sent"] = log.loc[i, "sent"].normalize() + pd.Timedelta(hours=hhmm[0],
                                                                         minutes=hhmm[1])
        answered[i] = log.loc[i, "sent"] + pd.Timedelta(hours=3)
    answered[at_24h] = log.loc[at_24h, "sent"] + pd.Timedelta(hours=24)
    answered[after_24h] = log.loc[after_24h, "sent"] + pd.Timedelta(hours=24, minutes=1)
    thai = rng.random(n) < 0.03  # a few rows typed with Thai digits
    sent_text = _be(log["sent"], thai)
    answered_text = pd.Series(_be(answered, thai)).where(~unanswered, "")
    return pd.DataFrame({
        "issue_id": [f"LB63-{i + 1:04d}" for i in range(n)],
        "sent_at": sent_text,
        "agency": log["agency"],
        "answered_at": answered_text,
        "news_items": log["news"],
        "urgent": np.where(log["urgent"], "yes", "no"),
    })


def _checklist() -> pd.DataFrame:
    """The four evidence forms of 001:13, with synthetic dates; all done (001:2: ร้อยละ 100)."""
    rows = [
        (1, "รายงานการวิเคราะห์องค์กร SWOT (แบบฟอร์ม 1) ของหน่วยงาน", "25/10/2562"),
        (1, "หนังสือเสนอผู้บริหารหน่วยงานเกี่ยวกับการจัดทำรายงานการวิเคราะห์ฯ", "28/10/2562"),
        (2, "โครงการเพิ่มประสิทธิภาพในการปฏิบัติงานของหน่วยงาน (แบบฟอร์ม 2)", "20/12/2562"),
        (3, "แบบฟอร์มนำเสนอโครงการเพื่อสรุปเนื้อหาโครงการที่จะดำเนินการ (แบบฟอร์ม 3)", "20/12/2562"),
        (4, "ภาพถ่ายการดำเนินงาน", "31/07/2563"),
        (4, "รายงานการประชุม", "31/08/2563"),
        (4, "รายงานสรุปผลการดำเนินการฯ", "29/09/2563"),
    ]
    return pd.DataFrame({"form": [r[0] for r in rows], "item": [r[1] for r in rows],
                         "status": ["done"] * len(rows), "date": [r[2] for r in rows]})


def generate_efficiency_inputs(seed: int = SEED) -> dict[str, pd.DataFrame]:
    """Every seed 001 sample table keyed by its file name (no files written)."""
    rng = np.random.default_rng(seed)
    return {
        "efficiency-pr_checklist.csv": _checklist(),
        "efficiency-pr_issue_log.csv": _issue_log(rng),
        "efficiency-pr_agencies.csv": pd.DataFrame({"agency": _agencies()}),
        "efficiency-pr_notes.csv": pd.DataFrame({"date": [d for d, _ in NOTES],
                                                 "note": [t for _, t in NOTES]}),
    }


def write_efficiency_inputs(out: str | Path, seed: int = SEED) -> list[Path]:
    """Write the tables under ``out/rubric/`` (UTF-8 CSV, ``\\n`` line ends); return the paths.

    ``out`` is the data root (``data/raw``).
    """
    folder = Path(out) / "rubric"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, df in generate_efficiency_inputs(seed).items():
        path = folder / name
        df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        paths.append(path)
    return paths
