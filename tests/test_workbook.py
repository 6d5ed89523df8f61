"""The banner workbook read back with openpyxl, cell by cell, against the layout recomputed here
from the banners' own frames: every value and number format of every sheet, the merged column
headers, the fonts that carry meaning (headers, small bases, missing kinds, notes), column widths,
frozen panes, the contents' links and the sheet order. Independent of how the workbook is
written (openpyxl before, xlsxwriter now), so a faster writer cannot change what a reader gets."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from analysis.banner.build import banner
from analysis.banner.render import footnote, quantile_label
from analysis.design.choice import choose_design
from analysis.report.workbook import WORDS, SheetTable, sheet_name, write_workbook
from survey.messages import text
from survey.messages.tables import BANNER, name_of
from survey.readers import read_responses

ROOT = Path(__file__).resolve().parents[1]
BY = ["state_owned", "cohort"]


@cache
def banners() -> tuple:
    """A rank row with suppressed cells and small bases, a single row with a don't-know, a scale
    with means, a number row with quartiles: every kind of row a banner sheet has."""
    r = read_responses(ROOT / "data_samples" / "industrial_workers.sav",
                       ROOT / "questionnaires" / "industrial_workers.yaml")
    d = choose_design(r).design
    return (banner(r, "concerns", BY, design=d, suppress=40, min_base=120, lang="zh"),
            banner(r, "union_member", BY, design=d, lang="zh"),
            banner(r, "reform_follow", BY, design=d, lang="zh"),
            banner(r, "training_days_12m", BY, design=d, quantiles=(0.25, 0.5, 0.75),
                   lang="zh"))


def finite(x):
    """A figure as the file keeps it: 16 significant digits (openpyxl and xlsxwriter alike)."""
    return None if x is None or not np.isfinite(float(x)) else float(f"{float(x):.16g}")


def figures(label, values, fmt: str = "General", letters=None) -> list[tuple]:
    """A row of the banner: its label, then each column's figure (in `fmt`) and letters."""
    letters = letters or [None] * len(values)
    return [(label, "General")] + [cell for value, mark in zip(values, letters, strict=True)
                                   for cell in ((value, fmt), (mark or None, "General"))]


def plain(values) -> list[tuple]:
    return [(value, "General") for value in values]


def expected_banner(b, lang: str) -> dict[tuple[int, int], tuple]:
    """{(row, column), 1-based: (value, number format)} of every non-empty cell of the sheet."""
    words = WORDS[lang]
    columns = b.columns.reset_index(drop=True)
    keys = list(zip(columns["by"], columns["value"].astype(str), strict=True))
    rows = [plain([b.row_label]),
            figures(None, [x or None for x in columns["label"]]),
            figures(None, [f"({x})" if x else None for x in columns["letter"]])]
    rows += [figures(words[label], [finite(x) for x in columns[key]], fmt)
             for key, label, fmt in (("n", "base_n", "0"), ("weighted_n", "weighted_n", "#,##0.0"),
                                     ("effective_n", "effective_n", "#,##0.0"))]
    cells = b.cells.assign(col=b.cells["col"].astype(str)).drop_duplicates(
        ["row", "by", "col"], keep="last").set_index(["row", "by", "col"])
    for key, label in dict.fromkeys(zip(b.cells["row"], b.cells["row_label"], strict=True)):
        found = [cells.loc[(key, *k)] if (key, *k) in cells.index else None for k in keys]
        rows.append(figures(label, [None if c is None or c["suppressed"] else
                                    finite(c["proportion"]) for c in found], "0.0%",
                            [None if c is None else "".join(c["higher_than"]) for c in found]))
    rows += [figures(label, texts) for label, texts in b.missing_rows(lang)]
    if b.means is not None and not b.means.empty:
        rows.append(figures(words["mean"], [finite(x) for x in b.means["mean"]], "0.00",
                            ["".join(h) for h in b.means["higher_than"]]))
        rows.append(figures(words["sd"], [finite(x) for x in b.means["sd"]], "0.00"))
    if b.quantiles is not None and not b.quantiles.empty:
        for q, part in b.quantiles.groupby("q", sort=False):
            values = dict(zip(zip(part["by"], part["col"].astype(str), strict=True),
                              part["value"], strict=True))
            rows.append(figures(quantile_label(q, lang),
                                [finite(values.get(k)) for k in keys], "#,##0.00"))
    rows += [[], *overall_tests(b, lang), *([[]] if b.tests else [])]
    notes = [footnote(b, lang)] + ([text(BANNER, "quantiles_note", lang)]
                                   if b.quantiles is not None else []) + list(b.notes)
    rows += [plain([line]) for line in notes]
    if columns["small_base"].any():
        rows.append(plain([f"* {words['small']}"]))
    return {(i, j): cell for i, row in enumerate(rows, start=1)
            for j, cell in enumerate(row, start=1) if cell != (None, "General")}


