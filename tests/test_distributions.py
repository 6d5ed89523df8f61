"""The distribution functions the tables use equal scipy.stats', edge cases included."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from analysis.design import distributions as dist

QS = [0.0, 1e-12, 0.025, 0.5, 0.975, 1.0, -0.1, 1.1, np.nan]
XS = [-np.inf, -3.0, -0.0, 0.0, 1e-9, 0.7, 1.96, 40.0, np.inf, np.nan]
DFS = [-1.0, 0.0, 0.3, 1.0, 2.5, 58.0, 1e6, np.inf, np.nan]
FINITE = [df for df in DFS if df != np.inf]  # F and chi-square tests never have infinite df


def same(ours, theirs) -> None:
    np.testing.assert_allclose(np.asarray(ours, float), np.asarray(theirs, float), rtol=1e-12,
                               atol=0, equal_nan=True)


def test_normal() -> None:
    same(dist.norm_ppf(np.array(QS)), stats.norm.ppf(QS))
    same(dist.norm_sf(np.array(XS)), stats.norm.sf(XS))
    assert isinstance(dist.norm_ppf(0.975), float)


@pytest.mark.parametrize("df", DFS)
def test_t(df: float) -> None:
    same(dist.t_ppf(np.array(QS), df), stats.t.ppf(QS, df))
    same(dist.t_sf(np.array(XS), df), stats.t.sf(XS, df))


@pytest.mark.parametrize(("dfn", "dfd"), itertools.product(FINITE, FINITE))
def test_f(dfn: float, dfd: float) -> None:
    same(dist.f_sf(np.array(XS), dfn, dfd), stats.f.sf(XS, dfn, dfd))


@pytest.mark.parametrize("df", FINITE)
def test_chi2(df: float) -> None:
    same(dist.chi2_sf(np.array(XS), df), stats.chi2.sf(XS, df))


@pytest.mark.parametrize(("a", "b"), itertools.product([-1.0, 0.0, 0.4, 3.0, 250.5, np.nan],
                                                       [-1.0, 0.0, 1.0, 97.2, np.nan]))
def test_beta(a: float, b: float) -> None:
    same(dist.beta_ppf(np.array(QS), a, b), stats.beta.ppf(QS, a, b))


def test_broadcasting_as_scipy() -> None:
    df = np.array([[1.0], [5.0], [np.inf]])
    q = np.array([0.1, 0.975])
    same(dist.t_ppf(q, df), stats.t.ppf(q, df))
    same(dist.beta_ppf(0.025, np.array([0.5, 2.0]), np.array([[3.0], [9.0]])),
         stats.beta.ppf(0.025, np.array([0.5, 2.0]), np.array([[3.0], [9.0]])))
