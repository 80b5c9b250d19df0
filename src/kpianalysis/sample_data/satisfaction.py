"""Seeded generator of the satisfaction-survey sample files in ``data/raw/satisfaction/``.

The files are synthetic: realistic in shape (the instruments of :mod:`kpianalysis.instruments`,
the two e-survey rounds of January and July 2567 (2024), Thai profile answers, a share of answers
given as Thai labels instead of numbers, blank answers, wholly blank responses, free-text
suggestions some of which contain phone numbers) and deliberately not flattering: some KPIs
miss the 80 % target. Nothing in them describes real people.

Regenerate with ``python -m kpianalysis.sample_data --out data/raw`` (same seed → same bytes).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from ..bangkok import DISTRICTS
from ..instruments import Instrument, load_instruments

__all__ = ["HISTORY_YEARS", "SATISFACTION_PLAN", "SEED", "generate_history",
           "generate_satisfaction", "write_satisfaction"]

SEED = 25670701

#: Round → (first day, last day) of the e-survey window (round 1 January, round 2 July 2024).
ROUND_WINDOWS = {1: ("2024-01-08", "2024-01-31"), 2: ("2024-07-01", "2024-07-31")}


@dataclasses.dataclass(frozen=True)
class _Plan:
    n: tuple[int, int]  # respondents in round 1, round 2
    latent_mean: tuple[float, float]  # mean of the latent satisfaction (1–5 scale)
    latent_sd: float
    label_share: float  # share of respondents whose answers were exported as Thai labels
    design: bool = False  # BMA Q: stratified by district office with design weights


#: Generation plan per instrument: sample sizes and where satisfaction lies in each round.
SATISFACTION_PLAN: dict[str, _Plan] = {
    "sat-oss": _Plan((186, 214), (4.05, 4.15), 0.62, 0.15),
    "sat-policy-tracking": _Plan((118, 131), (3.85, 4.08), 0.66, 0.10),
    "sat-bmaq": _Plan((1500, 1500), (4.2, 4.32), 0.9, 0.0, design=True),
    "sat-it-support": _Plan((152, 167), (3.95, 3.98), 0.70, 0.20),
    "sat-wifi": _Plan((402, 388), (3.92, 4.0), 0.75, 0.05),
}

_POSITIONS = ["นักจัดการงานทั่วไป", "เจ้าพนักงานธุรการ", "นักวิชาการคอมพิวเตอร์", "นายช่างโยธา",
              "นักวิเคราะห์นโยบายและแผน", "เจ้าพนักงานปกครอง", "นิติกร", "นักวิชาการสุขาภิบาล"]
_LEVELS = ["ปฏิบัติงาน", "ชำนาญงาน", "ปฏิบัติการ", "ชำนาญการ", "ชำนาญการพิเศษ"]
_DIVISIONS = ["ฝ่ายปกครอง", "ฝ่ายโยธา", "ฝ่ายสิ่งแวดล้อมและสุขาภิบาล", "ฝ่ายเทศกิจ",
              "ฝ่ายรักษาความสะอาดและสวนสาธารณะ", "ฝ่ายพัฒนาชุมชนและสวัสดิการสังคม",
              "ฝ่ายการศึกษา", "ฝ่ายทะเบียน"]
_CENTRAL_AGENCIES = ["สำนักยุทธศาสตร์และประเมินผล", "สำนักการโยธา", "สำนักสิ่งแวดล้อม",
                     "สำนักอนามัย", "สำนักการศึกษา", "สำนักงานประชาสัมพันธ์"]
_OFFICES = [f"สำนักงานเขต{name}" for name in DISTRICTS.values()]
_SITES = [*_OFFICES, "ศาลาว่าการกรุงเทพมหานคร 1 (เสาชิงช้า)", "ศาลาว่าการกรุงเทพมหานคร 2 (ดินแดง)"]
_SUGGESTIONS = [
    "อยากให้ระบบเร็วขึ้นในช่วงเช้า",
    "ควรมีคู่มือการใช้งานที่อ่านง่ายกว่านี้",
    "ขอบคุณเจ้าหน้าที่ที่ช่วยเหลือ",
    "หน้าจอค้นหาใช้ยาก ควรปรับปรุง",
    "ระบบล่มบ่อยในวันสิ้นเดือน",
    "ต้องการให้แจ้งเตือนผ่านไลน์",
    "มีปัญหาการเข้าสู่ระบบ กรุณาติดต่อกลับที่ 081-234-5678",
    "สัญญาณไม่เสถียรบริเวณชั้น 2 โทร 02 123 4567 ได้ครับ",
    "<b>ดีมาก</b> ขอให้รักษามาตรฐาน",
]


def _profile(instrument: Instrument, n: int, rng: np.random.Generator,
             office: np.ndarray) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for field in instrument.profile_fields:
        col = field.column
        if col == "position_level":  # the levels seen in practice, with their shares
            values = rng.choice(_LEVELS, size=n, p=[0.2, 0.15, 0.3, 0.3, 0.05]).astype(object)
        elif field.values is not None:
            values = rng.choice(list(field.values), size=n).astype(object)
        elif col == "age":
            values = rng.integers(23, 61, size=n).astype(str).astype(object)
        elif col == "position":
            values = rng.choice(_POSITIONS, size=n).astype(object)
        elif col == "agency":
            central = rng.random(n) < (0.6 if instrument.code == "sat-policy-tracking" else 0.1)
            values = np.where(central, rng.choice(_CENTRAL_AGENCIES, size=n), office)
            values = values.astype(object)
        elif col == "division":
            values = rng.choice(_DIVISIONS, size=n).astype(object)
        elif col == "district":
            values = office.astype(object)
        elif col == "site":
            values = rng.choice(_SITES, size=n).astype(object)
        else:
            values = np.full(n, "", dtype=object)
        blank = rng.random(n) < 0.03  # profile questions are sometimes skipped
        values[blank] = ""
        out[col] = values
    return out


def _one_round(instrument: Instrument, plan: _Plan, round_no: int,
               rng: np.random.Generator, years_back: int = 0) -> pd.DataFrame:
    n = plan.n[round_no - 1]
    items = instrument.item_codes
    start, end = (pd.Timestamp(d) - pd.DateOffset(years=years_back)
                  for d in ROUND_WINDOWS[round_no])
    days = (end - start).days + 1
    dates = start + pd.to_timedelta(rng.integers(0, days, size=n), unit="D")

    codes = np.array(list(DISTRICTS))
    if plan.design:
        # Stratified by district office; each office samples 30 service users per round
        # (one app survey per BMA Q round of 5 people, 6 rounds a day) and the weight is the
        # office's ID-card and registration services in the month / respondents (illustrative
        # service volumes around the seed's baseline of about 100 ID cards a day per district).
        per_office = np.full(len(codes), n // len(codes))
        per_office[: n - per_office.sum()] += 1
        district_code = np.repeat(codes, per_office)
        volume = rng.normal(100, 25, size=len(codes)).clip(40, 180).round() * 22
        weight_by_code = dict(zip(codes, volume / per_office, strict=True))
        latent_shift = dict(zip(codes, rng.normal(0, 0.35, size=len(codes)), strict=True))
        shift = np.array([latent_shift[c] for c in district_code])
    else:
        district_code = rng.choice(codes, size=n)
        shift = np.zeros(n)
    office = np.array([f"สำนักงานเขต{DISTRICTS[c]}" for c in district_code], dtype=object)

    latent = rng.normal(plan.latent_mean[round_no - 1], plan.latent_sd, size=n) + shift
    item_effect = rng.normal(0, 0.25, size=len(items))
    raw = latent[:, None] + item_effect[None, :] + rng.normal(0, 0.55, size=(n, len(items)))
    scores = np.clip(np.rint(raw), 1, 5).astype(int)

    answers = scores.astype(object)
    as_label = rng.random(n) < plan.label_share
    labels = np.array([""] + [instrument.scale_labels[k] for k in (1, 2, 3, 4, 5)], dtype=object)
    answers[as_label] = labels[scores[as_label]]
    answers = answers.astype(str).astype(object)
    missing = rng.random((n, len(items))) < 0.03
    answers[missing] = ""
    blank_rows = rng.random(n) < 0.01  # opened the form, answered nothing
    answers[blank_rows, :] = ""

    fy_tag = f"{2567 - years_back}-" if years_back else ""
    frame = pd.DataFrame(
        {
            "respondent_id": [f"{instrument.code}-{fy_tag}{round_no}-{i:05d}"
                              for i in range(1, n + 1)],
            "round": round_no,
            "response_date": dates.strftime("%Y-%m-%d"),
        }
    )
    for col, values in _profile(instrument, n, rng, office).items():
        frame[col] = values
    if plan.design:
        frame["stratum"] = district_code
        frame["weight"] = np.round([weight_by_code[c] for c in district_code], 4)
    for j, item in enumerate(items):
        frame[item] = answers[:, j]
    for col in instrument.free_text_fields:
        has_text = rng.random(n) < 0.12
        frame[col] = np.where(has_text, rng.choice(_SUGGESTIONS, size=n), "")
    return frame


def generate_satisfaction(seed: int = SEED) -> dict[str, pd.DataFrame]:
    """Generate every satisfaction file.

    Parameters
    ----------
    seed : int
        Seed of the random generator; the default reproduces the committed files.

    Returns
    -------
    dict of str to DataFrame
        File name (``<kpi>_r<round>.csv``) → table, as written to ``data/raw/satisfaction/``.
    """
    rng = np.random.default_rng(seed)
    instruments = load_instruments()
    out = {}
    for code, plan in SATISFACTION_PLAN.items():
        for round_no in (1, 2):
            out[f"{code}_r{round_no}.csv"] = _one_round(instruments[code], plan, round_no, rng)
    return out


#: Earlier fiscal years with (smaller, synthetic) survey rounds, for the reports' trends.
HISTORY_YEARS = (2565, 2566)


def generate_history(seed: int = SEED + 1) -> dict[str, pd.DataFrame]:
    """Generate the earlier fiscal years' rounds (``history/<fy>/<kpi>_r<round>.csv``).

    Same instruments and shape as FY2567, about half the respondents, dates in the same
    months of the earlier year, and satisfaction a little lower the further back (a trend to
    show, not a claim about any real service).
    """
    rng = np.random.default_rng(seed)
    instruments = load_instruments()
    out = {}
    for fy in HISTORY_YEARS:
        back = 2567 - fy
        for code, plan in SATISFACTION_PLAN.items():
            if code == "sat-it-support":  # its other half (SLA tickets) has no history
                continue
            older = dataclasses.replace(
                plan, n=tuple(max(60, v // 2) for v in plan.n),
                latent_mean=tuple(m - 0.12 * back for m in plan.latent_mean))
            for round_no in (1, 2):
                out[f"history/{fy}/{code}_r{round_no}.csv"] = _one_round(
                    instruments[code], older, round_no, rng, years_back=back)
    return out


def write_satisfaction(out_dir: str | Path, seed: int = SEED) -> list[Path]:
    """Write the satisfaction files (FY2567 and the history) into ``out_dir/satisfaction/``."""
    target = Path(out_dir) / "satisfaction"
    paths = []
    for name, frame in {**generate_satisfaction(seed), **generate_history()}.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        paths.append(path)
    return paths
