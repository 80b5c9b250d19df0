"""An agency's action plan as a tree, with the budgets of its projects and each node's status.

Seed 004 is สยป.'s FY2567 action plan (แผนปฏิบัติราชการ ประจำปี 2567). Its structure is a tree:
strategy (ยุทธศาสตร์) → sub-strategy → objective → key result (KR: target, host and support
agencies) → tactic (กลยุทธ์) → KPI (target) → projects (budget in baht, responsible division,
policy code, funded or not). Part 2 of the plan adds the agency's own development issues
(ประเด็นการพัฒนา) → objective → KPI → projects; part 3 lists routine projects. The tree is
shipped as data (``action_plan_sa_2567.yaml``, every block citing the seed's lines) and read
with :func:`load_action_plan`, which validates it::

    >>> from kpianalysis.action_plan import load_action_plan
    >>> plan = load_action_plan()
    >>> plan.kr("5.2", 3).target.value
    2017.0
    >>> [t.total_baht for t in plan.totals()]
    [159401928, 122621450, 112859328]

A KPI node is linked to its catalog entry by code (``5.2.1.2``), else by its Thai name
(whitespace ignored); :func:`assess_plan` then gives every node a status from the
:class:`~kpianalysis.result.KPIResult` objects it is handed — it never scores a KPI itself:

* KPI: met / not met from its result's ``target_met``; undetermined without a catalog entry, a
  result, or a verdict.
* KR: from a result that measures the KR itself when the catalog has one; otherwise from the
  KPIs under it — all met → met, any missed → not met, else (a result missing, or no KPI at
  all) undetermined: never assumed met.
* Any other node: the same rule over its children.

Budget totals follow the seed: a table's total is the sum of its rows' budgets except the
projects marked "ไม่ได้รับงบประมาณ" (not funded); "อยู่ระหว่างขอจัดสรรงบประมาณ" (pending) and
"ไม่ใช้งบประมาณ" (no budget needed, 0) rows are counted.
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ._results import Result, to_jsonable
from ._validation import DataValidationError
from ._version import __version__

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .catalog import Catalog
    from .result import KPIResult

__all__ = [
    "ACTION_PLAN_SCHEMA_VERSION",
    "FUNDING",
    "NODE_KINDS",
    "STATUS_TH",
    "ActionPlan",
    "ActionPlanStatus",
    "BudgetTotal",
    "CatalogLink",
    "Listing",
    "Node",
    "NodeStatus",
    "PolicyPrint",
    "Project",
    "ProjectTable",
    "Target",
    "action_plan_stem",
    "assess_plan",
    "evaluate_plan_kpis",
    "link_catalog",
    "load_action_plan",
    "node_statuses",
    "read_results_dir",
    "unlinked_kpis",
    "validate_action_plan_dict",
    "write_action_plan_status",
]

#: Version of the summary JSON (``action_plan_<abbreviation>_<fy>.json``).
ACTION_PLAN_SCHEMA_VERSION = 1

#: Version of the plan YAML format this module reads.
PLAN_FILE_VERSION = 1

#: Node kinds, their Thai names, and the kinds their parent may be (None: a root).
NODE_KINDS: dict[str, tuple[str, tuple[str | None, ...]]] = {
    "strategy": ("ยุทธศาสตร์", (None,)),
    "sub_strategy": ("ยุทธศาสตร์ย่อย", ("strategy",)),
    "development_issue": ("ประเด็นการพัฒนา", (None,)),
    "objective": ("วัตถุประสงค์หลัก (Objective)", ("sub_strategy", "development_issue")),
    "kr": ("ตัววัดผลหลัก (Key Result: KR)", ("objective",)),
    "tactic": ("กลยุทธ์", ("kr", "objective")),
    "kpi": ("ตัวชี้วัด (KPI)", ("tactic", "objective", "sub_strategy")),
}

#: Funding status of a project → Thai text; only ``not_funded`` is left out of a total.
FUNDING: dict[str, str] = {
    "funded": "ได้รับงบประมาณ",
    "not_funded": "ไม่ได้รับงบประมาณ",
    "pending_allocation": "อยู่ระหว่างขอจัดสรรงบประมาณ",
    "no_budget": "ไม่ใช้งบประมาณ",
    "not_proposed": "ไม่เสนอโครงการ",
    "not_printed": "เอกสารไม่ระบุงบประมาณ",
}
_NEEDS_BUDGET = ("funded", "not_funded", "pending_allocation")

#: Node status → Thai text.
STATUS_TH: dict[str, str] = {"met": "บรรลุ", "not_met": "ไม่บรรลุ",
                             "undetermined": "ยังสรุปไม่ได้"}

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

_NODE_FIELDS = {"id", "kind", "parent", "code", "number", "text_th", "lines", "also", "targets",
                "host", "support", "notes", "flags", "related", "related_lines", "linkage_th",
                "linkage_lines", "catalog_code"}
_TARGET_FIELDS = {"text_th", "value", "unit", "fiscal_year", "lines", "used", "note"}
_PROJECT_FIELDS = {"id", "table", "seq", "name_th", "lines", "strategy_code", "budget_baht",
                   "budget_printed", "funding", "funding_lines", "division", "policy",
                   "listed_under", "output_th", "remark_th", "remark_lines", "notes"}
_TABLE_FIELDS = {"id", "part", "title_th", "lines", "printed_count", "printed_total_baht",
                 "total_lines"}
_PLAN_FIELDS = {"id", "agency", "abbreviation", "fiscal_year", "title_th", "source"}


# -- the plan's parts --------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Target(Result):
    """A target as printed in the seed.

    Attributes
    ----------
    text_th : str
        The target as printed (Thai digits kept).
    value : float or None
        The number in it (ASCII), None for a qualitative target.
    unit : str or None
        Its unit (``ร้อยละ``, ``ภารกิจ`` …).
    fiscal_year : int or None
        Buddhist-Era year it is for, where the seed says.
    lines : tuple of int
        Seed line(s): ``(line,)`` or ``(first, last)``.
    used : bool
        The target the node's FY status is judged against.
    note : str
    """

    text_th: str
    value: float | None
    unit: str | None
    fiscal_year: int | None
    lines: tuple[int, ...]
    used: bool
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Node(Result):
    """One node of the tree.

    Attributes
    ----------
    id : str
        Unique key in the file (``kpi:4.1.4.1``, ``kr:5.2/3`` …).
    kind : str
        One of :data:`NODE_KINDS`.
    text_th : str
        The node's text as printed, without its "KR 3 :" / "KPI 4.1.4.1 :" prefix.
    lines : tuple of int
        Where ``text_th`` is printed: ``(line,)`` or ``(first, last)``.
    parent : str or None
    code : str or None
        The seed's code (``4.1.4.1``, ``5.2``); None when the seed prints none.
    number : int or None
        A KR's number within its sub-strategy (``KR 3``).
    targets : tuple of Target
    host, support : tuple of str
        A KR's host and support agencies as printed.
    also : tuple of int
        Other lines that print the same node.
    related : tuple of str
        Ids of nodes the seed names alongside (a part-2 objective's KR).
    linkage_th : str
        The printed link to the BMA plan (part 2).
    notes : str
        What the transcription had to say about the seed here.
    flags : tuple of str
        ``target_not_printed``, ``kr_not_printed``, ``two_targets_printed`` …
    catalog_code : str or None
        A catalog code given explicitly in the file (used before code and name matching).
    """

    id: str
    kind: str
    text_th: str
    lines: tuple[int, ...]
    parent: str | None = None
    code: str | None = None
    number: int | None = None
    targets: tuple[Target, ...] = ()
    host: tuple[str, ...] = ()
    support: tuple[str, ...] = ()
    also: tuple[int, ...] = ()
    related: tuple[str, ...] = ()
    linkage_th: str = ""
    notes: str = ""
    flags: tuple[str, ...] = ()
    catalog_code: str | None = None

    @property
    def target(self) -> Target | None:
        """The target the status is judged against (``used``), or None."""
        return next((t for t in self.targets if t.used), None)

    @property
    def label(self) -> str:
        """Short Thai label as the seed writes it: ``KR 3``, ``KPI 4.1.4.1``, ``กลยุทธ์ 5.2.1``."""
        if self.kind == "kr":
            return f"KR {self.number}"
        if self.kind == "kpi":
            return f"KPI {self.code}" if self.code else "ตัวชี้วัด"
        if self.kind == "strategy":
            return f"ยุทธศาสตร์ที่ {self.code}"
        if self.kind == "sub_strategy":
            return f"ยุทธศาสตร์ย่อยที่ {self.code}"
        if self.kind == "development_issue":
            return f"ประเด็นการพัฒนาที่ {self.code}"
        if self.kind == "tactic":
            return f"กลยุทธ์ {self.code}" if self.code else "กลยุทธ์หน่วยงาน"
        return "วัตถุประสงค์หลัก"


@dataclasses.dataclass(frozen=True)
class PolicyPrint(Result):
    """The policy code(s) one line of the seed prints for a project (``[]`` for "-" or blank)."""

    codes: tuple[str, ...]
    lines: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class Listing(Result):
    """A place in the tree where the seed lists a project."""

    node: str
    lines: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class Project(Result):
    """One project or activity.

    Attributes
    ----------
    id, name_th : str
    lines : tuple of int
        The row ``name_th`` is taken from (the summary-table row when there is one).
    funding : str
        One of :data:`FUNDING`.
    budget_baht : int or None
        FY budget in whole baht; None when the seed prints no amount.
    budget_printed : str
        The budget cell as printed.
    table : str or None
        The summary table holding the project (``key_projects`` …).
    seq : int or None
        Its row number in that table.
    strategy_code : str or None
        The 6-digit strategy code, or the printed "เพิ่มเติมปี 2567".
    division : str or None
        Responsible division (ส่วนราชการ), None where the table has no such column.
    policy : tuple of PolicyPrint
        Every printing of its policy code(s).
    listed_under : tuple of Listing
        Nodes of the tree the seed lists it under.
    output_th, remark_th, notes : str
    """

    id: str
    name_th: str
    lines: tuple[int, ...]
    funding: str
    budget_baht: int | None = None
    budget_printed: str = ""
    table: str | None = None
    seq: int | None = None
    strategy_code: str | None = None
    division: str | None = None
    policy: tuple[PolicyPrint, ...] = ()
    listed_under: tuple[Listing, ...] = ()
    funding_lines: tuple[int, ...] = ()
    output_th: str = ""
    remark_th: str = ""
    remark_lines: tuple[int, ...] = ()
    notes: str = ""

    @property
    def counts_in_total(self) -> bool:
        """False only for a project marked not funded (ไม่ได้รับงบประมาณ)."""
        return self.funding != "not_funded"

    @property
    def counted_baht(self) -> int:
        """The amount the project adds to its table's total (0 when not funded or no budget)."""
        return int(self.budget_baht or 0) if self.counts_in_total else 0

    @property
    def policy_codes(self) -> tuple[str, ...]:
        """Every policy code printed for it, in order, each once."""
        return tuple(dict.fromkeys(c for p in self.policy for c in p.codes))


@dataclasses.dataclass(frozen=True)
class ProjectTable(Result):
    """A project table of the plan with the count and total the seed prints for it."""

    id: str
    part: int
    title_th: str
    lines: tuple[int, ...]
    printed_count: int | None
    printed_total_baht: int | None
    total_lines: tuple[int, ...] = ()


@dataclasses.dataclass(frozen=True)
class BudgetTotal(Result):
    """A table's projects summed (not-funded projects excluded), beside the printed figures.

    Attributes
    ----------
    table, title_th : str
    n_projects : int
        Rows of the table (every funding status).
    total_baht : int
        Sum of the budgets of the rows that count (all but not funded).
    n_not_funded, not_funded_baht : int
        Rows marked not funded and their budgets (left out of ``total_baht``).
    n_pending, pending_baht : int
        Rows still awaiting allocation (in ``total_baht``, as in the seed).
    n_no_budget : int
        Rows needing no budget (ไม่ใช้งบประมาณ).
    printed_count, printed_total_baht : int or None
        What the seed prints for the table.
    matches_printed : bool or None
        Both the count and the total equal the printed ones (None when none is printed).
    """

    table: str
    title_th: str
    n_projects: int
    total_baht: int
    n_not_funded: int
    not_funded_baht: int
    n_pending: int
    pending_baht: int
    n_no_budget: int
    printed_count: int | None
    printed_total_baht: int | None
    matches_printed: bool | None


class ActionPlan:
    """A validated action-plan tree; build it with :func:`load_action_plan`.

    Attributes
    ----------
    id, agency, abbreviation, title_th, source : str
    fiscal_year : int
    nodes : tuple of Node
        In file order (a parent before its children).
    projects : tuple of Project
    tables : tuple of ProjectTable
    path : str
        The file it was read from.
    """

    def __init__(self, *, id: str, agency: str, abbreviation: str, fiscal_year: int,
                 title_th: str, source: str, nodes: Sequence[Node],
                 projects: Sequence[Project], tables: Sequence[ProjectTable],
                 path: str = "") -> None:
        self.id = id
        self.agency = agency
        self.abbreviation = abbreviation
        self.fiscal_year = int(fiscal_year)
        self.title_th = title_th
        self.source = source
        self.nodes = tuple(nodes)
        self.projects = tuple(projects)
        self.tables = tuple(tables)
        self.path = path
        self._by_id = {n.id: n for n in self.nodes}
        self._children: dict[str | None, list[Node]] = {}
        for n in self.nodes:
            self._children.setdefault(n.parent, []).append(n)

    def __repr__(self) -> str:
        return (f"ActionPlan({self.abbreviation or self.agency} FY{self.fiscal_year}: "
                f"{len(self.nodes)} nodes, {len(self.projects)} projects)")

    def __len__(self) -> int:
        return len(self.nodes)

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes)

    # -- lookup -----------------------------------------------------------------------------
    def node(self, node_id: str) -> Node:
        """The node with this id; ``KeyError`` naming the id otherwise."""
        try:
            return self._by_id[node_id]
        except KeyError:
            raise KeyError(f"no node {node_id!r} in the action plan {self.id!r}") from None

    def find(self, code: str, kind: str | None = None) -> Node:
        """The node with this seed code (``"4.1.4.1"``, ``"5.2"``), optionally of one kind.

        Raises
        ------
        KeyError
            No such node, or the code is ambiguous without ``kind``.
        """
        found = [n for n in self.nodes if n.code == str(code) and (kind is None or
                                                                     n.kind == kind)]
        if len(found) != 1:
            what = "no node" if not found else f"{len(found)} nodes"
            hint = "" if kind or not found else f" (kinds {', '.join(n.kind for n in found)}:" \
                                                f" give kind=)"
            raise KeyError(f"{what} with code {code!r}{hint} in the action plan {self.id!r}")
        return found[0]

    def strategy(self, code: str) -> Node:
        """A strategy (``"4"``) or sub-strategy (``"4.1"``) by its code."""
        return self.find(code, "sub_strategy" if "." in str(code) else "strategy")

    def kpi(self, code: str) -> Node:
        """A KPI by its seed code (``"5.2.1.2"``) or, for a KPI without one, its id."""
        if str(code) in self._by_id and self._by_id[str(code)].kind == "kpi":
            return self._by_id[str(code)]
        return self.find(code, "kpi")

    def kr(self, sub_strategy: str, number: int) -> Node:
        """The KR ``number`` of a sub-strategy: ``plan.kr("5.2", 3)``."""
        sub = self.strategy(str(sub_strategy))
        for _, n in self.walk(sub.id):
            if n.kind == "kr" and n.number == int(number):
                return n
        raise KeyError(f"no KR {number} under sub-strategy {sub_strategy!r}")

    def kpis(self) -> list[Node]:
        """Every KPI node, in tree order."""
        return [n for _, n in self.walk() if n.kind == "kpi"]

    def krs(self) -> list[Node]:
        """Every KR node, in tree order."""
        return [n for _, n in self.walk() if n.kind == "kr"]

    # -- structure --------------------------------------------------------------------------
    def roots(self) -> list[Node]:
        """The strategies and development issues, in file order."""
        return list(self._children.get(None, []))

    def children(self, node_id: str | None) -> list[Node]:
        """The children of a node (of the roots for None), in file order."""
        if node_id is not None:
            self.node(node_id)
        return list(self._children.get(node_id, []))

    def parent(self, node_id: str) -> Node | None:
        """The parent node, None for a root."""
        p = self.node(node_id).parent
        return None if p is None else self.node(p)

    def ancestors(self, node_id: str) -> list[Node]:
        """From the parent up to the root."""
        out, p = [], self.parent(node_id)
        while p is not None:
            out.append(p)
            p = self.parent(p.id)
        return out

    def walk(self, root: str | None = None) -> Iterator[tuple[int, Node]]:
        """Depth-first ``(depth, node)`` pairs, parents before children; ``root`` at depth 0."""
        def visit(n: Node, depth: int) -> Iterator[tuple[int, Node]]:
            yield depth, n
            for c in self._children.get(n.id, []):
                yield from visit(c, depth + 1)

        starts = self.roots() if root is None else [self.node(root)]
        for r in starts:
            yield from visit(r, 0)

    # -- projects and budgets ---------------------------------------------------------------
    def project(self, project_id: str) -> Project:
        """The project with this id."""
        for p in self.projects:
            if p.id == project_id:
                return p
        raise KeyError(f"no project {project_id!r} in the action plan {self.id!r}")

    def projects_under(self, node_id: str, recursive: bool = False) -> list[Project]:
        """Projects the seed lists under a node (and under its descendants with ``recursive``)."""
        ids = {node_id} | ({n.id for _, n in self.walk(node_id)} if recursive else set())
        self.node(node_id)
        return [p for p in self.projects if any(li.node in ids for li in p.listed_under)]

    def table(self, table_id: str) -> ProjectTable:
        """A project table by id (``key_projects``, ``agency_projects``, ``routine_projects``)."""
        for t in self.tables:
            if t.id == table_id:
                return t
        raise KeyError(f"no project table {table_id!r}; tables: "
                       f"{', '.join(t.id for t in self.tables)}")

    def table_projects(self, table_id: str) -> list[Project]:
        """The rows of a project table, in row order."""
        self.table(table_id)
        return sorted((p for p in self.projects if p.table == table_id),
                      key=lambda p: p.seq or 0)

    def total(self, table_id: str) -> BudgetTotal:
        """The budget total of one table (see :class:`BudgetTotal`)."""
        t = self.table(table_id)
        rows = self.table_projects(table_id)
        total = sum(p.counted_baht for p in rows)
        not_funded = [p for p in rows if p.funding == "not_funded"]
        pending = [p for p in rows if p.funding == "pending_allocation"]
        matches = None
        if t.printed_total_baht is not None or t.printed_count is not None:
            matches = ((t.printed_total_baht is None or total == t.printed_total_baht)
                       and (t.printed_count is None or len(rows) == t.printed_count))
        return BudgetTotal(
            table=t.id, title_th=t.title_th, n_projects=len(rows), total_baht=total,
            n_not_funded=len(not_funded),
            not_funded_baht=sum(int(p.budget_baht or 0) for p in not_funded),
            n_pending=len(pending), pending_baht=sum(int(p.budget_baht or 0) for p in pending),
            n_no_budget=sum(p.funding == "no_budget" for p in rows),
            printed_count=t.printed_count, printed_total_baht=t.printed_total_baht,
            matches_printed=matches)

    def totals(self) -> list[BudgetTotal]:
        """The budget total of every table, in file order."""
        return [self.total(t.id) for t in self.tables]

    def funding_totals(self, table_id: str | None = None) -> dict[str, tuple[int, int]]:
        """Projects and their budgets by funding status: ``{funding: (count, baht)}``.

        Over one table, or over every project of the plan (``table_id=None``, each project
        once, also those outside the tables). Statuses with no project are left out.
        """
        rows = self.projects if table_id is None else self.table_projects(table_id)
        out: dict[str, tuple[int, int]] = {}
        for f in FUNDING:
            chosen = [p for p in rows if p.funding == f]
            if chosen:
                out[f] = (len(chosen), sum(int(p.budget_baht or 0) for p in chosen))
        return out

    def projects_frame(self) -> pd.DataFrame:
        """Every project as a DataFrame (one row each; budgets in baht, None when absent)."""
        import pandas as pd

        cols = ["id", "table", "seq", "name_th", "budget_baht", "funding", "counted_baht",
                "division", "policy_codes", "strategy_code", "listed_under", "lines"]
        rows = [{"id": p.id, "table": p.table, "seq": p.seq, "name_th": p.name_th,
                 "budget_baht": p.budget_baht, "funding": p.funding,
                 "counted_baht": p.counted_baht, "division": p.division,
                 "policy_codes": ", ".join(p.policy_codes), "strategy_code": p.strategy_code,
                 "listed_under": ", ".join(li.node for li in p.listed_under),
                 "lines": _lines_text(p.lines)} for p in self.projects]
        out = pd.DataFrame(rows, columns=cols)
        for c in ("seq", "budget_baht"):
            out[c] = out[c].astype("Int64")
        return out

    def nodes_frame(self) -> pd.DataFrame:
        """Every node in tree order with its depth, label, text and used target."""
        import pandas as pd

        rows = []
        for depth, n in self.walk():
            t = n.target
            rows.append({"id": n.id, "kind": n.kind, "depth": depth, "label": n.label,
                         "code": n.code, "text_th": n.text_th, "parent": n.parent,
                         "target_th": t.text_th if t else None,
                         "target_value": t.value if t else None,
                         "target_unit": t.unit if t else None,
                         "host": ", ".join(n.host), "support": ", ".join(n.support),
                         "lines": _lines_text(n.lines)})
        return pd.DataFrame(rows)


