"""SPSS .sav files: ours, and others' that use the questionnaire's names, labels or a mapping.

Read with pyreadstat keeping user-missing codes (`user_missing=True`) so that our -3/-2/-1 codes
become missing kinds and a question's own "don't know" code stays its answer. A value another
program declared user-missing that is no option of the question (98 "Refused") is a missing
answer, read as left empty and said in a note, never an unknown code. Value labels tell what
the file's codes mean when they are not ours (`survey.readers.recode`); multiple-response sets
become the blocks of multi and rank questions (`survey.readers.mrsets`).

With `variables` (the names a command needs), a file in our layout is read for the columns they
need only (`_projection`: the variable's columns named as ours, found in the file's dictionary
before any data is read); a file whose columns must be matched by label, case or MR set is read
whole, as without `variables`.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyreadstat

from survey.files.source import Problem, SourceError
from survey.questionnaire.columns import block_columns, other_column
from survey.questionnaire.model import Questionnaire
from survey.questionnaire.needs import needs
from survey.readers.mrsets import mrset_columns
from survey.readers.named import read_named
from survey.readers.spss_rows import UNREADABLE, read_sav
from survey.responses.dataset import Responses
from survey.responses.missing import EMPTY, FILE_CODES
from survey.writers.spss_names import restored_names


class Projection(NamedTuple):
    """What a command needs of a file in our layout: the questions to cast, the file's columns
    to read, and every column's 1-based place in the file (by our name)."""

    questions: frozenset[str]
    columns: list[str]
    places: dict[str, int]


def read(path: Path, questionnaire: Questionnaire, *, mapping: str | Path | None = None,
         variables: Collection[str] | None = None) -> Responses:
    try:  # the file's dictionary, read once: for the projection and for the split read
        _, header = pyreadstat.read_sav(str(path), metadataonly=True, user_missing=True)
    except UNREADABLE as error:
        raise _unreadable(path, error) from None
    projection = None
    if variables is not None and mapping is None and not questionnaire.mapping.columns:
        projection = _projection(header, questionnaire, variables)
    try:
        if projection is None:
            frame, meta = read_sav(str(path), header)
        else:  # a few columns: one process reads them at once
            frame, meta = pyreadstat.read_sav(str(path), user_missing=True,
                                              usecols=projection.columns)
    except UNREADABLE as error:
        raise _unreadable(path, error) from None
    back = restored_names(meta.notes or ())  # names SPSS refused, given back
    frame = frame.rename(columns=back)
    label_of = {back.get(c, c): meta.column_names_to_labels.get(c) for c in meta.column_names}
    declared = _user_missing(meta, back)
    value_labels = {back.get(c, c): {v: t for v, t in labels.items()
                                     if not _declared(v, declared.get(back.get(c, c), []))}
                    for c, labels in (meta.variable_value_labels or {}).items()}
    frame, sets = mrset_columns(frame, {k.lstrip("$"): v for k, v in (meta.mr_sets or {}).items()},
                                label_of, value_labels, questionnaire)
    return read_named(frame, questionnaire, str(path),
                      labels=[label_of.get(c) for c in frame.columns], value_labels=value_labels,
                      mapping=mapping, notes=sets,
                      missing=lambda f, renamed: _foreign_missing(
                          f, {renamed.get(c, c): r for c, r in declared.items()}, questionnaire),
                      only=projection and projection.questions,
                      positions=projection and projection.places)


def _unreadable(path: Path, error: Exception) -> SourceError:
    return SourceError([Problem(str(path), 1, 1, "bad-sav", f"not a readable SPSS file: {error}")])


def _projection(meta, questionnaire: Questionnaire, variables: Collection[str]
                ) -> Projection | None:
    """The projection of the file when each column `variables` need is in it under our name (or
    the name our writer gave it, `restored_names`); None when one is not: the whole file is then
    read and matched. `meta`: the file's dictionary (pyreadstat's metadata)."""
    back = restored_names(meta.notes or ())
    in_file = {back.get(c, c): c for c in meta.column_names}  # our name -> the file's
    wanted = needs(questionnaire, variables)
    ours = set(wanted.columns)
    for name in wanted.questions:
        q = questionnaire.items[name]
        answer = list(block_columns(q).values()) if q.is_set else [q.name]
        ours.update(answer)
        if other_column(q) in in_file:
            ours.add(str(other_column(q)))
    if not ours <= set(in_file):
        return None
    keep = {in_file[c] for c in ours}
    return Projection(wanted.questions, [c for c in meta.column_names if c in keep],
                      {back.get(c, c): i for i, c in enumerate(meta.column_names, 1)})


Ranges = list[tuple[float, float]]


def _user_missing(meta, back: dict[str, str]) -> dict[str, Ranges]:
    """{column: the ranges declared user-missing}, a discrete value as (v, v)."""
    found: dict[str, Ranges] = {}
    for column, values in (meta.missing_user_values or {}).items():
        found.setdefault(back.get(column, column), []).extend(
            (v, v) for v in values if isinstance(v, int | float))
    for column, ranges in (meta.missing_ranges or {}).items():
        for r in ranges:
            if isinstance(r.get("lo"), int | float) and isinstance(r.get("hi"), int | float):
                found.setdefault(back.get(column, column), []).append((r["lo"], r["hi"]))
    return found


def _numbers(column: pd.Series) -> np.ndarray:
    """A column's numbers (text that is none: NaN), without a copy when it holds numbers."""
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
        return column.to_numpy(dtype="float64", na_value=np.nan)
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _declared(value: object, ranges: Ranges) -> bool:
    return isinstance(value, int | float) and any(lo <= value <= hi for lo, hi in ranges)


def _foreign_missing(frame: pd.DataFrame, declared: dict[str, Ranges],
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
        values = _numbers(frame[q.name])
        ranges = declared[q.name]
        lowest, highest = min(lo for lo, _ in ranges), max(hi for _, hi in ranges)
        rows = np.flatnonzero((values >= lowest) & (values <= highest))  # within the ranges'
        found = values[rows]  # span (usually few), each range then tested on those only
        hit = np.zeros(len(rows), bool)
        for lo, hi in ranges:
            hit |= (found >= lo) & (found <= hi)
        known = np.isin(found, [float(c) for c in (*ours, *q.codes) if isinstance(c, int)])
        rows = rows[hit & ~known]  # our own codes and the question's options are let through
        if not len(rows):
            continue
        hit = np.zeros(len(values), bool)
        hit[rows] = True
        kinds[q.name] = np.where(hit, float(EMPTY), np.nan)
        columns[q.name] = frame[q.name].where(~hit)
        shown = ", ".join(f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}"
                          for lo, hi in sorted(declared[q.name]))
        notes.append(f"column '{q.name}': {int(hit.sum())} answer(s) with a user-missing code "
                     f"of the file ({shown}) read as left empty")
    if not columns:
        return frame, None, ()
    return frame.assign(**columns), pd.DataFrame(kinds, index=frame.index), tuple(notes)
