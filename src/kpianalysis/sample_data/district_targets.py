"""Seeded generator of the ILLUSTRATIVE district development-target sample (FY2567).

Seed 004 (lines 480-504) lists the 22 development targets (23 rows) with their units and host
agencies but prints no plan and no actual, for any district. Every number in
``data/raw/districts/district_targets_2567.csv`` is therefore **invented**: plan and actual per
district (the 50 DOPA codes of :mod:`kpianalysis.bangkok`) and per target row, in the row's
unit. It shows what an agency's file looks like and exercises the analysis; it says nothing
about any real district.

Made to be realistic and not flattering: districts differ, some targets lag badly (Hawker
Centres, vending areas, the NHSO fund disbursement), money is disbursed late, and about 60 % of
the (district, row) pairs reach their plan. Some districts have a plan of 0 for a row (the row
sets nothing there: e.g. no canal-side lamps or hawker centre planned). The money rows are
written with thousands separators (``4,600,000``), as spreadsheets export them.

Regenerate with ``python -m kpianalysis.sample_data --out data/raw`` (same seed → same bytes).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from ..bangkok import DISTRICTS
from ..district_targets import load_targets

__all__ = ["FILE", "SEED", "generate_district_targets", "write_district_targets"]

SEED = 25670480
#: Where the file goes, relative to the data root.
FILE = "districts/district_targets_2567.csv"

# Illustrative plan per district for each row: (low, high, decimals). Items 17 and 18 follow the
# district's number of communities; the two percentage rows are plans of 85–100 %.
_PLAN = {
    "1": (0.5, 4.0, 1), "2": (300, 3000, 0), "3": (1, 4, 0), "4": (1.0, 8.0, 1),
    "5": (80, 900, 0), "6": (20, 300, 0), "7": (1, 5, 0), "8": (1, 2, 0), "9": (1, 6, 0),
    "10": (1, 4, 0), "11(1)": (1, 5, 0), "11(2)": (1, 5, 0), "12": (1, 5, 0), "13": (1, 3, 0),
    "14": (1, 4, 0), "15": (1, 6, 0), "16": (85, 100, 0), "17": (0, 0, 0), "18": (0, 0, 0),
    "19": (1_500_000, 6_000_000, -3), "20": (90, 100, 0), "21": (5.0, 40.0, 1),
    "22": (2.0, 30.0, 1),
}
# Illustrative log-ratio of actual to plan of an average district (0 = on plan); negative rows
# lag. Not taken from anywhere: chosen so that some targets lag and most do not.
_DRIFT = {
    "1": 0.03, "2": 0.08, "3": -0.05, "4": 0.0, "5": 0.06, "6": -0.02, "7": -0.25,
    "8": -0.45, "9": 0.02, "10": -0.12, "11(1)": -0.04, "11(2)": 0.05, "12": 0.02,
    "13": -0.06, "14": 0.0, "15": 0.04, "16": 0.01, "17": -0.08, "18": -0.15, "19": -0.3,
    "20": 0.0, "21": 0.07, "22": -0.03,
}
# Rows with a plan of 0 in some districts, and in how many (chosen at random).
_NO_PLAN = {"6": 6, "8": 18, "22": 6, "7": 8}


def generate_district_targets(seed: int = SEED) -> pd.DataFrame:
    """The illustrative plan-and-actual table: 50 districts × 23 rows (no file written).

    Returns
    -------
    DataFrame
        ``district_code``, ``item``, ``plan``, ``actual`` as text, one row per pair, by
        district then by the seed's order of the rows.
    """
    rng = np.random.default_rng(seed)
    items = load_targets()["item"].tolist()
    codes = np.array(list(DISTRICTS))
    n_d, n_i = len(codes), len(items)
    low = np.array([_PLAN[i][0] for i in items], dtype=float)
    high = np.array([_PLAN[i][1] for i in items], dtype=float)
    decimals = np.array([_PLAN[i][2] for i in items])
    plan = low + (high - low) * rng.random((n_d, n_i))
    communities = rng.integers(8, 71, size=n_d)
    plan[:, items.index("17")] = communities
    plan[:, items.index("18")] = 200_000 * communities  # the seed's 200,000 baht per community
    scale = 10.0 ** decimals
    plan = np.round(plan * scale) / scale
    plan = np.where(decimals <= 0, np.maximum(plan, 1), plan)
    for item, k in _NO_PLAN.items():
        plan[rng.choice(n_d, size=k, replace=False), items.index(item)] = 0

    district_effect = rng.normal(0.0, 0.09, size=(n_d, 1))
    drift = np.array([_DRIFT[i] for i in items])
    ratio = np.exp(drift + district_effect + rng.normal(0.0, 0.16, size=(n_d, n_i)))
    actual = np.round(plan * ratio * scale) / scale
    percent = load_targets()["percent"].to_numpy()
    actual = np.where(percent, np.minimum(actual, 100.0), actual)
    # a row with no plan still records what was done (mostly nothing)
    actual = np.where(plan == 0, np.round(rng.random((n_d, n_i)) < 0.1), actual)

    frame = pd.DataFrame({
        "district_code": np.repeat(codes, n_i),
        "item": np.tile(items, n_d),
        "plan": plan.ravel(),
        "actual": actual.ravel(),
        "_decimals": np.tile(decimals, n_d),
    })
    money = frame["item"].isin(["18", "19"])
    one = frame["_decimals"] == 1
    for col in ("plan", "actual"):
        values = frame[col]
        text = values.map("{:.0f}".format)
        text = text.mask(one, values.map("{:.1f}".format))
        frame[col] = text.mask(money, values.map("{:,.0f}".format))
    return frame.drop(columns="_decimals")


def write_district_targets(out: str | Path, seed: int = SEED) -> list[Path]:
    """Write the table to ``out/districts/district_targets_2567.csv`` (UTF-8, ``\\n`` line
    ends); return the path in a list."""
    path = Path(out) / FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    generate_district_targets(seed).to_csv(path, index=False, encoding="utf-8",
                                           lineterminator="\n")
    return [path]


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - thin CLI
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="data/raw", help="the data root (data/raw)")
    args = parser.parse_args(argv)
    for path in write_district_targets(args.out):
        print(path)


if __name__ == "__main__":  # pragma: no cover
    main()
