"""The figures of a banner: one aggregation pass per `by` variable, then ratios and tests.

For each `by` variable the respondents are split into its levels, a "no level" domain (missing
answer to the `by` question: they still count in Total) and an "unanswered" domain (not in any
base). One `estimation.total` / `proportions(counts=True)` call gives the totals of every
quantity of the row in those domains, with their covariance; the Total column is the sum of all
answered domains. Everything else is arithmetic on those totals (`banner_totals`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.banner.planes import (
    DomainSums,
    Prepared,
    categorical_map,
    category_totals,
    dense_sums,
    domain_sums,
)
from analysis.banner.rows import MISSING_KINDS, ByVariable, RowBlock
from analysis.banner.totals import DomainTotals, Ratios, ratios
from analysis.design import distributions as dist
from analysis.design import estimation, intervals, significance
from analysis.design.replication import Replicated
from analysis.design.sample_design import Design


@dataclass(frozen=True, eq=False)
class Parts:
    columns: pd.DataFrame
    cells: pd.DataFrame
    means: pd.DataFrame | None
    missing: pd.DataFrame
    tests: list


@dataclass(frozen=True)
class Layout:
    """Where each quantity sits among a row's totals."""

    count: tuple[int, ...]  # numerators of shares: options then nets
    ones: int
    points: tuple[int, ...] = ()
    y: int | None = None
    y2: int | None = None


@dataclass(frozen=True, eq=False)
class GroupFigures:
    """One `by` variable's domains, its levels then Total, and their figures."""

    by: ByVariable | None
    totals: DomainTotals
    counts: np.ndarray  # (D+1, m) unweighted respondents per share numerator
    n: np.ndarray
    weighted_n: np.ndarray
    effective_n: np.ndarray
    df: np.ndarray
    missing: np.ndarray  # (D+1, 4)
    size: np.ndarray  # respondents in each column, answered or not
    y_sums: np.ndarray | None  # (D+1, 2) unweighted sum y, sum y^2 (SRS ANOVA)
    first: DomainTotals | None
    first_counts: np.ndarray | None


def layout(block: RowBlock) -> Layout:
    if block.kind == "number":
        return Layout((), 2, y=0, y2=1)
    if block.is_set:
        f, p = len(block.flags), len(block.points)
        return Layout(tuple(range(f)), f + p, points=tuple(range(f, f + p)))
    m = len(block.keys)
    if block.kind == "scale":
        return Layout(tuple(range(m)), m, y=m + 1, y2=m + 2)
    return Layout(tuple(range(m)), m)


def _scatter(est: estimation.Estimates, n_dom: int) -> DomainTotals:
    """Estimates of the domains present -> totals of all n_dom domains (absent ones zero)."""
    idx = np.array([int(d) for d in est.domains], dtype=np.int64)
    q = est.estimate.shape[1]
    theta = np.zeros((n_dom, q))
    theta[idx] = est.estimate
    v = np.zeros((n_dom, q, n_dom, q))
    v[np.ix_(idx, np.arange(q), idx, np.arange(q))] = np.asarray(est.vcov).reshape(
        len(idx), q, len(idx), q)
    reps = None
    if est.replicates is not None:  # a replicate design: the totals under each replicate too
        values = np.zeros((len(est.replicates.values), n_dom, q))
        values[:, idx] = est.replicates.values
        reps = Replicated(values, est.replicates.rule)
    return DomainTotals(theta, v.reshape(n_dom * q, n_dom * q), np.zeros(n_dom), np.zeros(n_dom),
                        reps)


def _domain_df(est: estimation.Estimates, n_dom: int) -> np.ndarray:
    """Each domain's df from the estimator's (absent domains: 0)."""
    df = np.zeros(n_dom)
    for label, df_d in zip(est.domains, est.domain_df, strict=True):
        df[int(label)] = df_d
    return df


