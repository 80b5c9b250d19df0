"""Replicate-weight survey designs: jackknife, BRR, Fay's BRR and bootstrap.

A :class:`ReplicateDesign` carries the full-sample weights and ``R`` sets of replicate
weights. Every statistic is computed once with the full-sample weights and once with each
replicate's; its variance is

    v = scale * sum_r rscales[r] * (theta_r - centre)**2

with ``centre`` the mean of the replicates (or the full-sample estimate with ``mse=True``), as
R's ``survey`` package (``svrVar``; survey 4.1-1, Lumley 2010 ch. 2.3). A design comes from

* a linearisation design, :func:`as_replicate_design` (R's ``as.svrepdesign``): ``"JK1"``
  (unstratified delete-one-PSU jackknife), ``"JKn"`` (stratified jackknife), ``"BRR"`` and
  ``"Fay"`` (balanced repeated replication from a Hadamard matrix, :func:`hadamard`, as R's
  ``brrweights``), ``"bootstrap"`` (Canty & Davison's rescaled bootstrap, as R's
  ``bootweights``; random, seeded);
* replicate-weight columns an agency supplies, :meth:`ReplicateDesign.from_columns` and
  :func:`read_replicate_design` (R's ``svrepdesign``), which check that the columns fit the
  declared type.

Replicate estimates are matrix products: the sums of each outcome by unit (PSU, or row when
the weights are read from columns) times the ``units x R`` matrix of replicate factors, so a
million rows and 80 replicates take one pass over the data, no loop over rows or replicates.

References
----------
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley. (Ch. 2.3.)

Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed. Springer. (Ch. 3-5.)

Canty, A. J. and Davison, A. C. (1999). Resampling-based variance estimation for labour force
surveys. *The Statistician* 48(3), 379-391.

Judkins, D. R. (1990). Fay's method for variance estimation. *Journal of Official Statistics*
6(3), 223-239.

Woodruff, R. S. (1952). Confidence intervals for medians and other position measures.
*Journal of the American Statistical Association* 47, 635-646.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from ._results import ConfidenceInterval, Result, confidence_label, format_value
from ._validation import DataValidationError, check_choice, check_confidence, describe_values
from .design import (
    DomainEstimates,
    Estimate,
    SurveyDesign,
    _check_df,
    _domain_table,
    _first_rows,
    _get_column,
    _interval_label,
    _proportion_bounds,
    _t_interval,
)

__all__ = [
    "REPLICATE_QUANTILE_INTERVALS",
    "REPLICATE_QUANTILE_RULES",
    "REPLICATE_PROPORTION_CI_METHODS",
    "REPLICATE_TYPES",
    "ReplicateQuantiles",
    "ReplicateDesign",
    "as_replicate_design",
    "hadamard",
    "read_replicate_design",
]

logger = logging.getLogger(__name__)

ReplicateType = Literal["JK1", "JKn", "BRR", "Fay", "bootstrap", "other"]

#: Replicate-weight types (R's ``svrepdesign(type = ...)`` names).
REPLICATE_TYPES: tuple[str, ...] = ("JK1", "JKn", "BRR", "Fay", "bootstrap", "other")
#: Types :func:`as_replicate_design` builds from a linearisation design.
_CONSTRUCTED_TYPES: tuple[str, ...] = ("JK1", "JKn", "BRR", "Fay", "bootstrap")
#: Interval types of :meth:`ReplicateDesign.quantile` (R's ``interval.type`` names).
REPLICATE_QUANTILE_INTERVALS: tuple[str, ...] = ("mean", "quantile")
#: Quantile rules (R's ``qrule`` names; ``"math"`` is R's ``"hf1"``, ``"school"`` its ``"hf2"``).
REPLICATE_QUANTILE_RULES: tuple[str, ...] = ("math", "school")
#: Proportion intervals on replicate designs (R's ``svyciprop`` method names).
REPLICATE_PROPORTION_CI_METHODS: tuple[str, ...] = (
    "logit", "beta", "korn-graubard", "mean", "xlogit", "asin"
)

_RANK_TOL = 1e-5  # relative tolerance of R's degf: qr(weights(design, "analysis"), tol = 1e-5)
_SCALE_RTOL = 1e-6  # how closely a declared scale must match its type's
_CHUNK_ELEMENTS = 8_000_000  # bound on temporary (rows x replicates) arrays for quantiles


# --------------------------------------------------------------------------------------------
# Hadamard matrices (for BRR)
# --------------------------------------------------------------------------------------------


def _primes_3_mod_4(limit: int) -> np.ndarray:
    """Primes p <= limit with p % 4 == 3 (the orders p + 1 of Paley's first construction)."""
    sieve = np.ones(limit + 1, dtype=bool)
    sieve[:2] = False
    for k in range(2, math.isqrt(limit) + 1):
        if sieve[k]:
            sieve[k * k :: k] = False
    primes = np.flatnonzero(sieve)
    return primes[primes % 4 == 3]


_PALEY_PRIMES = _primes_3_mod_4(7919)
_BASE_ORDERS = (4, 16, 28, 36)  # orders survey 4.1-1 starts its search from


def _sylvester(order: int) -> np.ndarray:
    """Sylvester's Hadamard matrix of order ``2**k`` in 0/1 coding (1 for +1):
    ``H[i, j] = 1`` when ``i & j`` has an even number of bits."""
    idx = np.arange(order)
    bits = np.bitwise_and.outer(idx, idx)
    parity = np.zeros_like(bits)
    while np.any(bits):
        parity ^= bits & 1
        bits >>= 1
    return (1 - parity).astype(np.int8)


def _paley1(p: int) -> np.ndarray:
    """Paley's first construction, order ``p + 1`` for a prime ``p % 4 == 3``, 0/1 coded:
    a border of ones around ``Q[i, j] = 1`` iff ``(i + j) mod p`` is a quadratic non-residue."""
    residues = np.zeros(p, dtype=bool)
    residues[(np.arange(1, (p - 1) // 2 + 1) ** 2) % p] = True
    residues[0] = True  # zero counts with the residues
    k = np.add.outer(np.arange(p), np.arange(p)) % p
    q = (~residues[k]).astype(np.int8)
    h = np.ones((p + 1, p + 1), dtype=np.int8)
    h[1:, 1:] = q
    return h


def _paley2(q: int) -> np.ndarray:
    """Paley's second construction, order ``2 (q + 1)`` for a prime ``q % 4 == 1``, normalised
    so that its first row and column are ones (0/1 coded)."""
    residue = np.zeros(q, dtype=bool)
    residue[(np.arange(1, q) ** 2) % q] = True
    diff = np.subtract.outer(np.arange(q), np.arange(q)) % q
    jac = np.where(diff == 0, 0, np.where(residue[diff], 1, -1))
    conf = np.zeros((q + 1, q + 1), dtype=int)
    conf[0, 1:] = 1
    conf[1:, 0] = 1
    conf[1:, 1:] = jac
    plus = np.array([[1, 1], [1, -1]])
    minus = np.array([[1, -1], [-1, -1]])
    h = np.kron(conf, plus) + np.kron(np.eye(q + 1, dtype=int), minus)
    h = h * h[0][None, :]  # normalise: first row +1
    h = h * h[:, 0][:, None]  # and first column
    return (h > 0).astype(np.int8)


def _double(h: np.ndarray) -> np.ndarray:
    """Order-doubling ``[[H, H], [H, 1 - H]]`` (0/1 coding)."""
    return np.block([[h, h], [h, 1 - h]]).astype(np.int8)


def _base(order: int) -> np.ndarray:
    if order in (4, 16):
        return _sylvester(order)
    return _paley2((order - 2) // 2)  # 28 = 2 (13 + 1), 36 = 2 (17 + 1)


def _paley_search(n: int, nmax: float) -> np.ndarray | None:
    """A Paley-type matrix of order > n and <= nmax, or None (the search of survey 4.1-1)."""
    nceil = n + 4 - n % 4
    if n % 4 + 4 == n % 8:  # n % 8 in 4..7: try a smaller Paley matrix doubled up to nceil
        nn = nceil
        while nn % 8 == 0:
            nn //= 2
        if nn - 1 in _PALEY_PRIMES:
            h = _paley1(nn - 1)
            while nn < nceil:
                h = _double(h)
                nn *= 2
            return h
    if n > _PALEY_PRIMES[-1]:
        return None
    p = int(_PALEY_PRIMES[_PALEY_PRIMES >= n][0])
    if p + 1 > nceil + 4 and nceil + 4 < nmax:
        return _paley_search(nceil + 3, 2 * (nceil + 3))
    if p > nmax:
        return None
    return _paley1(p)


def hadamard(n: int) -> np.ndarray:
    """A Hadamard matrix with more than ``n`` rows, 0/1 coded, as R's ``survey:::hadamard``.

    BRR with ``n`` (pseudo-)strata uses rows 2 to ``n + 1`` (one per stratum) and every column
    (one per replicate), so any Hadamard matrix of order above ``n`` whose first row is all
    ones gives a fully balanced set of half-samples.

    Parameters
    ----------
    n : int
        Number of strata, >= 0.

    Returns
    -------
    numpy.ndarray
        Square ``int8`` matrix of 0 and 1 (1 standing for +1) whose first row and first column
        are ones.

    Notes
    -----
    The order is the one survey 4.1-1 chooses: the smallest of 4, 16, 28 or 36 that exceeds
    ``n`` by at most 4, else the best of those orders doubled, unless Paley's first
    construction (order ``p + 1``, ``p`` prime, ``p % 4 == 3``) fits better. Orders
    ``2**k`` are Sylvester's matrices and orders ``p + 1`` Paley's in R's row order, so they
    are R's own matrices. For orders 28 and 36 (and their doublings) R uses stored matrices;
    this function builds them by Paley's second construction instead, a different but equally
    balanced set: BRR standard errors of totals are then R's exactly, those of non-linear
    statistics (means, ratios) differ slightly.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise ValueError(f"n must be an integer >= 0; got {n!r}")
    n = int(n)
    m = n - n % 4
    for order in _BASE_ORDERS:  # a base order just above n
        if m < order <= m + 4:
            return _base(order)
    sizes = [b * 2 ** max(0, math.ceil(math.log2((n + 1) / b))) for b in _BASE_ORDERS]
    best = int(np.argmin([s - n for s in sizes]))
    h = None
    if sizes[best] - n > 4:
        h = _paley_search(n, sizes[best])
    if h is None:
        h = _base(_BASE_ORDERS[best])
        for _ in range(int(math.log2(sizes[best] // _BASE_ORDERS[best]))):
            h = _double(h)
    return h


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class ReplicateQuantiles(Result):
    """Quantiles of one column on a replicate design, with their intervals.

    Attributes
    ----------
    variable : str
        The outcome column.
    table : pandas.DataFrame
        One row per (domain and) probability: the ``by`` columns if any, then ``probability``,
        ``quantile``, ``ci_low``, ``ci_high``, ``se``, ``n``, ``df``. ``se`` is the interval's
        half-width over its t quantile, as R reports it.
    interval_type : str
        ``"mean"`` (Woodruff) or ``"quantile"`` (replicate quantiles), R's names.
    qrule : str
        The quantile rule (R's ``qrule``).
    confidence : float
        Nominal coverage.
    by : tuple of str
        Domain columns (empty for the whole sample).
    notes : tuple of str
        Interval ends that are undefined (``NaN`` in the table) and why.
    method : str
        How the quantiles and intervals were computed.
    """

    variable: str
    table: pd.DataFrame
    interval_type: str
    qrule: str
    confidence: float
    by: tuple[str, ...]
    notes: tuple[str, ...]
    method: str

    def _summary_lines(self) -> list[str]:
        text = self.table.to_string(index=False, float_format=lambda v: format_value(v))
        return [
            f"ReplicateQuantiles of {self.variable} ({confidence_label(self.confidence)} CI)",
            f"method: {self.method}",
            *text.splitlines(),
            *self.notes,
        ]


# --------------------------------------------------------------------------------------------
# The design
# --------------------------------------------------------------------------------------------


def _svr_var(thetas: np.ndarray, coef: np.ndarray, scale: float, rscales: np.ndarray,
             mse: bool) -> tuple[np.ndarray, np.ndarray]:
    """Replicate variance of each column of ``thetas`` (R x k), as R's ``svrVar``.

    Replicates whose statistic is not finite (e.g. a mean over a domain the replicate drops)
    are left out of that column, as R's ``na.action``. Returns (variance, replicates used).
    """
    ok = np.isfinite(thetas)
    use = ok & (rscales > 0)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = coef if mse else np.where(use, thetas, 0.0).sum(axis=0) / use.sum(axis=0)
        dev = np.where(ok, thetas - centre[None, :], 0.0)
    var = scale * (rscales[:, None] * dev**2).sum(axis=0)
    return var, ok.sum(axis=0)


class ReplicateDesign:
    """A survey sample with replicate weights.

    Build one with :func:`as_replicate_design` (from a :class:`~kpianalysis.SurveyDesign`),
    :meth:`from_columns` (replicate-weight columns in a frame) or
    :func:`read_replicate_design` (from a file); the constructor itself is internal.

    The analysis weight of row ``i`` in replicate ``r`` is ``mult[i] * factors[unit[i], r]``:
    for a design built from a linearisation design the units are PSUs and ``mult`` the
    sampling weights (R's compressed replicate weights); for weights read from columns the
    units are rows and ``mult`` is 1 (combined weights) or the sampling weights.
    """

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        weights: np.ndarray,
        factors: np.ndarray,
        unit: np.ndarray | None,
        mult: np.ndarray,
        type: str,
        scale: float,
        rscales: np.ndarray,
        rho: float | None,
        mse: bool,
        confidence: float = 0.95,
        source: str | None = None,
        label: str = "",
    ) -> None:
        self.data = data
        self.type = type
        self.scale = float(scale)
        self.rscales = np.asarray(rscales, dtype=float)
        self.rho = rho
        self.mse = bool(mse)
        self.confidence = check_confidence(confidence)
        self.source = source
        self._label = label
        self._pw = np.asarray(weights, dtype=float)
        self._factors = np.asarray(factors, dtype=float)  # C or Fortran order
        self._unit = unit
        self._mult = np.asarray(mult, dtype=float)
        self._n = len(data)
        self._rank_rows: tuple[np.ndarray, np.ndarray] | None = None
        self._df_full: int | None = None

    # ---- construction from columns -----------------------------------------------------------

    @classmethod
    def from_columns(
        cls,
        data: pd.DataFrame,
        *,
        repweights: Sequence[str] | str,
        type: ReplicateType,
        weights: str | None = None,
        scale: float | None = None,
        rscales: Sequence[float] | float | None = None,
        rho: float | None = None,
        combined_weights: bool = True,
        mse: bool = False,
        confidence: float = 0.95,
        source: str | None = None,
    ) -> ReplicateDesign:
        """A replicate design from replicate-weight columns (R's ``svrepdesign``).

        Parameters
        ----------
        data : pandas.DataFrame
            One row per respondent, with the full-sample and replicate weight columns.
        repweights : sequence of str or str
            The replicate-weight columns in replicate order, or a regular expression that
            selects them (as R's ``repweights = "wt[0-9]+"``), matched against the whole name.
        type : {"JK1", "JKn", "BRR", "Fay", "bootstrap", "other"}
            How the replicates were formed; fixes ``scale`` and ``rscales`` as in R:
            ``"JK1"``: ``scale = (R - 1) / R``; ``"JKn"``: ``rscales`` must be given
            (``(n_h - 1) / n_h`` of each replicate's stratum), ``scale = 1``; ``"BRR"``:
            ``scale = 1 / R``, ``R`` a Hadamard order (a multiple of 4); ``"Fay"``:
            ``scale = 1 / (R (1 - rho)**2)``, ``rho`` in (0, 1), ``R`` a multiple of 4;
            ``"bootstrap"``: ``scale = 1 / (R - 1)`` unless given (R's
            ``bootstrap.average = 1``); ``"other"``: ``scale`` and ``rscales`` as given.
        weights : str, optional
            The full-sample weight column (R's ``weights``); omitted: all 1.
        scale, rscales : optional
            Only to confirm the type's (a mismatch is an error: use ``type="other"`` for
            another rule), except for ``"JKn"`` (``rscales`` required), ``"bootstrap"``
            (any ``scale``) and ``"other"``.
        rho : float, optional
            Fay's coefficient, for ``type="Fay"`` only.
        combined_weights : bool, default True
            The columns hold the replicates' analysis weights (R's default). False: they hold
            factors that multiply the full-sample weights.
        mse : bool, default False
            Centre the replicates at the full-sample estimate (R's ``mse = TRUE``) instead of
            their mean.
        confidence : float, default 0.95
            Default coverage of the intervals.
        source : str, optional
            The file the frame came from, named in errors.

        Raises
        ------
        DataValidationError
            A replicate-weight column is absent, not numeric, missing, negative or infinite, or
            all zero; the number of columns or the scale does not fit ``type``.
        """
        if not isinstance(data, pd.DataFrame):
            raise TypeError(f"data must be a pandas DataFrame, got {data.__class__.__name__}")
        if len(data) == 0:
            raise DataValidationError("the replicate-weight data have no rows", source=source)
        rtype = check_choice("type", type, REPLICATE_TYPES)
        columns = _select_columns(data, repweights, source)
        n_rep = len(columns)
        reps = _weight_block(data, columns, source)
        empty = ~(reps.max(axis=0) > 0)
        if np.any(empty):
            raise DataValidationError(
                "a replicate-weight column must have a positive weight in some row; this one "
                "is all zero", source=source, column=str(columns[int(np.argmax(empty))]))
        if weights is not None:
            pw = _weight_column(data, weights, source, "full-sample weight")
        else:
            logger.info("no full-sample weights given: equal weights (as R, with a warning)")
            pw = np.ones(len(data))
        scale_v, rscales_v, rho_v = _type_scales(rtype, n_rep, scale, rscales, rho, source,
                                                 columns)
        # R's check of the kind of weights (a warning there, a log warning here)
        rep_mean = float(reps.mean())
        pw_mean = float(pw.mean())
        if combined_weights and rep_mean < 5 and pw_mean / rep_mean > 5:
            logger.warning("the replicate columns do not look like combined weights (mean %.4g "
                           "against a mean sampling weight of %.4g): factors need "
                           "combined_weights=False", rep_mean, pw_mean)
        if not combined_weights and rep_mean > 5 and pw_mean / rep_mean < 5:
            logger.warning("the replicate columns look like combined weights (mean %.4g "
                           "against a mean sampling weight of %.4g)", rep_mean, pw_mean)
        mult = np.ones(len(data)) if combined_weights else pw
        label = f"{rtype}, {n_rep} replicate-weight columns"
        return cls(data, weights=pw, factors=reps, unit=None, mult=mult, type=rtype,
                   scale=scale_v, rscales=rscales_v, rho=rho_v, mse=mse,
                   confidence=confidence, source=source, label=label)

    # ---- properties --------------------------------------------------------------------------

    @property
    def n(self) -> int:
        """Number of rows."""
        return self._n

    @property
    def n_replicates(self) -> int:
        """Number of replicates ``R``."""
        return int(self._factors.shape[1])

    @property
    def weights(self) -> np.ndarray:
        """The full-sample (sampling) weights, as a new array."""
        return self._pw.copy()

    def replicate_weights(self) -> np.ndarray:
        """The ``n x R`` matrix of analysis weights (R's ``weights(design, "analysis")``)."""
        f = self._factors if self._unit is None else self._factors[self._unit]
        return self._mult[:, None] * f

    @property
    def df(self) -> int:
        """Degrees of freedom: rank of the replicate analysis weights minus one (R's ``degf``)."""
        if self._df_full is None:
            self._df_full = self._rank(np.ones(self._n, dtype=bool)) - 1
        return self._df_full

    def __repr__(self) -> str:
        return (f"ReplicateDesign(n={self._n}, type={self.type!r}, "
                f"replicates={self.n_replicates}, scale={self.scale:.6g}, mse={self.mse})")

    # ---- internals -----------------------------------------------------------------------------

    def _rank(self, rows: np.ndarray) -> int:
        """Rank of the analysis weights of the rows ``rows`` (R's ``degf`` plus one)."""
        rows = rows & (self._mult > 0)
        if self._unit is not None:
            units = np.unique(self._unit[rows])
            mat = self._factors[units]
        else:
            if self._rank_rows is None:
                self._rank_rows = _distinct_rows(self._factors)
            rep_id, rep_rows = self._rank_rows
            present = rep_id[rows]
            seen = np.bincount(present[present >= 0], minlength=len(rep_rows)) > 0
            mat = rep_rows[seen]
        return _matrix_rank(mat)

    def _rep_sums(self, values: np.ndarray, codes: np.ndarray, ndom: int) -> np.ndarray:
        """Replicate sums ``sum_i mult_i F[unit_i, r] values[i, j]`` of each column ``j`` of
        ``values`` (n x m) by domain: (R, ndom, m). One pass over the replicate factors."""
        v = self._mult[:, None] * values
        m = v.shape[1]
        if self._unit is not None:
            n_units = self._factors.shape[0]
            flat = ((self._unit * ndom + codes)[:, None] * m + np.arange(m)).ravel()
            by_unit = np.bincount(flat, weights=v.ravel(), minlength=n_units * ndom * m)
            out = self._factors.T @ by_unit.reshape(n_units, ndom * m)
            return out.reshape(-1, ndom, m)
        if ndom == 1:
            # one matrix-vector product per column of values (a few): faster than a
            # matrix product with a 2-column right-hand side in OpenBLAS
            ft = self._factors.T
            return np.column_stack([ft @ np.ascontiguousarray(v[:, j])
                                    for j in range(m)])[:, None, :]
        from scipy import sparse

        # rows of the indicator: (domain, column) pairs; one sparse product over the rows
        rows = (codes[:, None] * m + np.arange(m)).ravel()
        cols = np.repeat(np.arange(self._n), m)
        ind = sparse.csr_matrix((v.ravel(), (rows, cols)), shape=(ndom * m, self._n))
        return np.asarray((ind @ self._factors).T).reshape(-1, ndom, m)

    def _outcome(self, column: str, statistic: str, na_rm: bool, level: Any) -> np.ndarray:
        # same checks as the linearisation design (numeric, 0/1, missing values)
        return SurveyDesign._outcome(self, column, statistic, na_rm, level)  # type: ignore[arg-type]

    def _domains(self, by: str | Sequence[str] | None
                 ) -> tuple[np.ndarray, int, pd.DataFrame | None, tuple[str, ...]]:
        return SurveyDesign._domains(self, by)  # type: ignore[arg-type]

    def _domain_df(self, codes: np.ndarray, ndom: int, whole: bool) -> np.ndarray:
        """R's ``degf``: of the design for the whole sample, of each domain's subset (as
        ``svyby`` makes them) for domains."""
        if whole:
            return np.array([self.df])
        return np.array([self._rank(codes == d) - 1 for d in range(ndom)])

    def _describe(self) -> str:
        mse = ", mse" if self.mse else ""
        return f"replicate weights ({self._label}{mse})"

    # ---- estimators --------------------------------------------------------------------------

    def mean(self, column: str, *, by: str | Sequence[str] | None = None, na_rm: bool = False,
             confidence: float | None = None, df: float | None = None
             ) -> Estimate | DomainEstimates:
        """Mean of a numeric column, overall or by domain (R's ``svymean``, ``svyby``).

        Parameters
        ----------
        column : str
            Numeric (or boolean) outcome column.
        by : str or sequence of str, optional
            Domain column(s): one estimate per observed combination, each from the rows of
            its domain (as R's ``svyby``, which subsets the design).
        na_rm : bool, default False
            Leave out rows with a missing outcome; without it a missing value is an error.
        confidence : float, optional
            Coverage of the interval (default: the design's).
        df : float, optional
            Degrees of freedom of the t interval in place of the design's (R's ``degf``, of
            the domain's subset for domains); ``float("inf")`` gives R's default normal
            ``confint``.

        Returns
        -------
        Estimate or DomainEstimates
            ``deff`` against simple random sampling without replacement (R's
            ``deff = TRUE``).
        """
        return self._estimate(column, by, "mean", na_rm, confidence, None, None, df)

    def total(self, column: str, *, by: str | Sequence[str] | None = None, na_rm: bool = False,
              confidence: float | None = None, df: float | None = None
              ) -> Estimate | DomainEstimates:
        """Total of a numeric column, overall or by domain (R's ``svytotal``, ``svyby``).

        Parameters are as for :meth:`mean`.
        """
        return self._estimate(column, by, "total", na_rm, confidence, None, None, df)

    def proportion(self, column: str, *, level: Any = None,
                   by: str | Sequence[str] | None = None, na_rm: bool = False,
                   confidence: float | None = None, ci_method: str = "logit",
                   df: float | None = None) -> Estimate | DomainEstimates:
        """Proportion of a 0/1 or boolean column, or of ``column == level``, with R's
        ``svyciprop`` intervals computed on the replicates.

        Parameters
        ----------
        column, level, by, na_rm, confidence, df
            As for :meth:`mean` (``level`` as for :meth:`SurveyDesign.proportion`).
        ci_method : {"logit", "beta", "korn-graubard", "mean", "xlogit", "asin"}
            ``"logit"``: the logit of the proportion is replicated and its replicate variance
            gives a t interval on the logit scale (R's ``method = "logit"``, a ``svyglm`` fit
            per replicate). ``"beta"`` (alias ``"korn-graubard"``): Clopper-Pearson on the
            effective sample size, df-adjusted (Korn & Graubard 1998). ``"mean"``:
            ``p ± t se``, not clipped; the label says when it leaves [0, 1]. ``"xlogit"``,
            ``"asin"``: delta-method intervals on the logit and arcsine-square-root scales.
            (``Estimate.confint`` on the result recomputes an interval from the estimate and
            its SE alone, i.e. by the linearisation formulas of
            :func:`~kpianalysis.proportion_interval`, where ``"logit"`` is R's ``"xlogit"``.)

        Returns
        -------
        Estimate or DomainEstimates
        """
        ci_method = check_choice("ci_method", ci_method, REPLICATE_PROPORTION_CI_METHODS)
        return self._estimate(column, by, "proportion", na_rm, confidence, ci_method, level, df)

    def _estimate(self, column: str, by: str | Sequence[str] | None, statistic: str,
                  na_rm: bool, confidence: float | None, ci_method: str | None, level: Any,
                  ci_df: float | None) -> Estimate | DomainEstimates:
        confidence = self.confidence if confidence is None else check_confidence(confidence)
        ci_df = _check_df(ci_df)
        y = self._outcome(column, statistic, na_rm, level)
        codes, ndom, labels, by_names = self._domains(by)
        valid = ~np.isnan(y)
        yv = np.where(valid, y, 0.0)
        ind = valid.astype(float)
        pw = np.where(valid, self._pw, 0.0)
        n_d = _dsum(codes, ndom, valid & (pw > 0)).astype(np.int64)
        if np.any(n_d == 0):
            empty = int(np.flatnonzero(n_d == 0)[0])
            what = "the design" if labels is None else repr(tuple(labels.iloc[empty]))
            raise ValueError(f"domain {what} has no rows with a non-missing {column!r} and a "
                             "positive weight")
        tot = _dsum(codes, ndom, pw * yv)
        size = _dsum(codes, ndom, pw)
        if statistic == "total":
            est, reps = tot, self._rep_sums((yv * ind)[:, None], codes, ndom)[:, :, 0]
        else:
            sums = self._rep_sums(np.column_stack([yv * ind, ind]), codes, ndom)
            est = tot / size
            with np.errstate(invalid="ignore", divide="ignore"):
                reps = sums[:, :, 0] / sums[:, :, 1]
        var, used = _svr_var(reps, est, self.scale, self.rscales, self.mse)
        _warn_dropped(used, self.n_replicates, column)
        se = np.sqrt(np.maximum(var, 0.0))
        df = self._domain_df(codes, ndom, labels is None)
        deff, n_eff = _deff(yv, pw, codes, ndom, valid, est, var, statistic)
        if statistic == "proportion":
            assert ci_method is not None
            low, high, ci_label = _replicate_prop_ci(
                est, se, reps, n_d, df, confidence, ci_method, ci_df, self)
        else:
            q_df = df if ci_df is None else np.full(ndom, ci_df)
            low, high = _t_interval(est, se, q_df, confidence)
            ci_label = _interval_label(ci_df)
        method = f"{self._describe()}; {statistic}; {ci_label}"
        if labels is None:
            return Estimate(estimate=float(est[0]), se=float(se[0]),
                            ci=ConfidenceInterval(float(low[0]), float(high[0]), confidence,
                                                  ci_label),
                            deff=float(deff[0]), n_eff=float(n_eff[0]), n=int(n_d[0]),
                            df=int(df[0]), method=method, variable=str(column),
                            statistic=statistic)
        table = _domain_table(labels, est, se, low, high, deff, n_eff, n_d, df)
        return DomainEstimates(variable=str(column), statistic=statistic, by=by_names,
                               table=table, confidence=confidence, method=method)

    # ---- quantiles ---------------------------------------------------------------------------

    def quantile(self, column: str, probs: float | Sequence[float] = 0.5, *,
                 interval_type: str = "mean", qrule: str = "math",
                 by: str | Sequence[str] | None = None, na_rm: bool = False,
                 confidence: float | None = None, df: float | None = None
                 ) -> ReplicateQuantiles:
        """Quantiles with intervals, as R's ``svyquantile`` on a replicate design (survey 4.1-1).

        Parameters
        ----------
        column : str
            Numeric outcome column.
        probs : float or sequence of float
            Probabilities in [0, 1].
        interval_type : {"mean", "quantile"}, default "mean"
            R's ``interval.type``. ``"mean"``: Woodruff's interval: the proportion of the
            population at or below the estimated quantile, with its replicate standard error,
            gets a t interval, whose ends are turned back into quantiles by ``qrule`` with the
            full-sample weights (an end outside [0, 1] is undefined, ``NaN``, and listed in
            ``notes``). ``"quantile"``: the quantile itself is computed with each replicate's
            weights, and their replicate variance gives ``quantile ± t se`` (R warns that
            jackknife replicates may not give valid standard errors for quantiles; so does
            this method, in the log). R 4.1-1 also accepts ``"beta"``, ``"xlogit"`` and
            ``"asin"`` on replicate designs but computes them as ``"mean"``; they are not
            offered here.
        qrule : {"math", "school"}, default "math"
            R's ``qrule``: ``"math"`` (R's ``"hf1"``): the smallest value whose weighted
            cumulative share reaches the probability; ``"school"`` (``"hf2"``): the average of
            the two values around it when the share is met exactly. As R, when even the
            smallest value's weight exceeds ``p`` the rule returns the second smallest value.
        by : str or sequence of str, optional
            Domain column(s): the quantiles of each domain's rows (as R's ``svyby``).
        na_rm : bool, default False
            Leave out rows with a missing outcome.
        confidence : float, optional
            Coverage (default: the design's).
        df : float, optional
            Degrees of freedom of the t quantile in place of R's ``degf`` of the rows used;
            ``float("inf")``: normal.

        Returns
        -------
        ReplicateQuantiles
        """
        interval_type = check_choice("interval_type", interval_type, REPLICATE_QUANTILE_INTERVALS)
        qrule = check_choice("qrule", qrule, REPLICATE_QUANTILE_RULES)
        confidence = self.confidence if confidence is None else check_confidence(confidence)
        ci_df = _check_df(df)
        p_arr = np.atleast_1d(np.asarray(probs, dtype=float))
        if p_arr.ndim != 1 or p_arr.size == 0 or np.any(~((p_arr >= 0) & (p_arr <= 1))):
            raise ValueError(f"probs must be probabilities in [0, 1]; got {probs!r}")
        if interval_type == "quantile" and self.type in ("JK1", "JKn"):
            logger.warning("jackknife replicate weights may not give valid standard errors "
                           "for quantiles (as R warns)")
        y = self._outcome(column, "mean", na_rm, None)
        codes, ndom, labels, by_names = self._domains(by)
        valid_all = ~np.isnan(y)
        rows_out: list[dict[str, Any]] = []
        notes: list[str] = []
        for d in range(ndom):
            rows = valid_all & (codes == d)
            dom_label = None if labels is None else labels.iloc[d].to_dict()
            if not (rows & (self._pw > 0)).any():
                raise ValueError(f"domain {dom_label or '(all)'} has no rows with a "
                                 f"non-missing {column!r} and a positive weight")
            q_df = self._rank(rows) - 1 if ci_df is None else ci_df
            res = self._quantiles_of(y, rows, p_arr, interval_type, qrule, confidence, q_df)
            for k, p in enumerate(p_arr):
                entry = dict(dom_label or {})
                entry.update(probability=float(p), quantile=res[0][k], ci_low=res[1][k],
                             ci_high=res[2][k], se=res[3][k], n=int(rows.sum()),
                             df=float(q_df) if ci_df is not None else int(q_df))
                rows_out.append(entry)
                for end, value in (("lower", res[1][k]), ("upper", res[2][k])):
                    if np.isnan(value):
                        where = "" if dom_label is None else f" in domain {dom_label}"
                        notes.append(
                            f"{end} end for p = {p:g}{where} undefined: the interval of the "
                            "proportion at or below the quantile leaves [0, 1] (R gives NaN)")
        table = pd.DataFrame(rows_out)
        method = (f"{self._describe()}; quantile (qrule {qrule!r}); interval.type "
                  f"{interval_type!r}"
                  + (" (Woodruff)" if interval_type == "mean" else " (replicate quantiles)")
                  + f"; {_interval_label(ci_df)}")
        return ReplicateQuantiles(variable=str(column), table=table, interval_type=interval_type,
                                 qrule=qrule, confidence=confidence, by=by_names,
                                 notes=tuple(notes), method=method)

    def _quantiles_of(self, y: np.ndarray, rows: np.ndarray, probs: np.ndarray,
                      interval_type: str, qrule: str, confidence: float, df: float
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        idx = np.flatnonzero(rows)
        order = idx[np.argsort(y[idx], kind="stable")]
        x = y[order]
        w = self._pw[order]
        qhat = _qrule(x, w[:, None], probs, qrule)[:, 0] if x.size else np.full(probs.size,
                                                                                 np.nan)
        tq = float(stats.norm.ppf(0.5 + confidence / 2) if np.isinf(df)
                   else stats.t.ppf(0.5 + confidence / 2, max(df, 1.0)))
        if interval_type == "quantile":
            reps = self._replicate_quantiles(order, x, probs, qrule)
            var, used = _svr_var(reps, qhat, self.scale, self.rscales, self.mse)
            _warn_dropped(used, self.n_replicates, "quantile")
            se = np.sqrt(np.maximum(var, 0.0))
            low, high = qhat - tq * se, qhat + tq * se
            return qhat, low, high, se
        # Woodruff: the CDF at the quantile, its replicate SE, a t interval, back-transformed
        mask = np.zeros(self._n, dtype=bool)
        mask[idx] = True
        codes = np.zeros(self._n, dtype=np.int64)
        ind = mask.astype(float)
        below = (y[None, :] <= qhat[:, None]) & mask[None, :]  # (k, n), k = len(probs)
        pw = np.where(mask, self._pw, 0.0)
        size = pw.sum()
        sums = self._rep_sums(np.column_stack([ind, below.T.astype(float)]), codes, 1)[:, 0]
        low = np.empty(probs.size)
        high = np.empty(probs.size)
        for k in range(probs.size):  # a handful of probabilities, not rows
            z = below[k].astype(float)
            pm = float((pw * z).sum() / size)
            with np.errstate(invalid="ignore", divide="ignore"):
                reps = sums[:, k + 1] / sums[:, 0]
            var, used = _svr_var(reps[:, None], np.array([pm]), self.scale, self.rscales,
                                 self.mse)
            se_p = math.sqrt(max(float(var[0]), 0.0))
            lo_p, hi_p = pm - tq * se_p, pm + tq * se_p
            bounds = _qrule(x, w[:, None], np.array([max(lo_p, 0.0), min(hi_p, 1.0)]),
                            qrule)[:, 0]
            low[k] = np.nan if (np.isnan(lo_p) or lo_p < 0) else bounds[0]
            high[k] = np.nan if (np.isnan(hi_p) or hi_p > 1) else bounds[1]
        se = (high - low) / (2 * tq)
        return qhat, low, high, se

    def _replicate_quantiles(self, order: np.ndarray, x: np.ndarray, probs: np.ndarray,
                             qrule: str) -> np.ndarray:
        """Quantiles under each replicate's weights: (R, len(probs))."""
        n_rep = self.n_replicates
        out = np.empty((n_rep, probs.size))
        step = max(1, _CHUNK_ELEMENTS // max(order.size, 1))
        for start in range(0, n_rep, step):
            cols = slice(start, min(n_rep, start + step))
            f = self._factors[:, cols]
            wr = self._mult[order][:, None] * (f[order] if self._unit is None
                                               else f[self._unit[order]])
            out[cols] = _qrule(x, wr, probs, qrule).T
        return out


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _qrule(x: np.ndarray, w: np.ndarray, probs: np.ndarray, rule: str) -> np.ndarray:
    """R's ``qrule_math`` / ``qrule_school`` for sorted ``x`` and each column of weights
    ``w`` (n x k) at once: (len(probs), k).

    Zero weights are left out (as R); cumulative sums are accumulated in extended precision
    and rounded to double, as R's ``cumsum`` and ``sum``, so that the test for a share met
    exactly gives R's answer.
    """
    nz = w > 0
    wl = np.where(nz, w, 0.0).astype(np.longdouble)
    cum = np.cumsum(wl, axis=0).astype(float)
    total = wl.sum(axis=0).astype(float)
    nz_cum = np.cumsum(nz, axis=0)
    n_nz = nz_cum[-1]
    out = np.empty((probs.size, w.shape[1]))
    for k, p in enumerate(probs):  # a handful of probabilities
        target = p * total
        count = (nz & (cum <= target[None, :])).sum(axis=0)
        pos = np.maximum(count, 1)  # R's last(): position 1 when no share is reached
        posnext = np.where(pos == n_nz, pos, pos + 1)
        i_low = np.argmax(nz & (nz_cum == pos[None, :]), axis=0)
        i_up = np.argmax(nz & (nz_cum == posnext[None, :]), axis=0)
        cols = np.arange(w.shape[1])
        wlow = p - cum[i_low, cols] / total
        q_low = x[i_low]
        q_up = x[i_up]
        exact = wlow == 0
        if rule == "math":
            out[k] = np.where(exact, q_low, q_up)
        else:
            out[k] = np.where(exact, (q_low + q_up) / 2, q_up)
    return out


def _replicate_prop_ci(est: np.ndarray, se: np.ndarray, reps: np.ndarray, n_d: np.ndarray,
                       df: np.ndarray, confidence: float, method: str, ci_df: float | None,
                       design: ReplicateDesign) -> tuple[np.ndarray, np.ndarray, str]:
    q_df = np.maximum(df if ci_df is None else np.full(est.size, ci_df), 1.0)
    tq = stats.t.ppf(0.5 + confidence / 2, q_df)
    if method in ("beta", "korn-graubard"):
        low, high, boundary = _proportion_bounds(est, se, n_d, df, confidence, "korn-graubard",
                                                 ci_df)
        label = "korn-graubard" + (" (Clopper-Pearson at boundary)" if np.any(boundary)
                                   else "")
        return low, high, label
    if method == "mean":
        low, high = est - tq * se, est + tq * se
        out = (low < 0) | (high > 1)
        return low, high, "mean (unclipped" + ("; leaves [0, 1]" if np.any(out) else "") + ")"
    inner = (est > 0) & (est < 1)
    if not np.all(inner):
        raise ValueError(
            f"ci_method {method!r} needs a proportion strictly between 0 and 1; got "
            f"{describe_values(est[~inner])}; use ci_method='beta' at the boundary")
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "logit":
            eta = np.log(est / (1 - est))
            rep_eta = np.log(reps / (1 - reps))
            # a replicate proportion of 0 or 1 has an infinite logit: the variance is then
            # infinite and the interval [0, 1] (R's svyglm stops its iterations at a large
            # finite logit instead and gives nearly [0, 1]); NaN replicates (no weight in the
            # domain) are left out, as R
            infinite = np.isinf(rep_eta) & (design.rscales > 0)[:, None]
            var, used = _svr_var(np.where(infinite, np.nan, rep_eta), eta, design.scale,
                                 design.rscales, design.mse)
            _warn_dropped(used + infinite.sum(axis=0), design.n_replicates,
                          "logit of the proportion")
            var = np.where(infinite.any(axis=0), np.inf, var)
            half = tq * np.sqrt(var)
            label = "logit" + (" (a replicate proportion at 0 or 1: interval [0, 1])"
                               if np.any(infinite) else "")
            return 1 / (1 + np.exp(-(eta - half))), 1 / (1 + np.exp(-(eta + half))), label
        if method == "xlogit":
            eta = np.log(est / (1 - est))
            half = tq * se / (est * (1 - est))
            return 1 / (1 + np.exp(-(eta - half))), 1 / (1 + np.exp(-(eta + half))), "xlogit"
        # asin: delta method on asin(sqrt(p)); sin(.)**2 back, not clipped (as R)
        eta = np.arcsin(np.sqrt(est))
        half = tq * se / (2 * np.sqrt(est * (1 - est)))
        return np.sin(eta - half) ** 2, np.sin(eta + half) ** 2, "asin"


def _dsum(codes: np.ndarray, ndom: int, values: np.ndarray) -> np.ndarray:
    """Sums of ``values`` by domain code (a plain sum for the whole sample)."""
    if ndom == 1:
        return np.array([values.sum(dtype=float)])
    return np.bincount(codes, weights=values, minlength=ndom)


def _deff(yv: np.ndarray, pw: np.ndarray, codes: np.ndarray, ndom: int, valid: np.ndarray,
          est: np.ndarray, var: np.ndarray, statistic: str) -> tuple[np.ndarray, np.ndarray]:
    """Design effect against SRS without replacement, as R's ``deff = TRUE``."""
    n_d = _dsum(codes, ndom, valid)
    size = _dsum(codes, ndom, pw)
    mean = _dsum(codes, ndom, pw * yv) / size
    resid = (yv - (mean[0] if ndom == 1 else mean[codes])) * valid
    ss = _dsum(codes, ndom, pw * resid**2)
    with np.errstate(invalid="ignore", divide="ignore"):
        s2 = ss / size * n_d / (n_d - 1)
        v_srs = s2 / n_d * np.maximum(0.0, 1 - n_d / size)
        if statistic == "total":
            v_srs = v_srs * size**2
        deff = np.where(v_srs > 0, var / v_srs, np.nan)
        n_eff = np.where(deff > 0, n_d / deff, np.nan)
    return deff, n_eff


def _warn_dropped(used: np.ndarray, n_rep: int, what: Any) -> None:
    if np.any(used < n_rep):
        logger.warning("%d replicate(s) gave no estimate of %s (no weight in the domain) and "
                       "were left out, as R's svrVar does", int(n_rep - used.min()), what)


def _matrix_rank(mat: np.ndarray) -> int:
    """Numerical rank with R's ``qr(..., tol = 1e-5)`` tolerance, taken relative to the largest
    singular value. A tall matrix goes through its Gram matrix (singular values are the
    square roots of its eigenvalues; the tolerance is far above the precision lost)."""
    if mat.size == 0:
        return 0
    if mat.shape[0] > mat.shape[1]:
        gram = mat.T @ mat
        s = np.sqrt(np.clip(np.linalg.eigvalsh(gram), 0.0, None))[::-1]
    else:
        s = np.linalg.svd(mat, compute_uv=False)
    return int(np.sum(s > _RANK_TOL * s[0])) if s[0] > 0 else 0


def _distinct_rows(factors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the replicate weights up to a positive factor: (row -> representative id,
    representative rows). Rows that are all zero get id -1.

    Rows are normalised by their sum and hashed by a fixed random projection, so a file whose
    rows repeat a few patterns (one per PSU, say) reduces to those patterns.
    """
    sums = factors.sum(axis=1)
    nonzero = sums > 0
    rng = np.random.default_rng(12345)
    proj = rng.random(factors.shape[1])
    with np.errstate(invalid="ignore", divide="ignore"):
        key = (factors @ proj) / sums
    where = np.flatnonzero(nonzero)
    codes, _ = pd.factorize(np.round(key[where], 10))  # hashing: codes by first appearance
    codes = codes.astype(np.int64)
    earlier = np.maximum.accumulate(np.concatenate([[-1], codes[:-1]]))
    first = codes > earlier  # the first row of each code (codes appear in increasing order)
    ids = np.full(len(key), -1, dtype=np.int64)
    ids[where] = codes
    return ids, factors[where[first]]


def _select_columns(data: pd.DataFrame, repweights: Sequence[str] | str,
                    source: str | None) -> list[str]:
    if isinstance(repweights, str):
        import re

        pattern = re.compile(repweights)
        cols = [c for c in data.columns if isinstance(c, str) and pattern.fullmatch(c)]
        if not cols:
            raise DataValidationError(
                f"no column matches the replicate-weight pattern {repweights!r}; columns are: "
                f"{describe_values(list(data.columns), limit=12)}", source=source)
        return cols
    cols = list(repweights)
    if not cols:
        raise ValueError("repweights must name at least one column")
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise DataValidationError(
            f"replicate-weight column(s) {describe_values(missing)} not found; columns are: "
            f"{describe_values(list(data.columns), limit=12)}", source=source,
            column=str(missing[0]))
    return cols


def _weight_block(data: pd.DataFrame, columns: Sequence[str], source: str | None
                  ) -> np.ndarray:
    """The replicate-weight columns as one (rows x R) array, checked: numeric, finite, >= 0.

    Numeric columns are copied at once (Fortran order, one column after another, as pandas
    holds them) and checked by two reductions; a failing column, or a text one, is then read
    alone to name its offending rows."""
    block = data[list(columns)]
    numeric = all(pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)
                  for t in block.dtypes)
    if numeric:
        reps = np.asfortranarray(block.to_numpy(dtype=float, na_value=np.nan))
        low = reps.min(axis=0)
        high = reps.max(axis=0)
        bad = ~(low >= 0) | ~np.isfinite(high)
        if not np.any(bad):
            return reps
        _weight_column(data, columns[int(np.argmax(bad))], source, "replicate weight")
    return np.column_stack([_weight_column(data, c, source, "replicate weight")
                            for c in columns])


def _weight_column(data: pd.DataFrame, name: str, source: str | None, role: str) -> np.ndarray:
    series = _get_column(data, name, role)
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
            series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        text_bad = np.zeros(len(values), dtype=bool)
    else:
        raw = series.astype("string").str.strip()
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        text_bad = np.isnan(values) & raw.fillna("").ne("").to_numpy()
    if np.any(text_bad):
        raise DataValidationError(
            f"{role} must be a number; found {describe_values(series[text_bad].tolist())}",
            source=source, column=str(name), rows=_first_rows(text_bad))
    bad = ~np.isfinite(values) | (values < 0)
    if np.any(bad):
        raise DataValidationError(
            f"{role} must be non-missing, finite and >= 0; found "
            f"{describe_values(series[bad].tolist())}",
            source=source, column=str(name), rows=_first_rows(bad))
    return values


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= _SCALE_RTOL * max(abs(a), abs(b))


def _type_scales(rtype: str, n_rep: int, scale: float | None, rscales: Any, rho: float | None,
                 source: str | None, columns: Sequence[str]
                 ) -> tuple[float, np.ndarray, float | None]:
    """Check ``scale``/``rscales``/``rho`` against the declared type; return the ones to use."""
    where = f"{n_rep} replicate-weight columns ({columns[0]} … {columns[-1]})"

    def fail(message: str) -> DataValidationError:
        return DataValidationError(f"type={rtype!r} with {where}: {message}", source=source)

    if n_rep < 2:
        raise fail("a replicate design needs at least 2 replicates")
    if rho is not None and rtype != "Fay":
        raise fail(f"rho applies to type='Fay' only; got rho={rho!r}")
    ones = np.ones(n_rep)
    if rscales is not None:
        rs = np.broadcast_to(np.asarray(rscales, dtype=float), (n_rep,)) if np.ndim(
            rscales) == 0 else np.asarray(rscales, dtype=float)
        if rs.shape != (n_rep,):
            raise fail(f"rscales has {rs.size} values; expected one per column ({n_rep})")
        if np.any(~np.isfinite(rs) | (rs < 0)):
            raise fail(f"rscales must be finite and >= 0; got {describe_values(rs[~(rs >= 0)])}")
    else:
        rs = None
    if rtype in ("BRR", "Fay"):
        if n_rep % 4 != 0:
            raise fail(
                f"{n_rep} is not the order of a Hadamard matrix: BRR replicates are the columns "
                f"of one, so their number must be a multiple of 4 (e.g. {4 * (n_rep // 4)} or "
                f"{4 * (n_rep // 4 + 1)})")
        if rtype == "Fay":
            if rho is None or not (isinstance(rho, int | float) and 0 < rho < 1):
                raise fail(f"Fay's rho must be a number in (0, 1); got {rho!r}")
            expected = 1 / (n_rep * (1 - rho) ** 2)
            rule = f"1 / (R (1 - rho)^2) = {expected:.8g}"
        else:
            expected = 1 / n_rep
            rule = f"1 / R = {expected:.8g}"
        if scale is not None and not _close(scale, expected):
            raise fail(f"scale must be {rule}; got {scale!r} (use type='other' for another "
                       "rule)")
        if rs is not None and not np.allclose(rs, 1):
            raise fail("rscales must all be 1 for BRR")
        return expected, ones, (float(rho) if rtype == "Fay" else 0.0)
    if rtype == "JK1":
        expected = (n_rep - 1) / n_rep
        if scale is not None and not _close(scale, expected):
            raise fail(f"JK1 scale must be (R - 1) / R = {expected:.8g}; got {scale!r} "
                       "(a finite-population factor or another rule: use type='other')")
        if rs is not None and not np.allclose(rs, 1):
            raise fail("rscales must all be 1 for JK1 (use type='other' for per-replicate "
                       "factors)")
        return expected, ones, None
    if rtype == "JKn":
        if rs is None:
            raise fail("JKn needs rscales: (n_h - 1) / n_h for each replicate's stratum h")
        if np.any(rs > 1):
            raise fail("JKn rscales are (n_h - 1) / n_h (times a finite-population factor), "
                       f"so at most 1; got {describe_values(rs[rs > 1])}")
        if scale is not None and not _close(scale, 1.0):
            raise fail(f"JKn scale must be 1 (the factors are in rscales); got {scale!r}")
        return 1.0, rs, None
    if rtype == "bootstrap":
        if scale is not None and not (scale > 0 and math.isfinite(scale)):
            raise fail(f"scale must be > 0; got {scale!r}")
        if rs is not None and not np.allclose(rs, 1):
            raise fail("rscales must all be 1 for the bootstrap")
        return (1 / (n_rep - 1) if scale is None else float(scale)), ones, None
    # other
    if scale is None or rs is None:
        raise fail("type='other' needs both scale and rscales")
    if not (scale > 0 and math.isfinite(scale)):
        raise fail(f"scale must be > 0; got {scale!r}")
    return float(scale), rs, None


# --------------------------------------------------------------------------------------------
# Replicate weights from a linearisation design
# --------------------------------------------------------------------------------------------


def _psu_order(design: SurveyDesign) -> tuple[np.ndarray, np.ndarray]:
    """PSU codes ordered by stratum label, then by first row (R's ``order(strata, match)``),
    and each PSU's first row."""
    n_psu = design._n_psu
    first = np.full(n_psu, design._n, dtype=np.int64)
    np.minimum.at(first, design._psu, np.arange(design._n))
    strata_rank = np.argsort(np.argsort(design._strata_labels.astype(str), kind="stable"))
    order = np.lexsort((first, strata_rank[design._psu_stratum]))
    return order, first


def _jk_factors(design: SurveyDesign, rtype: str) -> tuple[np.ndarray, np.ndarray, float]:
    """Jackknife factors (PSUs x replicates), rscales and scale, as R's ``jk1weights`` /
    ``jknweights``."""
    n_h = design._n_h
    f1 = design._f1
    n_psu = design._n_psu
    strat = design._psu_stratum
    if rtype == "JK1":
        n = n_psu
        if n < 2:
            raise ValueError("JK1 needs at least 2 PSUs")
        fpc = float(f1[0])
        if fpc <= 0:
            raise ValueError("every PSU is in the sample (a census): JK1 has no variance to "
                             "estimate")
        factors = np.full((n, n), n / (n - 1.0))
        np.fill_diagonal(factors, 0.0)
        return factors, np.ones(n), fpc * (n - 1) / n
    lonely = design.lonely_psu
    n_strata = design._n_strata
    columns: list[np.ndarray] = []
    rscales: list[float] = []
    order, first = _psu_order(design)
    # replicate columns as R's: strata in order of appearance, then their PSUs
    strata_first = list(dict.fromkeys(strat[np.argsort(first, kind="stable")]))
    for h in strata_first:
        members = order[strat[order] == h]
        nh = int(n_h[h])
        if f1[h] <= 0:  # census stratum: no replicates (R's survey.drop.replicates)
            continue
        if nh == 1:
            label = design._strata_labels[h]
            if lonely == "fail":
                raise ValueError(
                    f"stratum {label!r} has only one PSU; set lonely_psu on the design "
                    "(remove, certainty, average or adjust) to build JKn replicates")
            if lonely == "adjust":
                col = np.where(strat == h, 0.0, n_strata / (n_strata - 1.0))
                columns.append(col[:, None])
                rscales.append((n_strata - 1.0) / n_strata)
            continue
        block = np.ones((n_psu, nh))
        block[members] = nh / (nh - 1.0)
        block[members, np.arange(nh)] = 0.0
        columns.append(block)
        rscales.extend([float(f1[h]) * (nh - 1) / nh] * nh)
    if not columns:
        raise ValueError("every stratum was sampled exhaustively: the design is a census")
    factors = np.hstack(columns)
    scale = 1.0
    if lonely == "average" and factors.shape[1] < n_psu:
        scale = n_psu / factors.shape[1]
    return factors, np.asarray(rscales), scale


def _brr_factors(design: SurveyDesign, rho: float) -> np.ndarray:
    """Half-sample factors (PSUs x replicates), as R's ``brrweights`` with ``small="fail"``,
    ``large="split"``: strata of 2k PSUs are split into k pairs in order of appearance."""
    n_h = design._n_h
    strat = design._psu_stratum
    labels = design._strata_labels
    if np.any(n_h == 1):
        raise ValueError(f"stratum {describe_values(labels[n_h == 1])} has only one PSU; BRR "
                         "needs 2 PSUs per stratum (or an even number, split into pairs)")
    if np.any(n_h % 2 == 1):
        raise ValueError(f"stratum {describe_values(labels[n_h % 2 == 1])} has an odd number "
                         "of PSUs; BRR splits large strata into pairs, so each needs an even "
                         "number")
    order, _ = _psu_order(design)
    sorted_strata = np.argsort(labels.astype(str), kind="stable")
    large = [h for h in sorted_strata if n_h[h] > 2]
    pairs = [h for h in sorted_strata if n_h[h] == 2]
    pair_of = np.empty(design._n_psu, dtype=np.int64)
    first_in_pair = np.empty(design._n_psu, dtype=bool)
    upto = 0
    for h in [*large, *pairs]:  # R numbers the split large strata first
        members = order[strat[order] == h]
        k = np.arange(members.size)
        pair_of[members] = upto + k // 2
        first_in_pair[members] = k % 2 == 0
        upto += members.size // 2
    h_mat = hadamard(upto)
    sign = h_mat[1 : upto + 1][pair_of]  # (PSUs, replicates): 1 = first PSU of the pair in
    in_half = np.where(first_in_pair[:, None], sign == 1, sign == 0)
    return np.where(in_half, 2.0 - rho, rho)


def _bootstrap_factors(design: SurveyDesign, replicates: int, rng: np.random.Generator
                       ) -> tuple[np.ndarray, float]:
    """Rescaled-bootstrap counts (PSUs x replicates) and scale, as R's ``bootweights``: in
    each stratum ``n_h`` PSUs are drawn with replacement, or, with an fpc, without
    replacement from the stratum's PSUs repeated to its population size ``N_h``."""
    n_h = design._n_h
    strat = design._psu_stratum
    counts = np.zeros((design._n_psu, replicates))
    order, _ = _psu_order(design)
    for h in range(design._n_strata):
        members = order[strat[order] == h]
        nh = members.size
        if design._pi1 is None:
            draws = rng.integers(0, nh, size=(replicates, nh))
            flat = (draws + nh * np.arange(replicates)[:, None]).ravel()
            c = np.bincount(flat, minlength=nh * replicates).reshape(replicates, nh)
        else:
            pop = int(round(nh / design._pi1[h]))
            perm = rng.permutation(nh)
            copies = np.full(nh, pop // nh)
            copies[perm[: pop % nh]] += 1
            c = rng.multivariate_hypergeometric(copies, nh, size=replicates)
        counts[members] = c.T
    harmonic = 1.0 / np.mean(1.0 / n_h)
    if harmonic <= 1:
        raise ValueError("the bootstrap needs at least 2 PSUs per stratum on average")
    return counts, harmonic / ((harmonic - 1.0) * (replicates - 1.0))


def as_replicate_design(
    design: SurveyDesign,
    type: Literal["JK1", "JKn", "BRR", "Fay", "bootstrap"] = "JKn",
    *,
    rho: float | None = None,
    replicates: int = 50,
    seed: int | np.random.Generator | None = None,
    mse: bool = False,
) -> ReplicateDesign:
    """Replicate weights for a linearisation design (R's ``as.svrepdesign``).

    Parameters
    ----------
    design : SurveyDesign
        The design; only its first stage (strata, PSUs, first-stage fpc) is used, as R.
    type : {"JK1", "JKn", "BRR", "Fay", "bootstrap"}, default "JKn"
        ``"JK1"``: one replicate per PSU, that PSU dropped and the rest weighted
        ``n / (n - 1)``; unstratified designs only; ``scale = f (n - 1) / n`` with ``f`` the
        finite-population factor ``(N - n) / N`` (1 without fpc). ``"JKn"``: the same within
        each stratum, ``rscales = f_h (n_h - 1) / n_h``; stratified designs only; a census
        stratum gives no replicates, a single-PSU stratum follows the design's
        ``lonely_psu`` as R's ``jknweights``. ``"BRR"``: half-samples from the rows of
        :func:`hadamard`, one PSU of each pair weighted 2 and the other 0; needs 2 PSUs per
        stratum (strata with an even number are split into pairs in order of appearance, R's
        ``large = "split"``); ``scale = 1 / R``; the fpc is dropped, as R. ``"Fay"``: as BRR
        with weights ``2 - rho`` and ``rho``, ``scale = 1 / (R (1 - rho)**2)``.
        ``"bootstrap"``: Canty & Davison's rescaled bootstrap (R's ``bootweights``):
        ``replicates`` resamples of ``n_h`` PSUs per stratum, with replacement, or without
        replacement from the PSUs repeated to the stratum's population size when the design
        has an fpc; the replicate factors are the resampling counts, ``scale =
        m / ((m - 1) (R - 1))`` with ``m`` the harmonic mean of PSUs per stratum.
    rho : float, optional
        Fay's coefficient in (0, 1), for ``type="Fay"`` only.
    replicates : int, default 50
        Number of bootstrap replicates (R's default).
    seed : int or numpy.random.Generator, optional
        Randomness of the bootstrap (R's draws cannot be reproduced outside R; to use R's,
        export them and read them with :meth:`ReplicateDesign.from_columns`).
    mse : bool, default False
        Centre the replicates at the full-sample estimate (R's ``mse = TRUE``).

    Returns
    -------
    ReplicateDesign

    Raises
    ------
    ValueError
        The type does not fit the design (JK1 on a stratified design, JKn/BRR/Fay on an
        unstratified one, BRR with a single or odd number of PSUs in a stratum), ``rho``
        outside (0, 1), a calibrated design (its replicates would need recalibrating).
    """
    if not isinstance(design, SurveyDesign):
        raise TypeError(f"design must be a SurveyDesign, got {design.__class__.__name__}")
    rtype = check_choice("type", type, _CONSTRUCTED_TYPES)
    if design._calibration:
        raise ValueError("the design is calibrated; build the replicate design from the "
                         "uncalibrated one (calibrating replicates is not offered)")
    stratified = design.strata_column is not None
    if rtype == "JK1" and stratified:
        raise ValueError("JK1 is for unstratified designs; use type='JKn' for a stratified "
                         "design (as R's as.svrepdesign)")
    if rtype in ("JKn", "BRR", "Fay") and not stratified:
        raise ValueError(f"type={rtype!r} needs a stratified design; use 'JK1' or "
                         "'bootstrap' for an unstratified one (as R's as.svrepdesign)")
    if rtype == "Fay":
        if rho is None or isinstance(rho, bool) or not (0 < float(rho) < 1):
            raise ValueError(f"Fay's rho must be a number in (0, 1); got {rho!r}")
    elif rho is not None:
        raise ValueError(f"rho applies to type='Fay' only; got rho={rho!r}")
    if design._two_stage:
        logger.warning("finite population corrections after the first stage are dropped "
                       "(as R's as.svrepdesign)")
    rho_v: float | None = None
    if rtype in ("JK1", "JKn"):
        factors, rscales, scale = _jk_factors(design, rtype)
        label = f"{rtype}, {factors.shape[1]} replicates"
    elif rtype in ("BRR", "Fay"):
        rho_v = 0.0 if rtype == "BRR" else float(rho)  # type: ignore[arg-type]
        if design.fpc_columns:
            logger.warning("finite population correction dropped in conversion to %s (as R)",
                           rtype)
        factors = _brr_factors(design, rho_v)
        n_rep = factors.shape[1]
        rscales = np.ones(n_rep)
        scale = 1.0 / (n_rep * (1.0 - rho_v) ** 2)
        label = f"{rtype}{'' if rtype == 'BRR' else f' rho={rho_v:g}'}, {n_rep} replicates"
    else:
        if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 2:
            raise ValueError(f"replicates must be an integer >= 2; got {replicates!r}")
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        factors, scale = _bootstrap_factors(design, replicates, rng)
        rscales = np.ones(replicates)
        label = f"bootstrap, {replicates} replicates"
    return ReplicateDesign(design.data, weights=design._w, factors=factors, unit=design._psu,
                           mult=design._w, type=rtype, scale=scale, rscales=rscales, rho=rho_v,
                           mse=mse, confidence=design.confidence, label=label)


def read_replicate_design(
    path: str | Path,
    *,
    repweights: Sequence[str] | str,
    type: ReplicateType,
    weights: str | None = None,
    scale: float | None = None,
    rscales: Sequence[float] | float | None = None,
    rho: float | None = None,
    combined_weights: bool = True,
    mse: bool = False,
    confidence: float = 0.95,
) -> ReplicateDesign:
    """Read a data file with replicate-weight columns (CSV or Excel) as a replicate design.

    Parameters are those of :meth:`ReplicateDesign.from_columns`. Outcome columns stay as
    read (text); convert them before estimating, or use the returned design's ``data``.

    Raises
    ------
    DataValidationError
        As :meth:`ReplicateDesign.from_columns`, naming the file.
    """
    from .tables import read_table

    source = Path(path).name
    frame = read_table(path, source=source)
    if frame.empty:
        raise DataValidationError("the file has a header but no data rows", source=source)
    for col in frame.columns:  # numeric-looking text columns become numbers
        converted = pd.to_numeric(frame[col].str.strip().replace("", np.nan), errors="coerce")
        blank = frame[col].str.strip().eq("")
        if converted[~blank].notna().all() and (~blank).any():
            frame[col] = converted
    return ReplicateDesign.from_columns(
        frame, repweights=repweights, type=type, weights=weights, scale=scale, rscales=rscales,
        rho=rho, combined_weights=combined_weights, mse=mse, confidence=confidence,
        source=source)
