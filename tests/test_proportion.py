"""Proportion confidence intervals against published reference values."""

import numpy as np
import pytest

from kpianalysis import proportion_ci
from kpianalysis.proportion import (
    PROPORTION_CI_ALIASES,
    PROPORTION_CI_METHODS,
    PROPORTION_CI_NAMES,
    canonical_proportion_ci_method,
    proportion_difference_ci,
)

# Newcombe, R. G. (1998a). Two-sided confidence intervals for the single proportion: comparison
# of seven methods. Statistics in Medicine 17, 857-872, Table I (4 decimals as printed):
# method 1 = Wald ("normal"), method 3 = Wilson score, method 5 = Clopper-Pearson exact.
# The same values are returned by R `binom::binom.confint(x, n, methods=c("asymptotic",
# "wilson", "exact"))` and statsmodels `proportion_confint(x, n, method="normal"|"wilson"|"beta")`.
NEWCOMBE_TABLE_I = [
    # count, nobs, method, low, high
    (81, 263, "normal", 0.2522, 0.3638),
    (81, 263, "wilson", 0.2553, 0.3662),
    (81, 263, "clopper-pearson", 0.2527, 0.3676),
    (15, 148, "normal", 0.0527, 0.1500),
    (15, 148, "wilson", 0.0624, 0.1605),
    (15, 148, "clopper-pearson", 0.0578, 0.1617),
    (0, 20, "wilson", 0.0000, 0.1611),
    (0, 20, "clopper-pearson", 0.0000, 0.1684),
    (1, 29, "normal", 0.0000, 0.1009),  # Wald lower bound -0.0320, clipped to 0
    (1, 29, "wilson", 0.0061, 0.1718),
    (1, 29, "clopper-pearson", 0.0009, 0.1776),
]

# statsmodels 0.15.0: statsmodels.stats.proportion.proportion_confint(count, nobs, alpha=0.05,
# method="agresti_coull" | "jeffreys"), printed with round(x, 6).
STATSMODELS_REFERENCE = [
    (81, 263, "agresti-coull", 0.255221, 0.366277),
    (15, 148, "agresti-coull", 0.061386, 0.161488),
    (1, 29, "agresti-coull", 0.0, 0.186287),
    (81, 263, "jeffreys", 0.254522, 0.365647),
    (15, 148, "jeffreys", 0.060449, 0.157643),
    (1, 29, "jeffreys", 0.003746, 0.150078),
]


@pytest.mark.parametrize(("count", "nobs", "method", "low", "high"), NEWCOMBE_TABLE_I)
def test_newcombe_table_i(count, nobs, method, low, high):
    ci = proportion_ci(count, nobs, method=method)
    assert ci.low == pytest.approx(low, abs=5e-5)
    assert ci.high == pytest.approx(high, abs=5e-5)
    assert ci.method == method


@pytest.mark.parametrize(("count", "nobs", "method", "low", "high"), STATSMODELS_REFERENCE)
def test_statsmodels_reference(count, nobs, method, low, high):
    ci = proportion_ci(count, nobs, method=method)
    assert ci.low == pytest.approx(low, abs=5e-7)
    assert ci.high == pytest.approx(high, abs=5e-7)


def test_jeffreys_boundary_rule():
    # Brown, Cai & DasGupta (2001), Statistical Science 16(2), section 4.1.2: the Jeffreys
    # interval's lower bound is set to 0 when x = 0 and the upper bound to 1 when x = n.
    # Interior bound from statsmodels proportion_confint(0, 20, method="jeffreys"): 0.116639.
    ci = proportion_ci(0, 20, method="jeffreys")
    assert ci.low == 0.0
    assert ci.high == pytest.approx(0.116639, abs=5e-7)
    assert proportion_ci(29, 29, method="jeffreys").high == 1.0


def test_confidence_level_changes_width():
    # R: binom::binom.confint(81, 263, conf.level=0.90, methods="wilson") -> 0.2633, 0.3566
    # (equivalently statsmodels proportion_confint(81, 263, alpha=0.10, method="wilson")).
    ci = proportion_ci(81, 263, method="wilson", confidence=0.90)
    assert (ci.low, ci.high) == pytest.approx((0.2633, 0.3566), abs=5e-5)


@pytest.mark.parametrize("method", sorted(PROPORTION_CI_METHODS))
def test_bounds_clipped_and_ordered(method):
    counts = np.array([0, 1, 5, 9, 10])
    ci = proportion_ci(counts, 10, method=method)
    assert np.all(ci.low >= 0) and np.all(ci.high <= 1)
    assert np.all(ci.low <= ci.estimate) and np.all(ci.estimate <= ci.high)


def test_vectorised_matches_scalar():
    counts = np.array([3, 50, 97])
    vec = proportion_ci(counts, 100, method="clopper-pearson")
    for i, c in enumerate(counts):
        one = proportion_ci(int(c), 100, method="clopper-pearson")
        assert vec.low[i] == pytest.approx(one.low)
        assert vec.high[i] == pytest.approx(one.high)


def test_unknown_method_lists_valid_ones():
    with pytest.raises(ValueError, match="wilson") as info:
        proportion_ci(5, 10, method="wils")
    for name in PROPORTION_CI_NAMES:  # every accepted spelling, aliases included
        assert name in str(info.value)


# Aliases: statsmodels' proportion_confint spells the methods "normal", "beta", "agresti_coull",
# "wilson", "jeffreys"; "wald" is the textbook name of "normal". Each alias is checked against
# the published / statsmodels reference rows of its canonical method above: NEWCOMBE_TABLE_I
# (Newcombe 1998a Table I, = statsmodels method="normal" | "wilson" | "beta") and
# STATSMODELS_REFERENCE (statsmodels 0.15.0 method="agresti_coull" | "jeffreys").
EXPECTED_ALIASES = {
    "wald": "normal",
    "normal": "normal",
    "beta": "clopper-pearson",
    "clopper-pearson": "clopper-pearson",
    "clopper_pearson": "clopper-pearson",
    "agresti-coull": "agresti-coull",
    "agresti_coull": "agresti-coull",
    "wilson": "wilson",
    "jeffreys": "jeffreys",
}


