"""Inputs: from a catalog entry and a data root to the files a KPI reads, checked and hashed.

:func:`resolve_inputs` turns the catalog's ``inputs`` of one fiscal year into
:class:`ResolvedInput` objects (absolute path for reading, path relative to the data root for
every output, SHA-256 of the bytes). A missing file is an :class:`InputError` naming the KPI,
the file and what it should hold; nothing falls back to another round or an older file.

:func:`data_status` reads ``dataset.yaml`` at the data root (KPI_SPEC §G.7): the bundled
sample says ``status: sample``; a data root without the file is an agency's.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .catalog import KPI, InputSpec
from .files import sha256_of

__all__ = ["DATASET_FILE", "InputError", "ResolvedInput", "check_input_file", "data_status",
           "expected_text", "resolve_inputs"]

#: File at the data root that declares its status (``status: sample`` or ``agency``).
DATASET_FILE = "dataset.yaml"

_ROLE_TH = {
    "survey": "แบบสอบถาม", "evidence": "หลักฐานการดำเนินงาน", "tickets": "บันทึกการแจ้งปัญหา",
    "issues": "ประเด็นการพัฒนา", "steps": "ขั้นตอนการดำเนินงาน", "progress": "ผลการดำเนินงานรายไตรมาส",
    "scores": "คะแนนผู้เข้ารับการอบรม", "committees": "องค์ประกอบคณะกรรมการ", "items": "รายการ",
    "margins": "โครงสร้างประชากร", "covariates": "ตัวแปรร่วมระดับเขต",
    "agencies": "รายชื่อหน่วยงาน", "checklist": "รายการหลักฐานตามแบบฟอร์ม",
    "district_targets": "แผนและผลรายเขต", "issue_log": "บันทึกประเด็นข่าว (Line BMA)",
    "notes": "บันทึกสถานะรายเดือน", "outages": "บันทึกเวลาที่ระบบใช้งานไม่ได้",
    "ratings": "คะแนนความพึงพอใจและความคาดหวัง", "reports": "รายงานรายเดือน",
    "sites": "รายชื่อจุดให้บริการ", "sources": "แหล่งข้อมูลตามวิธีคำนวณ",
}


class InputError(FileNotFoundError):
    """A KPI's input file is missing or unreadable; the message names KPI, file and role."""


@dataclasses.dataclass(frozen=True)
class ResolvedInput:
    """One input file, found and hashed.

    Attributes
    ----------
    spec : InputSpec
        The catalog's declaration.
    path : Path
        Where to read it.
    relpath : str
        Path relative to the data root (what outputs show).
    sha256 : str
        SHA-256 of the file's bytes.
    """

    spec: InputSpec
    path: Path
    relpath: str
    sha256: str

    @property
    def role(self) -> str:
        """The input's role."""
        return self.spec.role

    @property
    def round(self) -> int | None:
        """The survey round, for per-round inputs."""
        return self.spec.round


def role_th(role: str) -> str:
    """Thai description of an input role."""
    return _ROLE_TH.get(role, role)


def expected_text(spec: InputSpec) -> str:
    """What a file should be, in words: ``the survey file, round 2 (แบบสอบถาม)``."""
    rnd = f", round {spec.round}" if spec.round is not None else ""
    sheet = f", sheet {spec.sheet!r}" if spec.sheet else ""
    return f"the {spec.role} file{rnd}{sheet} ({role_th(spec.role)})"


def check_input_file(path: str | os.PathLike[str]) -> tuple[str, str]:
    """Whether ``path`` can be read as an input, without reading it.

    Returns
    -------
    (status, reason) : tuple of str
        ``("ok", "")``; ``("missing", reason)`` when nothing is there (or a broken symbolic
        link); ``("unreadable", reason)`` for a folder, a pipe or device, or a file this
        process may not read. ``reason`` reads after "input file <path>". What a file holds
        (an empty file, a bad encoding) is the readers' to judge, naming row and column.
    """
    p = Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        if os.path.lexists(p):
            return "missing", "is a broken symbolic link (its target does not exist)"
        return "missing", "was not found under the data root"
    except NotADirectoryError:
        return "missing", "was not found under the data root (a parent is a file, not a folder)"
    except OSError as exc:
        return "unreadable", f"cannot be examined ({exc.strerror})"
    if stat.S_ISDIR(st.st_mode):
        return "unreadable", "is a folder, not a file"
    if not stat.S_ISREG(st.st_mode):
        return "unreadable", "is not a regular file (a pipe, socket or device)"
    if not os.access(p, os.R_OK):
        return "unreadable", "cannot be read (permission denied)"
    return "ok", ""


def input_problem(code: str, fiscal_year: int, spec: InputSpec, status: str,
                  reason: str) -> str:
    """The one message for a missing or unreadable input (the build and the engines)."""
    return (f"KPI {code!r}, fiscal year {fiscal_year}: input file {spec.path} {reason} "
            f"(expected {expected_text(spec)}); the build never falls back to another round "
            f"or an older file")


def resolve_inputs(kpi: KPI, fiscal_year: int | None, data_root: str | Path
                   ) -> list[ResolvedInput]:
    """Find and hash every input of ``kpi`` for ``fiscal_year`` under ``data_root``.

    Raises
    ------
    InputError
        The data root is missing, or an input file is missing or unreadable (a folder, a
        pipe, no read permission); the message names the KPI, the file
        relative to the data root, its role and round.
    CatalogError
        The catalog has no inputs for that fiscal year.
    """
    root = Path(data_root)
    if not root.is_dir():
        raise InputError(f"data root not found: {root} (the folder the catalog's input paths "
                         f"are relative to, e.g. data/raw)")
    fy = int(fiscal_year or kpi.fiscal_year)
    out = []
    for spec in kpi.inputs_for(fiscal_year):
        path = root / spec.path
        status, reason = check_input_file(path)
        if status == "ok":
            try:
                digest = sha256_of(path)
            except OSError as exc:
                status, reason = "unreadable", f"cannot be read ({exc.strerror})"
        if status != "ok":
            raise InputError(input_problem(kpi.code, fy, spec, status, reason))
        out.append(ResolvedInput(spec=spec, path=path, relpath=spec.path, sha256=digest))
    return out


def data_status(data_root: str | Path, choice: str = "auto") -> str:
    """``"sample"`` or ``"agency"`` for a data root (KPI_SPEC §G.7).

    With ``choice="auto"`` the status is read from ``<data_root>/dataset.yaml``
    (``status: sample | agency``); without that file the data is an agency's. ``"sample"``
    marks any data as sample; ``"agency"`` is refused for a data root that says it is the
    bundled sample.
    """
    path = Path(data_root) / DATASET_FILE
    if not path.is_file():
        return choice if choice in ("sample", "agency") else "agency"
    try:
        doc: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(f"{DATASET_FILE} at the data root is not valid YAML: {exc}") from None
    status = doc.get("status") if isinstance(doc, Mapping) else None
    if status not in ("sample", "agency"):
        raise InputError(f"{DATASET_FILE} at the data root must say status: sample or status: "
                         f"agency, got {status!r}")
    if choice == "agency" and status == "sample":
        raise InputError(f"data_status='agency' was asked for, but {DATASET_FILE} at the data "
                         f"root says this is the bundled sample (KPI_SPEC §G.7)")
    return "sample" if choice == "sample" else str(status)
