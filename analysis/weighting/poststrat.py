"""Post-stratification: scale design weights so each cell of a joint distribution meets its target.

Holt & Smith (1979); as R survey's postStratify(). Every respondent in a cell gets the same factor
target / weighted count, so the fit is exact in one step and a cell without respondents is an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from analysis.weighting.common import (
    BoundsError,
    Kind,
    UncoveredCategoryError,
    WeightingError,
    WeightingResult,
    canonical,
    cells,
    check_options,
    design_weights,
    encode,
    finish,
    target_totals,
)
from analysis.weighting.targets import Targets
from survey.files.source import suggest


def poststratify(frame: pd.DataFrame,
                 targets: pd.DataFrame | Targets | Mapping[str, Mapping[Any, float]], *,
                 weights: str | np.ndarray | pd.Series | None = None, kind: Kind = "shares",
                 total: float | None = None, bounds: tuple[float, float] | None = None,
                 trim: float | None = None, trim_relative_to: str = "median") -> WeightingResult:
    """Post-stratify design weights to cell targets; the same arguments as `rake`.

    targets: a DataFrame with one column per cell variable and a 'share' column (a 'total' column
        with kind="totals"), one row per cell; or {variable: {category: share}} for one variable.
    bounds: a check, not a constraint: every respondent in a cell shares one factor, so a factor
        outside the bounds cannot be avoided and raises BoundsError naming the cell.
    trim: as in `rake`; cell targets are then met only approximately (see the report).
    """
    check_options(kind, total, bounds, trim, trim_relative_to)
    variables, keys, values = _cells_table(targets, kind)
    for name in variables:
        if name not in frame.columns:
            raise WeightingError(f"no variable '{name}' in the data"
                                 f"{suggest(name, map(str, frame.columns))}", margin=name)
    design = design_weights(frame, weights)
    margin = " × ".join(variables)
    # Per variable, the values the cells use; then each respondent's cell among the targets.
    labels = [list(dict.fromkeys(canonical(key[j]) for key in keys)) for j in range(len(variables))]
    codes = [encode(frame[name], name, labels[j], what="value")
             for j, name in enumerate(variables)]
    occupied_of, occupied_codes = cells(codes, [len(v) for v in labels])
    position: dict[tuple[str, ...], int] = {}
    for i, key in enumerate(keys):
        label = tuple(canonical(k) for k in key)
        if label in position:
            raise WeightingError(f"'{margin}': cell {_show(variables, key)} is listed twice",
                                 margin=margin, category=key)
        position[label] = i
    to_target = np.empty(len(occupied_codes[0]), dtype=np.intp)
    for c in range(len(to_target)):
        label = tuple(labels[j][occupied_codes[j][c]] for j in range(len(variables)))
        found = position.get(label)
        if found is None:
            count = int(np.count_nonzero(occupied_of == c))
            raise UncoveredCategoryError(
                f"'{margin}': {count} respondents are in cell "
                f"{', '.join(f'{v}={x}' for v, x in zip(variables, label, strict=True))}, "
                "which has no target; add the cell or collapse it", margin=margin, category=label)
        to_target[c] = found
    cell = to_target[occupied_of]
    counts = np.bincount(cell, minlength=len(keys))
    shown = [_show(variables, key) for key in keys]
    named = dict(zip(shown, values, strict=True))
    population = (float(values.sum()) if kind == "totals"
                  else float(design.sum()) if total is None else float(total))
    wanted = target_totals(margin, named, kind, population, counts, shown)
    base = design * (population / design.sum())
    achieved = np.bincount(cell, weights=base, minlength=len(keys))
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(achieved > 0, wanted / achieved, 1.0)
    if bounds is not None:
        outside = (factor < bounds[0]) | (factor > bounds[1])
        if outside.any():
            worst = int(np.argmax(np.where(outside, np.abs(np.log(factor)), -1.0)))
            raise BoundsError(
                f"'{margin}': cell {shown[worst]} needs factor {factor[worst]:.4g}, outside bounds "
                f"{bounds}; post-stratification cannot spread it, so collapse cells or use rake() "
                "with bounds", margin=margin, category=keys[worst])
    weighted = base * factor[cell]
    return finish("post-stratification", weighted, base, iterations=1, converged=True,
                  tolerance=0.0, margins=[(variables, keys, cell, wanted)], bounds=bounds,
                  trim=trim, trim_relative_to=trim_relative_to)


def _cells_table(targets: Any, kind: Kind) -> tuple[tuple[str, ...], list[tuple], np.ndarray]:
    """(variables, cell keys, target values) from a cells DataFrame or a one-variable mapping."""
    if isinstance(targets, pd.DataFrame):
        value = "share" if kind == "shares" else "total"
        if value not in targets.columns:
            raise WeightingError(f"the cells table needs a '{value}' column (kind={kind!r}); "
                                 f"it has {list(targets.columns)}")
        variables = tuple(str(c) for c in targets.columns if c != value)
        if not variables:
            raise WeightingError("the cells table has no cell variable columns")
        keys = list(targets[list(variables)].itertuples(index=False, name=None))
        values = pd.to_numeric(targets[value], errors="coerce").to_numpy(dtype=float)
        return variables, keys, values
    margins = targets.margins if isinstance(targets, Targets) else targets
    if len(margins) != 1:
        raise WeightingError(f"post-stratification takes the joint cells of its variables, not "
                             f"{len(margins)} separate margins; pass a cells DataFrame, or rake()")
    (name, margin), = margins.items()
    return (name,), [(key,) for key in margin], np.array(list(margin.values()), dtype=float)


def _show(variables: tuple[str, ...], key: tuple) -> str:
    return ", ".join(f"{v}={k}" for v, k in zip(variables, key, strict=True))
