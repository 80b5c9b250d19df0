"""Read and validate raw survey files (``data/raw/``) into typed frames.

A raw satisfaction file is a UTF-8 CSV (a byte-order mark, as Excel writes, is accepted) with
one row per respondent: ``respondent_id``, ``round``, ``response_date``, the instrument's profile
columns, its item columns (scores 1–5 or Thai labels, blanks for missing answers), free-text
columns, and optionally the design columns ``weight``, ``stratum`` and ``psu``. Other columns
(e.g. contact names or phone numbers) are allowed but never leave this module: the processed
table keeps a fixed whitelist of columns.

Every problem is a :class:`~kpianalysis.DataValidationError` naming the file, the column, the
data rows (1 = first row after the header) and what was expected. The raw file is only read.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pandas as pd

from ._results import Result, format_value
from ._validation import DataValidationError, describe_values
from .files import sha256_of
from .input_schema import SCHEMAS, parse_numbers
from .instruments import Instrument
from .labels import PROFILE_LISTS, check_labels, check_no_personal_data
from .likert import parse_likert
from .privacy import cut, pseudonymise, redact
from .thaidate import parse_thai_dates, thai_digits_to_ascii

__all__ = [
    "DESIGN_COLUMNS",
    "SurveyData",
    "read_satisfaction_survey",
    "survey_from_frame",
    "survey_round_files",
]

logger = logging.getLogger(__name__)

#: Optional survey-design columns: design weight, stratum and primary sampling unit.
DESIGN_COLUMNS: tuple[str, ...] = ("weight", "stratum", "psu")
_VALID_ROUNDS = (1, 2)
#: Largest plausible numeric profile answer by unit (age in years).
_MAX_PROFILE_NUMBER = {"ปี": 120}


@dataclasses.dataclass(frozen=True)
class SurveyData(Result):
    """A validated satisfaction-survey file.

    Attributes
    ----------
    instrument : Instrument
        The questionnaire the file answers.
    path : str
        The file read.
    sha256 : str
        SHA-256 of the file's bytes.
    frame : DataFrame
        Identifier, profile and design columns (personal free text and unknown columns are
        left out); ``round`` as int, ``response_date`` as datetime, ``weight`` as float.
    items : DataFrame
        Item answers as ``Int8`` codes 1–5 (``<NA>`` = missing answer).
    n_free_text : int
        Respondents who wrote a free-text suggestion (the text itself is not kept).
    ignored_columns : tuple of str
        Columns present in the file that are not used (possible personal data).
    """

    instrument: Instrument
    path: str
    sha256: str
    frame: pd.DataFrame
    items: pd.DataFrame
    n_free_text: int
    ignored_columns: tuple[str, ...]

    @property
    def rounds(self) -> tuple[int, ...]:
        """Survey rounds present in the file."""
        return tuple(sorted(int(r) for r in self.frame["round"].unique()))

    @property
    def has_design(self) -> bool:
        """Whether the file carries design weights (design-based estimates apply)."""
        return "weight" in self.frame.columns

    def processed_table(self, scores: pd.DataFrame | None = None) -> pd.DataFrame:
        """The de-identified respondent table for ``data/processed/``.

        Identifier, profile, design and item columns, plus the respondent scores when given
        (``LikertResult.respondents``). Free text and any column not declared by the
        instrument are never included, and ``respondent_id`` is a pseudonym
        (:func:`kpianalysis.privacy.pseudonymise`: a keyed hash whose key is drawn per process
        and never written), so the table cannot be joined back to the raw file.

        A respondent who was not scored (``scored`` False, ``exclusion_reason`` says why) is
        *missing*, not "not high", in the score columns: ``high_or_above`` is a nullable
        ``boolean`` column with ``<NA>`` for them, ``band`` a nullable ``Int8``, ``band_th``
        and ``score_mean`` missing too (``n_answered`` and ``score_sum`` keep their counts).
        A share over the column that skips missing values is therefore over the scored
        respondents, as the KPI's A = B × 100 / C is: the unweighted mean of
        ``high_or_above`` is B / C, and the mean weighted by ``weight`` is the design-based A.
        """
        frame = self.frame.assign(respondent_id=pseudonymise(self.frame["respondent_id"]))
        table = pd.concat([frame, self.items], axis=1)
        if scores is not None:
            table = pd.concat([table, _unscored_as_missing(scores)], axis=1)
        table.insert(0, "kpi", self.instrument.code)
        return table.reset_index(drop=True)

    def _summary_lines(self) -> list[str]:
        design = [c for c in DESIGN_COLUMNS if c in self.frame.columns]
        rounds = ", ".join(map(str, self.rounds))
        lines = [
            f"SurveyData {self.instrument.code}: {len(self.frame)} respondents, "
            f"round{'s' if len(self.rounds) > 1 else ''} {rounds}, "
            f"{self.items.shape[1]} item{'s' if self.items.shape[1] != 1 else ''}",
            f"design columns: {', '.join(design) or 'none (unweighted)'}; free-text answers "
            f"{format_value(self.n_free_text)}",
        ]
        if self.ignored_columns:
            lines.append(f"columns not used: {', '.join(self.ignored_columns)}")
        lines.append(f"file {self.path} (sha256 {self.sha256[:12]}…)")
        return lines

    def to_dict(self) -> dict:
        """Summary of the file as JSON-ready data (no respondent rows)."""
        return {
            "instrument": self.instrument.code,
            "path": self.path,
            "sha256": self.sha256,
            "n_rows": len(self.frame),
            "rounds": list(self.rounds),
            "n_free_text": self.n_free_text,
            "ignored_columns": list(self.ignored_columns),
        }


def _unscored_as_missing(scores: pd.DataFrame) -> pd.DataFrame:
    """The score columns with unscored respondents missing rather than False / band 0."""
    if "scored" not in scores.columns:
        return scores
    out = scores.copy()
    unscored = ~out["scored"].to_numpy(dtype=bool)
    if "high_or_above" in out.columns:
        out["high_or_above"] = out["high_or_above"].astype("boolean").mask(unscored)
    if "band" in out.columns:
        out["band"] = out["band"].astype("Int8").mask(unscored)
    if "band_th" in out.columns:
        band_th = out["band_th"]
        if isinstance(band_th.dtype, pd.CategoricalDtype) and "" in band_th.cat.categories:
            band_th = band_th.cat.remove_categories([""])
        out["band_th"] = band_th.mask(unscored)
    if "score_mean" in out.columns:
        out["score_mean"] = out["score_mean"].astype(float).mask(unscored)
    return out


def survey_round_files(folder: str | os.PathLike[str], kpi: str) -> dict[int, Path]:
    """The survey files of one KPI by round: ``<folder>/<kpi>_r<round>.csv``, sorted by round.

    Files whose suffix after ``_r`` is not a whole number are ignored.
    """
    found = {}
    for path in Path(folder).glob(f"{kpi}_r*.csv"):
        suffix = path.stem.rsplit("_r", 1)[1]
        if suffix.isdigit():
            found[int(suffix)] = path
    return dict(sorted(found.items()))


def _read_csv(path: str | os.PathLike[str]) -> pd.DataFrame:
    from .tables import read_table

    if not Path(path).exists():
        raise FileNotFoundError(f"survey file {path} does not exist")
    frame = read_table(path, source=str(path))
    if frame.empty:
        raise DataValidationError("the file has a header but no data rows", source=str(path))
    return frame


def _integers(frame: pd.DataFrame, column: str, source: str, allowed=None) -> pd.Series:
    values = pd.to_numeric(thai_digits_to_ascii(frame[column].str.strip()), errors="coerce")
    bad = values.isna() | (values != np.floor(values))
    if allowed is not None:
        bad |= ~values.isin(allowed)
    if bad.any():
        expected = f"one of {', '.join(map(str, allowed))}" if allowed else "an integer"
        raise DataValidationError(
            f"invalid value(s) {describe_values(frame.loc[bad, column].tolist())}; "
            f"expected {expected}",
            source=source, column=column, rows=(np.flatnonzero(bad.to_numpy()) + 1).tolist(),
        )
    return values.astype(int)


def _check_profile_labels(col: pd.Series, column: str, values: tuple[str, ...] | None,
                          source: str) -> None:
    """Label checks of one profile column (:mod:`kpianalysis.labels`)."""
    if values is None and column in PROFILE_LISTS:
        what, allowed = PROFILE_LISTS[column]
        check_labels(col, allowed(), source=source, column=column, what=what)
    elif values is None:
        check_no_personal_data(col, source=source, column=column)


def read_satisfaction_survey(
    path: str | os.PathLike[str], instrument: Instrument
) -> SurveyData:
    """Read and validate one round's satisfaction-survey CSV.

    Parameters
    ----------
    path : str, path-like or TableRef
        The file: CSV (UTF-8, UTF-16 or cp874) or a workbook (the TableRef's sheet).
    instrument : Instrument
        The questionnaire (see :func:`kpianalysis.get_instrument`).

    Returns
    -------
    SurveyData

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    DataValidationError
        Empty file; missing columns; blank or duplicated ``respondent_id``; ``round`` not 1 or
        2; an unreadable ``response_date``; an item answer outside 1–5 and the scale's labels;
        a profile answer outside a closed question's values or, for ``agency``, ``district``
        and ``site``, outside the reference lists of :mod:`kpianalysis.labels`; a profile
        or design label that looks like personal data (never echoed); a weight that is
        missing, non-numeric or ≤ 0.
    """
    source, sha256 = str(path), sha256_of(path)
    key = (sha256, getattr(path, "sheet", None), instrument.code, id(instrument))
    data = _READ.get(key)
    if data is not None and data.instrument is instrument:  # these very bytes, validated
        _READ.move_to_end(key)
        _log_ignored(source, data.ignored_columns)
    else:
        data = _READ[key] = survey_from_frame(_read_csv(path), instrument, source=source,
                                              sha256=sha256)
        if len(_READ) > _READ_KEEP:
            _READ.popitem(last=False)
    return dataclasses.replace(data, path=source, frame=data.frame.copy(),
                               items=data.items.copy())


#: Survey files validated in this process, by content (SHA-256 and worksheet) and
#: questionnaire: a report that reads again, under whatever name, the files its KPI's engine
#: has just read gets copies of that reading (bytes that changed have another hash, so they
#: are read again). A file's name appears only in error messages, the log and ``path``.
_READ: OrderedDict[tuple[str, str | None, str, int], SurveyData] = OrderedDict()
_READ_KEEP = 8


def _log_ignored(source: str, ignored: tuple[str, ...]) -> None:
    if ignored:
        logger.info("%s: columns not used (never written out): %s", source, ", ".join(ignored))


def survey_from_frame(raw: pd.DataFrame, instrument: Instrument, *, source: str,
                      sha256: str) -> SurveyData:
    """Validate a survey already read as text columns (see :func:`read_satisfaction_survey`).

    ``raw`` has the standard column names (a Google Forms export is renamed first,
    :mod:`kpianalysis.forms`); ``source`` and ``sha256`` name the file it came from.
    """
    schema = SCHEMAS["satisfaction_survey"]
    required = [*schema.required, *instrument.profile_columns, *instrument.item_codes]
    missing = [c for c in required if c not in raw.columns]
    if missing:
        raise DataValidationError(
            f"missing column(s) {', '.join(map(repr, missing))}; a {instrument.code} file needs "
            f"the columns {', '.join(required)}",
            source=source,
        )

    ids = raw["respondent_id"].str.strip()
    blank = ids == ""
    if blank.any():
        raise DataValidationError("blank respondent_id; every row needs an identifier",
                                  source=source, column="respondent_id",
                                  rows=(np.flatnonzero(blank.to_numpy()) + 1).tolist())
    dup = ids.duplicated(keep=False)
    if dup.any():
        raise DataValidationError(
            f"duplicated respondent_id {describe_values(ids[dup].tolist())}; identifiers must be "
            "unique within a file",
            source=source, column="respondent_id",
            rows=(np.flatnonzero(dup.to_numpy()) + 1).tolist(),
        )

    frame = pd.DataFrame({"respondent_id": ids})
    frame["round"] = _integers(raw, "round", source, allowed=_VALID_ROUNDS)
    dates = parse_thai_dates(raw["response_date"], source=source, column="response_date")
    if dates.isna().any():
        bad = dates.isna()
        raise DataValidationError(
            "blank date; expected the response date on every row (2024-01-15, 15/01/2567, "
            "1/15/2024, Thai digits allowed)", source=source, column="response_date",
            rows=(np.flatnonzero(bad.to_numpy()) + 1).tolist(),
        )
    frame["response_date"] = dates.dt.normalize()

    for field in instrument.profile_fields:
        col = raw[field.column].str.strip()
        if field.values is not None:
            bad = (col != "") & ~col.isin(field.values)
            if bad.any():
                raise DataValidationError(
                    f"invalid value(s) {describe_values(col[bad].tolist())}; expected one of "
                    f"{', '.join(field.values)} or blank",
                    source=source, column=field.column,
                    rows=(np.flatnonzero(bad.to_numpy()) + 1).tolist(),
                )
        _check_profile_labels(col, field.column, field.values, source)
        frame[field.column] = col.replace("", pd.NA)

    # numeric profile answers (age in years): a number, Thai digits read as ASCII
    for field in instrument.profile_fields:
        if field.unit and field.values is None:
            text = thai_digits_to_ascii(raw[field.column].str.strip())
            parse_numbers(text, source=source, column=field.column, low=0,
                          high=_MAX_PROFILE_NUMBER.get(field.unit), allow_missing=True)
            frame[field.column] = text.replace("", pd.NA)

    if "weight" in raw.columns:
        w = pd.to_numeric(thai_digits_to_ascii(raw["weight"].str.strip()), errors="coerce")
        bad = w.isna() | ~np.isfinite(w) | (w <= 0)
        if bad.any():
            raise DataValidationError(
                f"invalid weight(s) {describe_values(raw.loc[bad, 'weight'].tolist())}; "
                "expected a positive number on every row",
                source=source, column="weight",
                rows=(np.flatnonzero(bad.to_numpy()) + 1).tolist(),
            )
        frame["weight"] = w.astype(float)
    for col in ("stratum", "psu"):  # design labels; Thai digits read as ASCII
        if col in raw.columns:
            frame[col] = thai_digits_to_ascii(raw[col].str.strip())
            check_no_personal_data(frame[col], source=source, column=col)

    labels = {label: level for level, label in instrument.scale_labels.items()}
    items = parse_likert(raw, list(instrument.item_codes), labels, source=source)

    free = [c for c in instrument.free_text_fields if c in raw.columns]
    n_free = int((raw[free].apply(lambda s: s.str.strip() != "").any(axis=1)).sum()) if free else 0
    known = {*required, *DESIGN_COLUMNS, *instrument.free_text_fields}
    # unused column names are reported, bounded and with personal data masked (a header cell
    # may hold anything)
    ignored = tuple(cut(redact(c)) for c in raw.columns if c not in known)
    _log_ignored(source, ignored)
    frame.index = raw.index
    items.index = raw.index
    return SurveyData(
        instrument=instrument,
        path=source,
        sha256=sha256,
        frame=frame,
        items=items,
        n_free_text=n_free,
        ignored_columns=ignored,
    )
