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
    binary = bool(np.all((yk == 0) | (yk == 1)))
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
        # the influence values (x_i w_i (y_i - mu_i)) @ inverse, totalled per unit: the
        # scores' unit totals times the inverse (the product is linear)
        residual = w * (yk - mu)
        unit = np.asarray(design.unit)[keep]
        scores = np.column_stack([np.bincount(unit, x[:, j] * residual,
                                              minlength=design.n_units)
                                  for j in range(x.shape[1])])
        se = float(np.sqrt(design.variance(scores @ inverse)[1, 1]))
        df = float(design.domain_degf(np.where(keep, 0, -1), 1)[0]) + 1 - x.shape[1]
    p = float(2 * dist.t_sf(abs(coefficient) / se, max(df, 1)))
    return coefficient, p, int(keep.sum())


def model_matrix(controls: Sequence[str], variable: Callable[[str], pd.Series], y: np.ndarray,
                 group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The model matrix (intercept, group, then each control: a number, or a coded answer's
    categories but the first as 0/1 columns, as pd.get_dummies(drop_first=True)) of the
    respondents it keeps: in a group, with a measure and every control answered."""
    keep = (group >= 0) & ~np.isnan(y)
    parts: list[tuple[np.ndarray, int]] = []  # a number (width 0) or category codes and width
    for name in controls:
        values = variable(name)
        if isinstance(values.dtype, pd.CategoricalDtype) or values.dtype == object:
            values = values.astype("category")
            codes = values.cat.codes.to_numpy()
            keep &= codes >= 0
            parts.append((codes, len(values.cat.categories) - 1))
        else:
            number = pd.to_numeric(values, errors="coerce").to_numpy(float)
            keep &= ~np.isnan(number)
            parts.append((number, 0))
    rows = np.flatnonzero(keep)
    # columns contiguous (Fortran order): each is summed per unit on its own
    x = np.zeros((len(rows), 2 + sum(max(width, 1) for _, width in parts)), order="F")
    x[:, 0] = 1.0
    x[:, 1] = group[rows] == 1
    column = 2
    for values, width in parts:
        if width == 0:
            x[:, column] = values[rows]
            column += 1
            continue
        codes = values[rows]
        dummy = np.flatnonzero(codes > 0)  # the first category is the reference
        x[dummy, column + codes[dummy] - 1] = 1.0
        column += width
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
