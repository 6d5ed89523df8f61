"""Excel workbooks in our coded layout (the first sheet, or the sheet named 'data')."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from survey.files.source import Problem, SourceError
from survey.questionnaire.columns import case_renames
from survey.questionnaire.model import Questionnaire
from survey.readers.label_rows import without_label_row
from survey.responses.coded import decode
from survey.responses.dataset import Responses


def read(path: Path, questionnaire: Questionnaire, sheet: str | int | None = None) -> Responses:
    try:
        sheets = pd.ExcelFile(path, engine="openpyxl")
        name = sheet if sheet is not None else ("data" if "data" in sheets.sheet_names else 0)
        frame = pd.read_excel(sheets, sheet_name=name, dtype=object)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise SourceError([Problem(str(path), 1, 1, "bad-xlsx",
                                   f"not a readable Excel workbook: {error}")]) from None
    frame = frame.rename(columns=case_renames(frame.columns, questionnaire))
    raw, missing, notes = without_label_row(*decode(questionnaire, frame), questionnaire)
    return Responses.from_raw(questionnaire, raw, missing=missing, source=str(path), notes=notes)
