"""The cells an xlsx sheet holds, read in proportion to them.

openpyxl's read-only rows are as wide as the sheet's <dimension> record says, or as the widest
row: one stray cell at XFD1048576, or a dimension claiming A1:XFD1048576, makes every row 16,384
cells and the sheet a million rows (hours, at 15 ms a row). Its sheet parser yields only the
cells written, so we iterate that (as openpyxl's own read-only worksheet does) and keep the
cells that hold a value, with their sheet row and column. A table made dense from them must not
be much larger than what it holds: `check_density` refuses the stray far cell, located.

The workbook's members are checked before openpyxl unpacks them (survey.files.archive).
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from survey.files.archive import check_archive
from survey.files.source import Problem, SourceError

Row = tuple[int, dict[int, Any]]  # (sheet row, {column: value}), 1-based, filled cells only
DENSITY = 100  # a dense table may have this many cells per filled cell...
SLACK = 10_000  # ...beyond this many, whatever it holds
# what openpyxl raises on a damaged or hostile workbook: a bad zip, XML that does not parse
# (expat refuses entity bombs), a shared string or style index out of range, a bad coordinate
DAMAGED = (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, IndexError, TypeError,
           AttributeError, ParseError)


class CellError(str):
    """An error cell's text (#N/A, #DIV/0!): text in an export, no value in our layout."""


def fail(file: str, code: str, message: str, line: int = 1, column: int = 1) -> SourceError:
    return SourceError([Problem(file, line, column, code, message)])


@contextmanager
def workbook(path: Path, file: str, *, code: str) -> Iterator[Any]:
    """An openpyxl read-only workbook, its members checked first; `code` for damage."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    check_archive(path, file, code)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "no default style": nothing the user can act on
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (*DAMAGED, InvalidFileException) as error:
        raise fail(file, code, "not a readable xlsx workbook (truncated or damaged?): "
                   f"{type(error).__name__}: {str(error)[:200]}") from None
    try:
        yield book
    finally:
        book.close()


def sheet_name(book: Any, sheet: int | str, file: str) -> str:
    names = book.sheetnames
    if isinstance(sheet, int) and not 0 <= sheet < len(names) or \
            isinstance(sheet, str) and sheet not in names:
        raise fail(file, "no-sheet", f"the workbook has no sheet {sheet!r}")
    return names[sheet] if isinstance(sheet, int) else sheet


def filled_rows(book: Any, name: str, file: str, *, code: str, last: int | None = None
                ) -> list[Row]:
    """The rows of sheet `name` that have a filled cell (up to sheet row `last`), each with
    its filled cells only: time and memory follow the cells written, not the sheet's extent."""
    from openpyxl.worksheet._reader import WorkSheetParser

    sheet = book[name]
    # what openpyxl's own ReadOnlyWorksheet gives its parser; outside the `try`, so that an
    # openpyxl without them is our bug (exit 70), never taken for a damaged file
    archive, member, strings = book._archive, sheet._worksheet_path, sheet._shared_strings
    formats = {"epoch": book.epoch, "date_formats": book._date_formats,
               "timedelta_formats": book._timedelta_formats}
    rows: list[Row] = []
    try:
        with warnings.catch_warnings(), archive.open(member) as source:
            warnings.simplefilter("ignore")  # a date out of range: openpyxl keeps '#VALUE!'
            parser = WorkSheetParser(source, strings, data_only=True, **formats)
            for number, cells in parser.parse():
                if last is not None and number > last:
                    break
                filled = {cell["column"]: _value(cell) for cell in cells
                          if cell["value"] is not None}
                if filled:
                    rows.append((number, filled))
    except DAMAGED as error:
        line = rows[-1][0] + 1 if rows else 1
        raise fail(file, code, f"the xlsx workbook is damaged near row {line} of sheet "
                   f"'{name}': {type(error).__name__}: {str(error)[:200]}", line) from None
    return rows


def _value(cell: dict) -> Any:
    return CellError(cell["value"]) if cell["data_type"] == "e" else cell["value"]


def check_density(file: str, rows: list[Row], width: int) -> None:
    """Refuse a table `width` columns wide whose dense form would dwarf its filled cells: the
    first cell in column `width`, far beyond the others, is located."""
    filled = sum(len(cells) for _, cells in rows)
    if len(rows) * width <= DENSITY * filled + SLACK:
        return
    line = next((number for number, cells in rows if width in cells), 1)
    raise fail(file, "sparse-sheet", f"the table would be {len(rows):,} rows by {width:,} "
               f"columns for {filled:,} filled cells: the cell in column {width} lies far "
               "beyond the others; clear it (or delete the empty columns before it)",
               line, width)


def dense(cells: dict[int, Any], width: int, empty: Any) -> list[Any]:
    """A row's cells as a list of `width`, `empty` where nothing is written (cells beyond
    `width` are left out: the caller reports them)."""
    row = [empty] * width
    for column, value in cells.items():
        if column <= width:
            row[column - 1] = value
    return row


def cell_text(value: object) -> str:
    """An export cell as text: integral numbers without '.0', dates as Wenjuanxing writes them."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return value.strftime("%Y/%m/%d %H:%M:%S")  # type: ignore[union-attr]
    return str(value)


def text_rows(path: Path, count: int) -> list[list[str]]:
    """The first `count` sheet rows of the first sheet, as text (for format detection)."""
    with workbook(path, str(path), code="bad-excel") as book:
        rows = filled_rows(book, book.sheetnames[0], str(path), code="bad-excel",
                           last=count)
    found: dict[int, list[str]] = {n: [cell_text(v) for v in dense(c, max(c), None)]
                                   for n, c in rows}
    return [found.get(n, []) for n in range(1, count + 1)][:max(found, default=0)]


def first_row_texts(book: Any, name: str, file: str) -> list[str]:
    """Sheet row 1 of sheet `name` as text ([] when it is empty)."""
    rows = filled_rows(book, name, file, code="bad-excel", last=1)
    return [cell_text(v) for v in dense(rows[0][1], max(rows[0][1]), None)] if rows else []
