"""Significance tests for tables: Pearson chi-square with adjusted residuals and Cramér's V,
Rao-Scott corrected chi-square for designs (as R's svychisq), column-proportion tests with a
multiple-comparison correction, and the design-based two-group mean test (as R's svyttest)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from analysis.design import distributions as dist
from analysis.design import estimation
from analysis.design.column_tests import (  # noqa: F401  (their home before; read from here)
    ColumnTests,
    Pairs,
    column_differences,
    column_proportion_tests,
    srs_column_differences,
    srs_column_proportion_tests,
    valid_pairs,
)
from analysis.design.replicate_design import ReplicateDesign
from analysis.design.sample_design import Design, DesignError

Correction = Literal["none", "bonferroni", "holm", "bh", "fdr_bh"]


@dataclass(frozen=True)
class TestResult:
    """One test: its name (e.g. "rao-scott-F"), statistic, degrees of freedom, p, alpha and the
    correction applied (for a single test, "none"). `ddf` is the denominator df of an F test;
    `estimate` the tested difference when there is one."""

    name: str
    statistic: float
    df: float
    p: float
    alpha: float = 0.05
    correction: str = "none"
    ddf: float | None = None
    estimate: float | None = None

    @property
    def significant(self) -> bool:
        return bool(self.p < self.alpha)


@dataclass(frozen=True, eq=False)
class PearsonResult:
    """Pearson chi-square of a table of counts, with expected counts, adjusted standardized
    residuals (read-only arrays shaped like the table) and Cramér's V."""

    test: TestResult
    expected: np.ndarray
    adjusted_residuals: np.ndarray
    cramers_v: float


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.flags.writeable = False
    return a


def _table(counts: np.ndarray) -> np.ndarray:
    t = np.asarray(counts, dtype=float)
    if t.ndim != 2:
        raise ValueError("a contingency table is two-dimensional")
    return t


def expected_counts(counts: np.ndarray) -> np.ndarray:
    t = _table(counts)
    return np.outer(t.sum(1), t.sum(0)) / t.sum()


def adjusted_residuals(counts: np.ndarray) -> np.ndarray:
    """Adjusted standardized residuals (Haberman 1973): (o - e) / sqrt(e (1 - r/n) (1 - c/n))."""
    t = _table(counts)
    n = t.sum()
    e = expected_counts(t)
    row = t.sum(1, keepdims=True) / n
    col = t.sum(0, keepdims=True) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        return (t - e) / np.sqrt(e * (1 - row) * (1 - col))


def cramers_v(counts: np.ndarray) -> float:
    """Cramér's V = sqrt(X^2 / (n (min(r, c) - 1))) from the Pearson X^2 of the table."""
    t = _table(counts)
    e = expected_counts(t)
    x2 = float(np.sum((t - e) ** 2 / e))
    k = min(t.shape) - 1
    return float(np.sqrt(x2 / (t.sum() * k))) if k > 0 else float("nan")


def pearson_chisq(counts: np.ndarray, *, alpha: float = 0.05) -> PearsonResult:
    """Pearson chi-square without continuity correction (scipy chi2_contingency(correction=False)).

    Rows or columns that are all zero are dropped first, with no effect on the statistic.
    """
    t = _table(counts)
    t = t[t.sum(1) > 0][:, t.sum(0) > 0]
    if min(t.shape) < 2:
        raise DesignError("a chi-square test needs at least two non-empty rows and columns")
    e = expected_counts(t)
    x2 = float(np.sum((t - e) ** 2 / e))
    df = (t.shape[0] - 1) * (t.shape[1] - 1)
    test = TestResult("pearson-chisq", x2, float(df), float(dist.chi2_sf(x2, df)), alpha)
    return PearsonResult(test, _ro(e), _ro(adjusted_residuals(t)), cramers_v(t))


def _codes(design: Design, x: str | pd.Series | np.ndarray) -> np.ndarray:
    codes, _, _ = estimation._categories(design, x)
    return codes


