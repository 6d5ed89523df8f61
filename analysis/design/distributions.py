"""The few distribution functions the tables need, from scipy.special's compiled functions.

scipy.stats takes about 0.7 s to import (it builds every distribution's docstring); a banner on
2,000 respondents takes a few milliseconds. These wrappers give the same values as the
scipy.stats calls they replace, edge cases included (invalid parameters give NaN; a survival
function below the support is 1), which tests/test_distributions.py checks on a grid.
"""

from __future__ import annotations

import numpy as np
from scipy import special


def _nan_unless(valid: np.ndarray, values: np.ndarray) -> np.ndarray | float:
    out = np.where(valid, values, np.nan)
    return float(out) if out.ndim == 0 else out


def norm_ppf(q):
    """scipy.stats.norm.ppf."""
    q = np.asarray(q, dtype=float)
    return _nan_unless((q >= 0) & (q <= 1), special.ndtri(q))


def norm_sf(x):
    """scipy.stats.norm.sf."""
    return _nan_unless(True, special.ndtr(-np.asarray(x, dtype=float)))


def t_ppf(q, df):
    """scipy.stats.t.ppf (df may be inf: the normal quantile)."""
    q, df = np.asarray(q, dtype=float), np.asarray(df, dtype=float)  # ufuncs broadcast
    values = np.where(q == 0, -np.inf, np.where(q == 1, np.inf, special.stdtrit(df, q)))
    return _nan_unless((df > 0) & (q >= 0) & (q <= 1), values)


def t_sf(x, df):
    """scipy.stats.t.sf."""
    x, df = np.asarray(x, dtype=float), np.asarray(df, dtype=float)
    return _nan_unless(df > 0, special.stdtr(df, -x))


def f_sf(x, dfn, dfd):
    """scipy.stats.f.sf, for finite degrees of freedom: 1 at and below 0."""
    x, a, b = (np.asarray(v, dtype=float) for v in (x, dfn, dfd))
    inside = special.fdtrc(a, b, np.maximum(x, 0.0))
    return _nan_unless((a > 0) & (b > 0) & ~np.isnan(x), np.where(x <= 0, 1.0, inside))


def chi2_sf(x, df):
    """scipy.stats.chi2.sf, for finite degrees of freedom: 1 at and below 0."""
    x, df = np.asarray(x, dtype=float), np.asarray(df, dtype=float)
    inside = special.chdtrc(df, np.maximum(x, 0.0))
    return _nan_unless((df > 0) & ~np.isnan(x), np.where(x <= 0, 1.0, inside))


def beta_ppf(q, a, b):
    """scipy.stats.beta.ppf."""
    q, a, b = (np.asarray(v, dtype=float) for v in (q, a, b))
    with np.errstate(invalid="ignore"):
        values = special.betaincinv(np.where(a > 0, a, 1.0), np.where(b > 0, b, 1.0), q)
    values = np.where(q == 0, 0.0, np.where(q == 1, 1.0, values))
    return _nan_unless((a > 0) & (b > 0) & (q >= 0) & (q <= 1), values)
