"""Showing a banner: the `--json` document, a terminal table (rich) and the cells of a chart.

Only presentation: every figure comes from the `Banner` value, where suppressed cells are
already NaN, so no output can show them. NaN becomes JSON null, never a number.

The JSON is DESIGN.md's `survey crosstab --json` shape with these extensions:
- top level: "row_label", "row_type", "percent" (respondents|responses), "test" {name (the
  column-proportion test), mean_test, alpha, correction, level, interval, min_base, suppress},
  "means" (scale/number rows), "missing" (per column: unanswered and each missing kind),
  "flags" {"small_base": [column letters or "_total"]}, "notes" (plain sentences);
- design: "fpc" and "srs" (true when no weight, strata, cluster or fpc: Pearson, z tests, Wilson);
- columns: "small_base", "suppressed"; cells: "label", "net", "small_base", "suppressed",
  "design_residual" (the cell's deviation from independence over its design-based se; null for
  simple random samples and Total), and when asked "row_proportion", "total_proportion"; rank
  rows "ranked_first" {proportion, se, n} and "score" {mean, se} (points k..1 for ranks 1..k);
- tests: "adjusted_wald" {statistic, value, ndf, ddf, p}: the same table's adjusted Wald test
  (R: svychisq(statistic="adjWald")) beside Rao-Scott; null for Pearson and mean tests;
- top level "quantiles": null unless asked (number and scale rows), else one entry per column
  and quantile {by, col, q, value, se, ci, n, small_base, suppressed} (Woodruff intervals, or
  from the replicates: "test" says which in "quantile_interval", null without quantiles).
Suppressed or undefined figures are null; "n" of a suppressed column is null too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from survey.messages import is_chinese, text, words
from survey.messages.tables import BANNER, name_of

if TYPE_CHECKING:
    from rich.table import Table

    from analysis.banner.build import Banner



def _num(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def _int(x: Any) -> int | None:
    v = _num(x)
    return None if v is None else int(round(v))


def _column(c: Any) -> dict[str, Any]:
    return {"by": c.by, "value": str(c.value), "label": c.label, "letter": c.letter,
            "n": _int(c.n), "weighted_n": _num(c.weighted_n), "effective_n": _num(c.effective_n),
            "small_base": bool(c.small_base), "suppressed": bool(getattr(c, "suppressed", False))}


def _cell(c: Any, extra: tuple[str, ...], rank: bool) -> dict[str, Any]:
    low, high = _num(c.ci_low), _num(c.ci_high)
    out = {"row": str(c.row), "by": c.by, "col": str(c.col), "n": _int(c.n),
           "weighted_n": _num(c.weighted_n), "proportion": _num(c.proportion), "se": _num(c.se),
           "ci": None if low is None or high is None else [low, high],
           "adjusted_residual": _num(c.adjusted_residual),
           "design_residual": _num(c.design_residual), "higher_than": list(c.higher_than),
           "label": c.row_label, "net": bool(c.net), "small_base": bool(c.small_base),
           "suppressed": bool(c.suppressed)}
    for key in extra:
        out[f"{key}_proportion"] = _num(getattr(c, f"{key}_proportion"))
    if rank:
        out["ranked_first"] = {"proportion": _num(c.ranked_first), "se": _num(c.ranked_first_se),
                               "n": _int(c.ranked_first_n)}
        out["score"] = {"mean": _num(c.score), "se": _num(c.score_se)}
    return out


def _mean(m: Any) -> dict[str, Any]:
    low, high = _num(m.ci_low), _num(m.ci_high)
    return {"by": m.by, "col": str(m.col), "n": _int(m.n), "weighted_n": _num(m.weighted_n),
            "mean": _num(m.mean), "sd": _num(m.sd), "se": _num(m.se),
            "ci": None if low is None or high is None else [low, high],
            "higher_than": list(m.higher_than), "small_base": bool(m.small_base),
            "suppressed": bool(m.suppressed)}


def to_json(b: Banner) -> dict[str, Any]:
    """The banner as the `survey crosstab --json` document (see the module docstring)."""
    o = b.options
    rank = "ranked_first" in b.cells.columns
    missing = []
    for m in b.missing.itertuples():
        entry = {"by": m.by, "col": str(m.col), "unanswered": _int(m.unanswered)}
        for kind in ("skipped", "not_shown", "empty", "dont_know"):
            entry[kind] = _int(getattr(m, kind))
        missing.append(entry)
    return {
        "row": b.row, "by": list(b.by),
        "design": {"weight": b.design.weight, "strata": b.design.strata,
                   "cluster": b.design.cluster, "df": b.design.df, "fpc": b.design.fpc,
                   "srs": b.design.srs}
        | ({"replicate_type": b.design.replicate_type, "replicates": b.design.replicates}
           if b.design.replicate_type else {}),
        "columns": [_column(c) for c in b.columns.itertuples()],
        "cells": [_cell(c, o.extra, rank) for c in b.cells.itertuples()],
        "tests": [{"by": t.by, "row": t.row, "statistic": t.statistic, "value": _num(t.value),
                   "ndf": _num(t.ndf), "ddf": _num(t.ddf), "p": _num(t.p),
                   "adjusted_wald": _wald(t.wald)} for t in b.tests],
        "row_label": b.row_label, "row_type": b.row_type, "percent": o.percent,
        "test": {"name": b.column_test, "mean_test": b.mean_test, "alpha": o.alpha,
                 "correction": o.correction, "level": o.level,
                 "interval": "wilson" if b.design.srs else
                 ("korn-graubard" if o.interval == "beta" else "logit"),
                 "min_base": o.min_base, "suppress": o.suppress,
                 "quantile_interval": None if b.quantiles is None else o.quantile_interval},
        "means": None if b.means is None else [_mean(m) for m in b.means.itertuples()],
        "missing": missing,
        "flags": {"small_base": [c.letter or c.value for c in b.columns.itertuples()
                                 if c.small_base]},
        "notes": list(b.notes),
        "quantiles": None if b.quantiles is None else [_quantile(x) for x in
                                                       b.quantiles.itertuples()],
    }


def _wald(t: Any) -> dict[str, Any] | None:
    if t is None:
        return None
    return {"statistic": t.name, "value": _num(t.statistic), "ndf": _num(t.df),
            "ddf": _num(t.ddf), "p": _num(t.p)}


def _quantile(x: Any) -> dict[str, Any]:
    low, high = _num(x.ci_low), _num(x.ci_high)
    return {"by": x.by, "col": str(x.col), "q": float(x.q), "value": _num(x.value),
            "se": _num(x.se), "ci": None if low is None or high is None else [low, high],
            "n": _int(x.n), "small_base": bool(x.small_base), "suppressed": bool(x.suppressed)}


def _pct(x: float, digits: int = 1) -> str:
    v = _num(x)
    return "" if v is None else f"{100 * v:.{digits}f}"


def footnote(b: Banner, lang: str | None = None) -> str:
    """Which tests, alpha and correction the table used, and its flags, in one paragraph."""
    lang = lang or b.options.lang  # None: the banner's own language
    o = b.options
    parts = [text(BANNER, "letters", lang, test=name_of(b.column_test, lang),
                  alpha=f"{o.alpha:g}", correction=name_of(o.correction, lang))]
    if b.mean_test and b.means is not None and not b.means.empty:
        parts.append(text(BANNER, "mean_letters", lang, test=name_of(b.mean_test, lang)))
    names = sorted({t.statistic for t in b.tests} | {t.wald.name for t in b.tests if t.wald})
    if names:
        parts.append(text(BANNER, "tests", lang,
                          names=("、" if is_chinese(lang) else ", ").join(
                              name_of(n, lang) for n in names)))
    parts.append(text(BANNER, "small_base", lang, min_base=o.min_base))
    if o.suppress:
        parts.append(text(BANNER, "suppressed", lang, k=o.suppress))
    parts.append(text(BANNER, "percent_responses" if o.percent == "responses"
                      else "percent_respondents", lang))
    return ("" if is_chinese(lang) else " ").join(parts)


def terminal_table(b: Banner, lang: str | None = None) -> Table:
    """Rows are options (then nets), columns the banner columns: percent and letters."""
    from rich.table import Table  # only for a terminal: `--json` never imports rich

    lang = lang or b.options.lang  # None: the banner's own language
    say = words(BANNER, lang)
    table = Table(title=f"{b.row_label} ({b.row})", title_justify="left", show_lines=False)
    table.add_column("")
    cols = list(b.columns.itertuples())
    for c in cols:
        head = c.label if c.by == "_total" else f"{c.label}\n({c.letter})"
        table.add_column(head + (" *" if c.small_base else ""), justify="right")
    table.add_row(say["n"], *[str(_int(c.n)) if _int(c.n) is not None else "-" for c in cols])
    table.add_row(say["weighted_n"], *[f"{c.weighted_n:.1f}" if _num(c.weighted_n) is not None
                                  else "-" for c in cols], end_section=False)
    table.add_row(say["effective_n"], *[f"{c.effective_n:.1f}" if _num(c.effective_n) is not None
                                   else "-" for c in cols], end_section=True)
    if len(b.cells):
        for _key, part in b.cells.groupby("row", sort=False):
            label = part["row_label"].iloc[0] + (say["net"] if part["net"].iloc[0] else "")
            table.add_row(label, *[_cell_text(c) for c in part.itertuples()])
    missing = missing_rows(b, lang)
    if missing:
        table.add_section()
        for label, texts in missing:
            table.add_row(label, *texts, style="dim")
    if b.means is not None:
        table.add_section()
        table.add_row(say["mean"], *[("-" if m.suppressed else f"{m.mean:.2f}"
                                 + (" " + "".join(m.higher_than) if m.higher_than else ""))
                                for m in b.means.itertuples()])
        table.add_row(say["sd"], *[("-" if m.suppressed or _num(m.sd) is None else f"{m.sd:.2f}")
                              for m in b.means.itertuples()])
    return table


def missing_rows(b: Banner, lang: str | None = None) -> list[tuple[str, list[str]]]:
    """Each missing kind some column has, as (label, 'count (share)' per column): "不清楚 13
    (0.7%)" counted beside the table, never a 0% row inside its base."""
    lang = lang or b.options.lang  # None: the banner's own language
    say = words(BANNER, lang)
    m = b.missing
    if m is None or m.empty:
        return []
    rows = []
    size = (m["unanswered"] + b.columns["n"].to_numpy()).to_numpy(float)
    for kind in ("dont_know", "empty", "not_shown", "skipped"):
        counts = m[kind].to_numpy(float) if kind in m else np.zeros(len(m))
        if not np.nansum(counts):
            continue
        label = b.dont_know if kind == "dont_know" and b.dont_know else say[f"kind_{kind}"]
        rows.append((label, [f"{int(n)} ({n / s:.1%})" if s else str(int(n))
                             for n, s in zip(np.nan_to_num(counts), size, strict=True)]))
    return rows