def rao_scott(design: Design, row: str | pd.Series | np.ndarray,
              column: str | pd.Series | np.ndarray, *,
              statistic: Literal["F", "Chisq"] = "F", alpha: float = 0.05) -> TestResult:
    """Rao-Scott test of independence in a two-way table, exactly as R's svychisq.

    "F" (name "rao-scott-F"): the second-order correction, F = X^2 / tr(Delta) on
    tr(Delta)^2 / tr(Delta^2) and that times the design df (Rao and Scott 1984; Thomas and Rao
    1987). "Chisq" (name "rao-scott-chisq"): the first-order correction, the Pearson X^2 of the
    weighted table scaled to the sample size, referred to chi-square after division by the mean
    generalized design effect. Respondents missing either variable are dropped (na.rm=TRUE), but
    as in R the weighted table is scaled to the number of all respondents.
    """
    r_codes, c_codes = _codes(design, row), _codes(design, column)
    ok = (r_codes >= 0) & (c_codes >= 0)
    # observed levels only, as svychisq's factor(...)
    r_levels, r = np.unique(r_codes[ok], return_inverse=True)
    c_levels, c = np.unique(c_codes[ok], return_inverse=True)
    nr, nc = len(r_levels), len(c_levels)
    if nr < 2 or nc < 2:
        raise DesignError("a Rao-Scott test needs at least two observed levels of each variable")
    cell = np.full(design.n, -1, dtype=np.int64)
    cell[ok] = r + nr * c  # interaction(rows, cols): rows vary fastest
    shares = estimation.proportions(design, pd.Categorical.from_codes(cell, range(nr * nc)),
                                    covariance=True)
    # svychisq's N is nrow(model.matrix(..., na.action=na.pass)): all respondents, missing or
    # not. It only scales the reported X^2 of the "Chisq" form; F and both p values do not move.
    return rao_scott_shares(shares.estimate[0], np.asarray(shares.vcov), nr, nc,
                            n=float(design.n), degf=design.degf, statistic=statistic,
                            alpha=alpha)


@functools.lru_cache(maxsize=128)
def _interaction_contrasts(nr: int, nc: int) -> np.ndarray:
    """Contrasts for the interaction, orthogonal to the main effects (svychisq's Cmat); the
    same for every table of a shape, so a banner's many tables share them."""
    rr = np.tile(np.arange(nr), nc)
    cc = np.repeat(np.arange(nc), nr)
    x1 = np.column_stack([np.ones(nr * nc)]
                         + [(rr == i).astype(float) for i in range(1, nr)]
                         + [(cc == j).astype(float) for j in range(1, nc)])
    inter = np.column_stack([((rr == i) & (cc == j)).astype(float)
                             for j in range(1, nc) for i in range(1, nr)])
    cmat = inter - x1 @ np.linalg.lstsq(x1, inter, rcond=None)[0]
    cmat.flags.writeable = False
    return cmat


def rao_scott_shares(p: np.ndarray, v: np.ndarray, n_rows: int, n_cols: int, *, n: float,
                     degf: float, statistic: Literal["F", "Chisq"] = "F",
                     alpha: float = 0.05) -> TestResult:
    """The Rao-Scott test of `rao_scott` from already estimated cell shares.

    `p` holds the nr*nc cell shares of the whole table (rows vary fastest, as R's interaction),
    `v` their design covariance, `n` the sample size the table is scaled to and `degf` the design
    df. Banners use it to test many tables from one aggregation pass. Every row and column must
    have a positive share.
    """
    return rao_scott_tables(np.asarray(p, dtype=float)[None], np.asarray(v, dtype=float)[None],
                            n_rows, n_cols, n=n, degf=degf, statistic=statistic, alpha=alpha)[0]


