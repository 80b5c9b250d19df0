"""Domains and interval methods against R survey >= 4.4-1 (issue 12).

Every reference value comes from ``tests/data/r_reference/r_domains.R``, run with R 4.2.2 and
R survey 4.5 built from the CRAN sources (versions stored in ``r_domains.json``), on R's
``data(api)`` (the rows of ``tests/data/api/*.csv``); values carry 17 significant digits. Each
case in the JSON stores the R call that produced it (``call``), quoted in failure messages.

* Lonely PSUs in domains: ``svyby`` under ``options(survey.lonely.psu = ...)`` (the package's
  ``lonely_domain="svyby"``) and ``svymean/svytotal(~y, d[in_domain, , drop = FALSE])`` (the
  package's ``lonely_domain="full-design"``).
* Proportion intervals: ``svyciprop(method = ...)`` overall and through ``svyby``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kpianalysis.design import SurveyDesign, poststratify

DATA = Path(__file__).resolve().parent / "data"
R = json.loads((DATA / "r_reference" / "r_domains.json").read_text())
TOL = 1e-9
STYPE_POP = {"E": 4421, "H": 755, "M": 1018}  # r_domains.R: stype_pop


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / "api" / f"{name}.csv")


FILES = {"strat": "api_strat", "clus1": "api_clus1", "clus2": "api_clus2"}


def build(name: str, lonely_psu: str = "fail", **kwargs) -> SurveyDesign:
    """The design called ``name`` in r_domains.R."""
    base = name.removesuffix("_ps")
    specs = {
        "strat_dnum": ("api_clus1", {"weights": "pw", "strata": "dnum"}),
        "strat_cname": ("api_strat", {"weights": "pw", "strata": "cname"}),
        "clus2_cname": ("api_clus2", {"weights": "pw", "strata": "cname", "psu": "dnum",
                                      "ssu": "snum"}),
        "clus2_cname_fpc": ("api_clus2", {"strata": "cname", "psu": "dnum", "ssu": "snum",
                                          "fpc": ["fpc1", "fpc2"]}),
        "strat": ("api_strat", {"weights": "pw", "strata": "stype", "fpc": "fpc"}),
        "clus1": ("api_clus1", {"weights": "pw", "psu": "dnum", "fpc": "fpc"}),
        "clus2": ("api_clus2", {"psu": "dnum", "ssu": "snum", "fpc": ["fpc1", "fpc2"]}),
    }
    file, spec = specs[base]
    d = SurveyDesign(_read(file), lonely_psu=lonely_psu, **spec, **kwargs)
    if name.endswith("_ps"):
        d = poststratify(d, "stype", STYPE_POP)
    return d


def test_reference_versions() -> None:
    assert R["survey_version"] == "4.5"
    assert R["R_version"].startswith("R version 4.2")


# ---- 1. lonely PSUs in domains ----------------------------------------------------------------

LONELY = R["lonely"]


def _lonely_id(case: dict) -> str:
    return (f"{case['design']}-{case['lonely_psu']}-{case['statistic']}-{case['variable']}-"
            f"{case['by'] or 'all'}")


def _estimate(design: SurveyDesign, case: dict) -> tuple[np.ndarray, np.ndarray]:
    fun = getattr(design, case["statistic"])
    res = fun(case["variable"], by=case["by"], na_rm=case["na_rm"])
    if case["by"] is None:
        return np.array([res.estimate]), np.array([res.se])
    table = res.table.set_index(case["by"]).loc[case["domains"]]
    return table["estimate"].to_numpy(), table["se"].to_numpy()


@pytest.mark.parametrize("case", LONELY, ids=[_lonely_id(c) for c in LONELY])
def test_lonely_domain_svyby_matches_r(case: dict) -> None:
    # R: options(survey.lonely.psu = case["lonely_psu"]); case["call"]
    d = build(case["design"], case["lonely_psu"])
    est, se = _estimate(d, case)
    np.testing.assert_allclose(est, case["svyby_estimate"], rtol=TOL, err_msg=case["call"])
    np.testing.assert_allclose(se, case["svyby_se"], rtol=TOL, err_msg=case["call"])


@pytest.mark.parametrize("case", LONELY, ids=[_lonely_id(c) for c in LONELY])
def test_lonely_domain_full_design_matches_r(case: dict) -> None:
    # R: options(survey.lonely.psu = ...); case["full_call"] for each domain
    d = build(case["design"], case["lonely_psu"], lonely_domain="full-design")
    est, se = _estimate(d, case)
    np.testing.assert_allclose(est, case["full_estimate"], rtol=TOL, err_msg=case["full_call"])
    np.testing.assert_allclose(se, case["full_se"], rtol=TOL, err_msg=case["full_call"])


def test_lonely_domain_conventions_differ_where_r_does() -> None:
    # strat_dnum, adjust, total of api00 by stype: district 413 (lonely) has only an
    # elementary school, so R's svyby leaves it out of domains H and M
    case = next(c for c in LONELY if _lonely_id(c) == "strat_dnum-adjust-total-api00-stype")
    assert case["svyby_se"][1] != pytest.approx(case["full_se"][1], rel=1e-6)
    svyby = build("strat_dnum", "adjust").total("api00", by="stype")
    full = build("strat_dnum", "adjust", lonely_domain="full-design").total("api00", by="stype")
    assert svyby["H"].se < full["H"].se


def test_lonely_domain_option_checked() -> None:
    with pytest.raises(ValueError, match="lonely_domain"):
        build("strat_dnum", "adjust", lonely_domain="r44")


def test_lonely_average_domain_without_ok_stratum_is_an_error() -> None:
    # one domain lives only in a lonely stratum: R's svyby gives NaN (0 * 1 / 0)
    data = pd.DataFrame({"s": [1, 1, 2, 2, 3], "w": [2.0, 2.0, 3.0, 3.0, 4.0],
                         "y": [1.0, 2.0, 3.0, 4.0, 5.0], "g": ["a", "a", "a", "a", "b"]})
    d = SurveyDesign(data, weights="w", strata="s", lonely_psu="average")
    with pytest.raises(ValueError, match=r"domain 'b'.*single PSU"):
        d.mean("y", by="g")
    full = SurveyDesign(data, weights="w", strata="s", lonely_psu="average",
                        lonely_domain="full-design").mean("y", by="g")
    assert np.isfinite(full.table["se"]).all()
