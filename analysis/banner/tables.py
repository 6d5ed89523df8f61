"""The tidy tables of a banner (columns, cells, means, missing) from the per-`by` figures.

`banner_stats` aggregates and tests; this module lays the results out one row per column or
cell, letters the columns, attaches the letters of significantly lower columns (one correction
over the whole banner), and applies small-cell suppression so no output can show hidden cells.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.banner.blocks import frame
from analysis.banner.independence import group_tests
from analysis.banner.letters import design_pairs, letters, srs_pairs
from analysis.banner.planes import prepare
from analysis.banner.rows import MISSING_KINDS, ByVariable, RowBlock
from analysis.banner.stats import (
    BannerTest,
    GroupFigures,
    Layout,
    Parts,
    adjusted_residuals,
    group_figures,
    layout,
    mean_tests,
    share_tables,
)
from analysis.banner.totals import Ratios, ratios
from analysis.design import intervals, wald
from analysis.design.estimation import TOTAL
from analysis.design.sample_design import Design
from survey.messages import text
from survey.messages.tables import BANNER_NOTES

TOTAL_LABEL = {"zh": "合计", "en": "Total"}


def compute(design: Design, block: RowBlock, by: list[ByVariable], options, srs: bool,
            notes: list[str]) -> Parts:
    """Every figure and test of the banner of `block` by each of `by`."""
    prep = prepare(design, block, by or [None])
    groups = ([group_figures(design, block, prep, b) for b in by]
              or [group_figures(design, block, prep, None)])
    return from_groups(design, block, groups, options, srs, notes)


def from_groups(design, block: RowBlock, groups: list[GroupFigures], options, srs: bool,
                notes: list[str]) -> Parts:
    """The banner's columns, cells, means and tests from each group's figures: the in-memory
    aggregation or an engine's (`analysis.engines`), which gives a design with only `n`,
    `degf` and `description`."""
    if not block.answered.any():
        notes.append(text(BANNER_NOTES, "nobody", options.lang, name=block.label))
    lang = options.lang or "en"
    # columns: Total, then each group's levels, lettered across the banner
    total = groups[0]
    cols = [{"by": TOTAL, "value": TOTAL, "label": TOTAL_LABEL.get(lang, "Total"), "letter": "",
             "group": -1, "level": -1, "n": total.n[-1], "weighted_n": total.weighted_n[-1],
             "effective_n": total.effective_n[-1], "size": total.size[-1]}]
    testable = []
    for gi, g in enumerate(groups):
        if g.by is None:
            testable.append(np.zeros(0, bool))
            continue
        d = len(g.by.values)
        for i in range(d):
            cols.append({"by": g.by.name, "value": g.by.values[i], "label": g.by.labels[i],
                         "letter": "", "group": gi, "level": i, "n": g.n[i],
                         "weighted_n": g.weighted_n[i], "effective_n": g.effective_n[i],
                         "size": g.size[i]})
            if g.n[i] == 0:
                notes.append(text(BANNER_NOTES, "empty_column", options.lang,
                                  label=g.by.labels[i], by=g.by.label, name=block.label))
        testable.append(g.n[:d] >= max(options.min_base, 1))
    for i, c in enumerate(cols[1:]):
        c["letter"] = column_letter(i)
    for c in cols:
        c["small_base"] = c["n"] < options.min_base
    columns = frame({key: [c[key] for c in cols] for key in COLUMN_KEYS})
    small = sum(bool(c["small_base"]) for c in cols[1:])
    if small:
        notes.append(text(BANNER_NOTES, "small_columns", options.lang, k=small,
                          min_base=options.min_base))
    about = {(c["group"], c["level"]): c for c in cols}  # plain values: no frame lookups
    tests: list[BannerTest] = []
    tabs = share_tables(block, groups, srs, options) if block.has_categories else None
    cells = _cells(design, block, groups, options, srs, testable, about, tests, notes,
                   tabs) if tabs is not None else None
    means = _means(design, block, groups, options, srs, testable, about, tests, notes,
                   tabs) if block.has_mean else None
    kinds = np.vstack([groups[0].missing[-1:]] + [g.missing[:-1] for g in groups if g.by])
    missing = {"by": [c["by"] for c in cols], "col": [c["value"] for c in cols],
               "unanswered": np.array([c["size"] - c["n"] for c in cols], float)}
    for j, kind in enumerate(MISSING_KINDS):
        missing[kind] = kinds[:, j] if block.missing_kind is not None else \
            np.full(len(cols), np.nan)
    if cells is None:
        cells = pd.DataFrame(columns=CELL_COLUMNS)
    return _suppress(Parts(columns, cells, means, frame(missing), tests),
                     options.suppress)


COLUMN_KEYS = ["by", "value", "label", "letter", "group", "level", "n", "weighted_n",
               "effective_n", "small_base"]  # a column's size (answered or not) stays inside


def column_letter(i: int) -> str:
    """The letter of the i-th column of a banner group (0-based): A..Z, then AA, AB, ... (SPSS)."""
    s, i = "", i + 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


CELL_COLUMNS = ["row", "row_label", "net", "by", "col", "letter", "n", "weighted_n",
                "proportion", "se", "ci_low", "ci_high", "adjusted_residual", "design_residual",
                "higher_than", "small_base", "suppressed"]


def _columns_of(groups: list[GroupFigures]) -> list[tuple[int, int, int]]:
    """(group, index within the group's domains, level or -1) of every banner column."""
    out = [(0, len(groups[0].n) - 1, -1)]
    for gi, g in enumerate(groups):
        if g.by is not None:
            out += [(gi, i, i) for i in range(len(g.by.values))]
    return out


def _bases(block: RowBlock, g: GroupFigures, t: dict, options, srs: bool, lay: Layout
           ) -> tuple[np.ndarray, np.ndarray]:
    """A group's share numerators x (levels, m) and column bases, for residuals: respondents
    (or selections) for a simple random sample; a design's weighted figures scaled to its
    respondents."""
    d = len(g.n) - 1
    if srs:
        return g.counts[:d], (g.n[:d] if options.percent == "respondents"
                              else g.counts[:d, : block.n_options].sum(1))
    f = g.n[:d].sum() / max(t["base"][:d, 0].sum(), 1e-300)
    return g.totals.theta[:d][:, list(lay.count)] * f, t["base"][:d, 0] * f


def _cells(design, block, groups, options, srs, testable, about, tests, notes,
           tabs: list[dict]) -> pd.DataFrame:
    lay = layout(block)
    m = len(lay.count)
    at = [gi for gi, g in enumerate(groups) if g.by is not None]
    bases = {gi: _bases(block, groups[gi], tabs[gi], options, srs, lay) for gi in at}
    if srs:
        pairs = srs_pairs(at, [bases[gi][0].T for gi in at],
                          [tabs[gi]["base"][:-1, 0] if options.percent == "respondents"
                           else bases[gi][1] for gi in at], [testable[gi] for gi in at])
    else:
        found = [tabs[gi]["ratios"] for gi in at]
        sizes = [len(groups[gi].n) - 1 for gi in at]
        pairs = design_pairs(at, [r.estimate[:d] for r, d in zip(found, sizes, strict=True)],
                             [r.vcov[: d * m, : d * m] for r, d in zip(found, sizes,
                                                                       strict=True)],
                             [testable[gi] for gi in at], design.degf)
    residual = [np.full((len(g.n), m), np.nan) for g in groups]
    by_design = [np.full((len(g.n), m), np.nan) for g in groups]  # NaN: SRS and Total
    live = {}
    for gi in at:
        x, col = bases[gi]
        d = len(col)
        if (col > 0).sum() >= 2:
            live[gi] = np.flatnonzero(col > 0)
            residual[gi][:d][col > 0] = adjusted_residuals(x[col > 0], col[col > 0])
    if not srs:
        for gi, values in _design_residuals(groups, live, lay, block.n_options,
                                            options.percent).items():
            by_design[gi][live[gi]] = values
    found_tests = group_tests(block, groups, design, srs, testable, options.lang)
    for gi in at:
        g = groups[gi]
        group_found, group_notes = found_tests[gi]
        notes += group_notes
        tests += [BannerTest(g.by.name, name, test.name, test.statistic, test.df, test.ddf,
                             test.p, wald_test) for name, test, wald_test in group_found]
        if testable[gi].sum() < 2:
            notes.append(text(BANNER_NOTES, "few_testable", options.lang, by=g.by.label,
                              min_base=options.min_base))
    higher = letters(pairs, options.correction, options.alpha, about)
    where = _columns_of(groups)
    shown = [about[(gi if level >= 0 else -1, level)] for gi, _, level in where]
    parts: dict[str, object] = {
        "row": list(block.keys[:m]) * len(shown),
        "row_label": list(block.labels[:m]) * len(shown),
        "net": np.tile(np.arange(m) >= block.n_options, len(shown))}
    for name in ("by", "col", "letter"):
        parts[name] = [c["value" if name == "col" else name] for c in shown for _ in range(m)]
    figures = {"n": [g.counts[:, :m] for g in groups],
               "weighted_n": [g.totals.theta[:, list(lay.count)] for g in groups],
               "proportion": [t["ratios"].estimate for t in tabs],
               "se": [t["ratios"].se for t in tabs], "ci_low": [t["low"] for t in tabs],
               "ci_high": [t["high"] for t in tabs], "adjusted_residual": residual,
               "design_residual": by_design}
    for name, values in figures.items():
        parts[name] = _in_columns(groups, values).astype(float).ravel()
    parts["higher_than"] = [higher.get((gi, level, j), ()) for gi, _, level in where
                            for j in range(m)]
    parts["small_base"] = np.repeat([bool(c["small_base"]) for c in shown], m)
    parts["suppressed"] = np.zeros(len(shown) * m, bool)
    cells = frame(parts | _extras(block, groups, options, lay))
    if not np.isfinite(parts["proportion"]).all() and block.answered.any():
        notes.append(text(BANNER_NOTES, "empty_cells", options.lang))
    return cells


def _in_columns(groups: list[GroupFigures], values: list[np.ndarray]) -> np.ndarray:
    """Each group's figures (its domains' rows, Total last) as one row per banner column:
    Total (the first group's), then each group's levels."""
    return np.concatenate([values[0][-1:]] + [v[: len(g.by.values)] for g, v in
                                              zip(groups, values, strict=True) if g.by])


def _design_residuals(groups: list[GroupFigures], live: dict[int, np.ndarray], lay: Layout,
                      n_options: int, percent: str) -> dict[int, np.ndarray]:
    """Design-based residuals (analysis.design.wald) of each share numerator in each group's
    columns `live` (indices of levels), (len(live), m): against all respondents in those
    columns, or all their selections when percentages are of responses; the groups with as
    many columns computed together."""
    eye = np.eye(groups[0].totals.shape[1])
    base = (eye[list(lay.count[:n_options])].sum(0) if percent == "responses"
            else eye[lay.ones])
    by_width: dict[int, list[int]] = {}
    for gi, columns in live.items():
        by_width.setdefault(len(columns), []).append(gi)
    found = {}
    for members in by_width.values():
        totals = [wald.select_columns(groups[gi].totals.theta, groups[gi].totals.vcov,
                                      live[gi]) for gi in members]
        values = wald.residuals(np.stack([t for t, _ in totals]),
                                np.stack([v for _, v in totals]), eye[list(lay.count)], base)
        found |= {gi: v.T for gi, v in zip(members, values, strict=True)}
    return found


def _extras(block: RowBlock, groups: list[GroupFigures], options, lay: Layout
            ) -> dict[str, np.ndarray]:
    """Row and total proportions on request; ranked-first shares and scores for rank rows."""
    found: dict[str, np.ndarray] = {}
    count = list(lay.count)
    with np.errstate(divide="ignore", invalid="ignore"):
        if "row" in options.extra:
            found["row_proportion"] = _in_columns(groups, [
                g.totals.theta[:, count] / g.totals.theta[-1, count] for g in groups]).ravel()
        if "total" in options.extra:
            found["total_proportion"] = _in_columns(groups, [
                g.totals.theta[:, count] / g.totals.theta[-1, lay.ones] for g in groups]).ravel()
    if block.first is None or groups[0].first is None:
        return found
    k = block.n_options
    eye = np.eye(groups[0].totals.shape[1])
    ranked: dict[str, list[np.ndarray]] = {key: [] for key in (
        "ranked_first", "ranked_first_se", "ranked_first_n", "score", "score_se")}
    for g in groups:
        assert g.first is not None and g.first_counts is not None
        first = ratios(g.first, np.eye(k + 2)[:k], np.tile(np.eye(k + 2)[k + 1], (k, 1)))
        score = ratios(g.totals, eye[list(lay.points)], np.tile(eye[lay.ones], (k, 1)))
        for key, values in (("ranked_first", first.estimate), ("ranked_first_se", first.se),
                            ("ranked_first_n", g.first_counts[:, :k]),
                            ("score", score.estimate), ("score_se", score.se)):
            ranked[key].append(np.pad(values.astype(float), ((0, 0), (0, len(count) - k)),
                                      constant_values=np.nan))
    return found | {key: _in_columns(groups, values).ravel() for key, values in ranked.items()}


MEAN_COLUMNS = ["by", "col", "letter", "n", "weighted_n", "mean", "sd", "se", "ci_low",
                "ci_high", "higher_than", "small_base", "suppressed"]


def _means(design, block, groups, options, srs, testable, about, tests, notes,
           tabs: list[dict] | None) -> pd.DataFrame:
    lay = layout(block)
    assert lay.y is not None and lay.y2 is not None
    eye = np.eye(groups[0].totals.shape[1])
    found = [t["means"] for t in tabs] if tabs is not None else \
        [ratios(g.totals, eye[[lay.y, lay.y2]], eye[[lay.ones, lay.ones]]) for g in groups]
    levels: dict[int, Ratios] = {}  # each group's levels' means (not its Total)
    for gi, (g, r) in enumerate(zip(groups, found, strict=True)):
        if g.by is not None:
            d = len(g.by.values)
            levels[gi] = Ratios(r.estimate[:d, :1], r.se[:d, :1],
                                r.vcov.reshape(d + 1, 2, d + 1, 2)[:d, 0, :d, 0])
    for gi, test in mean_tests(levels, groups, design, srs, testable).items():
        tests.append(BannerTest(groups[gi].by.name, "mean", test.name, test.statistic,
                                test.df, test.ddf, test.p))
    at = list(levels)
    higher = letters(design_pairs(at, [levels[gi].estimate for gi in at],
                                  [levels[gi].vcov for gi in at], [testable[gi] for gi in at],
                                  design.degf), options.correction, options.alpha, about)
    where = _columns_of(groups)
    shown = [about[(gi if level >= 0 else -1, level)] for gi, _, level in where]
    mean, e2 = _in_columns(groups, [r.estimate for r in found]).T
    se = _in_columns(groups, [r.se[:, :1] for r in found])[:, 0]
    n = _in_columns(groups, [g.n for g in groups])
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.where(n > 1, np.sqrt(np.maximum(e2 - mean**2, 0.0) * n / (n - 1)), np.nan)
    ci = intervals.wald(mean, se, df=float(design.degf), level=options.level)
    return frame({
        "by": [c["by"] for c in shown], "col": [c["value"] for c in shown],
        "letter": [c["letter"] for c in shown], "n": n,
        "weighted_n": _in_columns(groups, [g.weighted_n for g in groups]),
        "mean": mean, "sd": sd, "se": se, "ci_low": ci.lower.copy(), "ci_high": ci.upper.copy(),
        "higher_than": [higher.get((gi, level, 0), ()) for gi, _, level in where],
        "small_base": np.array([bool(c["small_base"]) for c in shown]),
        "suppressed": np.zeros(len(shown), bool)})


def _suppress(parts: Parts, k: int) -> Parts:
    """Hide every figure resting on 1..k-1 respondents (cells, means, bases, missing counts)."""
    if not k:
        return parts

    def few(x: pd.Series) -> np.ndarray:
        v = x.to_numpy(float)
        return (v > 0) & (v < k)

    cells = parts.cells.copy()
    hide = few(cells["n"])
    figures = [c for c in cells.columns if c not in ("row", "row_label", "net", "by", "col",
                                                     "letter", "higher_than", "small_base",
                                                     "suppressed")]
    cells.loc[hide, figures] = np.nan
    cells.loc[hide, "suppressed"] = True
    cells["higher_than"] = [() if h else v for h, v in zip(hide, cells["higher_than"],
                                                           strict=True)]
    if "ranked_first_n" in cells:
        few_first = few(cells["ranked_first_n"])
        cells.loc[few_first, ["ranked_first", "ranked_first_se", "ranked_first_n"]] = np.nan
    columns = parts.columns.copy()
    small = few(columns["n"])
    columns.loc[small, ["n", "weighted_n", "effective_n"]] = np.nan
    columns["suppressed"] = small
    means = parts.means
    if means is not None:
        means = means.copy()
        hide_m = few(means["n"])
        means.loc[hide_m, ["n", "weighted_n", "mean", "sd", "se", "ci_low", "ci_high"]] = np.nan
        means.loc[hide_m, "suppressed"] = True
        means["higher_than"] = [() if h else v for h, v in zip(hide_m, means["higher_than"],
                                                               strict=True)]
    missing = parts.missing.copy()
    for c in ("unanswered", *MISSING_KINDS):
        missing.loc[few(missing[c]), c] = np.nan
    return Parts(columns, cells, means, missing, parts.tests)
