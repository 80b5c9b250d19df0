"""Seeded generator of the awareness-survey sample files in ``data/raw/awareness/``.

The awareness KR (seed 000) measures the percent of citizens who received BMA news on the
"9 ดี 9 ด้าน" policy through the PR office's channels, from 10,000 respondents over 3 rounds
collected by field survey (ลงพื้นที่), online survey and focus groups. This module makes a
synthetic stand-in for that survey: **the respondents are invented**, and so are the
awareness rates, the district populations and the age structure (labelled ``ILLUSTRATIVE`` in
the margins file). Only the sex totals of the margins file are real (NSO, 2023).

Design of the synthetic survey
------------------------------
* **field** (ลงพื้นที่): a probability sample, stratified by district; 1,850 interviews per
  round allocated proportionally to the (illustrative) district populations with at least 20
  per district (:func:`kpianalysis.sample_size.allocate`). ``design_weight`` =
  district population / interviews in that district and round, so each round's weights sum to
  the registered population 5,471,588.
* **online**: a self-selected web sample (non-probability, no design weight); younger, more
  female and more aware than the field sample, and reached more through Facebook, TikTok and
  Instagram.
* **focus_group**: groups of 8 invited participants in one district each (non-probability, no
  design weight), the most aware.

Awareness rises slightly from round to round; the field (design-weighted) estimate lands a
few points below the 80 % target while the unweighted pooled share is close to it, so the
choice of estimator matters.

``aware`` follows the KR definition: 1 when the respondent received BMA news on at least one
of the nine dimensions through at least one PR channel; by construction ``aware == 1`` exactly
when some ``ch_*`` column is 1, and exactly when some ``dim_*`` column is 1.

Regenerate with ``python -m kpianalysis.sample_data.awareness --out data/raw/awareness``
(same seed → same bytes).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from ..awareness import AGE_GROUPS, CHANNELS, DIMENSIONS, MODES, SEXES
from ..bangkok import BANGKOK_POPULATION_2566, DISTRICTS
from ..sample_size import allocate

__all__ = [
    "AGE_GROUPS",
    "AWARENESS_COLUMNS",
    "AWARENESS_DTYPES",
    "CHANNELS",
    "DIMENSIONS",
    "DISTRICT_POPULATION_ILLUSTRATIVE",
    "MODES",
    "SEED",
    "generate_awareness",
    "generate_margins",
    "read_awareness",
    "write_awareness",
]

SEED = 25680080


#: ILLUSTRATIVE district populations: rough magnitudes scaled to the real total 5,471,588.
#: They are NOT official district figures (KPI_SPEC section F gives none).
_DISTRICT_MAGNITUDE = np.array([
    42, 90, 180, 40, 185, 145, 42, 40, 82, 145, 175, 78, 20, 65, 100, 65, 75, 70, 105, 105,
    190, 120, 155, 80, 85, 115, 140, 75, 115, 150, 80, 185, 90, 115, 145, 165, 65, 120, 75,
    185, 100, 205, 95, 100, 105, 205, 90, 80, 120, 110,
], dtype=float)  # fmt: skip

#: Illustrative adult age structure (shares of the 18+ population).
_AGE_SHARE_ILLUSTRATIVE = np.array([0.10, 0.17, 0.18, 0.28, 0.27])

#: Interviews per round and mode (sum 10,000); focus groups have 8 participants each.
_PLAN: dict[int, dict[str, int]] = {
    1: {"field": 1850, "online": 1300, "focus_group": 184},
    2: {"field": 1850, "online": 1307, "focus_group": 176},
    3: {"field": 1850, "online": 1299, "focus_group": 184},
}
_FG_SIZE = 8
_FIELD_MINIMUM = 20

#: ILLUSTRATIVE interviewing windows (fiscal year 2568).
_ROUND_WINDOWS = {1: ("2025-01-06", "2025-01-31"), 2: ("2025-04-01", "2025-04-30"),
                  3: ("2025-07-01", "2025-07-31")}

# respondent profile by mode: P(female), age-group distribution
_P_FEMALE = {"field": 0.56, "online": 0.60, "focus_group": 0.52}
_AGE_DIST = {
    "field": [0.08, 0.15, 0.18, 0.30, 0.29],
    "online": [0.22, 0.33, 0.24, 0.16, 0.05],
    "focus_group": [0.15, 0.25, 0.25, 0.22, 0.13],
}

# awareness: logit = mode + round + age + district effect
_AWARE_MODE = {"field": 1.20, "online": 1.90, "focus_group": 2.30}
_AWARE_ROUND = {1: -0.15, 2: 0.0, 3: 0.15}
_AWARE_AGE = np.array([-0.10, 0.0, 0.05, 0.05, -0.15])
_DISTRICT_SD = 0.30

# channel exposure given awareness: base probability by mode (order of CHANNELS) ...
_CHANNEL_P = {
    "field": [0.62, 0.22, 0.25, 0.45, 0.20, 0.10, 0.12, 0.25],
    "online": [0.35, 0.10, 0.08, 0.80, 0.45, 0.30, 0.30, 0.40],
    "focus_group": [0.50, 0.20, 0.25, 0.70, 0.30, 0.20, 0.35, 0.35],
}
# ... shifted on the logit scale by age group (rows AGE_GROUPS, columns CHANNELS)
_CHANNEL_AGE = np.array([
    [-0.6, -0.4, -0.5, 0.1, 0.9, 0.8, 0.0, 0.4],
    [-0.3, -0.2, -0.3, 0.2, 0.5, 0.5, 0.1, 0.3],
    [0.0, 0.0, 0.0, 0.1, 0.1, 0.1, 0.0, 0.0],
    [0.3, 0.2, 0.2, 0.0, -0.4, -0.5, -0.1, -0.1],
    [0.6, 0.5, 0.5, -0.4, -0.9, -1.0, -0.4, -0.3],
])  # fmt: skip

# dimension recall given awareness (order of DIMENSIONS), shifted by mode on the logit scale
_DIMENSION_P = np.array([0.55, 0.45, 0.30, 0.50, 0.40, 0.30, 0.25, 0.30, 0.35])
_DIMENSION_MODE = {"field": 0.0, "online": 0.2, "focus_group": 0.5}

#: Column order of ``awareness_survey.csv``.
AWARENESS_COLUMNS: tuple[str, ...] = (
    "respondent_id", "round", "mode", "interview_date", "district_code", "district_th", "sex",
    "age_group", "focus_group_id", "design_weight", "aware", *CHANNELS, *DIMENSIONS,
)  # fmt: skip

#: dtypes of ``awareness_survey.csv`` as read by :func:`read_awareness`.
AWARENESS_DTYPES: dict[str, str] = {
    "respondent_id": "str",
    "round": "int64",
    "mode": "str",
    "interview_date": "str",
    "district_code": "int64",
    "district_th": "str",
    "sex": "str",
    "age_group": "str",
    "focus_group_id": "str",
    "design_weight": "float64",
    "aware": "int64",
    **dict.fromkeys(CHANNELS, "int64"),
    **dict.fromkeys(DIMENSIONS, "int64"),
}

_SURVEY_FILE = "awareness_survey.csv"
_MARGINS_FILE = "population_margins.csv"


def _largest_remainder_counts(shares: np.ndarray, total: int) -> np.ndarray:
    x = shares / shares.sum() * total
    base = np.floor(x).astype(np.int64)
    order = np.argsort(-(x - base), kind="stable")
    base[order[: total - int(base.sum())]] += 1
    return base


#: ILLUSTRATIVE district populations (DOPA code → persons), summing to the real 5,471,588.
DISTRICT_POPULATION_ILLUSTRATIVE: dict[int, int] = dict(
    zip(
        DISTRICTS,
        _largest_remainder_counts(_DISTRICT_MAGNITUDE, BANGKOK_POPULATION_2566["total"]).tolist(),
        strict=True,
    )
)


def _categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of ``probs`` (rows sum to 1), by inverse CDF."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(probs.shape[0]) * cum[:, -1]
    return np.minimum((cum <= u[:, None]).sum(axis=1), probs.shape[1] - 1)


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return np.log(p / (1.0 - p))


def _at_least_one(rng: np.random.Generator, draws: np.ndarray, probs: np.ndarray,
                  need: np.ndarray) -> np.ndarray:
    """Make sure rows with ``need`` have at least one 1, adding one column ∝ ``probs``."""
    empty = need & (draws.sum(axis=1) == 0)
    pick = _categorical(rng, probs)
    add = empty[:, None] & (np.arange(draws.shape[1])[None, :] == pick[:, None])
    return (draws | add) & need[:, None]


def _skeleton(rng: np.random.Generator) -> pd.DataFrame:
    """Round, mode, district, focus group, date and design weight of every respondent."""
    codes = np.array(list(DISTRICTS))
    pop = np.array(list(DISTRICT_POPULATION_ILLUSTRATIVE.values()), dtype=float)
    parts = []
    for round_no, plan in _PLAN.items():
        start, end = (pd.Timestamp(d) for d in _ROUND_WINDOWS[round_no])
        days = (end - start).days + 1
        # field: proportional allocation with a minimum per district, sorted by district
        alloc = allocate(plan["field"], pop, method="proportional", minimum=_FIELD_MINIMUM)
        n_f = plan["field"]
        parts.append(pd.DataFrame({
            "round": round_no,
            "mode": "field",
            "district_code": np.repeat(codes, alloc.n),
            "focus_group_id": pd.NA,
            "design_weight": np.repeat(np.round(pop / alloc.n, 4), alloc.n),
            "day": rng.integers(0, days, size=n_f),
        }))
        # online: self-reported district, roughly in proportion to population
        n_o = plan["online"]
        parts.append(pd.DataFrame({
            "round": round_no,
            "mode": "online",
            "district_code": codes[_categorical(rng, np.tile(pop / pop.sum(), (n_o, 1)))],
            "focus_group_id": pd.NA,
            "design_weight": np.nan,
            "day": rng.integers(0, days, size=n_o),
        }))
        # focus groups: 8 participants each, one district and one day per group
        n_groups = plan["focus_group"] // _FG_SIZE
        g_district = codes[_categorical(rng, np.tile(pop / pop.sum(), (n_groups, 1)))]
        g_day = rng.integers(0, days, size=n_groups)
        g_id = np.array([f"R{round_no}-FG{g + 1:02d}" for g in range(n_groups)])
        parts.append(pd.DataFrame({
            "round": round_no,
            "mode": "focus_group",
            "district_code": np.repeat(g_district, _FG_SIZE),
            "focus_group_id": np.repeat(g_id, _FG_SIZE),
            "design_weight": np.nan,
            "day": np.repeat(g_day, _FG_SIZE),
        }))
    frame = pd.concat(parts, ignore_index=True)
    starts = frame["round"].map({r: pd.Timestamp(w[0]) for r, w in _ROUND_WINDOWS.items()})
    frame["interview_date"] = (starts + pd.to_timedelta(frame["day"], unit="D")).dt.strftime(
        "%Y-%m-%d"
    )
    return frame.drop(columns="day")


def generate_awareness(seed: int = SEED) -> pd.DataFrame:
    """Generate the synthetic awareness survey (10,000 respondents, 3 rounds, 3 modes).

    Parameters
    ----------
    seed : int, default :data:`SEED`
        Seed of the ``numpy.random.Generator``; the same seed gives the same frame.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`AWARENESS_COLUMNS` with dtypes :data:`AWARENESS_DTYPES`; see
        ``data/raw/README.md`` for their meaning.
    """
    rng = np.random.default_rng(seed)
    district_effect = dict(zip(DISTRICTS, rng.normal(0.0, _DISTRICT_SD, size=len(DISTRICTS)),
                               strict=True))
    frame = _skeleton(rng)
    n = len(frame)
    mode = frame["mode"].to_numpy()

    # profile
    p_female = frame["mode"].map(_P_FEMALE).to_numpy()
    sex = np.where(rng.random(n) < p_female, "female", "male")
    age_probs = np.array([_AGE_DIST[m] for m in mode])
    age_idx = _categorical(rng, age_probs)

    # overall awareness
    eta = (frame["mode"].map(_AWARE_MODE).to_numpy()
           + frame["round"].map(_AWARE_ROUND).to_numpy()
           + _AWARE_AGE[age_idx]
           + frame["district_code"].map(district_effect).to_numpy())
    aware = rng.random(n) < _expit(eta)

    # channels, given awareness
    ch_logit = _logit(np.array([_CHANNEL_P[m] for m in mode])) + _CHANNEL_AGE[age_idx]
    ch_p = _expit(ch_logit)
    channels = _at_least_one(rng, rng.random(ch_p.shape) < ch_p, ch_p, aware)

    # dimensions, given awareness
    dim_logit = _logit(_DIMENSION_P)[None, :] + frame["mode"].map(_DIMENSION_MODE).to_numpy()[
        :, None
    ]
    dim_p = _expit(dim_logit)
    dims = _at_least_one(rng, rng.random(dim_p.shape) < dim_p, dim_p, aware)

    out = pd.DataFrame({
        "respondent_id": np.array([f"AW{i:05d}" for i in range(1, n + 1)]),
        "round": frame["round"],
        "mode": mode.astype(str),
        "interview_date": frame["interview_date"].to_numpy(dtype=str),
        "district_code": frame["district_code"],
        "district_th": frame["district_code"].map(DISTRICTS).to_numpy(dtype=str),
        "sex": sex,
        "age_group": np.array(AGE_GROUPS)[age_idx],
        "focus_group_id": pd.Series(
            np.where(mode == "focus_group", frame["focus_group_id"].to_numpy(dtype=object),
                     np.nan).tolist()
        ),
        "design_weight": frame["design_weight"],
        "aware": aware.astype(np.int64),
    })
    for j, col in enumerate(CHANNELS):
        out[col] = channels[:, j].astype(np.int64)
    for j, col in enumerate(DIMENSIONS):
        out[col] = dims[:, j].astype(np.int64)
    # text columns keep pandas' inferred string dtype (missing values stay NaN)
    numeric = {c: t for c, t in AWARENESS_DTYPES.items() if t != "str"}
    return out.astype(numeric)[list(AWARENESS_COLUMNS)]


def generate_margins() -> pd.DataFrame:
    """Population margins for raking the awareness survey (long format).

    Returns
    -------
    pandas.DataFrame
        Columns ``variable`` (the survey column: ``sex``, ``age_group``, ``district_code``),
        ``category`` (its value, as text), ``label_th``, ``population`` (persons; every
        variable sums to 5,471,588), ``share`` (population / total), ``status`` (``official``
        or ``ILLUSTRATIVE``) and ``source``.
    """
    total = BANGKOK_POPULATION_2566["total"]
    nso = ("NSO Bulletin of Statistics Q1/2567 Table 1.1; Statistical Yearbook Thailand 2024 "
           "Table 7.1 (DOPA registration, 2023, all ages)")
    sex = pd.DataFrame({
        "variable": "sex",
        "category": list(SEXES),
        "label_th": list(SEXES.values()),
        "population": [BANGKOK_POPULATION_2566["male"], BANGKOK_POPULATION_2566["female"]],
        "status": "official",
        "source": nso,
    })
    age = pd.DataFrame({
        "variable": "age_group",
        "category": list(AGE_GROUPS),
        "label_th": [f"อายุ {g} ปี" if g != "60+" else "อายุ 60 ปีขึ้นไป" for g in AGE_GROUPS],
        "population": _largest_remainder_counts(_AGE_SHARE_ILLUSTRATIVE, total),
        "status": "ILLUSTRATIVE",
        "source": ("ILLUSTRATIVE: invented adult age shares scaled to the registered total so "
                   "that every margin has the same sum"),
    })
    district = pd.DataFrame({
        "variable": "district_code",
        "category": [str(c) for c in DISTRICT_POPULATION_ILLUSTRATIVE],
        "label_th": list(DISTRICTS.values()),
        "population": list(DISTRICT_POPULATION_ILLUSTRATIVE.values()),
        "status": "ILLUSTRATIVE",
        "source": ("ILLUSTRATIVE: rough district magnitudes scaled to the registered total; not "
                   "official district figures"),
    })
    out = pd.concat([sex, age, district], ignore_index=True)
    out["population"] = out["population"].astype(np.int64)
    out["share"] = (out["population"] / total).round(6)
    cols = ["variable", "category", "label_th", "population", "share", "status", "source"]
    return out[cols].astype({"variable": "str", "category": "str", "label_th": "str",
                             "status": "str", "source": "str"})


def read_awareness(path: str | Path) -> pd.DataFrame:
    """Read ``awareness_survey.csv`` with the dtypes of :data:`AWARENESS_DTYPES`."""
    return pd.read_csv(path, dtype=AWARENESS_DTYPES, encoding="utf-8")


def write_awareness(out_dir: str | Path, seed: int = SEED) -> list[Path]:
    """Write ``awareness_survey.csv`` and ``population_margins.csv`` into ``out_dir``.

    Returns the paths written. UTF-8 without BOM, ``\\n`` line endings.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    survey = out / _SURVEY_FILE
    margins = out / _MARGINS_FILE
    generate_awareness(seed).to_csv(survey, index=False, encoding="utf-8", lineterminator="\n")
    generate_margins().to_csv(margins, index=False, encoding="utf-8", lineterminator="\n")
    return [survey, margins]


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m kpianalysis.sample_data.awareness --out DIR [--seed N]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="data/raw/awareness", help="output directory")
    parser.add_argument("--seed", type=int, default=SEED, help=f"RNG seed (default {SEED})")
    args = parser.parse_args(argv)
    for path in write_awareness(args.out, seed=args.seed):
        print(path)


if __name__ == "__main__":
    main()
