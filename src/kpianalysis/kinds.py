"""The registry of rubric kinds: what a catalog entry of each kind needs.

One row per kind: the rubric parameters it requires, the input roles it reads, the report
family it is shown in by default and the engine module that evaluates it
(``kpianalysis.engines.<module>``). The catalog validates entries against this table; the
engines are imported only when a KPI is evaluated, so loading the catalog stays light.
Adding a rubric kind means adding a row here and an engine module with an ``evaluate``
function; adding a KPI of an existing kind needs no code at all (one catalog entry).
"""

from __future__ import annotations

import dataclasses

__all__ = ["KINDS", "REPORT_FAMILIES", "KindSpec", "applicable_options"]


@dataclasses.dataclass(frozen=True)
class KindSpec:
    """What a rubric kind needs.

    Attributes
    ----------
    params : tuple of str
        Required ``rubric.params`` keys.
    roles : tuple of str
        Input roles that must be present for a fiscal year.
    optional_roles : tuple of str
        Input roles that may be present.
    per_round : tuple of str
        Roles given once per survey round (each entry has a ``round``).
    report : str
        Default report family (see :data:`REPORT_FAMILIES`).
    module : str
        Engine module under :mod:`kpianalysis.engines`.
    rules : tuple of str
        The §G rules that apply to the kind (besides ``data_status``, which applies to all).
    points : bool
        Whether the kind gives level-based points (only such KPIs can be in a scorecard).
    options : tuple of str
        The analysis options of :func:`kpianalysis.evaluate` the kind uses.
    """

    params: tuple[str, ...]
    roles: tuple[str, ...]
    optional_roles: tuple[str, ...] = ()
    per_round: tuple[str, ...] = ()
    report: str = "rubric"
    module: str = ""
    rules: tuple[str, ...] = ()
    points: bool = False
    options: tuple[str, ...] = ()


_SURVEY = ("confidence", "ci_method", "min_answered_share", "design_ci_method")
KINDS: dict[str, KindSpec] = {
    "satisfaction": KindSpec(
        ("bands", "likert_high_from"), ("survey",), ("evidence",), ("survey",),
        "satisfaction", "satisfaction",
        ("missing_answers", "survey_rounds", "weights", "undefined_rubric_rows"), points=True,
        options=_SURVEY),
    "it_support_composite": KindSpec(
        ("satisfaction_bands", "sla_bands"), ("survey", "tickets"), (), ("survey",),
        "satisfaction", "satisfaction",
        ("missing_answers", "survey_rounds", "weights", "it_composite"), points=True,
        options=(*_SURVEY, "as_of")),
    "count_bands": KindSpec(("bands", "total"), ("issues",), ("evidence",),
                            module="bands", rules=("undefined_rubric_rows",), points=True),
    "milestones": KindSpec(("n_levels", "levels"), ("evidence",), module="milestones",
                           rules=("undefined_rubric_rows",), points=True, options=("as_of",)),
    "step_completion": KindSpec((), ("steps",), module="percent"),
    "quarterly_progress": KindSpec((), ("progress",), ("sources",), module="progress"),
    "training": KindSpec(("bands", "pass_label"), ("scores",), module="percent"),
    "committee_share": KindSpec(("min_share", "n_committees"), ("committees",),
                                module="counts"),
    "count_target": KindSpec(("out_of", "column"), ("items",), module="counts"),
    "percent_target": KindSpec((), ("survey", "margins"), ("covariates",), report="awareness",
                               module="awareness", rules=("awareness_formula",),
                               options=("confidence", "ci_method", "design_ci_method")),
    # seed 001 (KPI_SPEC §D3): evidence forms scored out of a total; issue log and notes beside
    "evidence_checklist": KindSpec(("out_of", "forms"), ("checklist",),
                                   ("issue_log", "agencies", "notes"), module="checklist",
                                   rules=("undefined_rubric_rows",), options=("as_of",)),
    # seed 004:480-504 (issue 10 item 5): district development targets, plan vs actual
    "district_targets": KindSpec((), ("district_targets",), report="district_targets",
                                 module="district_targets"),
    # seed 004 §D2 (issue 10 item 3): counts inside the year, monthly reports, availability
    # from outage hours, satisfaction against expectation
    "count_in_year": KindSpec(("column", "date_column"), ("items",), module="dated_counts"),
    "monthly_reports": KindSpec(("per_month",), ("reports",), module="monthly"),
    "availability": KindSpec(("n_sites", "target_defined"), ("sites", "outages"),
                             module="availability"),
    "expectation_match": KindSpec((), ("ratings",), module="expectation"),
}

def applicable_options(kind: str, options: dict) -> dict:
    """The subset of ``options`` (rule choices and analysis options) a rubric kind uses."""
    spec = KINDS[kind]
    keep = {*spec.rules, "data_status", *spec.options}
    return {k: v for k, v in options.items() if k in keep}


#: Report families → the notebook (shipped in ``kpianalysis/notebooks/``) that shows them.
REPORT_FAMILIES: dict[str, str] = {
    "rubric": "kpi_report.ipynb",
    "satisfaction": "satisfaction_survey.ipynb",
    "awareness": "awareness_survey.ipynb",
    "issue_log": "issue_log.ipynb",  # seed 001: evidence checklist + Line BMA issue log
    "district_targets": "district_targets.ipynb",  # seed 004:480-504, plan vs actual by district
}
