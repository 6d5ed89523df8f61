"""What the report shows of a banner: the columns it draws, significance marks that name only
those columns, and the compact table of the HTML page.

A segment's banner group has two columns, the segment and the rest of the respondents; the report
draws the segment only (the rest would repeat it as its complement). A letter that pointed at the
undrawn rest becomes + or − (significantly above or below the rest), so nothing on the page
names a column the reader cannot see.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.banner.build import Banner
from analysis.banner.render import chart_cells
from survey.messages import words
from survey.messages.tables import BANNER


def is_rest(column, q) -> bool:
    """Whether a banner column is a segment's complement (its `0` level)."""
    return column.by in q.segments and str(column.value) == "0"


def chart_columns(b: Banner, q) -> list[str]:
    """Column labels to chart: Total and each segment's members, not the 'rest' columns."""
    labels = chart_cells(b)["column_label"]
    rest = {f"{c.label} ({c.letter})" for c in b.columns.itertuples() if is_rest(c, q)}
    return [label for label in dict.fromkeys(labels) if label not in rest]


def marks(b: Banner, q, drawn: set[str]) -> dict[tuple[str, str, str], str]:
    """{(row label, by, column value): the cell's mark}: letters of `drawn` columns only, plus
    + or − against a segment's undrawn rest, from the banner's letters in both directions."""
    rest_of = {c.by: c for c in b.columns.itertuples() if is_rest(c, q)}
    letter_of = {(c.by, str(c.value)): c.letter for c in b.columns.itertuples()}
    higher = {(r.row_label, r.by, str(r.col)): set(r.higher_than)
              for r in b.cells.itertuples(index=False)}
    found = {}
    for (row, by, value), letters in higher.items():
        kept = "".join(sorted((x for x in letters if x in drawn), key=lambda s: (len(s), s)))
        rest = rest_of.get(by)
        if rest is not None and rest.letter not in drawn and value == "1":
            if rest.letter in letters:
                kept += "+"
            elif letter_of[(by, "1")] in higher.get((row, by, "0"), ()):
                kept += "−"
        found[(row, by, value)] = kept
    return found


def drawn_marks(b: Banner, q, shown: pd.DataFrame) -> pd.DataFrame:
    """`chart_cells` rows with their marks naming only the columns the chart draws."""
    column_of = {c.label if c.by == "_total" else f"{c.label} ({c.letter})": c
                 for c in b.columns.itertuples()}
    drawn = {column_of[label].letter for label in set(shown["column_label"])}
    found = marks(b, q, drawn)
    return shown.assign(mark=[
        found.get((row.row_label, column_of[row.column_label].by,
                   str(column_of[row.column_label].value)), "")
        for row in shown.itertuples(index=False)])


def people_table(b: Banner, q, lang: str) -> pd.DataFrame:
    """The banner as the page shows it: a row per option, the three bases, the missing kinds
    and the mean; a column per banner column except segments' rests."""
    say = words(BANNER, lang)
    columns = [c for c in b.columns.itertuples(index=False) if not is_rest(c, q)]
    drawn = {c.letter for c in columns if c.letter}
    found = marks(b, q, drawn)
    header = [c.label + (f" ({c.letter})" if c.letter else "") + (" *" if c.small_base else "")
              for c in columns]
    rows = [[say["n"]] + [str(int(c.n)) for c in columns],
            [say["weighted_n"]] + [f"{c.weighted_n:,.1f}" for c in columns],
            [say["effective_n"]] + [f"{c.effective_n:,.1f}" for c in columns]]
    shown: dict[tuple, str] = {}  # (row, by, column): the cell's text, the first of duplicates
    for x in b.cells.itertuples(index=False):
        text = ("" if x.suppressed or not np.isfinite(x.proportion) else
                f"{100 * x.proportion:.1f}% {found.get((x.row_label, x.by, str(x.col)), '')}")
        shown.setdefault((x.row, x.by, str(x.col)), text.strip())
    for key, label in dict.fromkeys(zip(b.cells["row"], b.cells["row_label"], strict=True)):
        rows.append([label, *(shown.get((key, c.by, str(c.value)), "") for c in columns)])
    keep = [i for i, c in enumerate(b.columns.itertuples(index=False)) if not is_rest(c, q)]
    rows += [[label, *(texts[i] for i in keep)] for label, texts in b.missing_rows(lang)]
    if b.means is not None and not b.means.empty and "mean" in b.means.columns:
        rows.append([say["mean"]] + [f"{b.means['mean'].iloc[i]:.2f}"
                                     if np.isfinite(b.means["mean"].iloc[i]) else ""
                                     for i in keep])
    return pd.DataFrame(rows, columns=["", *header])


def segment_differences(profiles: pd.DataFrame, name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For a question: each option's difference between each segment and its rest, in points
    (rows options, columns segments), and which differences are significant after the profiles'
    Benjamini-Hochberg adjustment: design-based, corrected, one column per segment."""
    part = profiles[profiles["question"] == name]
    if part.empty:
        return pd.DataFrame(), pd.DataFrame()
    options = list(dict.fromkeys(part["option_label"]))
    segments = list(dict.fromkeys(part["segment_label"]))
    values = part.pivot_table(index="option_label", columns="segment_label", values="difference",
                              aggfunc="first").reindex(index=options, columns=segments) * 100
    significant = part.pivot_table(index="option_label", columns="segment_label",
                                   values="significant", aggfunc="first").reindex(
        index=options, columns=segments).fillna(False).astype(bool)
    return values, significant
