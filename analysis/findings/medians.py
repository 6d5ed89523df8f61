"""Claims about medians (`measure: median`): a segment's median against the rest's (or another
segment's), or against a published figure.

The difference of two domain medians is tested with `analysis.design.quantiles`'
`quantile_difference`: each median's se is the one its Woodruff interval implies (as R's
svyquantile reports it), and the two medians' covariance comes from the full design through the
shares at or below them, so segments that share enterprises (clusters) are not treated as
independent samples. A median against a published value uses the median's Woodruff interval and se.
Both are t tests on the design df of the respondents compared, as the other claims.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.design import distributions as dist
from analysis.design.quantiles import quantile, quantile_difference
from analysis.design.sample_design import Design, DesignError

if TYPE_CHECKING:
    from analysis.findings.claims import Claim
    from analysis.findings.measures import ClaimData

COMPARISON_TEST = "design-median-t"
ANCHOR_TEST = "design-median-t vs published value"


@dataclass(frozen=True)
class Groups:
    """A comparison claim's two groups: `group` 1 (the segment), 0 (the rest or `versus`), -1
    (neither, or both: left out with a note); respondents with a value in each."""

    group: np.ndarray
    n: int
    n_other: int
    note: tuple[str, dict] | None


def two_groups(claim: Claim, data: ClaimData, y: np.ndarray) -> Groups:
    """The segment against the rest of the respondents, or against the `versus` segment."""
    inside = data.segment(claim.segment)
    answered = ~np.isnan(y)
    if not claim.versus:  # the segment and its rest: every respondent in one of the two
        n = int(np.count_nonzero(answered & inside))
        return Groups(inside.astype(np.int8), n, int(np.count_nonzero(answered)) - n, None)
    other = data.segment(claim.versus)
    both = inside & other
    group = np.full(len(inside), -1, np.int8)
    group[other & ~both] = 0
    group[inside & ~both] = 1
    note = ("both_groups", {"n": int(both.sum())}) if both.any() else None
    return Groups(group, int(np.count_nonzero(answered & (group == 1))),
                  int(np.count_nonzero(answered & (group == 0))), note)


def _fields(verdict: str, estimate: float, comparison: float, ci: tuple[float, float],
            p: float, n: int, n_other: int, test: str, said, label: str = "") -> dict[str, Any]:
    """A Finding's fields (analysis.findings.verdicts.Finding) besides the claim."""
    return {"verdict": verdict, "estimate": estimate, "comparison": comparison,
            "difference": estimate - comparison, "ci": ci, "p": p, "p_adjusted": math.nan,
            "n": n, "n_comparison": n_other, "test": test, "said": said,
            "comparison_label": label}


def _insufficient(n: int, n_other: int, said) -> dict[str, Any]:
    nan = math.nan
    return _fields("insufficient_data", nan, nan, (nan, nan), nan, n, n_other, "none", said)


def median_test(claim: Claim, data: ClaimData, design: Design, alpha: float,
                min_base: int) -> dict[str, Any]:
    """The test of a median claim, as the fields of its Finding (verdict still to be given)."""
    y = data.measure_of(claim).to_numpy(float)
    if claim.kind == "anchor":
        return _anchor(claim, data, design, y, alpha, min_base)
    groups = two_groups(claim, data, y)
    if min(groups.n, groups.n_other) < min_base:
        return _insufficient(groups.n, groups.n_other, ("base_below", {
            "min_base": min_base, "n": groups.n, "n_other": groups.n_other}))
    try:
        d = quantile_difference(design, y, pd.Categorical.from_codes(groups.group, [0, 1]), 0.5,
                                alpha=alpha)
    except DesignError as error:
        return _insufficient(groups.n, groups.n_other, ("design", {"error": str(error)}))
    return _fields("not_supported", d.estimate, d.comparison, d.ci, d.p, groups.n,
                   groups.n_other, COMPARISON_TEST, groups.note, claim.versus or "rest")


def _anchor(claim: Claim, data: ClaimData, design: Design, y: np.ndarray, alpha: float,
            min_base: int) -> dict[str, Any]:
    """The median (of a segment, or of everyone) against a published figure: t = (median -
    value) / se on the domain's df; the interval is the Woodruff interval minus the value."""
    if claim.segment:
        y = np.where(data.segment(claim.segment), y, np.nan)
    n = int((~np.isnan(y)).sum())
    if n < min_base:
        return _insufficient(n, 0, ("base_below_one", {"min_base": min_base, "n": n}))
    try:
        m = quantile(design, y, 0.5, alpha=alpha)
    except DesignError as error:
        return _insufficient(n, 0, ("design", {"error": str(error)}))
    value = claim.anchor.value
    median, se, df = float(m.value[0, 0]), float(m.se[0, 0]), float(m.df[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        p = float(2 * dist.t_sf(abs(median - value) / se, df)) if se > 0 else math.nan
    return _fields("not_supported", median, value,
                   (float(m.lower[0, 0]) - value, float(m.upper[0, 0]) - value), p, n, 0,
                   ANCHOR_TEST, ("anchor", {"source": claim.anchor.source}), "anchor")