def _lines_text(lines: Sequence[int]) -> str:
    return "–".join(str(x) for x in lines)


# -- loading and validation --------------------------------------------------------------------

class _Checker:
    """Turns a problem in the plan file into a :class:`DataValidationError` naming it."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, section: str, row: int | None, column: str | None, what: str,
             message: str) -> None:
        raise DataValidationError(f"{section} entry {row} ({what}): {message}" if row else
                                  f"{section}: {message}", source=self.source, column=column,
                                  rows=[row] if row else None)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(float(value)))


def _lines(chk: _Checker, section: str, row: int, what: str, column: str, value: Any,
           required: bool = True) -> tuple[int, ...]:
    if value is None and not required:
        return ()
    ok = (isinstance(value, list) and 1 <= len(value) <= 2 and all(_is_int(v) and v >= 1
                                                                   for v in value)
          and (len(value) == 1 or value[0] <= value[1]))
    if not ok:
        chk.fail(section, row, column, what, f"{column} must be [line] or [first, last] of "
                 f"seed line numbers (positive integers, first ≤ last), got {value!r}")
    return tuple(value)


def _line_list(chk: _Checker, section: str, row: int, what: str, column: str,
               value: Any) -> tuple[int, ...]:
    if value is None:
        return ()
    if not (isinstance(value, list) and all(_is_int(v) and v >= 1 for v in value)):
        chk.fail(section, row, column, what, f"{column} must be a list of seed line numbers, "
                 f"got {value!r}")
    return tuple(value)


def _text(chk: _Checker, section: str, row: int, what: str, column: str, value: Any,
          required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        chk.fail(section, row, column, what, f"{column} must be a non-empty text, got {value!r}")
    return str(value)


def _str_list(chk: _Checker, section: str, row: int, what: str, column: str,
              value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not (isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)):
        chk.fail(section, row, column, what, f"{column} must be a list of texts, got {value!r}")
    return tuple(value)


def _unknown(chk: _Checker, section: str, row: int, what: str, raw: Mapping[str, Any],
             allowed: set[str]) -> None:
    extra = sorted(set(raw) - allowed)
    if extra:
        chk.fail(section, row, extra[0], what, f"unknown field {extra[0]!r}; allowed fields: "
                 f"{', '.join(sorted(allowed))}")


def _parse_target(chk: _Checker, row: int, what: str, i: int, raw: Any) -> Target:
    col = f"targets[{i}]"
    if not isinstance(raw, Mapping):
        chk.fail("nodes", row, col, what, f"a target must be a mapping, got {raw!r}")
    _unknown(chk, "nodes", row, what, raw, _TARGET_FIELDS)
    value = raw.get("value")
    if value is not None and not _is_number(value):
        chk.fail("nodes", row, f"{col}.value", what, f"a target value must be a number (ASCII "
                 f"digits, no separators) or absent, got {value!r}")
    fy = raw.get("fiscal_year")
    if fy is not None and not (_is_int(fy) and 2443 <= fy <= 2742):
        chk.fail("nodes", row, f"{col}.fiscal_year", what, f"fiscal_year must be a "
                 f"Buddhist-Era year, got {fy!r}")
    if not isinstance(raw.get("used"), bool):
        chk.fail("nodes", row, f"{col}.used", what, f"used must be true or false, got "
                 f"{raw.get('used')!r}")
    unit = raw.get("unit")
    if unit is not None and not (isinstance(unit, str) and unit.strip()):
        chk.fail("nodes", row, f"{col}.unit", what, f"unit must be a text, got {unit!r}")
    return Target(text_th=_text(chk, "nodes", row, what, f"{col}.text_th", raw.get("text_th")),
                  value=None if value is None else float(value), unit=unit,
                  fiscal_year=fy,
                  lines=_lines(chk, "nodes", row, what, f"{col}.lines", raw.get("lines")),
                  used=raw["used"],
                  note=_text(chk, "nodes", row, what, f"{col}.note", raw.get("note"), False))


def _parse_node(chk: _Checker, row: int, raw: Any) -> Node:
    if not isinstance(raw, Mapping):
        chk.fail("nodes", row, None, "?", f"a node must be a mapping, got {raw!r}")
    node_id = raw.get("id")
    what = f"node {node_id!r}"
    if not isinstance(node_id, str) or not node_id.strip():
        chk.fail("nodes", row, "id", what, f"id must be a non-empty text, got {node_id!r}")
    _unknown(chk, "nodes", row, what, raw, _NODE_FIELDS)
    kind = raw.get("kind")
    if kind not in NODE_KINDS:
        chk.fail("nodes", row, "kind", what, f"kind must be one of {', '.join(NODE_KINDS)}, "
                 f"got {kind!r}")
    code = raw.get("code")
    if code is not None and not (isinstance(code, str) and code.strip()):
        chk.fail("nodes", row, "code", what, f"code must be a quoted text such as \"4.1\", "
                 f"got {code!r}")
    if kind in ("strategy", "sub_strategy", "development_issue") and code is None:
        chk.fail("nodes", row, "code", what, f"a {kind} needs its code as printed")
    number = raw.get("number")
    if kind == "kr":
        if not (_is_int(number) and number >= 1):
            chk.fail("nodes", row, "number", what, f"a KR needs its number (KR 3 → 3), got "
                     f"{number!r}")
        for col in ("host", "support", "targets"):
            if col not in raw:
                chk.fail("nodes", row, col, what, f"a KR needs {col} (an empty list when the "
                         f"seed prints none)")
    elif number is not None:
        chk.fail("nodes", row, "number", what, "only a KR has a number")
    if kind == "kpi" and "targets" not in raw:
        chk.fail("nodes", row, "targets", what, "a KPI needs targets (an empty list and the "
                 "flag target_not_printed when the seed prints none)")
    raw_targets = raw.get("targets") or []
    if not isinstance(raw_targets, list):
        chk.fail("nodes", row, "targets", what, f"targets must be a list, got {raw_targets!r}")
    targets = tuple(_parse_target(chk, row, what, i, t) for i, t in enumerate(raw_targets))
    if targets and sum(t.used for t in targets) != 1:
        chk.fail("nodes", row, "targets", what, f"exactly one target must be used: true (the "
                 f"one the status is judged against); {sum(t.used for t in targets)} are")
    parent = raw.get("parent")
    if parent is not None and not isinstance(parent, str):
        chk.fail("nodes", row, "parent", what, f"parent must be a node id, got {parent!r}")
    catalog_code = raw.get("catalog_code")
    if catalog_code is not None and not (isinstance(catalog_code, str) and catalog_code):
        chk.fail("nodes", row, "catalog_code", what, f"catalog_code must be a text, got "
                 f"{catalog_code!r}")
    return Node(
        id=node_id, kind=kind, parent=parent, code=code, number=number,
        text_th=_text(chk, "nodes", row, what, "text_th", raw.get("text_th")),
        lines=_lines(chk, "nodes", row, what, "lines", raw.get("lines")),
        also=_line_list(chk, "nodes", row, what, "also", raw.get("also")),
        targets=targets,
        host=_str_list(chk, "nodes", row, what, "host", raw.get("host")),
        support=_str_list(chk, "nodes", row, what, "support", raw.get("support")),
        related=_str_list(chk, "nodes", row, what, "related", raw.get("related")),
        linkage_th=_text(chk, "nodes", row, what, "linkage_th", raw.get("linkage_th"), False),
        notes=_text(chk, "nodes", row, what, "notes", raw.get("notes"), False),
        flags=_str_list(chk, "nodes", row, what, "flags", raw.get("flags")),
        catalog_code=catalog_code)


def _check_tree(chk: _Checker, nodes: list[Node]) -> None:
    rows = {}
    for row, n in enumerate(nodes, start=1):
        if n.id in rows:
            chk.fail("nodes", row, "id", f"node {n.id!r}", f"duplicate id: entry {rows[n.id]} "
                     f"already has it")
        rows[n.id] = row
    by_id = {n.id: n for n in nodes}
    codes: dict[tuple[str, str], str] = {}
    kr_numbers: dict[tuple[str | None, int | None], str] = {}
    for row, n in enumerate(nodes, start=1):
        what = f"node {n.id!r}"
        allowed = NODE_KINDS[n.kind][1]
        if n.parent is None:
            if None not in allowed:
                chk.fail("nodes", row, "parent", what, f"a {n.kind} needs a parent of kind "
                         f"{' or '.join(str(a) for a in allowed)}")
        elif n.parent not in by_id:
            chk.fail("nodes", row, "parent", what, f"parent {n.parent!r} does not exist; "
                     f"expected the id of a node listed in the file")
        elif by_id[n.parent].kind not in allowed:
            expected = " or ".join(str(a) for a in allowed if a) or "none (a root)"
            chk.fail("nodes", row, "parent", what, f"parent {n.parent!r} is a "
                     f"{by_id[n.parent].kind}; a {n.kind}'s parent must be {expected}")
        elif rows[n.parent] > row:
            chk.fail("nodes", row, "parent", what, f"parent {n.parent!r} is listed after its "
                     f"child (entry {rows[n.parent]}); list parents first")
        for rel in n.related:
            if rel not in by_id:
                chk.fail("nodes", row, "related", what, f"related node {rel!r} does not exist")
        if n.code is not None:
            key = (n.kind, n.code)
            if key in codes:
                chk.fail("nodes", row, "code", what, f"duplicate {n.kind} code {n.code!r}: "
                         f"node {codes[key]!r} already has it")
            codes[key] = n.id
        if n.kind == "kr":
            key2 = (n.parent, n.number)
            if key2 in kr_numbers:
                chk.fail("nodes", row, "number", what, f"duplicate KR {n.number} under "
                         f"{n.parent!r}: node {kr_numbers[key2]!r} already has it")
            kr_numbers[key2] = n.id
        if n.code is not None and n.kind in ("sub_strategy", "tactic", "kpi"):
            anc = n.parent
            while anc is not None and not (by_id[anc].code is not None and by_id[anc].kind
                                           in ("strategy", "sub_strategy", "tactic")):
                anc = by_id[anc].parent
            if anc is not None and not n.code.startswith(by_id[anc].code + "."):
                chk.fail("nodes", row, "code", what, f"code {n.code!r} does not continue the "
                         f"code {by_id[anc].code!r} of its {by_id[anc].kind} {anc!r}")


def _parse_table(chk: _Checker, row: int, raw: Any) -> ProjectTable:
    if not isinstance(raw, Mapping):
        chk.fail("tables", row, None, "?", f"a table must be a mapping, got {raw!r}")
    what = f"table {raw.get('id')!r}"
    _unknown(chk, "tables", row, what, raw, _TABLE_FIELDS)
    for col in ("printed_count", "printed_total_baht"):
        v = raw.get(col)
        if v is not None and not (_is_int(v) and v >= 0):
            chk.fail("tables", row, col, what, f"{col} must be a whole number (baht for a "
                     f"total, no separators), got {v!r}")
    if not (_is_int(raw.get("part")) and raw["part"] >= 1):
        chk.fail("tables", row, "part", what, f"part must be 1, 2 or 3, got {raw.get('part')!r}")
    return ProjectTable(
        id=_text(chk, "tables", row, what, "id", raw.get("id")), part=raw["part"],
        title_th=_text(chk, "tables", row, what, "title_th", raw.get("title_th")),
        lines=_lines(chk, "tables", row, what, "lines", raw.get("lines")),
        printed_count=raw.get("printed_count"),
        printed_total_baht=raw.get("printed_total_baht"),
        total_lines=_line_list(chk, "tables", row, what, "total_lines", raw.get("total_lines")))


def _parse_project(chk: _Checker, row: int, raw: Any, nodes: Mapping[str, Node],
                   tables: Mapping[str, ProjectTable]) -> Project:
    if not isinstance(raw, Mapping):
        chk.fail("projects", row, None, "?", f"a project must be a mapping, got {raw!r}")
    pid = raw.get("id")
    what = f"project {pid!r}"
    if not isinstance(pid, str) or not pid.strip():
        chk.fail("projects", row, "id", what, f"id must be a non-empty text, got {pid!r}")
    _unknown(chk, "projects", row, what, raw, _PROJECT_FIELDS)
    funding = raw.get("funding")
    if funding not in FUNDING:
        chk.fail("projects", row, "funding", what, f"funding must be one of "
                 f"{', '.join(FUNDING)}, got {funding!r}")
    budget = raw.get("budget_baht")
    if budget is not None and not (_is_int(budget) and budget >= 0):
        chk.fail("projects", row, "budget_baht", what, f"budget_baht must be a whole number of "
                 f"baht (e.g. 5142730, no separators) or null, got {budget!r}")
    if budget is None and funding in _NEEDS_BUDGET:
        others = ", ".join(f for f in FUNDING if f not in _NEEDS_BUDGET)
        chk.fail("projects", row, "budget_baht", what, f"a {funding} project needs its "
                 f"budget_baht (null only for {others})")
    printed = raw.get("budget_printed")
    if printed is not None and not isinstance(printed, str):
        chk.fail("projects", row, "budget_printed", what, f"budget_printed must be the budget "
                 f"cell as printed, quoted (\"5,142,730\"), got {printed!r}")
    if budget is not None and printed:
        digits = re.match(r"[\d,]+", printed.translate(_THAI_DIGITS).strip())
        if digits and int(digits.group(0).replace(",", "") or -1) != budget:
            chk.fail("projects", row, "budget_baht", what, f"budget_baht {budget} differs from "
                     f"the printed budget {printed!r}")
    table = raw.get("table")
    seq = raw.get("seq")
    if table is not None and table not in tables:
        chk.fail("projects", row, "table", what, f"table {table!r} does not exist; tables: "
                 f"{', '.join(tables)}")
    if table is not None and not (_is_int(seq) and seq >= 1):
        chk.fail("projects", row, "seq", what, f"a project of a table needs its row number "
                 f"(seq ≥ 1), got {seq!r}")
    if table is None and seq is not None:
        chk.fail("projects", row, "seq", what, "seq is the row number in a table; give table")
    policy = []
    raw_policy = raw.get("policy") or []
    if not isinstance(raw_policy, list):
        chk.fail("projects", row, "policy", what, f"policy must be a list, got {raw_policy!r}")
    for i, p in enumerate(raw_policy):
        if not (isinstance(p, Mapping) and set(p) <= {"codes", "lines"}):
            chk.fail("projects", row, f"policy[{i}]", what, f"a policy entry is "
                     f"{{codes: [...], lines: [...]}}, got {p!r}")
        codes = _str_list(chk, "projects", row, what, f"policy[{i}].codes", p.get("codes"))
        bad = [c for c in codes if not re.fullmatch(r"P\d{3}", c)]
        if bad:
            chk.fail("projects", row, f"policy[{i}].codes", what, f"policy codes are P and "
                     f"three digits (P058), got {bad[0]!r}")
        policy.append(PolicyPrint(codes=codes, lines=_lines(
            chk, "projects", row, what, f"policy[{i}].lines", p.get("lines"))))
    listings = []
    raw_listed = raw.get("listed_under") or []
    if not isinstance(raw_listed, list):
        chk.fail("projects", row, "listed_under", what, f"listed_under must be a list, got "
                 f"{raw_listed!r}")
    for i, li in enumerate(raw_listed):
        if not (isinstance(li, Mapping) and set(li) <= {"node", "lines"}):
            chk.fail("projects", row, f"listed_under[{i}]", what, f"a listing is {{node: id, "
                     f"lines: [...]}}, got {li!r}")
        if li.get("node") not in nodes:
            chk.fail("projects", row, f"listed_under[{i}].node", what, f"node "
                     f"{li.get('node')!r} does not exist; expected the id of a node of the tree")
        listings.append(Listing(node=li["node"], lines=_lines(
            chk, "projects", row, what, f"listed_under[{i}].lines", li.get("lines"))))
    division = raw.get("division")
    if division is not None and not (isinstance(division, str) and division.strip()):
        chk.fail("projects", row, "division", what, f"division must be a text, got {division!r}")
    strategy_code = raw.get("strategy_code")
    if strategy_code is not None and not isinstance(strategy_code, str):
        chk.fail("projects", row, "strategy_code", what, f"strategy_code must be quoted "
                 f"(\"551002\"), got {strategy_code!r}")
    return Project(
        id=pid, name_th=_text(chk, "projects", row, what, "name_th", raw.get("name_th")),
        lines=_lines(chk, "projects", row, what, "lines", raw.get("lines")), funding=funding,
        budget_baht=budget, budget_printed=printed or "", table=table, seq=seq,
        strategy_code=strategy_code, division=division, policy=tuple(policy),
        listed_under=tuple(listings),
        funding_lines=_line_list(chk, "projects", row, what, "funding_lines",
                                 raw.get("funding_lines")),
        output_th=_text(chk, "projects", row, what, "output_th", raw.get("output_th"), False),
        remark_th=_text(chk, "projects", row, what, "remark_th", raw.get("remark_th"), False),
        remark_lines=_line_list(chk, "projects", row, what, "remark_lines",
                                raw.get("remark_lines")),
        notes=_text(chk, "projects", row, what, "notes", raw.get("notes"), False))


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present
    """A safe YAML loader that refuses a mapping with a repeated key."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        keys = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in keys:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"repeated key {key_node.value!r}", key_node.start_mark)
                keys.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


