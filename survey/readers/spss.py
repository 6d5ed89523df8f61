"""SPSS .sav files: ours, and others' that use the questionnaire's names, labels or a mapping.

Read with pyreadstat keeping user-missing codes (`user_missing=True`) so that our -3/-2/-1 codes
become missing kinds and a question's own "don't know" code stays its answer. A value another
program declared user-missing that is no option of the question (98 "Refused") is a missing
answer, read as left empty and said in a note, never an unknown code. Value labels tell what
the file's codes mean when they are not ours (`survey.readers.recode`); multiple-response sets
become the blocks of multi and rank questions (`survey.readers.mrsets`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from survey.files.source import Problem, SourceError
from survey.questionnaire.model import Questionnaire
from survey.readers.mrsets import mrset_columns
from survey.readers.named import read_named
from survey.responses.dataset import Responses
from survey.responses.missing import EMPTY, FILE_CODES
from survey.writers.spss_names import restored_names


def read(path: Path, questionnaire: Questionnaire, *,
         mapping: str | Path | None = None) -> Responses:
    try:
        frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    except Exception as error:  # pyreadstat.ReadstatError and OSError
        raise SourceError([Problem(str(path), 1, 1, "bad-sav",
                                   f"not a readable SPSS file: {error}")]) from None
    back = restored_names(meta.notes or ())  # names SPSS refused, given back
    frame = frame.rename(columns=back)
    label_of = {back.get(c, c): meta.column_names_to_labels.get(c) for c in meta.column_names}
    declared = _user_missing(meta, back)
    value_labels = {back.get(c, c): {v: t for v, t in labels.items()
                                     if v not in declared.get(back.get(c, c), ())}
                    for c, labels in (meta.variable_value_labels or {}).items()}
    frame, sets = mrset_columns(frame, {k.lstrip("$"): v for k, v in (meta.mr_sets or {}).items()},
                                label_of, value_labels, questionnaire)
    frame, missing, said = _foreign_missing(frame, declared, questionnaire)
    return read_named(frame, questionnaire, str(path),
                      labels=[label_of.get(c) for c in frame.columns], value_labels=value_labels,
                      mapping=mapping, missing=missing, notes=(*sets, *said))


def _user_missing(meta, back: dict[str, str]) -> dict[str, set[float]]:
    """{column: values declared user-missing}, discrete values and the ends of ranges."""
    found: dict[str, set[float]] = {}
    for column, values in (meta.missing_user_values or {}).items():
        found.setdefault(back.get(column, column), set()).update(
            v for v in values if isinstance(v, int | float))
    for column, ranges in (meta.missing_ranges or {}).items():
        for r in ranges:
            if isinstance(r.get("lo"), int | float) and r.get("lo") == r.get("hi"):
                found.setdefault(back.get(column, column), set()).add(r["lo"])
    return found


def _foreign_missing(frame: pd.DataFrame, declared: dict[str, set[float]],
                     questionnaire: Questionnaire
                     ) -> tuple[pd.DataFrame, pd.DataFrame | None, tuple[str, ...]]:
    """User-missing values that are neither our file codes nor an option of the question are
    missing answers (left empty); the frame without them, their kinds, and a note per column."""
    ours = set(FILE_CODES.values())
    kinds: dict[str, np.ndarray] = {}
    notes = []
    columns = {}
    for q in questionnaire.items.values():
        if q.name not in frame.columns or q.is_set or q.name not in declared:
            continue
        foreign = {v for v in declared[q.name] if v not in ours and v not in q.codes}
        values = pd.to_numeric(frame[q.name], errors="coerce")
        hit = values.isin(foreign).to_numpy()
        if not hit.any():
            continue
        kinds[q.name] = np.where(hit, float(EMPTY), np.nan)
        columns[q.name] = frame[q.name].where(~hit)
        shown = ", ".join(f"{v:g}" for v in sorted(foreign))
        notes.append(f"column '{q.name}': {int(hit.sum())} answer(s) with a user-missing code "
                     f"of the file ({shown}) read as left empty")
    if not columns:
        return frame, None, ()
    return frame.assign(**columns), pd.DataFrame(kinds, index=frame.index), tuple(notes)
