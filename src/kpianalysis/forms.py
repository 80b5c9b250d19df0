"""Google Forms exports: a small mapping file per instrument, and a command that drafts it.

A Google Forms response sheet (downloaded as CSV, or as ``.xlsx`` from Google Sheets) has one
column per question, named by the full question text; a grid question gives one column per
row, ``Question [row text]``; the first column is the submission time, ``Timestamp`` (Thai
interface: ``ประทับเวลา``). A **mapping file** (YAML) says which form column is which column of
the instrument::

    # Google Forms mapping for instrument sat-oss (kpianalysis.forms)
    instrument: sat-oss
    columns:
      "ประทับเวลา": response_date
      "เพศ": sex
      "ด้านกระบวนงาน [มีขั้นตอนชัดเจนในการปฏิบัติงาน]": q1_1
      "อีเมล": null   # UNMATCHED: not read

A form column mapped to ``null`` (an e-mail address, a name) is never read. Every rated item
of the instrument must be mapped exactly once; no column may be mapped twice.

``python -m kpianalysis.forms draft FORM.csv --instrument sat-oss > mapping.yaml`` writes a
draft from the form's header row, matching each header to the instrument's item texts,
profile labels and free-text fields (Thai and English; numbering such as ``1.1``, spaces,
punctuation and case ignored; a grid row matched by its ``[row text]``). A header it cannot
match with confidence is left ``null`` and marked ``# UNMATCHED`` for the user to fill in.
``python -m kpianalysis.forms convert FORM.csv --mapping mapping.yaml --round 1 -o OUT.csv``
writes the responses as a standard survey file (``respondent_id``, ``round``,
``response_date``, the instrument's columns), which the catalog can then name.
:func:`read_google_form` reads and validates a form export directly as
:class:`~kpianalysis.readers.SurveyData`.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import json
import re
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ._validation import DataValidationError
from .instruments import Instrument, get_instrument

__all__ = [
    "TIMESTAMP_HEADERS",
    "FormMapping",
    "draft_mapping",
    "form_to_survey_frame",
    "load_mapping",
    "main",
    "mapping_yaml",
    "read_google_form",
]

#: Names of the submission-time column in Google Forms exports (English, Thai interfaces).
TIMESTAMP_HEADERS = ("Timestamp", "ประทับเวลา", "ประทับเวลา (timestamp)", "เวลาประทับ")
#: Thai and English labels of free-text fields (the instruments name only the column).
FREE_TEXT_LABELS = {"suggestion": ("ข้อเสนอแนะ", "ข้อเสนอแนะเพิ่มเติม", "ข้อเสนอแนะอื่น ๆ",
                                   "suggestions", "comments")}
#: Smallest similarity (0–1) for a header to be matched, and its lead over the runner-up.
MATCH_THRESHOLD = 0.82
MATCH_MARGIN = 0.04

_NUMBERING = re.compile(r"^\s*(?:ข้อ(?:ที่)?\s*)?\d+(?:\s*[.)]\s*\d+)*\s*[.)]?\s+")
_BRACKET = re.compile(r"^(.*?)\s*\[([^\[\]]+)\]\s*$")


def _key(text: str) -> str:
    """Text as compared: NFC, casefolded, numbering and spaces/punctuation/symbols removed."""
    t = unicodedata.normalize("NFC", str(text)).casefold()
    t = _NUMBERING.sub("", t)
    return "".join(ch for ch in t if unicodedata.category(ch)[0] not in "PSZC")


@dataclasses.dataclass(frozen=True)
class FormMapping:
    """Form header → instrument column (``None``: not read).

    Attributes
    ----------
    instrument : str
        Instrument key (``instruments.yaml``).
    columns : dict of str to str or None
        Form header (as exported) → column name.
    notes : dict of str to str
        Per header, how the draft matched it (for the comments of the YAML file).
    day_first : bool
        The submission time is written ``d/m/CCCC`` (a Thai-locale sheet with Common-Era
        years). Default False: the package's rule, a CE year is read month first
        (``m/d/CCCC``, the US-locale export) and a BE year day first.
    """

    instrument: str
    columns: dict[str, str | None]
    notes: dict[str, str] = dataclasses.field(default_factory=dict)
    day_first: bool = False

    @property
    def unmatched(self) -> list[str]:
        """Headers mapped to nothing."""
        return [h for h, c in self.columns.items() if c is None]


def _targets(inst: Instrument) -> list[tuple[str, tuple[str, ...]]]:
    out: list[tuple[str, tuple[str, ...]]] = []
    for item in inst.items:
        out.append((item.code, (item.text_th, item.text_en, item.code)))
    for field in inst.profile_fields:
        out.append((field.column, (field.label_th, field.label_en, field.column,
                                   f"{field.label_th} ({field.unit})" if field.unit else "")))
    for col in inst.free_text_fields:
        out.append((col, (col, *FREE_TEXT_LABELS.get(col, ()))))
    return out


def _score(header: str, texts: Sequence[str]) -> float:
    parts = [header]
    if m := _BRACKET.match(header):
        parts = [m.group(2), header]  # a grid row: its [row text] is the item
    best = 0.0
    for part in parts:
        h = _key(part)
        if not h:
            continue
        for text in texts:
            t = _key(text)
            if not t:
                continue
            if h == t:
                return 1.0
            ratio = difflib.SequenceMatcher(None, h, t, autojunk=False).ratio()
            if t in h and (len(t) >= 6 or h.startswith(t)):  # text plus an instruction
                ratio = max(ratio, 0.9)
            best = max(best, ratio)
    return best


def draft_mapping(header: Sequence[str], instrument: Instrument | str) -> FormMapping:
    """Match a form's header row to the instrument's columns.

    Parameters
    ----------
    header : sequence of str
        The form's column names as exported.
    instrument : Instrument or str
        The questionnaire (or its key).

    Returns
    -------
    FormMapping
        Every header, mapped or ``None``; a column is given to at most one header (the best
        match); a header whose best match is below :data:`MATCH_THRESHOLD` or not clearly
        ahead of the runner-up is left unmatched.
    """
    inst = get_instrument(instrument) if isinstance(instrument, str) else instrument
    targets = _targets(inst)
    stamp = {_key(h) for h in TIMESTAMP_HEADERS}
    columns: dict[str, str | None] = {}
    notes: dict[str, str] = {}
    claims: dict[str, tuple[float, str]] = {}
    for h in header:  # a form's questions, not respondents
        if _key(h) in stamp:
            columns[h], notes[h] = "response_date", "submission time"
            continue
        scored = sorted(((_score(h, texts), col) for col, texts in targets), reverse=True)
        best, col = scored[0] if scored else (0.0, "")
        runner = scored[1][0] if len(scored) > 1 else 0.0
        if best >= MATCH_THRESHOLD and best - runner >= MATCH_MARGIN:
            columns[h] = col
            notes[h] = f"matched {best:.2f}"
            if col in claims and claims[col][0] >= best:
                columns[h], notes[h] = None, f"UNMATCHED: {col} matched better by another column"
                continue
            if col in claims:
                other = claims[col][1]
                columns[other] = None
                notes[other] = f"UNMATCHED: {col} matched better by another column"
            claims[col] = (best, h)
        else:
            columns[h] = None
            hint = f" (closest: {col}, {best:.2f})" if best >= 0.5 else ""
            notes[h] = f"UNMATCHED{hint}"
    return FormMapping(inst.code, columns, notes)


def mapping_yaml(mapping: FormMapping) -> str:
    """The mapping as a commented YAML file (unmatched headers marked ``# UNMATCHED``)."""
    inst = get_instrument(mapping.instrument)
    mapped = {c for c in mapping.columns.values() if c}
    missing = [code for code in inst.item_codes if code not in mapped]
    lines = [f"# Google Forms mapping for instrument {mapping.instrument} (kpianalysis.forms)",
             "# form header: instrument column (item code, profile column, free-text field,",
             "# response_date); null = the column is not read. Check every line, fill in the",
             "# UNMATCHED ones or leave them null.",
             f"instrument: {mapping.instrument}",
             "# true when the Timestamp is d/m/yyyy with a Common-Era year (Thai-locale sheet)",
             f"day_first: {'true' if mapping.day_first else 'false'}",
             "columns:"]
    for header, col in mapping.columns.items():
        note = mapping.notes.get(header, "")
        value = "null" if col is None else col
        comment = f"  # {note}" if note and (col is None or "UNMATCHED" in note) else ""
        lines.append(f"  {json.dumps(header, ensure_ascii=False)}: {value}{comment}")
    if missing:
        lines.append(f"# items of {mapping.instrument} not found in the form: "
                     f"{', '.join(missing)}")
    return "\n".join(lines) + "\n"


def _valid_columns(inst: Instrument) -> set[str]:
    return {*inst.item_codes, *inst.profile_columns, *inst.free_text_fields, "response_date",
            "respondent_id", "round"}


def load_mapping(path: str | Path) -> FormMapping:
    """Read and check a mapping file.

    Raises
    ------
    DataValidationError
        Not YAML of the form above, an unknown instrument or column, a column mapped twice, an
        item of the instrument not mapped (the file named, the items listed).
    """
    import yaml

    source = str(path)
    try:
        doc: Any = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataValidationError(f"not a readable YAML file ({type(exc).__name__})",
                                  source=source) from None
    if not isinstance(doc, Mapping) or not isinstance(doc.get("columns"), Mapping):
        raise DataValidationError("expected 'instrument: KEY' and 'columns: {form header: "
                                  "column}'", source=source)
    try:
        inst = get_instrument(str(doc.get("instrument")))
    except (KeyError, ValueError):
        raise DataValidationError(f"unknown instrument {str(doc.get('instrument'))[:40]!r}",
                                  source=source) from None
    valid = _valid_columns(inst)
    columns: dict[str, str | None] = {}
    for header, col in doc["columns"].items():
        if col is not None and (not isinstance(col, str) or col not in valid):
            raise DataValidationError(
                f"form column {str(header)[:80]!r} is mapped to {str(col)[:40]!r}; expected "
                f"an item code, profile column or free-text field of {inst.code}, "
                f"response_date, or null", source=source)
        columns[str(header)] = col
    used = [c for c in columns.values() if c]
    twice = sorted({c for c in used if used.count(c) > 1})
    if twice:
        raise DataValidationError(f"column(s) {', '.join(twice)} mapped from more than one "
                                  f"form column; expected each once", source=source)
    missing = [c for c in inst.item_codes if c not in used]
    if missing:
        raise DataValidationError(f"item(s) {', '.join(missing)} of {inst.code} are not "
                                  f"mapped; map the form column of each", source=source)
    day_first = doc.get("day_first", False)
    if not isinstance(day_first, bool):
        raise DataValidationError(f"day_first must be true or false, got {day_first!r}",
                                  source=source)
    return FormMapping(inst.code, columns, day_first=day_first)


def form_to_survey_frame(path: Any, mapping: FormMapping, *, round: int,
                         source: str | None = None) -> Any:
    """A form export as the standard survey columns (text), ready for validation.

    The form's columns are renamed by the mapping (headers compared as
    :func:`kpianalysis.tables.normalise_header` gives them); unmapped columns are dropped
    unread; ``round`` is added; ``respondent_id`` is ``form-<row>`` when the form has none;
    the submission time keeps its date and time (``response_date``).

    Raises
    ------
    DataValidationError
        A mapped column is missing from the form, or ``round`` is not a positive integer.
    """
    import pandas as pd

    from .tables import normalise_header, read_table

    where = source or str(path)
    if isinstance(round, bool) or not isinstance(round, int) or round < 1:
        raise DataValidationError(f"round must be a positive integer, got {round!r}",
                                  source=where)
    raw = read_table(path, source=where)
    wanted = {normalise_header(h): c for h, c in mapping.columns.items() if c}
    absent = [h for h, c in mapping.columns.items()
              if c and normalise_header(h) not in raw.columns]
    if absent:
        raise DataValidationError(
            f"the form has no column {absent[0][:80]!r}"
            f"{f' (and {len(absent) - 1} more)' if len(absent) > 1 else ''} named in the "
            f"mapping; expected the header row of a {mapping.instrument} form", source=where)
    frame = raw[[c for c in raw.columns if c in wanted]].rename(columns=wanted)
    if mapping.day_first and "response_date" in frame.columns:
        # d/m/CCCC → ISO (a BE year is day first anyway)
        frame["response_date"] = frame["response_date"].str.strip().str.replace(
            r"^(\d{1,2})/(\d{1,2})/((?:19|20|21)\d\d)\b", r"\3-\2-\1", regex=True)
    if "respondent_id" not in frame.columns:
        frame.insert(0, "respondent_id", [f"form-{i}" for i in range(1, len(frame) + 1)])
    frame.insert(1, "round", pd.Series(str(round), index=frame.index, dtype=str))
    return frame


def read_google_form(path: Any, mapping: FormMapping | str | Path, *, round: int) -> Any:
    """Read a Google Forms export and validate it as a survey of the mapping's instrument.

    Parameters
    ----------
    path : path or TableRef
        The export (CSV in any supported encoding, or a workbook).
    mapping : FormMapping or path
        The mapping (or its YAML file).
    round : int
        The survey round the responses belong to (a form has no round column).

    Returns
    -------
    SurveyData
        As :func:`kpianalysis.readers.read_satisfaction_survey` returns it; form columns
        mapped to ``null`` are never read.
    """
    from .files import sha256_of
    from .readers import survey_from_frame

    m = mapping if isinstance(mapping, FormMapping) else load_mapping(mapping)
    frame = form_to_survey_frame(path, m, round=round)
    return survey_from_frame(frame, get_instrument(m.instrument), source=str(path),
                             sha256=sha256_of(path))


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m kpianalysis.forms draft|convert …`` (see the module docstring)."""
    ap = argparse.ArgumentParser(prog="python -m kpianalysis.forms",
                                 description="Google Forms exports → kpianalysis survey files")
    sub = ap.add_subparsers(dest="command", required=True)
    d = sub.add_parser("draft", help="write a draft mapping from a form's header row")
    d.add_argument("form")
    d.add_argument("--instrument", required=True)
    d.add_argument("--sheet")
    c = sub.add_parser("convert", help="write a form's responses as a standard survey CSV")
    c.add_argument("form")
    c.add_argument("--mapping", required=True)
    c.add_argument("--round", type=int, required=True)
    c.add_argument("-o", "--output", required=True)
    args = ap.parse_args(argv)
    try:
        if args.command == "draft":
            import csv
            import io

            inst = get_instrument(args.instrument)
            path = Path(args.form)
            if path.suffix.lower() in (".xlsx", ".xlsm"):
                import openpyxl

                book = openpyxl.load_workbook(path, read_only=True)
                ws = book[args.sheet] if args.sheet else book.worksheets[0]
                header = [str(v) for v in next(ws.iter_rows(values_only=True), ())
                          if v is not None]
                book.close()
            else:
                from .tables import _decode

                text = _decode(path.read_bytes(), str(path))
                header = next(csv.reader(io.StringIO(text)), [])
            mapping = draft_mapping(header, inst)
            sys.stdout.write(mapping_yaml(mapping))
            if mapping.unmatched:
                print(f"{len(mapping.unmatched)} form column(s) left UNMATCHED (null): check "
                      f"them in the file", file=sys.stderr)
            return 0
        from .files import atomic_path

        m = load_mapping(args.mapping)
        frame = form_to_survey_frame(args.form, m, round=args.round)
        read_google_form(args.form, m, round=args.round)  # validate before writing
        with atomic_path(args.output) as tmp:
            frame.to_csv(tmp, index=False, encoding="utf-8")
        print(f"wrote {args.output}: {len(frame)} responses, round {args.round}",
              file=sys.stderr)
        return 0
    except (DataValidationError, FileNotFoundError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
