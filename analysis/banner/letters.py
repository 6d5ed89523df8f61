"""The letters of a banner: within each group every testable column is compared with every
other for each row (SPSS CTABLES), one multiple-comparison correction runs over all the
comparisons of the banner, and a cell carries the letters of the columns it is significantly
higher than. The comparisons stay arrays from the test to the letters (`significance.Pairs`):
a banner of nine groups makes no frame per group.
"""

from __future__ import annotations

import numpy as np

from analysis.banner.totals import Ratios
from analysis.design import significance
from analysis.design.corrections import adjust_p

Letters = dict[tuple[int, int, int], tuple[str, ...]]  # (group, level, row): lower columns


def design_pairs(r: Ratios, levels: int, df: float, testable: np.ndarray
                 ) -> significance.Pairs:
    """The tested comparisons of a group's levels (the first `levels` domains of `r`, its
    Total left out), t on `df` with the covariance of the design."""
    m = r.estimate.shape[1]
    diff, se, p = significance.column_differences(
        r.estimate[:levels], r.vcov[: levels * m, : levels * m], df)
    return significance.valid_pairs(diff, se, p, testable)


def srs_pairs(counts: np.ndarray, bases: np.ndarray, testable: np.ndarray
              ) -> significance.Pairs:
    """The tested comparisons of a simple random sample's columns: pooled two-proportion z
    tests of `counts` (rows, columns) out of `bases` (columns)."""
    diff, se, p = significance.srs_column_differences(counts, bases)
    return significance.valid_pairs(diff, se, p, testable)


def letters(pairs: list[tuple[int, significance.Pairs]], correction: str, alpha: float,
            about: dict[tuple[int, int], dict]) -> Letters:
    """{(group, level, row): letters of the columns it is significantly higher than}, the
    p values of every group's pairs adjusted together; `about` gives each (group, level)'s
    column, its letter included."""
    if not sum(len(p.p) for _, p in pairs):
        return {}
    group = np.concatenate([np.full(len(p.p), gi) for gi, p in pairs])
    every = [np.concatenate([getattr(p, name) for _, p in pairs])
             for name in ("row", "a", "b", "difference", "p")]
    row, a, b, difference, p = every
    sig = adjust_p(p, correction) < alpha
    up = difference > 0
    high, low = np.where(up, a, b)[sig], np.where(up, b, a)[sig]
    found: dict[tuple[int, int, int], list[str]] = {}
    for g, h, r, lo in zip(group[sig].tolist(), high.tolist(), row[sig].tolist(), low.tolist(),
                           strict=True):
        found.setdefault((g, h, r), []).append(about[(g, lo)]["letter"])
    return {k: tuple(sorted(v, key=lambda s: (len(s), s))) for k, v in found.items()}