def _cell_text(c: Any) -> str:
    if c.suppressed:
        return "-"
    text = _pct(c.proportion)
    if c.higher_than:
        text += " " + "".join(c.higher_than)
    return text


def tests_table(b: Banner, lang: str | None = None) -> Table | None:
    """The banner's tests, one row per (by variable, row) with statistic, df and p."""
    from rich.table import Table

    lang = lang or b.options.lang  # None: the banner's own language
    if not b.tests:
        return None
    say = words(BANNER, lang)
    t = Table(title=say["tests_title"], title_justify="left")
    for name in ("compared", "row", "statistic", "value", "df", "p"):
        t.add_column(say.get(name, name), justify="right" if name in ("value", "df", "p")
                     else "left", overflow="fold")  # wrapped, never cut to "…"
    for x, (compared, row) in zip(b.tests, tested(b, lang), strict=True):
        df = f"{x.ndf:.2f}" + (f", {x.ddf:.1f}" if x.ddf is not None else "")
        t.add_row(compared, row, name_of(x.statistic, lang), f"{x.value:.3f}", df,
                  f"{x.p:.4g}")
        if x.wald is not None:  # the same table's adjusted Wald test, on the next line
            t.add_row("", "", name_of(x.wald.name, lang), _fixed(x.wald.statistic, 3),
                      f"{x.wald.df:.0f}, {x.wald.ddf:.0f}", _fixed(x.wald.p, 4, "g"))
    return t


