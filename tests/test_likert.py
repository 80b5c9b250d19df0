"""Likert scoring as the seeds define it (seed 004, KPI_SPEC section B)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpianalysis import DataValidationError, item_distribution, parse_likert, score_likert
from kpianalysis.likert import band_of_mean, section_means


def _items(rows):
    return pd.DataFrame(rows, columns=[f"q{i}" for i in range(len(rows[0]))]).astype("Int8")


def test_parse_numbers_labels_thai_digits_and_blanks():
    raw = pd.DataFrame({"a": ["5", "มาก", " ปานกลาง ", "๒", "", None, "1.0", "น้อยที่สุด"]})
    codes = parse_likert(raw, ["a"])["a"]
    assert codes.tolist()[:4] == [5, 4, 3, 2]
    assert codes.isna().tolist() == [False, False, False, False, True, True, False, False]
    assert codes.iloc[6] == 1 and codes.iloc[7] == 1


@pytest.mark.parametrize("bad", ["0", "6", "มากมาก", "4.5", "five"])
def test_parse_rejects_out_of_range_with_file_column_row(bad):
    raw = pd.DataFrame({"q1": ["4", "5", bad]})
    with pytest.raises(DataValidationError) as info:
        parse_likert(raw, ["q1"], source="survey.csv")
    msg = str(info.value)
    assert "survey.csv" in msg and "'q1'" in msg and "row 3" in msg and repr(bad) in msg
    assert "expected a score 1–5" in msg


def test_parse_missing_column():
    with pytest.raises(DataValidationError, match="missing item column"):
        parse_likert(pd.DataFrame({"q1": ["4"]}), ["q1", "q2"], source="f.csv")


def test_seed_formula_worked_example():
    # Seed 004: respondent score = sum of item scores / number of items; B counts scores >= 3.51;
    # A = B x 100 / C. Hand computation for three respondents of 6 items:
    #   (5,4,4,4,3,4) -> 24/6 = 4.00 (มาก, counted); (3,3,4,4,3,4) -> 21/6 = 3.50 (ปานกลาง, not
    #   counted: 3.50 < 3.51); (5,5,5,5,4,5) -> 29/6 = 4.83 (มากที่สุด, counted). A = 2*100/3.
    r = score_likert(_items([[5, 4, 4, 4, 3, 4], [3, 3, 4, 4, 3, 4], [5, 5, 5, 5, 4, 5]]))
    assert r.respondents["band_th"].tolist() == ["มาก", "ปานกลาง", "มากที่สุด"]
    assert r.respondents["high_or_above"].tolist() == [True, False, True]
    assert (r.n_high_or_above, r.n_scored) == (2, 3)
    assert r.percent_high_or_above == pytest.approx(200 / 3)


@pytest.mark.parametrize(
    ("score_sum", "k", "band"),
    [
        (351, 100, 4),  # exactly 3.51 -> มาก (high)
        (350, 100, 3),  # 3.50 -> ปานกลาง
        (450, 100, 4),  # exactly 4.50 -> มาก
        (451, 100, 5),  # exactly 4.51 -> มากที่สุด
        (251, 100, 3),
        (250, 100, 2),
        (151, 100, 2),
        (150, 100, 1),
        (100, 100, 1),
        (500, 100, 5),
        (0, 0, 0),
    ],
)
def test_band_boundaries_are_exact(score_sum, k, band):
    assert band_of_mean(np.array([score_sum]), np.array([k]))[0] == band


def test_exact_351_with_many_items_counts_as_high():
    # 100 items summing to 351: mean 3.51 exactly; float division 351/100 gives
    # 3.5099999999999998, which a naive `mean >= 3.51` also equals, but the integer rule must
    # not depend on such luck: check an item count whose float mean falls below the literal.
    k = 300
    row = [4] * 153 + [3] * 147  # sum = 612 + 441 = 1053 = 3.51 * 300
    assert sum(row) * 100 == 351 * k
    r = score_likert(_items([row]))
    assert bool(r.respondents["high_or_above"].iloc[0])
    assert r.respondents["band"].iloc[0] == 4


def test_missing_answer_policy_counts_exclusions():
    rows = [
        [5, 5, 5, 5, 5, None],  # 5 of 6 answered -> scored (>= 80 %)
        [5, 5, 5, 5, None, None],  # 4 of 6 -> too few
        [None] * 6,  # nothing answered
        [3, 3, 3, 3, 3, 3],
    ]
    r = score_likert(_items(rows))
    assert r.n_total == 4 and r.n_scored == 2 and r.n_excluded == 2
    assert r.exclusions == {"no_answers": 1, "too_few_answers": 1}
    assert r.respondents["exclusion_reason"].tolist() == ["", "too_few_answers", "no_answers", ""]
    assert r.percent_high_or_above == pytest.approx(50.0)
    lenient = score_likert(_items(rows), min_answered_share=0.5)
    assert lenient.n_scored == 3


def test_no_respondent_scored():
    r = score_likert(_items([[None, None]]))
    assert r.n_scored == 0 and np.isnan(r.percent_high_or_above)
    with pytest.raises(ValueError, match="no respondent"):
        r.ci()


def test_band_counts_and_ci():
    r = score_likert(_items([[5, 5], [4, 4], [4, 3], [1, 2]]))
    assert r.band_counts["n"].tolist() == [1, 1, 1, 0, 1]  # 5.0, 4.0, 3.5, -, 1.5
    assert r.band_counts["percent"].sum() == pytest.approx(100)
    # Wilson interval of 2/4: statsmodels proportion_confint(2, 4, method="wilson")
    # = (0.15003898915214947, 0.8499610108478506).
    ci = r.ci()
    assert (ci.low, ci.high) == pytest.approx((0.150039, 0.849961), abs=1e-6)


def test_item_distribution_and_section_means():
    items = _items([[5, 4, 3], [4, 4, None], [3, 2, 1]])
    d = item_distribution(items)
    assert d.loc["q0", ["มากที่สุด", "มาก", "ปานกลาง", "น้อย", "น้อยที่สุด"]].tolist() == [1, 1, 1,
                                                                                        0, 0]
    assert d.loc["q2", "n"] == 2 and d.loc["q2", "n_missing"] == 1
    assert d.loc["q0", "mean"] == pytest.approx(4.0)
    assert d.loc["q0", "sd"] == pytest.approx(1.0)  # sample SD of 5, 4, 3
    assert d.loc["q1", "band_th"] == "ปานกลาง"  # (4 + 4 + 2) / 3 = 3.33
    assert d.loc["q0", "band_th"] == "มาก"  # 12 / 3 = 4.00
    s = section_means(items, {"q0": "1", "q1": "1", "q2": "2"})
    # respondent section-1 means: 4.5, 4.0, 2.5 -> mean 3.6667
    assert s.loc["1", "mean"] == pytest.approx(11 / 3)
    assert s.loc["2", "n"] == 2


def test_section_means_requires_every_item_mapped():
    with pytest.raises(ValueError, match="q1"):
        section_means(_items([[1, 2]]), {"q0": "1"})


@given(st.lists(st.lists(st.integers(1, 5), min_size=4, max_size=4), min_size=1, max_size=30))
def test_high_or_above_matches_rational_rule(rows):
    from fractions import Fraction

    r = score_likert(_items(rows))
    expected = sum(Fraction(sum(row), len(row)) >= Fraction(351, 100) for row in rows)
    assert r.n_high_or_above == expected
    assert r.n_scored == len(rows)