def load_action_plan(path: str | Path | None = None) -> ActionPlan:
    """Load and validate an action-plan file (default: the packaged seed-004 plan of สยป.).

    Parameters
    ----------
    path : path, optional
        A plan YAML file; default ``kpianalysis/action_plan_sa_2567.yaml``.

    Returns
    -------
    ActionPlan

    Raises
    ------
    FileNotFoundError
        No such file.
    kpianalysis.DataValidationError
        The file is not valid YAML or breaks the format; the message names the file, the
        section and entry (row), the field (column) and what was expected — e.g. a node whose
        parent does not exist, a budget that is not a whole number of baht, a duplicate id or
        code, a project listed under a node that does not exist.
    """
    if path is None:
        text = (importlib.resources.files("kpianalysis") /
                "action_plan_sa_2567.yaml").read_text(encoding="utf-8")
        source = "kpianalysis/action_plan_sa_2567.yaml"
    else:
        p = Path(path)
        if not p.is_file():
            raise FileNotFoundError(f"action-plan file not found: {p}")
        text = p.read_text(encoding="utf-8")
        source = str(p)
    chk = _Checker(source)
    try:
        doc = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        raise DataValidationError(f"not valid YAML: {exc}", source=source) from None
    if not isinstance(doc, Mapping):
        chk.fail("file", None, None, "", "the file must be a mapping with plan, nodes, tables "
                 "and projects")
    extra = sorted(set(doc) - {"schema_version", "plan", "nodes", "tables", "projects"})
    if extra:
        chk.fail("file", None, extra[0], "", f"unknown top-level key {extra[0]!r}; expected "
                 f"schema_version, plan, nodes, tables, projects")
    if doc.get("schema_version") != PLAN_FILE_VERSION:
        chk.fail("file", None, "schema_version", "", f"schema_version must be "
                 f"{PLAN_FILE_VERSION}, got {doc.get('schema_version')!r}")
    plan = doc.get("plan")
    if not isinstance(plan, Mapping):
        chk.fail("plan", None, None, "", "plan must be a mapping (id, agency, abbreviation, "
                 "fiscal_year, title_th, source)")
    _unknown(chk, "plan", 0, "plan", plan, _PLAN_FIELDS)
    fy = plan.get("fiscal_year")
    if not (_is_int(fy) and 2443 <= fy <= 2742):
        chk.fail("plan", None, "fiscal_year", "", f"fiscal_year must be a Buddhist-Era year, "
                 f"got {fy!r}")
    for section in ("nodes", "tables", "projects"):
        if not isinstance(doc.get(section), list) or not doc[section]:
            chk.fail(section, None, None, "", f"{section} must be a non-empty list")
    nodes = [_parse_node(chk, i, raw) for i, raw in enumerate(doc["nodes"], start=1)]
    _check_tree(chk, nodes)
    tables = [_parse_table(chk, i, raw) for i, raw in enumerate(doc["tables"], start=1)]
    seen_tables: dict[str, int] = {}
    for i, t in enumerate(tables, start=1):
        if t.id in seen_tables:
            chk.fail("tables", i, "id", f"table {t.id!r}", f"duplicate id: entry "
                     f"{seen_tables[t.id]} already has it")
        seen_tables[t.id] = i
    by_node = {n.id: n for n in nodes}
    by_table = {t.id: t for t in tables}
    projects = [_parse_project(chk, i, raw, by_node, by_table)
                for i, raw in enumerate(doc["projects"], start=1)]
    seen: dict[str, int] = {}
    seqs: dict[tuple[str | None, int | None], str] = {}
    for i, p in enumerate(projects, start=1):
        if p.id in seen:
            chk.fail("projects", i, "id", f"project {p.id!r}", f"duplicate id: entry "
                     f"{seen[p.id]} already has it")
        seen[p.id] = i
        if p.table is not None:
            if (p.table, p.seq) in seqs:
                chk.fail("projects", i, "seq", f"project {p.id!r}", f"duplicate row {p.seq} of "
                         f"table {p.table!r}: project {seqs[(p.table, p.seq)]!r} has it")
            seqs[(p.table, p.seq)] = p.id
    return ActionPlan(
        id=_text(chk, "plan", 0, "plan", "id", plan.get("id")),
        agency=_text(chk, "plan", 0, "plan", "agency", plan.get("agency")),
        abbreviation=_text(chk, "plan", 0, "plan", "abbreviation", plan.get("abbreviation"),
                           False),
        fiscal_year=fy, title_th=_text(chk, "plan", 0, "plan", "title_th", plan.get("title_th")),
        source=_text(chk, "plan", 0, "plan", "source", plan.get("source")),
        nodes=nodes, projects=projects, tables=tables, path=source)


