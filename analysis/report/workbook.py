"""The banner workbook (xlsx) researchers hand on: contents, one sheet per question, then plain
tables (findings, segment profiles, scale reliability, codebook).

Figures are numbers with number formats (0.0% for shares), never text, so a reader can compute
with them; headers are frozen; every question sheet ends with the footnote naming its test, alpha
and correction. Significance letters sit in their own column beside each share.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from analysis.banner.build import Banner
from analysis.banner.render import footnote, quantile_label
from survey.files.atomic import atomic_path
from survey.messages import text
from survey.messages.tables import BANNER, name_of

HEADER = PatternFill("solid", fgColor="EEF3F7")
SMALL = Font(color="A15C00", italic=True)
BOLD = Font(bold=True)
MISSING = Font(italic=True, color="666666")
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


def sheet_name(name: str, used: set[str]) -> str:
    """An Excel-safe, unique sheet name of at most 31 characters."""
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "sheet"
    candidate, k = base, 2
    while candidate.lower() in used:
        candidate = f"{base[:28]}~{k}"
        k += 1
    used.add(candidate.lower())
    return candidate


@dataclass(frozen=True)
class SheetTable:
    """A plain table sheet after the banners: `percent` columns are shares (0.0%) in the rows
    where `percent_rows` is true (all rows when it is None)."""

    name: str
    table: pd.DataFrame
    note: str = ""
    percent: tuple[str, ...] = ()
    percent_rows: pd.Series | None = None


def write_workbook(path: str | Path, banners: Sequence[Banner], *, title: str,
                   tables: Sequence[SheetTable] = (), lang: str = "zh") -> Path:
    """Write the workbook whole or not at all: contents, banners, then the other tables."""
    words = WORDS.get(lang, WORDS["en"])
    book = Workbook()
    contents = book.active
    contents.title = words["contents"]
    used = {contents.title.lower()}
    contents.append([title])
    contents["A1"].font = Font(bold=True, size=14)
    contents.append([words["sheet"], words["question"]])
    for cell in contents[2]:
        cell.font, cell.fill = BOLD, HEADER
    for b in banners:
        name = sheet_name(b.row, used)
        _banner_sheet(book.create_sheet(name), b, words, lang)
        contents.append([name, b.row_label])
        link = contents.cell(row=contents.max_row, column=1)
        link.hyperlink = f"#'{name}'!A1"
        link.font = Font(color="1F5A8A", underline="single")
    for sheet in tables:
        name = sheet_name(sheet.name, used)
        _table_sheet(book.create_sheet(name), sheet)
        contents.append([name, sheet.name])
    contents.column_dimensions["A"].width = 24
    contents.column_dimensions["B"].width = 70
    with atomic_path(path) as temporary:
        book.save(temporary)
    return Path(path)


def _banner_sheet(ws, b: Banner, words: dict, lang: str) -> None:
    """One question's banner: headers, bases, shares with their letters, means, then footnotes."""
    columns = list(b.columns.itertuples(index=False))
    ws.append([b.row_label])
    ws["A1"].font = Font(bold=True, size=12)
    _column_headers(ws, columns)
    _base_rows(ws, columns, words)
    _share_rows(ws, b.cells, columns)
    for label, texts in b.missing_rows(lang):  # counted beside the base, never a 0% row
        ws.append([label] + sum(([text, None] for text in texts), []))
        for cell in ws[ws.max_row]:
            cell.font = MISSING
    if b.means is not None and not b.means.empty:
        _mean_rows(ws, b.means, columns, words)
    if b.quantiles is not None and not b.quantiles.empty:
        _quantile_rows(ws, b.quantiles, columns, lang)
    _footnotes(ws, b, columns, words, lang)
    ws.freeze_panes = "B4"
    ws.column_dimensions["A"].width = 36
    for j in range(len(columns)):
        ws.column_dimensions[get_column_letter(2 + 2 * j)].width = 11
        ws.column_dimensions[get_column_letter(3 + 2 * j)].width = 5


def _column_headers(ws, columns: list) -> None:
    """Rows 2 and 3: each column's label, merged over its figure and letter cells, and its own
    letter, so that a significance letter in the table leads back to its column."""
    header, letters = [""], [""]
    for c in columns:
        header += [c.label, ""]
        letters += [f"({c.letter})" if c.letter else "", ""]
    ws.append(header)
    ws.append(letters)
    for j in range(len(columns)):
        ws.merge_cells(start_row=2, start_column=2 + 2 * j, end_row=2, end_column=3 + 2 * j)
    for row in (2, 3):
        for cell in ws[row]:
            cell.font, cell.fill = BOLD, HEADER
            cell.alignment = Alignment(horizontal="center", wrap_text=True)


def _base_rows(ws, columns: list, words: dict) -> None:
    """The unweighted, weighted and effective bases of each column; small bases in the warning
    font, since their shares are not tested."""
    for key, label, fmt in (("n", words["base_n"], "0"), ("weighted_n", words["weighted_n"],
                                                         "#,##0.0"),
                            ("effective_n", words["effective_n"], "#,##0.0")):
        ws.append([label] + sum(([_number(getattr(c, key)), ""] for c in columns), []))
        for j, c in enumerate(columns):
            cell = ws.cell(row=ws.max_row, column=2 + 2 * j)
            cell.number_format = fmt
            if getattr(c, "small_base", False):
                cell.font = SMALL