def overall_tests(b, lang: str) -> list[list[tuple]]:
    """The overall tests under the table: a header, then each test and its adjusted Wald."""
    words = WORDS[lang]
    if not b.tests:
        return []
    rows = [plain([words["tests"], words["statistic"], words["value"], "df", "p"])]
    options = dict(zip(b.cells["row"].astype(str), b.cells["row_label"], strict=True))
    for t in b.tests:  # named by the labels of the columns compared and of the row tested
        shown = b.columns[(b.columns["by"] == t.by) & ~b.columns["small_base"]]  # tested ones
        compared = " / ".join(map(str, shown["label"]))
        row = words["mean"] if t.row == "mean" else b.row_label if t.row == b.row \
            else options[str(t.row)]
        by = f"{compared} · {row}"
        df = f"{t.ndf:.2f}" if t.ddf is None else f"{t.ndf:.2f}, {t.ddf:.1f}"
        rows.append(plain([by, name_of(t.statistic, lang), finite(t.value), df, finite(t.p)]))
        if t.wald is not None:
            rows.append(plain([by, name_of(t.wald.name, lang), finite(t.wald.statistic),
                               f"{t.wald.df:.0f}, {t.wald.ddf:.0f}", finite(t.wald.p)]))
    return rows


def read_back(sheet) -> dict[tuple[int, int], tuple]:
    return {(c.row, c.column): (c.value, c.number_format) for r in sheet.iter_rows() for c in r
            if c.value is not None or c.number_format != "General"}


def widths(sheet) -> list[float]:
    """Column widths A, B, ... (a writer may give equal neighbours one <col> range)."""
    spans = {j: d.width for d in sheet.column_dimensions.values() if d.width
             for j in range(d.min, d.max + 1)}
    return [spans.get(j) for j in range(1, max(spans) + 1)]


def fonts(sheet, row: int) -> set[tuple]:
    return {(bool(c.font.b), bool(c.font.i), colour(c.font.color)) for c in sheet[row]
            if c.value is not None}


def colour(color) -> str:
    """An RGB colour without its alpha; "" for none or a theme colour (the default)."""
    rgb = getattr(color, "rgb", None)
    return rgb[-6:] if isinstance(rgb, str) else ""


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("workbook") / "banner.xlsx"
    table = SheetTable("结论检验", pd.DataFrame({
        "编号": ["F1", "", "F3"], "估计值": [0.5, np.nan, 0.25], "n": [10, 20, 30],
        "支持": [True, False, True], "一个很长很长的列名" * 8: [np.float64(1.5), 2.0, 3.0]}),
        note="说明", percent=("估计值",), percent_rows=pd.Series([True, True, False]))
    write_workbook(path, banners(), title="产业工人需求调查", tables=[table], lang="zh")
    return load_workbook(path)


