"""Confidence intervals: Wald for means, logit and Korn-Graubard for design-based proportions,
Wilson for proportions from simple random samples."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from analysis.design import distributions as dist
from analysis.design.estimation import Estimates
from analysis.design.replication import Replicated


@dataclass(frozen=True, eq=False)
class Interval:
    """Lower and upper bounds (read-only arrays shaped like the estimates) and how they were made.

    `df` is None for normal quantiles, else the t degrees of freedom used (a number or an array).
    """

    lower: np.ndarray
    upper: np.ndarray
    method: str
    level: float
    df: float | np.ndarray | None


def _ro(a: np.ndarray | float) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.flags.writeable = False
    return a


def _quantile(level: float, df: float | np.ndarray | None) -> np.ndarray:
    upper = 1 - (1 - level) / 2
    if df is None:
        return np.asarray(dist.norm_ppf(upper))
    return np.asarray(dist.t_ppf(upper, df))


def wald(estimate: np.ndarray, se: np.ndarray, *, df: float | np.ndarray | None = None,
         level: float = 0.95) -> Interval:
    """estimate -/+ q se; q normal (R: confint(svymean(...))) or t on `df` (confint(..., df=))."""
    q = _quantile(level, df)
    return Interval(_ro(estimate - q * se), _ro(estimate + q * se), "wald", level, df)


def logit(p: np.ndarray, se: np.ndarray, *, df: float | np.ndarray | None,
          level: float = 0.95) -> Interval:
    """R's svyciprop(method="logit"): a Wald interval for logit(p), with se/(p(1-p)) as the se of
    the intercept of an intercept-only svyglm, and t on `df`, mapped back by expit."""
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = np.log(p / (1 - p))
        half = _quantile(level, df) * np.asarray(se) / (p * (1 - p))
        lower, upper = _expit(eta - half), _expit(eta + half)  # NaN where p is 0 or 1
    return Interval(_ro(lower), _ro(upper), "logit", level, df)


def logit_replicates(p: np.ndarray, replicated: Replicated, *, df: float | np.ndarray | None,
                     level: float = 0.95) -> Interval:
    """R's svyciprop(method="logit") on a replicate design: the intercept-only svyglm is fitted
    again under each replicate, so the se of logit(p) is that of the replicates' fitted logits
    (each proportion on its own, as each is its own svyciprop)."""
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        eta = np.log(p / (1 - p))
        fitted = _glm_logits(replicated.values, np.broadcast_to(eta, replicated.values.shape))
        half = _quantile(level, df) * np.sqrt(Replicated(fitted, replicated.rule).variances(eta))
        lower, upper = _expit(eta - half), _expit(eta + half)
    return Interval(_ro(lower), _ro(upper), "logit", level, df)


def _glm_logits(shares: np.ndarray, start: np.ndarray, epsilon: float = 1e-8,
                max_iterations: int = 25) -> np.ndarray:
    """The intercept R's glm.fit finds for 0/1 answers with weighted share `shares`
    (quasibinomial, logit link), from `start` as svyglm starts each replicate: IRLS steps
    eta += (share - mu) / mu'(eta) with R's link clamped at |eta| > 30, until the deviance moves
    less than `epsilon` relative (glm.control). Strictly inside (0, 1) that is logit(share) to
    about 1e-10; at 0 or 1 it is where the deviance stopped moving (near -21 or 21), as in R."""
    tiny = np.finfo(float).eps

    def mean_of(eta: np.ndarray) -> np.ndarray:
        odds = np.where(eta < -30, tiny, np.where(eta > 30, 1 / tiny, np.exp(np.clip(eta, -30,
                                                                                   30))))
        return odds / (1 + odds)

    def deviance(mu: np.ndarray) -> np.ndarray:
        return -2 * (np.where(shares > 0, shares * np.log(mu), 0.0)
                     + np.where(shares < 1, (1 - shares) * np.log(1 - mu), 0.0))

    eta = np.array(start, dtype=float)
    mu = mean_of(eta)
    before = deviance(mu)
    active = np.isfinite(shares) & np.isfinite(eta)
    for _ in range(max_iterations):
        if not active.any():
            break
        slope = np.where(np.abs(eta) > 30, tiny, np.exp(np.clip(eta, -30, 30))
                         / (1 + np.exp(np.clip(eta, -30, 30))) ** 2)
        eta = np.where(active, eta + (shares - mu) / slope, eta)
        mu = mean_of(eta)
        now = deviance(mu)
        active &= ~(np.abs(now - before) / (np.abs(now) + 0.1) < epsilon)
        before = now
    return np.where(np.isfinite(shares), eta, np.nan)


def _expit(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def korn_graubard(p: np.ndarray, se: np.ndarray, *, n: np.ndarray | float,
                  df: float | np.ndarray, level: float = 0.95) -> Interval:
    """R's svyciprop(method="beta") (Korn and Graubard 1998): Clopper-Pearson on the effective
    sample size p(1-p)/var, scaled by (t_{n-1} / t_df)^2 quantiles."""
    p = np.asarray(p, dtype=float)
    alpha = 1 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = p * (1 - p) / np.asarray(se, dtype=float) ** 2
        n_eff = n_eff * (dist.t_ppf(alpha / 2, np.asarray(n) - 1)
                         / dist.t_ppf(alpha / 2, df)) ** 2
        lower = dist.beta_ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1)
        upper = dist.beta_ppf(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p))
    return Interval(_ro(lower), _ro(upper), "korn-graubard", level, df)


def wilson(count: np.ndarray, n: np.ndarray, *, level: float = 0.95) -> Interval:
    """Wilson score interval for x successes in n SRS draws (statsmodels method="wilson")."""
    count = np.asarray(count, dtype=float)
    n = np.asarray(n, dtype=float)
    z = float(dist.norm_ppf(1 - (1 - level) / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = count / n
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    # at 0 and n successes the ends are 0 and 1 exactly; the formula leaves rounding (2e-19)
    low = np.where(count == 0, 0.0, centre - half)
    high = np.where(count == n, 1.0, centre + half)
    return Interval(_ro(low), _ro(high), "wilson", level, None)


def proportion_interval(estimates: Estimates, method: Literal["logit", "beta"] = "logit", *,
                        level: float = 0.95) -> Interval:
    """Intervals for the proportions in `estimates` (means of flags or category shares).

    Each domain uses its own df and n, as svyby(..., svyciprop) does with the domain subset; on
    a replicate design the logit interval comes from the replicates' logits (`logit_replicates`).
    """
    if estimates.statistic != "mean":
        raise ValueError("proportion intervals need proportions (statistic 'mean')")
    df = np.asarray(estimates.domain_df, dtype=float)[:, None]
    if method == "logit" and estimates.replicates is not None:
        return logit_replicates(estimates.estimate, estimates.replicates, df=df, level=level)
    if method == "logit":
        return logit(estimates.estimate, estimates.se, df=df, level=level)
    if method == "beta":
        n = np.asarray(estimates.n, dtype=float)[:, None]
        return korn_graubard(estimates.estimate, estimates.se, n=n, df=df, level=level)
    raise ValueError(f"method must be 'logit' or 'beta', not {method!r}")


def mean_interval(estimates: Estimates, *, level: float = 0.95,
                  df: Literal["design", "normal"] = "design") -> Interval:
    """Wald intervals for means or totals: t on the design df (R: confint(m, df=degf(design)))
    or normal quantiles (R's confint default)."""
    return wald(estimates.estimate, estimates.se, level=level,
                df=float(estimates.df) if df == "design" else None)
