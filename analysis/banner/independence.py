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

from dataclasses import dataclass

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


@dataclass(frozen=True, eq=False)
class _Tables:
    """A group's tables for the design's tests with a positive share in every row: their
    indices among the row's tables, cell shares (T, K*R) and covariance, and the totals of the
    group's testable columns (theta, vcov) they are made of."""

    group: int
    index: np.ndarray
    p: np.ndarray
    v: np.ndarray
    totals: tuple[np.ndarray, np.ndarray]


def group_tests(block: RowBlock, groups: list[GroupFigures], design: Design, srs: bool,
                testable: list[np.ndarray], lang: str | None = None
                ) -> dict[int, tuple[Found, list[str]]]:
    """Each group's tests and notes: one test for a single/scale row; one per option and net
    (selected vs not) for sets: Pearson for simple random samples; for designs Rao-Scott, with
    the adjusted Wald test, the tables of one shape tested together across the groups."""
    names, rows = table_rows(block, groups[0].totals.shape[1])
    notes: dict[int, list[str]] = {}
    found: dict[tuple[int, int], tuple] = {}  # (group, table): (Rao-Scott, adjusted Wald)
    pearson: dict[int, Found] = {}
    batches: dict[tuple[int, int], list[_Tables]] = {}
    kept: dict[int, np.ndarray] = {}  # the groups for the design's tests: their testable levels
    for gi, g in enumerate(groups):
        if g.by is None:
            continue
        keep = np.flatnonzero(testable[gi])
        notes[gi] = []
        if len(keep) < 2:
            notes[gi].append(text(BANNER_NOTES, "few_columns", lang, name=block.label,
                                  by=g.by.label))
        elif srs:
            pearson[gi] = _pearson(block, g, keep, names, notes[gi], lang)
        else:
            kept[gi] = keep
    for gi, (totals, p, v) in _group_shares(groups, kept, rows, layout(block).ones).items():
        whole = _tables(block, groups[gi], gi, design, totals, p, v, names, rows, found,
                        notes[gi], lang)
        if whole is not None:  # a set row's tables, sharing their group's totals, by group
            batches.setdefault((len(kept[gi]), gi if block.is_set else -1), []).append(whole)
    for (k, _), batch in batches.items():
        found |= _tested(batch, rows, k, layout(block).ones, design)
    return {gi: (pearson[gi] if gi in pearson else
                 [(names[t], *found[(gi, t)]) for t in range(len(names)) if (gi, t) in found],
                 notes[gi]) for gi in notes}


def _tested(batch: list[_Tables], rows: np.ndarray, k: int, ones: int, design: Design
            ) -> dict[tuple[int, int], tuple]:
    """The Rao-Scott and adjusted Wald tests of tables of one shape, all at once."""
    index = np.concatenate([b.index for b in batch])
    rao = significance.rao_scott_tables(np.concatenate([b.p for b in batch]),
                                        np.concatenate([b.v for b in batch]), rows.shape[1], k,
                                        n=float(design.n), degf=design.degf)
    if len(batch) == 1:
        theta, vcov = batch[0].totals
    else:  # one table's totals per table
        theta, vcov = (np.concatenate([np.repeat(b.totals[j][None], len(b.index), axis=0)
                                       for b in batch]) for j in (0, 1))
    adjusted = wald.wald_tables(theta, vcov, rows[index], np.eye(rows.shape[2])[ones],
                                degf=design.degf)
    which = [(b.group, int(t)) for b in batch for t in b.index]
    return dict(zip(which, zip(rao, adjusted, strict=True), strict=True))


def _group_shares(groups: list[GroupFigures], kept: dict[int, np.ndarray], rows: np.ndarray,
                  ones: int) -> dict[int, tuple[tuple[np.ndarray, np.ndarray], np.ndarray,
                                                np.ndarray]]:
    """Each group's kept columns' totals (theta, vcov) and its tables' cell shares with their
    covariance: on a Taylor design the groups with as many columns in one stacked pass."""
    totals = {gi: wald.select_columns(groups[gi].totals.theta, groups[gi].totals.vcov, keep)
              for gi, keep in kept.items()}
    found = {}
    by_width: dict[int, list[int]] = {}
    for gi, keep in kept.items():
        if groups[gi].totals.replicates is not None:
            found[gi] = (totals[gi], *_shares(groups[gi].totals, keep, rows, ones))
        else:
            by_width.setdefault(len(keep), []).append(gi)
    for members in by_width.values():
        p, v = _taylor_shares(np.stack([totals[gi][0] for gi in members]),
                              np.stack([totals[gi][1] for gi in members]), rows, ones)
        found |= {gi: (totals[gi], p[i], v[i]) for i, gi in enumerate(members)}
    return {gi: found[gi] for gi in kept}


def _tables(block: RowBlock, g: GroupFigures, gi: int, design: Design,
            totals: tuple[np.ndarray, np.ndarray], p: np.ndarray, v: np.ndarray,
            names: list[str], rows: np.ndarray, found: dict, notes: list[str],
            lang: str | None) -> _Tables | None:
    """A group's tables with a positive share in every row, to be tested together; the others
    are tested here without their empty row (into `found`), or noted when one row is left."""
    ones = layout(block).ones
    nr, k = rows.shape[1], len(totals[0])
    row_sum = p.reshape(len(p), k, nr).sum(axis=1)
    whole = (row_sum > 1e-12).all(axis=1)
    for t in np.flatnonzero(~whole):
        use = np.flatnonzero(row_sum[t] > 1e-12)
        if len(use) < 2:  # a row nobody (or everybody) chose
            notes.append(text(BANNER_NOTES, "one_row", lang, name=block.label_of(names[t]),
                               by=g.by.label))
            continue
        sel = (np.arange(k)[:, None] * nr + use[None, :]).ravel()
        found[(gi, int(t))] = (
            significance.rao_scott_shares(p[t][sel], v[t][np.ix_(sel, sel)], len(use), k,
                                          n=float(design.n), degf=design.degf),
            wald.wald(*totals, rows[t][use], np.eye(rows.shape[2])[ones], degf=design.degf))
    index = np.flatnonzero(whole)
    return _Tables(gi, index, p[index], v[index], totals) if len(index) else None


def _taylor_shares(theta: np.ndarray, vcov: np.ndarray, rows: np.ndarray, ones: int
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Each group's tables' cell shares of the pooled base (its kept columns, rows varying
    fastest, as svychisq's interaction) and their covariance J V J', J the shares' gradient in
    the totals (`totals.pooled_shares` for one table): theta (G, K, q) and vcov (G, K*q, K*q)
    of G groups in, (G, T, K*R) and (G, T, K*R, K*R) out."""
    n_tables, nr, q = rows.shape
    n_groups, k = theta.shape[:2]
    base = theta[:, :, ones].sum(axis=1)[:, None, None]  # (G, 1, 1)
    cells = rows[None] @ theta.transpose(0, 2, 1)[:, None]  # (G, T, R, K)
    p = cells.transpose(0, 1, 3, 2).reshape(n_groups, n_tables, k * nr) / base
    grad = np.zeros((n_groups, n_tables, k, nr, k, q))
    grad[:, :, np.arange(k), :, np.arange(k), :] = rows
    grad = grad.reshape(n_groups, n_tables, k * nr, k * q)
    grad[..., ones::q] -= p[..., None]
    grad /= base[..., None]
    v = (grad @ vcov[:, None]) @ grad.transpose(0, 1, 3, 2)
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
            notes.append(text(BANNER_NOTES, "few_rows", lang, name=block.label_of(name),
                              by=g.by.label if g.by else TOTAL))
    return found
