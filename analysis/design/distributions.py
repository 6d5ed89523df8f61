"""The few distribution functions the tables need, from scipy.special's compiled functions.

scipy.stats takes about 0.7 s to import (it builds every distribution's docstring); a banner on
2,000 respondents takes a few milliseconds. These wrappers give the same values as the
scipy.stats calls they replace, edge cases included (invalid parameters give NaN; a survival
function below the support is 1), which tests/test_distributions.py checks on a grid.

scipy.special's own `__init__` costs a command more than the tables (0.6 G instructions, 0.2 s:
with numpy 2.4 its array-API layer imports numpy.f2py and numpy.testing), so the compiled
module that holds these functions is loaded without it (`_compiled`); if scipy moves them, the
package is imported as usual: the same functions, only slower to load.
"""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path

import numpy as np

# the scipy.special functions used below, all defined in (or re-exported by) its _ufuncs module
FUNCTIONS = ("ndtri", "ndtr", "stdtrit", "stdtr", "fdtrc", "chdtrc", "betaincinv")
COMPILED = "scipy.special._ufuncs"


def _compiled() -> types.ModuleType:
    """scipy.special's `_ufuncs` extension, imported under a placeholder parent package that is
    removed afterwards (a later `import scipy.special` runs its `__init__` and reuses the
    extension); scipy.special itself if it is already imported or that fails."""
    if "scipy.special" not in sys.modules:
        import _imp  # CPython's import lock: no other thread may import the placeholder

        import scipy

        _imp.acquire_lock()
        try:
            module = None if "scipy.special" in sys.modules else _without_package(scipy)
        finally:
            _imp.release_lock()
        if module is not None and all(hasattr(module, name) for name in FUNCTIONS):
            return module
    from scipy import special

    return special


def _without_package(scipy: types.ModuleType) -> types.ModuleType | None:
    placeholder = types.ModuleType("scipy.special")
    placeholder.__path__ = [str(Path(next(iter(scipy.__path__))) / "special")]
    sys.modules["scipy.special"] = placeholder
    try:
        return importlib.import_module(COMPILED)
    except Exception:  # a private path changed: the caller imports the package
        return None
    finally:
        if sys.modules.get("scipy.special") is placeholder:
            del sys.modules["scipy.special"]
        if vars(scipy).get("special") is placeholder:  # set by the import; not getattr: lazy
            delattr(scipy, "special")


special = _compiled()


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
