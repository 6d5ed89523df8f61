"""Stata .dta files: ours, and others' matched by name, variable label or a mapping file.

Stata's extended missing values become missing kinds the same way in every column: `.a` skipped by
the questionnaire's logic, `.b` not shown, `.c` left empty, `.d` "don't know" (what our writer
uses), and any other letter `.e`-`.z` (another program's reasons: refused, not applicable ...)
left empty, said in a note. A letter is never read as a number that is not one, nor as an
unknown code.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from survey.files.source import Problem, SourceError
from survey.questionnaire.columns import block_columns
from survey.questionnaire.model import Questionnaire
from survey.readers.named import read_named
from survey.responses.dataset import Responses
from survey.responses.missing import DONT_KNOW, EMPTY, KIND_OF_STATA_CODE
from survey.writers.stata import stata_names

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def read(path: Path, questionnaire: Questionnaire, *,
         mapping: str | Path | None = None) -> Responses:
    try:
        frame, meta = pyreadstat.read_dta(str(path), user_missing=True)
    except Exception as error:  # pyreadstat.ReadstatError and OSError
        raise SourceError([Problem(str(path), 1, 1, "bad-dta",
                                   f"not a readable Stata file: {error}")]) from None
    back = {short: long for long, short in stata_names(questionnaire).items() if short != long}
    frame = frame.rename(columns=back)
    label_of = {back.get(c, c): meta.column_names_to_labels.get(c) for c in meta.column_names}
    value_labels = {back.get(c, c): v for c, v in (meta.variable_value_labels or {}).items()}
    return read_named(frame, questionnaire, str(path),
                      labels=[label_of.get(c) for c in frame.columns], value_labels=value_labels,
                      mapping=mapping,
                      missing=lambda f, renamed: extended_missing(f, questionnaire))


def extended_missing(frame: pd.DataFrame, questionnaire: Questionnaire
                     ) -> tuple[pd.DataFrame, pd.DataFrame, tuple[str, ...]]:
    """The frame with every `.a`-`.z` cleared from the questionnaire's columns, the missing kind
    of each (by question), and a note for letters that are not ours."""
    kind_of = {letter: KIND_OF_STATA_CODE.get(letter, EMPTY) for letter in LETTERS}
    kinds: dict[str, np.ndarray] = {}
    foreign: dict[str, int] = {}
    columns = {}
    for q in questionnaire.items.values():
        named = list(block_columns(q).values()) if q.is_set else [q.name]
        for column in (c for c in named if c in frame.columns):
            series = frame[column]
            if series.dtype != object:
                continue
            hit = series.isin(list(kind_of)).to_numpy()  # column-wise, not a cell at a time
            letters = series.where(hit)
            if not hit.any():
                continue
            marks = letters[hit].map(kind_of).to_numpy(dtype="float64")
            if q.dont_know is None and not q.is_set:
                marks = np.where(marks == DONT_KNOW, float(EMPTY), marks)
            kind = kinds.setdefault(q.name, np.full(len(frame), np.nan))
            kind[hit] = np.where(np.isnan(kind[hit]), marks, kind[hit])
            columns[column] = pd.to_numeric(series.where(~hit), errors="coerce")
            for letter, count in letters[hit].value_counts().items():
                if letter not in KIND_OF_STATA_CODE:
                    foreign[letter] = foreign.get(letter, 0) + int(count)
    notes = ()
    if foreign:
        shown = ", ".join(f".{letter} ({n} cells)" for letter, n in sorted(foreign.items()))
        notes = (f"Stata missing values {shown} read as left empty (.a skipped, .b not shown, "
                 ".c empty, .d don't know are ours)",)
    return frame.assign(**columns), pd.DataFrame(kinds, index=frame.index), notes
