"""Engine of the satisfaction KPIs (seed 004 table ค items 1, 2, 4, 6) and the IT-support
composite (item 5): survey rounds → B, C, A → level and points, under the §G rules.

* §G.1 ``missing_answers``: the respondent score divides by the number of questions
  (``official``) or by the items answered (``answered_mean``), see
  :func:`kpianalysis.score_likert`.
* §G.2 ``survey_rounds``: B and C pool every round of the fiscal year (``pooled``) or take the
  latest (``latest``); each round is also reported on its own.
* §G.3 ``weights``: the official A is unweighted; with design weights the design-based
  estimate of the pooled rounds is shown beside it (``design_based`` scores it instead).
* §G.5 ``it_composite``: satisfaction points (0–5) + SLA points (0–5), shown out of 10, no
  level (``derived_level``: level = sum / 2).
* §G.6 ``undefined_rubric_rows``: a level resting on a row the seed does not print is flagged.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._validation import DataValidationError
from ..awareness import target_test
from ..design import SurveyDesign
from ..instruments import get_instrument
from ..likert import LikertResult, score_likert
from ..readers import SurveyData, read_satisfaction_survey
from ..result import Flag, RoundFigure, Uncertainty
from ..rubric import sla_compliance
from ..rubric._inputs import read_dated_requirements
from ..tables import table_ref
from ._context import Context, Outcome, band_ladder, item, undefined_rows
from ._survey import count_uncertainty

__all__ = ["evaluate"]


def _read_rounds(ctx: Context) -> dict[int, tuple[Any, SurveyData]]:
    instrument = get_instrument(ctx.kpi.instrument or "")
    out = {}
    for inp in ctx.rounds("survey"):
        data = read_satisfaction_survey(table_ref(inp), instrument)
        if data.rounds != (inp.round,):
            raise DataValidationError(
                f"the catalog lists this file as round {inp.round} of KPI {ctx.kpi.code!r} but "
                f"it holds round(s) {', '.join(map(str, data.rounds))}",
                source=inp.relpath, column="round")
        out[int(inp.round or 0)] = (inp, data)
        _check_fiscal_year(data, inp.relpath, ctx.fiscal_year)
    seen = pd.Series(dtype=object)  # respondent id → the file it was first read from
    for inp, data in out.values():  # §G.2: every form is counted once in the year
        ids = data.frame["respondent_id"].astype(str)
        again = ids.isin(seen.index).to_numpy()
        if again.any():
            rows = (np.flatnonzero(again) + 1).tolist()
            raise DataValidationError(
                f"respondent_id(s) already in {seen[ids.iloc[rows[0] - 1]]}: a form would be "
                f"counted twice in the fiscal year", source=inp.relpath, column="respondent_id",
                rows=rows)
        seen = pd.concat([seen, pd.Series(inp.relpath, index=ids.drop_duplicates().to_numpy(),
                                          dtype=object)])
    return out


def _check_fiscal_year(data: SurveyData, source: str, fiscal_year: int) -> None:
    """Refuse response dates outside the fiscal year the file is evaluated for."""
    from ..thaidate import fiscal_year_bounds

    if "response_date" not in data.frame:
        return
    start, end = fiscal_year_bounds(fiscal_year)
    dates = pd.to_datetime(data.frame["response_date"])
    bad = (dates.notna() & ((dates < start) | (dates > end + pd.Timedelta(days=1)))).to_numpy()
    if bad.any():
        rows = [int(i) + 1 for i in bad.nonzero()[0]]
        raise DataValidationError(
            f"response_date outside fiscal year {fiscal_year} ({start.date()} – {end.date()}); "
            f"is the file of another year?", source=source, column="response_date", rows=rows)


def _design_estimate(datas: list[SurveyData], likerts: list[LikertResult], confidence: float,
                     ci_method: str) -> Any:
    """Design-based share ≥ 3.51 among the counted forms of the pooled rounds.

    Rounds are independent samples: strata are (round, stratum) and PSUs are nested in them.
    """
    frames = []
    for data, lk in zip(datas, likerts, strict=True):
        f = data.frame.assign(_high=lk.respondents["high_or_above"].to_numpy(),
                              _scored=lk.respondents["scored"].to_numpy())
        rnd = str(data.rounds[0])
        f["_stratum"] = rnd + ":" + (f["stratum"].astype(str) if "stratum" in f else "all")
        if "psu" in f:
            f["_psu"] = f["_stratum"] + ":" + f["psu"].astype(str)
        frames.append(f)
    frame = pd.concat(frames, ignore_index=True)
    design = SurveyDesign(frame, weights="weight", strata="_stratum",
                          psu="_psu" if "_psu" in frame else None, confidence=confidence)
    return design.proportion("_high", by="_scored", ci_method=ci_method)[True]


def evaluate(ctx: Context) -> Any:
    """Evaluate a satisfaction or IT-support KPI (see the module docstring)."""
    kpi = ctx.kpi
    composite = kpi.rubric_kind == "it_support_composite"
    bands = kpi.bands("satisfaction_bands" if composite else "bands")
    top = bands.bands[0]
    rounds = _read_rounds(ctx)
    share = float(ctx.options["min_answered_share"])
    confidence = float(ctx.options["confidence"])
    cache: dict[tuple[str, int], LikertResult] = {}

    def likert(policy: str, rnd: int) -> LikertResult:
        if (policy, rnd) not in cache:
            cache[policy, rnd] = score_likert(rounds[rnd][1].items, min_answered_share=share,
                                              policy=policy)
        return cache[policy, rnd]

    # level-5 conditions besides A (BMA Q: the report to executives)
    requires = [str(t) for t in kpi.rubric_params.get("top_level_requires") or ()]
    req_rows = _requirements(ctx, requires)
    unmet = [c for c, ok, _ in req_rows if not ok]
    sla = None
    if composite:
        tickets = ctx.input("tickets")
        sla = sla_compliance(table_ref(tickets), bands=kpi.bands("sla_bands"),
                             as_of=ctx.options.get("as_of"))
    undefined = [int(v) for v in kpi.rubric_params.get("undefined_levels") or ()]
    defined = [int(b.level) for b in bands.bands if int(b.level) not in undefined]
    if int(bands.below_level) not in undefined:
        defined.append(int(bands.below_level))
    design_cache: dict[tuple[str, tuple[int, ...]], Any] = {}

    def used_rounds(rules: Mapping[str, str]) -> list[int]:
        return sorted(rounds) if rules["survey_rounds"] == "pooled" else [max(rounds)]

    def design_of(rules: Mapping[str, str]) -> Any:
        key = (rules["missing_answers"], tuple(used_rounds(rules)))
        if key not in design_cache:
            use = used_rounds(rules)
            design_cache[key] = _design_estimate(
                [rounds[r][1] for r in use], [likert(rules["missing_answers"], r) for r in use],
                confidence, str(ctx.options["design_ci_method"]))
        return design_cache[key]

    has_design = all(d.has_design for _, d in rounds.values())
    if ctx.rules["weights"] == "design_based" and not has_design:
        raise ValueError(f"weights='design_based' (§G.3) needs design weights in every survey "
                         f"file of KPI {kpi.code!r}; its files carry none")

    def score(rules: Mapping[str, str]) -> tuple[Outcome, dict[str, Any]]:
        use = used_rounds(rules)
        lks = [likert(rules["missing_answers"], r) for r in use]
        b = sum(lk.n_high_or_above for lk in lks)
        c = sum(lk.n_scored for lk in lks)
        if c == 0:
            raise DataValidationError(f"no questionnaire of KPI {kpi.code!r} can be counted in "
                                      f"C (rounds {use})", source=rounds[use[-1]][0].relpath)
        where = "รวม " + " และ ".join(f"รอบที่ {r}" for r in use) if len(use) > 1 else \
            f"รอบที่ {use[0]}"
        if rules["weights"] == "design_based" and has_design:
            est = design_of(rules)
            a = est.estimate * 100
            band = bands.band(a)
            a_text = f"A = {a:.2f} % (ถ่วงน้ำหนักตามแผนการสุ่ม, C = {c:,}, {where})"
        else:
            a = b * 100 / c
            band = bands.band_of_fraction(b, c)
            a_text = f"A = {a:.2f} % (B = {b:,} / C = {c:,}, {where})"
        if unmet and band is top:
            band = bands.bands[1]
        sp = band.success_percent if band else 0.0
        level = float(band.level if band else bands.below_level)
        info = {"b": b, "c": c, "percent": a, "rounds": use, "success_percent": sp}
        if composite:
            sat_points = 5 * sp / 100
            sla_points = float(sla.points)
            total = sat_points + sla_points
            info.update(satisfaction_points=sat_points, sla_points=sla_points, total=total)
            lvl = total / 2 if rules["it_composite"] == "derived_level" else None
            text = (f"{total:g} คะแนนจาก 10 (ความพึงพอใจ {sat_points:g} + SLA {sla_points:g}); "
                    f"ความพึงพอใจ {a_text}; SLA {sla.percent:.2f} % "
                    f"({sla.n_met:,} / {sla.n_tickets:,} เรื่อง)")
            return Outcome(value=total, value_text=text, level=lvl,
                           points=ctx.points(total * 10), target_met=total >= 10), info
        level2, info["flags"] = undefined_rows(ctx, level, defined, undefined,
                                               rules["undefined_rubric_rows"])
        if level2 != level:
            sp = 0.0 if level2 is None else next(
                (x.success_percent for x in bands.bands if x.level == level2), 0.0)
        return Outcome(value=a, value_text=a_text, level=level2, points=ctx.points(sp),
                       target_met=band is top and not unmet), info

    applied, info = score(ctx.rules)
    kind_rules = [r for r in ("missing_answers", "survey_rounds", "weights", "it_composite",
                              "undefined_rubric_rows") if r in ctx.applicable_rules()]
    if not has_design:
        kind_rules.remove("weights")
    alternatives = ctx.alternatives(lambda r: score(r)[0], applied, kind_rules)

    # uncertainty of the official value, and the design-based estimate beside it
    target_pct = float(top.at_least)
    uncertainty = count_uncertainty(
        info["b"], info["c"], target_pct, method=str(ctx.options["ci_method"]),
        confidence=confidence, estimator="B × 100 / C ไม่ถ่วงน้ำหนัก (official, §G.3)")
    # the target also needs what is not sampled: the level-5 conditions (BMA Q's report) and,
    # for the IT composite, full SLA points; without them the chance is 0
    certain_miss = bool(unmet) or (composite and sla.points < 5)
    if certain_miss:
        uncertainty = dataclasses.replace(uncertainty, p_target_met=0.0)
    population = None
    flags: list[Flag] = []
    if has_design:
        est = design_of(ctx.rules)
        # with no sampling variance (every form high, or none) the verdict is certain
        p_met = (target_test(est.estimate, est.se, df=est.df,
                             target=target_pct / 100).p_target_met
                 if est.se > 0 else float(est.estimate * 100 >= target_pct))
        population = Uncertainty(
            estimate=est.estimate * 100, ci_low=est.ci.low * 100, ci_high=est.ci.high * 100,
            confidence=confidence, method=est.method,
            p_target_met=0.0 if certain_miss else p_met,
            estimator="ค่าประมาณตามแผนการสุ่ม (design-based) ของประชากรผู้รับบริการ", n=int(est.n),
            design_effect=float(est.deff) if math.isfinite(est.deff) else None)
        if (population.estimate >= target_pct) != (info["percent"] >= target_pct):
            flags.append(Flag("estimators_disagree",
                              "ค่า A ทางการ (ไม่ถ่วงน้ำหนัก) และค่าประมาณตามแผนการสุ่มให้ข้อสรุป"
                              "เรื่องการบรรลุค่าเป้าหมายต่างกัน"))
    if not composite and undefined and set(undefined) >= {int(b.level) for b in bands.bands}:
        flags.append(Flag("rubric_table_missing",
                          "เอกสารต้นฉบับไม่มีตารางเกณฑ์การให้คะแนนของตัวชี้วัดนี้ ระดับที่แสดงใช้ตาราง"
                          "ความพึงพอใจมาตรฐาน (80/75/70/65/60) ซึ่งเป็นการสันนิษฐาน (KPI_SPEC §G.6)"))
    else:
        flags.extend(info.get("flags", ()))

    # every round on its own (under the missing-answer rule applied)
    figures = []
    for r in sorted(rounds):
        lk = likert(ctx.rules["missing_answers"], r)
        pct = lk.n_high_or_above * 100 / lk.n_scored if lk.n_scored else None
        band = bands.band_of_fraction(lk.n_high_or_above, lk.n_scored) if lk.n_scored else None
        figures.append(RoundFigure(round=r, n_forms=lk.n_total, n_counted=lk.n_scored,
                                   n_high_or_above=lk.n_high_or_above, percent=pct,
                                   level=float(band.level if band else bands.below_level)
                                   if lk.n_scored else None))
    rows = {}
    for r, (inp, _) in rounds.items():
        lk = likert(ctx.rules["missing_answers"], r)
        rows[inp.relpath] = (lk.n_total, lk.n_scored if r in info["rounds"] else 0)
    ev = ctx.input("evidence")
    if ev is not None:
        rows[ev.relpath] = (len(req_rows), len(req_rows))
    if sla is not None:
        t = ctx.input("tickets")
        rows[t.relpath] = (sla.n_tickets + sla.n_pending, sla.n_tickets)

    def rung(b: Any) -> str:
        text = f"A ≥ ร้อยละ {b.at_least:g}"
        if composite:
            sla_b = next((x for x in kpi.bands("sla_bands").bands if x.level == b.level), None)
            text = (f"ความพึงพอใจ A ≥ ร้อยละ {b.at_least:g} → {5 * b.success_percent / 100:g} "
                    f"คะแนน; SLA ≥ ร้อยละ {sla_b.at_least:g} → "
                    f"{5 * sla_b.success_percent / 100:g} คะแนน" if sla_b else text)
        if b is top and requires:
            text += " และ " + " และ ".join(requires)
        return text

    ladder_level = applied.level if not composite else float(
        bands.band(info["percent"]).level if bands.band(info["percent"]) else 0)
    ladder = band_ladder(bands, ladder_level, rung, undefined)
    lk_all = [likert(ctx.rules["missing_answers"], r) for r in info["rounds"]]
    details: dict[str, Any] = {
        "b": info["b"], "c": info["c"], "percent_high_or_above": info["percent"],
        "rounds_used": info["rounds"],
        "n_forms": sum(lk.n_total for lk in lk_all),
        "n_no_answer": sum(lk.exclusions["no_answers"] for lk in lk_all),
        "n_too_few_answers": sum(lk.exclusions["too_few_answers"] for lk in lk_all),
        "likert_high_from": float(kpi.rubric_params.get("likert_high_from", 3.51)),
        "target_percent": target_pct,
    }
    if not composite:  # the level at each bound of the interval of the official A
        lo_band, hi_band = bands.band(uncertainty.ci_low), bands.band(uncertainty.ci_high)
        cap = int(bands.bands[1].level) if unmet else None
        levels = [int(b.level if b else bands.below_level) for b in (lo_band, hi_band)]
        details["level_range"] = [min(v, cap) if cap is not None else v for v in levels]
    if composite:
        details.update(satisfaction_points=info["satisfaction_points"],
                       sla_points=info["sla_points"], points_out_of_10=info["total"],
                       sla_percent=sla.percent, sla_tickets=sla.n_tickets, sla_met=sla.n_met,
                       sla_pending=sla.n_pending)
    missing = []
    if applied.target_met is False:
        nxt = bands.next_band(bands.band_of_fraction(info["b"], info["c"]))
        if nxt is not None:
            missing.append(f"ระดับ {nxt.level} ต้องมี A ≥ ร้อยละ {nxt.at_least:g}")
        missing += [f"ระดับ {top.level} ต้องมี: {c}" for c in unmet]
        if composite and sla.level < 5:
            missing.append(f"SLA ร้อยละ {sla.percent:.2f} ต่ำกว่าเกณฑ์ 5 คะแนน "
                           f"(ร้อยละ {kpi.bands('sla_bands').bands[0].at_least:g})")
    return ctx.result(
        applied, level_max=None if composite else int(top.level),
        target_unit="คะแนน (จาก 10)" if composite else kpi.unit,
        **({"target": 10.0} if composite else {}),
        periods=[f"รอบที่ {r}" for r in info["rounds"]], uncertainty=uncertainty,
        population_estimate=population, alternatives=alternatives,
        evidence=ctx.evidence(rows), ladder=ladder, flags=flags, rounds=figures,
        items=[item(c, d, "ดำเนินการแล้ว" if ok else "ยังไม่ดำเนินการ", ev.relpath if ev else "",
                    int(top.level)) for c, ok, d in req_rows],
        details=details, missing=missing)


def _requirements(ctx: Context, requires: list[str]) -> list[tuple[str, bool, Any]]:
    """The catalog's ``top_level_requires`` with their status from the evidence file.

    A condition with no row counts as not met; a row naming a condition the catalog does not
    list is an error.
    """
    if not requires:
        return []
    ev = ctx.input("evidence")
    if ev is None:
        return [(t, False, None) for t in requires]

    def norm(text: str) -> str:
        return " ".join(text.split())

    rows = read_dated_requirements(table_ref(ev))
    wanted = {norm(t): t for t in requires}
    unknown = [i for i, (c, _, _) in enumerate(rows, start=1) if norm(c) not in wanted]
    if unknown:
        raise DataValidationError(
            f"criterion is not a level-5 condition of KPI {ctx.kpi.code!r}; the catalog lists: "
            f"{'; '.join(requires)}", source=ev.relpath, column="criterion", rows=unknown)
    status = {norm(c): (ok, d) for c, ok, d in rows}
    return [(t, *status.get(norm(t), (False, None))) for t in requires]
