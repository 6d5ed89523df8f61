"""The letters of a banner: within each group every testable column is compared with every
other for each row (SPSS CTABLES), one multiple-comparison correction runs over all the
comparisons of the banner, and a cell carries the letters of the columns it is significantly
higher than. The groups' comparisons are made together (their columns padded to the widest
group, the padding never tested) and stay arrays from the test to the letters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.design import column_tests
from analysis.design.corrections import adjust_p

Letters = dict[tuple[int, int, int], tuple[str, ...]]  # (group, level, row): lower columns


@dataclass(frozen=True, eq=False)
class GroupPairs:
    """The tested comparisons of a banner's groups: `group` of each, and the comparisons."""

    group: np.ndarray
    pairs: column_tests.Pairs


def _padded(values: list[np.ndarray], width: int, fill: float = np.nan) -> np.ndarray:
    """Arrays (rows, d_g) side by side as (G, rows, width), `fill` past each group's d_g."""
    out = np.full((len(values), values[0].shape[0], width), fill)
    for k, v in enumerate(values):
        out[k, :, : v.shape[1]] = v
    return out


def _tested(groups: list[int], testable: list[np.ndarray], width: int,
            diff: np.ndarray, se: np.ndarray, p: np.ndarray) -> GroupPairs:
    """The valid comparisons of every group, (G, rows, width, width) arrays in."""
    n_groups, m = diff.shape[:2]
    ok = _padded([t[None].astype(float) for t in testable], width, 0.0)[:, 0] > 0
    found = column_tests.valid_pairs(*(x.reshape(n_groups * m, width, width)
                                       for x in (diff, se, p)))
    which, row = np.divmod(found.row, m)
    keep = ok[which, found.a] & ok[which, found.b]
    return GroupPairs(np.asarray(groups)[which][keep], column_tests.Pairs(
        row[keep], found.a[keep], found.b[keep], found.difference[keep], found.se[keep],
        found.p[keep]))


def design_pairs(groups: list[int], estimates: list[np.ndarray], vcovs: list[np.ndarray],
                 testable: list[np.ndarray], df: float) -> GroupPairs:
    """The tested comparisons of each group's levels: `estimates` (levels, rows) and `vcovs`
    their covariance, t on `df` with the covariance of the design."""
    if not groups:
        return GroupPairs(np.zeros(0, int), column_tests.valid_pairs(*[np.zeros((0, 0, 0))] * 3))
    m = estimates[0].shape[1]
    width = max(len(e) for e in estimates)
    est = _padded([e.T for e in estimates], width).transpose(0, 2, 1)  # (G, width, m)
    v = np.full((len(groups), width, m, width, m), np.nan)
    for k, (e, c) in enumerate(zip(estimates, vcovs, strict=True)):
        d = len(e)
        v[k, :d, :, :d, :] = c.reshape(d, m, d, m)
    diff, se, p = column_tests.column_differences(est, v.reshape(len(groups), width * m, -1), df)
    return _tested(groups, testable, width, diff, se, p)


def srs_pairs(groups: list[int], counts: list[np.ndarray], bases: list[np.ndarray],
              testable: list[np.ndarray]) -> GroupPairs:
    """The tested comparisons of a simple random sample's columns: pooled two-proportion z
    tests of each group's `counts` (rows, columns) out of its `bases` (columns)."""
    if not groups:
        return GroupPairs(np.zeros(0, int), column_tests.valid_pairs(*[np.zeros((0, 0, 0))] * 3))
    width = max(c.shape[1] for c in counts)
    diff, se, p = column_tests.srs_column_differences(
        _padded(counts, width), _padded([b[None] for b in bases], width)[:, 0])
    return _tested(groups, testable, width, diff, se, p)


def letters(found: GroupPairs, correction: str, alpha: float,
            about: dict[tuple[int, int], dict]) -> Letters:
    """{(group, level, row): letters of the columns it is significantly higher than}, the
    p values of every group's comparisons adjusted together; `about` gives each (group,
    level)'s column, its letter included."""
    pairs = found.pairs
    if not len(pairs.p):
        return {}
    sig = adjust_p(pairs.p, correction) < alpha
    up = pairs.difference > 0
    high, low = np.where(up, pairs.a, pairs.b)[sig], np.where(up, pairs.b, pairs.a)[sig]
    lower: dict[tuple[int, int, int], list[str]] = {}
    for g, h, r, lo in zip(found.group[sig].tolist(), high.tolist(), pairs.row[sig].tolist(),
                           low.tolist(), strict=True):
        lower.setdefault((g, h, r), []).append(about[(g, lo)]["letter"])
    return {k: tuple(sorted(v, key=lambda s: (len(s), s))) for k, v in lower.items()}
