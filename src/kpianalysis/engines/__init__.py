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
from ..kinds import KINDS, applicable_options
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
        An unknown option name, or one that does not apply to the KPI's rubric kind (the
        valid names listed).
    ValueError
        An invalid option value (e.g. ``confidence=95``).
    kpianalysis.CatalogError
        The catalog has no inputs for that fiscal year.
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
    spec = KINDS[kpi.rubric_kind]
    usable = {*spec.rules, "data_status", *spec.options}
    for name, value in options.items():
        if name not in RULES and name not in ENGINE_OPTIONS:
            raise TypeError(f"evaluate() got an unknown option {name!r}; valid options are the "
                            f"rules {', '.join(RULES)} and {', '.join(ENGINE_OPTIONS)}")
        if name not in usable:
            raise TypeError(f"option {name!r} does not apply to KPI {code!r} (rubric kind "
                            f"{kpi.rubric_kind!r}); it uses {', '.join(sorted(usable))}")
        if name in RULES:
            rules[name] = RULES[name].check(value)
        else:
            engine_options[name] = _check_option(name, value)
    ctx = Context.create(cat, kpi, fiscal_year, Path(data_root), rules, engine_options)
    module = importlib.import_module(f".{spec.module}", __name__)
    return module.evaluate(ctx)


def evaluate_all(codes: Iterable[str] | None = None, **kwargs: Any) -> list[KPIResult]:
    """Evaluate several catalog KPIs (default, ``codes=None``: all) with the same arguments.

    Options that do not apply to a KPI's rubric kind are not passed to it
    (:func:`kpianalysis.kinds.applicable_options`).
    """
    cat = kwargs.pop("catalog", None)
    cat = cat if isinstance(cat, Catalog) else load_catalog(cat)
    fixed = {k: kwargs.pop(k) for k in ("fiscal_year", "data_root") if k in kwargs}
    return [evaluate(c, catalog=cat, **fixed,
                     **applicable_options(cat.get(c).rubric_kind, kwargs))
            for c in (cat.codes if codes is None else codes)]


def _check_option(name: str, value: Any) -> Any:
    """Validate an analysis option's value (the message names the option and the rule)."""
    if name == "confidence":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
            raise ValueError(f"confidence must be a proportion strictly between 0 and 1 "
                             f"(e.g. 0.95), got {value!r}")
    elif name in ("ci_method", "design_ci_method"):
        from ..design import DESIGN_PROPORTION_CI_METHODS as DESIGN_METHODS
        from ..proportion import PROPORTION_CI_NAMES

        valid = PROPORTION_CI_NAMES if name == "ci_method" else DESIGN_METHODS
        if value not in valid:
            raise ValueError(f"{name} must be one of {', '.join(sorted(valid))}, got {value!r}")
    elif name == "min_answered_share":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
            raise ValueError(f"min_answered_share must be in (0, 1], got {value!r}")
    return value


