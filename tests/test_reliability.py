"""Cronbach's alpha and Feldt's interval (kpianalysis.reliability).

Reference: pingouin's documented example (``pingouin.cronbach_alpha`` docstring, dataset
``cronbach_alpha.csv`` shipped with pingouin: 15 subjects x 10 items, long format)::

    >>> data = pg.read_dataset("cronbach_alpha")
    >>> pg.cronbach_alpha(data=data, items="Items", scores="Scores", subject="Subj")
    (0.5917188485995826, array([0.195, 0.84 ]))

Pingouin validates its alpha against R ``psych::alpha`` and computes the interval with Feldt,
Woodruff & Salih (1987), eqs. 6-7, the formula of R ``cocron::cronbach.alpha.CI``.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kpianalysis.reliability import cronbach_alpha, feldt_interval

# pingouin datasets/cronbach_alpha.csv pivoted to wide: rows Subj 0..14, columns Q1..Q10
PINGOUIN_ITEMS = {
    "Q1": [3, 5, 7, 2, 6, 1, 4, 2, 6, 5, 4, 4, 5, 6, 4],
    "Q2": [2, 4, 3, 4, 5, 2, 3, 4, 5, 4, 3, 2, 5, 5, 3],
    "Q3": [4, 6, 5, 3, 6, 3, 5, 4, 5, 6, 5, 3, 6, 5, 5],
    "Q4": [1, 3, 5, 3, 5, 4, 3, 3, 5, 4, 2, 2, 2, 4, 5],
    "Q5": [4, 5, 6, 2, 4, 2, 5, 7, 1, 3, 5, 5, 3, 2, 3],
    "Q6": [5, 1, 4, 2, 4, 5, 2, 2, 6, 5, 3, 3, 3, 2, 1],
    "Q7": [1, 2, 3, 2, 4, 2, 1, 2, 5, 3, 2, 4, 2, 1, 3],
    "Q8": [4, 5, 3, 6, 6, 3, 2, 4, 2, 1, 3, 2, 4, 4, 2],
    "Q9": [3, 5, 6, 6, 7, 5, 4, 6, 3, 7, 4, 3, 4, 6, 3],
    "Q10": [2, 5, 5, 3, 5, 2, 3, 5, 2, 2, 1, 4, 5, 5, 4],
}


def test_pingouin_example():
    res = cronbach_alpha(pd.DataFrame(PINGOUIN_ITEMS))
    # pingouin: alpha = 0.5917188485995826, CI [0.195, 0.840] (rounded to 3 decimals)
    assert res.alpha == pytest.approx(0.5917188485995826, rel=1e-12)
    assert res.ci.low == pytest.approx(0.195, abs=5e-4)
    assert res.ci.high == pytest.approx(0.840, abs=5e-4)
    assert (res.n, res.k, res.n_dropped) == (15, 10, 0)
    json.dumps(res.to_dict())


def test_feldt_formula():
    # Feldt et al. (1987) eqs. 6-7 / cocron::cronbach.alpha.CI: F with n-1 and (n-1)(k-1) df
    ci = feldt_interval(0.83, 100, 20, 0.95)
    f_hi = stats.f.ppf(0.975, 99, 99 * 19)
    f_lo = stats.f.ppf(0.025, 99, 99 * 19)
    assert ci.low == pytest.approx(1 - 0.17 * f_hi, rel=1e-12)
    assert ci.high == pytest.approx(1 - 0.17 * f_lo, rel=1e-12)
    assert ci.low < 0.83 < ci.high


def test_listwise_deletion():
    items = pd.DataFrame(PINGOUIN_ITEMS).astype(float)
    items.iloc[3, 2] = np.nan
    res = cronbach_alpha(items)
    full = cronbach_alpha(items.drop(index=3))
    assert res.alpha == pytest.approx(full.alpha, rel=1e-14)
    assert res.n_dropped == 1
    with pytest.raises(ValueError, match=r"row 4.*missing item responses"):
        cronbach_alpha(items, nan_policy="raise")


def test_bad_input():
    with pytest.raises(ValueError, match="at least 2 columns"):
        cronbach_alpha(pd.DataFrame({"a": [1, 2, 3]}))
    with pytest.raises(ValueError, match=r"'b'.*numeric.*'high'"):
        cronbach_alpha(pd.DataFrame({"a": [1, 2, 3], "b": [1, "high", 3]}))
    with pytest.raises(ValueError, match="no variance"):
        cronbach_alpha(pd.DataFrame({"a": [2, 2, 2], "b": [3, 3, 3]}))
    with pytest.raises(ValueError, match="valid values are: listwise, raise"):
        cronbach_alpha(pd.DataFrame(PINGOUIN_ITEMS), nan_policy="pairwise")