# -- catalog links ------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class CatalogLink(Result):
    """A node of the tree and the catalog entry that measures it.

    ``by`` is ``"explicit"`` (the file names the code), ``"code"`` (the seed code is a catalog
    code) or ``"name"`` (the Thai names agree, whitespace ignored).
    """

    node: str
    catalog_code: str
    by: str


def _squash(text: str) -> str:
    return "".join(text.translate(_THAI_DIGITS).split())


def link_catalog(plan: ActionPlan, catalog: Catalog) -> dict[str, CatalogLink]:
    """Link each KPI and KR node to its catalog entry, where the catalog has one.

    A node is linked by an explicit ``catalog_code`` in the plan file, else by its seed code
    (a KPI's ``5.2.1.2``), else by its Thai name: the catalog entry whose ``name_th`` equals
    the node's text once all whitespace is removed (the seeds wrap names across cells).

    Returns
    -------
    dict
        Node id → :class:`CatalogLink`; nodes without an entry are absent (see
        :func:`unlinked_kpis`).
    """
    by_name: dict[str, list[str]] = {}
    for k in catalog:
        by_name.setdefault(_squash(k.name_th), []).append(k.code)
    out: dict[str, CatalogLink] = {}
    for n in plan.nodes:
        if n.kind not in ("kpi", "kr"):
            continue
        if n.catalog_code is not None and n.catalog_code in catalog:
            out[n.id] = CatalogLink(n.id, n.catalog_code, "explicit")
        elif n.kind == "kpi" and n.code is not None and n.code in catalog:
            out[n.id] = CatalogLink(n.id, n.code, "code")
        elif len(by_name.get(_squash(n.text_th), [])) == 1:
            out[n.id] = CatalogLink(n.id, by_name[_squash(n.text_th)][0], "name")
    return out