def tested(b: Banner, lang: str | None = None) -> list[tuple[str, str]]:
    """For each of the banner's tests, what it compares as people read it: the labels of its
    columns, and its row's label (the mean's name for a mean). The JSON keeps the codes."""
    tested_columns = b.columns[~b.columns["small_base"] & (b.columns["n"] > 0)]  # as the tests
    columns = tested_columns.groupby("by", sort=False)["label"].agg(
        lambda s: " / ".join(map(str, s)))
    rows = dict(zip(b.cells["row"].astype(str), b.cells["row_label"], strict=True))
    rows |= {"mean": words(BANNER, lang)["mean"], b.row: b.row_label}  # b.row: the whole table
    return [(columns.get(t.by, t.by), rows.get(str(t.row), str(t.row))) for t in b.tests]


def _fixed(x: Any, digits: int, kind: str = "f") -> str:
    v = _num(x)
    return "-" if v is None else f"{v:.{digits}{kind}}"


def quantile_label(q: float, lang: str | None) -> str:
    """"median" for 0.5, else "percentile 25" (in `lang`)."""
    say = words(BANNER, lang)
    return say["median"] if q == 0.5 else say["percentile"].format(p=f"{100 * q:g}")


def quantiles_table(b: Banner, lang: str | None = None) -> Table | None:
    """The banner's quantiles, one row per column and quantile: value, interval and se."""
    from rich.table import Table

    lang = lang or b.options.lang
    if b.quantiles is None or b.quantiles.empty:
        return None
    say = words(BANNER, lang)
    label = {(c.by, str(c.value)): c.label + (f" ({c.letter})" if c.letter else "")
             for c in b.columns.itertuples()}
    t = Table(title=say["quantiles_title"], title_justify="left")
    for name in ("column", "quantile", "value", "interval", "se"):
        head = say[name].format(level=f"{100 * b.options.level:g}")
        t.add_column(head, justify="left" if name in ("column", "quantile") else "right")
    for x in b.quantiles.itertuples():
        ci = (f"[{_fixed(x.ci_low, 2)}, {_fixed(x.ci_high, 2)}]"
              if not x.suppressed else "-")
        t.add_row(label[(x.by, str(x.col))], quantile_label(x.q, lang), _fixed(x.value, 2), ci,
                  _fixed(x.se, 3))
    return t