def rao_scott_tables(p: np.ndarray, v: np.ndarray, n_rows: int, n_cols: int, *, n: float,
                     degf: float, statistic: Literal["F", "Chisq"] = "F",
                     alpha: float = 0.05) -> list[TestResult]:
    """`rao_scott_shares` of T tables of one shape at once: `p` (T, nr*nc), `v` (T, nr*nc,
    nr*nc); a banner's tables of every option of a multi-select row in one pass."""
    nr, nc, nu = n_rows, n_cols, degf
    if statistic not in ("F", "Chisq"):
        raise ValueError(f"statistic must be 'F' or 'Chisq', not {statistic!r}")
    # Pearson X^2 of the weighted table scaled to N (svytable(..., Ntotal=N))
    table = (p * n).reshape(len(p), nc, nr).transpose(0, 2, 1)
    e = table.sum(2)[:, :, None] * table.sum(1)[:, None, :] / table.sum((1, 2))[:, None, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        x2 = np.nansum(((table - e) ** 2 / e).reshape(len(p), -1), axis=1)

    cmat = _interaction_contrasts(nr, nc)
    inv_p = np.where(p == 0, 0.0, 1 / np.where(p == 0, 1, p))
    denom = cmat.T @ (inv_p[:, :, None] / n * cmat)
    numer = cmat.T @ (inv_p[:, :, None] * v * inv_p[:, None, :]) @ cmat
    delta = np.linalg.solve(denom, numer)
    trace = np.trace(delta, axis1=1, axis2=2)
    trace2 = np.trace(delta @ delta, axis1=1, axis2=2)
    if statistic == "F":
        d0 = trace**2 / trace2
        f = x2 / trace
        p_value = np.atleast_1d(dist.f_sf(f, d0, d0 * nu))
        return [TestResult("rao-scott-F", float(f[t]), float(d0[t]), float(p_value[t]), alpha,
                           ddf=float(d0[t] * nu)) for t in range(len(p))]
    k = delta.shape[1]
    p_value = np.atleast_1d(dist.chi2_sf(x2 / (trace / k), k))
    return [TestResult("rao-scott-chisq", float(x2[t]), float(k), float(p_value[t]), alpha)
            for t in range(len(p))]


def mean_difference_test(design: Design, y: str | pd.Series | np.ndarray,
                         group: str | pd.Series | np.ndarray, *,
                         alpha: float = 0.05) -> TestResult:
    """Design-based t test of a difference between two group means, as R's svyttest(y ~ g).

    The estimate is mean(second level) - mean(first level) (for a boolean, True - False); the
    df are those of svyglm: degf of the respondents with both values, minus one (on a replicate
    design, degf of the whole design minus one, as svyglm.svyrep.design counts them).
    """
    dom, labels, _ = estimation.domains(design, group)
    if len(labels) != 2:
        raise DesignError(f"a two-group test needs exactly two groups, got {len(labels)}")
    m = estimation.mean(design, y if not isinstance(y, str) else [y], by=pd.Categorical.from_codes(
        dom, range(2)), covariance=True)
    yv = y if not isinstance(y, str) else design.column(y)
    values = np.asarray(yv)
    present = ~np.isnan(values) if values.dtype.kind == "f" else pd.Series(values).notna()
    return two_means_test(design, m, (dom >= 0) & np.asarray(present), alpha=alpha)


def two_means_test(design: Design, m: estimation.Estimates, used: np.ndarray, *,
                   alpha: float = 0.05) -> TestResult:
    """svyttest's t of `m`'s second domain mean minus its first (`m`: estimation.mean of one
    variable by two domains, with covariance); `used` marks the respondents with a value in
    either domain, whose degf (minus one) are the test's df on a Taylor design."""
    if len(m.domains) != 2:
        raise DesignError(f"a two-group test needs exactly two groups, got {len(m.domains)}")
    if (m.n < 1).any():
        raise DesignError("one of the two groups has no respondents with a value")
    v = np.asarray(m.vcov)
    diff = float(m.estimate[1, 0] - m.estimate[0, 0])
    se = float(np.sqrt(v[0, 0] + v[1, 1] - 2 * v[0, 1]))
    if isinstance(design, ReplicateDesign):  # svyglm.svyrep.design: degf of the whole design
        df = float(design.degf - 1)
    else:
        df = float(design.domain_degf(np.where(used, 0, -1), 1)[0] - 1)
    t = diff / se
    return TestResult("design-t", t, df, float(2 * dist.t_sf(abs(t), df)), alpha,
                      estimate=diff)


@dataclass(frozen=True)
class TwoMeans:
    """The means of a variable in groups 0 and 1, their respondents with a value, and
    svyttest's t of mean 1 - mean 0."""

    means: np.ndarray
    n: np.ndarray
    test: TestResult


def two_means(design: Design | ReplicateDesign, y: np.ndarray, group: np.ndarray, *,
              alpha: float = 0.05) -> TwoMeans:
    """`y`'s means in `group` 0 and 1 (-1: neither; NaN in `y`: no value) and their t test, as
    estimation.mean by the two groups and two_means_test give. On a Taylor `Design` from each
    sampling unit's weighted sums of the two groups (three bincounts, no estimator call: a
    findings table makes dozens of these on a million respondents)."""
    y, group = np.asarray(y, dtype=float), np.asarray(group)
    members = np.bincount(group.astype(np.int64) + 1, minlength=3)[1:]
    if (members == 0).any():
        raise DesignError("a two-group test needs exactly two groups, got "
                          f"{int((members > 0).sum())}")
    ok = ~np.isnan(y)
    if type(design) is not Design:  # replicate weights (or another design): the estimators
        m = estimation.mean(design, pd.Series(y), by=pd.Categorical.from_codes(group, [0, 1]),
                            covariance=True)
        return TwoMeans(m.estimate[:, 0], m.n,
                        two_means_test(design, m, ok & (group >= 0), alpha=alpha))
    if members.sum() < len(group):
        ok &= group >= 0
        group = np.maximum(group, 0)
    k = design.n_units
    key = design.unit * 2 + group
    w = np.where(ok, design.weights, 0.0)
    sw = np.bincount(key, w, minlength=2 * k).reshape(k, 2)
    sy = np.bincount(key, w * np.where(ok, y, 0.0), minlength=2 * k).reshape(k, 2)
    count = np.bincount(key, ok, minlength=2 * k).reshape(k, 2)
    n = np.rint(count.sum(axis=0)).astype(np.int64)
    if (n < 1).any():
        raise DesignError("one of the two groups has no respondents with a value")
    total = sw.sum(axis=0)
    means = sy.sum(axis=0) / total
    v = design.variance((sy - means * sw) / total)  # svymean's influence totals per unit
    diff = float(means[1] - means[0])
    se = float(np.sqrt(v[0, 0] + v[1, 1] - 2 * v[0, 1]))
    df = float(design.psus_degf((count.sum(axis=1) > 0)[:, None])[0] - 1)
    t = diff / se
    return TwoMeans(means, n, TestResult("design-t", t, df, float(2 * dist.t_sf(abs(t), df)),
                                         alpha, estimate=diff))