def unlinked_kpis(plan: ActionPlan, catalog: Catalog) -> list[Node]:
    """The KPI nodes of the tree that no catalog entry measures (tree order)."""
    links = link_catalog(plan, catalog)
    return [n for n in plan.kpis() if n.id not in links]


# -- status -------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class NodeStatus(Result):
    """The status of one node for the plan's fiscal year.

    Attributes
    ----------
    node : str
    status : str
        ``met``, ``not_met`` or ``undetermined`` (:data:`STATUS_TH`).
    basis : str
        ``result`` (the node's own result), ``children`` (its children's statuses),
        ``no_catalog_entry``, ``no_result``, ``evaluation_failed``, ``no_verdict`` (a result
        that does not say whether the target is met) or ``no_evidence`` (nothing under it).
    reason_th : str
        One Thai sentence saying why.
    catalog_code : str or None
        The linked catalog entry.
    value_text : str
        The result's value in words, where the status rests on a result.
    evidence : tuple of str
        Catalog codes of the results the status rests on (own or under it).
    """

    node: str
    status: str
    basis: str
    reason_th: str
    catalog_code: str | None = None
    value_text: str = ""
    evidence: tuple[str, ...] = ()


def _by_code(results: Iterable[KPIResult], fiscal_year: int) -> dict[str, KPIResult]:
    out: dict[str, KPIResult] = {}
    for r in results:
        if int(r.fiscal_year) != int(fiscal_year):
            continue
        if r.kpi in out:
            raise ValueError(f"two results for KPI {r.kpi!r} of fiscal year {fiscal_year}; "
                             f"give one result per KPI")
        out[r.kpi] = r
    return out


