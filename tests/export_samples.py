"""A small hand-built dataset of the small test questionnaire, and helpers to write and edit its
exports: the base of the round-trip tests and of the catalogue of malformed exports."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from survey.questionnaire.loader import load_questionnaire
from survey.responses.dataset import Responses

FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "questionnaires" / "small.yaml"


def questionnaire():
    return load_questionnaire(SMALL)


def responses() -> Responses:
    """Four respondents covering every type, other text, skips, empties and an embedded newline."""
    raw = pd.DataFrame({
        "respondent_id": ["1", "2", "3", "4"],
        "birth_year": [1980, 1995, None, 1970],
        "workplace": [1, 6, 3, None],
        "workplace__6_text": [None, "个体(小店)", None, None],
        "concerns__income": [1, 0, None, 2], "concerns__medical": [2, 1, None, 1],
        "concerns__housing": [0, 0, None, 0], "concerns__career_growth": [3, 0, None, 0],
        "insurance__pension": [1, 0, None, 0], "insurance__injury": [1, 0, None, 0],
        "insurance__none": [0, 1, None, 1],
        "pension_worry": [None, 4, 2, 5],
        "identity_1": [1, 2, 3, 4], "identity_2": [5, 5, None, 1], "identity_3": [3, 3, 3, 3],
        "start_date": ["2020-01-01", None, "2019-05-06", None],
        "comments": ["好", None, "a,b\nc", None],
        "submitted_at": pd.to_datetime(["2024-11-05 08:56:01", "2024-11-05 09:11:14",
                                        "2024-11-06 10:00:00", "2024-11-06 11:30:00"]),
        "duration_seconds": pd.array([245, 149, 300, 610], dtype="Int64"),
    })
    return Responses.from_raw(questionnaire(), raw)


def edit_csv(path: Path, edits: dict[tuple[int, int], str], encoding: str = "utf-8-sig",
             delimiter: str = ",") -> Path:
    """Set cells (row, column), 0-based over all rows including the header, in place."""
    with open(path, encoding=encoding, newline="") as handle:
        rows = list(csv.reader(handle, delimiter=delimiter))
    for (row, column), value in edits.items():
        rows[row][column] = value
    quoting = csv.QUOTE_ALL if delimiter == ";" else csv.QUOTE_MINIMAL
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter, quoting=quoting).writerows(rows)
    return path


def header_index(path: Path, name: str, encoding: str = "utf-8-sig", delimiter: str = ",") -> int:
    with open(path, encoding=encoding, newline="") as handle:
        return next(csv.reader(handle, delimiter=delimiter)).index(name)
