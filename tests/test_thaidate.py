"""Tests for kpianalysis.thaidate: Thai digits, BE/CE date forms, Thai fiscal year."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpianalysis._validation import DataValidationError
from kpianalysis.thaidate import (
    be_to_ce,
    ce_to_be,
    fiscal_quarter,
    fiscal_year_be,
    fiscal_year_bounds,
    parse_thai_date,
    parse_thai_dates,
    thai_digits_to_ascii,
)

# Dates exactly as written in the seeds, with the calendar date they denote.
# seed 002 section 6: "28/10/2563", "1/31/2021", "31/03/2564", "6/30/2021", "30/09/2564";
# seed 003: "28/02/2566", "19 พฤศจิกายน 2565"; KPI_SPEC: ๒๕๖๘ = 2568.
SEED_DATES = [
    ("28/10/2563", "2020-10-28", 2564, 1),
    ("30/11/2563", "2020-11-30", 2564, 1),
    ("1/31/2021", "2021-01-31", 2564, 2),
    ("2/27/2021", "2021-02-27", 2564, 2),
    ("31/03/2564", "2021-03-31", 2564, 2),
    ("29/04/2564", "2021-04-29", 2564, 3),
    ("6/30/2021", "2021-06-30", 2564, 3),
    ("30/09/2564", "2021-09-30", 2564, 4),
    ("28/02/2566", "2023-02-28", 2566, 2),
    ("๓๑/๑๒/๒๕๖๓", "2020-12-31", 2564, 1),
    ("19 พฤศจิกายน 2565", "2022-11-19", 2566, 1),
    ("2567-01-05", "2024-01-05", 2567, 2),
]


@pytest.mark.parametrize(("text", "iso", "fy", "q"), SEED_DATES)
def test_seed_dates(text, iso, fy, q):
    d = parse_thai_date(text)
    assert d == pd.Timestamp(iso)
    assert fiscal_year_be(d) == fy
    assert fiscal_quarter(d) == q


def test_vectorised_mixed_forms():
    texts = [t for t, *_ in SEED_DATES] + [None, ""]
    got = parse_thai_dates(texts)
    expected = pd.to_datetime([iso for _, iso, *_ in SEED_DATES] + [None, None])
    pd.testing.assert_series_equal(got.astype("datetime64[ns]"),
                                   pd.Series(expected).astype("datetime64[ns]"),
                                   check_names=False)
    assert fiscal_year_be(got.dropna()).tolist() == [fy for *_, fy, _ in SEED_DATES]
    assert fiscal_quarter(got.dropna()).tolist() == [q for *_, q in SEED_DATES]


def test_fiscal_year_bounds_kpi_spec():
    # KPI_SPEC "Calendar conventions": FY2568 = 1 Oct 2024 – 30 Sep 2025.
    start, end = fiscal_year_bounds(2568)
    assert (start, end) == (pd.Timestamp("2024-10-01"), pd.Timestamp("2025-09-30"))
    assert fiscal_year_be(start) == 2568 and fiscal_year_be(end) == 2568
    assert fiscal_year_be(start - pd.Timedelta(days=1)) == 2567
    assert fiscal_quarter(start) == 1 and fiscal_quarter(end) == 4


def test_digits_and_year_conversion():
    assert thai_digits_to_ascii("ร้อยละ ๘๐") == "ร้อยละ 80"
    assert be_to_ce(2568) == 2025 and ce_to_be(2025) == 2568


@pytest.mark.parametrize("bad", ["31/02/2564", "13/31/2021", "30/13/2564", "1/1/21",
                                 "15/06/2300", "2024/01/05", "abc", "32 มกรา 2565"])
def test_invalid_dates(bad):
    with pytest.raises(ValueError, match="not a valid date"):
        parse_thai_date(bad)


def test_invalid_dates_vectorised_name_rows():
    with pytest.raises(DataValidationError) as err:
        parse_thai_dates(["28/10/2563", "31/02/2564", "6/30/2021", "13/31/2021"],
                         source="progress.csv", column="report_date")
    assert err.value.rows == [2, 4]
    assert "progress.csv" in str(err.value) and "'31/02/2564'" in str(err.value)


@given(st.dates(min_value=pd.Timestamp("1950-01-01").date(),
                max_value=pd.Timestamp("2150-12-31").date()))
def test_both_forms_round_trip(d):
    be = f"{d.day:02d}/{d.month:02d}/{d.year + 543}"
    ce = f"{d.month}/{d.day}/{d.year}"
    assert parse_thai_date(be) == parse_thai_date(ce) == pd.Timestamp(d)
    fy = fiscal_year_be(pd.Timestamp(d))
    assert fy == d.year + 543 + (1 if d.month >= 10 else 0)