def _aggregate(node: Node, kids: list[NodeStatus]) -> NodeStatus:
    evidence = tuple(dict.fromkeys(c for k in kids for c in k.evidence))
    if not kids:
        return NodeStatus(node.id, "undetermined", "no_evidence",
                          "ไม่มีตัวชี้วัดหรือผลใดในแผนที่ใช้ตัดสินได้ จึงยังสรุปไม่ได้ "
                          "(ไม่ถือว่าบรรลุ)", None, "", evidence)
    missed = [k for k in kids if k.status == "not_met"]
    if missed:
        return NodeStatus(node.id, "not_met", "children",
                          f"มีรายการย่อยที่ไม่บรรลุ {len(missed)} จาก {len(kids)} รายการ",
                          None, "", evidence)
    if all(k.status == "met" for k in kids):
        return NodeStatus(node.id, "met", "children",
                          f"รายการย่อยบรรลุครบทั้ง {len(kids)} รายการ", None, "", evidence)
    open_ = sum(k.status == "undetermined" for k in kids)
    return NodeStatus(node.id, "undetermined", "children",
                      f"รายการย่อย {open_} จาก {len(kids)} รายการยังสรุปไม่ได้ "
                      f"(ไม่มีผลหรือไม่มีตัวชี้วัดในแคตตาล็อก) จึงยังสรุปไม่ได้", None, "",
                      evidence)


