"""Stata .dta via pyreadstat: value and variable labels, missing kinds as extended missing values.

Stata names have at most 32 characters (29 here, see STATA_NAME_LENGTH) of letters, digits and
`_`; longer block columns, and codes with `-` or `.` (`q__mid-slope`), get a legal name computed
from the questionnaire alone (`stata_names`), so the reader maps them back without a side file.
A "don't know" keeps its answer (the code, or the selected option), as in our other files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from survey.files.atomic import atomic_path
from survey.questionnaire.columns import layout_columns
from survey.questionnaire.model import Questionnaire
from survey.responses.coded import CODED_TYPES, carries_codes
from survey.responses.dataset import Responses
from survey.responses.missing import DONT_KNOW, STATA_CODES
from survey.writers.labels import value_labels, variable_labels

STATA_NAME_LENGTH = 29  # Stata allows 32, but pyreadstat names a value-label set after its variable
# Stata's reserved names (help reswords), refused as variable names.
STATA_RESERVED = frozenset({
    "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long", "_n",
    "_N", "_pi", "_pred", "_rc", "_skip", "str#", "strL", "using", "with"})
_STATA_NAME = re.compile(r"[^\W\d]\w*")  # a letter (of any script) or _, then letters, digits, _
_STATA_ILLEGAL = re.compile(r"\W")


def stata_names(questionnaire: Questionnaire, others: Iterable[str] = ()) -> dict[str, str]:
    """{column: Stata name} for the layout's columns and then `others` (a file's pass-through
    columns, `meta-instanceID`): unchanged when Stata allows it, else with '_' for each
    character it refuses and cut to 29 characters, numbered when taken. The layout's names
    depend on the questionnaire alone, so the reader maps them back."""
    columns = list(dict.fromkeys([*layout_columns(questionnaire), *others]))
    names: dict[str, str] = {}
    used = {c for c in columns if _legal(c)}
    for column in columns:
        if _legal(column):
            names[column] = column
            continue
        base = _STATA_ILLEGAL.sub("_", column)
        base = base if _STATA_NAME.match(base[:1]) and base not in STATA_RESERVED else f"v{base}"
        short, i = base[:STATA_NAME_LENGTH], 0
        while short in used:
            i += 1
            short = f"{base[:STATA_NAME_LENGTH - 1 - len(str(i))]}_{i}"
        used.add(short)
        names[column] = short
    return names


def _legal(name: str) -> bool:
    return (len(name) <= STATA_NAME_LENGTH and bool(_STATA_NAME.fullmatch(name))
            and name not in STATA_RESERVED)


def dta_frame(responses: Responses) -> pd.DataFrame:
    """Codes as numbers, missing kinds as the letters of Stata's extended missing values."""
    frame = responses.frame
    out: dict[str, pd.Series] = {}
    kinds_of: dict[str, tuple] = {}
    for q in responses.questionnaire.items.values():
        if carries_codes(q) and (q.type not in CODED_TYPES
                                 or all(isinstance(c, int) for c in q.codes)):
            for column in responses.columns_of(q.name):
                kinds_of[column] = (q, responses.missing[q.name].to_numpy())
    letters = np.array([None] + [STATA_CODES.get(k) for k in range(1, 8)], dtype=object)
    for column in frame.columns:
        series = frame[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        if column in kinds_of:
            q, kinds = kinds_of[column]
            values = pd.to_numeric(series.astype(object), errors="coerce").to_numpy(
                dtype="float64", na_value=np.nan)
            if q.type in CODED_TYPES and q.dont_know is not None:
                values = np.where(kinds == DONT_KNOW, float(q.dont_know), values)
            kinds = np.where(kinds == DONT_KNOW, 0, kinds)
            marks = letters[kinds]
            has_mark = marks != None  # noqa: E711
            out[column] = (pd.Series(np.where(has_mark, marks, values.astype(object)),
                                     index=frame.index, dtype=object) if has_mark.any()
                           else pd.Series(values, index=frame.index))
        elif isinstance(series.dtype, pd.StringDtype) or series.dtype == object:
            out[column] = series.astype(object).where(series.notna(), "").astype(str)
        elif pd.api.types.is_numeric_dtype(series.dtype):
            out[column] = series.to_numpy(dtype="float64", na_value=np.nan)
        else:
            out[column] = series
    return pd.DataFrame(out, index=frame.index)


def write_dta(responses: Responses, path: str | Path, *, lang: str | None = None) -> Path:
    questionnaire = responses.questionnaire
    lang = lang or questionnaire.survey.default_language
    frame = dta_frame(responses)
    user_missing = {c: sorted(set(STATA_CODES.values())) for c in frame.columns
                    if frame[c].dtype == object and frame[c].map(
                        lambda v: isinstance(v, str) and len(v) == 1).any()}
    rename = stata_names(questionnaire, frame.columns)
    labels = {rename[c]: _cut(t, 80) for c, t in variable_labels(questionnaire, lang).items()
              if c in frame.columns}
    labels |= {new: _cut(old, 80) for old, new in rename.items()  # the name it had, at least
               if old in frame.columns and new != old and new not in labels}
    values = {rename[c]: {k: _cut(v, 32000) for k, v in table.items()}
              for c, table in value_labels(questionnaire, lang).items() if c in rename}
    with atomic_path(path) as tmp:
        pyreadstat.write_dta(
            frame.rename(columns=rename), str(tmp),
            file_label=_cut(questionnaire.label(questionnaire.survey.title, lang), 80),
            column_labels=labels, variable_value_labels=values,
            missing_user_values={rename[c]: v for c, v in user_missing.items()})
    return Path(path)


def _cut(text: str, limit: int) -> str:
    """At most `limit` bytes of UTF-8 (Stata counts bytes), never splitting a character."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
