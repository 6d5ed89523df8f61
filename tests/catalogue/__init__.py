"""The catalogue of export layouts: files written by us in the documented shape of each platform,
each imported and checked against an independent read (pandas or pyreadstat).

A platform module (`ours`, `wjx`, `kobo`, `qualtrics`, `spss`, ...) lists its `LAYOUTS`. A layout
writes its file into a folder and says, from that file alone and without our readers, how many
respondents it holds and how many answered each question (`Expected`). A layout that must be
refused names the error code instead. `tests/test_export_catalogue.py` runs them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from survey.questionnaire.loader import load_questionnaire
from survey.questionnaire.model import Questionnaire
from survey.responses.dataset import Responses
from survey.simulation.generate import simulate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SMALL = FIXTURES / "questionnaires" / "small.yaml"
N = 40  # respondents per layout: enough for every kind of answer, cheap to import


@dataclass(frozen=True)
class Expected:
    """What an independent read of the file finds: respondents and answers per question."""

    respondents: int
    answers: dict[str, int]
    unmatched: tuple[str, ...] = ()  # questions the layout has no column for (a warning each)
    values: dict[str, list] = field(default_factory=dict)  # column: each respondent's value, as
    # text ('' when missing), where the layout's point is which code an answer lands on


def cells(series: pd.Series) -> list[str]:
    """A column's values as text, '' where missing: what `Expected.values` compares."""
    return ["" if v is None or v is pd.NA or v != v else str(v) for v in series.astype(object)]


@dataclass(frozen=True)
class Layout:
    """One export layout: `write(folder) -> path`, and `expect(path)` from an independent read;
    or `refused`, the error code an import must end with (and a phrase its message holds)."""

    name: str
    write: Callable[[Path], Path]
    expect: Callable[[Path], Expected] | None = None
    questionnaire: Path = SMALL
    options: dict = field(default_factory=dict)  # format=, mapping= (a file beside the export)
    refused: tuple[str, str] | None = None  # (code, words of the message)


def small() -> Questionnaire:
    return load_questionnaire(SMALL)


def simulated(seed: int = 7, questionnaire: Path = SMALL, n: int = N) -> Responses:
    return simulate(load_questionnaire(questionnaire), n, seed=seed)


def filled(series: pd.Series, empty: tuple[str, ...] = ("",)) -> pd.Series:
    """Which cells of a column read as text hold something other than an empty token."""
    text = series.fillna("").astype(str).str.strip()
    return ~text.isin(empty)


def answered(frame: pd.DataFrame, columns: list[str], empty: tuple[str, ...] = ("",)) -> int:
    """Rows with an answer in any of `columns` (a multi or rank block, or one column)."""
    hits = pd.concat([filled(frame[c], empty) for c in columns], axis=1).any(axis=1)
    return int(hits.sum())
