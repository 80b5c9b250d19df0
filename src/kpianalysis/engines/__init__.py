"""Engines: one function turns a catalog KPI and its inputs into a :class:`KPIResult`.

:func:`evaluate` is the one public way to score a KPI. It looks the KPI up in the catalog,
resolves its inputs for the fiscal year under the data root (:mod:`kpianalysis.inputs`),
applies the §G rule choices (catalog defaults, overridden by keyword options) and calls the
engine of the KPI's rubric kind (:data:`kpianalysis.kinds.KINDS` → ``engines/<module>.py``).
Every engine returns a :class:`~kpianalysis.result.KPIResult`; nothing else scores a KPI.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..catalog import Catalog, load_catalog
from ..kinds import KINDS
from ..result import KPIResult
from ..rules import RULES
from ._context import ENGINE_OPTIONS, Context

__all__ = ["ENGINE_OPTIONS", "Context", "evaluate", "evaluate_all"]


def evaluate(code: str, *, fiscal_year: int | None = None,
             data_root: str | Path = "data/raw", catalog: Catalog | str | Path | None = None,
             **options: Any) -> KPIResult:
    """Evaluate one catalog KPI from its input files.

    Parameters
    ----------
    code : str
        Catalog code (``"sat-oss"``, ``"0411-2029"`` …).
    fiscal_year : int, optional
        Buddhist-Era fiscal year (default: the KPI's own ``fiscal_year`` in the catalog).
    data_root : path, default "data/raw"
        The folder the catalog's input paths are relative to.
    catalog : Catalog or path, optional
        Default: the packaged catalog.
    **options
        §G rule choices by name (``missing_answers="answered_mean"``,
        ``survey_rounds="latest"`` …, see :data:`kpianalysis.rules.RULES`) and analysis
        options (``confidence``, ``ci_method``, ``min_answered_share``, see
        :data:`ENGINE_OPTIONS`).

    Returns
    -------
    KPIResult

    Raises
    ------
    KeyError
        Unknown KPI code (close matches listed).
    TypeError
        An unknown option name (valid names listed).
    kpianalysis.rules.RuleError
        An unknown choice of a rule.
    kpianalysis.inputs.InputError
        A missing input file (named, relative to the data root).
    kpianalysis.DataValidationError
        A malformed input file (file, row, column and expectation named).
    """
    cat = catalog if isinstance(catalog, Catalog) else load_catalog(catalog)
    kpi = cat.get(code)
    rules = dict(kpi.rules)
    engine_options = {}
    for name, value in options.items():
        if name in RULES:
            rules[name] = RULES[name].check(value)
        elif name in ENGINE_OPTIONS:
            engine_options[name] = value
        else:
            raise TypeError(f"evaluate() got an unknown option {name!r}; valid options are the "
                            f"rules {', '.join(RULES)} and {', '.join(ENGINE_OPTIONS)}")
    spec = KINDS[kpi.rubric_kind]
    ctx = Context.create(cat, kpi, fiscal_year, Path(data_root), rules, engine_options)
    module = importlib.import_module(f".{spec.module}", __name__)
    return module.evaluate(ctx)


def evaluate_all(codes: Iterable[str] | None = None, **kwargs: Any) -> list[KPIResult]:
    """Evaluate several catalog KPIs (default: all) with the same keyword arguments."""
    cat = kwargs.pop("catalog", None)
    cat = cat if isinstance(cat, Catalog) else load_catalog(cat)
    return [evaluate(c, catalog=cat, **kwargs) for c in (codes or cat.codes)]


