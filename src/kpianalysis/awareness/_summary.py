"""Presentation-free outputs of the analysis: the JSON summary and the de-identified
processed table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._version import __version__
from ..privacy import pseudonymise
from ._estimate import AwarenessAnalysis
from ._read import AwarenessData
from ._schema import _FLAG_COLUMNS, KPI_CODE, NAME_TH

__all__ = [
    "awareness_summary",
    "processed_table",
    "shown_mode_counts",
]


# --------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else None
    if value is pd.NA:
        return None
    return value


def _records(table: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    cols = [c for c in columns if c in table.columns]
    return [_clean(dict(zip(cols, r, strict=True)))
            for r in table[cols].itertuples(index=False, name=None)]


def awareness_summary(data: AwarenessData, analysis: AwarenessAnalysis, kpi: str = KPI_CODE
                      ) -> dict[str, Any]:
    """The machine-readable summary written as ``<output>/<kpi>.json``.

    Percentages (``estimate``, ``ci_low``, ``ci_high``, ``moe_*``) are on the 0–100 scale;
    ``p_target_met`` and ``test.p_value`` are probabilities. ``level``, ``points`` and
    ``weight`` are ``None``: the KR is a plain percent-vs-target indicator with no rubric points
    (catalog entry ``awareness-pr``), and the keys are present so that
    :func:`kpianalysis.score_agency` can read a folder of summaries.
    """
    o = analysis.overall
    ss = analysis.sample_size
    rounds = analysis.rounds
    modes = analysis.modes
    dist = analysis.districts
    out = {
        "kpi": kpi,
        "name_th": NAME_TH,
        "estimate": o.estimate * 100,
        "ci_low": o.ci.low * 100,
        "ci_high": o.ci.high * 100,
        "ci_method": o.ci.method,
        "confidence": analysis.confidence,
        "se": o.se * 100,
        "df": o.df,
        "deff": o.deff,
        "n_eff": o.n_eff,
        "estimator": ("field probability sample (stratified by round × district), design weights "
                      "raked within each round to " + " + ".join(analysis.raked_to)
                      + "; Taylor linearisation"),
        "raked_to": list(analysis.raked_to),
        "margins_status": {v: sorted(set(data.margins.loc[data.margins["variable"] == v,
                                                          "status"]))[0]
                           for v in analysis.raked_to},
        "target": analysis.target,
        "target_met": bool(analysis.verdict["target_met"]),
        "met_at_ci_low": analysis.verdict["met_at_ci_low"],
        "met_at_ci_high": analysis.verdict["met_at_ci_high"],
        "p_target_met": analysis.test.p_target_met,
        "p_target_met_method": "P(p >= target) with p ~ estimate + SE * t(df): flat-prior "
                               "normal/t approximation (equals the one-sided p-value)",
        "test": {"null": f"p >= {analysis.target:g}%", "alternative": f"p < {analysis.target:g}%",
                 "statistic": analysis.test.statistic, "df": analysis.test.df,
                 "p_value": analysis.test.p_value, "alpha": analysis.alpha,
                 "reject": bool(analysis.test.reject)},
        "n_respondents": data.n,
        "n_field": o.n,
        "n_by_mode": shown_mode_counts(data, analysis),
        "n_aware_all_modes": int(data.frame["aware"].sum()),
        "percent_all_modes_unweighted": float(data.frame["aware"].mean()) * 100,
        "moe_overall": analysis.moe,
        "moe_by_round": {str(r): m for r, m in zip(rounds["round"], rounds["moe"], strict=True)},
        "moe_by_mode": {str(r): m for r, m in zip(modes["mode"], modes["moe"], strict=True)},
        "moe_district_min": float(dist["moe"].min()),
        "moe_district_median": float(dist["moe"].median()),
        "moe_district_max": float(dist["moe"].max()),
        "rounds": _records(rounds, ["round", "n", "estimate", "ci_low", "ci_high", "moe",
                                    "p_target_met"]),
        "round_change": analysis.round_change,
        "modes": _records(modes, ["mode", "probability_sample", "n", "unweighted", "estimate",
                                  "ci_low", "ci_high", "moe", "raked_to", "difference",
                                  "p_value", "disagrees"]),
        "modes_disagree": analysis.modes_disagree,
        "districts_below_target": int((dist["estimate"] < analysis.target).sum()),
        "districts_ci_above_target": int((dist["ci_low"] >= analysis.target).sum()),
        "channels": _records(analysis.channels, ["column", "estimate", "ci_low", "ci_high",
                                                 "among_aware"]),
        "sample_size": {
            "population": ss.population,
            "margin_5pt": _records(ss.formulas.iloc[:1], ["cochran", "yamane",
                                                           "krejcie_morgan", "cochran_deff"])[0],
            "deff": ss.deff,
            "kish_deff": ss.kish_deff,
            "district_margin": ss.district_moe_target * 100,
            "n_per_district_needed_max": int(ss.district_needs["n_needed"].max()),
            "n_districts_total_needed": ss.district_total_needed,
        },
        "level": None,
        "points": None,
        "weight": None,
        "input_path": data.path,
        "input_sha256": data.sha256,
        "margins_path": data.margins_path,
        "margins_sha256": data.margins_sha256,
        "package_version": __version__,
    }
    return _clean(out)


def shown_mode_counts(data: AwarenessData, analysis: AwarenessAnalysis) -> dict[str, int | None]:
    """Respondents per collection mode, ``None`` for a mode whose figures are suppressed."""
    hidden = set(analysis.modes.loc[analysis.modes["suppressed"], "mode"])
    return {m: (None if m in hidden else n) for m, n in data.n_by_mode.items()}


def processed_table(data: AwarenessData, analysis: AwarenessAnalysis) -> pd.DataFrame:
    """De-identified analysis table: every respondent with the raked weight (field only).

    ``respondent_id`` is a pseudonym (:func:`kpianalysis.privacy.pseudonymise`, a keyed hash
    with a per-process key never written anywhere); the focus-group id is left out.
    """
    keep = ["respondent_id", "round", "mode", "district_code", "sex", "age_group",
            "design_weight", *_FLAG_COLUMNS]
    out = data.frame[keep].merge(analysis.weights[["respondent_id", "raked_weight"]],
                                 on="respondent_id", how="left")
    out["respondent_id"] = pseudonymise(out["respondent_id"])
    return out
