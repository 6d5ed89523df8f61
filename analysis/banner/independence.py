"""The tests of independence of a banner group: one table for a single or scale row, one per
option and net (selected vs not) for a multi or rank row.

For a design, each table's Rao-Scott F (R's svychisq) and adjusted Wald F (svychisq "adjWald")
come from the group's domain totals: the cells of every table are linear combinations of the
totals of the testable columns, so the shares of all the tables of a row, with their Taylor
covariance, are a few matrix products, and the tables of one shape are tested together
(`significance.rao_scott_tables`, `wald.wald_tables`). A simple random sample gets Pearson's
chi-square of the unweighted counts.
"""

from __future__ import annotations

import numpy as np

from analysis.banner.rows import RowBlock
from analysis.banner.stats import GroupFigures, layout
from analysis.banner.totals import DomainTotals, pooled_shares
from analysis.design import significance, wald
from analysis.design.estimation import TOTAL
from analysis.design.sample_design import Design, DesignError
from survey.messages import text
from survey.messages.tables import BANNER_NOTES

Found = list[tuple[str, significance.TestResult, significance.TestResult | None]]


def table_rows(block: RowBlock, q: int) -> tuple[list[str], np.ndarray]:
    """The tables' names and rows as combinations of the q quantities, (T, rows, q): a set
    row's option j is [selected, answered - selected]; a single row's table its options."""
    lay = layout(block)
    eye = np.eye(q)
    if block.is_set:
        count = list(lay.count)
        rows = np.stack([eye[count], eye[lay.ones] - eye[count]], axis=1)
        return list(block.keys[: len(count)]), rows
    return [block.name], eye[list(lay.count[: block.n_options])][None]


def chisq_tests(block: RowBlock, g: GroupFigures, design: Design, srs: bool,
                testable: np.ndarray, notes: list[str], lang: str | None = None) -> Found:
    """One test for a single/scale row; one per option and net (selected vs not) for sets:
    Pearson for simple random samples; for designs Rao-Scott, with the adjusted Wald test."""
    keep = np.flatnonzero(testable)
    by = g.by.name if g.by else TOTAL
    if len(keep) < 2:
        notes.append(text(BANNER_NOTES, "few_columns", lang, name=block.name, by=by))
        return []
    names, rows = table_rows(block, g.totals.shape[1])
    if srs:
        return _pearson(block, g, keep, names, notes, lang)
    ones = layout(block).ones
    base = np.eye(rows.shape[2])[ones]
    theta, vcov = wald.select_columns(g.totals.theta, g.totals.vcov, keep)
    p, v = _shares(g.totals, keep, rows, ones) if g.totals.replicates is not None \
        else _taylor_shares(theta, vcov, rows, ones)
    nr, k = rows.shape[1], len(keep)
    row_sum = p.reshape(len(p), k, nr).sum(axis=1)
    whole = (row_sum > 1e-12).all(axis=1)
    found: dict[int, tuple] = {}
    if whole.any():  # the usual case: every table of the row at once
        at = np.flatnonzero(whole)
        rao = significance.rao_scott_tables(p[at], v[at], nr, k, n=float(design.n),
                                            degf=design.degf)
        adjusted = wald.wald_tables(theta, vcov, rows[at], base, degf=design.degf)
        found |= {int(t): pair for t, pair in zip(at, zip(rao, adjusted, strict=True),
                                                  strict=True)}
    for t in np.flatnonzero(~whole):  # a row nobody (or everybody) chose: tested without it
        use = np.flatnonzero(row_sum[t] > 1e-12)
        if len(use) < 2:
            notes.append(text(BANNER_NOTES, "one_row", lang, name=names[t], by=by))
            continue
        sel = (np.arange(k)[:, None] * nr + use[None, :]).ravel()
        found[int(t)] = (significance.rao_scott_shares(
            p[t][sel], v[t][np.ix_(sel, sel)], len(use), k, n=float(design.n),
            degf=design.degf), wald.wald(theta, vcov, rows[t][use], base, degf=design.degf))
    return [(names[t], *found[t]) for t in sorted(found)]


def _taylor_shares(theta: np.ndarray, vcov: np.ndarray, rows: np.ndarray, ones: int
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Each table's cell shares of the pooled base (columns kept, rows varying fastest, as
    svychisq's interaction) and their covariance J V J', J the shares' gradient in the totals
    (`totals.pooled_shares` for one table), (T, K*R) and (T, K*R, K*R)."""
    n_tables, nr, q = rows.shape
    k = len(theta)
    base = theta[:, ones].sum()
    p = (rows @ theta.T).transpose(0, 2, 1).reshape(n_tables, k * nr) / base
    grad = np.zeros((n_tables, k, nr, k, q))
    grad[:, np.arange(k), :, np.arange(k), :] = rows[None]
    grad = grad.reshape(n_tables, k * nr, k * q)
    grad[:, :, ones::q] -= p[:, :, None]
    grad /= base
    v = (grad.reshape(-1, k * q) @ vcov).reshape(n_tables, k * nr, k * q) @ \
        grad.transpose(0, 2, 1)
    return p, v


def _shares(totals: DomainTotals, keep: np.ndarray, rows: np.ndarray, ones: int
            ) -> tuple[np.ndarray, np.ndarray]:
    """`_taylor_shares` on a replicate design, one table at a time: the shares under every
    replicate give their covariance (totals.pooled_shares)."""
    n_tables, nr, q = rows.shape
    d_all = totals.shape[0]
    k = len(keep)
    base = np.zeros(d_all * q)
    base[keep * q + ones] = 1
    found = []
    for t in range(n_tables):
        cells = np.zeros((k, nr, d_all, q))
        cells[np.arange(k), :, keep, :] = rows[t][None]
        found.append(pooled_shares(totals, cells.reshape(k * nr, d_all * q), base))
    return np.stack([p for p, _ in found]), np.stack([v for _, v in found])


def _pearson(block: RowBlock, g: GroupFigures, keep: np.ndarray, names: list[str],
             notes: list[str], lang: str | None) -> Found:
    """Pearson's chi-square of each table's unweighted counts."""
    found: Found = []
    for t, name in enumerate(names):
        columns = [t] if block.is_set else list(range(block.n_options))
        x = g.counts[keep][:, columns]
        table = x.T if not block.is_set else np.vstack([x.T, g.n[keep] - x.T[0]])
        try:
            found.append((name, significance.pearson_chisq(table).test, None))
        except DesignError:
            notes.append(text(BANNER_NOTES, "few_rows", lang, name=name,
                              by=g.by.name if g.by else TOTAL))
    return found
