"""Which kind of source a file is: an XLSForm, a statistical file, a Qualtrics survey definition,
a Wenjuanxing export. By suffix first, and by content where one suffix holds several kinds (an
.xlsx is an XLSForm when it has a `survey` sheet with `type` and `name` columns)."""

from __future__ import annotations

import importlib
import zipfile
from collections.abc import Sequence
from pathlib import Path

from survey.drafts.draft import Drafter, InitError

DRAFTERS = {
    "xlsform": "survey.drafts.xlsform:draft_xlsform_files",
    "spss": "survey.drafts.statistical:draft_statistical",
    "stata": "survey.drafts.statistical:draft_statistical",
    "qualtrics": "survey.drafts.qualtrics:draft_qsf",
    "wjx": "survey.drafts.wjx:draft_wjx",
}
SUFFIXES = {".sav": "spss", ".zsav": "spss", ".dta": "stata", ".qsf": "qualtrics"}


def _is_xlsform(path: Path) -> bool:
    suffix = path.suffix.lower()
    if suffix == ".xls":
        return True  # Wenjuanxing exports .xlsx or .csv; an .xls is an old XLSForm
    if suffix != ".xlsx" or not zipfile.is_zipfile(path):
        return False
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    try:
        if "survey" not in workbook.sheetnames:
            return False
        header = next(workbook["survey"].iter_rows(max_row=1, values_only=True), ())
        return {"type", "name"} <= {str(cell).strip().lower() for cell in header if cell}
    finally:
        workbook.close()


def kind_of(path: Path) -> str:
    if path.suffix.lower() in SUFFIXES:
        return SUFFIXES[path.suffix.lower()]
    if _is_xlsform(path):
        return "xlsform"
    if path.suffix.lower() in (".xlsx", ".csv", ".txt"):
        return "wjx"
    raise InitError(f"{path}: survey init reads an XLSForm (.xlsx, .xls), SPSS (.sav), Stata "
                    "(.dta), a Qualtrics survey (.qsf) or a Wenjuanxing export (.xlsx, .csv); "
                    f"'{path.suffix or path.name}' is none of them")


def detect(paths: Sequence[Path]) -> str:
    """The one kind all the files are (two files only for a Wenjuanxing pair of views)."""
    kinds = {kind_of(path) for path in paths}
    if len(kinds) > 1:
        raise InitError(f"{', '.join(map(str, paths))}: one kind of source at a time (these are "
                        f"{' and '.join(sorted(kinds))})")
    kind = kinds.pop()
    if len(paths) > 1 and kind != "wjx":
        raise InitError(f"{paths[1]}: only Wenjuanxing takes two files (its 按序号 and 按文本 "
                        "views of the same answers); give one source")
    return kind


def drafter(kind: str) -> Drafter:
    module, name = DRAFTERS[kind].split(":")
    return getattr(importlib.import_module(module), name)
