"""Fuzzing every bundled input kind (issue 11, item 3): malformed variants of the files in
``data/raw`` are either refused with the package's ``DataValidationError`` or give the clean
file's result, or a documented different one. The mutations and what each must give are in
``tests/fuzz_inputs.py``; ``make fuzz`` runs 50,000+ variants and prints the counts."""

from __future__ import annotations

import fuzz_inputs as fz

#: Variants per CI run (at least 2,000, issue 11) and the fixed seed (replayable).
N_VARIANTS = 2_000
SEED = 20261130


def test_malformed_inputs_are_refused_or_read_as_their_clean_original(tmp_path):
    report = fz.run(N_VARIANTS, SEED, tmp_path)
    assert report.variants == N_VARIANTS
    assert not report.failures, fz.format_report(report, 0)
    # every input kind of the catalog was fuzzed, with every mutation
    targets = fz.build_targets(tmp_path / "again")
    assert set(report.by_input) == {f"{t.kpi}:{t.role}" for t in targets}
    assert set(report.by_mutation) == set(fz.MUTATIONS)
    # the run tells refusals from acceptances: both occur, and no crash
    assert report.counts["refused"] > 0 and report.counts["accepted-same"] > 0
    assert report.counts["crashed"] == 0


def test_a_kind_of_each_expectation_is_exercised(tmp_path):
    kinds = {expect for expect, _ in fz.MUTATIONS.values()}
    assert kinds == {"same", "refuse", "different"}
