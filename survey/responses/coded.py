"""Our coded file layout: Responses as plain codes, with missing kinds spelled as codes.

.sav, .csv and .xlsx files we write hold, per docs/reference/responses.md, option codes in coded
columns, 0/1 or rank positions in multi/rank blocks, and the negative codes of
`survey.responses.missing.FILE_CODES`
where an answer is missing, so the kind survives programs that know nothing of ours. `encode`
writes that layout and `decode` reads it back; both are column-wise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from survey.questionnaire.columns import PROBLEMS, block_columns
from survey.questionnaire.model import Question, Questionnaire
from survey.responses.dataset import Responses
from survey.responses.missing import DONT_KNOW, FILE_CODES, KIND_OF_FILE_CODE

CODED_TYPES = ("single", "scale")
_TEXT_CODES = {float(c): str(c) for c in FILE_CODES.values()}  # file codes in text-coded columns


def carries_codes(q: Question) -> bool:
    """Whether a variable's columns spell missing kinds as negative codes in our files."""
    if q.type in CODED_TYPES or q.is_set:
        return True
    return q.type == "number" and (q.min is None or float(q.min) >= 0)  # type: ignore[arg-type]


def _kind_codes(kinds: np.ndarray) -> np.ndarray:
    """The file code of each missing kind (NaN for answered and don't know)."""
    lookup = np.full(8, np.nan)
    for kind, code in FILE_CODES.items():
        lookup[kind] = code
    return lookup[kinds]


def encode(responses: Responses) -> pd.DataFrame:
    """The frame with categories as codes and missing kinds as codes (numbers stay numbers)."""
    frame, missing = responses.frame, responses.missing
    out: dict[str, pd.Series] = {}
    coded = {}
    for q in responses.questionnaire.items.values():
        if not carries_codes(q):
            continue
        codes = _kind_codes(missing[q.name].to_numpy())
        for column in responses.columns_of(q.name):
            coded[column] = (q, codes)
    for column in frame.columns:
        series = frame[column]
        if column not in coded:
            out[column] = series
            continue
        q, codes = coded[column]
        values = _plain(series)
        if q.type in CODED_TYPES and q.dont_know is not None:
            dk = missing[q.name].to_numpy() == DONT_KNOW
            values = values.where(~dk, q.dont_know)
        fill = ~np.isnan(codes)
        if values.dtype == object:
            filled = pd.Series(np.where(fill, codes.astype(object), values.to_numpy()),
                               index=series.index)
            out[column] = filled.map(lambda v: _TEXT_CODES.get(v, v) if isinstance(v, float) else v)
        else:
            out[column] = pd.Series(np.where(fill, codes, values.to_numpy(dtype="float64",
                                                                           na_value=np.nan)),
                                    index=series.index)
    return pd.DataFrame(out, index=frame.index)


def _plain(series: pd.Series) -> pd.Series:
    """Codes of a categorical as numbers when every category is a number, else as objects."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = series.cat.categories
        if pd.api.types.is_numeric_dtype(categories.dtype):
            numbers = categories.to_numpy(dtype="float64")
            positions = series.cat.codes.to_numpy()
            return pd.Series(np.where(positions >= 0, numbers[positions], np.nan),
                             index=series.index)
        return series.astype(object).where(series.notna(), None)
    if pd.api.types.is_numeric_dtype(series.dtype):
        return pd.Series(series.to_numpy(dtype="float64", na_value=np.nan), index=series.index)
    return series.astype(object)


def decode(questionnaire: Questionnaire, raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the file codes out of a raw frame: (values with codes blanked, missing kinds)."""
    columns: dict[str, pd.Series] = {c: raw[c] for c in raw.columns}
    if PROBLEMS in columns:  # a count of ours, text in a CSV or xlsx
        columns[PROBLEMS] = pd.to_numeric(columns[PROBLEMS], errors="coerce").astype("Int64")
    kinds: dict[str, np.ndarray] = {}
    for q in questionnaire.items.values():
        if not carries_codes(q):
            continue
        names = list(block_columns(q).values()) if q.is_set else [q.name]
        names = [c for c in names if c in columns]
        if not names:
            continue
        kind = np.full(len(raw), np.nan)
        for column in names:
            numbers = _as_numbers(columns[column])
            negative = np.flatnonzero(numbers < 0)  # most columns: none, one cheap pass
            if not len(negative):
                continue
            found = numbers[negative]  # only the few negative cells are looked at
            mapped = np.select([found == c for c in KIND_OF_FILE_CODE],
                               list(KIND_OF_FILE_CODE.values()), np.nan)
            rows, mapped = negative[~np.isnan(mapped)], mapped[~np.isnan(mapped)]
            if not len(rows):
                continue
            first = np.isnan(kind[rows])  # a block's first column with a code gives the kind
            kind[rows[first]] = mapped[first]
            if pd.api.types.is_numeric_dtype(columns[column].dtype):
                blanked = numbers.copy()
                blanked[rows] = np.nan
                columns[column] = pd.Series(blanked, index=raw.index, copy=False)
            else:
                hit = np.zeros(len(raw), dtype=bool)
                hit[rows] = True
                columns[column] = columns[column].astype(object).where(~hit, None)
        kinds[q.name] = kind
    return (pd.DataFrame(columns, index=raw.index, copy=False),
            pd.DataFrame(kinds, index=raw.index, copy=False))


def _as_numbers(series: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype="float64", na_value=np.nan)
    text = series.astype(object).map(lambda v: v.strip() if isinstance(v, str) else v)
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
