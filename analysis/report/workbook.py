"""The banner workbook (xlsx) researchers hand on: contents, one sheet per question, then plain
tables (findings, segment profiles, scale reliability, codebook).

Figures are numbers with number formats (0.0% for shares), never text, so a reader can compute
with them; headers are frozen; every question sheet ends with the footnote naming its test, alpha
and correction. Significance letters sit in their own column beside each share.

Written with xlsxwriter, row by row from the banners' frames, each style a format made once: the
sample report's 82 sheets and 90,000 cells took 18.3 G instructions (callgrind) with openpyxl's
cell-by-cell styling, 5.7 G so; xlsxwriter writing the same values unstyled takes 4.4 G.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from analysis.banner.build import Banner
from analysis.banner.render import footnote, quantile_label, tested
from analysis.report.shown import banner_columns
from survey.files.atomic import atomic_path
from survey.messages import text
from survey.messages.tables import BANNER, name_of

HEADER = {"bold": True, "pattern": 1, "bg_color": "#EEF3F7"}
SMALL = {"font_color": "#A15C00", "italic": True}
STYLES = {"title": {"bold": True, "size": 14}, "sheet_title": {"bold": True, "size": 12},
          "bold": {"bold": True}, "header": HEADER,
          "column_header": {**HEADER, "align": "center", "text_wrap": True},
          "link": {"font_color": "#1F5A8A", "underline": 1},
          "missing": {"italic": True, "font_color": "#666666"},
          "note": {"italic": True, "font_color": "#555555"},
          "n": {"num_format": "0"}, "n_small": {"num_format": "0", **SMALL},
          "weighted": {"num_format": "#,##0.0"},
          "weighted_small": {"num_format": "#,##0.0", **SMALL},
          "share": {"num_format": "0.0%"}, "mean": {"num_format": "0.00"},
          "quantile": {"num_format": "#,##0.00"}}
WORDS = {"zh": {"contents": "目录", "question": "题目", "sheet": "工作表",
                "base_n": "样本量（未加权）",
                "weighted_n": "加权样本量", "effective_n": "有效样本量", "mean": "均值",
                "sd": "标准差", "small": "样本量不足，未检验", "tests": "检验",
                "statistic": "检验方法", "value": "统计量"},
         "en": {"contents": "Contents", "question": "Question", "sheet": "Sheet",
                "base_n": "Unweighted n",
                "weighted_n": "Weighted n", "effective_n": "Effective n", "mean": "Mean",
                "sd": "SD", "small": "base too small, not tested", "tests": "Tests",
                "statistic": "test", "value": "statistic"}}
PIXELS = 7  # xlsxwriter's pixels per character of width: a width of w characters is 7w pixels


def sheet_name(name: str, used: set[str]) -> str:
    """An Excel-safe, unique sheet name of at most 31 characters (UTF-16 units, as Excel counts),
    neither starting nor ending with an apostrophe."""
    base = _utf16_cut(re.sub(r"[\[\]:*?/\\]", "_", name), 31).strip("'") or "sheet"
    candidate, k = base, 2
    while candidate.lower() in used:
        candidate = f"{_utf16_cut(base, 28)}~{k}"
        k += 1
    used.add(candidate.lower())
    return candidate


def _utf16_cut(name: str, units: int) -> str:
    while len(name.encode("utf-16-le")) > 2 * units:
        name = name[:-1]
    return name


@dataclass(frozen=True)
class SheetTable:
    """A plain table sheet after the banners: `percent` columns are shares (0.0%) in the rows
    where `percent_rows` is true (all rows when it is None)."""

    name: str
    table: pd.DataFrame
    note: str = ""
    percent: tuple[str, ...] = ()
    percent_rows: pd.Series | None = None


class _Sheet:
    """A worksheet filled a row at a time below the last (as openpyxl's `append`): `style` for
    every cell of the row, `at` {column: style} for some; `span` styles the row as wide as the
    sheet so far (a header's fill runs to the last column). Columns count from 0."""

    def __init__(self, sheet, styles: dict) -> None:
        self.sheet, self.styles, self.row, self.width = sheet, styles, -1, 0
        self.text, self.number, self.blank = sheet.write_string, sheet.write_number, \
            sheet.write_blank

    def append(self, values: Sequence = (), style: str | None = None, *, span: bool = False,
               at: dict | None = None) -> None:
        self.row += 1
        fmt = self.styles[style] if style else None
        count = max(len(values), self.width) if span else len(values)
        for j in range(count):
            self.put(j, values[j] if j < len(values) else None, at.get(j, fmt) if at else fmt)
        for j in at or ():
            if j >= count:  # a styled cell past the values: a blank with its number format
                self.blank(self.row, j, None, at[j])
        self.width = max(self.width, count, max(at, default=-1) + 1 if at else 0)

    def put(self, col: int, value, fmt) -> None:
        """One cell of the current row: a text, a number, a truth value, or a blank (None, "",
        not finite) that is written only when it has a style."""
        kind = type(value)
        if value is None:
            pass
        elif kind is str:
            if value:
                return self.text(self.row, col, value, fmt)
        elif kind is float or kind is int:
            if math.isfinite(value):
                return self.number(self.row, col, value, fmt)
        elif isinstance(value, (bool, np.bool_)):
            return self.sheet.write_boolean(self.row, col, bool(value), fmt)
        elif isinstance(value, numbers.Real):  # numpy's numbers
            if math.isfinite(value):
                return self.number(self.row, col, value, fmt)
        else:
            return self.sheet.write(self.row, col, value, fmt)
        if fmt is not None:
            self.blank(self.row, col, None, fmt)

    def widths(self, widths: dict[int, float]) -> None:
        for j, width in widths.items():
            self.sheet.set_column_pixels(j, j, PIXELS * width)


def write_workbook(path: str | Path, banners: Sequence[Banner], *, title: str,
                   tables: Sequence[SheetTable] = (), lang: str = "zh") -> Path:
    """Write the workbook whole or not at all: contents, banners, then the other tables."""
    words = WORDS.get(lang, WORDS["en"])
    with atomic_path(path) as temporary:
        book = xlsxwriter.Workbook(str(temporary), {
            "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
        styles = {name: book.add_format(style) for name, style in STYLES.items()}
        used = {words["contents"].lower()}
        contents = _Sheet(book.add_worksheet(words["contents"]), styles)
        contents.append([title], at={0: styles["title"]})
        contents.append([words["sheet"], words["question"]], "header")
        for b in banners:
            name = sheet_name(b.row, used)
            _banner_sheet(_Sheet(book.add_worksheet(name), styles), b, words, lang)
            contents.append([None, b.row_label])
            contents.sheet.write_url(contents.row, 0, f"internal:'{name}'!A1", styles["link"],
                                     string=name)
        for table in tables:
            name = sheet_name(table.name, used)
            _table_sheet(_Sheet(book.add_worksheet(name), styles), table)
            contents.append([name, table.name])
        contents.widths({0: 24, 1: 70})
        book.close()
    return Path(path)


def _records(frame: pd.DataFrame, names: Sequence[str]) -> list[tuple]:
    """Rows of `frame`'s columns `names` as plain tuples (absent columns give None), read once:
    the frames hold strings in Arrow arrays, slow to read an element at a time."""
    return list(zip(*(frame[n].tolist() if n in frame else [None] * len(frame) for n in names),
                    strict=True))


def _banner_sheet(ws: _Sheet, b: Banner, words: dict, lang: str) -> None:
    """One question's banner: headers, bases, shares with their letters, means, then footnotes."""
    columns = banner_columns(b)
    ws.append([b.row_label], at={0: ws.styles["sheet_title"]})
    _column_headers(ws, columns)
    _base_rows(ws, columns, words)
    _share_rows(ws, b.cells, columns)
    for label, texts in b.missing_rows(lang):  # counted beside the base, never a 0% row
        ws.append([label] + sum(([text, None] for text in texts), []), "missing", span=True)
    if b.means is not None and not b.means.empty:
        _mean_rows(ws, b.means, columns, words)
    if b.quantiles is not None and not b.quantiles.empty:
        _quantile_rows(ws, b.quantiles, columns, lang)
    _footnotes(ws, b, columns, words, lang)
    ws.sheet.freeze_panes(3, 1)  # B4: the headers and the row labels stay in view
    ws.widths({0: 36} | {1 + 2 * j + k: (11, 5)[k] for j in range(len(columns)) for k in (0, 1)})


def _column_headers(ws: _Sheet, columns: list) -> None:
    """Rows 2 and 3: each column's label, merged over its figure and letter cells, and its own
    letter, so that a significance letter in the table leads back to its column."""
    style = ws.styles["column_header"]
    ws.append([""], "column_header")
    for j, c in enumerate(columns):
        ws.sheet.merge_range(ws.row, 1 + 2 * j, ws.row, 2 + 2 * j, c.label, style)
    ws.width = max(ws.width, 1 + 2 * len(columns))
    ws.append(sum(([f"({c.letter})" if c.letter else "", ""] for c in columns), [""]),
              "column_header", span=True)


def _base_rows(ws: _Sheet, columns: list, words: dict) -> None:
    """The unweighted, weighted and effective bases of each column; small bases in the warning
    font, since their shares are not tested."""
    for key, style in (("n", "n"), ("weighted_n", "weighted"), ("effective_n", "weighted")):
        at = {1 + 2 * j: ws.styles[style + ("_small" if c.small_base else "")]
              for j, c in enumerate(columns)}
        ws.append([words["base_n" if key == "n" else key]]
                  + sum(([_number(getattr(c, key)), ""] for c in columns), []), at=at)


def _figures(ws: _Sheet, columns: list, style: str) -> dict:
    """{column: style} for each banner column's figure cell."""
    return {1 + 2 * j: ws.styles[style] for j in range(len(columns))}


def _share_rows(ws: _Sheet, cells: pd.DataFrame, columns: list) -> None:
    """One row per answer in the banner's order: each column's share (0.0%) and its letters."""
    found = {}  # (row, by, column): (share, letters), the last of duplicates, in one pass
    for key, by, col, share, higher, suppressed in _records(
            cells, ("row", "by", "col", "proportion", "higher_than", "suppressed")):
        found[(key, by, str(col))] = (None if suppressed else _number(share),
                                      "".join(higher) or None)
    at = _figures(ws, columns, "share")
    for key, label in dict.fromkeys(zip(cells["row"], cells["row_label"], strict=True)):
        values: list = [label]
        for c in columns:
            values += found.get((key, c.by, c.value), (None, None))
        ws.append(values, at=at)


def _mean_rows(ws: _Sheet, means: pd.DataFrame, columns: list, words: dict) -> None:
    """The mean and SD rows of a banner that has them, each under its column's figures."""
    for key, label in (("mean", words["mean"]), ("sd", words["sd"])):
        if key in means.columns:
            letters = means["higher_than"].tolist() if key == "mean" and "higher_than" in means \
                else [()] * len(means)
            ws.append([label] + sum(([_number(v), "".join(h) or None]
                                     for v, h in zip(means[key].tolist(), letters, strict=True)),
                                    []), at=_figures(ws, columns, "mean"))


def _quantile_rows(ws: _Sheet, quantiles: pd.DataFrame, columns: list, lang: str) -> None:
    """A row per quantile (quartiles, the median) under the means: each column's value."""
    found = {(by, str(col), q): value for by, col, q, value in
             _records(quantiles, ("by", "col", "q", "value"))}
    for q in dict.fromkeys(quantiles["q"].tolist()):
        ws.append([quantile_label(q, lang)] + sum(
            ([_number(found.get((c.by, c.value, q))), None] for c in columns), []),
            at=_figures(ws, columns, "quantile"))


def _footnotes(ws: _Sheet, b: Banner, columns: list, words: dict, lang: str) -> None:
    """After a blank row: the footnote naming the test, the banner's notes, and the small-base
    marker when some column's base is too small to test."""
    ws.append()
    if b.tests:  # the overall tests: one row each, as the terminal's test table
        ws.append([words["tests"], words["statistic"], words["value"], "df", "p"], "bold",
                  span=True)
        for t, (compared, row) in zip(b.tests, tested(b, lang), strict=True):
            df = f"{t.ndf:.2f}" if t.ddf is None else f"{t.ndf:.2f}, {t.ddf:.1f}"
            ws.append([f"{compared} · {row}", name_of(t.statistic, lang), _number(t.value), df,
                       _number(t.p)])
            if t.wald is not None:  # the same table's adjusted Wald test
                ws.append([f"{compared} · {row}", name_of(t.wald.name, lang),
                           _number(t.wald.statistic), f"{t.wald.df:.0f}, {t.wald.ddf:.0f}",
                           _number(t.wald.p)])
        ws.append()
    quantiles = [] if b.quantiles is None else [text(BANNER, "quantiles_note", lang)]
    for line in [footnote(b, lang), *quantiles, *b.notes]:
        ws.append([line], at={0: ws.styles["note"]})
    if any(c.small_base for c in columns):
        ws.append([f"* {words['small']}"])


def _table_sheet(ws: _Sheet, sheet: SheetTable) -> None:
    table = sheet.table
    ws.append([str(c) for c in table.columns], "header")
    rows = (np.ones(len(table), bool) if sheet.percent_rows is None
            else np.asarray(sheet.percent_rows, bool))
    share = {j: ws.styles["share"] for j, c in enumerate(table.columns) if c in sheet.percent}
    columns = [table.iloc[:, j].tolist() for j in range(table.shape[1])]  # read once
    values = zip(*columns, strict=True) if columns else [()] * len(table)
    for row, percent in zip(values, rows.tolist(), strict=True):
        ws.append([_number(v) if isinstance(v, float) else v for v in row],
                  at=share if percent else None)
    ws.widths({j: min(60, max(8, len(str(c)) + 2)) for j, c in enumerate(table.columns)})
    if sheet.note:
        ws.append()
        ws.append([sheet.note])
    ws.sheet.freeze_panes(1, 1)  # B2


def _number(x):
    if x is None:
        return None
    try:
        value = float(x)
    except (TypeError, ValueError):
        return x
    return value if math.isfinite(value) else None
