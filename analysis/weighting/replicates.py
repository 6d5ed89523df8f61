"""Weighting a replicate-weight design: every replicate weight is weighted to the same targets.

As R's rake and postStratify on a svyrep.design: each replicate's weights are adjusted on their
own to the population totals of the full-sample weighting, so the replicates carry the weighting's
own variability. A respondent with replicate weight 0 (left out of a jackknife replicate) keeps 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from analysis.weighting.common import WeightingResult
from analysis.weighting.errors import WeightingError
from analysis.weighting.targets import Targets


def target_variables(targets: Any) -> list[str]:
    """The variables targets are given for: margins, or the cell columns of a cells table."""
    if isinstance(targets, pd.DataFrame):
        return [str(c) for c in targets.columns if c not in ("share", "total")]
    margins = targets.margins if isinstance(targets, Targets) else targets
    return [str(name) for name in margins]


def reweight_replicates(method: Callable[..., WeightingResult], frame: pd.DataFrame,
                        targets: Targets | Mapping[str, Mapping[Any, float]] | pd.DataFrame,
                        columns: list[str], *, population: float,
                        bounds: tuple[float, float] | None = None) -> np.ndarray:
    """Each replicate weight column weighted by `method` to `targets` scaled to `population`
    (the full-sample weights' total): an (n, R) array, zeros kept."""
    variables = frame[[c for c in target_variables(targets) if c in frame.columns]]
    out = np.zeros((len(frame), len(columns)))
    for j, name in enumerate(columns):
        w = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
        if not np.isfinite(w).all() or (w < 0).any():
            raise WeightingError(f"replicate weight '{name}' has missing or negative values")
        used = w > 0
        try:
            result = method(variables[used], targets, weights=w[used], total=population,
                            bounds=bounds)
        except WeightingError as error:  # the same error, saying which replicate
            error.args = (f"replicate weight '{name}': {error.message}",)
            raise
        out[used, j] = result.weights
    return out