def _totals(design: Design, block: RowBlock, prep: Prepared, dom: np.ndarray, n_dom: int
            ) -> tuple[DomainTotals, np.ndarray, DomainSums | None]:
    """The domain totals of the row's quantities with their covariance and each domain's df:
    a Taylor design sums a row's planes (a number's values) per (unit, domain) with one
    bincount each; other designs go through the estimators."""
    if prep.planes is not None:
        sums = domain_sums(design, prep.planes, dom, n_dom)
        return sums.totals(design), sums.degf(design), sums
    if type(design) is Design and block.values is not None:  # a number: y, y^2, respondents
        y = np.where(block.answered, block.values, 0.0)
        sums = dense_sums(design, [y, y * y, np.ones(len(y))], dom, n_dom)
        return sums.totals(design), sums.degf(design), None
    if prep.values is not None:
        est = estimation.total(design, prep.values, by=dom, covariance=True)
        return _scatter(est, n_dom), _domain_df(est, n_dom), None
    assert block.codes is not None
    est = estimation.proportions(
        design, pd.Categorical.from_codes(block.codes, categories=range(block.n_options)),
        by=dom, counts=True, covariance=True)  # plain codes: factorized faster than pruned
    return _scatter(est, n_dom).mapped(categorical_map(block)), _domain_df(est, n_dom), None


def group_figures(design: Design, block: RowBlock, prep: Prepared,
                  by: ByVariable | None) -> GroupFigures:
    """One `by` variable's figures (or the Total's): totals per domain and their bases."""
    n_lev = 0 if by is None else len(by.values)
    dom, n_dom = prep.domain_codes(block, by)  # small integers: products widen them first
    tot, domain_df, sums = _totals(design, block, prep, dom, n_dom)
    # levels, then Total = every answered respondent (with or without a level)
    s = np.zeros((n_lev + 1, n_dom))
    s[np.arange(n_lev), np.arange(n_lev)] = 1
    s[n_lev, : n_lev + 1] = 1
    lay = layout(block)
    if sums is not None:  # respondents, counts and scores are quantities of the planes
        assert prep.counts is not None
        tally = prep.counts[None if by is None else by.name]
        n, sw = s @ tally[:, lay.ones], s @ tot.theta[:, lay.ones]
        counts = s @ tally[:, list(lay.count)]
        y_sums = None if lay.y is None else s @ tally[:, [lay.y, lay.y2]]
    else:
        n, sw, counts, y_sums = _tallied(design, block, prep, dom, n_dom, s)
    sw2 = s @ np.bincount(dom, prep.squared_weights, minlength=n_dom)
    first = first_counts = None
    if block.first is not None:
        first, first_counts = _first(design, block, dom, n_dom, s, sums is not None)
    # each level's df: degf of its respondents (R: degf(subset(...)), as svyciprop uses)
    df = np.append(domain_df[:n_lev], prep.total_df)
    assert prep.kinds is not None
    missing, size = _missing(block, prep.kinds[None if by is None else by.name], n_lev)
    with np.errstate(divide="ignore", invalid="ignore"):
        eff = sw**2 / sw2
    return GroupFigures(by, tot.combine(s), counts, n, sw, np.nan_to_num(eff), df, missing,
                        size, y_sums, first, first_counts)


