"""Replicate-weight arithmetic: weighted sums under every replicate, R's svrVar, and the rank
that gives a replicate design its degrees of freedom.

A replicate design re-estimates with each column of replicate weights; the variance is R's
svrVar: v = scale * sum_r rscales_r (theta_r - centre)(theta_r - centre)', the centre being the
full-sample estimate (mse) or the mean of the replicates whose rscales are positive. Replicates
that give NaN (a domain with no weight in that replicate) are left out with their rscales, as
svrVar's na.omit does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

CHUNK = 1 << 13  # rows per gather: a chunk's replicate weights stay in cache-sized pieces
RANK_TOLERANCE = 1e-10  # eigenvalues of W'W: R's qr(tol = 1e-5) on the singular values of W


@dataclass(frozen=True, eq=False)
class ReplicateRule:
    """How replicate estimates become a variance (R's svrVar): `scale`, `rscales` (one per
    replicate) and `mse` (centre on the full-sample estimate rather than the replicates' mean)."""

    scale: float
    rscales: np.ndarray
    mse: bool

    def _centred(self, thetas: np.ndarray, coef: np.ndarray) -> np.ndarray:
        """Deviations times sqrt(rscales), without the replicates that are NaN in an estimate
        (R's na.omit: NaN, not Inf). An estimate that is itself NaN (an empty domain) neither
        drops replicates nor varies: its deviations are 0."""
        known = ~np.isnan(coef)
        keep = ~np.isnan(thetas[:, known]).any(axis=1)
        t, rs = thetas[keep], self.rscales[keep]
        if not len(t):
            return np.full((1, thetas.shape[1]), np.nan)
        centre = coef if self.mse else t[rs > 0].mean(axis=0)
        dev = (t - centre) * np.sqrt(rs)[:, None]
        dev[:, ~known] = 0.0
        return dev

    def vcov(self, thetas: np.ndarray, coef: np.ndarray) -> np.ndarray:
        """The (q, q) covariance of q estimates from their replicates (R, q); a replicate with NaN
        in any of them is dropped from all, as svrVar on svyby(covmat=TRUE)'s replicates."""
        dev = self._centred(np.asarray(thetas, dtype=float), np.asarray(coef, dtype=float))
        return self.scale * dev.T @ dev

    def variances(self, thetas: np.ndarray, coef: np.ndarray, groups: np.ndarray) -> np.ndarray:
        """The variance of each of q estimates; the estimates of one group (a domain) drop the
        replicates that are NaN in any of them, as svyby's per-domain standard errors do."""
        thetas = np.asarray(thetas, dtype=float)
        coef = np.asarray(coef, dtype=float)
        if not np.isnan(thetas[:, ~np.isnan(coef)]).any():
            dev = self._centred(thetas, coef)
            return self.scale * np.einsum("rq,rq->q", dev, dev)
        out = np.empty(thetas.shape[1])
        for g in np.unique(groups):
            cols = np.flatnonzero(groups == g)
            dev = self._centred(thetas[:, cols], coef[cols])
            out[cols] = self.scale * np.einsum("rq,rq->q", dev, dev)
        return out


@dataclass(frozen=True, eq=False)
class Replicated:
    """Estimates under each replicate's weights, `values` (R, ...) shaped like the estimates
    after the replicate axis, and the rule that turns them into a variance."""

    values: np.ndarray
    rule: ReplicateRule

    def variances(self, estimate: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
        """The variance of each estimate, shaped like `estimate`; `groups` (one per estimate,
        flattened) share their NaN replicates, each estimate alone without it."""
        estimate = np.asarray(estimate, dtype=float)
        flat = self.values.reshape(len(self.values), -1)
        groups = np.arange(flat.shape[1]) if groups is None else groups
        return self.rule.variances(flat, estimate.ravel(), groups).reshape(estimate.shape)

    def vcov(self, estimate: np.ndarray) -> np.ndarray:
        """The covariance of all estimates, flattened (svrVar of all replicates together)."""
        return self.rule.vcov(self.values.reshape(len(self.values), -1),
                              np.asarray(estimate, dtype=float).ravel())


def group_sums(replicates: np.ndarray, key: np.ndarray, n_groups: int,
               values: np.ndarray | None = None, weights: np.ndarray | None = None
               ) -> np.ndarray:
    """Sums of each replicate's weights (times each column of `values`, an (n, p) matrix) over
    the respondents of each group: (n_groups, p, R), p = 1 without values. With `weights` (the
    full-sample weights) their sums come first: (n_groups, p, 1 + R). `key` is the group of each
    respondent, -1 for none.

    Rows are taken a chunk at a time, sorted by group within the chunk (a radix sort of small
    codes), and each group's block of replicate weights is multiplied by its values in one matrix
    product (BLAS), so the cost is one pass over the replicate weights whatever the number of
    groups.
    """
    n, n_rep = replicates.shape
    p = 1 if values is None else values.shape[1]
    first = 0 if weights is None else 1
    out = np.zeros((n_groups, p, first + n_rep))
    small = np.int16 if n_groups < 2**15 else np.int64  # numpy sorts int16 by radix
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        k = key[start:stop].astype(small, copy=False)
        order = np.argsort(k, kind="stable")
        ks = k[order]
        skip = int(np.searchsorted(ks, 0))
        if skip == len(ks):
            continue
        order, ks = order[skip:], ks[skip:]
        w = np.take(replicates[start:stop], order, axis=0)
        w0 = None if weights is None else np.take(weights[start:stop], order)
        starts = np.r_[0, np.flatnonzero(ks[1:] != ks[:-1]) + 1]
        groups = ks[starts].astype(np.int64)
        if values is None:
            out[groups, 0, first:] += np.add.reduceat(w, starts, axis=0)
            if w0 is not None:
                out[groups, 0, 0] += np.add.reduceat(w0, starts)
            continue
        y = np.take(values[start:stop], order, axis=0)
        ends = np.r_[starts[1:], len(ks)]
        for g, a, b in zip(groups, starts, ends, strict=True):
            out[g, :, first:] += y[a:b].T @ w[a:b]
            if w0 is not None:
                out[g, :, 0] += y[a:b].T @ w0[a:b]
    return out


def gram_rank(gram: np.ndarray) -> int:
    """The rank of W from W'W: eigenvalues above RANK_TOLERANCE of the largest (R's qr rank with
    tol 1e-5 on W's singular values, for matrices that are not nearly deficient)."""
    if not gram.size:
        return 0
    eigen = np.linalg.eigvalsh(gram)
    top = float(eigen.max())
    return int((eigen > top * RANK_TOLERANCE).sum()) if top > 0 else 0


def patterns(weights: np.ndarray, replicates: np.ndarray, seed: int = 0
             ) -> tuple[np.ndarray, np.ndarray]:
    """Respondents with the same replicate factors (replicate / full-sample weight) share a
    pattern: the pattern of each respondent and the factors of each pattern.

    Identical rows are found from two random projections of the factors (rounded far below any
    real difference), so no (n, R) copy is made; rows that differ only in rounding may make two
    patterns, which changes no rank.
    """
    rng = np.random.default_rng(seed)
    projection = (replicates @ rng.standard_normal((replicates.shape[1], 2))) / weights[:, None]
    size = float(np.abs(projection).max()) or 1.0
    quantum = np.round(projection / size * 1e11).astype(np.int64)
    key = quantum[:, 0] * np.int64(1_000_003) ^ quantum[:, 1]
    _, first, of_row = np.unique(key, return_index=True, return_inverse=True)
    factors = replicates[first] / weights[first, None]
    return of_row.reshape(-1).astype(np.int64), factors


def domain_ranks(weights: np.ndarray, replicates: np.ndarray, codes: np.ndarray,
                 n_domains: int,
                 pattern: Callable[[], tuple[np.ndarray, np.ndarray]] | None) -> np.ndarray:
    """The rank of the replicate weights of each domain's respondents (codes, -1 for none).

    First the domain's first 4R respondents: at full rank R no more rows can add to it. Otherwise
    all its respondents, through their patterns (`pattern()`, asked only then) when they are few
    (W'W = sum over patterns of w^2 f f'), else directly.
    """
    n_rep = replicates.shape[1]
    ranks = np.zeros(n_domains, dtype=np.int64)
    unsettled = []
    for d in range(n_domains):
        rows = np.flatnonzero(codes == d)
        head = replicates[rows[: 4 * n_rep]]
        ranks[d] = gram_rank(head.T @ head)
        if ranks[d] < n_rep and len(rows) > 4 * n_rep:
            unsettled.append(d)
    if not unsettled:
        return ranks
    of_row, factors = pattern() if pattern is not None else (None, None)
    if factors is not None and len(factors) * len(unsettled) < len(codes):
        inside = codes >= 0
        squares = np.bincount(of_row[inside] * n_domains + codes[inside], weights[inside] ** 2,
                              minlength=len(factors) * n_domains).reshape(-1, n_domains)
        for d in unsettled:
            ranks[d] = gram_rank((factors * squares[:, d, None]).T @ factors)
        return ranks
    grams = group_sums(replicates, np.where(np.isin(codes, unsettled), codes, -1), n_domains,
                       replicates)
    for d in unsettled:
        ranks[d] = gram_rank(grams[d])
    return ranks
