"""Tests for kpianalysis.catalog: the packaged KPI catalog and its validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from kpianalysis.catalog import RUBRIC_KINDS, CatalogError, load_catalog
from kpianalysis.rubric import score_satisfaction
from kpianalysis.rules import RULES

SEEDS = Path(__file__).resolve().parent / "data" / "seeds"  # copy of shared/seeds
PACKAGED = Path(__file__).resolve().parents[1] / "src" / "kpianalysis" / "catalog.yaml"

# Seed 004 ตาราง ค. (negotiated KPIs of สำนักยุทธศาสตร์และประเมินผล, FY2567): item → weight
# ("น้ำหนัก คะแนน" column): 10, 10, 10, 20, 10, 10.
TABLE_C = {
    1: ("sat-oss", 10),
    2: ("sat-policy-tracking", 10),
    3: ("livable-city-indicators", 10),
    4: ("sat-bmaq", 20),
    5: ("sat-it-support", 10),
    6: ("sat-wifi", 10),
}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_table_c_weights(catalog):
    kpis = catalog.scorecard_kpis("สยป.")
    assert [(k.scorecard_item, k.code, k.weight) for k in kpis] == [
        (i, code, pytest.approx(w)) for i, (code, w) in TABLE_C.items()]
    assert sum(k.weight for k in kpis) == pytest.approx(70)
    for k in kpis:
        assert k.fiscal_year == 2567 and k.target == 5 and k.unit == "ระดับ"


def test_every_spec_kpi_present(catalog):
    expected = {"sat-oss", "sat-policy-tracking", "livable-city-indicators", "sat-bmaq",
                "sat-it-support", "sat-wifi", "awareness-pr", "0411-2029", "6.1.2.1",
                "5.2.1.2", "5.3.1.2", "5.3.1.3", "7.5.4.1", "gis-open-data",
                "social-media-proactive", "steps-project-plan"}
    assert expected <= set(catalog.codes)
    for k in catalog:
        assert k.rubric_kind in RUBRIC_KINDS
        if k.rubric_kind in ("satisfaction", "it_support_composite"):
            assert k.instrument == k.code
            rounds = [s.round for s in k.inputs_for() if s.role == "survey"]
            assert rounds == [1, 2]  # two e-survey rounds a year (KPI_SPEC "Calendar")
        assert k.inputs_for(), k.code  # every KPI names its input files


def test_every_input_file_of_the_bundled_sample_exists(catalog, raw_dir):
    for k in catalog:
        for path in k.data_paths(raw_dir):
            assert path.is_file(), (k.code, path)


def test_rule_defaults_are_the_official_choices_of_section_g(catalog):
    # KPI_SPEC §G: the official readings are the binding defaults
    assert catalog.rules == {name: rule.official for name, rule in RULES.items()}
    assert catalog.rules["missing_answers"] == "official"  # §G.1
    assert catalog.rules["survey_rounds"] == "pooled"  # §G.2


def test_catalog_bands_match_engine(catalog):
    # the catalog's satisfaction table scores like the engine's (seed 004: 80/75/70/65/60)
    for code in ("sat-oss", "sat-bmaq", "sat-wifi"):
        bands = catalog.get(code).bands()
        for a in (100, 80, 79.99999, 75, 70, 65, 60, 59.9):
            assert bands.level(a) == score_satisfaction(a).level
    sla = catalog.get("sat-it-support").bands("sla_bands")
    assert [sla.level(x) for x in (90, 85, 80, 75, 70, 69.9)] == [5, 4, 3, 2, 1, 0]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared/seeds not checked out next to the repo")
def test_thai_names_appear_in_seeds(catalog):
    text = "".join(p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt"))
    squashed = "".join(text.split())  # the seeds wrap names across table cells
    for k in catalog:
        assert "".join(k.name_th.split()) in squashed, k.code


def test_list_and_filters(catalog):
    df = catalog.list()
    assert len(df) == len(catalog) and {"code", "name_th", "weight"} <= set(df.columns)
    pr = catalog.list(agency="สำนักงานประชาสัมพันธ์")
    assert set(pr["code"]) == {"awareness-pr", "social-media-proactive", "0411-2029",
                               "efficiency-pr"}  # efficiency-pr: seed 001, PR office
    assert set(catalog.list(kind="milestones")["code"]) == {"gis-open-data",
                                                            "social-media-proactive"}
    assert len(catalog.list(scorecard=True)) == 6
    with pytest.raises(ValueError, match="valid kinds"):
        catalog.list(kind="milestone")


def test_unknown_code_lists_close_matches(catalog):
    with pytest.raises(KeyError, match="did you mean 'sat-bmaq'"):
        catalog.get("sat-bmq")
    with pytest.raises(KeyError, match="unknown KPI code"):
        catalog["nope"]


# --- bad catalogs --------------------------------------------------------------------------

def _write(tmp_path, mutate):
    # round-trip through JSON so YAML anchors/aliases become independent copies
    doc = json.loads(json.dumps(yaml.safe_load(PACKAGED.read_text(encoding="utf-8"))))
    mutate(doc)
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _entry(doc, code):
    return next(e for e in doc["kpis"] if e["code"] == code)


@pytest.mark.parametrize(("mutate", "match"), [
    (lambda d: _entry(d, "sat-oss").pop("weight"),
     r"KPI 'sat-oss' is missing required field\(s\): weight"),
    # the KPI's name and weight are the catalog's alone (instruments.yaml no longer has them)
    (lambda d: _entry(d, "sat-bmaq").pop("name_th"),
     r"KPI 'sat-bmaq' is missing required field\(s\): name_th"),
    (lambda d: _entry(d, "sat-oss").update(weight=-1),
     r"KPI 'sat-oss': weight must be a positive number"),
    (lambda d: _entry(d, "sat-oss").update(colour="red"), r"KPI 'sat-oss' has unknown field"),
    (lambda d: _entry(d, "sat-wifi")["rubric"].update(kind="stars"),
     r"KPI 'sat-wifi': unknown rubric kind 'stars'"),
    (lambda d: _entry(d, "sat-wifi").update(instrument="sat-wiffi"),
     r"KPI 'sat-wifi': unknown instrument 'sat-wiffi'"),
    (lambda d: _entry(d, "gis-open-data")["inputs"]["2567"].append(
        {"role": "tickets", "path": "rubric/x.csv"}),
     r"KPI 'gis-open-data': inputs.2567\[2\]: role 'tickets' is not read"),
    (lambda d: _entry(d, "gis-open-data")["inputs"]["2567"][0].update(path="/etc/passwd"),
     r"KPI 'gis-open-data': inputs.2567\[1\]: path must be relative"),
    (lambda d: _entry(d, "sat-oss")["inputs"]["2567"][0].pop("round"),
     r"KPI 'sat-oss': inputs.2567\[1\]: a 'survey' input needs a round"),
    (lambda d: _entry(d, "sat-oss")["inputs"].update({"2567": []}),
     r"KPI 'sat-oss': inputs.2567 lacks the survey input"),
    (lambda d: _entry(d, "sat-oss").update(rules={"missing_answers": "zero"}),
     r"KPI 'sat-oss': rule 'missing_answers' has no choice 'zero'"),
    (lambda d: _entry(d, "sat-oss").update(report="glossy"), r"unknown report family 'glossy'"),
    (lambda d: d["rules"].pop("survey_rounds"), r"missing survey_rounds"),
    (lambda d: _entry(d, "sat-oss")["rubric"]["params"].pop("bands"),
     r"KPI 'sat-oss': rubric kind 'satisfaction' needs params bands"),
    # KPI_SPEC §D: the seed prints no plan; the plan is the agency's input, never the catalog's
    (lambda d: _entry(d, "0411-2029")["rubric"]["params"].update(plan=[10, 30, 70, 100]),
     r"KPI '0411-2029'.*'plan' and 'target_percent' are not catalog parameters"),
    (lambda d: _entry(d, "sat-oss")["rubric"]["params"].update(likert_high_from=4.51),
     r"KPI 'sat-oss'.*only 3.51"),
    (lambda d: _entry(d, "sat-oss").update(direction="lower"), r"direction 'lower' is not"),
    (lambda d: _entry(d, "0411-2029")["rubric"]["params"].update(plan=[10, 30, 20, 100]),
     r"KPI '0411-2029'.*not catalog parameters"),
    (lambda d: _entry(d, "sat-bmaq")["rubric"]["params"]["bands"].__setitem__(
        1, {"level": 4, "at_least": 80, "success_percent": 80}),
     r"KPI 'sat-bmaq': rubric.params.bands: .*overlap"),
    (lambda d: _entry(d, "livable-city-indicators")["rubric"]["params"]["bands"].reverse(),
     r"KPI 'livable-city-indicators': rubric.params.bands: .*unordered"),
    (lambda d: _entry(d, "sat-oss").update(fiscal_year=2024),
     r"KPI 'sat-oss': fiscal_year must be a Buddhist-Era year"),
    (lambda d: _entry(d, "sat-oss").update(host_agency="กทม."), r"not a listed agency"),
    (lambda d: _entry(d, "sat-wifi").update(code="sat-oss"), r"duplicate KPI code 'sat-oss'"),
    (lambda d: _entry(d, "6.1.2.1")["rubric"]["params"].update(pass_label="ผ่าน"),
     r"KPI '6.1.2.1'.*pass_label"),
    (lambda d: _entry(d, "sat-wifi")["scorecard"].update(item=1), r"item 1 .* already used"),
])
def test_bad_catalog_names_kpi_and_field(tmp_path, mutate, match):
    with pytest.raises(CatalogError, match=match):
        load_catalog(_write(tmp_path, mutate))


def test_new_kpi_without_code_change(tmp_path):
    def add(doc):
        doc["kpis"].append({
            "code": "demo-1", "name_th": "ตัวชี้วัดทดลอง", "name_en": "Demo", "unit": "ร้อยละ",
            "host_agency": "สยป.", "target": 80, "direction": "higher", "weight": None,
            "fiscal_year": 2568, "rubric": {"kind": "step_completion",
                                            "params": {}},
            "inputs": {2568: [{"role": "steps", "path": "rubric/demo-1_steps.csv"}]},
            "source": "test"})
    cat = load_catalog(_write(tmp_path, add))
    assert cat.get("demo-1").host_agency == "สำนักยุทธศาสตร์และประเมินผล"
    assert cat.get("demo-1").report == "rubric"  # the default family of its kind


def test_repeated_yaml_key_is_refused(tmp_path):
    text = PACKAGED.read_text(encoding="utf-8").replace(
        "    unit: ระดับ\n", "    unit: ระดับ\n    unit: ระดับ\n", 1)
    path = tmp_path / "catalog.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError, match="repeated key 'unit'"):
        load_catalog(path)


def test_every_kpi_of_sections_d_d2_d3_is_in_the_catalog_and_every_kr_in_the_plan(catalog):
    """Issue 10: an entry for every KPI of KPI_SPEC §D, §D2 and §D3, and every KR of §D2."""
    from kpianalysis.action_plan import load_action_plan

    expected = {
        # §D: campaign (seed 003), the step-completion KPIs, 6.1.2.1, 5.2.1.2, 5.3.1.2/3,
        # 7.5.4.1 and the district development targets (004:480-504)
        "0411-2029", "steps-project-plan", "steps-digital-infrastructure", "6.1.2.1",
        "5.2.1.2", "5.3.1.2", "5.3.1.3", "7.5.4.1", "district-development-targets",
        # §D2: 4.1.4.1 (004:95), 5.1.1.1 (004:111), 7.2.1.2 (004:189), 7.2.2.1 (004:193),
        # 7.2.2.2 (004:194), the table ข guideline (004:388-392) and its satisfaction KPI
        # (004:273), the Wi-Fi availability evidence (004:627)
        "4.1.4.1", "5.1.1.1", "7.2.1.2", "7.2.2.1", "7.2.2.2", "analyst-guideline",
        "analyst-guideline-satisfaction", "wifi-availability",
        # §D3: seed 001's efficiency KPI
        "efficiency-pr",
    }
    assert expected <= set(catalog.codes), expected - set(catalog.codes)
    # §D2's KR targets (004:88-218) live in the action-plan tree, with their targets
    plan = load_action_plan()
    krs = [n for n in plan.nodes if n.kind == "kr"]
    assert len(krs) >= 10 and all(n.targets for n in krs)
    texts = " ".join(t.text_th for n in krs for t in n.targets)
    for printed in ("2,017", "80", "10"):  # KR 3 (5.2), KR 1 (7.5), KR 2 (7.5) in §D2
        assert printed in texts, printed
