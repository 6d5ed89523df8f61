"""The header of a Qualtrics export: where it ends, and each column's tag, text and ImportId.

Real exports come in four header shapes (../shared/formats.md §4.1), told apart by their cells:

- modern (2017 on): row 1 the export tags, row 2 the question texts, row 3 the ImportIds in JSON,
  `{"ImportId":"QID5","choiceId":"2"}`;
- 2016: the same three rows, ImportIds in Python's notation, `{'ImportId': 'QID2_1'}`;
- legacy ("use legacy format"): row 1 `V1`..`V10` then the tags, row 2 the names of V1..V10
  (`ResponseID, ResponseSet, Name, ExternalDataReference, EmailAddress, IPAddress, Status,
  StartDate, EndDate, Finished`) then the question texts; no ImportIds; often a comma at the
  end of every line (an empty last column);
- tags only: the ImportId row, or both rows under the tags, deleted by hand. Every Qualtrics
  response has a start date, so a row whose StartDate cell is text and not a date is a header
  row [I]; without a StartDate column the end of the header cannot be told, and the file is
  refused (`no-import-ids`).
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass

from survey.files.source import Problem, SourceError, excerpt
from survey.readers.export_table import ExportTable, check_duplicates, fail

LEGACY = ("ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress",
          "IPAddress", "Status", "StartDate", "EndDate", "Finished")
_QID = re.compile(r"^QID(?P<n>\d+)(?:_(?P<k>\d+))?(?P<text>_TEXT)?$")
_DATE = re.compile(r"^\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")


@dataclass(frozen=True)
class QuestionId:
    """What an ImportId says of a question column: `QID<number>`, the choice or item `part`
    (`QID5_2`, or `"choiceId": "2"`), and `text` for a text column (`QID8_TEXT`, `QID2_6_TEXT`)."""

    number: int
    part: int | None = None
    text: bool = False


@dataclass(frozen=True)
class Header:
    """The header of an export: its `shape`, and per column the tag (legacy V1..V10 replaced
    by their names), the text of row 2 ('' when the file has none) and the ImportId object."""

    shape: str  # "modern", "2016", "legacy" or "tags only"
    tags: list[str]
    texts: list[str]
    ids: list[dict | None]

    def question_id(self, position: int) -> QuestionId | None:
        return question_id(self.ids[position])


def import_id(cell: str) -> tuple[dict | None, str | None]:
    """An ImportId cell as its object and notation ("json" or "python"); (None, None) when the
    cell is no ImportId object."""
    cell = cell.strip()
    if not cell.startswith("{"):
        return None, None
    try:
        found, notation = json.loads(cell), "json"
    except ValueError:
        try:
            found, notation = ast.literal_eval(cell), "python"
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None, None
    if isinstance(found, dict) and isinstance(found.get("ImportId"), str):
        return found, notation
    return None, None


def question_id(found: dict | None) -> QuestionId | None:
    """The question an ImportId object names (`QID5`, `QID5_2`, `QID5` with `choiceId` 2,
    `QID5_TEXT`, `QID2_6_TEXT`); None for metadata, display order, timing and embedded data."""
    if not found:
        return None
    match = _QID.match(found["ImportId"])
    if not match:
        return None
    part = int(match["k"]) if match["k"] else None
    choice = str(found.get("choiceId", ""))
    if part is None and choice.isdigit():
        part = int(choice)
    return QuestionId(int(match["n"]), part, bool(match["text"]))


def split_header(table: ExportTable) -> tuple[ExportTable, Header]:
    """The export with its header rows (1 to 3) apart from the responses, and what they say.

    `table` was read with one header row; the rows under it are header rows as its shape says.
    """
    table = _without_empty_last_columns(table)
    tags = list(table.header[0])
    under = [[str(c).strip() for c in table.body.iloc[i]] for i in range(min(2, len(table.body)))]
    ids: list[dict | None] = [None] * len(tags)
    texts = [""] * len(tags)
    if tags[:2] == ["V1", "V2"] and under and "ResponseID" in under[0]:
        shape, rows, texts = "legacy", 2, under[0]
        tags = [text if re.fullmatch(r"V\d+", tag) and text in LEGACY else tag
                for tag, text in zip(tags, texts, strict=True)]
    elif len(under) == 2 and _holds_ids(under[1]):
        (ids, shape), rows, texts = _import_ids(table.file, under[1], line=3), 3, under[0]
    elif under and _holds_ids(under[0]):  # the text row deleted, the ImportIds kept
        (ids, shape), rows = _import_ids(table.file, under[0], line=2), 2
    elif "StartDate" in tags:
        start = tags.index("StartDate")
        rows = 1 + next((i for i, row in enumerate(under) if not _is_header(row[start])),
                        len(under))
        shape, texts = "tags only", under[0] if rows > 1 else texts
    else:
        raise fail(table.file, "no-import-ids", "the third row should hold the ImportIds of a "
                   "Qualtrics export ({\"ImportId\": ...}), and without them or a StartDate "
                   "column the end of the header cannot be told; export the responses again "
                   "as CSV with all three header rows", line=3)
    if not any(ids):  # nothing else tells two columns of one tag apart
        check_duplicates(table.file, tags)
    body = table.body.iloc[rows - 1:].reset_index(drop=True)
    header = [tags, *([texts] if rows > 1 else []), *([[""] * len(tags)] if rows > 2 else [])]
    split = ExportTable(table.file, header[:rows], body, table.encoding, table.delimiter)
    return split, Header(shape, tags, texts, ids)


def _is_header(cell: str) -> bool:
    """A StartDate cell of a header row: text such as 'Start Date', not a date."""
    return bool(cell.strip()) and not _DATE.match(cell)


def _holds_ids(row: list[str]) -> bool:
    return any(cell.startswith("{") and "ImportId" in cell for cell in row)


def _import_ids(file: str, row: list[str], line: int) -> tuple[list[dict | None], str]:
    """Each cell's ImportId object (None for an empty cell: a column added after the export);
    a located error for a cell that is not one."""
    found: list[dict | None] = []
    notations = set()
    problems = []
    for position, cell in enumerate(row, start=1):
        value, notation = import_id(cell)
        if value is None and cell:
            problems.append(Problem(file, line, position, "bad-import-id",
                                    f"column {position}: '{excerpt(cell)}' is not an ImportId "
                                    "such as "
                                    "{\"ImportId\":\"QID1\"}; export the responses again"))
        notations.add(notation)
        found.append(value)
    if problems:
        raise SourceError(problems[:20])
    return found, "2016" if "python" in notations else "modern"


def _without_empty_last_columns(table: ExportTable) -> ExportTable:
    """Without trailing columns that have no tag and no cell (legacy lines end in a comma)."""
    width = len(table.header[0])
    while width > 1 and not table.header[0][width - 1] \
            and not (table.body[width - 1].astype(str).str.strip() != "").any():
        width -= 1
    if width == len(table.header[0]):
        return table
    return ExportTable(table.file, [row[:width] for row in table.header],
                       table.body.iloc[:, :width], table.encoding, table.delimiter)
