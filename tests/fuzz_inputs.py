"""Malformed variants of every bundled input file, and what each reader must make of them.

Used by ``tests/test_fuzz_inputs.py`` (a seeded CI run) and by ``make fuzz`` (a long run that
prints its counts): ``python tests/fuzz_inputs.py --variants 50000 --seed 1``.

For every catalog KPI and every input file of its fiscal year under ``data/raw``, a *target*
is the reader the KPI's engine calls on that file (with the other files clean). A *variant*
is the file changed by one *mutation*; each mutation declares what the reader must do:

``same``
    Accepted with exactly the result of the clean file, never refused: the file re-encoded
    (UTF-8 with BOM, UTF-16, cp874), written as an ``.xlsx`` workbook (text or typed cells),
    CRLF line ends, blank lines, trailing empty separators, header names in another case or
    with extra spaces, columns reordered, an unknown column added (it is listed as not used,
    nothing else changes), Thai digits in a number or date cell, spaces around a number or
    date, a date rewritten in the seeds' other form (``28/10/2563`` ↔ ``10/28/2020``,
    ISO CE ↔ ISO BE).
``refuse``
    Refused with the package's ``DataValidationError``, or accepted with the clean result when
    the reader does not use the cell: a duplicated column, a row with a field cut off or a
    field too many, a number that overflows (``1e400``, 400 nines; an integer beyond 2**53),
    text in a number column, an impossible date, a year outside CE 1900–2199 / BE 2443–2742
    (a BE year shifted to a CE-looking 3000s or 1000s year), a cell over
    ``kpianalysis.tables.MAX_CELL_CHARS``, a file in no supported encoding.
``different`` (documented different)
    Accepted with any result or refused: a data row dropped, repeated or moved, a cell
    blanked, a text cell changed or made long (under the limit), a column dropped or renamed,
    and a ``dd/mm/BBBB`` date whose BE year is replaced by its CE year without changing the
    order — the seeds' rule (:mod:`kpianalysis.thaidate`) reads a CE year month first, so
    ``05/10/2020`` is 10 May 2020 (refused when the day is above 12).

Every variant must end in one of: accepted-same, accepted-different (only for
``different`` mutations), refused with ``DataValidationError``. Anything else — another
exception, a ``same`` variant refused or changed, a ``refuse`` variant accepted with another
result — is a failure, reported with the seed, file and mutation so it can be replayed.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import dataclasses
import hashlib
import io
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
#: Rows kept of the 10,000-row awareness file (the reader's checks are per row).
AWARENESS_ROWS = 300
#: Largest file (cells) written as a workbook (openpyxl is slow); ``make fuzz`` raises it.
XLSX_MAX_CELLS = 3000

_NUM = re.compile(r"^-?\d+(\.\d+)?$")
_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(.*)$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(.*)$")
_THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


# -- targets: the reader each engine calls on each file ------------------------------------------

@dataclasses.dataclass
class Target:
    """One input file of one KPI and the reader its engine calls on it."""

    kpi: str
    role: str
    relpath: str
    header: list[str]
    rows: list[list[str]]
    read: Callable[[Any], Any]
    col_types: dict[int, str] = dataclasses.field(default_factory=dict)


#: Columns that hold labels, though their values look like numbers (any text is valid).
LABEL_COLUMNS = {"stratum", "psu"}


def _kind_of(name: str, values: list[str]) -> str:
    vals = [v.strip() for v in values if v.strip()]
    if not vals:
        return "blank"
    if name in LABEL_COLUMNS:
        return "text"
    if all(_NUM.match(v) for v in vals):
        return "integer" if all("." not in v for v in vals) else "number"
    if all(_SLASH.match(v) or _ISO.match(v) for v in vals):
        return "date"
    return "text"


def _load_rows(path: Path, limit: int | None = None) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    return header, body[:limit] if limit else body


def _readers(kpi: Any, role: str, fy: int, clean: dict[str, Path]) -> Callable[[Any], Any]:
    """The call the engine of ``kpi`` makes on its ``role`` file (other files clean)."""
    from kpianalysis import awareness as aw
    from kpianalysis.district_targets import analyse_district_targets, load_targets
    from kpianalysis.engines.progress import read_sources
    from kpianalysis.instruments import get_instrument
    from kpianalysis.issue_log import read_agencies, read_issue_log
    from kpianalysis.readers import read_satisfaction_survey
    from kpianalysis.rubric import (
        count_livable_city_issues,
        read_evidence,
        score_committee_share,
        score_count_target,
        score_step_completion,
        score_training,
    )
    from kpianalysis.rubric._inputs import read_dated_requirements
    from kpianalysis.rubric.availability import read_outages, read_sites
    from kpianalysis.rubric.checklist import checklist_forms, read_checklist, read_status_notes
    from kpianalysis.rubric.dated_counts import read_dated_items
    from kpianalysis.rubric.expectation import read_expectation_ratings
    from kpianalysis.rubric.it_support import sla_compliance
    from kpianalysis.rubric.monthly import read_monthly_reports
    from kpianalysis.rubric.progress import read_progress

    p, kind = kpi.rubric_params, kpi.rubric_kind
    if role == "survey" and kind in ("satisfaction", "it_support_composite"):
        inst = get_instrument(kpi.instrument)
        return lambda f: read_satisfaction_survey(f, inst)
    if role == "survey":
        return lambda f: aw.read_awareness_survey(f, clean["margins"])
    if role == "margins":
        return lambda f: aw.read_awareness_survey(clean["survey"], f)
    if role == "covariates":
        return aw.read_district_covariates
    if role == "evidence" and kind == "milestones":
        return read_evidence
    if role == "evidence":
        return read_dated_requirements
    if role == "tickets":
        return lambda f: sla_compliance(f, bands=kpi.bands("sla_bands"))
    if role == "issues":
        return count_livable_city_issues
    if role == "steps":
        return lambda f: score_step_completion(f, target=float(kpi.target))
    if role == "scores":
        return lambda f: score_training(f, target=float(kpi.target),
                                        pass_label=str(p["pass_label"]), bands=kpi.bands())
    if role == "committees":
        return lambda f: score_committee_share(f, min_share=float(p["min_share"]),
                                               target=int(kpi.target))
    if role == "items" and kind == "count_target":
        return lambda f: score_count_target(f, int(kpi.target), out_of=p.get("out_of"),
                                            column=str(p["column"]))
    if role == "items":
        expected = p.get("items")
        return lambda f: read_dated_items(f, fy, column=p["column"],
                                          date_column=p["date_column"],
                                          item_column=p.get("item_column", "item"),
                                          expected_items=expected)
    if role == "progress":
        return read_progress
    if role == "sources":
        return lambda f: read_sources(f, str(f))
    if role == "district_targets":
        targets = load_targets()
        return lambda f: analyse_district_targets(f, targets)
    if role == "checklist":
        forms = list(checklist_forms(p, kpi.code))
        return lambda f: read_checklist(f, forms)
    if role == "notes":
        return lambda f: read_status_notes(f, fy)
    if role == "agencies":
        return read_agencies
    if role == "issue_log":
        agencies = read_agencies(clean["agencies"]) if "agencies" in clean else None
        return lambda f: read_issue_log(f, fiscal_year=fy, agencies=agencies)
    if role == "reports":
        return lambda f: read_monthly_reports(f, fy, title_column=p.get("title_column", "report"),
                                              date_column=p.get("date_column", "date"))
    if role == "ratings":
        return lambda f: read_expectation_ratings(f, fy, scale=p.get("scale"))
    if role == "sites":
        return lambda f: read_sites(f, n_sites=p.get("n_sites"))
    if role == "outages":
        site_ids = read_sites(clean["sites"], n_sites=p.get("n_sites"))["site_id"]
        return lambda f: read_outages(f, fy, site_ids)
    raise KeyError(f"no reader for KPI {kpi.code} role {role}")


def build_targets(work: Path, raw: Path = RAW) -> list[Target]:
    """Every (KPI, input) of the bundled catalog, clean copies written under ``work``."""
    from kpianalysis.catalog import load_catalog

    cat = load_catalog()
    clean_dir = work / "clean"
    out = []
    for code in cat.codes:
        kpi = cat.get(code)
        fy = kpi.fiscal_year
        specs = kpi.inputs_for(fy)
        clean: dict[str, Path] = {}
        loaded = {}
        for s in specs:
            limit = AWARENESS_ROWS if s.path.endswith("awareness_survey.csv") else None
            header, rows = _load_rows(raw / s.path, limit)
            dest = clean_dir / code / s.path
            dest.parent.mkdir(parents=True, exist_ok=True)
            _write_csv(dest, header, rows)
            clean[s.role if s.round is None else f"{s.role}{s.round}"] = dest
            loaded[(s.role, s.round)] = (s, header, rows)
        clean.setdefault("survey", clean.get("survey1", Path()))
        for (role, _rnd), (s, header, rows) in loaded.items():
            read = _readers(kpi, role, fy, clean)
            types = {j: _kind_of(header[j], [r[j] for r in rows if j < len(r)])
                     for j in range(len(header))}
            out.append(Target(code, role, s.path, header, rows, read, types))
    return out


# -- fingerprints: what "the same result" means ------------------------------------------------

_SKIP_FIELDS = {"path", "sha256", "margins_path", "margins_sha256", "ignored_columns", "source"}


def fingerprint(obj: Any) -> Any:
    """A comparable digest of a reader's result (file names and hashes left out)."""
    if isinstance(obj, pd.DataFrame):
        frame = obj.reset_index(drop=True)
        cols = [c for c in frame.columns if c not in ("row",)]
        frame = frame[cols]
        digest = hashlib.sha256(pd.util.hash_pandas_object(frame, index=True)
                                .to_numpy().tobytes()).hexdigest()
        return ("df", tuple(map(str, cols)), tuple(map(str, frame.dtypes)), digest)
    if isinstance(obj, pd.Series):
        return fingerprint(obj.to_frame())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return (type(obj).__name__, tuple(
            (f.name, fingerprint(getattr(obj, f.name))) for f in dataclasses.fields(obj)
            if f.name not in _SKIP_FIELDS))
    if isinstance(obj, dict):
        return tuple((k, fingerprint(v)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return tuple(fingerprint(v) for v in obj)
    if isinstance(obj, (float, np.floating)):
        return round(float(obj), 12) if np.isfinite(obj) else str(obj)
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


# -- writers ------------------------------------------------------------------------------------

def _csv_text(header: list[str], rows: list[list[str]], newline: str = "\n") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def _write_csv(path: Path, header: list[str], rows: list[list[str]],
               encoding: str = "utf-8", newline: str = "\n") -> None:
    path.write_bytes(_csv_text(header, rows, newline).encode(encoding))


def _typed(v: str) -> Any:
    if _NUM.match(v) and not (len(v) > 1 and v.startswith("0") and "." not in v):
        return float(v) if "." in v else int(v)
    return v


def _write_xlsx(path: Path, header: list[str], rows: list[list[str]], typed: bool,
                sheet: str = "data") -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    book.create_sheet("ปก").append(["cover"])
    ws = book.create_sheet(sheet)
    ws.append(header)
    for r in rows:
        ws.append([_typed(v) if typed else v for v in r])
    book.save(path)


# -- mutations -----------------------------------------------------------------------------------

@dataclasses.dataclass
class Variant:
    """A changed file: rows (or raw bytes) and how to write it."""

    header: list[str]
    rows: list[list[str]]
    encoding: str = "utf-8"
    newline: str = "\n"
    xlsx: str | None = None  # "text" | "typed"
    raw: bytes | None = None
    blank_lines: bool = False


def _cols(t: Target, kinds: tuple[str, ...]) -> list[int]:
    return [j for j, k in t.col_types.items() if k in kinds]


def _cells(t: Target, rng: random.Random, kinds: tuple[str, ...]) -> tuple[int, int] | None:
    cols = _cols(t, kinds)
    if not cols or not t.rows:
        return None
    j = rng.choice(cols)
    rows = [i for i, r in enumerate(t.rows) if j < len(r) and r[j].strip()]
    return (rng.choice(rows), j) if rows else None


def _copy(t: Target) -> tuple[list[str], list[list[str]]]:
    return list(t.header), [list(r) for r in t.rows]


def _set(t: Target, i: int, j: int, value: str) -> Variant:
    h, rows = _copy(t)
    rows[i][j] = value
    return Variant(h, rows)


def m_encoding(t, rng):
    enc = rng.choice(["utf-8-sig", "utf-16", "cp874"])
    try:
        _csv_text(t.header, t.rows).encode(enc)
    except UnicodeEncodeError:
        enc = "utf-16"
    return Variant(*_copy(t), encoding=enc)


def m_crlf(t, rng):
    return Variant(*_copy(t), newline="\r\n")


def m_blank_lines(t, rng):
    return Variant(*_copy(t), blank_lines=True)


def m_trailing_separators(t, rng):
    h, rows = _copy(t)
    for r in rng.sample(rows, min(3, len(rows))):
        r.extend([""] * rng.randint(1, 3))
    return Variant(h, rows)


def m_xlsx_text(t, rng):
    if len(t.rows) * len(t.header) > XLSX_MAX_CELLS:
        return None
    return Variant(*_copy(t), xlsx="text")


def m_xlsx_typed(t, rng):
    if len(t.rows) * len(t.header) > XLSX_MAX_CELLS:
        return None
    return Variant(*_copy(t), xlsx="typed")


def m_header_case(t, rng):
    h, rows = _copy(t)
    j = rng.randrange(len(h))
    h[j] = rng.choice([h[j].upper(), h[j].title(), h[j].swapcase()])
    return Variant(h, rows)


def m_header_spaces(t, rng):
    h, rows = _copy(t)
    j = rng.randrange(len(h))
    h[j] = " " * rng.randint(1, 3) + h[j].replace("_", "_") + "\u00a0" * rng.randint(0, 2) + " "
    return Variant(h, rows)


def m_reorder_columns(t, rng):
    order = list(range(len(t.header)))
    rng.shuffle(order)
    return Variant([t.header[j] for j in order], [[r[j] for j in order] for r in t.rows])


def m_unknown_column(t, rng):
    h, rows = _copy(t)
    h.append("หมายเหตุเพิ่มเติม_fuzz")
    for r in rows:
        r.append(rng.choice(["", "x", "๑๒๓"]))
    return Variant(h, rows)


def m_thai_digits(t, rng):
    cell = _cells(t, rng, ("number", "integer", "date"))
    if cell is None:
        return None
    i, j = cell
    return _set(t, i, j, t.rows[i][j].translate(_THAI))


def m_number_spaces(t, rng):
    cell = _cells(t, rng, ("number", "integer", "date"))
    if cell is None:
        return None
    i, j = cell
    return _set(t, i, j, f"  {t.rows[i][j]} ")


def _other_form(v: str) -> str | None:
    if m := _SLASH.match(v):
        a, b, y, rest = int(m[1]), int(m[2]), int(m[3]), m[4]
        if y >= 2400:
            return f"{b}/{a}/{y - 543}{rest}"
        return f"{b:02d}/{a:02d}/{y + 543}{rest}"
    if m := _ISO.match(v):
        y = int(m[1])
        return f"{y + 543 if y < 2400 else y - 543}-{m[2]}-{m[3]}{m[4]}"
    return None


def m_date_form(t, rng):
    cell = _cells(t, rng, ("date",))
    if cell is None:
        return None
    i, j = cell
    new = _other_form(t.rows[i][j].strip())
    return None if new is None else _set(t, i, j, new)


SAME = [m_encoding, m_crlf, m_blank_lines, m_trailing_separators, m_xlsx_text, m_xlsx_typed,
        m_header_case, m_header_spaces, m_reorder_columns, m_unknown_column, m_thai_digits,
        m_number_spaces, m_date_form]


def m_duplicate_column(t, rng):
    h, rows = _copy(t)
    j = rng.randrange(len(h))
    h.append(rng.choice([h[j], h[j].upper(), " " + h[j]]))
    for r in rows:
        r.append(r[j] if j < len(r) else "")
    return Variant(h, rows)


def m_truncate_row(t, rng):
    if not t.rows:
        return None
    h, rows = _copy(t)
    i = rng.randrange(len(rows))
    rows[i] = rows[i][:rng.randrange(len(rows[i]))]
    if not rows[i] or not any(c.strip() for c in rows[i]):
        rows[i] = [rows[i][0] if rows[i] else "x"]
        if len(h) == 1:
            return None
    return Variant(h, rows)


def m_extra_field(t, rng):
    if not t.rows:
        return None
    h, rows = _copy(t)
    i = rng.randrange(len(rows))
    rows[i] = rows[i] + [rng.choice(["1", "x", "ข้อมูลเกิน"])]
    return Variant(h, rows)


def m_overflow(t, rng):
    cell = _cells(t, rng, ("number", "integer"))
    if cell is None:
        return None
    i, j = cell
    big = ["1e400", "-1e400", "9" * 400, "inf", "nan"]
    if t.col_types[j] == "integer":  # beyond 2**53: not a whole number a float holds exactly
        big.append("9" * 25)
    return _set(t, i, j, rng.choice(big))


def m_not_a_number(t, rng):
    cell = _cells(t, rng, ("number", "integer"))
    if cell is None:
        return None
    i, j = cell
    return _set(t, i, j, rng.choice(["abc", "1,2,3", "๑๒x", "--1", "1..2"]))


def m_bad_date(t, rng):
    cell = _cells(t, rng, ("date",))
    if cell is None:
        return None
    i, j = cell
    v = t.rows[i][j].strip()
    choice = rng.random()
    if choice < 0.4:
        if m := _SLASH.match(v):
            y = int(m[3])
            y += rng.choice([1000, -1000, 600]) if y >= 2400 else 1000
            new = f"{m[1]}/{m[2]}/{y}{m[4]}"
        elif m := _ISO.match(v):
            new = f"{int(m[1]) + rng.choice([1000, -1000])}-{m[2]}-{m[3]}{m[4]}"
        else:
            return None
    elif choice < 0.7:
        new = rng.choice(["31/02/2567", "2/30/2024", "2024-13-01", "32/01/2567"])
    else:
        new = rng.choice(["tomorrow", "15/01/67", "2567", "1/1/1"])
    return _set(t, i, j, new)


def m_huge_cell(t, rng):
    from kpianalysis.tables import MAX_CELL_CHARS

    if not t.rows:
        return None
    i, j = rng.randrange(len(t.rows)), rng.randrange(len(t.header))
    return _set(t, i, j, "ก" * (MAX_CELL_CHARS + rng.randint(1, 200_000)))


def m_bad_encoding(t, rng):
    data = _csv_text(t.header, t.rows).encode("utf-8")
    cut = rng.randrange(len(data))
    return Variant(list(t.header), [], raw=data[:cut] + b"\x81\xfc\xfe" + data[cut:])


REFUSE = [m_duplicate_column, m_truncate_row, m_extra_field, m_overflow, m_not_a_number,
          m_bad_date, m_huge_cell, m_bad_encoding]


def m_drop_row(t, rng):
    if not t.rows:
        return None
    h, rows = _copy(t)
    del rows[rng.randrange(len(rows))]
    return Variant(h, rows)


def m_repeat_row(t, rng):
    if not t.rows:
        return None
    h, rows = _copy(t)
    i = rng.randrange(len(rows))
    rows.insert(rng.randrange(len(rows) + 1), list(rows[i]))
    return Variant(h, rows)


def m_move_row(t, rng):
    if len(t.rows) < 2:
        return None
    h, rows = _copy(t)
    r = rows.pop(rng.randrange(len(rows)))
    rows.insert(rng.randrange(len(rows) + 1), r)
    return Variant(h, rows)


def m_blank_cell(t, rng):
    if not t.rows:
        return None
    i, j = rng.randrange(len(t.rows)), rng.randrange(len(t.header))
    return _set(t, i, j, rng.choice(["", " ", "  "]))


def m_text_cell(t, rng):
    cell = _cells(t, rng, ("text",))
    if cell is None:
        return None
    i, j = cell
    return _set(t, i, j, rng.choice(["x", "นายสมชาย ใจดี 081-234-5678", "ก" * 5000,
                                     t.rows[i][j] + " (แก้ไข)"]))


def m_drop_column(t, rng):
    j = rng.randrange(len(t.header))
    return Variant([c for k, c in enumerate(t.header) if k != j],
                   [[c for k, c in enumerate(r) if k != j] for r in t.rows])


def m_rename_column(t, rng):
    h, rows = _copy(t)
    j = rng.randrange(len(h))
    h[j] = rng.choice([h[j] + "_x", h[j][:-1] or "y", "คอลัมน์"])
    return Variant(h, rows)


def m_ce_year_kept_order(t, rng):
    cell = _cells(t, rng, ("date",))
    if cell is None:
        return None
    i, j = cell
    m = _SLASH.match(t.rows[i][j].strip())
    if not m or int(m[3]) < 2400:
        return None
    return _set(t, i, j, f"{m[1]}/{m[2]}/{int(m[3]) - 543}{m[4]}")


DIFFERENT = [m_drop_row, m_repeat_row, m_move_row, m_blank_cell, m_text_cell, m_drop_column,
             m_rename_column, m_ce_year_kept_order]

MUTATIONS: dict[str, tuple[str, Callable]] = {
    **{f.__name__[2:]: ("same", f) for f in SAME},
    **{f.__name__[2:]: ("refuse", f) for f in REFUSE},
    **{f.__name__[2:]: ("different", f) for f in DIFFERENT},
}


# -- the run -------------------------------------------------------------------------------------

@dataclasses.dataclass
class Report:
    """Counts of a run and its failures."""

    counts: Counter = dataclasses.field(default_factory=Counter)
    by_mutation: dict[str, Counter] = dataclasses.field(default_factory=dict)
    by_input: dict[str, Counter] = dataclasses.field(default_factory=dict)
    failures: list[str] = dataclasses.field(default_factory=list)
    variants: int = 0

    def add(self, t: Target, name: str, outcome: str) -> None:
        self.variants += 1
        self.counts[outcome] += 1
        self.by_mutation.setdefault(name, Counter())[outcome] += 1
        self.by_input.setdefault(f"{t.kpi}:{t.role}", Counter())[outcome] += 1


def _write(v: Variant, folder: Path, stem: str) -> Path:
    if v.xlsx:
        path = folder / f"{stem}.xlsx"
        _write_xlsx(path, v.header, v.rows, typed=v.xlsx == "typed")
        return path
    path = folder / f"{stem}.csv"
    if v.raw is not None:
        path.write_bytes(v.raw)
    else:
        text = _csv_text(v.header, v.rows, v.newline)
        if v.blank_lines:
            lines = text.split(v.newline)
            text = v.newline.join(line + (v.newline if k % 3 == 1 else "")
                                  for k, line in enumerate(lines))
        path.write_bytes(text.encode(v.encoding))
    return path


def run(n_variants: int, seed: int, work: Path, *, raw: Path = RAW,
        log: Callable[[str], None] | None = None,
        progress: Callable[[Report], None] | None = None) -> Report:
    """Generate ``n_variants`` variants round-robin over targets and mutations; check each."""
    from kpianalysis import DataValidationError
    from kpianalysis.tables import TableRef

    targets = build_targets(work, raw)
    baseline = {}
    for t in targets:
        path = work / "clean" / t.kpi / t.relpath
        baseline[(t.kpi, t.role, t.relpath)] = fingerprint(t.read(TableRef(path)))
    rng = random.Random(seed)
    names = list(MUTATIONS)
    folder = work / "variants"
    folder.mkdir(parents=True, exist_ok=True)
    report = Report()
    k = 0
    start = time.perf_counter()
    while report.variants < n_variants:
        t = targets[k % len(targets)]
        k += 1
        name = rng.choice(names)
        expect, mutate = MUTATIONS[name]
        vseed = rng.randrange(2**32)
        v = mutate(t, random.Random(vseed))
        if v is None:
            continue
        where = f"seed={seed} variant_seed={vseed} {t.kpi}:{t.role} ({t.relpath}) {name}"
        path = _write(v, folder, Path(t.relpath).stem)
        try:
            got = fingerprint(t.read(TableRef(path, sheet="data" if v.xlsx else None,
                                              source=t.relpath)))
        except DataValidationError:
            outcome = "refused"
        except Exception as exc:  # the point: nothing but the package's own error
            report.add(t, name, "crashed")
            report.failures.append(f"{where}: {type(exc).__name__}: {str(exc)[:300]}")
            continue
        else:
            same = got == baseline[(t.kpi, t.role, t.relpath)]
            outcome = "accepted-same" if same else "accepted-different"
        if expect == "same" and outcome != "accepted-same":
            report.failures.append(f"{where}: expected the clean result, got {outcome}")
        if expect == "refuse" and outcome == "accepted-different":
            report.failures.append(f"{where}: expected a refusal (or the clean result when the "
                                   f"cell is unused), got a different result")
        label = ("accepted-documented-different" if outcome == "accepted-different"
                 else outcome)
        report.add(t, name, label)
        if log and report.variants % 1000 == 0:
            log(f"{report.variants:,} variants, {time.perf_counter() - start:.0f} s")
        if progress is not None and report.variants % 500 == 0:
            progress(report)
    return report


def format_report(report: Report, seconds: float) -> str:
    """The counts as a plain-text table."""
    cols = ["accepted-same", "accepted-documented-different", "refused", "crashed"]
    lines = [f"{report.variants:,} variants in {seconds:.0f} s: "
             + ", ".join(f"{c} {report.counts[c]:,}" for c in cols)
             + f"; failures {len(report.failures):,}", "", "by mutation (expected outcome):"]
    width = max(map(len, report.by_mutation)) + 12
    lines.append(f"{'':{width}}" + "".join(f"{c:>31}" for c in cols))
    for name in sorted(report.by_mutation):
        c = report.by_mutation[name]
        lines.append(f"{name + ' (' + MUTATIONS[name][0] + ')':{width}}"
                     + "".join(f"{c[k]:>31,}" for k in cols))
    lines += ["", "by input (KPI:role):"]
    width = max(map(len, report.by_input)) + 2
    for name in sorted(report.by_input):
        c = report.by_input[name]
        lines.append(f"{name:{width}}" + "".join(f"{c[k]:>31,}" for k in cols))
    if report.failures:
        lines += ["", "failures (first 30):", *report.failures[:30]]
    return "\n".join(lines)


def _dump(report: Report, path: Path) -> None:
    """The counts so far as JSON (a long run can be read before it ends)."""
    import json

    data = {"variants": report.variants, "counts": dict(report.counts),
            "by_mutation": {k: dict(v) for k, v in report.by_mutation.items()},
            "by_input": {k: dict(v) for k, v in report.by_input.items()},
            "failures": report.failures}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def _load(path: Path) -> Report:
    import json

    data = json.loads(path.read_text(encoding="utf-8"))
    return Report(counts=Counter(data["counts"]),
                  by_mutation={k: Counter(v) for k, v in data["by_mutation"].items()},
                  by_input={k: Counter(v) for k, v in data["by_input"].items()},
                  failures=data["failures"], variants=data["variants"])


def _run_part(args: tuple[int, int, int, str | None]) -> Report:
    import tempfile

    n, seed, xlsx_cells, progress_dir = args
    global XLSX_MAX_CELLS
    XLSX_MAX_CELLS = xlsx_cells
    dump = (lambda r: _dump(r, Path(progress_dir) / f"fuzz_{seed}.json")) if progress_dir \
        else None
    with tempfile.TemporaryDirectory() as tmp:
        report = run(n, seed, Path(tmp), progress=dump,
                     log=lambda m: print(f"[seed {seed}] {m}", file=sys.stderr, flush=True))
    if dump:
        dump(report)
    return report


def merge(reports: list[Report]) -> Report:
    """One report from several runs."""
    out = Report()
    for r in reports:
        out.variants += r.variants
        out.counts.update(r.counts)
        for name, c in r.by_mutation.items():
            out.by_mutation.setdefault(name, Counter()).update(c)
        for name, c in r.by_input.items():
            out.by_input.setdefault(name, Counter()).update(c)
        out.failures += r.failures
    return out


def main(argv: list[str] | None = None) -> int:
    """``make fuzz``: a long run; prints the counts, exits 1 on any failure."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--variants", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=20261130)
    ap.add_argument("--xlsx-max-cells", type=int, default=40_000)
    ap.add_argument("--jobs", type=int, default=1, help="processes (seeds seed, seed+1, …)")
    ap.add_argument("--progress-dir", help="write each process's counts there as it runs")
    ap.add_argument("--report", nargs="+", metavar="JSON",
                    help="print the counts of progress files (a run stopped early)")
    args = ap.parse_args(argv)
    if args.report:
        report = merge([_load(Path(p)) for p in args.report])
        print("(progress files) " + format_report(report, 0))
        return 1 if report.failures else 0
    start = time.perf_counter()
    jobs = max(1, args.jobs)
    parts = [(args.variants // jobs + (k < args.variants % jobs), args.seed + k,
              args.xlsx_max_cells, args.progress_dir) for k in range(jobs)]
    if jobs == 1:
        reports = [_run_part(parts[0])]
    else:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(jobs) as pool:
            reports = pool.map(_run_part, parts)
    report = merge(reports)
    seeds = ", ".join(str(p[1]) for p in parts)
    print(f"seeds {seeds}; " + format_report(report, time.perf_counter() - start))
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    codecs.lookup("cp874")
    raise SystemExit(main())
