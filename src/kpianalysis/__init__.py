"""kpianalysis: survey statistics and rubric scoring for public-sector KPI evaluation.

Built first for the Bangkok Metropolitan Administration (BMA). The public API is re-exported
here; each name lives in the module that owns its concern (see ``ARCHITECTURE.md``). Names are
imported on first use, so ``import kpianalysis`` is fast and loads neither the statistics
stack nor any notebook or plotting library::

    >>> import kpianalysis as ka
    >>> result = ka.evaluate("sat-oss", data_root="data/raw")  # doctest: +SKIP
    >>> print(result.summary())  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

# public name → module (relative to this package) that owns it
_EXPORTS: dict[str, str] = {
    # the KPI data path: catalog → inputs → engine → KPIResult → report / scorecard
    "KPI": "catalog", "Catalog": "catalog", "CatalogError": "catalog",
    "load_catalog": "catalog",
    "RULES": "rules", "RuleError": "rules",
    "InputError": "inputs", "resolve_inputs": "inputs",
    "evaluate": "engines", "evaluate_all": "engines",
    "KPIResult": "result", "ResultSchemaError": "result", "read_result": "result",
    "write_result": "result",
    "AgencyScore": "scorecard", "ScorecardError": "scorecard", "load_results": "scorecard",
    "score_agency": "scorecard", "write_scorecard": "scorecard",
    # the action-plan tree of seed 004 (strategy → KR → KPI → projects) and its status
    "ActionPlan": "action_plan", "ActionPlanStatus": "action_plan",
    "assess_plan": "action_plan", "load_action_plan": "action_plan",
    # results and validation
    "ConfidenceInterval": "_results", "Result": "_results",
    "DataValidationError": "_validation",
    # awareness survey
    "AWARENESS_TARGET": "awareness", "AwarenessAnalysis": "awareness",
    "AwarenessData": "awareness", "SampleSizeReview": "awareness", "TargetTest": "awareness",
    "analyse_awareness": "awareness", "awareness_summary": "awareness",
    "read_awareness_survey": "awareness", "read_population_margins": "awareness",
    "DistrictSmallArea": "awareness", "district_small_area": "awareness",
    "read_district_covariates": "awareness",
    "target_test": "awareness",
    # design-based estimation, weighting, reliability
    "LONELY_PSU_OPTIONS": "design", "DomainEstimates": "design", "Estimate": "design",
    "SurveyDesign": "design", "proportion_interval": "design",
    "RakingResult": "weighting", "WeightSummary": "weighting", "kish_deff": "weighting",
    "kish_ess": "weighting", "poststratify": "design", "poststratify_weights": "weighting",
    "rake": "design", "rake_weights": "weighting", "trim_weights": "weighting",
    "calibrate": "design", "calibrate_weights": "weighting",
    "CalibrationResult": "weighting", "CALIBRATION_FUNCTIONS": "weighting",
    "weight_summary": "weighting",
    "FH_METHODS": "sae", "FayHerriotConvergenceError": "sae", "FayHerriotResult": "sae",
    "fay_herriot": "sae",
    # replicate-weight designs (JK1, JKn, BRR, Fay, bootstrap)
    "REPLICATE_QUANTILE_INTERVALS": "replicate", "REPLICATE_QUANTILE_RULES": "replicate",
    "REPLICATE_PROPORTION_CI_METHODS": "replicate", "REPLICATE_TYPES": "replicate",
    "ReplicateQuantiles": "replicate", "ReplicateDesign": "replicate",
    "as_replicate_design": "replicate", "hadamard": "replicate",
    "read_replicate_design": "replicate",
    "CronbachAlpha": "reliability", "cronbach_alpha": "reliability",
    "feldt_interval": "reliability",
    "QuantileEstimates": "inference", "TableTest": "inference", "chisq_test": "inference",
    # files
    "sha256_of": "files", "write_json_atomic": "files", "write_parquet_atomic": "files",
    # questionnaires and Likert scoring
    "Instrument": "instruments", "Item": "instruments", "ProfileField": "instruments",
    "Section": "instruments", "get_instrument": "instruments",
    "load_instruments": "instruments", "load_scales": "instruments",
    "BANDS": "likert", "LIKERT_LABELS_TH": "likert", "LikertResult": "likert",
    "item_distribution": "likert", "parse_likert": "likert", "score_likert": "likert",
    "section_means": "likert",
    "SurveyData": "readers", "read_satisfaction_survey": "readers",
    "PROPORTION_CI_METHODS": "proportion", "PROPORTION_CI_ALIASES": "proportion",
    "PROPORTION_CI_NAMES": "proportion", "canonical_proportion_ci_method": "proportion",
    "ProportionCI": "proportion", "jeffreys_p_at_least": "proportion",
    "ProportionDifference": "proportion", "proportion_ci": "proportion",
    "proportion_difference_ci": "proportion",
    "SatisfactionAnalysis": "satisfaction", "analyse_satisfaction": "satisfaction",
    "satisfaction_points": "satisfaction",
    "breakdown": "satisfaction", "breakdown_test": "satisfaction",
    "compare_rounds": "satisfaction",
    "satisfaction_summary": "satisfaction",
    # rubric scoring
    "SATISFACTION_BANDS": "rubric", "SLA_BANDS": "rubric", "CountScore": "rubric",
    "ITSupportScore": "rubric", "LevelScore": "rubric", "PercentScore": "rubric",
    "ProgressScore": "rubric", "SatisfactionScore": "rubric", "SLACompliance": "rubric",
    "ThresholdBands": "rubric", "count_livable_city_issues": "rubric",
    "read_evidence": "rubric", "read_progress": "rubric", "score_committee_share": "rubric",
    "score_count_bands": "rubric", "score_count_target": "rubric",
    "score_it_support": "rubric", "score_milestones": "rubric",
    "score_percent_target": "rubric", "score_quarterly_progress": "rubric",
    "score_satisfaction": "rubric", "score_satisfaction_counts": "rubric",
    "score_step_completion": "rubric", "score_training": "rubric",
    "sla_compliance": "rubric",
    # sample size
    "ALLOCATION_METHODS": "sample_size", "Allocation": "sample_size",
    "allocate": "sample_size", "cochran": "sample_size", "krejcie_morgan": "sample_size",
    "margin_of_error": "sample_size", "n_one_sided_proportion_test": "sample_size",
    "yamane": "sample_size",
    # Thai calendar
    "fiscal_quarter": "thaidate", "fiscal_year_be": "thaidate",
    "parse_thai_date": "thaidate", "thai_digits_to_ascii": "thaidate",
    # district development targets (seed 004:480-504), plan against actual
    "DistrictTargetsAnalysis": "district_targets",
    "analyse_district_targets": "district_targets",
    "read_district_targets": "district_targets",
    # figures (matplotlib is loaded only when one of these is used)
    "band_chart": "plotting", "estimate_chart": "plotting",
    "likert_diverging_chart": "plotting", "use_thai_font": "plotting",
    # seed 001 (KPI_SPEC §D3): the Line BMA issue log and the evidence checklist
    "read_issue_log": "issue_log", "issue_shares": "issue_log",
    "read_checklist": "rubric.checklist",
    "score_checklist": "rubric.checklist", "read_status_notes": "rubric.checklist",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kpianalysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .catalog import KPI, Catalog, CatalogError, load_catalog  # noqa: F401
    from .engines import evaluate, evaluate_all  # noqa: F401
    from .result import KPIResult, read_result, write_result  # noqa: F401
    from .scorecard import AgencyScore, load_results, score_agency  # noqa: F401
