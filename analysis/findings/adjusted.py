"""A claim's difference controlling for covariates: the group coefficient of a design-based GLM
(R's svyglm), with its p and the respondents the model used."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis.design.replicate_design import ReplicateDesign
from analysis.design.sample_design import Design


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
    import statsmodels.api as sm

    frame = pd.DataFrame({"segment": (group == 1).astype(float)})
    for name in controls:
        values = variable(name)
        if isinstance(values.dtype, pd.CategoricalDtype) or values.dtype == object:
            dummies = pd.get_dummies(values.astype("category"), prefix=name, drop_first=True,
                                     dtype=float).set_axis(frame.index)
            dummies[values.isna().to_numpy()] = np.nan
            frame = pd.concat([frame, dummies], axis=1)
        else:
            frame[name] = pd.to_numeric(values, errors="coerce").to_numpy(float)
    keep = (group >= 0) & ~np.isnan(y) & frame.notna().all(axis=1).to_numpy()
    x = sm.add_constant(frame[keep], has_constant="add").to_numpy(float)
    w, yk = np.asarray(design.weights)[keep], y[keep]
    binary = set(np.unique(yk)) <= {0.0, 1.0}
    family = sm.families.Binomial() if binary else sm.families.Gaussian()
    fit = sm.GLM(yk, x, family=family, var_weights=w).fit()
    coefficient = float(fit.params[1])
    if isinstance(design, ReplicateDesign):
        betas = np.array([
            sm.GLM(yk, x, family=family, var_weights=r / r.sum()).fit(
                start_params=fit.params, tol=1e-12).params[1]
            for r in np.asarray(design.replicates)[keep].T])
        se = float(np.sqrt(design.rule.vcov(betas[:, None], np.array([coefficient]))[0, 0]))
        df = float(design.degf) + 1 - x.shape[1]
    else:
        mu = fit.mu
        working = w * (mu * (1 - mu) if binary else 1.0)
        inverse = np.linalg.inv(x.T @ (x * working[:, None]))
        influence = (x * (w * (yk - mu))[:, None]) @ inverse
        totals = np.zeros((design.n_units, x.shape[1]))
        np.add.at(totals, np.asarray(design.unit)[keep], influence)
        se = float(np.sqrt(design.variance(totals)[1, 1]))
        df = float(design.domain_degf(np.where(keep, 0, -1), 1)[0]) + 1 - x.shape[1]
    return coefficient, float(2 * stats.t.sf(abs(coefficient) / se, max(df, 1))), int(keep.sum())
