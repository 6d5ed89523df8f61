"""Excel workbooks in our coded layout (the first sheet, or the sheet named 'data'); columns matched
as `survey.readers.named` says.

The sheet is read from its filled cells (survey.readers.xlsx_cells), not through pandas.read_excel,
whose rows are as wide as the widest one: one stray cell at XFD1048576 made a million rows of
16,384 cells. The table is what read_excel made of an honest sheet: the first non-blank row is the
header, blank rows are skipped, whole numbers are ints, error cells (#N/A) and empty cells are
missing, a blank header is 'Unnamed: i' and a repeated one gets '.1', '.2' as in pandas.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from survey.questionnaire.model import Questionnaire
from survey.readers.named import read_named
from survey.readers.xlsx_cells import (
    CellError,
    check_density,
    dense,
    filled_rows,
    sheet_name,
    workbook,
)
from survey.responses.dataset import Responses


def read(path: Path, questionnaire: Questionnaire, sheet: str | int | None = None, *,
         mapping: str | Path | None = None) -> Responses:
    frame = read_sheet(path, sheet)
    headers = [str(c) for c in frame.columns]
    return read_named(frame, questionnaire, str(path), labels=headers, mapping=mapping,
                      label_row=True)


def read_sheet(path: Path, sheet: str | int | None = None) -> pd.DataFrame:
    """The sheet's table: header from its first non-blank row, a row per non-blank row."""
    file = str(path)
    with workbook(path, file, code="bad-xlsx") as book:
        name = sheet_name(book, sheet if sheet is not None else
                          ("data" if "data" in book.sheetnames else 0), file)
        rows = filled_rows(book, name, file, code="bad-xlsx")
    if not rows:
        return pd.DataFrame()
    width = max(max(cells) for _, cells in rows)
    check_density(file, rows, width)
    header = _names([_value(v) for v in dense(rows[0][1], width, None)])
    body = [[_value(v) for v in dense(cells, width, None)] for _, cells in rows[1:]]
    return pd.DataFrame(body, columns=header, dtype=object)


def _value(value: Any) -> Any:
    if value is None or isinstance(value, CellError):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _names(cells: list[Any]) -> list[str]:
    """Column names as pandas gives them: 'Unnamed: i' for a blank one, '.1' for a repeat."""
    names, seen = [], {}
    for i, cell in enumerate(cells):
        name = f"Unnamed: {i}" if cell is None or str(cell).strip() == "" else str(cell)
        base, count = name, seen.get(name, 0)
        while name in seen:
            count += 1
            name = f"{base}.{count}"
        seen[base] = count
        seen[name] = 0
        names.append(name)
    return names
