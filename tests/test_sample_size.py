"""Sample-size and precision functions against published tables and other implementations."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpianalysis.sample_size import (
    ALLOCATION_METHODS,
    Allocation,
    allocate,
    cochran,
    krejcie_morgan,
    margin_of_error,
    n_one_sided_proportion_test,
    yamane,
)

# ---------------------------------------------------------------------------------------------
# Krejcie, R. V. & Morgan, D. W. (1970). Determining sample size for research activities.
# Educational and Psychological Measurement, 30, 607-610, Table 1 ("Table for determining
# sample size from a given population"), N -> S, all 91 entries as printed.
# ---------------------------------------------------------------------------------------------
KREJCIE_MORGAN_TABLE_1 = {
    10: 10, 15: 14, 20: 19, 25: 24, 30: 28, 35: 32, 40: 36, 45: 40, 50: 44, 55: 48,
    60: 52, 65: 56, 70: 59, 75: 63, 80: 66, 85: 70, 90: 73, 95: 76, 100: 80, 110: 86,
    120: 92, 130: 97, 140: 103, 150: 108, 160: 113, 170: 118, 180: 123, 190: 127, 200: 132,
    210: 136, 220: 140, 230: 144, 240: 148, 250: 152, 260: 155, 270: 159, 280: 162, 290: 165,
    300: 169, 320: 175, 340: 181, 360: 186, 380: 191, 400: 196, 420: 201, 440: 205, 460: 210,
    480: 214, 500: 217, 550: 226, 600: 234, 650: 242, 700: 248, 750: 254, 800: 260, 850: 265,
    900: 269, 950: 274, 1000: 278, 1100: 285, 1200: 291, 1300: 297, 1400: 302, 1500: 306,
    1600: 310, 1700: 313, 1800: 317, 1900: 320, 2000: 322, 2200: 327, 2400: 331, 2600: 335,
    2800: 338, 3000: 341, 3500: 346, 4000: 351, 4500: 354, 5000: 357, 6000: 361, 7000: 364,
    8000: 367, 9000: 368, 10000: 370, 15000: 375, 20000: 377, 30000: 379, 40000: 380,
    50000: 381, 75000: 382, 100000: 384, 1000000: 384,
}  # fmt: skip
# The one entry the formula does not give: at N = 100,000 it gives 382.63 (383); the table
# prints 384, the N -> infinity limit 3.841 * 0.25 / 0.0025 = 384.1 rounded.
KM_MISPRINTS = {100000: 383}


def test_krejcie_morgan_reproduces_table_1():
    N = np.array(list(KREJCIE_MORGAN_TABLE_1))
    printed = np.array(list(KREJCIE_MORGAN_TABLE_1.values()))
    expected = np.array([KM_MISPRINTS.get(n, s) for n, s in KREJCIE_MORGAN_TABLE_1.items()])
    got = krejcie_morgan(N)
    np.testing.assert_array_equal(got, expected)
    # exactly one entry differs from the printed table
    assert (got != printed).sum() == len(KM_MISPRINTS) == 1
    # rounding up (instead of to nearest) would contradict 46 printed entries
    assert (krejcie_morgan(N, rounding="ceil") != printed).sum() == 46


@pytest.mark.parametrize(("N", "S"), [(10, 10), (100, 80), (500, 217), (1000, 278),
                                      (10000, 370), (1000000, 384)])
def test_krejcie_morgan_scalar_entries(N, S):
    got = krejcie_morgan(N)
    assert isinstance(got, int)
    assert got == S


# ---------------------------------------------------------------------------------------------
# Cochran (1977), Sampling Techniques, 3rd ed., section 4.4: p = 0.5, d = 0.05, 95 %:
# n0 = 1.96^2 * 0.25 / 0.05^2 = 384.16 -> 385 (with z = 1.959964: 384.146).
#
# samplics 0.6.0:
#   from samplics.sampling import SampleSize
#   from samplics.utils.types import PopParam, SizeMethod
#   ss = SampleSize(param=PopParam.prop, method=SizeMethod.wald)
#   ss.calculate(half_ci=e, target=p, pop_size=N, deff=deff, resp_rate=rr, alpha=1 - conf)
#   ss.samp_size
# ---------------------------------------------------------------------------------------------
SAMPLICS_WALD_PROPORTION = [
    # p, margin, confidence, population, deff, response_rate, samp_size
    (0.5, 0.05, 0.95, None, 1.0, 1.0, 385),
    (0.5, 0.05, 0.95, 10000, 1.0, 1.0, 370),
    (0.5, 0.05, 0.95, 1000, 1.0, 1.0, 278),
    (0.8, 0.03, 0.95, None, 1.0, 1.0, 683),
    (0.8, 0.03, 0.95, 5471588, 1.5, 1.0, 1025),
    (0.3, 0.05, 0.99, 2000, 1.0, 1.0, 437),
    (0.5, 0.02, 0.90, None, 2.0, 0.8, 4228),
    (0.8, 0.05, 0.95, 500, 1.2, 0.7, 283),
    (0.1, 0.01, 0.95, None, 1.0, 1.0, 3458),
    (0.8, 0.02, 0.95, 3334, 1.0, 1.0, 1053),
]


def test_cochran_textbook_example():
    assert cochran(p=0.5, margin=0.05, confidence=0.95) == 385


@pytest.mark.parametrize(("p", "e", "conf", "N", "deff", "rr", "expected"),
                         SAMPLICS_WALD_PROPORTION)
def test_cochran_matches_samplics(p, e, conf, N, deff, rr, expected):
    got = cochran(p=p, margin=e, confidence=conf, population=N, deff=deff, response_rate=rr)
    assert isinstance(got, int)
    assert got == expected


def test_cochran_vectorised_matches_samplics():
    p, e, conf, N, deff, rr, expected = map(list, zip(*SAMPLICS_WALD_PROPORTION, strict=True))
    N = [np.inf if n is None else n for n in N]
    got = cochran(p=p, margin=e, confidence=conf, population=N, deff=deff, response_rate=rr)
    assert isinstance(got, np.ndarray)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, expected)


# ---------------------------------------------------------------------------------------------
# Yamane's formula n = N / (1 + N e^2) as tabulated in Israel, G. D. (1992). Determining Sample
# Size. University of Florida IFAS, Fact Sheet PEOD-6, Table 2 (rounded to nearest):
# ---------------------------------------------------------------------------------------------
ISRAEL_1992_TABLE_2 = [
    # N, e, n
    (500, 0.05, 222), (1000, 0.05, 286), (2000, 0.05, 333), (5000, 0.05, 370),
    (10000, 0.05, 385), (100000, 0.05, 398),
    (500, 0.07, 145), (1000, 0.07, 169), (2000, 0.07, 185), (5000, 0.07, 196),
    (10000, 0.07, 200), (100000, 0.07, 204),
    (500, 0.10, 83), (1000, 0.10, 91), (2000, 0.10, 95), (5000, 0.10, 98),
    (10000, 0.10, 99), (100000, 0.10, 100),
    (2000, 0.03, 714), (5000, 0.03, 909), (10000, 0.03, 1000), (100000, 0.03, 1099),
]  # fmt: skip


@pytest.mark.parametrize(("N", "e", "n"), ISRAEL_1992_TABLE_2)
def test_yamane_matches_israel_table(N, e, n):
    assert yamane(N, e, rounding="nearest") == n


def test_yamane_default_rounds_up():
    # 500 / (1 + 500 * 0.0025) = 222.2 -> 223; Bangkok 5,471,588 -> 399.97 -> 400
    assert yamane(500) == 223
    assert yamane(5_471_588) == 400
    np.testing.assert_array_equal(yamane([500, 10000], [0.05, 0.1]), [223, 100])


# ---------------------------------------------------------------------------------------------
# Margin of error: statsmodels 0.15.0
#   lo, hi = statsmodels.stats.proportion.proportion_confint(count, nobs, alpha, method="normal")
#   (hi - lo) / 2
# ---------------------------------------------------------------------------------------------
STATSMODELS_NORMAL_HALF_WIDTH = [
    # count, nobs, alpha, half_width
    (500, 1000, 0.05, 0.0309897516152281),
    (2000, 2500, 0.05, 0.015679711876320446),
    (8000, 10000, 0.05, 0.007839855938160167),
    (3080, 3850, 0.10, 0.010603686600463513),
]


@pytest.mark.parametrize(("count", "nobs", "alpha", "half"), STATSMODELS_NORMAL_HALF_WIDTH)
def test_margin_of_error_matches_statsmodels_wald(count, nobs, alpha, half):
    got = margin_of_error(nobs, p=count / nobs, confidence=1 - alpha)
    assert isinstance(got, float)
    assert got == pytest.approx(half, rel=1e-12)


def test_margin_of_error_fpc_and_deff():
    # Cochran (1977) Theorem 3.2: V(p) = PQ/n (N - n)/(N - 1); census -> 0
    assert margin_of_error(100, population=100) == 0.0
    z = 1.959963984540054
    expected = z * np.sqrt(0.25 / 400 * (1000 - 400) / 999)
    assert margin_of_error(400, population=1000) == pytest.approx(expected, rel=1e-12)
    # deff = 2 halves the effective sample size
    assert margin_of_error(800, deff=2.0) == pytest.approx(margin_of_error(400), rel=1e-12)
    out = margin_of_error([385, 1000, 10000], p=0.8)
    assert isinstance(out, np.ndarray) and out.shape == (3,)


@pytest.mark.parametrize(("p", "e", "conf", "N", "deff", "rr", "expected"),
                         SAMPLICS_WALD_PROPORTION)
def test_margin_of_error_inverts_cochran(p, e, conf, N, deff, rr, expected):
    n_complete = cochran(p=p, margin=e, confidence=conf, population=N, deff=deff)
    assert margin_of_error(n_complete, p=p, confidence=conf, population=N, deff=deff) <= e
    if n_complete > 1:
        worse = margin_of_error(n_complete - 1, p=p, confidence=conf, population=N, deff=deff)
        assert worse > e


# ---------------------------------------------------------------------------------------------
# One-sided test against a target: statsmodels 0.15.0
#   statsmodels.stats.power.normal_sample_size_one_tail(abs(p0 - p1), power, alpha,
#       std_null=np.sqrt(p0 * (1 - p0)), std_alternative=np.sqrt(p1 * (1 - p1)))
# ---------------------------------------------------------------------------------------------
STATSMODELS_ONE_TAIL = [
    # p_target, p_expected, alpha, power, nobs (unrounded)
    (0.80, 0.77, 0.05, 0.8, 1138.214465278236),
    (0.80, 0.75, 0.05, 0.9, 588.42102471641),
    (0.80, 0.78, 0.025, 0.8, 3207.0932597384754),
    (0.50, 0.45, 0.05, 0.8, 616.159574890057),
    (0.80, 0.85, 0.05, 0.8, 367.45849007399414),
]


@pytest.mark.parametrize(("p0", "p1", "alpha", "power", "nobs"), STATSMODELS_ONE_TAIL)
def test_one_sided_test_matches_statsmodels(p0, p1, alpha, power, nobs):
    got = n_one_sided_proportion_test(p0, p1, alpha=alpha, power=power)
    assert got == int(np.ceil(nobs))
    assert n_one_sided_proportion_test(p0, p1, alpha=alpha, power=power,
                                       rounding="nearest") == round(nobs)


def test_one_sided_test_vectorised_and_adjusted():
    p0, p1, alpha, power, nobs = map(np.array, zip(*STATSMODELS_ONE_TAIL, strict=True))
    got = n_one_sided_proportion_test(p0, p1, alpha=alpha, power=power)
    np.testing.assert_array_equal(got, np.ceil(nobs).astype(int))
    base = 1138.214465278236
    assert n_one_sided_proportion_test(0.8, 0.77, deff=1.5, response_rate=0.6) == int(
        np.ceil(base * 1.5 / 0.6)
    )
    assert n_one_sided_proportion_test(0.8, 0.77, population=5000) == int(
        np.ceil(base / (1 + (base - 1) / 5000))
    )


# ---------------------------------------------------------------------------------------------
# Allocation (Cochran 1977, section 5.5): reference values worked by hand.
# ---------------------------------------------------------------------------------------------
def test_allocate_proportional_exact():
    # 1000 * (2000, 3000, 5000) / 10000
    a = allocate(1000, [2000, 3000, 5000])
    assert isinstance(a, Allocation)
    np.testing.assert_array_equal(a.n, [200, 300, 500])
    assert a.n.dtype == np.int64


def test_allocate_neyman_exact():
    # N_h S_h = (300, 400, 300), sum 1000: n_h = 120 * (0.3, 0.4, 0.3)
    a = allocate(120, [100, 200, 300], method="neyman", sd=[3, 2, 1])
    np.testing.assert_array_equal(a.n, [36, 48, 36])


def test_allocate_equal_and_largest_remainder():
    # 10 / 3 = 3.33 each: one extra unit, ties to the first stratum
    np.testing.assert_array_equal(allocate(10, [50, 50, 50], method="equal").n, [4, 3, 3])
    # proportional 7 * (0.45, 0.35, 0.2) = (3.15, 2.45, 1.4): floors 3, 2, 1; remainders
    # .15, .45, .40 -> the one missing unit goes to stratum 2
    np.testing.assert_array_equal(allocate(7, [45, 35, 20]).n, [3, 3, 1])


def test_allocate_minimum_and_cap():
    # minimum 10: c (1 % of 100 = 1) and b (9) are raised to 10; a keeps the remaining 80
    a = allocate(100, {"a": 9000, "b": 900, "c": 100}, minimum=10)
    np.testing.assert_array_equal(a.n, [80, 10, 10])
    assert a.strata == ("a", "b", "c")
    # a stratum smaller than the minimum is taken whole; Neyman on the others
    b = allocate(101, [5, 1000, 3000], method="neyman", sd=[0.5, 0.4, 0.1], minimum=10)
    np.testing.assert_array_equal(b.n, [5, 55, 41])  # 96 * (4/7, 3/7) = 54.86, 41.14
    # the cap at N_h passes the excess to the others
    np.testing.assert_array_equal(allocate(30, [5, 100], method="equal").n, [5, 25])


def test_allocate_labels_and_frame():
    sizes = pd.Series({"1001": 50_000, "1002": 100_000}, name="pop")
    a = allocate(30, sizes, method="neyman", sd={"1002": 0.5, "1001": 0.5})
    np.testing.assert_array_equal(a.n, [10, 20])
    s = a.to_series()
    assert s.loc["1002"] == 20
    frame = a.to_frame()
    assert list(frame.columns) == ["stratum", "population", "n", "fraction"]
    assert a.to_dict()["n"] == [10, 20]
    np.testing.assert_allclose(a.design_weight, [5000, 5000])


@given(
    sizes=st.lists(st.integers(1, 100_000), min_size=1, max_size=12),
    frac=st.floats(0, 1),
    minimum=st.integers(0, 30),
    method=st.sampled_from(sorted(ALLOCATION_METHODS)),
    data=st.data(),
)
def test_allocate_properties(sizes, frac, minimum, method, data):
    sizes_a = np.array(sizes)
    low = np.minimum(minimum, sizes_a)
    total = int(low.sum() + round(frac * (sizes_a.sum() - low.sum())))
    sd = data.draw(st.lists(st.floats(0.01, 10), min_size=len(sizes), max_size=len(sizes)))
    a = allocate(total, sizes, method=method, sd=sd if method == "neyman" else None,
                 minimum=minimum)
    assert a.n.sum() == total
    assert np.all(a.n >= low)
    assert np.all(a.n <= sizes_a)


# ---------------------------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------------------------
@given(
    p=st.floats(0.01, 0.99),
    e=st.floats(0.005, 0.3),
    deff=st.floats(0.5, 4),
    N=st.lists(st.integers(1, 10**7), min_size=2, max_size=30),
)
def test_cochran_non_decreasing_in_population_and_fpc_never_increases(p, e, deff, N):
    N = np.sort(np.array(N))
    n = cochran(p=p, margin=e, population=N, deff=deff)
    assert np.all(np.diff(n) >= 0)
    assert np.all(n <= cochran(p=p, margin=e, deff=deff))


@given(N=st.lists(st.integers(1, 10**7), min_size=2, max_size=30), e=st.floats(0.01, 0.3))
def test_yamane_and_km_non_decreasing(N, e):
    N = np.sort(np.array(N))
    assert np.all(np.diff(yamane(N, e)) >= 0)
    assert np.all(np.diff(krejcie_morgan(N, margin=e)) >= 0)
    assert np.all(krejcie_morgan(N, margin=e) <= N)


def test_infinite_population_is_no_correction():
    assert krejcie_morgan(np.inf) == 384  # 3.841 * 0.25 / 0.0025 = 384.1
    assert yamane(np.inf) == 400  # 1 / 0.05^2
    assert cochran(population=np.inf) == cochran()
    assert margin_of_error(385, population=np.inf) == margin_of_error(385)
    assert krejcie_morgan(1, p=0.0) == 0
    assert cochran(p=0.0, population=1) == 0


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: cochran(p=1.2), r"p must be in \[0.0, 1.0\]; got 1.2"),
        (lambda: cochran(p=[0.5, -0.1]), r"p must be .*-0.1"),
        (lambda: cochran(margin=0), r"margin must be .*got 0.0"),
        (lambda: cochran(margin=-0.05), r"margin must be .*-0.05"),
        (lambda: cochran(confidence=1.0), r"confidence must be .*1.0"),
        (lambda: cochran(confidence=0), r"confidence must be .*0"),
        (lambda: cochran(population=0), r"population must be .*0"),
        (lambda: cochran(deff=0), r"deff must be .*0"),
        (lambda: cochran(response_rate=0), r"response_rate must be .*0"),
        (lambda: cochran(rounding="up"), r"unknown rounding 'up'; valid values are: ceil, "),
        (lambda: yamane(1000, margin=0), r"margin must be"),
        (lambda: yamane(0.5), r"population must be in \[1.0, inf\]; got 0.5"),
        (lambda: krejcie_morgan(100, p=2), r"p must be .*2"),
        (lambda: krejcie_morgan(100, chi2=-1), r"chi2 must be"),
        (lambda: margin_of_error(500, population=400), r"n must not exceed population.*500"),
        (lambda: margin_of_error(0), r"n must be finite and > 0"),
        (lambda: margin_of_error(100, p=1.5), r"p must be .*1.5"),
        (lambda: n_one_sided_proportion_test(0.8, 0.8), r"p_expected must differ"),
        (lambda: n_one_sided_proportion_test(1.0, 0.8), r"p_target must be .*1.0"),
        (lambda: n_one_sided_proportion_test(0.8, 0.7, power=1.0), r"power must be"),
        (lambda: allocate(10, [5, 5], method="optimal"),
         r"unknown method 'optimal'; valid values are: equal, neyman, proportional"),
        (lambda: allocate(11, [5, 5]), r"total_n \(11\) must not exceed the population"),
        (lambda: allocate(10, [50, 50, 50], minimum=4), r"smaller than the minimums"),
        (lambda: allocate(10, [5, 5], method="neyman"), r"needs sd"),
        (lambda: allocate(10, [50, 50], method="neyman", sd=[1]), r"one value per stratum"),
        (lambda: allocate(10, [50, 50], method="neyman", sd=[0, 0]), r"all zero"),
        (lambda: allocate(10, [50, -5]), r"strata_sizes must be .*-5"),
        (lambda: allocate(-1, [5, 5]), r"total_n must be >= 0"),
    ],
)
def test_bad_input_raises_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_allocate_total_must_be_integer():
    with pytest.raises(TypeError, match="total_n must be an integer"):
        allocate(10.5, [5, 10])
