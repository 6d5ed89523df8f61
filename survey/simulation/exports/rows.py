"""Text cells to a CSV or xlsx file, as the platforms write their exports: every cell a string."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from survey.files.atomic import atomic_path
from survey.readers.export_table import EXCEL_SUFFIXES


def write_rows(path: str | Path, rows: list[list[str]], encoding: str = "utf-8-sig",
               delimiter: str = ",", quote_all: bool = False) -> None:
    """Write text rows as CSV or xlsx (by suffix), whole or not at all."""
    path = Path(path)
    with atomic_path(path) as temporary:
        if path.suffix.lower() in EXCEL_SUFFIXES:
            import xlsxwriter  # writes every cell as a string, as the platforms' exports do

            book = xlsxwriter.Workbook(str(temporary), {"strings_to_numbers": False})
            sheet = book.add_worksheet()
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    if cell != "":
                        sheet.write_string(r, c, cell)
            book.close()
        else:
            quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
            with open(temporary, "w", encoding=encoding, newline="") as handle:
                csv.writer(handle, delimiter=delimiter, quoting=quoting,
                           lineterminator="\r\n").writerows(rows)


def text_cells(values) -> np.ndarray:
    """One column's values as strings, '' where missing."""
    return pd.Series(values, dtype=object).fillna("").astype(str).to_numpy()


def data_rows(cells: list[np.ndarray], n: int) -> list[list[str]]:
    """Column arrays of `n` cells each as rows (none when there are no respondents)."""
    return np.column_stack(cells).tolist() if n else []


def number_text(values: pd.Series) -> pd.Series:
    """Numbers as the platforms print them: whole numbers without a decimal point ('3', not
    '3.0'), others as Python prints them, '' where missing."""
    numbers = values.astype("Float64")
    whole = (numbers.round() == numbers).fillna(False)
    text = numbers.astype(str).astype(object)
    text = text.mask(whole, numbers.where(whole).round().astype("Int64").astype(str))
    return text.where(numbers.notna(), "")
