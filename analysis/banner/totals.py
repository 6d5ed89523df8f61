"""Domain totals with their design covariance, and the ratios a banner derives from them.

A banner needs many figures per column (shares of every option, nets, means, scores) and tests
across columns. All of them are ratios of linear combinations of a few domain totals, so one
`estimation.total` (or `proportions(counts=True)`) call per `by` variable gives everything: the
Taylor-linearised covariance of a ratio a'T / b'T is J V J' with J = (a - r b) / b'T, which is
exactly the linearisation R's survey package uses for svymean and svyratio (the influence values
of a ratio are that linear combination of the influence values of the totals). On a replicate
design the totals under each replicate come along, and a ratio's variance is that of its
replicates (R's svymean and svyratio on a svyrep.design), not a linearisation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.design.replication import Replicated


@dataclass(frozen=True, eq=False)
class DomainTotals:
    """Estimated totals `theta` (D, q) of q quantities in D domains and their covariance
    `vcov` (D*q, D*q), domain-major; `n` respondents and `sum_w2` squared weights per domain;
    on a replicate design, `replicates` (R, D, q) the totals under each replicate."""

    theta: np.ndarray
    vcov: np.ndarray
    n: np.ndarray
    sum_w2: np.ndarray
    replicates: Replicated | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.theta.shape  # type: ignore[return-value]

    def combine(self, domains: np.ndarray) -> DomainTotals:
        """New domains as sums of old ones: `domains` is (D', D) of 0/1 (e.g. a Total row)."""
        s = np.asarray(domains, dtype=float)
        d, q = self.shape
        e = len(s)
        # (S kron I) V (S kron I)': the domains summed on both sides, two products, no kron
        left = (s @ self.vcov.reshape(d, q * d * q)).reshape(e, q, d, q)
        both = left.transpose(0, 1, 3, 2).reshape(e * q * q, d) @ s.T
        vcov = both.reshape(e, q, q, e).transpose(0, 1, 3, 2).reshape(e * q, e * q)
        reps = (None if self.replicates is None
                else Replicated(s @ self.replicates.values, self.replicates.rule))
        return DomainTotals(s @ self.theta, vcov, s @ self.n, s @ self.sum_w2, reps)

    def mapped(self, m: np.ndarray) -> DomainTotals:
        """The same domains with quantities m @ theta_d (m is (q', q)), e.g. nets or means."""
        d, q = self.shape
        k = len(m)
        # (I kron M) V (I kron M)': each domain's block mapped on both sides, two products
        left = np.matmul(m, self.vcov.reshape(d, q, d * q))  # (D, q', D*q)
        vcov = (left.reshape(d, k, d, q) @ m.T).reshape(d * k, d * k)
        reps = (None if self.replicates is None
                else Replicated(self.replicates.values @ m.T, self.replicates.rule))
        return DomainTotals(self.theta @ m.T, vcov, self.n, self.sum_w2, reps)


@dataclass(frozen=True, eq=False)
class Ratios:
    """Per-domain ratios `estimate` (D, m), their `se` and full covariance (D*m, D*m); on a
    replicate design their `replicates` (R, D, m)."""

    estimate: np.ndarray
    se: np.ndarray
    vcov: np.ndarray
    replicates: Replicated | None = None


def ratios(totals: DomainTotals, numerators: np.ndarray, denominators: np.ndarray) -> Ratios:
    """r_dj = a_j' T_d / b_j' T_d for weight vectors a_j, b_j (rows of the (m, q) arrays).

    A zero denominator gives NaN (an empty column); callers report it rather than show it.
    """
    a = np.asarray(numerators, dtype=float)
    b = np.asarray(denominators, dtype=float)
    theta = totals.theta
    d, q = theta.shape
    top = theta @ a.T  # (D, m)
    bottom = theta @ b.T
    with np.errstate(divide="ignore", invalid="ignore"):
        r = top / bottom
        if totals.replicates is not None:
            return _replicate_ratios(totals.replicates, r, a, b)
        grad = (a[None] - r[:, :, None] * b[None]) / bottom[:, :, None]  # (D, m, q)
    grad = np.where(np.isfinite(grad), grad, 0.0)
    m = a.shape[0]
    jacobian = np.zeros((d, m, d, q))  # block diagonal: a domain's ratios, its totals
    jacobian[np.arange(d), :, np.arange(d), :] = grad
    jacobian = jacobian.reshape(d * m, d * q)
    cov = jacobian @ totals.vcov @ jacobian.T
    se = np.sqrt(np.maximum(np.diag(cov), 0.0)).reshape(d, m)
    se = np.where(np.isfinite(r), se, np.nan)
    return Ratios(r, se, cov)


def _replicate_ratios(totals: Replicated, r: np.ndarray, a: np.ndarray, b: np.ndarray
                      ) -> Ratios:
    """Ratios under every replicate; se per domain and covariance as svyby's (svrVar)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        reps = Replicated((totals.values @ a.T) / (totals.values @ b.T), totals.rule)
    d, m = r.shape
    se = np.sqrt(np.maximum(reps.variances(r, np.repeat(np.arange(d), m)), 0.0))
    return Ratios(r, np.where(np.isfinite(r), se, np.nan), reps.vcov(r), reps)


def pooled_shares(totals: DomainTotals, cells: np.ndarray, base: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Shares of table cells in a pooled base, with covariance: p_c = cells_c' t / base' t.

    `cells` is (m, D*q) and `base` (D*q,): weights over the flattened totals. Used for the
    joint shares of a (row x column) table, as svychisq estimates them.
    """
    t = totals.theta.ravel()
    denominator = float(base @ t)
    p = cells @ t / denominator
    if totals.replicates is not None:
        every = totals.replicates.values.reshape(len(totals.replicates.values), -1)
        shares = Replicated((every @ cells.T) / (every @ base)[:, None], totals.replicates.rule)
        return p, shares.vcov(p)
    grad = (cells - p[:, None] * base[None, :]) / denominator
    return p, grad @ totals.vcov @ grad.T
