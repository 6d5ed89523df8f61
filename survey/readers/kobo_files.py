"""Which table of a KoboToolbox or ODK Central export holds the respondents, and what was left out.

- A CSV is the table itself, unless it is a repeat group's table: ODK Central's
  `<form>-<repeat>.csv` (`PARENT_KEY`, `KEY` like `uuid:…/household/member[2]`) or a Kobo repeat
  sheet saved as CSV (`_parent_table_name`, `_parent_index`). Its rows are repeats (household
  members, jobs), not respondents, and our questionnaires have no repeat groups, so it is refused
  ('repeat-table') with the name of the main table to import instead.
- Kobo's row of HXL hashtags under the header (`#loc+name`) is a header row, not a respondent.
- Kobo's native .xlsx export: the first sheet is the main table; each later sheet is a repeat
  group (formpack writes one sheet per section). They are left out, and the import says so.
- ODK Central's full download, a .zip of `<form>.csv`, one CSV per repeat and `media/`: the one
  CSV with `SubmissionDate` and no `PARENT_KEY` is read; the rest is left out, and said.
- Older ODK Central servers write each row as far as its last value, so a row ends after
  `KEY` when SubmitterID … FormVersion are empty. Such rows are read with those cells empty and
  the import says how many; a row that ends before `KEY` is a file cut short ('missing-cells').
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from survey.files.archive import check_archive
from survey.files.encoding import decode_text
from survey.files.source import Problem, SourceError
from survey.readers.export_table import (
    ExportTable,
    fail,
    is_excel,
    read_export,
    sniff_delimiter,
)
from survey.readers.xlsx_cells import cell_text, filled_rows, workbook

ODK_REPEAT = ("PARENT_KEY", "KEY")
KOBO_REPEAT = ("_parent_table_name", "_parent_index")
HEAD = 65536  # bytes of a zip member read to find its header
_HXL = re.compile(r"^#[A-Za-z][A-Za-z0-9_]*(?:\s*\+[A-Za-z][A-Za-z0-9_]*)*$")  # '#loc+name'


@dataclass(frozen=True)
class Source:
    """The main table of an export, and what the reader left out of the file (one line each)."""

    table: ExportTable
    notes: tuple[str, ...] = ()


def open_export(path: Path) -> Source:
    """The main table of a Kobo/ODK CSV, xlsx or ODK Central zip (see the module docstring)."""
    if is_csv_zip(path):
        return _from_zip(path)
    table, notes = hxl_row(read_export(path, shortest=odk_shortest))
    refuse_repeat(table, path)
    notes += _padded(table)
    if is_excel(path):
        notes += _later_sheets(path)
    return Source(table, tuple(notes))


def hxl_row(table: ExportTable) -> tuple[ExportTable, list[str]]:
    """Kobo's row of HXL hashtags under the header (kpi exports `tag_cols_for_header=['hxl']`
    when the form tags its questions): a second header row, not a respondent."""
    if table.body.empty:
        return table, []
    cells = [c.strip() for c in table.body.iloc[0] if c.strip()]
    if not cells or not all(_HXL.match(c) for c in cells):
        return table, []
    body = table.body.iloc[1:].reset_index(drop=True)
    header = [*table.header, [c.strip() for c in table.body.iloc[0]]]
    shown = " ".join(cells[:3]) + (" …" if len(cells) > 3 else "")
    return dataclasses.replace(table, header=header, body=body), [
        f"line 2 holds HXL hashtags ({shown}): read as a header row, not a respondent"]


def odk_shortest(header: list[str]) -> int:
    """The fewest cells a row may have: up to `KEY` in an ODK Central table (it leaves out
    empty trailing cells), the whole header in any other."""
    if "SubmissionDate" in header and "KEY" in header:
        return header.index("KEY") + 1
    return len(header)


def _padded(table: ExportTable) -> list[str]:
    if not table.padded:
        return []
    header = table.header[0]
    shortest = odk_shortest(header)
    lines = ", ".join(map(str, table.padded[:5])) + (" …" if len(table.padded) > 5 else "")
    return [f"{len(table.padded)} row(s) (line {lines}) end before the last column(s) "
            f"{', '.join(header[shortest:])}: ODK Central leaves out empty trailing cells, so "
            "they were read as empty"]


def refuse_repeat(table: ExportTable, path: Path) -> None:
    """A repeat group's table is not a table of respondents: say which file to import."""
    header = table.header[0]
    if set(ODK_REPEAT) <= set(header) and "SubmissionDate" not in header:
        column = header.index("PARENT_KEY") + 1
        raise SourceError([Problem(table.file, 1, column, "repeat-table",
                                   "this is the table of an ODK repeat group (PARENT_KEY: one "
                                   "row per repeat, not per respondent), and the questionnaire "
                                   f"has no repeat groups; import the form's main table, "
                                   f"{_main_beside(path)}")])
    if set(KOBO_REPEAT) <= set(header):
        column = header.index("_parent_table_name") + 1
        parents = sorted({p for p in table.body[column - 1] if p})
        parent = f" '{parents[0]}'" if len(parents) == 1 else ""
        raise SourceError([Problem(table.file, 1, column, "repeat-table",
                                   "this is the sheet of a KoboToolbox repeat group "
                                   "(_parent_table_name: one row per repeat, not per "
                                   "respondent), and the questionnaire has no repeat groups; "
                                   f"import the main table{parent}, the first sheet of the "
                                   "workbook Kobo exported (or its CSV export)")])