def _tallied(design: Design, block: RowBlock, prep: Prepared, dom: np.ndarray, n_dom: int,
             s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Without planes: respondents, their weights, the share numerators' respondents and (for
    means) the sums of values and squares per column, by bincounts."""
    answered = block.answered
    n = s @ np.bincount(dom, minlength=n_dom).astype(float)
    sw = s @ np.bincount(dom, design.weights, minlength=n_dom)
    raw = None
    if block.is_set:
        rows, opts = prep.selections
        m = len(block.flags)
        counts = np.bincount(dom[rows].astype(np.int64) * m + opts,
                             minlength=n_dom * m).reshape(n_dom, m)
    elif block.codes is not None:
        k = block.n_options
        raw = np.bincount(np.where(answered, dom.astype(np.int64) * k + block.codes, 0),
                          answered.astype(float),
                          minlength=n_dom * k).reshape(n_dom, k)
        counts = raw @ categorical_map(block)[: k + len(block.net_matrix)].T
    else:
        counts = np.zeros((n_dom, 0))
    y_sums = None
    if block.values is not None:
        y = np.where(answered, block.values, 0.0)
        y_sums = s @ np.column_stack([np.bincount(dom, y, minlength=n_dom),
                                      np.bincount(dom, y * y, minlength=n_dom)])
    elif block.scores is not None and raw is not None:
        y_sums = (s @ raw) @ np.column_stack([block.scores, block.scores**2])
    return n, sw, s @ counts, y_sums


def _first(design: Design, block: RowBlock, dom: np.ndarray, n_dom: int, s: np.ndarray,
           packed: bool) -> tuple[DomainTotals, np.ndarray]:
    """A rank row's first choices: their totals per column with covariance, and respondents."""
    assert block.first is not None
    answered = block.answered
    k = block.n_options + 1  # the last category: answered but nothing ranked first
    if packed:  # the unanswered have their own domain, which Total leaves out
        ft = category_totals(design, block.first, k, dom, n_dom)
    else:
        fc = pd.Categorical.from_codes(np.where(answered, block.first, -1),
                                       categories=range(k))
        ft = _scatter(estimation.proportions(design, fc, by=dom, counts=True,
                                             covariance=True), n_dom)
    first = ft.mapped(np.vstack([np.eye(k), np.ones((1, k))])).combine(s)
    counts = s @ np.bincount(np.where(answered, dom.astype(np.int64) * k + block.first, 0),
                             answered.astype(float), minlength=n_dom * k).reshape(n_dom, k)
    return first, counts


def _missing(block: RowBlock, kinds: np.ndarray, n_lev: int) -> tuple[np.ndarray, np.ndarray]:
    """Each column's count of every missing kind, (levels + 1, 4), and its respondents,
    answered or not, from the column's tally of kinds (`planes.kind_tallies`); the last row is
    the whole sample."""
    missing = np.zeros((n_lev + 1, len(MISSING_KINDS)))
    size = kinds.sum(axis=1).astype(float)
    if block.missing_kind is not None:
        missing[:n_lev] = kinds[:n_lev, 1:]
        missing[n_lev] = kinds[:, 1:].sum(0)
    size[n_lev] = size.sum()
    return missing, size


def share_tables(block: RowBlock, groups: list[GroupFigures], srs: bool, options) -> list[dict]:
    """Per group (and Total): shares with se and intervals, as dicts of (D+1, m) arrays; for a
    scale, its means (y and y^2 per respondent) from the same ratios, under "means"."""
    lay = layout(block)
    q = groups[0].totals.shape[1]
    eye = np.eye(q)
    num = eye[list(lay.count)]
    if options.percent == "responses":
        den = np.tile(eye[list(lay.count[: block.n_options])].sum(0), (len(lay.count), 1))
    else:
        den = np.tile(eye[lay.ones], (len(lay.count), 1))
    m = len(num)
    means = lay.y is not None and lay.y2 is not None  # a scale's means: the same ratios
    if means:
        num = np.vstack([num, eye[[lay.y, lay.y2]]])
        den = np.vstack([den, eye[[lay.ones, lay.ones]]])
    out = []
    for g in groups:
        both = ratios(g.totals, num, den)
        r = both.part(slice(0, m)) if means else both
        base = g.totals.theta @ den[:m].T  # weighted denominators
        if srs:
            unweighted_base = (g.n[:, None] if options.percent == "respondents"
                               else g.counts[:, : block.n_options].sum(1, keepdims=True))
            ci = intervals.wilson(g.counts, np.broadcast_to(unweighted_base, g.counts.shape),
                                  level=options.level)
        elif options.interval == "logit" and r.replicates is not None:
            ci = intervals.logit_replicates(r.estimate, r.replicates, df=g.df[:, None],
                                            level=options.level)
        elif options.interval == "beta":
            ci = intervals.korn_graubard(r.estimate, r.se, n=g.n[:, None], df=g.df[:, None],
                                         level=options.level)
        else:
            ci = None  # below, every group's at once
        out.append({"ratios": r, "low": None if ci is None else ci.lower,
                    "high": None if ci is None else ci.upper, "base": base,
                    "means": both.part(slice(m, m + 2)) if means else None})
    if out and out[0]["low"] is None:  # logit intervals (the design's usual): one call
        found = intervals.logit(np.vstack([t["ratios"].estimate for t in out]),
                                np.vstack([t["ratios"].se for t in out]),
                                df=np.concatenate([g.df for g in groups])[:, None],
                                level=options.level)
        at = np.cumsum([0] + [len(g.df) for g in groups])
        for t, start, end in zip(out, at[:-1], at[1:], strict=True):
            t["low"], t["high"] = found.lower[start:end], found.upper[start:end]
    return out