def _from_result(node: Node, code: str, r: KPIResult) -> NodeStatus:
    if r.target_met is None:
        return NodeStatus(node.id, "undetermined", "no_verdict",
                          f"ผลของ {code} ไม่ได้ระบุว่าบรรลุค่าเป้าหมายหรือไม่", code,
                          r.value_text, (code,))
    met = bool(r.target_met)
    return NodeStatus(node.id, "met" if met else "not_met", "result",
                      f"ผลของ {code}: {r.value_text} — "
                      f"{'บรรลุ' if met else 'ไม่บรรลุ'}ค่าเป้าหมาย", code, r.value_text, (code,))


def node_statuses(plan: ActionPlan, results: Iterable[KPIResult], catalog: Catalog, *,
                  errors: Mapping[str, str] | None = None) -> dict[str, NodeStatus]:
    """The status of every node from the given results (see the module docstring).

    Parameters
    ----------
    plan : ActionPlan
    results : iterable of KPIResult
        Results of the catalog KPIs; only those of the plan's fiscal year are used.
    catalog : Catalog
        For the links (:func:`link_catalog`).
    errors : mapping, optional
        Catalog code → error text for KPIs whose evaluation failed (shown as the reason).

    Returns
    -------
    dict
        Node id → :class:`NodeStatus`, in tree order.

    Raises
    ------
    ValueError
        Two results for one KPI of the plan's fiscal year.
    """
    by_code = _by_code(results, plan.fiscal_year)
    links = link_catalog(plan, catalog)
    errors = dict(errors or {})
    out: dict[str, NodeStatus] = {}

    def status(n: Node) -> NodeStatus:
        kids = [status(c) for c in plan.children(n.id)]
        link = links.get(n.id)
        if link is not None and link.catalog_code in by_code:
            s = _from_result(n, link.catalog_code, by_code[link.catalog_code])
        elif n.kind == "kpi":
            if link is None:
                s = NodeStatus(n.id, "undetermined", "no_catalog_entry",
                               "ยังไม่มีตัวชี้วัดนี้ในแคตตาล็อก จึงไม่มีผลให้ตัดสิน")
            elif link.catalog_code in errors:
                s = NodeStatus(n.id, "undetermined", "evaluation_failed",
                               f"ประเมิน {link.catalog_code} ไม่สำเร็จ: "
                               f"{errors[link.catalog_code]}", link.catalog_code)
            else:
                s = NodeStatus(n.id, "undetermined", "no_result",
                               f"ไม่มีผลของ {link.catalog_code} ปีงบประมาณ {plan.fiscal_year}",
                               link.catalog_code)
        else:
            s = _aggregate(n, kids)
            if n.kind == "kr" and s.status == "met":
                # KPI_SPEC §D2: a KR is met when *its* target is met; its KPIs are only the
                # evidence. No result measures this KR's target, so it is not called met.
                s = dataclasses.replace(
                    s, status="undetermined", basis="kpis_only",
                    reason_th="ตัวชี้วัดภายใต้ KR นี้บรรลุครบ แต่ไม่มีผลที่วัดค่าเป้าหมายของ KR "
                              "โดยตรง จึงยังสรุปไม่ได้ว่า KR บรรลุ (ตัวชี้วัดเป็นหลักฐานประกอบ)")
            if link is not None:  # a KR with a catalog entry but no result: say so
                s = dataclasses.replace(s, catalog_code=link.catalog_code, reason_th=(
                    f"ไม่มีผลของ {link.catalog_code} ที่วัด KR นี้โดยตรง; " + s.reason_th))
        out[n.id] = s
        return s

    for r in plan.roots():
        status(r)
    return {n.id: out[n.id] for _, n in plan.walk()}


# -- the summary --------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class ActionPlanStatus(Result):
    """Everything the action-plan report shows, as written to ``action_plan_<abbr>_<fy>.json``.

    Attributes
    ----------
    plan, agency, abbreviation, title_th, source : str
    fiscal_year : int
    nodes : tuple of dict
        Tree order: the node (id, kind, label, code, text, parent, depth, lines, targets,
        host, support, flags, notes), its status, basis, reason, catalog link and value, and
        the ids of the projects listed under it.
    projects : tuple of dict
    totals : tuple of BudgetTotal
    unlinked_kpis : tuple of str
        Ids of the KPI nodes without a catalog entry.
    target_mismatches : tuple of dict
        Linked KPIs whose used target (value or unit) differs from the catalog entry's: the
        two may express one target differently ("เดือนละ 1 ครั้ง" against 12 months); the
        report shows both.
    evaluation_errors : dict
        Catalog code → error, for KPIs that could not be evaluated.
    data_status : str
        ``sample`` when any result used rests on the bundled sample, ``agency`` when results
        were used and none does, ``none`` when no result was used.
    counts : dict
        Node kind → {status → count}.
    """

    plan: str
    agency: str
    abbreviation: str
    fiscal_year: int
    title_th: str
    source: str
    nodes: tuple[dict[str, Any], ...]
    projects: tuple[dict[str, Any], ...]
    totals: tuple[BudgetTotal, ...]
    unlinked_kpis: tuple[str, ...]
    target_mismatches: tuple[dict[str, Any], ...]
    evaluation_errors: dict[str, str]
    data_status: str
    counts: dict[str, dict[str, int]]
    package_version: str = __version__
    schema_version: int = ACTION_PLAN_SCHEMA_VERSION
    built_at: str = ""

    _headline_fields = ("plan", "fiscal_year", "counts", "data_status")

    @property
    def stem(self) -> str:
        """``action_plan_<abbreviation without dots>_<fiscal year>``."""
        return action_plan_stem(self.abbreviation or self.agency, self.fiscal_year)

    def node(self, node_id: str) -> dict[str, Any]:
        """The summary row of one node."""
        for n in self.nodes:
            if n["id"] == node_id:
                return n
        raise KeyError(f"no node {node_id!r} in the summary")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict following ``schemas/action_plan.schema.json``."""
        return to_jsonable({f.name: getattr(self, f.name) for f in dataclasses.fields(self)})

    def to_json(self) -> str:
        """Canonical JSON text (sorted keys, UTF-8 kept, trailing newline)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def action_plan_stem(agency: str, fiscal_year: int) -> str:
    """``action_plan_<agency abbreviation without dots or spaces>_<fiscal year>``."""
    return f"action_plan_{agency.replace('.', '').replace(' ', '')}_{int(fiscal_year)}"


