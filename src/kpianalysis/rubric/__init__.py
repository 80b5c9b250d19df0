"""Rubric scoring engines for BMA KPIs (seed 002, 003, 004; KPI_SPEC sections B–E).

Every engine is a plain function returning a frozen dataclass deriving from
:class:`~kpianalysis._results.Result` (``level``, ``points``, ``percent`` where it applies, and
what was met / what was missing).

Threshold rule (used by every "A at least x" table)
----------------------------------------------------
A band is reached when the value is **at least** its threshold. Percentages arrive as floats
computed as ``B * 100 / C``; that arithmetic can land one unit in the last place below or above
the decimal the author meant (``0.8 * 100 == 80.00000000000001``, ``(7 / 10) * 100 ==
70.00000000000001``, ``56.99999999999999`` …). A float value therefore counts as reaching a
threshold ``t`` when ``value >= t - BOUNDARY_TOL * max(1, |t|)`` with
``BOUNDARY_TOL = 1e-9``. This cannot misclassify a real proportion: for ``A = B * 100 / C`` the
distance between ``A`` and any of the satisfaction thresholds 80/75/70/65/60 is either 0 or at
least ``5 / C`` (e.g. ``|100 B - 80 C| = 20 |5 B - 4 C|``), far above ``1e-7`` for any survey
size below 10⁷, while a genuinely lower value written with ≤ 8 decimals (``79.99999``) stays
below. When the counts are at hand, the ``*_counts`` functions compare exact integers/fractions
(``B * 100 >= t * C`` with ``t`` taken as the exact decimal it is written as) and need no
tolerance.

Layout (every public name is re-exported here; import from ``kpianalysis.rubric``)
----------------------------------------------------------------------------------
``_bands``
    The threshold machinery: :data:`BOUNDARY_TOL`, :class:`Band`, :class:`ThresholdBands`,
    :class:`BandScore` and the seed tables :data:`SATISFACTION_BANDS`, :data:`SLA_BANDS`,
    :data:`LIKERT_BANDS`.
``_inputs``
    Readers shared by the engines (CSV or DataFrame intake, required columns, numeric, yes/no
    and timestamp columns, cut-off dates) and :func:`read_requirements` (extra conditions of a
    top level).
``_scores``
    Result types shared by several kinds: :class:`LevelScore`, :class:`PercentScore`.
``satisfaction``
    Satisfaction KPIs: :class:`SatisfactionScore`, :func:`score_satisfaction`,
    :func:`score_satisfaction_counts`.
``it_support``
    The IT-support KPI: :class:`SLACompliance`, :func:`sla_compliance`,
    :class:`ITSupportScore`, :func:`score_it_support`.
``count_bands``
    Level from a count: :data:`LIVABLE_CITY_BANDS`, :func:`score_count_bands`,
    :func:`count_livable_city_issues`.
``milestones``
    Milestone levels: :func:`read_evidence`, :func:`score_milestones`.
``steps``
    Step completion: :func:`score_step_completion`.
``training``
    Training scores: :data:`TRAINING_BANDS`, :func:`score_training`.
``counts``
    Count against a target: :class:`CountScore`, :func:`score_count_target`,
    :func:`score_committee_share`.
``progress``
    Quarterly progress against a plan: :func:`read_progress`, :class:`ProgressScore`,
    :func:`score_quarterly_progress`.
``percent``
    Percentage against a target: :func:`score_percent_target`.
"""

from __future__ import annotations

import logging

from ._bands import (
    BOUNDARY_TOL,
    LIKERT_BANDS,
    SATISFACTION_BANDS,
    SLA_BANDS,
    Band,
    BandScore,
    ThresholdBands,
)
from ._inputs import read_requirements
from ._scores import LevelScore, PercentScore
from .count_bands import LIVABLE_CITY_BANDS, count_livable_city_issues, score_count_bands
from .counts import CountScore, score_committee_share, score_count_target
from .it_support import ITSupportScore, SLACompliance, score_it_support, sla_compliance
from .milestones import read_evidence, score_milestones
from .percent import score_percent_target
from .progress import ProgressScore, read_progress, score_quarterly_progress
from .satisfaction import SatisfactionScore, score_satisfaction, score_satisfaction_counts
from .steps import score_step_completion
from .training import TRAINING_BANDS, score_training

logger = logging.getLogger(__name__)

__all__ = [
    "BOUNDARY_TOL",
    "LIKERT_BANDS",
    "LIVABLE_CITY_BANDS",
    "SATISFACTION_BANDS",
    "SLA_BANDS",
    "TRAINING_BANDS",
    "Band",
    "BandScore",
    "CountScore",
    "ITSupportScore",
    "LevelScore",
    "PercentScore",
    "ProgressScore",
    "SLACompliance",
    "SatisfactionScore",
    "ThresholdBands",
    "count_livable_city_issues",
    "read_evidence",
    "read_progress",
    "read_requirements",
    "score_committee_share",
    "score_count_bands",
    "score_count_target",
    "score_it_support",
    "score_milestones",
    "score_percent_target",
    "score_quarterly_progress",
    "score_satisfaction",
    "score_satisfaction_counts",
    "score_step_completion",
    "score_training",
    "sla_compliance",
]