def test_sheets_in_order_and_the_contents_link_to_them(book):
    names = ["目录", "concerns", "union_member", "reform_follow", "training_days_12m", "结论检验"]
    assert book.sheetnames == names
    contents = book["目录"]
    assert [c.value for c in contents[1]][:1] == ["产业工人需求调查"] and contents["A1"].font.b
    assert [c.value for c in contents[2]] == ["工作表", "题目"]
    rows = [[c.value for c in r] for r in contents.iter_rows(min_row=3)]
    assert rows == [[b.row, b.row_label] for b in banners()] + [["结论检验", "结论检验"]]
    links = [c.hyperlink for c in contents["A"][2:6]]
    assert [(h.location or h.target).strip("#").split("!")[0].strip("'") for h in links] == \
        names[1:5]
    assert widths(contents) == [24, 70]


@pytest.mark.parametrize("index", range(4))
def test_banner_sheet_cell_by_cell(book, index):
    b = banners()[index]
    sheet = book[b.row]
    assert read_back(sheet) == expected_banner(b, "zh")
    n = len(b.columns)
    assert sorted(str(r) for r in sheet.merged_cells.ranges) == sorted(
        f"{get_column_letter(2 + 2 * j)}2:{get_column_letter(3 + 2 * j)}2" for j in range(n))
    assert sheet.freeze_panes == "B4"
    assert widths(sheet)[:1 + 2 * n] == [36] + [11, 5] * n
    header = [sheet.cell(row=r, column=j) for r in (2, 3) for j in range(1, 2 + 2 * n)
              if not (r == 2 and j % 2)]  # openpyxl reads a merged cell's other half bare
    assert all(c.font.b and colour(c.fill.fgColor) == "EEF3F7" for c in header)
    assert all(c.alignment.horizontal == "center" for c in header)


def test_small_bases_missing_kinds_and_notes_carry_their_fonts(book):
    concerns = book["concerns"]
    small = [j for j, c in enumerate(banners()[0].columns.itertuples()) if c.small_base]
    assert small and all(concerns.cell(row=4, column=2 + 2 * j).font.i for j in small)
    assert fonts(concerns, 4) >= {(False, True, "A15C00")}
    assert any(c["suppressed"] for c in banners()[0].cells.to_dict("records"))
    union = book["union_member"]
    missing = [r[0].row for r in union.iter_rows() if r[0].value == banners()[1].dont_know]
    assert missing and fonts(union, missing[0]) == {(False, True, "666666")}
    note = next(r[0] for r in union.iter_rows() if r[0].value == footnote(banners()[1], "zh"))
    assert note.font.i and colour(note.font.color) == "555555"


def test_table_sheet(book):
    sheet = book["结论检验"]
    long = "一个很长很长的列名" * 8
    assert [[c.value for c in r] for r in sheet.iter_rows()] == [
        ["编号", "估计值", "n", "支持", long],
        ["F1", 0.5, 10, True, 1.5],
        [None, None, 20, False, 2],
        ["F3", 0.25, 30, True, 3],
        [None] * 5,
        ["说明", None, None, None, None]]
    assert [sheet.cell(row=r, column=2).number_format for r in (2, 3, 4)] == \
        ["0.0%", "0.0%", "General"]
    assert all(c.font.b and colour(c.fill.fgColor) == "EEF3F7" for c in sheet[1])
    assert widths(sheet) == [8, 8, 8, 8, 60]
    assert sheet.freeze_panes == "B2"


def test_sheet_names_are_excel_safe_and_unique():
    used = {"目录"}
    assert sheet_name("a/b:c", used) == "a_b_c"
    assert sheet_name("A_B_C", used) == "A_B_C~2"
    assert sheet_name("x" * 40, used) == "x" * 31
    assert sheet_name("x" * 40, used) == "x" * 28 + "~2"
    assert sheet_name("'quoted'", used) == "quoted"
    assert sheet_name("'", used) == "sheet"
    assert len(sheet_name("😀" * 20, used).encode("utf-16-le")) <= 62
