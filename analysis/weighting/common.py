"""What every weighting method shares: the immutable result and report, category matching.

The methods live in `analysis.weighting.raking` (`rake`, iterative proportional fitting to
margins) and `analysis.weighting.poststrat` (`poststratify`, to a joint distribution of cells);
the errors in `analysis.weighting.errors`. Both methods take the same
arguments (frame, targets, *, weights, kind, total, bounds, trim, trim_relative_to) and return a
`WeightingResult`, so a user can swap one for the other.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.weighting.errors import (  # noqa: F401  (re-exported for the methods)
    BoundsError,
    DesignWeightsError,
    EmptyCategoryError,
    MarginSumError,
    MissingValuesError,
    NegativeTargetError,
    NotConvergedError,
    UncoveredCategoryError,
    WeightingError,
)

Kind = Literal["shares", "totals"]
SHARE_TOLERANCE = 1e-6  # a margin of shares must sum to 1 within this
TOTALS_TOLERANCE = 1e-6  # margins of totals must agree within this, relative


# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class MarginReport:
    """Target and achieved shares of one margin (or of the cells, for post-stratification)."""

    variables: tuple[str, ...]
    categories: tuple[Any, ...]  # target keys as written; tuples of keys for cells
    target: tuple[float, ...]  # shares
    achieved: tuple[float, ...]  # shares under the final weights
    respondents: tuple[int, ...]  # unweighted count per category

    @property
    def name(self) -> str:
        return " × ".join(self.variables)

    @property
    def max_abs_deviation(self) -> float:
        return max(abs(a - t) for a, t in zip(self.achieved, self.target, strict=True))


@dataclass(frozen=True)
class WeightingReport:
    """How the weights were made and how good they are."""

    method: str  # "raking" | "post-stratification"
    iterations: int
    converged: bool  # of the fitting itself, before any trimming
    tolerance: float
    margins: tuple[MarginReport, ...]
    n: int
    total: float  # sum of the final weights
    efficiency: float  # Kish: (sum w)^2 / (n sum w^2)
    design_effect: float  # due to weighting, 1 + CV^2 (= 1 / efficiency)
    factor_range: tuple[float, float]  # min and max of final / (scaled) design weights
    bounds: tuple[float, float] | None
    trimmed: int  # respondents whose weight was capped
    trim_cap: float | None

    @property
    def max_abs_deviation(self) -> float:
        """Largest absolute gap between achieved and target share over all margins."""
        return max(m.max_abs_deviation for m in self.margins)

    @property
    def effective_n(self) -> float:
        return self.n * self.efficiency

    def summary(self) -> list[str]:
        """Two lines for people: convergence, then efficiency, design effect and factors."""
        trimmed = f", {self.trimmed} trimmed" if self.trim_cap is not None else ""
        return [f"{self.method}: {self.iterations} iteration(s), "
                f"{'converged' if self.converged else 'NOT converged'}; "
                f"max deviation {self.max_abs_deviation:.2e}",
                f"efficiency {self.efficiency:.3f} (effective n {self.effective_n:.1f} of "
                f"{self.n}), design effect of weighting {self.design_effect:.3f}, "
                f"factors {self.factor_range[0]:.3f}-{self.factor_range[1]:.3f}{trimmed}"]

    def to_frame(self) -> pd.DataFrame:
        """One tidy row per margin category: target, achieved, deviation, respondents."""
        rows = [
            {"margin": m.name, "category": c, "target": t, "achieved": a, "deviation": a - t,
             "respondents": r}
            for m in self.margins
            for c, t, a, r in zip(m.categories, m.target, m.achieved, m.respondents, strict=True)
        ]
        return pd.DataFrame(rows)


@dataclass(frozen=True)
class WeightingResult:
    """Final weights (read-only, one per row of the input frame, in order) and their report;
    `replicate_columns` names the replicate weights weighted the same way (`weight`)."""

    weights: np.ndarray
    report: WeightingReport
    replicate_columns: tuple[str, ...] = ()

    def series(self, frame: pd.DataFrame, name: str = "weight") -> pd.Series:
        """The weights as a Series on `frame`'s index, ready to assign to a copy of it."""
        return pd.Series(self.weights, index=frame.index, name=name)


# ---------------------------------------------------------------------------------------------
# Weight summaries


def kish_efficiency(weights: np.ndarray) -> float:
    """Kish (1965) weighting efficiency, (sum w)^2 / (n sum w^2); effective n = n * efficiency."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (len(w) * np.dot(w, w)))


def weighting_design_effect(weights: np.ndarray) -> float:
    """Kish's design effect due to unequal weights, 1 + CV^2 (population CV, ddof=0)."""
    w = np.asarray(weights, dtype=float)
    mean = w.mean()
    return float(1.0 + w.var() / mean**2)


# ---------------------------------------------------------------------------------------------
# Matching target keys to data values: 1, 1.0, "1", " 1" and Categorical category 1 are one code


