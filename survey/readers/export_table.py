"""An export file's cells as text, with located errors for files that cannot be read at all.

Platform readers (Wenjuanxing, KoboToolbox/ODK, Qualtrics) all start from the same thing: a grid of
strings, header rows first. Reading everything as text keeps codes such as `01` and long ids
intact; each reader converts per question type afterwards. CSV text is decoded as UTF-8 (with or
without BOM), else GB18030 (a superset of GBK, what Wenjuanxing writes for Excel on Windows), or
as UTF-16 when it starts with that byte-order mark (Qualtrics TSV).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from survey.files.archive import check_archive
from survey.files.encoding import ENCODINGS, decode_text, is_utf16
from survey.files.source import Problem, SourceError, excerpt
from survey.readers.xlsx_cells import (
    cell_text,
    check_density,
    dense,
    fail,
    filled_rows,
    first_row_texts,
    sheet_name,
    text_rows,
    workbook,
)

EXCEL_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class ExportTable:
    """`header` rows and `body` (a DataFrame of str, '' for empty cells, columns 0..n-1)."""

    file: str
    header: list[list[str]]
    body: pd.DataFrame
    encoding: str | None = None
    delimiter: str | None = None
    padded: tuple[int, ...] = ()  # lines of short rows read with '' for the cells left out
    lines: tuple[int, ...] = ()  # a workbook's sheet row of each data row (blank rows skipped)

    def line(self, row: int) -> int:
        """The 1-based line (record, or sheet row) in the file of 0-based data row `row`."""
        return self.lines[row] if self.lines else len(self.header) + row + 1


def is_excel(path: Path) -> bool:
    """An xlsx workbook by its suffix or its first bytes (False when it cannot be read: the
    reader then says why)."""
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return True
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def read_export(path: str | Path, header_rows: int = 1, delimiter: str | None = None,
                sheet: int | str = 0, unique: bool = True, *, member: str | None = None,
                shortest: Callable[[list[str]], int] | None = None) -> ExportTable:
    """Read a CSV or xlsx export as text cells; raise SourceError when it cannot be read, or
    when a header repeats another (unless not `unique`: the reader tells such columns apart).

    `member` names a CSV inside a .zip archive (ODK Central's full export); its problems are
    located at `archive.zip/member.csv`. A CSV row shorter than the header is 'missing-cells',
    unless `shortest(header)` says the platform leaves out empty trailing cells and the row has
    at least that many: it is padded with '' and its line listed in `ExportTable.padded`.
    """
    path = Path(path)
    file = str(path) if member is None else f"{path}/{member}"
    if member is None and is_excel(path):
        header, body, lines = _excel_table(path, header_rows, sheet)
        table = ExportTable(file, header, _frame(body, len(header[0])), lines=tuple(lines))
    else:
        rows, encoding, delimiter = _rows(path, file, delimiter, member)
        header, body, padded = _csv_table(file, rows, header_rows, shortest)
        table = ExportTable(file, header, _frame(body, len(header[0])), encoding, delimiter,
                            tuple(padded))
    if unique:
        check_duplicates(file, header[0])
    return table


def _frame(body: list[list[str]], width: int) -> pd.DataFrame:
    return pd.DataFrame(body, columns=range(width), dtype=object).fillna("")


def _csv_table(file: str, rows: list[list[str]], header_rows: int,
               shortest: Callable[[list[str]], int] | None
               ) -> tuple[list[list[str]], list[list[str]], list[int]]:
    """(header rows, data rows padded to the header's width, lines of padded rows)."""
    rows = [r for r in rows if r != []]
    if len(rows) < header_rows:
        raise _too_few(file, len(rows), header_rows)
    header = [[cell.strip() for cell in row] for row in rows[:header_rows]]
    width = len(header[0])
    least = width if shortest is None else min(width, shortest(header[0]))
    may_end = "" if least == width else \
        f" (a row may end after column {least} '{excerpt(header[0][least - 1])}', not before)"
    problems, padded = [], []
    for number, row in enumerate(rows[header_rows:], start=header_rows + 1):
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            problems.append(Problem(file, number, width + 1, "extra-cells",
                                    f"row {number} has {len(row)} cells but the header has "
                                    f"{width}; is the delimiter right?"))
        elif len(row) < least:
            problems.append(Problem(file, number, len(row) + 1, "missing-cells",
                                    f"row {number} has {len(row)} cells but the header has "
                                    f"{width}; is the delimiter right, or the file cut short?"
                                    + may_end))
        elif len(row) < width:
            padded.append(number)
    if problems:
        raise SourceError(problems[:20])
    return header, [(row + [""] * width)[:width] for row in rows[header_rows:]], padded


def _excel_table(path: Path, header_rows: int, sheet: int | str
                 ) -> tuple[list[list[str]], list[list[str]], list[int]]:
    """(header rows, data rows, their sheet rows) of a workbook's sheet, blank rows left out;
    the table is as wide as the header, and a filled cell beyond it is an error."""
    file = str(path)
    with workbook(path, file, code="bad-excel") as book:
        name = sheet_name(book, sheet, file)
        rows = [(n, cells) for n, cells in filled_rows(book, name, file, code="bad-excel")
                if any(str(v).strip() for v in cells.values())]
    if len(rows) < header_rows:
        raise _too_few(file, len(rows), header_rows)
    width = max(column for _, cells in rows[:header_rows] for column, value in cells.items()
                if str(value).strip())
    check_density(file, rows, width)
    header = [[cell_text(v).strip() for v in dense(cells, width, None)]
              for _, cells in rows[:header_rows]]
    problems = []
    for number, cells in rows[header_rows:]:
        beyond = sorted(c for c, v in cells.items() if c > width and str(v).strip())
        if beyond:
            problems.append(Problem(file, number, beyond[0], "extra-cells",
                                    f"row {number} has a value in column {beyond[0]} but the "
                                    f"header has {width} columns"))
    if problems:
        raise SourceError(problems[:20])
    body = [[cell_text(v) for v in dense(cells, width, None)] for _, cells in rows[header_rows:]]
    return header, body, [number for number, _ in rows[header_rows:]]


def _too_few(file: str, found: int, header_rows: int) -> SourceError:
    return fail(file, "empty-file", f"the file has {found} of the {header_rows} header rows "
                "an export starts with")


def _rows(path: Path, file: str, delimiter: str | None,
          member: str | None) -> tuple[list[list[str]], str, str]:
    """(rows, encoding, delimiter) of a CSV file or zip member."""
    if member is not None:
        return _csv_rows(file, _member_bytes(path, member), delimiter)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise fail(file, "unreadable", f"cannot read the file: {error.strerror}") from None
    return _csv_rows(file, data, delimiter)


def _csv_rows(file: str, data: bytes,
              delimiter: str | None) -> tuple[list[list[str]], str, str]:
    """The rows of CSV bytes, their encoding and delimiter (sniffed unless given)."""
    text, encoding = decode_text(data, file)
    if not text.strip():
        raise fail(file, "empty-file", "the file is empty: an export has a header row")
    with _fields_up_to(len(text)):
        delimiter = delimiter or sniff_delimiter(text)
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as error:
            raise fail(file, "bad-csv", f"not a readable CSV file: {error}") from None
    return rows, encoding, delimiter


@contextmanager
def _fields_up_to(size: int) -> Iterator[None]:
    """csv's limit on a field (128 KiB: one long open answer) raised to `size` for one read."""
    before = csv.field_size_limit()
    csv.field_size_limit(max(before, min(size + 1, 2**31 - 1)))
    try:
        yield
    finally:
        csv.field_size_limit(before)


def _member_bytes(path: Path, member: str) -> bytes:
    check_archive(path, str(path), "bad-zip", member)
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.read(member)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError) as error:
        raise fail(str(path), "bad-zip", f"cannot read {member} from the zip archive (damaged "
                   f"or cut short?): {error}") from None


def check_duplicates(file: str, names: list[str]) -> None:
    """A located `duplicate-header` error for each header that repeats an earlier one."""
    first: dict[str, int] = {}
    problems = []
    for position, name in enumerate(names, start=1):
        if name and name in first:
            problems.append(Problem(file, 1, position, "duplicate-header",
                                    f"column {position} repeats the header '{excerpt(name)}' "
                                    "of column "
                                    f"{first[name]}; rename one of them"))
        first.setdefault(name, position)
    if problems:
        raise SourceError(problems)


def sniff_delimiter(text: str) -> str:
    """`,`, `;` or tab: whichever splits the first line into the most quoted-aware fields."""
    first = text.split("\n", 1)[0]
    with _fields_up_to(len(first)):
        counts = {d: len(next(csv.reader([first], delimiter=d), [])) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def first_rows(path: Path, head: bytes, count: int = 3) -> list[list[str]]:
    """The first rows of a CSV or xlsx file, for format detection; [] when unreadable."""
    try:
        if head.startswith(b"PK\x03\x04"):
            return text_rows(path, count)
        text = None
        if is_utf16(head):  # a character cut by the 64 KiB head is dropped
            text = head[:len(head) // 2 * 2].decode("utf-16", errors="ignore")
        for encoding in () if text is not None else ENCODINGS:
            try:
                text = head.decode(encoding)
                break
            except UnicodeDecodeError as error:
                if error.start > len(head) - 4:  # a character cut by the 64 KiB head
                    text = head[:error.start].decode(encoding, errors="ignore")
                    break
        if text is None:
            return []
        text = text.removeprefix("\ufeff")  # a GB18030 byte-order mark decodes to U+FEFF
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
        return [row for _, row in zip(range(count), reader, strict=False)]
    except Exception:  # detection must never fail: the reader reports the real problem
        return []


def sheet_headers(path: Path) -> dict[str, list[str]]:
    """The first row of every sheet of an xlsx workbook, by sheet name; {} when unreadable.

    For readers that look for their data in any sheet (a notes sheet may come first)."""
    try:
        with workbook(path, str(path), code="bad-excel") as book:
            return {name: first_row_texts(book, name, str(path)) for name in book.sheetnames}
    except Exception:  # detection must never fail: the reader reports the real problem
        return {}


@dataclass(frozen=True, eq=False)
class ImportNotes:
    """A platform reader's column mapping and read problems, kept with its Responses."""

    mapping: pd.DataFrame
    problems: pd.DataFrame

    def __deepcopy__(self, memo: dict) -> ImportNotes:
        return self  # never changed: pandas deep-copies attrs on every column it hands out


def attach(responses, mapping_table: pd.DataFrame, problems: pd.DataFrame):
    """Keep the mapping and read problems with the Responses (`frame.attrs["import"]`, an
    object compared by identity, as pandas compares attrs), so `survey import` can report them."""
    responses.frame.attrs["import"] = ImportNotes(mapping_table, problems)
    return responses


def import_notes(frame: pd.DataFrame) -> ImportNotes | None:
    return frame.attrs.get("import")
