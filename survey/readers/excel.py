"""Excel workbooks in our coded layout (the first sheet, or the sheet named 'data'); columns matched
as `survey.readers.named` says."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from survey.files.source import Problem, SourceError
from survey.questionnaire.model import Questionnaire
from survey.readers.named import read_named
from survey.responses.dataset import Responses


def read(path: Path, questionnaire: Questionnaire, sheet: str | int | None = None, *,
         mapping: str | Path | None = None) -> Responses:
    try:
        sheets = pd.ExcelFile(path, engine="openpyxl")
        name = sheet if sheet is not None else ("data" if "data" in sheets.sheet_names else 0)
        frame = pd.read_excel(sheets, sheet_name=name, dtype=object)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise SourceError([Problem(str(path), 1, 1, "bad-xlsx",
                                   f"not a readable Excel workbook: {error}")]) from None
    headers = [str(c) for c in frame.columns]
    return read_named(frame, questionnaire, str(path), labels=headers, mapping=mapping,
                      label_row=True)
