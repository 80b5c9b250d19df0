"""One schema per input kind (issue 11, items 1 and 3): the cell types every reader shares —
Thai digits, BE and CE years in a plausible range, overflow — and the declared columns."""

from __future__ import annotations

import pandas as pd
import pytest

from kpianalysis import DataValidationError
from kpianalysis.input_schema import (
    SCHEMAS,
    check_input,
    parse_numbers,
    parse_timestamps,
)
from kpianalysis.rubric.progress import read_progress


def _s(*values):
    return pd.Series(list(values), dtype=str)


def test_thai_digits_are_numbers():
    got = parse_numbers(_s("๑๒", " 7.5 ", "๐"), source="f", column="n")
    assert got.tolist() == [12.0, 7.5, 0.0]


@pytest.mark.parametrize("value", ["1e400", "-1e400", "9" * 400, "inf", "nan", "NaN"])
def test_a_number_that_overflows_is_refused(value):
    with pytest.raises(DataValidationError, match=r"file f; column 'n'; row 2: must be a "
                                                  r"number"):
        parse_numbers(_s("1", value), source="f", column="n")


def test_an_integer_beyond_exact_float_range_is_refused():
    parse_numbers(_s(str(2**53)), source="f", column="n", integer=True)
    with pytest.raises(DataValidationError, match="must be an integer"):
        parse_numbers(_s("9" * 25), source="f", column="n", integer=True)


def test_be_and_ce_timestamps_and_implausible_years():
    got = parse_timestamps(_s("2566-10-06 12:31", "2023-10-06 12:31"), source="t",
                           column="opened")
    assert got.iloc[0] == got.iloc[1] == pd.Timestamp("2023-10-06 12:31")
    for year in ("2900", "1066", "3110"):
        with pytest.raises(DataValidationError, match="year CE 1900–2199 or BE 2443–2742"):
            parse_timestamps(_s(f"{year}-10-06 12:31"), source="t", column="opened")


def test_a_ce_year_where_the_be_fiscal_year_is_expected_is_refused(tmp_path):
    # seed 003:73's progress file names its fiscal year in BE; 2023 is refused, not converted
    path = tmp_path / "progress.csv"
    path.write_text("fiscal_year,quarter,plan_percent,actual_percent\n2023,1,10,10\n",
                    encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"column 'fiscal_year'; row 1: must be an "
                                                  r"integer >= 2443 and <= 2742"):
        read_progress(path)
    path.write_text("FISCAL_YEAR , Quarter,plan_percent,actual_percent,Assessed\n"
                    "๒๕๖๖,๑,10,10.00,yes\n", encoding="utf-8")
    frame = read_progress(path)
    assert frame["quarter"].tolist() == [1] and frame["assessed"].tolist() == [True]


def test_every_kind_declares_its_required_columns_once():
    frame = pd.DataFrame({"level": ["1"], "criterion": ["x"]}, dtype=str)
    with pytest.raises(DataValidationError, match=r"a milestone evidence file needs columns "
                                                  r"level, criterion, status; missing "
                                                  r"column\(s\) 'status'"):
        check_input(frame, "evidence", "ev.csv")
    assert all(s.kind == k for k, s in SCHEMAS.items())
    for schema in SCHEMAS.values():
        names = [c.name for c in schema.columns]
        assert len(names) == len(set(names)), schema.kind
