"""A claim's difference controlling for covariates: the group coefficient of a design-based GLM
(R's svyglm), with its p and the respondents the model used.

The model is fitted with numpy on the model matrix: weighted least squares for a linear model,
Newton's method (IRLS) for a logistic one, iterated until the coefficients stop moving (R's glm
and statsmodels stop at a deviance change of 1e-8, a little earlier, on the same maximum). The
design-based variance then needs only each sampling unit's total of the influence values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from analysis.design import distributions as dist
from analysis.design.replicate_design import ReplicateDesign
from analysis.design.sample_design import Design

TOLERANCE = 1e-12  # relative change of the coefficients at which Newton's method has converged
ITERATIONS = 100


def adjusted_coefficient(controls: Sequence[str], variable: Callable[[str], pd.Series],
                         design: Design | ReplicateDesign, y: np.ndarray, group: np.ndarray
                         ) -> tuple[float, float, int]:
    """The group coefficient controlling for `controls` (looked up with `variable`), with
    svyglm's design-based variance, its p, and the respondents the model used (an answer to
    every control too).

    The weighted GLM (logistic for a 0/1 measure, linear otherwise) gives the coefficients. On a
    Taylor design the sandwich is R's svy.varcoef: influence values estfun %*% solve(information),
    totalled per sampling unit and passed to the design's variance (svyrecvar); t on the degf of
    the respondents used + 1 - p. On a replicate design the model is fitted again under each
    replicate's weights from the full-sample coefficients (svyglm.svyrep.design) and t is on the
    design's degf + 1 - p.
    """
    x, keep = model_matrix(controls, variable, y, group)
    w, yk = np.asarray(design.weights)[keep], y[keep]
    binary = set(np.unique(yk)) <= {0.0, 1.0}
    params, mu = fit_glm(x, yk, w, binary)
    coefficient = float(params[1])
    if isinstance(design, ReplicateDesign):
        betas = np.array([fit_glm(x, yk, r / r.sum(), binary, start=params)[0][1]
                          for r in np.asarray(design.replicates)[keep].T])
        se = float(np.sqrt(design.rule.vcov(betas[:, None], np.array([coefficient]))[0, 0]))
        df = float(design.degf) + 1 - x.shape[1]
    else:
        working = w * (mu * (1 - mu) if binary else 1.0)
        inverse = np.linalg.inv(x.T @ (x * working[:, None]))
        influence = (x * (w * (yk - mu))[:, None]) @ inverse
        unit = np.asarray(design.unit)[keep]
        totals = np.column_stack([np.bincount(unit, influence[:, j], minlength=design.n_units)
                                  for j in range(x.shape[1])])
        se = float(np.sqrt(design.variance(totals)[1, 1]))
        df = float(design.domain_degf(np.where(keep, 0, -1), 1)[0]) + 1 - x.shape[1]
    p = float(2 * dist.t_sf(abs(coefficient) / se, max(df, 1)))
    return coefficient, p, int(keep.sum())


def model_matrix(controls: Sequence[str], variable: Callable[[str], pd.Series], y: np.ndarray,
                 group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The model matrix (intercept, group, then each control: a number, or a coded answer's
    categories but the first as 0/1 columns) of the respondents it keeps: in a group, with a
    measure and every control answered."""
    columns = [(group == 1).astype(float)]
    keep = (group >= 0) & ~np.isnan(y)
    for name in controls:
        values = variable(name)
        if isinstance(values.dtype, pd.CategoricalDtype) or values.dtype == object:
            codes = values.astype("category").cat.codes.to_numpy()
            keep &= codes >= 0
            columns += [(codes == k).astype(float) for k in range(1, codes.max() + 1)]
        else:
            number = pd.to_numeric(values, errors="coerce").to_numpy(float)
            keep &= ~np.isnan(number)
            columns.append(number)
    x = np.empty((int(keep.sum()), len(columns) + 1))
    x[:, 0] = 1.0
    for j, column in enumerate(columns, start=1):
        x[:, j] = column[keep]
    return x, keep


def fit_glm(x: np.ndarray, y: np.ndarray, w: np.ndarray, binary: bool,
            start: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and fitted means of the weighted linear (least squares) or logistic model."""
    if not binary:
        xw = x * w[:, None]
        params = np.linalg.solve(xw.T @ x, xw.T @ y)
        return params, x @ params
    params = np.zeros(x.shape[1]) if start is None else np.array(start, dtype=float)
    for _ in range(ITERATIONS):
        mu = _expit(x @ params)
        working = w * mu * (1 - mu)
        step = np.linalg.solve(x.T @ (x * working[:, None]), x.T @ (w * (y - mu)))
        params = params + step
        if np.abs(step).max() <= TOLERANCE * (1 + np.abs(params).max()):
            break
    return params, _expit(x @ params)


def _expit(eta: np.ndarray) -> np.ndarray:
    from scipy.special import expit

    return expit(eta)