def _share_rows(ws, cells: pd.DataFrame, columns: list) -> None:
    """One row per answer in the banner's order: each column's share (0.0%) and its letters."""
    order = list(dict.fromkeys(zip(cells["row"], cells["row_label"], strict=True)))
    found = {(r.row, r.by, str(r.col)): r for r in cells.itertuples(index=False)}  # one pass
    for key, label in order:
        values: list = [label]
        for c in columns:
            values += _share_and_letters(found.get((key, c.by, str(c.value))))
        ws.append(values)
        for j in range(len(columns)):
            ws.cell(row=ws.max_row, column=2 + 2 * j).number_format = "0.0%"


def _share_and_letters(cell) -> list:
    """The share of one answer in one column (None if suppressed) and the letters of the
    columns it is significantly higher than; two blanks where the column has no such cell."""
    if cell is None:
        return [None, None]
    return [None if cell.suppressed else _number(cell.proportion),
            "".join(cell.higher_than) or None]


def _mean_rows(ws, means: pd.DataFrame, columns: list, words: dict) -> None:
    """The mean and SD rows of a banner that has them, each under its column's figures."""
    for key, label, fmt in (("mean", words["mean"], "0.00"), ("sd", words["sd"], "0.00")):
        if key in means.columns:
            letters = means["higher_than"] if key == "mean" and "higher_than" in means else \
                [()] * len(means)
            ws.append([label] + sum(([_number(v), "".join(h) or None]
                                     for v, h in zip(means[key], letters, strict=True)), []))
            for j in range(len(columns)):
                ws.cell(row=ws.max_row, column=2 + 2 * j).number_format = fmt


def _quantile_rows(ws, quantiles: pd.DataFrame, columns: list, lang: str) -> None:
    """A row per quantile (quartiles, the median) under the means: each column's value."""
    found = {(x.by, str(x.col), x.q): x.value for x in quantiles.itertuples(index=False)}
    for q in dict.fromkeys(quantiles["q"]):
        ws.append([quantile_label(q, lang)] + sum(
            ([_number(found.get((c.by, str(c.value), q))), None] for c in columns), []))
        for j in range(len(columns)):
            ws.cell(row=ws.max_row, column=2 + 2 * j).number_format = "#,##0.00"


def _footnotes(ws, b: Banner, columns: list, words: dict, lang: str) -> None:
    """After a blank row: the footnote naming the test, the banner's notes, and the small-base
    marker when some column's base is too small to test."""
    ws.append([])
    if b.tests:  # the overall tests: one row each, as the terminal's test table
        ws.append([words["tests"], words["statistic"], words["value"], "df", "p"])
        for cell in ws[ws.max_row]:
            cell.font = BOLD
        for t in b.tests:
            df = f"{t.ndf:.2f}" if t.ddf is None else f"{t.ndf:.2f}, {t.ddf:.1f}"
            row = words["mean"] if t.row == "mean" else t.row
            ws.append([f"{t.by} · {row}", name_of(t.statistic, lang), _number(t.value), df,
                       _number(t.p)])
            if t.wald is not None:  # the same table's adjusted Wald test
                ws.append([f"{t.by} · {row}", name_of(t.wald.name, lang),
                           _number(t.wald.statistic), f"{t.wald.df:.0f}, {t.wald.ddf:.0f}",
                           _number(t.wald.p)])
        ws.append([])
    quantiles = [] if b.quantiles is None else [text(BANNER, "quantiles_note", lang)]
    for line in [footnote(b, lang), *quantiles, *b.notes]:
        ws.append([line])
        ws.cell(row=ws.max_row, column=1).font = Font(italic=True, color="555555")
    if any(getattr(c, "small_base", False) for c in columns):
        ws.append([f"* {words['small']}"])


def _table_sheet(ws, sheet: SheetTable) -> None:
    table = sheet.table
    ws.append([str(c) for c in table.columns])
    for cell in ws[1]:
        cell.font, cell.fill = BOLD, HEADER
    for row in table.itertuples(index=False):
        ws.append([_number(v) if isinstance(v, float) else v for v in row])
    rows = (np.ones(len(table), bool) if sheet.percent_rows is None
            else np.asarray(sheet.percent_rows, bool))
    for j, column in enumerate(table.columns, start=1):
        if column in sheet.percent:
            for r in np.flatnonzero(rows):
                ws.cell(row=int(r) + 2, column=j).number_format = "0.0%"
        ws.column_dimensions[get_column_letter(j)].width = min(
            60, max(8, len(str(column)) + 2))
    if sheet.note:
        ws.append([])
        ws.append([sheet.note])
    ws.freeze_panes = "B2"


def _number(x):
    if x is None:
        return None
    try:
        value = float(x)
    except (TypeError, ValueError):
        return x
    return value if math.isfinite(value) else None