def adjusted_residuals(x: np.ndarray, col: np.ndarray) -> np.ndarray:
    """Haberman's adjusted residuals of each share numerator x (D, m) against column bases
    col (D,): a k x D table and its [row, rest] x D collapse give the same value."""
    n = col.sum()
    r = x.sum(0, keepdims=True)
    e = r * col[:, None] / n
    with np.errstate(divide="ignore", invalid="ignore"):
        return (x - e) / np.sqrt(e * (1 - r / n) * (1 - col[:, None] / n))


def mean_tests(means: dict[int, Ratios], groups: list[GroupFigures], design: Design,
               srs: bool, testable: list[np.ndarray]) -> dict[int, significance.TestResult]:
    """Each group's test of equal means over its testable columns (`means`: a group's levels'
    means, their se and covariance). Design: Wald F (R: regTermTest(svyglm(y ~ by)), ddf =
    df - ndf), the groups with as many columns tested together. SRS: one-way ANOVA of the
    respondents' values."""
    found: dict[int, significance.TestResult] = {}
    by_size: dict[int, list[int]] = {}
    for gi in means:
        keep = np.flatnonzero(testable[gi])
        k = len(keep)
        if k < 2:
            continue
        if srs:
            found[gi] = _anova(groups[gi], keep)
        else:
            by_size.setdefault(k, []).append(gi)
    for k, members in by_size.items():
        keeps = [np.flatnonzero(testable[gi]) for gi in members]
        m = np.stack([means[gi].estimate[keep, 0] for gi, keep in zip(members, keeps,
                                                                     strict=True)])
        v = np.stack([means[gi].vcov[np.ix_(keep, keep)] for gi, keep in zip(members, keeps,
                                                                            strict=True)])
        c = np.hstack([np.eye(k - 1), -np.ones((k - 1, 1))])
        diff = m @ c.T
        wald = (diff * np.linalg.solve(c @ v @ c.T, diff[:, :, None])[:, :, 0]).sum(axis=1)
        ndf = k - 1.0
        ddf = float(design.degf - ndf)
        f = wald / ndf
        p = np.atleast_1d(dist.f_sf(f, ndf, ddf))
        found |= {gi: significance.TestResult("design-wald-F", float(f[t]), ndf, float(p[t]),
                                              ddf=ddf) for t, gi in enumerate(members)}
    return {gi: found[gi] for gi in means if gi in found}  # in the groups' order


def _anova(g: GroupFigures, keep: np.ndarray) -> significance.TestResult:
    """One-way ANOVA of the respondents' values in the columns `keep`, from their sums."""
    assert g.y_sums is not None
    k = len(keep)
    n, s1, s2 = g.n[keep], g.y_sums[keep, 0], g.y_sums[keep, 1]
    grand = s1.sum() / n.sum()
    between = float((s1**2 / n).sum() - n.sum() * grand**2)
    within = float((s2 - s1**2 / n).sum())
    dfw = float(n.sum() - k)
    f = (between / (k - 1)) / (within / dfw)
    return significance.TestResult("anova-F", f, k - 1.0, float(dist.f_sf(f, k - 1, dfw)),
                                   ddf=dfw)


@dataclass(frozen=True)
class BannerTest:
    """One test of a banner: `row` is the question (single rows), an option or net (multi/rank
    rows: selected vs not) or "mean"; `ddf` is None for chi-square forms. A design's table test
    (Rao-Scott) carries the same table's adjusted Wald test in `wald`."""

    by: str
    row: str
    statistic: str
    value: float
    ndf: float
    ddf: float | None
    p: float
    wald: significance.TestResult | None = None  # the adjusted Wald test beside Rao-Scott
