"""Column-proportion tests: every pair of a table's columns compared for each row, with the
design's covariance (t on the design df, as svyby(covmat=TRUE) then svycontrast) or, for a
simple random sample, the pooled two-proportion z test (SPSS CTABLES); letters from the
significant pairs after a multiple-comparison correction. The arrays (`column_differences`,
`valid_pairs`) serve a banner, which adjusts the pairs of all its groups together; the frames
(`column_proportion_tests`) a single table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from analysis.design import distributions as dist
from analysis.design import estimation
from analysis.design.corrections import adjust_p

Correction = Literal["none", "bonferroni", "holm", "bh", "fdr_bh"]


@dataclass(frozen=True, eq=False)
class ColumnTests:
    """Pairwise column-proportion tests for each row of a table.

    `pairs` is tidy: row, column_a, column_b (indices), difference (a - b), se, statistic, p,
    p_adjusted, significant. `higher_than[i][a]` lists the columns b that column a is
    significantly higher than in row i; the caller turns indices into letters.
    """

    name: str
    alpha: float
    correction: str
    family: str
    pairs: pd.DataFrame
    higher_than: tuple[tuple[tuple[int, ...], ...], ...]


@dataclass(frozen=True, eq=False)
class Pairs:
    """The valid comparisons of a table's columns as arrays, one entry per (row, a, b) with
    a < b: the difference a - b, its se and the unadjusted p (a banner adjusts the pairs of all
    its groups together, so it takes these rather than a frame per table)."""

    row: np.ndarray
    a: np.ndarray
    b: np.ndarray
    difference: np.ndarray
    se: np.ndarray
    p: np.ndarray


def _triangle(diff: np.ndarray, se: np.ndarray, p: np.ndarray, testable: np.ndarray | None
              ) -> tuple[Pairs, np.ndarray]:
    """Every (row, a < b) comparison as flat arrays (p NaN where it is not tested) and which
    of them are valid: a finite p, a positive se, both columns testable."""
    n_rows, n_cols = diff.shape[0], diff.shape[1]
    a_idx, b_idx = np.triu_indices(n_cols, k=1)
    rows = np.repeat(np.arange(n_rows), len(a_idx))
    a = np.tile(a_idx, n_rows)
    b = np.tile(b_idx, n_rows)
    s = se[:, a_idx, b_idx].ravel()
    pv = p[:, a_idx, b_idx].ravel()
    valid = np.isfinite(pv) & (s > 0)
    if testable is not None:
        ok = np.asarray(testable, dtype=bool)
        valid &= ok[a] & ok[b]
    return Pairs(rows, a, b, diff[:, a_idx, b_idx].ravel(), s, np.where(valid, pv, np.nan)), valid


def valid_pairs(diff: np.ndarray, se: np.ndarray, p: np.ndarray,
                testable: np.ndarray | None = None) -> Pairs:
    """The tested comparisons of `column_differences` (or its SRS twin): those `_pairwise`
    keeps, with their unadjusted p."""
    every, valid = _triangle(diff, se, p, testable)
    return Pairs(*(x[valid] for x in (every.row, every.a, every.b, every.difference, every.se,
                                      every.p)))


def _pairwise(diff: np.ndarray, se: np.ndarray, p: np.ndarray, name: str, alpha: float,
              correction: str, family: str, testable: np.ndarray | None) -> ColumnTests:
    """Adjust the p values of all (row, a, b) comparisons and collect the higher-than sets."""
    n_rows, n_cols = diff.shape[0], diff.shape[1]
    every, valid = _triangle(diff, se, p, testable)
    rows, a, b, d, s = every.row, every.a, every.b, every.difference, every.se
    adjusted = np.full(len(rows), np.nan)
    groups = rows if family == "row" else np.zeros_like(rows)
    for g in np.unique(groups[valid]):  # one adjustment per row (SPSS) or per table
        sel = valid & (groups == g)
        adjusted[sel] = adjust_p(every.p[sel], correction)
    significant = valid & (adjusted < alpha)
    pairs = pd.DataFrame({"row": rows, "column_a": a, "column_b": b, "difference": d, "se": s,
                          "statistic": np.where(s > 0, d / np.where(s > 0, s, 1), np.nan),
                          "p": every.p, "p_adjusted": adjusted, "significant": significant})
    higher: list[list[list[int]]] = [[[] for _ in range(n_cols)] for _ in range(n_rows)]
    for i, x, y, dd in zip(rows[significant], a[significant], b[significant], d[significant],
                           strict=True):
        if dd > 0:
            higher[i][x].append(int(y))
        else:
            higher[i][y].append(int(x))
    return ColumnTests(name, alpha, correction, family, pairs,
                       tuple(tuple(tuple(sorted(c)) for c in r) for r in higher))


def column_differences(estimate: np.ndarray, vcov: np.ndarray, df: float
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The differences between every pair of columns (domains) for each row (variable), their
    se from the full design covariance, var(a) + var(b) - 2 cov(a, b) (svyby(covmat=TRUE) then
    svycontrast), and two-sided p on t with `df`; each (rows, columns, columns). `estimate` is
    (columns, rows) and `vcov` its (columns * rows)-square covariance, domain-major; leading
    axes, if any, are tables (a banner's groups, NaN where a group has fewer columns)."""
    estimate, vcov = np.asarray(estimate), np.asarray(vcov)
    est = np.swapaxes(estimate, -1, -2)  # (..., rows, columns)
    n_rows, n_cols = est.shape[-2], est.shape[-1]
    v = vcov.reshape(*vcov.shape[:-2], n_cols, n_rows, n_cols, n_rows)
    var = np.einsum("...ajaj->...ja", v)
    cov = np.einsum("...ajbj->...jab", v)
    diff = est[..., :, None] - est[..., None, :]
    with np.errstate(invalid="ignore", divide="ignore"):  # equal columns with SE 0: p is NaN
        se = np.sqrt(np.maximum(var[..., :, None] + var[..., None, :] - 2 * cov, 0.0))
        p = 2 * dist.t_sf(np.abs(diff / se), df)
    return diff, se, p