def _main_beside(path: Path) -> str:
    """The main table next to a repeat table `<form>-<repeat>.csv`: `<form>.csv` if it is there."""
    stem = path.stem
    while "-" in stem:
        stem = stem.rsplit("-", 1)[0]
        candidate = path.with_name(stem + path.suffix)
        if candidate.exists() and "SubmissionDate" in _header_of(candidate.read_bytes()[:HEAD]):
            return f"{candidate.name} in the same folder"
    return ("the CSV with SubmissionDate that ODK Central exports beside it (`<form>.csv` in "
            "the same .zip)")


def _header_of(head: bytes) -> list[str]:
    """The first row of CSV bytes (the head of a file): the names we look for are ASCII, so
    an undecodable byte in a label cannot hide them."""
    line = head.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(line, newline=""), delimiter=sniff_delimiter(line))
    return [cell.strip() for cell in next(reader, [])]


def is_csv_zip(path: Path) -> bool:
    """A .zip archive of CSV files (ODK Central's download), not an xlsx workbook."""
    try:
        if not zipfile.is_zipfile(path):
            return False
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (OSError, zipfile.BadZipFile):
        return False
    return "[Content_Types].xml" not in names and any(n.lower().endswith(".csv") for n in names)


def zip_headers(path: Path) -> dict[str, list[str]]:
    """The header of each CSV in a zip archive, by member name; 'bad-zip' when one cannot be
    read (a damaged or truncated download)."""
    found = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.lower().endswith(".csv"):
                    with archive.open(name) as member:
                        found[name] = _header_of(member.read(HEAD))
    except (OSError, zipfile.BadZipFile, EOFError) as error:
        raise fail(str(path), "bad-zip", f"the zip archive is damaged or cut short ({error}); "
                   "download it again") from None
    return found


def _from_zip(path: Path) -> Source:
    headers = zip_headers(path)
    mains = [name for name, header in headers.items()
             if "SubmissionDate" in header and "PARENT_KEY" not in header]
    if len(mains) != 1:
        listed = ", ".join(headers) or "none"
        raise fail(str(path), "no-main-table",
                   f"the zip archive holds {len(mains)} main table(s) (a CSV with SubmissionDate "
                   f"and no PARENT_KEY) where ODK Central writes one; its CSV files: {listed}; "
                   "extract the form's main table and import that")
    table = read_export(path, member=mains[0], shortest=odk_shortest)
    refuse_repeat(table, path)
    notes = [f"read {mains[0]}, the main table of the zip archive"]
    notes += _padded(table)
    repeats = [name for name in headers if name != mains[0]]
    if repeats:
        counts = ", ".join(f"{name} ({_data_rows(path, name)} rows)" for name in repeats)
        notes.append(f"left out the repeat table(s) {counts}: one row per repeat, not per "
                     "respondent, and the questionnaire has no repeat groups")
    return Source(table, tuple(notes))


def _data_rows(path: Path, member: str) -> int:
    check_archive(path, str(path), "bad-zip", member)
    with zipfile.ZipFile(path) as archive:
        text, _ = decode_text(archive.read(member), f"{path}/{member}")
    return max(0, sum(1 for row in csv.reader(io.StringIO(text, newline="")) if row) - 1)


def _later_sheets(path: Path) -> list[str]:
    """A note on the sheets after the first of a workbook: Kobo's repeat groups, left out."""
    file = str(path)
    with workbook(path, file, code="bad-excel") as book:
        first, later = book.sheetnames[0], []
        for name in book.sheetnames[1:]:
            rows = filled_rows(book, name, file, code="bad-excel")
            header = {cell_text(v) for v in rows[0][1].values()} if rows else set()
            kind = "a repeat group" if set(KOBO_REPEAT) <= header else "not the main table"
            later.append(f"'{name}' ({max(len(rows) - 1, 0)} rows, {kind})")
    if not later:
        return []
    return [f"read the first sheet '{first}', the main table; left out the later "
            f"sheet(s) {', '.join(later)}: KoboToolbox writes one sheet per repeat group, one "
            "row per repeat, and the questionnaire has no repeat groups"]