def _target_dict(t: Target) -> dict[str, Any]:
    return {"text_th": t.text_th, "value": t.value, "unit": t.unit,
            "fiscal_year": t.fiscal_year, "lines": list(t.lines), "used": t.used,
            "note": t.note}


def assess_plan(plan: ActionPlan | None = None, results: Any = (), *,
                catalog: Catalog | str | Path | None = None,
                data_root: str | Path | None = None,
                errors: Mapping[str, str] | None = None) -> ActionPlanStatus:
    """The status of every node of the plan, its budget totals and its catalog gaps.

    Parameters
    ----------
    plan : ActionPlan, optional
        Default: the packaged plan (:func:`load_action_plan`).
    results : iterable of KPIResult, a folder of result JSONs, or a JSON path
        The KPIs' results (a folder is read with :func:`read_results_dir`).
    catalog : Catalog or path, optional
        Default: the packaged catalog.
    data_root : path, optional
        When given, every result the status rests on is checked to be current against it and
        the catalog (:func:`kpianalysis.scorecard.check_fresh`): the plan never rests on an
        older result.
    errors : mapping, optional
        Catalog code → error text of KPIs whose evaluation failed.

    Returns
    -------
    ActionPlanStatus

    Raises
    ------
    kpianalysis.ScorecardError
        With ``data_root``: a result that is stale (the message names the KPI).
    ValueError
        Two results for one KPI of the plan's fiscal year.
    """
    from .catalog import Catalog, load_catalog
    from .result import now_utc

    plan = plan if plan is not None else load_action_plan()
    cat = catalog if isinstance(catalog, Catalog) else load_catalog(catalog)
    loaded = _load(results)
    statuses = node_statuses(plan, loaded, cat, errors=errors)
    used_codes = {c for s in statuses.values() for c in s.evidence}
    by_code = _by_code(loaded, plan.fiscal_year)
    used = [by_code[c] for c in sorted(used_codes)]
    if data_root is not None:
        from .scorecard import check_fresh

        for r in used:
            check_fresh(r, data_root, cat)
    links = link_catalog(plan, cat)
    projects_by_node: dict[str, list[str]] = {}
    for p in plan.projects:
        for li in p.listed_under:
            projects_by_node.setdefault(li.node, []).append(p.id)
    rows = []
    for depth, n in plan.walk():
        s = statuses[n.id]
        link = links.get(n.id)
        rows.append({
            "id": n.id, "kind": n.kind, "kind_th": NODE_KINDS[n.kind][0], "label": n.label,
            "code": n.code, "number": n.number, "text_th": n.text_th, "parent": n.parent,
            "depth": depth, "lines": list(n.lines), "also": list(n.also),
            "targets": [_target_dict(t) for t in n.targets], "host": list(n.host),
            "support": list(n.support), "related": list(n.related),
            "linkage_th": n.linkage_th, "flags": list(n.flags), "notes": n.notes,
            "status": s.status, "basis": s.basis, "reason_th": s.reason_th,
            "catalog_code": link.catalog_code if link else None,
            "linked_by": link.by if link else None, "value_text": s.value_text,
            "evidence": list(s.evidence),
            "projects": projects_by_node.get(n.id, [])})
    projects = [{
        "id": p.id, "table": p.table, "seq": p.seq, "name_th": p.name_th,
        "budget_baht": p.budget_baht, "budget_printed": p.budget_printed,
        "funding": p.funding, "counts_in_total": p.counts_in_total,
        "division": p.division, "policy_codes": list(p.policy_codes),
        "policy_prints": [{"codes": list(x.codes), "lines": list(x.lines)} for x in p.policy],
        "strategy_code": p.strategy_code, "output_th": p.output_th,
        "remark_th": p.remark_th, "notes": p.notes, "lines": list(p.lines),
        "listed_under": [li.node for li in p.listed_under]} for p in plan.projects]
    mismatches = []
    for n in plan.kpis():
        link = links.get(n.id)
        t = n.target
        if link is None or t is None or t.value is None:
            continue
        k = cat.get(link.catalog_code)
        if not math.isclose(float(k.target), t.value) or _squash(k.unit) != _squash(t.unit or ""):
            mismatches.append({"node": n.id, "catalog_code": k.code, "plan_target": t.value,
                               "plan_unit": t.unit or "", "plan_target_th": t.text_th,
                               "catalog_target": float(k.target), "catalog_unit": k.unit})
    statuses_used = {r.data_status for r in used}
    data_status = ("sample" if "sample" in statuses_used else
                   "agency" if statuses_used else "none")
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        c = counts.setdefault(row["kind"], dict.fromkeys(STATUS_TH, 0))
        c[row["status"]] += 1
    return ActionPlanStatus(
        plan=plan.id, agency=plan.agency, abbreviation=plan.abbreviation,
        fiscal_year=plan.fiscal_year, title_th=plan.title_th, source=plan.source,
        nodes=tuple(rows), projects=tuple(projects), totals=tuple(plan.totals()),
        unlinked_kpis=tuple(n.id for n in plan.kpis() if n.id not in links),
        target_mismatches=tuple(mismatches), evaluation_errors=dict(errors or {}),
        data_status=data_status, counts=counts, built_at=now_utc())


# -- results in and out -------------------------------------------------------------------------

def read_results_dir(folder: str | Path) -> list[KPIResult]:
    """The KPI results of a build's output folder (every ``*.json`` but the scorecards,
    action-plan summaries and build summary), each validated against the result schema."""
    from .scorecard import load_results, result_files

    return load_results(result_files(folder))


def _load(results: Any) -> list[KPIResult]:
    from .scorecard import load_results

    if isinstance(results, (str, Path)):
        return read_results_dir(results) if Path(results).is_dir() else load_results(results)
    return load_results(results)


def evaluate_plan_kpis(plan: ActionPlan | None = None, *, data_root: str | Path = "data/raw",
                       catalog: Catalog | str | Path | None = None
                       ) -> tuple[list[KPIResult], dict[str, str]]:
    """Evaluate, in place, every catalog KPI the plan's nodes link to.

    A KPI whose evaluation fails does not stop the others: its error is returned (catalog code
    → ``"ErrorType: message"``) and its node's status says so.

    Returns
    -------
    (list of KPIResult, dict of str → str)
    """
    from .catalog import Catalog, load_catalog
    from .engines import evaluate

    plan = plan if plan is not None else load_action_plan()
    cat = catalog if isinstance(catalog, Catalog) else load_catalog(catalog)
    codes = list(dict.fromkeys(link.catalog_code for link in link_catalog(plan, cat).values()))
    results, errors = [], {}
    for code in codes:
        try:
            results.append(evaluate(code, fiscal_year=plan.fiscal_year, data_root=data_root,
                                    catalog=cat))
        except Exception as exc:  # reported in the node's status, never hidden
            errors[code] = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
    return results, errors


def validate_action_plan_dict(data: Any, source: str = "") -> None:
    """Raise ``ValueError`` unless ``data`` follows ``schemas/action_plan.schema.json``."""
    from ._schemas import first_schema_error

    error = first_schema_error("action_plan.schema.json", data)
    if error is not None:
        where = f"{source}: " if source else ""
        raise ValueError(f"{where}action-plan summary fails its schema at {error[0]}: "
                         f"{error[1]}")


def write_action_plan_status(status: ActionPlanStatus, out_dir: str | Path) -> Path:
    """Write ``<out_dir>/<status.stem>.json`` atomically (schema-checked); return the path."""
    from .files import write_text_atomic

    text = status.to_json()
    validate_action_plan_dict(json.loads(text), f"{status.stem}.json")
    return write_text_atomic(Path(out_dir) / f"{status.stem}.json", text)