def column_proportion_tests(estimates: estimation.Estimates, *, alpha: float = 0.05,
                            correction: Correction = "holm",
                            family: Literal["row", "table"] = "row",
                            testable: np.ndarray | None = None) -> ColumnTests:
    """Design-based tests between every pair of columns (domains) for each row (variable).

    The difference of domain proportions (or means) with its variance from the full design
    covariance (`column_differences`), referred to t on the design df. `estimates` needs
    `covariance=True`; `testable` masks columns (e.g. bases below 30) out of testing. The
    correction runs over each row's comparisons (SPSS) or over the whole table.
    """
    if estimates.vcov is None:
        raise ValueError("column tests need estimates computed with covariance=True")
    diff, se, p = column_differences(estimates.estimate, estimates.vcov, estimates.df)
    return _pairwise(diff, se, p, "design-column-proportions-t", alpha, correction, family,
                     testable)


def srs_column_differences(counts: np.ndarray, bases: np.ndarray
                           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two-proportion z tests between columns with the pooled proportion, as SPSS CTABLES:
    differences, se and p, each (rows, columns, columns). `counts` is (rows, columns) of
    respondents selecting each row; `bases` the column bases; leading axes, if any, are
    tables."""
    x = np.asarray(counts, dtype=float)
    x = np.atleast_2d(x) if x.ndim < 2 else x
    n = np.asarray(bases, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        prop = x / n[..., None, :]
        pooled = (x[..., :, :, None] + x[..., :, None, :]) / \
            (n[..., :, None] + n[..., None, :])[..., None, :, :]
        se = np.sqrt(pooled * (1 - pooled)
                     * (1 / n[..., :, None] + 1 / n[..., None, :])[..., None, :, :])
        diff = prop[..., :, :, None] - prop[..., :, None, :]
        p = 2 * dist.norm_sf(np.abs(diff / se))
    return diff, se, p


def srs_column_proportion_tests(counts: np.ndarray, bases: np.ndarray, *, alpha: float = 0.05,
                                correction: Correction = "bonferroni",
                                family: Literal["row", "table"] = "row",
                                testable: np.ndarray | None = None) -> ColumnTests:
    """Two-proportion z tests between columns with the pooled proportion, as SPSS CTABLES
    (`srs_column_differences`), letters by `correction` over each row or the whole table."""
    diff, se, p = srs_column_differences(counts, bases)
    return _pairwise(diff, se, p, "srs-column-proportions-z", alpha, correction, family,
                     testable)
