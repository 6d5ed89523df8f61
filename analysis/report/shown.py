"""What the report shows of a banner: the columns it draws, significance marks that name only
those columns, and the compact table of the HTML page.

A segment's banner group has two columns, the segment and the rest of the respondents; the report
draws the segment only (the rest would repeat it as its complement). A letter that pointed at the
undrawn rest becomes + or − (significantly above or below the rest), so nothing on the page
names a column the reader cannot see.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import pandas as pd

from analysis.banner.build import Banner
from analysis.banner.render import chart_cells
from survey.messages import words
from survey.messages.tables import BANNER


class Column(NamedTuple):
    """A banner column as shown: its key (by, value as text), label, letter, bases, and whether
    it is a segment's rest."""

    by: str
    value: str
    label: str
    letter: str
    n: float
    weighted_n: float
    effective_n: float
    small_base: bool
    rest: bool


def banner_columns(b: Banner, q=None) -> list[Column]:
    """The banner's columns read once into plain tuples (its frame holds Arrow strings, slow to
    read an element at a time); `rest` marks segments' rests when the questionnaire is given."""
    frame = b.columns
    segments = q.segments if q is not None else {}
    return [Column(by, str(value), label, letter, n, weighted, effective, bool(small),
                   by in segments and str(value) == "0")
            for by, value, label, letter, n, weighted, effective, small in zip(
                *(frame[name].tolist() if name in frame else [False] * len(frame)
                  for name in ("by", "value", "label", "letter", "n", "weighted_n",
                               "effective_n", "small_base")), strict=True)]


def _chart_label(c: Column) -> str:
    """A column as `chart_cells` names it: Total by its label, others with their letter."""
    return c.label if c.by == "_total" else f"{c.label} ({c.letter})"


def chart_columns(b: Banner, q, cells: pd.DataFrame | None = None) -> list[str]:
    """Column labels to chart: Total and each segment's members, not the 'rest' columns; in the
    order `chart_cells` first meets them. `cells`: `chart_cells(b)` when made already."""
    cells = chart_cells(b) if cells is None else cells
    rest = {_chart_label(c) for c in banner_columns(b, q) if c.rest}
    return [x for x in dict.fromkeys(cells["column_label"]) if x not in rest]


def marks(b: Banner, q, drawn: set[str]) -> dict[tuple[str, str, str], str]:
    """{(row label, by, column value): the cell's mark}: letters of `drawn` columns only, plus
    + or − against a segment's undrawn rest, from the banner's letters in both directions."""
    return _marks(banner_columns(b, q), _letters(_cell_lists(b)), drawn)


def _cell_lists(b: Banner) -> dict[str, list]:
    """The banner's cells, column by column as lists, read once."""
    return {name: b.cells[name].tolist() for name in ("row", "row_label", "by", "col",
                                                      "proportion", "suppressed", "higher_than")}


def _letters(cells: dict[str, list]) -> dict[tuple[str, str, str], tuple]:
    """{(row label, by, column value): the letters of the columns the cell is higher than}, the
    last of duplicates."""
    return {(row, by, str(col)): letters for row, by, col, letters in zip(
        cells["row_label"], cells["by"], cells["col"], cells["higher_than"], strict=True)}


def _marks(columns: list[Column], higher: dict, drawn: set[str]) -> dict[tuple, str]:
    rest_of = {c.by: c for c in columns if c.rest}
    letter_of = {(c.by, c.value): c.letter for c in columns}
    found = {}
    for (row, by, value), letters in higher.items():
        kept = "".join(sorted({x for x in letters if x in drawn}, key=lambda s: (len(s), s))) \
            if letters else ""
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
    columns = banner_columns(b, q)
    column_of = {_chart_label(c): c for c in columns}
    labels = shown["column_label"].tolist()
    drawn = {column_of[label].letter for label in set(labels)}
    found = _marks(columns, _letters(_cell_lists(b)), drawn)
    return shown.assign(mark=[
        found.get((row, column_of[label].by, column_of[label].value), "")
        for row, label in zip(shown["row_label"].tolist(), labels, strict=True)])


def people_table(b: Banner, q, lang: str) -> pd.DataFrame:
    """The banner as the page shows it: a row per option, the three bases, the missing kinds
    and the mean; a column per banner column except segments' rests."""
    say = words(BANNER, lang)
    every = banner_columns(b, q)
    columns = [c for c in every if not c.rest]
    cells = _cell_lists(b)
    found = _marks(every, _letters(cells), {c.letter for c in columns if c.letter})
    header = [c.label + (f" ({c.letter})" if c.letter else "") + (" *" if c.small_base else "")
              for c in columns]
    rows = [[say["n"]] + [str(int(c.n)) for c in columns],
            [say["weighted_n"]] + [f"{c.weighted_n:,.1f}" for c in columns],
            [say["effective_n"]] + [f"{c.effective_n:,.1f}" for c in columns]]
    shown: dict[tuple, str] = {}  # (row, by, column): the cell's text, the first of duplicates
    for key, label, by, col, share, suppressed in zip(
            *(cells[name] for name in ("row", "row_label", "by", "col", "proportion",
                                       "suppressed")), strict=True):
        col = str(col)
        if (key, by, col) not in shown:
            shown[(key, by, col)] = "" if suppressed or not math.isfinite(share) else \
                f"{100 * share:.1f}% {found.get((label, by, col), '')}".strip()
    for key, label in dict.fromkeys(zip(cells["row"], cells["row_label"], strict=True)):
        rows.append([label, *(shown.get((key, c.by, c.value), "") for c in columns)])
    keep = [i for i, c in enumerate(every) if not c.rest]
    rows += [[label, *(texts[i] for i in keep)] for label, texts in b.missing_rows(lang)]
    if b.means is not None and not b.means.empty and "mean" in b.means.columns:
        means = b.means["mean"].tolist()
        rows.append([say["mean"]] + [f"{means[i]:.2f}" if math.isfinite(means[i]) else ""
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