def canonical(value: Any) -> str:
    """A comparable text form of a category code, so YAML 1 matches data "1" or 1.0."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            return text
        if math.isfinite(number):
            return str(int(number)) if number.is_integer() else repr(number)
        return text
    return str(value)


def encode(series: pd.Series, variable: str, labels: Sequence[str],
           what: str = "category") -> np.ndarray:
    """Integer codes of `series` into `labels` (canonical forms); loud on missing or unknown values.

    Vectorised: the distinct data values are found once (category codes, a bincount for small
    integer ranges, else pandas.factorize) and only those few are matched to the labels.
    """
    position = {label: i for i, label in enumerate(labels)}
    values = series.to_numpy() if not isinstance(series.dtype, pd.CategoricalDtype) else None
    if values is None:
        data_codes = series.cat.codes.to_numpy()
        uniques = list(series.cat.categories)
    elif values.dtype.kind in "iu" and len(values) and np.ptp(values) < 4 * len(values) + 1024:
        low = values.min()
        shifted = (values - low).astype(np.intp)
        present = np.flatnonzero(np.bincount(shifted))
        lookup = np.full(int(shifted.max()) + 1, -1, dtype=np.intp)
        lookup[present] = np.arange(len(present))
        data_codes = lookup[shifted]
        uniques = [int(low + p) for p in present]
    else:
        data_codes, unique_index = pd.factorize(values, use_na_sentinel=True)
        uniques = list(unique_index)
    missing = int(np.count_nonzero(data_codes < 0))
    if missing:
        raise MissingValuesError(
            f"'{variable}' is missing for {missing} of {len(series)} respondents; every "
            "respondent needs a category to be weighted (impute, or drop those rows first)",
            margin=variable)
    mapping = np.empty(len(uniques), dtype=np.intp)
    for i, value in enumerate(uniques):
        found = position.get(canonical(value))
        if found is None:
            count = int(np.count_nonzero(data_codes == i))
            raise UncoveredCategoryError(
                f"'{variable}': {count} respondents have {what} {value!r}, which has no target; "
                f"add it to the targets or recode it (targets have {', '.join(labels)})",
                margin=variable, category=value)
        mapping[i] = found
    return mapping[data_codes]


def design_weights(frame: pd.DataFrame, weights: str | np.ndarray | pd.Series | None) -> np.ndarray:
    """Design weights as a fresh float array: a column name, an array, or ones when None."""
    if weights is None:
        return np.ones(len(frame))
    if isinstance(weights, str):
        if weights not in frame.columns:
            raise DesignWeightsError(f"no design weight column '{weights}' in the data")
        values = pd.to_numeric(frame[weights], errors="coerce").to_numpy(dtype=float)
    else:
        if isinstance(weights, pd.Series) and not weights.index.equals(frame.index):
            raise DesignWeightsError("the design weights Series is not on the data's index; "
                                     "pass frame[column], a column name or a plain array")
        values = np.array(weights, dtype=float)
    if values.shape != (len(frame),):
        raise DesignWeightsError(
            f"{values.shape[0] if values.ndim else 0} design weights for {len(frame)} respondents")
    bad = ~(np.isfinite(values) & (values > 0))
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise DesignWeightsError(
            f"{int(bad.sum())} design weights are missing, zero or negative (first at row "
            f"{first}); every respondent needs a positive design weight")
    return values


def target_totals(name: str, margin: Mapping[Any, float], kind: Kind, total: float,
                  respondents: np.ndarray, keys: Sequence[Any]) -> np.ndarray:
    """Target totals of one margin as an array; loud on negative, mis-summed or empty targets."""
    values = np.array([float(margin[k]) for k in keys], dtype=float)
    for key, value, count in zip(keys, values, respondents, strict=True):
        if not np.isfinite(value) or value < 0:
            raise NegativeTargetError(
                f"'{name}' category {key!r}: target {value} must be a non-negative number",
                margin=name, category=key)
        if value == 0 and count > 0:
            raise NegativeTargetError(
                f"'{name}' category {key!r}: target is 0 but {count} respondents have it; give it "
                "a positive target or drop those respondents", margin=name, category=key)
        if value > 0 and count == 0:
            raise EmptyCategoryError(
                f"'{name}' category {key!r} has target {value:g} but no respondents; collapse it "
                "with a neighbouring category or drop it from the targets",
                margin=name, category=key)
    if kind == "shares":
        if abs(values.sum() - 1.0) > SHARE_TOLERANCE:
            raise MarginSumError(
                f"'{name}' shares sum to {values.sum():.6g}, not 1; fix the margin (or pass "
                "kind='totals' for population counts)", margin=name)
        return values / values.sum() * total
    return values


def check_totals(names: Sequence[str], sums: Sequence[float]) -> float:
    """The common population total of margins given as totals; loud when they disagree."""
    first = sums[0]
    for name, value in zip(names, sums, strict=True):
        if abs(value - first) > TOTALS_TOLERANCE * abs(first):
            raise MarginSumError(
                f"margin totals disagree: '{names[0]}' sums to {first:.10g} but '{name}' to "
                f"{value:.10g}; all margins must describe the same population", margin=name)
    return float(first)


def check_options(kind: str, total: float | None, bounds: tuple[float, float] | None,
                  trim: float | None, trim_relative_to: str) -> None:
    """Reject option values and combinations that cannot be honoured (never ignore one)."""
    if kind not in ("shares", "totals"):
        raise WeightingError(f"kind must be 'shares' or 'totals', not {kind!r}")
    if total is not None and kind == "totals":
        raise WeightingError("total= applies to shares; with kind='totals' the targets give it")
    if total is not None and not (np.isfinite(total) and total > 0):
        raise WeightingError(f"total must be a positive number, not {total!r}")
    if bounds is not None:
        low, high = bounds
        if not (0 <= low < 1 < high):
            raise WeightingError(f"bounds {bounds!r} must satisfy 0 <= lower < 1 < upper")
    if trim is not None and not trim > 1:
        raise WeightingError(f"trim={trim!r} must be a multiple above 1 of the {trim_relative_to}")
    if trim_relative_to not in ("median", "mean"):
        raise WeightingError(
            f"trim_relative_to must be 'median' or 'mean', not {trim_relative_to!r}")


def trim_weights(weights: np.ndarray, multiple: float,
                 relative_to: str = "median") -> tuple[np.ndarray, int, float]:
    """Cap weights at `multiple` x their median (or mean) and share the excess equally.

    As R survey's trimWeights(design, upper=cap, strict=TRUE): the cap is fixed once, the amount
    trimmed is added in equal parts to the weights under it, and this repeats until none exceeds
    it, so the total is kept. Returns (weights, number capped, cap).
    """
    w = weights.copy()
    cap = multiple * float(np.median(w) if relative_to == "median" else np.mean(w))
    capped = np.zeros(len(w), dtype=bool)
    while True:
        outside = w > cap
        if not outside.any():
            break
        capped |= outside
        excess = float((w[outside] - cap).sum())
        w[outside] = cap
        inside = ~outside
        w[inside] += excess / np.count_nonzero(inside)
    return w, int(capped.sum()), cap


def finish(method: str, weights: np.ndarray, base: np.ndarray, *, iterations: int,
           converged: bool, tolerance: float, margins: Sequence[tuple[Sequence[str], Sequence[Any],
                                                                     np.ndarray, np.ndarray]],
           bounds: tuple[float, float] | None, trim: float | None,
           trim_relative_to: str) -> WeightingResult:
    """Trim if asked, measure every margin under the final weights and freeze the result.

    `base` is the design weights scaled to the target total (the factors are weights / base);
    `margins` holds (variables, categories, codes per respondent, target totals) per margin.
    """
    trimmed, cap = 0, None
    if trim is not None:
        weights, trimmed, cap = trim_weights(weights, trim, trim_relative_to)
    weights.setflags(write=False)
    factors = weights / base
    total = float(weights.sum())
    reports = []
    for variables, categories, codes, targets in margins:
        achieved = np.bincount(codes, weights=weights, minlength=len(targets)) / total
        respondents = np.bincount(codes, minlength=len(targets))
        reports.append(MarginReport(
            tuple(variables), tuple(categories), tuple((targets / targets.sum()).tolist()),
            tuple(achieved.tolist()), tuple(int(r) for r in respondents)))
    report = WeightingReport(
        method=method, iterations=iterations, converged=converged, tolerance=tolerance,
        margins=tuple(reports), n=len(weights), total=total,
        efficiency=kish_efficiency(weights), design_effect=weighting_design_effect(weights),
        factor_range=(float(factors.min()), float(factors.max())), bounds=bounds,
        trimmed=trimmed, trim_cap=cap)
    return WeightingResult(weights, report)


def cells(codes: Sequence[np.ndarray], sizes: Sequence[int]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Group respondents by their combination of categories, keeping only combinations that occur.

    Returns the cell of each respondent and, per variable, the category of each cell. The number
    of cells is at most the number of respondents: a weight that depends only on the categories
    (raking, post-stratification) is then fitted on cells, never on a dense array of every
    combination (balance's exponential tensor) nor on every row.
    """
    if len(codes) == 1:
        return codes[0], [np.arange(sizes[0])]
    n = len(codes[0])
    space = math.prod(sizes)
    if space >= 2**62:  # a mixed-radix key would overflow: sort the rows instead
        unique, cell = np.unique(np.column_stack(codes), axis=0, return_inverse=True)
        return cell.reshape(-1).astype(np.intp), [unique[:, j] for j in range(len(codes))]
    key = np.zeros(n, dtype=np.int64)
    for code, size in zip(codes, sizes, strict=True):
        key *= size
        key += code
    if space <= 4 * n + 1024:  # occupied keys by counting: O(n) time and memory
        occupied = np.flatnonzero(np.bincount(key, minlength=space))
        lookup = np.empty(space, dtype=np.intp)
        lookup[occupied] = np.arange(len(occupied))
        cell = lookup[key]
    else:
        occupied, cell = np.unique(key, return_inverse=True)
    per_variable = []
    rest = occupied.astype(np.int64)
    for size in reversed(sizes):
        per_variable.append((rest % size).astype(np.intp))
        rest = rest // size
    per_variable.reverse()
    return cell.astype(np.intp, copy=False), per_variable
