"""Step-completion KPIs (seed 004): steps done × 100 / planned steps, against a target.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..tables import TableRef
from ._bands import _check_percent
from ._inputs import _boolean, _read_table, _require_columns
from ._scores import PercentScore, _exact_at_least

__all__ = [
    "score_step_completion",
]


def score_step_completion(
    done: int | Sequence[bool] | Any,
    planned: int | None = None,
    *,
    target: float = 80,
    step_names: Sequence[str] | None = None,
) -> PercentScore:
    """Step-completion KPI (seed 004): steps done × 100 / planned steps, against a target.

    Parameters
    ----------
    done : int, sequence of bool, or path / DataFrame
        The number of steps done, one flag per planned step, or a steps file with columns
        ``step`` and ``status`` (yes/no; done/pending …).
    planned : int, optional
        Planned steps (required with an integer ``done``).
    target : float, default 80
        Target percent (seed 004: ร้อยละ 80; "ถ้าครบขั้นตอน คิดเป็นร้อยละ 100").
    step_names : sequence of str, optional
        Names of the steps for a flag sequence.

    Returns
    -------
    PercentScore
    """
    names: list[str] = []
    if isinstance(done, (str, Path, TableRef, pd.DataFrame)):
        df, source = _read_table(done, "steps", "steps")
        _require_columns(df, ["step", "status"], source, "steps")
        flags = _boolean(df, "status", source).to_numpy()
        names = df["step"].astype(str).tolist()
    elif isinstance(done, (int, np.integer)) and not isinstance(done, bool):
        if planned is None:
            raise ValueError("planned is required when done is a count")
        if isinstance(planned, bool) or not isinstance(planned, (int, np.integer)) or planned < 1:
            raise ValueError(f"planned must be a positive integer, got {planned!r}")
        if not 0 <= done <= planned:
            raise ValueError(f"done must be between 0 and planned={planned}, got {done!r}")
        flags = np.arange(planned) < done
    else:
        flags = np.asarray(done)
        if flags.dtype != bool:
            raise TypeError(f"done must be a count, booleans, or a steps file; got {done!r}")
        names = list(step_names) if step_names is not None else []
    if not names:
        names = [f"step {i + 1}" for i in range(len(flags))]
    if len(names) != len(flags):
        raise ValueError(f"step_names has {len(names)} names for {len(flags)} steps")
    if len(flags) == 0:
        raise ValueError("no planned steps")
    num, den = int(flags.sum()), len(flags)
    t = _check_percent("target", target)
    return PercentScore(
        numerator=num, denominator=den, percent=num * 100 / den, target=t,
        target_met=_exact_at_least(num, den, t),
        met=tuple(n for n, f in zip(names, flags, strict=True) if f),
        missing=tuple(n for n, f in zip(names, flags, strict=True) if not f))