def test_every_spelling_is_accepted_and_canonical_names_are_unchanged():
    assert set(EXPECTED_ALIASES) == PROPORTION_CI_NAMES
    assert PROPORTION_CI_METHODS == {"wilson", "clopper-pearson", "agresti-coull", "jeffreys",
                                     "normal"}
    assert set(PROPORTION_CI_ALIASES.values()) <= PROPORTION_CI_METHODS
    assert not set(PROPORTION_CI_ALIASES) & PROPORTION_CI_METHODS
    for spelling, canonical in EXPECTED_ALIASES.items():
        assert canonical_proportion_ci_method(spelling) == canonical


@pytest.mark.parametrize(
    ("alias", "count", "nobs", "low", "high", "tol"),
    [
        (alias, count, nobs, low, high, tol)
        for alias, canonical in EXPECTED_ALIASES.items()
        for rows, tol in ((NEWCOMBE_TABLE_I, 5e-5), (STATSMODELS_REFERENCE, 5e-7))
        for count, nobs, method, low, high in rows
        if method == canonical
    ],
)
def test_alias_matches_the_reference_values(alias, count, nobs, low, high, tol):
    ci = proportion_ci(count, nobs, method=alias)
    assert ci.low == pytest.approx(low, abs=tol)
    assert ci.high == pytest.approx(high, abs=tol)
    assert ci.method == EXPECTED_ALIASES[alias]  # the result names the canonical method


@pytest.mark.parametrize("alias", sorted(PROPORTION_CI_ALIASES))
def test_alias_gives_identical_numbers(alias):
    counts = np.array([0, 1, 7, 29])
    a = proportion_ci(counts, 29, method=alias, confidence=0.9)
    b = proportion_ci(counts, 29, method=PROPORTION_CI_ALIASES[alias], confidence=0.9)
    np.testing.assert_array_equal(a.low, b.low)
    np.testing.assert_array_equal(a.high, b.high)


@pytest.mark.parametrize("bad", ["Wilson", "wils", "binom_test", "clopper pearson", 3, None])
def test_unknown_spelling_is_refused(bad):
    with pytest.raises(ValueError, match="valid values are") as info:
        canonical_proportion_ci_method(bad)
    assert "wald" in str(info.value) and "clopper_pearson" in str(info.value)


def test_aliases_reach_the_likert_interval():
    import pandas as pd

    from kpianalysis import score_likert

    r = score_likert(pd.DataFrame({"a": [5] * 16 + [2] * 4}))
    assert r.ci(method="beta").method == "clopper-pearson"
    assert (r.ci(method="wald").low, r.ci(method="wald").high) == pytest.approx(
        (proportion_ci(16, 20, "normal").low, proportion_ci(16, 20, "normal").high))


@pytest.mark.parametrize(
    ("count", "nobs", "confidence", "match"),
    [
        (11, 10, 0.95, "exceed"),
        (-1, 10, 0.95, "count"),
        (1, 0, 0.95, "nobs"),
        (1.5, 10, 0.95, "count"),
        (1, 10, 1.0, "confidence"),
        (1, 10, 0.0, "confidence"),
    ],
)
def test_bad_input(count, nobs, confidence, match):
    with pytest.raises(ValueError, match=match):
        proportion_ci(count, nobs, confidence=confidence)


# Newcombe, R. G. (1998b). Interval estimation for the difference between independent
# proportions: comparison of eleven methods. Statistics in Medicine 17, 873-890, Table II,
# method 10 (hybrid score). Also statsmodels confint_proportions_2indep(..., method="newcomb").
@pytest.mark.parametrize(
    ("c1", "n1", "c2", "n2", "low", "high"),
    [(56, 70, 48, 80, 0.0524, 0.3339), (9, 10, 3, 10, 0.1705, 0.8090)],
)
def test_newcombe_difference(c1, n1, c2, n2, low, high):
    d = proportion_difference_ci(c1, n1, c2, n2)
    assert (d.low, d.high) == pytest.approx((low, high), abs=5e-5)
    assert d.excludes_zero


def test_result_serialises():
    d = proportion_ci(81, 263).to_dict()
    assert d["method"] == "wilson" and d["count"] == 81
    assert "<table" in proportion_ci(81, 263)._repr_html_()


def test_summary_shows_estimate_interval_level_and_method():
    ci = proportion_ci(81, 263, method="wald", confidence=0.90)
    assert str(ci) == ci.summary()
    assert ci.summary().splitlines() == ["ProportionCI: 0.308 (81 of 263)",
                                         f"  90% CI [{ci.low:.4g}, {ci.high:.4g}] (normal)"]
    html = ci._repr_html_()
    assert html.index("0.308 (81 of 263)") < html.index("<table")
    assert repr(ci).startswith("ProportionCI(estimate=")  # the dataclass repr is kept
    vec = proportion_ci(np.arange(15), 20)
    lines = vec.summary().splitlines()
    assert lines[0] == "ProportionCI: 15 proportions, 95% CI (wilson)"
    assert len(lines) == 12 and lines[-1].strip() == "… 5 more"


def test_difference_summary():
    d = proportion_difference_ci(56, 70, 48, 80, confidence=0.99)
    first, second = d.summary().splitlines()
    assert first == "ProportionDifference: 0.2 = 0.8 − 0.6"
    assert second.strip().startswith("99% CI [") and second.endswith("excludes 0")
