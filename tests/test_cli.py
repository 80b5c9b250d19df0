"""The build command a scheduler runs: help, --list, --dry-run, --version, -p, exit codes."""

from __future__ import annotations

import shutil

import pytest

from kpianalysis import __version__, load_catalog
from kpianalysis.build import ANALYSIS_PARAMETERS, main, parse_analysis_parameters

N_KPIS = len(load_catalog())


def test_help_describes_every_option_with_an_example(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    for option in ("--data-root", "--out", "--processed", "--catalog", "--only", "-p",
                   "--list", "--dry-run", "--kernel", "--version"):
        assert option in text, option
    assert "examples:" in text and "exit status" in text


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"kpianalysis {__version__}"


def test_list_names_every_catalog_kpi_the_scorecard_and_the_action_plan(capsys):
    assert main(["--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == N_KPIS + 2
    assert lines[0].startswith("sat-oss_2567\tsatisfaction_survey.ipynb\t")
    assert lines[-2].startswith("scorecard_สยป_2567\tscorecard.ipynb")
    assert lines[-1].startswith("action_plan_สยป_2567\taction_plan.ipynb")


def test_dry_run_shows_the_files_and_fails_on_a_missing_one(capsys, tmp_path, raw_dir):
    assert main(["--dry-run", "--data-root", str(raw_dir), "--only", "sat-oss"]) == 0
    out = capsys.readouterr().out
    assert "ok      survey round 2: satisfaction/sat-oss_r2.csv" in out
    root = tmp_path / "raw"
    shutil.copytree(raw_dir / "satisfaction", root / "satisfaction")
    (root / "satisfaction" / "sat-oss_r1.csv").unlink()
    assert main(["--dry-run", "--data-root", str(root), "--only", "sat-oss"]) == 1
    assert "MISSING survey round 1: satisfaction/sat-oss_r1.csv" in capsys.readouterr().out
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize(("argv", "words"), [
    (["--only"], "expected at least one argument"),
    (["--only", "sat-osss"], "unknown report(s) sat-osss"),
    (["-p", "confidence=95"], "strictly between 0 and 1"),
    (["-p", "ci_methd=wald"], "unknown parameter; accepted: confidence, ci_method"),
    (["-p", "ci_method=bogus"], "must be one of"),
    (["-p", "survey_rounds=all"], "valid choices are latest, pooled"),
    (["-p", "confidence"], "unknown parameter"),
])
def test_bad_arguments_exit_2_with_one_line_before_building(capsys, tmp_path, argv, words):
    with pytest.raises(SystemExit) if argv == ["--only"] else _no_raise() as exc:
        status = main([*argv, "--out", str(tmp_path / "out")])
    code = exc.value.code if exc is not None and hasattr(exc, "value") else status
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert words in err[-1]
    assert not (tmp_path / "out").exists()  # nothing built


class _no_raise:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def test_parse_analysis_parameters():
    assert parse_analysis_parameters(["confidence=0.9", "ci_method=jeffreys",
                                      "missing_answers=answered_mean"]) == {
        "confidence": 0.9, "ci_method": "jeffreys", "missing_answers": "answered_mean"}
    assert {"confidence", "ci_method", "min_answered_share", "missing_answers",
            "survey_rounds"} <= set(ANALYSIS_PARAMETERS)
