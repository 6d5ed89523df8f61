"""Raking: iterative proportional fitting of design weights to marginal population targets.

Deming & Stephan (1940) IPF; as R survey's rake(). With bounds, the bounded ("truncated") raking
of Deville & Särndal (1992), whose solution is what R's calibrate(calfun="raking", bounds=) finds:
factors g = clip(exp(sum of one term per margin category), lower, upper) meeting every margin.

The weight of a respondent after raking depends only on the design weight and the combination of
categories, so the fitting runs on the occupied cells (at most the number of respondents) with one
np.bincount per margin per sweep, and the weights are expanded once at the end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.weighting.common import (
    Kind,
    NotConvergedError,
    WeightingError,
    WeightingResult,
    canonical,
    cells,
    check_options,
    check_totals,
    design_weights,
    encode,
    finish,
    target_totals,
)
from analysis.weighting.targets import Targets
from survey.files.source import suggest


def rake(frame: pd.DataFrame, targets: Targets | Mapping[str, Mapping[Any, float]], *,
         weights: str | np.ndarray | pd.Series | None = None, kind: Kind = "shares",
         total: float | None = None, bounds: tuple[float, float] | None = None,
         trim: float | None = None, trim_relative_to: str = "median",
         tolerance: float = 1e-8, max_iterations: int = 100) -> WeightingResult:
    """Rake design weights so that every margin of `targets` is reproduced.

    targets: {variable: {category: share}} (or totals with kind="totals"); codes match data values
        whether integer, string or Categorical (1, "1" and 1.0 are one code).
    weights: design weights (a column name or an array); equal weights when None.
    total: the weighted total for shares (default: the sum of the design weights).
    bounds: (lower, upper) limits on the factor final weight / design weight (design weights first
        scaled to the target total), as calibrate(calfun="raking", bounds=) in R survey.
    trim: cap final weights at this multiple of their median (or mean) and share out the excess,
        as trimWeights(strict=TRUE); margins are then met only approximately (see the report).
    tolerance: largest allowed |achieved - target| share on any margin category.
    Raises a WeightingError subclass naming the margin and category when targets cannot be met.
    """
    check_options(kind, total, bounds, trim, trim_relative_to)
    if not tolerance > 0 or max_iterations < 1:
        raise WeightingError("tolerance must be positive and max_iterations at least 1")
    margins = dict(targets.margins if isinstance(targets, Targets) else targets)
    if not margins:
        raise WeightingError("no raking targets given")
    for name in margins:
        if name not in frame.columns:
            raise WeightingError(f"no variable '{name}' in the data"
                                 f"{suggest(name, map(str, frame.columns))}", margin=name)
    design = design_weights(frame, weights)
    names, keys, codes = [], [], []
    for name, margin in margins.items():
        margin_keys = list(margin)
        labels = [canonical(k) for k in margin_keys]
        if len(set(labels)) < len(labels):
            raise WeightingError(f"'{name}' lists the same category twice: {margin_keys}",
                                 margin=name)
        names.append(name)
        keys.append(margin_keys)
        codes.append(encode(frame[name], name, labels))
    counts = [np.bincount(c, minlength=len(k)) for c, k in zip(codes, keys, strict=True)]
    if kind == "totals":
        wanted = [target_totals(n, margins[n], kind, 0.0, c, k)
                  for n, c, k in zip(names, counts, keys, strict=True)]
        population = check_totals(names, [float(t.sum()) for t in wanted])
    else:
        population = float(design.sum()) if total is None else float(total)
        wanted = [target_totals(n, margins[n], kind, population, c, k)
                  for n, c, k in zip(names, counts, keys, strict=True)]
    base = design * (population / design.sum())
    cell, cell_codes = cells(codes, [len(k) for k in keys])
    mass = np.bincount(cell, weights=base)
    factors, iterations, converged = ipf(mass, cell_codes, wanted, bounds=bounds,
                                         tolerance=tolerance, max_iterations=max_iterations)
    raked = base * factors[cell]
    described = [((n,), k, c, t) for n, k, c, t in zip(names, keys, codes, wanted, strict=True)]
    result = finish("raking", raked, base, iterations=iterations, converged=converged,
                    tolerance=tolerance, margins=described, bounds=bounds,
                    trim=trim if converged else None, trim_relative_to=trim_relative_to)
    if not converged:
        worst = max(result.report.margins, key=lambda m: m.max_abs_deviation)
        gaps = np.abs(np.subtract(worst.achieved, worst.target))
        category = worst.categories[int(gaps.argmax())]
        hint = ("; the bounds may be too tight for these targets" if bounds is not None
                else "; the margins may be impossible together for the combinations of "
                "categories in the data (e.g. a category seen only with one other), or need "
                "more max_iterations")
        raise NotConvergedError(
            f"raking did not converge in {iterations} iterations: '{worst.name}' category "
            f"{category!r} is {gaps.max():.3g} from its target share (tolerance {tolerance:g})"
            f"{hint}", result.report)
    return result


def ipf(mass: np.ndarray, cell_codes: Sequence[np.ndarray], targets: Sequence[np.ndarray], *,
        bounds: tuple[float, float] | None = None, tolerance: float = 1e-8,
        max_iterations: int = 100) -> tuple[np.ndarray, int, bool]:
    """Fit a factor per cell so that the factor-weighted `mass` meets every margin's targets.

    One sweep adjusts the margins in turn by a factor per category (one np.bincount each).
    Unbounded, the step is target / achieved (classic IPF). Bounded, factors are
    clip(latent, lower, upper) and the step solves the category's equation for the latent
    factors of the cells not at a bound (a Newton step in the multiplicative scale), falling back
    to the plain IPF step when those cannot carry it. Returns (factors, sweeps, converged).
    """
    population = float(targets[0].sum())
    low, high = bounds if bounds is not None else (0.0, np.inf)
    latent = np.ones(len(mass))
    factors = latent.copy()

    def achieved_by(codes: np.ndarray, wanted: np.ndarray, weighted: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=weighted, minlength=len(wanted))

    for sweep in range(1, max_iterations + 1):
        worst = 0.0
        for codes, wanted in zip(cell_codes, targets, strict=True):
            weighted = mass * factors
            achieved = achieved_by(codes, wanted, weighted)
            worst = max(worst, float(np.abs(achieved - wanted).max()) / population)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                step = np.where(achieved > 0, wanted / achieved, 1.0)
                if bounds is not None:
                    free = (latent > low) & (latent < high)
                    movable = achieved_by(codes, wanted, weighted * free)
                    needed = movable + wanted - achieved
                    step = np.where((movable > 0) & (needed > 0), needed / movable, step)
                latent *= step[codes]
            factors = np.clip(latent, low, high) if bounds is not None else latent
        if not np.isfinite(latent).all():  # bounded steps diverging: the bounds are infeasible
            return factors, sweep, False
        if worst < tolerance:
            final = max(float(np.abs(achieved_by(c, t, mass * factors) - t).max())
                        for c, t in zip(cell_codes, targets, strict=True)) / population
            if final < tolerance:
                return factors, sweep, True
    return factors, max_iterations, False
