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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from survey.files.encoding import ENCODINGS, decode_text, is_utf16
from survey.files.source import Problem, SourceError

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

    def line(self, row: int) -> int:
        """The 1-based line (record) in the file of 0-based data row `row`."""
        return len(self.header) + row + 1


def fail(file: str, code: str, message: str, line: int = 1, column: int = 1) -> SourceError:
    return SourceError([Problem(file, line, column, code, message)])


def is_excel(path: Path) -> bool:
    return path.suffix.lower() in EXCEL_SUFFIXES or path.read_bytes()[:4] == b"PK\x03\x04"


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
    rows, encoding, delimiter, excel = _rows(path, file, delimiter, sheet, member)
    rows = [r for r in rows if any(cell.strip() for cell in r)] if excel else \
        [r for r in rows if r != []]
    if len(rows) < header_rows:
        raise fail(file, "empty-file", f"the file has {len(rows)} of the {header_rows} header "
                   "rows an export starts with")
    header = [[cell.strip() for cell in row] for row in rows[:header_rows]]
    width = len(header[0])
    least = width if excel or shortest is None else min(width, shortest(header[0]))
    may_end = "" if least == width else \
        f" (a row may end after column {least} '{header[0][least - 1]}', not before)"
    problems, padded = [], []
    for number, row in enumerate(rows[header_rows:], start=header_rows + 1):
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            problems.append(Problem(file, number, width + 1, "extra-cells",
                                    f"row {number} has {len(row)} cells but the header has "
                                    f"{width}; is the delimiter right?"))
        elif len(row) < width and not excel and len(row) < least:
            problems.append(Problem(file, number, len(row) + 1, "missing-cells",
                                    f"row {number} has {len(row)} cells but the header has "
                                    f"{width}; is the delimiter right, or the file cut short?"
                                    + may_end))
        elif len(row) < width and not excel:
            padded.append(number)
    if problems:
        raise SourceError(problems[:20])
    body = [(row + [""] * width)[:width] for row in rows[header_rows:]]
    frame = pd.DataFrame(body, columns=range(width), dtype=object).fillna("")
    if unique:
        check_duplicates(file, header[0])
    return ExportTable(file, header, frame, encoding, delimiter, tuple(padded))


def _rows(path: Path, file: str, delimiter: str | None, sheet: int | str,
          member: str | None) -> tuple[list[list[str]], str | None, str | None, bool]:
    """(rows, encoding, delimiter, whether it is a workbook) of a file or zip member."""
    if member is not None:
        return *_csv_rows(file, _member_bytes(path, member), delimiter), False
    try:
        if is_excel(path):
            return _excel_rows(path, sheet), None, None, True
        data = path.read_bytes()
    except OSError as error:
        raise fail(file, "unreadable", f"cannot read the file: {error.strerror}") from None
    return *_csv_rows(file, data, delimiter), False


def _csv_rows(file: str, data: bytes,
              delimiter: str | None) -> tuple[list[list[str]], str, str]:
    """The rows of CSV bytes, their encoding and delimiter (sniffed unless given)."""
    text, encoding = decode_text(data, file)
    if not text.strip():
        raise fail(file, "empty-file", "the file is empty: an export has a header row")
    delimiter = delimiter or sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise fail(file, "bad-csv", f"not a readable CSV file: {error}") from None
    return rows, encoding, delimiter


def _member_bytes(path: Path, member: str) -> bytes:
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
                                    f"column {position} repeats the header '{name}' of column "
                                    f"{first[name]}; rename one of them"))
        first.setdefault(name, position)
    if problems:
        raise SourceError(problems)


def sniff_delimiter(text: str) -> str:
    """`,`, `;` or tab: whichever splits the first line into the most quoted-aware fields."""
    first = text.split("\n", 1)[0]
    counts = {d: len(next(csv.reader([first], delimiter=d))) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _excel_rows(path: Path, sheet: int | str) -> list[list[str]]:
    import openpyxl

    file = str(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise fail(file, "bad-excel", "not a readable xlsx workbook (truncated or damaged?): "
                   f"{error}") from None
    try:
        names = book.sheetnames
        if isinstance(sheet, int) and sheet >= len(names) or isinstance(sheet, str) \
                and sheet not in names:
            raise fail(file, "no-sheet", f"the workbook has no sheet {sheet!r}")
        ws = book[names[sheet]] if isinstance(sheet, int) else book[sheet]
        return [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    except (zipfile.BadZipFile, KeyError, OSError, EOFError) as error:
        raise fail(file, "bad-excel", f"the xlsx workbook is damaged: {error}") from None
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp) or hasattr(value, "strftime"):
        return value.strftime("%Y/%m/%d %H:%M:%S")  # type: ignore[union-attr]
    return str(value)


def first_rows(path: Path, head: bytes, count: int = 3) -> list[list[str]]:
    """The first rows of a CSV or xlsx file, for format detection; [] when unreadable."""
    try:
        if head.startswith(b"PK\x03\x04"):
            import openpyxl

            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                sheet = book[book.sheetnames[0]]
                rows = sheet.iter_rows(values_only=True, max_row=count)
                return [[_cell_text(v) for v in row] for row in rows]
            finally:
                book.close()
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
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # the reader reports the real problem
        return {}
    try:
        return {name: [_cell_text(v) for v in next(book[name].iter_rows(values_only=True), ())]
                for name in book.sheetnames}
    except Exception:
        return {}
    finally:
        book.close()


@dataclass(frozen=True, eq=False)
class ImportNotes:
    """A platform reader's column mapping and read problems, kept with its Responses."""

    mapping: pd.DataFrame
    problems: pd.DataFrame


def attach(responses, mapping_table: pd.DataFrame, problems: pd.DataFrame):
    """Keep the mapping and read problems with the Responses (`frame.attrs["import"]`, an
    object compared by identity, as pandas compares attrs), so `survey import` can report them."""
    responses.frame.attrs["import"] = ImportNotes(mapping_table, problems)
    return responses


def import_notes(frame: pd.DataFrame) -> ImportNotes | None:
    return frame.attrs.get("import")
