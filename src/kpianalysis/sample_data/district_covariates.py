"""Synthetic district covariates for the awareness report's small-area estimates.

``awareness/district_covariates.csv`` holds two area-level auxiliary variables for each of the
50 districts. **They are invented** (``status`` SYNTHETIC): a real analysis would take
them from a census or register (for example NSO's household ICT survey for internet use and
DOPA's registration for the age structure). To make the Fay–Herriot illustration meaningful
they are built to be related to the district effect that
:func:`kpianalysis.sample_data.awareness.generate_awareness` draws first from its own seed
(internet use higher, the elderly share lower where awareness is higher), plus independent
noise from this module's seed. The awareness survey file itself is untouched.

Regenerate: ``python -m kpianalysis.sample_data --out data/raw`` (same seeds → same bytes).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..bangkok import DISTRICTS
from .awareness import _DISTRICT_SD
from .awareness import SEED as AWARENESS_SEED

__all__ = ["COVARIATES_FILE", "SEED", "generate_district_covariates",
           "write_district_covariates"]

SEED = 25680081
COVARIATES_FILE = "district_covariates.csv"
_SOURCE = ("SYNTHETIC: invented for the sample data, related to the sample generator's district "
           "effect; not NSO or DOPA figures")


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def generate_district_covariates(seed: int = SEED) -> pd.DataFrame:
    """The synthetic district covariates.

    Parameters
    ----------
    seed : int, default :data:`SEED`
        Seed of the noise (the district effects come from the awareness generator's seed).

    Returns
    -------
    pandas.DataFrame
        ``district_code`` (DOPA 1001–1050), ``district_th``, ``internet_share`` (share of
        adults who used the internet in the last year, 0–1, 4 decimals), ``elderly_share``
        (share of the population aged 60 and over, 0–1, 4 decimals), ``status``
        (``SYNTHETIC``) and ``source``.
    """
    # the first draw of generate_awareness(): its district effects, in DISTRICTS order
    effect = np.random.default_rng(AWARENESS_SEED).normal(0.0, _DISTRICT_SD,
                                                          size=len(DISTRICTS))
    rng = np.random.default_rng(seed)
    internet = _expit(1.3 + 2.0 * effect + rng.normal(0.0, 0.25, size=len(DISTRICTS)))
    elderly = _expit(-1.45 - 0.8 * effect + rng.normal(0.0, 0.20, size=len(DISTRICTS)))
    return pd.DataFrame({
        "district_code": np.array(list(DISTRICTS), dtype=np.int64),
        "district_th": list(DISTRICTS.values()),
        "internet_share": np.round(internet, 4),
        "elderly_share": np.round(elderly, 4),
        "status": "SYNTHETIC",
        "source": _SOURCE,
    })


def write_district_covariates(out_dir: str | Path, seed: int = SEED) -> list[Path]:
    """Write ``district_covariates.csv`` into ``out_dir`` (UTF-8, ``\\n``); return its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / COVARIATES_FILE
    generate_district_covariates(seed).to_csv(path, index=False, encoding="utf-8",
                                              lineterminator="\n")
    return [path]