def terminal_report(b: Banner, notes: Sequence[str] = (), lang: str | None = None) -> list:
    """What a terminal shows of a banner: the table, its tests, the footnote, then the notes
    (the design's, then the banner's)."""
    lang = lang or b.options.lang  # None: the banner's own language
    tests = tests_table(b, lang)
    quantiles = quantiles_table(b, lang)
    note = "quantiles_note" + ("_replicates" if b.options.quantile_interval == "replicates"
                               else "")
    extra = [] if quantiles is None else [quantiles, text(BANNER, note, lang)]
    return [terminal_table(b, lang), *([tests] if tests is not None else []), *extra,
            footnote(b, lang),
            *(f"{words(BANNER, lang)['note']}{note}" for note in (*notes, *b.notes))]


def chart_cells(b: Banner) -> pd.DataFrame:
    """Rows for `charts.grouped_bars`: suppressed and empty cells are left out."""
    cells = b.cells[~b.cells["suppressed"] & b.cells["proportion"].notna()]
    labels = {(c.by, str(c.value)): (c.label if c.by == "_total" else f"{c.label} ({c.letter})")
              for c in b.columns.itertuples()}
    bases = {(c.by, str(c.value)): (c.n, bool(c.small_base)) for c in b.columns.itertuples()}
    keys = list(zip(cells["by"], cells["col"].astype(str), strict=True))
    return pd.DataFrame({
        "row_label": cells["row_label"].to_numpy(),
        "column_label": [labels[(by, str(col))] for by, col in zip(cells["by"], cells["col"],
                                                                   strict=True)],
        "proportion": cells["proportion"].to_numpy(float),
        "ci_low": cells["ci_low"].to_numpy(float), "ci_high": cells["ci_high"].to_numpy(float),
        "mark": ["".join(h) for h in cells["higher_than"]],
        "base": [bases[k][0] for k in keys], "small_base": [bases[k][1] for k in keys],
    })
