"""The training KPI 6.1.2.1: trainees at ดี or better × 100 / all trainees, with its score
bands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_in_range
from ..tables import TableRef
from ._bands import ThresholdBands, _check_percent
from ._inputs import _numeric, _read_table, _require_columns
from ._scores import PercentScore, _exact_at_least

__all__ = [
    "TRAINING_BANDS",
    "score_training",
]


#: KPI 6.1.2.1 trainee score bands: ดีมาก ≥ 81, ดี 71–80, ปานกลาง 61–70, พอใช้ 51–60,
#: ควรปรับปรุง below. The seed leaves 50 unassigned ("ต่ำกว่า 50" vs "51 – 60"); here a band is
#: reached when the score is at least its lower bound, so 50 (and 50.5) is ควรปรับปรุง and
#: 80.5 is ดี.
TRAINING_BANDS = ThresholdBands.from_table(
    at_least=[81, 71, 61, 51],
    levels=[5, 4, 3, 2],
    success_percent=[100, 80, 60, 40],
    labels=["ดีมาก", "ดี", "ปานกลาง", "พอใช้"],
    below_level=1,
    name="training score bands (KPI 6.1.2.1)",
)
_TRAINING_LABELS = {5: "ดีมาก", 4: "ดี", 3: "ปานกลาง", 2: "พอใช้", 1: "ควรปรับปรุง"}


def score_training(
    scores: Any,
    *,
    target: float = 80,
    pass_label: str = "ดี",
    bands: ThresholdBands = TRAINING_BANDS,
    column: str = "score",
    id_column: str = "trainee_id",
) -> PercentScore:
    """Training KPI 6.1.2.1: trainees at ดี or better × 100 / all trainees, against 80 %.

    Parameters
    ----------
    scores : array-like, path or DataFrame
        Trainee scores in [0, 100], or a file with a ``score`` column (``trainee_id``
        optional).
    target : float, default 80
    pass_label : str, default "ดี"
        The lowest band that counts as passing.
    bands : ThresholdBands
        Score bands (default :data:`TRAINING_BANDS`; a score of exactly 50 is ควรปรับปรุง).

    Returns
    -------
    PercentScore
        ``detail`` has one row per band: ``band``, ``at_least``, ``n``, ``percent``.
    """
    ids: list[str] | None = None
    if isinstance(scores, (str, Path, TableRef, pd.DataFrame)):
        df, source = _read_table(scores, "training scores",
                                 "scores" if column == "score" else None)
        _require_columns(df, [column], source, "training scores")
        values = _numeric(df, column, source, low=0, high=100).to_numpy()
        if id_column in df.columns:
            ids = df[id_column].astype(str).tolist()
    else:
        values = check_in_range("scores", scores, 0, 100)
        values = np.atleast_1d(values)
    if values.size == 0:
        raise ValueError("scores must not be empty")
    labels = {b.label: b for b in bands.bands}
    if pass_label not in labels:
        raise ValueError(f"unknown pass_label {pass_label!r}; valid values are: "
                         f"{', '.join(labels)}")
    level = np.asarray(bands.level(values))
    passed = level >= labels[pass_label].level
    num, den = int(passed.sum()), int(values.size)
    t = _check_percent("target", target)
    counts = pd.Series(level).value_counts()
    rows = [(b.label or _TRAINING_LABELS.get(b.level, str(b.level)), b.at_least,
             int(counts.get(b.level, 0))) for b in bands.bands]
    rows.append((_TRAINING_LABELS.get(bands.below_level, "below"), None,
                 int(counts.get(bands.below_level, 0))))
    detail = pd.DataFrame(rows, columns=["band", "at_least", "n"])
    detail["percent"] = detail["n"] * 100 / den
    ids = ids or [f"trainee {i + 1}" for i in range(den)]
    return PercentScore(
        numerator=num, denominator=den, percent=num * 100 / den, target=t,
        target_met=_exact_at_least(num, den, t),
        met=(), missing=tuple(i for i, p in zip(ids, passed, strict=True) if not p),
        detail=detail)
