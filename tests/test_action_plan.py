"""The action-plan tree of seed 004 (สยป., FY2567): transcription, loader, budgets, status, report.

Every figure checked here is printed in seed 004 (``tests/data/seeds/004_d48f5d17983ea448.txt``,
cited as 004:<line>) or computed by hand in the test; the transcription itself is checked
against the seed's text line by line.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
import yaml

from kpianalysis import DataValidationError
from kpianalysis._version import __version__
from kpianalysis.action_plan import (
    ACTION_PLAN_SCHEMA_VERSION,
    ActionPlan,
    action_plan_stem,
    assess_plan,
    link_catalog,
    load_action_plan,
    node_statuses,
    read_results_dir,
    unlinked_kpis,
    validate_action_plan_dict,
    write_action_plan_status,
)
from kpianalysis.action_plan_report import (
    budget_totals_table,
    check_line,
    data_status_banner,
    methods_text,
    notes_list,
    plain_summary,
    projects_table,
    target_mismatches_table,
    title,
    tree_table,
    unlinked_kpis_table,
)
from kpianalysis.catalog import load_catalog
from kpianalysis.result import KPIResult
from kpianalysis.scorecard import ScorecardError

ROOT = Path(__file__).resolve().parents[1]
SEED = Path(__file__).resolve().parent / "data" / "seeds" / "004_d48f5d17983ea448.txt"
PLAN_FILE = ROOT / "src" / "kpianalysis" / "action_plan_sa_2567.yaml"
CATALOG_FILE = ROOT / "src" / "kpianalysis" / "catalog.yaml"
NOTEBOOK = ROOT / "src" / "kpianalysis" / "notebooks" / "action_plan.ipynb"

# The seed's printed project counts and budget totals (baht), unfunded projects excluded.
KEY_PROJECTS = (17, 159_401_928)      # 004:265 "รวมงบประมาณทั้งสิ้น 159,401,928"; 004:266 "17 โครงการ"
AGENCY_PROJECTS = (6, 122_621_450)    # 004:302 "รวมงบประมาณทั้งสิ้น 122,621,450"; 004:303 "6 โครงการ"
ROUTINE_PROJECTS = (14, 112_859_328)  # 004:332 "รวม | 14 โครงการ | 112,859,328"

# Catalog entries of the committed catalog the tests link to (a stable subset: the packaged
# catalog grows while other KPIs are added).
STABLE_CODES = ("5.2.1.2", "5.3.1.2", "5.3.1.3", "6.1.2.1", "7.5.4.1", "gis-open-data",
                "steps-project-plan", "steps-digital-infrastructure")


@pytest.fixture(scope="module")
def plan() -> ActionPlan:
    return load_action_plan()


@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    """A catalog holding only :data:`STABLE_CODES` (copied from the packaged file)."""
    doc = json.loads(json.dumps(yaml.safe_load(CATALOG_FILE.read_text(encoding="utf-8"))))
    doc["kpis"] = [k for k in doc["kpis"] if str(k["code"]) in STABLE_CODES]
    assert {str(k["code"]) for k in doc["kpis"]} == set(STABLE_CODES)
    path = tmp_path_factory.mktemp("catalog") / "catalog.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return load_catalog(path)


def _squash(text: str) -> str:
    return "".join(text.split())


def _printed(seed_lines: list[str], text: str, lines: tuple[int, ...]) -> bool:
    """``text`` is printed at ``lines``: as one run on a single line (whitespace ignored), or
    word by word in order over a range (a table cell that wraps over several lines)."""
    block = " ".join(seed_lines[lines[0] - 1: lines[-1]])
    if len(lines) == 1 or lines[0] == lines[-1]:
        return _squash(text) in _squash(block)
    pos = 0
    for word in text.split():
        i = block.find(word, pos)
        if i < 0:
            return False
        pos = i + len(word)
    return True


def _result(code: str, met: bool | None, *, fiscal_year: int = 2567, status: str = "sample",
            value_text: str = "ค่าทดสอบ") -> KPIResult:
    """A hand-made result: only the fields the action plan reads matter."""
    return KPIResult(
        kpi=code, name_th=f"ตัวชี้วัด {code}", name_en=code, agency="สำนักยุทธศาสตร์และประเมินผล",
        agency_abbreviation="สยป.", fiscal_year=fiscal_year, periods=(),
        rubric_kind="count_target", report="rubric", value=1.0, value_text=value_text,
        unit="", level=None, level_max=None, points=None, weight=None, target=1.0,
        target_unit="", target_met=met, uncertainty=None, population_estimate=None, rules=(),
        alternatives=(), evidence=(), ladder=(), items=(), rounds=(), details={},
        data_status=status, flags=(), missing=(), package_version=__version__)


def _write_plan(tmp_path: Path, mutate) -> Path:
    doc = yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8"))
    mutate(doc)
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _node(doc: dict, node_id: str) -> dict:
    return next(n for n in doc["nodes"] if n["id"] == node_id)


def _project(doc: dict, project_id: str) -> dict:
    return next(p for p in doc["projects"] if p["id"] == project_id)


def _row(doc: dict, section: str, key: str) -> int:
    return next(i for i, x in enumerate(doc[section], start=1) if x["id"] == key)


# --- the transcription against the seed -------------------------------------------------------

def test_every_node_text_and_target_is_printed_where_cited(plan, seed_lines):
    assert len(seed_lines) >= 626
    for n in plan.nodes:
        assert all(1 <= x <= len(seed_lines) for x in (*n.lines, *n.also)), n.id
        assert _printed(seed_lines, n.text_th, n.lines), n.id
        for t in n.targets:
            assert _printed(seed_lines, t.text_th, t.lines), (n.id, t.text_th)
        if n.kind == "kr":  # host and support agencies are printed in the KR's row(s)
            rows = tuple(range(n.lines[0], n.lines[-1] + 1))
            for agency in (*n.host, *n.support):
                assert _printed(seed_lines, agency, (rows[0], rows[-1])), (n.id, agency)


def test_every_project_row_is_printed_where_cited(plan, seed_lines):
    for p in plan.projects:
        assert _printed(seed_lines, p.name_th, p.lines), p.id
        if p.budget_printed:
            assert _printed(seed_lines, p.budget_printed, p.lines), p.id
        if p.budget_baht:  # each place the tree lists it prints the same amount, or none
            amount = f"{p.budget_baht:,}"
            for li in p.listed_under:
                block = " ".join(seed_lines[li.lines[0] - 1: li.lines[-1]])
                assert amount in block or not re.search(r"\d,\d{3}", block), (p.id, li)
        for pp in p.policy:
            block = " ".join(seed_lines[pp.lines[0] - 1: pp.lines[-1]])
            assert set(re.findall(r"P\d{3}", block)) == set(pp.codes), (p.id, pp)
        if p.division:
            assert p.division in seed_lines[p.lines[0] - 1], p.id
        marks = {"not_funded": "ไม่ได้รับ", "pending_allocation": "อยู่ระหว่าง",
                 "no_budget": "ไม่ใช้"}
        if p.funding in marks:
            where = p.funding_lines or p.lines
            assert any(marks[p.funding] in seed_lines[x - 1] for x in where), p.id


def test_the_tree_holds_the_seeds_codes_krs_and_targets(plan):
    # KPI codes of part 1 and the key KR/KPI list (004:61-81, 004:95-227)
    assert {n.code for n in plan.kpis() if n.code} == {
        "4.1.4.1", "5.1.1.1", "5.2.1.2", "5.3.1.2", "5.3.1.3", "6.1.2.1", "7.2.1.1", "7.2.1.2",
        "7.2.2.1", "7.2.2.2", "7.5.4.1", "7.5.6.1", "7.5.6.2"}
    # KRs: 4.1 KR 3 (004:88); 5.1 KR 1 (004:104); 5.2 KR 1-3 (004:121-123); 5.3 KR 1
    # (004:140); 6.1 KR 1 (004:159); 7.2 KR 1-2 (004:181-182); 7.5 KR 1-2 (004:210-220)
    assert [(plan.parent(plan.parent(k.id).id).code, k.number) for k in plan.krs()] == [
        ("4.1", 3), ("5.1", 1), ("5.2", 1), ("5.2", 2), ("5.2", 3), ("5.3", 1), ("6.1", 1),
        ("7.2", 1), ("7.2", 2), ("7.5", 1), ("7.5", 2)]
    kr = plan.kr("5.2", 3).target  # 004:123 "2,017 ชุมชน"
    assert (kr.value, kr.unit) == (2017, "ชุมชน")
    transfers = plan.kr("5.3", 1).targets  # 004:140 ปี 66 / 67 / 68: 1 / 2 / 3 ภารกิจ
    assert [(t.fiscal_year, t.value, t.unit) for t in transfers] == [
        (2566, 1, "ภารกิจ"), (2567, 2, "ภารกิจ"), (2568, 3, "ภารกิจ")]
    assert plan.kr("5.3", 1).target.fiscal_year == 2567
    satisfied = plan.kr("7.5", 1).target  # 004:210-215 "... ให้บริการ ร้อยละ 80"
    assert (satisfied.value, satisfied.unit) == (80, "ร้อยละ")
    digitised = plan.kr("7.5", 2).target  # 004:217-218 "อย่างน้อย 10 ภารกิจ"
    assert (digitised.value, digitised.unit) == (10, "ภารกิจ")
    assert plan.kr("7.5", 2).host == ("สยป.",)
    assert plan.kr("5.1", 1).host == ("สยป.", "สนย.")  # 004:104
    assert plan.kr("5.1", 1).support == ("สผว.", "สลป.", "สลส.", "สนข.")
    assert plan.kpi("5.2.1.2").target.value == 77  # 004:130 "จำนวน 77 คณะ"
    guideline = plan.kpi("kpi:issue-1-guideline").target  # 004:388 "๑ ฉบับ"
    assert (guideline.text_th, guideline.value) == ("๑ ฉบับ", 1)


def test_the_bma_erp_steps_kpi_keeps_both_printed_targets_and_uses_80(plan):
    erp = plan.kpi("kpi:erp-steps")
    assert [(t.text_th, t.value, t.lines, t.used) for t in erp.targets] == [
        ("ร้อยละ ๑๐๐ ระดับ 5", 100, (381,), False),  # 004:381
        ("ค่าเป้าหมาย ร้อยละ 80", 80, (383,), True)]  # 004:383
    assert erp.target.value == 80
    assert "two_targets_printed" in erp.flags
    assert [p.id for p in plan.projects_under(erp.id)] == ["key-15"]  # BMA-ERP, 004:381


def test_walk_ancestors_children_and_queries(plan):
    order = [n.id for _, n in plan.walk()]
    assert set(order) == {n.id for n in plan.nodes} and len(order) == len(plan.nodes)
    for n in plan.nodes:  # parents come first
        if n.parent:
            assert order.index(n.parent) < order.index(n.id)
    assert [n.id for n in plan.ancestors("kpi:5.2.1.2")] == [
        "tactic:5.2.1", "kr:5.2/1", "objective:5.2", "sub_strategy:5.2", "strategy:5"]
    assert [n.id for n in plan.roots()] == ["strategy:4", "strategy:5", "strategy:6",
                                            "strategy:7", "issue:1", "issue:2"]
    assert [n.code for n in plan.children("strategy:5")] == ["5.1", "5.2", "5.3"]
    assert plan.strategy("7.5").text_th == "เทคโนโลยีสารสนเทศและนวัตกรรม"  # 004:208
    assert plan.find("4", "strategy").label == "ยุทธศาสตร์ที่ 4"
    assert plan.find("1").id == "issue:1"  # ประเด็นการพัฒนาที่ 1 (004:271)
    with pytest.raises(KeyError, match="no node with code '4.1.4'"):
        plan.find("4.1.4", "kpi")
    with pytest.raises(KeyError, match="no KR 4 under"):
        plan.kr("5.2", 4)
    with pytest.raises(KeyError, match="no node 'kpi:9.9.9.9'"):
        plan.node("kpi:9.9.9.9")
    # the 7.5.4 tactic's table lists 9 projects (004:229-234 six rows, 004:241-243 three)
    assert len(plan.projects_under("kpi:7.5.4.1")) == 9
    assert len(plan.projects_under("tactic:7.5.4")) == 9
    frame = plan.projects_frame()
    assert len(frame) == len(plan.projects) and frame["budget_baht"].dtype.name == "Int64"
    assert plan.nodes_frame()["depth"].max() == 5


# --- budget totals against the seed ---------------------------------------------------------

@pytest.mark.parametrize("table, printed", [("key_projects", KEY_PROJECTS),
                                            ("agency_projects", AGENCY_PROJECTS),
                                            ("routine_projects", ROUTINE_PROJECTS)])
def test_budget_totals_reproduce_the_seeds_printed_totals(plan, table, printed):
    rows = plan.table_projects(table)
    assert [p.seq for p in rows] == list(range(1, printed[0] + 1))
    summed = sum(p.budget_baht for p in rows
                 if p.funding != "not_funded" and p.budget_baht is not None)
    assert (len(rows), summed) == printed
    total = plan.total(table)
    assert (total.n_projects, total.total_baht) == printed
    assert (total.printed_count, total.printed_total_baht) == printed
    assert total.matches_printed is True


def test_unfunded_and_pending_amounts_by_hand(plan):
    # not funded: 004:257/259 9,950,000; 004:260 5,000,000; 004:261 25,000,000
    key = plan.total("key_projects")
    assert (key.n_not_funded, key.not_funded_baht) == (3, 9_950_000 + 5_000_000 + 25_000_000)
    assert plan.total("agency_projects").not_funded_baht == 25_000_000  # 004:298
    routine = plan.total("routine_projects")
    assert (routine.n_not_funded, routine.not_funded_baht) == (1, 34_683_622)  # 004:325
    # pending allocation (004:327 10,289,912 and 004:329 12,900,000) is in the printed total:
    # without it the sum would be 112,859,328 - 23,189,912 = 89,669,416
    assert (routine.n_pending, routine.pending_baht) == (2, 10_289_912 + 12_900_000)
    assert routine.total_baht - routine.pending_baht == 89_669_416 != ROUTINE_PROJECTS[1]
    # funded + not funded = everything with an amount
    key_rows = plan.table_projects("key_projects")
    assert key.total_baht + key.not_funded_baht == sum(p.budget_baht or 0 for p in key_rows)


def test_totals_by_funding_status(plan):
    # 17-project table (004:246-264): funded 1, 2, 6, 9, 10, 11, 15, 16, 17; no budget 3, 4,
    # 5, 7, 8; not funded 12, 13, 14
    assert plan.funding_totals("key_projects") == {
        "funded": (9, 23_140_000 + 5_142_730 + 621_200 + 7_800_000 + 36_498_100 + 43_360_000
                   + 1_676_100 + 36_000_000 + 5_163_798),
        "not_funded": (3, 39_950_000), "no_budget": (5, 0)}
    everything = plan.funding_totals()
    assert sum(n for n, _ in everything.values()) == len(plan.projects)
    assert everything["not_proposed"] == (1, 0)  # 551002, 004:113


def test_projects_outside_the_tables_are_not_counted(plan):
    other = {p.id: p for p in plan.projects if p.table is None}
    assert set(other) == {"other-551002", "other-772001", "other-sdg-data"}
    assert other["other-551002"].funding == "not_proposed"  # 004:113 "ไม่เสนอโครงการ"
    assert other["other-551002"].budget_baht is None  # "8.8400" is not read as baht
    # the livable-city project is listed under 4.1 (004:97) and 7.2 (004:205) but is one row
    livable = plan.project("key-02")
    assert {li.node for li in livable.listed_under} == {"tactic:4.1.4", "sub_strategy:7.2"}
    assert sum(p.name_th.startswith("โครงการกำหนดตัวชี้วัด") for p in plan.projects) == 1
    # policy codes as printed in each place: "-" in the table (004:251), P025 in part 1 (004:165)
    assert plan.project("key-06").policy_codes == ("P025",)


# --- bad input ------------------------------------------------------------------------------

def _bad(tmp_path, mutate, column, message, section="nodes", key=None):
    doc = yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8"))
    path = _write_plan(tmp_path, mutate)
    with pytest.raises(DataValidationError, match=message) as info:
        load_action_plan(path)
    err = info.value
    assert err.source == str(path) and str(path) in str(err)
    assert err.column == column
    if key is not None:
        assert err.rows == [_row(doc, section, key)]
        assert f"{section} entry {err.rows[0]}" in str(err)
    return err


def test_a_node_whose_parent_does_not_exist_is_refused(tmp_path):
    err = _bad(tmp_path, lambda d: _node(d, "kpi:5.2.1.2").update(parent="tactic:5.2.9"),
               "parent", "parent 'tactic:5.2.9' does not exist", key="kpi:5.2.1.2")
    assert "node 'kpi:5.2.1.2'" in str(err)


@pytest.mark.parametrize("value", ["5,142,730", 5142730.5, "ไม่ใช้ งบประมาณ", True, -1])
def test_a_budget_that_is_not_a_whole_number_of_baht_is_refused(tmp_path, value):
    err = _bad(tmp_path, lambda d: _project(d, "key-02").update(budget_baht=value),
               "budget_baht", "must be a whole number of baht", "projects", "key-02")
    assert "project 'key-02'" in str(err)


@pytest.mark.parametrize("mutate, column, message, section, key", [
    (lambda d: d["nodes"].append(dict(_node(d, "kpi:5.3.1.3"))), "id", "duplicate id",
     "nodes", None),
    (lambda d: _node(d, "kpi:5.3.1.3").update(code="5.3.1.2"), "code",
     "duplicate kpi code '5.3.1.2'", "nodes", "kpi:5.3.1.3"),
    (lambda d: _node(d, "kr:5.2/3").update(number=2), "number", "duplicate KR 2",
     "nodes", "kr:5.2/3"),
    (lambda d: _node(d, "kpi:5.2.1.2").update(code="5.3.1.9"), "code",
     "does not continue the code '5.2.1'", "nodes", "kpi:5.2.1.2"),
    (lambda d: _node(d, "kpi:5.2.1.2").update(parent="strategy:5"), "parent",
     "a kpi's parent must be tactic or objective or sub_strategy", "nodes", "kpi:5.2.1.2"),
    (lambda d: _node(d, "kpi:5.2.1.2").update(kind="measure"), "kind", "kind must be one of",
     "nodes", "kpi:5.2.1.2"),
    (lambda d: _node(d, "kpi:5.2.1.2").update(taget="x"), "taget", "unknown field 'taget'",
     "nodes", "kpi:5.2.1.2"),
    (lambda d: _node(d, "kpi:5.2.1.2")["targets"][0].update(value="77 คณะ"),
     "targets[0].value", "a target value must be a number", "nodes", "kpi:5.2.1.2"),
    (lambda d: _node(d, "kpi:erp-steps")["targets"][0].update(used=True), "targets",
     "exactly one target must be used", "nodes", "kpi:erp-steps"),
    (lambda d: _node(d, "kr:5.2/3").pop("host"), "host", "a KR needs host", "nodes",
     "kr:5.2/3"),
    (lambda d: _node(d, "kpi:5.2.1.2").update(lines=[130, 120]), "lines",
     "first ≤ last", "nodes", "kpi:5.2.1.2"),
    (lambda d: d["projects"].append(dict(_project(d, "key-03"))), "id", "duplicate id",
     "projects", None),
    (lambda d: _project(d, "key-03").update(seq=2), "seq",
     "duplicate row 2 of table 'key_projects'", "projects", "key-03"),
    (lambda d: _project(d, "key-02").update(budget_baht=5142370), "budget_baht",
     "differs from the printed budget '5,142,730'", "projects", "key-02"),
    (lambda d: _project(d, "key-02").update(budget_baht=None), "budget_baht",
     "a funded project needs its budget_baht", "projects", "key-02"),
    (lambda d: _project(d, "key-02").update(funding="unfunded"), "funding",
     "funding must be one of", "projects", "key-02"),
    (lambda d: _project(d, "key-02")["listed_under"][0].update(node="tactic:4.1.9"),
     "listed_under[0].node", "node 'tactic:4.1.9' does not exist", "projects", "key-02"),
    (lambda d: _project(d, "key-02").update(table="key"), "table",
     "table 'key' does not exist", "projects", "key-02"),
    (lambda d: _project(d, "key-02")["policy"][0].update(codes=["54"]), "policy[0].codes",
     "policy codes are P and three digits", "projects", "key-02"),
    (lambda d: d["tables"][0].update(printed_total_baht="159,401,928"), "printed_total_baht",
     "must be a whole number", "tables", "key_projects"),
])
def test_each_bad_entry_is_refused_naming_file_entry_and_field(tmp_path, mutate, column,
                                                               message, section, key):
    _bad(tmp_path, mutate, column, re.escape(message), section, key)


def test_a_parent_listed_after_its_child_is_refused(tmp_path):
    def move(d):
        i = _row(d, "nodes", "tactic:5.2.1") - 1
        d["nodes"].append(d["nodes"].pop(i))
    _bad(tmp_path, move, "parent", "is listed after its child")


def test_unreadable_files_are_refused(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("nodes: [\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="not valid YAML") as info:
        load_action_plan(path)
    assert info.value.source == str(path)
    path.write_text(PLAN_FILE.read_text(encoding="utf-8").replace(
        "  id: sa_2567\n", "  id: sa_2567\n  id: again\n"), encoding="utf-8")
    with pytest.raises(DataValidationError, match="repeated key 'id'"):
        load_action_plan(path)
    with pytest.raises(FileNotFoundError, match="action-plan file not found"):
        load_action_plan(tmp_path / "missing.yaml")
    bad = _write_plan(tmp_path, lambda d: d.update(schema_version=2))
    with pytest.raises(DataValidationError, match="schema_version must be 1"):
        load_action_plan(bad)


# --- catalog links --------------------------------------------------------------------------

def test_kpis_link_to_the_catalog_by_code_or_thai_name(plan, catalog):
    links = {k: (v.catalog_code, v.by) for k, v in link_catalog(plan, catalog).items()}
    assert links == {
        "kpi:5.2.1.2": ("5.2.1.2", "code"), "kpi:5.3.1.2": ("5.3.1.2", "code"),
        "kpi:5.3.1.3": ("5.3.1.3", "code"), "kpi:6.1.2.1": ("6.1.2.1", "code"),
        "kpi:7.5.4.1": ("7.5.4.1", "code"),
        # printed without a code: matched by the Thai name (004:381, 004:397, 004:406)
        "kpi:erp-steps": ("steps-project-plan", "name"),
        "kpi:issue-2-infrastructure-steps": ("steps-digital-infrastructure", "name"),
        "kpi:issue-2-gis": ("gis-open-data", "name")}
    missing = [n.id for n in unlinked_kpis(plan, catalog)]
    assert "kpi:4.1.4.1" in missing and "kpi:7.5.6.1" in missing
    assert len(missing) == len(plan.kpis()) - len(links)


def test_the_packaged_catalog_links_every_kpi_it_holds(plan):
    cat = load_catalog()
    links = link_catalog(plan, cat)
    for n in plan.kpis():
        if n.code and n.code in cat:
            assert links[n.id].catalog_code == n.code
    assert {"kpi:7.5.6.1", "kpi:7.5.6.2"} <= {n.id for n in unlinked_kpis(plan, cat)}


# --- status rules (hand-made results) -------------------------------------------------------

def test_a_kr_is_never_called_met_from_its_kpis_alone(plan, catalog):
    # KPI_SPEC §D2: "A KR is met when its target is met; its KPIs are the evidence": without
    # a result measuring the KR's own target, all KPIs met leaves the KR undetermined, while
    # one KPI missed is evidence enough that it is not met
    kr = "kr:5.3/1"  # KPIs 5.3.1.2 and 5.3.1.3 under tactic 5.3.1 (004:140-148)
    cases = [
        ({"5.3.1.2": True, "5.3.1.3": True}, "undetermined", "met"),
        ({"5.3.1.2": True, "5.3.1.3": False}, "not_met", "not_met"),
        ({"5.3.1.2": True}, "undetermined", "undetermined"),  # missing: never assumed met
        ({"5.3.1.2": False}, "not_met", "not_met"),  # one missed is enough
        ({}, "undetermined", "undetermined"),
        ({"5.3.1.2": True, "5.3.1.3": None}, "undetermined", "undetermined"),  # no verdict
    ]
    for given, expected_kr, expected_tactic in cases:
        s = node_statuses(plan, [_result(c, m) for c, m in given.items()], catalog)
        assert s[kr].status == expected_kr, given
        assert s["tactic:5.3.1"].status == expected_tactic
    s = node_statuses(plan, [_result("5.3.1.2", True), _result("5.3.1.3", True)], catalog)
    assert s[kr].basis == "kpis_only" and "ไม่มีผลที่วัดค่าเป้าหมายของ KR" in s[kr].reason_th
    s = node_statuses(plan, [_result("5.3.1.2", True), _result("5.3.1.3", None)], catalog)
    assert (s["kpi:5.3.1.3"].status, s["kpi:5.3.1.3"].basis) == ("undetermined", "no_verdict")
    assert s["kpi:5.3.1.2"].basis == "result" and s["kpi:5.3.1.2"].evidence == ("5.3.1.2",)


def test_a_kr_without_kpis_or_catalog_entries_is_undetermined(plan, catalog):
    everything = [_result(c, True) for c in STABLE_CODES]
    s = node_statuses(plan, everything, catalog)
    # KR 3 of 5.2 (2,017 communities, 004:123): no tactic or KPI printed under it
    assert (s["kr:5.2/3"].status, s["kr:5.2/3"].basis) == ("undetermined", "no_evidence")
    # KR 3 of 4.1: its only KPI 4.1.4.1 is not in this catalog
    assert s["kpi:4.1.4.1"].basis == "no_catalog_entry"
    assert s["kr:4.1/3"].status == "undetermined"
    assert (s["kr:5.3/1"].status, s["kr:5.3/1"].basis) == ("undetermined", "kpis_only")
    # objective 5.2: no KR is measured directly → undetermined, not met
    assert s["kr:5.2/1"].status == "undetermined" and s["objective:5.2"].status == "undetermined"
    assert s["strategy:6"].status == "undetermined" and s["strategy:5"].status == "undetermined"


def test_a_result_that_measures_the_kr_itself_decides_it(tmp_path, catalog):
    # the KR names a catalog entry of its own: its result decides, whatever its KPIs say
    path = _write_plan(tmp_path, lambda d: _node(d, "kr:6.1/1").update(
        catalog_code="steps-project-plan"))
    plan = load_action_plan(path)
    s = node_statuses(plan, [_result("steps-project-plan", True), _result("6.1.2.1", False)],
                      catalog)
    assert (s["kr:6.1/1"].status, s["kr:6.1/1"].basis) == ("met", "result")
    assert s["tactic:6.1.2"].status == "not_met"
    s = node_statuses(plan, [_result("6.1.2.1", True)], catalog)  # no own result: its KPIs
    assert (s["kr:6.1/1"].status, s["kr:6.1/1"].basis) == ("undetermined", "kpis_only")
    assert "steps-project-plan" in s["kr:6.1/1"].reason_th


def test_results_of_another_year_errors_and_duplicates(plan, catalog):
    s = node_statuses(plan, [_result("6.1.2.1", True, fiscal_year=2566)], catalog)
    assert s["kpi:6.1.2.1"].basis == "no_result"
    s = node_statuses(plan, [], catalog, errors={"6.1.2.1": "InputError: file missing"})
    assert s["kpi:6.1.2.1"].basis == "evaluation_failed"
    assert "file missing" in s["kpi:6.1.2.1"].reason_th
    with pytest.raises(ValueError, match="two results for KPI '6.1.2.1'"):
        node_statuses(plan, [_result("6.1.2.1", True), _result("6.1.2.1", False)], catalog)


# --- the summary JSON -----------------------------------------------------------------------

def test_summary_follows_its_schema_and_is_written_under_its_stem(plan, catalog, tmp_path):
    status = assess_plan(plan, [_result("5.3.1.2", True), _result("5.3.1.3", True,
                                                                   status="agency")],
                         catalog=catalog)
    assert status.schema_version == ACTION_PLAN_SCHEMA_VERSION
    assert status.stem == "action_plan_สยป_2567" == action_plan_stem("สยป.", 2567)
    assert status.data_status == "sample"
    assert status.counts["kr"] == {"met": 0, "not_met": 0, "undetermined": 11}
    assert [t.total_baht for t in status.totals] == [KEY_PROJECTS[1], AGENCY_PROJECTS[1],
                                                     ROUTINE_PROJECTS[1]]
    path = write_action_plan_status(status, tmp_path)
    assert path.name == "action_plan_สยป_2567.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    validate_action_plan_dict(data)
    assert data["nodes"][0]["id"] == "strategy:4"
    data["nodes"][0]["status"] = "probably"
    with pytest.raises(ValueError, match="fails its schema at nodes/0/status"):
        validate_action_plan_dict(data)
    assert assess_plan(plan, [_result("5.3.1.2", True, status="agency")],
                       catalog=catalog).data_status == "agency"
    assert assess_plan(plan, [], catalog=catalog).data_status == "none"


def test_a_stale_result_is_refused_when_the_data_root_is_given(plan, catalog, raw_dir):
    with pytest.raises(ScorecardError, match="KPI '5.3.1.2'"):
        assess_plan(plan, [_result("5.3.1.2", True)], catalog=catalog, data_root=raw_dir)


def test_a_results_folder_skips_scorecards_and_action_plan_summaries(plan, catalog, tmp_path):
    from kpianalysis.result import write_result

    write_result(_result("5.3.1.2", True), tmp_path / "5.3.1.2_2567.json")
    write_action_plan_status(assess_plan(plan, [], catalog=catalog), tmp_path)
    (tmp_path / "scorecard_สยป_2567.json").write_text("{}", encoding="utf-8")
    assert [r.kpi for r in read_results_dir(tmp_path)] == ["5.3.1.2"]
    status = assess_plan(plan, tmp_path, catalog=catalog)
    assert status.node("kpi:5.3.1.2")["status"] == "met"


def test_catalog_targets_written_differently_are_listed(plan, catalog, tmp_path):
    # the stable entries agree with the plan: 77 คณะ (004:130), 3 and 2 ภารกิจ (004:147-148),
    # ร้อยละ 80 (004:163, 004:383, 004:397), 77 หน่วยงาน (004:227), ระดับ 5 (004:406)
    assert assess_plan(plan, [], catalog=catalog).target_mismatches == ()
    doc = json.loads(json.dumps(yaml.safe_load(CATALOG_FILE.read_text(encoding="utf-8"))))
    doc["kpis"] = [k for k in doc["kpis"] if str(k["code"]) in STABLE_CODES]
    next(k for k in doc["kpis"] if k["code"] == "7.5.4.1")["target"] = 70
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    status = assess_plan(plan, [], catalog=load_catalog(path))
    assert [(m["node"], m["plan_target"], m["catalog_target"])
            for m in status.target_mismatches] == [("kpi:7.5.4.1", 77, 70)]
    assert "77 หน่วยงาน" in target_mismatches_table(status)


# --- the report pieces ----------------------------------------------------------------------

EVIL = "<script>alert('x')</script>"


def test_report_pieces_escape_every_data_derived_string(tmp_path, catalog):
    def mutate(d):
        _node(d, "kpi:5.3.1.2")["text_th"] = EVIL
        _node(d, "kpi:7.5.6.1")["text_th"] = EVIL  # an unlinked KPI
        _node(d, "kr:5.3/1")["host"] = [EVIL]
        _node(d, "kr:5.3/1")["notes"] = EVIL
        _node(d, "kr:5.3/1")["targets"][1]["text_th"] = EVIL
        _project(d, "key-04")["name_th"] = EVIL
        _project(d, "key-04")["notes"] = EVIL
        _project(d, "key-07")["remark_th"] = EVIL
        d["plan"]["agency"] = EVIL
        d["plan"]["title_th"] = EVIL
        d["tables"][0]["title_th"] = EVIL
    plan = load_action_plan(_write_plan(tmp_path, mutate))
    status = assess_plan(plan, [_result("5.3.1.2", True, value_text=EVIL)], catalog=catalog,
                         errors={"6.1.2.1": EVIL})
    pieces = [title(status), data_status_banner(status), plain_summary(status),
              tree_table(status), budget_totals_table(status), unlinked_kpis_table(status),
              target_mismatches_table(status), notes_list(status), methods_text(status)]
    pieces += [projects_table(status, t) for t in ("key_projects", "agency_projects",
                                                   "routine_projects", None)]
    for piece in pieces:
        assert "<script" not in piece
    joined = "".join(pieces)
    assert "&lt;script&gt;" in joined
    assert joined.count("&lt;script&gt;") >= 10


def test_report_pieces_show_the_tree_budgets_and_gaps(plan, catalog):
    status = assess_plan(plan, [_result("5.3.1.2", True), _result("5.3.1.3", False)],
                         catalog=catalog)
    tree = tree_table(status)
    assert "KR 3" in tree and "2,017 ชุมชน" in tree  # 004:123
    assert "ร้อยละ ๑๐๐ ระดับ 5" in tree and "(ใช้ตัดสิน)" in tree  # 004:381, 004:383
    assert "✗ ไม่บรรลุ" in tree and "? ยังสรุปไม่ได้" in tree
    budgets = budget_totals_table(status)
    for n in (KEY_PROJECTS[1], AGENCY_PROJECTS[1], ROUTINE_PROJECTS[1]):
        assert budgets.count(f"{n:,}") == 2  # computed and printed, side by side
    assert budgets.count("✓ ตรงกัน") == 3
    assert "ไม่ได้รับงบประมาณ" in projects_table(status, "key_projects")
    assert "7.5.6.1" in unlinked_kpis_table(status)
    line = check_line(status)
    assert "key_projects:17/159401928" in line and "routine_projects:14/112859328" in line
    assert "kr=0/1/10" in line


# --- the notebook ---------------------------------------------------------------------------

@pytest.mark.e2e
def test_the_notebook_runs_with_papermill_and_writes_the_summary(tmp_path, raw_dir):
    import papermill

    out = tmp_path / "out"
    out.mkdir()
    nb = papermill.execute_notebook(
        str(NOTEBOOK), str(tmp_path / "executed.ipynb"), kernel_name="python3",
        parameters={"data_root": str(raw_dir), "output_dir": str(out)}, progress_bar=False,
        cwd=str(NOTEBOOK.parent))
    data = json.loads((out / "action_plan_สยป_2567.json").read_text(encoding="utf-8"))
    validate_action_plan_dict(data)
    assert [t["total_baht"] for t in data["totals"]] == [
        KEY_PROJECTS[1], AGENCY_PROJECTS[1], ROUTINE_PROJECTS[1]]
    assert data["data_status"] == "sample"
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", [])
                      if o.get("output_type") == "stream")
    assert "totals=key_projects:17/159401928" in printed
    # a misspelt parameter is an error, not a warning
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError, match=r"unknown parameter\(s\) result_dir"):
        papermill.execute_notebook(str(NOTEBOOK), str(tmp_path / "bad.ipynb"),
                                   kernel_name="python3", parameters={"result_dir": "x"},
                                   progress_bar=False, cwd=str(NOTEBOOK.parent))


def test_the_committed_notebook_declares_its_parameters_and_has_no_outputs():
    import nbformat
    import papermill

    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert tagged[0].source.rstrip().splitlines()[-1].startswith("_declared = set(globals())")
    assert nb.cells[1].source.startswith("from kpianalysis.report_pages import "
                                         "refuse_unknown_parameters as _refuse_unknown")
    assert set(papermill.inspect_notebook(str(NOTEBOOK))) - {"_declared"} == {
        "results_dir", "data_root", "catalog_path", "output_dir"}


def test_result_helper_is_a_valid_result():
    r = _result("5.3.1.2", True)
    assert KPIResult.from_dict(r.to_dict()) == dataclasses.replace(r)
