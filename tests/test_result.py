"""KPIResult: JSON round trip, schema, determinism, no machine paths, clear schema errors."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kpianalysis import evaluate
from kpianalysis.catalog import load_catalog
from kpianalysis.engines import evaluate_all
from kpianalysis.result import (
    SCHEMA_VERSION,
    KPIResult,
    ResultSchemaError,
    read_result,
    validate_result_dict,
    write_result,
)

CODES = load_catalog().codes


@pytest.fixture(scope="module")
def results(raw_dir) -> dict[str, KPIResult]:
    """Every catalog KPI evaluated once on the bundled data."""
    return {r.kpi: r for r in evaluate_all(data_root=raw_dir)}


@pytest.fixture(scope="module")
def copied(tmp_path_factory, raw_dir) -> tuple[Path, dict[str, KPIResult]]:
    """The same inputs copied under a temporary folder, evaluated there."""
    root = tmp_path_factory.mktemp("copied-root") / "raw"
    shutil.copytree(raw_dir, root)
    return root, {r.kpi: r for r in evaluate_all(data_root=root)}


@pytest.fixture(scope="module")
def schema(repo_root) -> dict[str, Any]:
    """The shipped schema, read from the file (not through the package's own loader)."""
    path = repo_root / "src" / "kpianalysis" / "schemas" / "kpi_result.schema.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(doc)
    return doc


def _strings(value: Any) -> Iterator[str]:
    """Every string (keys included) in a JSON-ready structure."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _without_built_at(result: KPIResult) -> str:
    return dataclasses.replace(result, built_at="").to_json()


# --- round trip ----------------------------------------------------------------------------

@pytest.mark.parametrize("code", CODES)
def test_to_dict_from_dict_round_trip(results, code):
    r = results[code]
    assert KPIResult.from_dict(r.to_dict()) == r


@pytest.mark.parametrize("code", CODES)
def test_write_read_round_trip(results, code, tmp_path):
    r = results[code]
    path = write_result(r, tmp_path / f"{r.stem}.json")
    assert path.name == f"{code}_{r.fiscal_year}.json"
    assert read_result(path) == r
    # what is on disk is the canonical text
    assert path.read_text(encoding="utf-8") == r.to_json()


@pytest.mark.parametrize("code", CODES)
def test_json_validates_against_shipped_schema(results, schema, code):
    data = json.loads(results[code].to_json())
    jsonschema.Draft202012Validator(schema).validate(data)
    assert data["schema_version"] == SCHEMA_VERSION == 1
    # the JSON keys are exactly the schema's required fields (no extra, none missing)
    assert set(data) == set(schema["required"])


# --- determinism and no machine paths ---------------------------------------------------------

@pytest.mark.parametrize("code", CODES)
def test_to_json_is_byte_identical_without_built_at(results, raw_dir, code):
    again = evaluate(code, data_root=raw_dir)
    assert _without_built_at(again) == _without_built_at(results[code])
    assert again.built_at  # the only field that may differ is filled in


@pytest.mark.parametrize("code", CODES)
def test_same_bytes_elsewhere_give_the_same_json(results, copied, code):
    # the same input bytes under another folder: nothing in the JSON depends on the location
    _, there = copied
    assert _without_built_at(there[code]) == _without_built_at(results[code])


@pytest.mark.parametrize("code", CODES)
def test_no_absolute_path_in_json(copied, raw_dir, code):
    root, there = copied
    r = there[code]
    text = r.to_json()
    for forbidden in ("/work", str(root), str(root.parent), str(raw_dir), "file:"):
        assert forbidden not in text, forbidden
    data = json.loads(text)
    for s in _strings(data):
        assert not s.startswith(("/", "\\")), s
        assert not re.match(r"^[A-Za-z]:[\\/]", s), s
    assert data["evidence"], "every KPI rests on at least one input file"
    for ev in data["evidence"]:
        p = ev["path"]
        assert not Path(p).is_absolute() and ".." not in Path(p).parts
        assert (root / p).is_file()  # relative to the data root it was evaluated from


# --- schema errors name the KPI and the field ---------------------------------------------------

def _edit(data: dict[str, Any], case: str) -> tuple[dict[str, Any], str]:
    """Break one field of a valid result dict; return it and the field the error must name."""
    d = json.loads(json.dumps(data))
    if case == "schema_version_2":
        d["schema_version"] = 2
        return d, "schema_version"
    if case == "missing_required":
        del d["value_text"]
        return d, "value_text"
    if case == "absolute_posix_path":
        d["evidence"][0]["path"] = "/work/main/data/raw/" + d["evidence"][0]["path"]
        return d, "evidence/0/path"
    if case == "absolute_windows_path":
        d["evidence"][0]["path"] = "C:\\data\\raw\\survey.csv"
        return d, "evidence/0/path"
    if case == "parent_path":
        d["evidence"][0]["path"] = "../raw/" + d["evidence"][0]["path"]
        return d, "evidence/0/path"
    if case == "non_hex_sha256":
        d["evidence"][0]["sha256"] = "z" * 64
        return d, "evidence/0/sha256"
    raise AssertionError(case)


SCHEMA_CASES = ["schema_version_2", "missing_required", "absolute_posix_path",
                "absolute_windows_path", "parent_path", "non_hex_sha256"]


@pytest.mark.parametrize("case", SCHEMA_CASES)
def test_read_result_refuses_a_bad_json(results, tmp_path, case):
    bad, field = _edit(results["sat-oss"].to_dict(), case)
    path = tmp_path / "sat-oss_2567.json"
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ResultSchemaError) as exc:
        read_result(path)
    msg = str(exc.value)
    assert "'sat-oss'" in msg, msg
    assert field in msg, msg
    assert path.name in msg, msg


@pytest.mark.parametrize("case", SCHEMA_CASES)
def test_from_dict_and_validate_refuse_a_bad_dict(results, case):
    bad, field = _edit(results["awareness-pr"].to_dict(), case)
    for call in (lambda: KPIResult.from_dict(bad), lambda: validate_result_dict(bad)):
        with pytest.raises(ResultSchemaError) as exc:
            call()
        assert "'awareness-pr'" in str(exc.value) and field in str(exc.value)


def test_write_result_refuses_an_invalid_result(results, tmp_path):
    bad = dataclasses.replace(results["sat-oss"], schema_version=2)
    with pytest.raises(ResultSchemaError, match="sat-oss"):
        write_result(bad, tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()


def test_read_result_refuses_a_non_json_file(tmp_path):
    path = tmp_path / "sat-oss_2567.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ResultSchemaError, match="sat-oss_2567.json"):
        read_result(path)


# --- presentation ------------------------------------------------------------------------------

@pytest.mark.parametrize("code", CODES)
def test_summary_is_short_and_names_the_kpi(results, code):
    r = results[code]
    text = r.summary()
    lines = text.splitlines()
    assert 1 <= len(lines) <= 8, text
    assert code in lines[0]
    assert str(r) == text


def test_repr_html_escapes_the_kpi_name(results):
    evil = "<script>alert('x')</script>"
    r = dataclasses.replace(results["sat-oss"], name_th=f"ชื่อ {evil}", kpi="sat-<b>oss</b>",
                            value_text="A < 80 & B > 0")
    html = r._repr_html_()
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;b&gt;oss&lt;/b&gt;" in html
    assert "A &lt; 80 &amp; B &gt; 0" in html
