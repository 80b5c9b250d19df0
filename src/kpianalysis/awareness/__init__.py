"""The awareness-survey KR analysis (seed 000): from the validated files to the report numbers.

The KR is the percent of Bangkok's citizens who received BMA news on the "9 ดี 9 ด้าน"
policy through the PR office's channels, target 80 %. The survey mixes three collection modes
(field interviews, an online survey, focus groups) over three rounds. This module glues the
tested pieces (:mod:`kpianalysis.design`, :mod:`kpianalysis.weighting`,
:mod:`kpianalysis.sample_size`) together so that the report notebook only calls and presents.

Estimator (the choice and why)
------------------------------
* **Headline** — the *field* sample only, because it is the only probability sample: a
  stratified sample by district within each round, with design weights (district population ÷
  interviews). Each round's weights are **raked** to the population margins of the margins
  file *within the round* (joint margins ``round × sex``, ``round × age_group``,
  ``round × district_code``), so every round represents the same population and the pooled
  estimate is the average of the three rounds' estimates. Only the sex margin is official
  (NSO/DOPA 2023); the age and district margins of the sample file are ILLUSTRATIVE and the
  report says so. Standard errors are by Taylor linearisation with strata = round × district
  and the GREG residuals of the raking (R's ``calibrate(calfun = "raking")`` linearisation;
  ``rake()``'s is available as ``linearisation="rake"``), sampling with
  replacement (the sampling fractions are below 0.1 %, so a finite-population correction
  changes nothing visible); the interval is the logit interval on the design degrees of
  freedom (R's ``svyciprop(method = "logit")``).
* **Online and focus-group respondents** are not probability samples (self-selected / invited).
  They are shown separately, raked to the margins they cover so that their age and sex mix is
  comparable; their standard errors (focus groups as clusters of 8) describe sampling
  variation only *under the assumption* that the respondents behave like a random sample of
  their population cell — they say nothing about selection bias. When a mode's estimate differs
  from the field estimate by more than sampling error allows (two-sided z test at ``alpha``),
  :attr:`AwarenessAnalysis.modes_disagree` is set and the report warns.
* **Test against the target** — one-sided ``H0: p ≥ 0.80`` against ``H1: p < 0.80`` with
  ``t = (p̂ − 0.80) / SE`` on the design degrees of freedom (:func:`target_test`).
* **Probability that the target is met** — ``P(p ≥ 0.80 | data)`` from the approximation
  ``p ~ p̂ + SE · t_df`` (a flat-prior, plug-in posterior on the proportion scale). It is an
  *approximate* Bayesian statement, and under this approximation it equals the one-sided
  p-value of the test above (Casella & Berger 1987).
* ``target_met`` (the KR verdict) compares the point estimate with 80 %, as the KR formula does;
  the report also gives the verdict at both interval bounds.

References
----------
Casella, G. and Berger, R. L. (1987). Reconciling Bayesian and frequentist evidence in the
one-sided testing problem. *Journal of the American Statistical Association* 82, 106-111.

Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley. (Ch. 2, 7.)

Baker, R. et al. (2013). Report of the AAPOR task force on non-probability sampling. *Journal
of Survey Statistics and Methodology* 1(2), 90-143.

Layout (every public name is re-exported here; import from ``kpianalysis.awareness``)
------------------------------------------------------------------------------------
``_schema``
    The survey's schema and constants: :data:`MODES`, :data:`CHANNELS`, :data:`DIMENSIONS`,
    :data:`AGE_GROUPS`, :data:`SEXES`, :data:`AWARENESS_TARGET`, :data:`KPI_CODE`,
    :data:`NAME_TH`, :data:`OFFLINE_CHANNELS`, :data:`ONLINE_CHANNELS`,
    :data:`DEFAULT_RAKE_VARIABLES` and the required columns.
``_read``
    Reading and validation: :class:`AwarenessData`, :func:`read_awareness_survey`,
    :func:`read_population_margins`.
``_estimate``
    Estimation: :class:`TargetTest`, :func:`target_test`, the field and mode designs,
    :class:`SampleSizeReview`, :class:`AwarenessAnalysis`, :func:`analyse_awareness`.
``_sae``
    Small-area (Fay-Herriot) estimates by district: :func:`read_district_covariates`,
    :class:`DistrictSmallArea`, :func:`district_small_area`.
``_summary``
    Outputs without presentation: :func:`awareness_summary` (the JSON summary) and
    :func:`processed_table`.

Charts and HTML tables are in :mod:`kpianalysis.awareness_presentation`.
"""

from __future__ import annotations

import logging

from ._estimate import (
    AwarenessAnalysis,
    SampleSizeReview,
    TargetTest,
    analyse_awareness,
    target_test,
)
from ._read import AwarenessData, read_awareness_survey, read_population_margins
from ._sae import (
    DEFAULT_SAE_COVARIATES,
    DistrictSmallArea,
    district_small_area,
    read_district_covariates,
)
from ._schema import (
    AGE_GROUPS,
    AWARENESS_TARGET,
    CHANNELS,
    DEFAULT_RAKE_VARIABLES,
    DIMENSIONS,
    KPI_CODE,
    MODES,
    NAME_TH,
    OFFLINE_CHANNELS,
    ONLINE_CHANNELS,
    SEXES,
)
from ._summary import awareness_summary, processed_table, shown_mode_counts

__all__ = [
    "AGE_GROUPS",
    "AWARENESS_TARGET",
    "CHANNELS",
    "DEFAULT_RAKE_VARIABLES",
    "DEFAULT_SAE_COVARIATES",
    "DIMENSIONS",
    "KPI_CODE",
    "MODES",
    "NAME_TH",
    "OFFLINE_CHANNELS",
    "ONLINE_CHANNELS",
    "SEXES",
    "AwarenessAnalysis",
    "AwarenessData",
    "DistrictSmallArea",
    "SampleSizeReview",
    "TargetTest",
    "analyse_awareness",
    "awareness_summary",
    "district_small_area",
    "processed_table",
    "read_district_covariates",
    "read_awareness_survey",
    "read_population_margins",
    "shown_mode_counts",
    "target_test",
]

logger = logging.getLogger(__name__)
