"""Casting a question's raw columns to the dtypes of docs/reference/responses.md.

Readers produce plain values (codes as numbers or text, numbers as text, blocks of 0/1 or rank
positions); the functions here turn one question's raw columns into the documented dtypes. They
are vectorised: a column is mapped through its distinct values, never cell by cell.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from survey.files.source import Problem, SourceError, excerpt
from survey.questionnaire.columns import block_columns, is_ordered
from survey.questionnaire.model import Question

BLOCK_DTYPE = "Int8"
NUMBER_DTYPE = "Float64"
TEXT_DTYPE = "string"
_INTEGER = re.compile(r"^\s*[-+]?\d+(\.0*)?\s*$")


@dataclass(frozen=True)
class Place:
    """Where the raw frame's cells are in the file: `first_line` is data row 0's line (2 under
    one header line), `columns` each column's 1-based position (1 when it is not known)."""

    file: str
    first_line: int = 2
    columns: Mapping[str, int] = field(default_factory=dict)

    def problem(self, row: int, column: str, code: str, message: str) -> Problem:
        """A problem at data row `row` of `column`, its cell quoted in `message` by the caller."""
        return Problem(self.file, self.first_line + row, self.columns.get(column, 1), code,
                       f"column '{excerpt(column)}': {message}")


def _code_of(value: object) -> object:
    """A raw cell as a code: '3', 3.0 and 3 are 3; other text is stripped; empty is None."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        return int(float(text)) if _INTEGER.match(text) else text
    if isinstance(value, bool | np.bool_):
        return int(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return int(value) if float(value).is_integer() else float(value)
    return str(value)


def cast_choice(q: Question, raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """A single-valued coded column as a Categorical, and the mask of "don't know" answers.

    Codes not in the questionnaire are kept as extra categories after the questionnaire's own,
    so validation can report them and nothing is dropped.
    """
    codes = list(q.codes)
    offsets = None
    if isinstance(raw.dtype, np.dtype) and raw.dtype.kind in "iu":
        values = raw.to_numpy().astype(np.int64, copy=False)  # no missing: no float detour
    elif pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        values = raw.to_numpy(dtype="float64", na_value=np.nan)
    else:
        values = raw.to_numpy(dtype=object, na_value=None)
    if values.dtype != object:
        offsets = whole_offsets(values)
        keys = distinct_numbers(values, offsets)
        mapping = {float(v): _code_of(float(v)) for v in keys}
    else:
        mapping = {v: _code_of(v) for v in pd.unique(values) if v is not None}
    known = set(codes)
    unknown = sorted({c for c in mapping.values() if c is not None and c not in known}, key=str)
    categories = codes + unknown
    position = {code: i for i, code in enumerate(categories)}
    keys = list(mapping)
    key_positions = np.array([position.get(mapping[k], -1) for k in keys] + [-1], dtype=np.int64)
    if offsets is not None:
        # whole-number codes (every numeric file): a lookup table indexed by offset, no hashing
        found, low, span = offsets
        small = np.int8 if len(categories) < 127 else np.int64  # a Categorical's own codes
        table = np.full(span + 1, -1, dtype=small)  # last slot: missing
        table[np.array(keys, dtype=np.int64) - low] = key_positions[:-1]
        positions = table[found]
    else:
        index = pd.Index(keys, dtype="float64" if values.dtype == np.float64 else object)
        found = index.get_indexer(values) if len(keys) else np.full(len(values), -1)
        positions = key_positions[found]
    dont_know = np.zeros(len(values), dtype=bool)
    if q.dont_know is not None and q.dont_know in position:
        dont_know = positions == position[q.dont_know]
        positions = np.where(dont_know, -1, positions)
        if q.dont_know not in unknown:
            categories.remove(q.dont_know)
            positions = np.where(positions > position[q.dont_know], positions - 1, positions)
    dtype = pd.CategoricalDtype(categories, ordered=is_ordered(q))
    cat = pd.Categorical.from_codes(positions, dtype=dtype, validate=False)  # valid by making
    return pd.Series(cat, index=raw.index, name=q.name), dont_know


Offsets = tuple[np.ndarray, int, int]


def whole_offsets(values: np.ndarray) -> Offsets | None:
    """A numeric column of whole numbers less than 65,536 apart as (offsets, low, span): each
    number's offset from the least (`low`), missing (NaN) at offset `span`, one past the
    greatest. None when a number is not whole, infinite, or the range wider (then the caller
    hashes). A handful of passes over the column, without copying its present values out."""
    if not len(values) or values.dtype.kind not in "if":
        return None
    if values.dtype.kind == "i":
        low, high = int(values.min()), int(values.max())
        if high - low >= 65536:
            return None
        return values.astype(np.intp, copy=False) - low, low, high - low + 1
    low, high = np.fmin.reduce(values), np.fmax.reduce(values)  # NaN left out; all NaN: NaN
    if not (np.isfinite(low) and np.isfinite(high) and high - low < 65536) or low != int(low):
        return None
    span = int(high - low) + 1
    shifted = np.subtract(values, low)
    np.copyto(shifted, span, where=np.isnan(shifted))  # missing: one past the greatest
    offsets = shifted.astype(np.intp)
    if not np.array_equal(offsets, shifted):  # a number with a fraction
        return None
    return offsets, int(low), span


def distinct_numbers(values: np.ndarray, offsets: Offsets | None = None) -> np.ndarray:
    """The distinct numbers of an integer or float column (NaN left out): whole numbers in a
    small range, as every numeric file holds, are found by counting, without hashing a million
    numbers (then in ascending order; else in order of appearance). `offsets`: the column's
    `whole_offsets`, when the caller has them already."""
    offsets = offsets if offsets is not None else whole_offsets(values)
    if offsets is not None:
        found, low, span = offsets
        seen = np.bincount(found, minlength=span + 1)[:span]
        return np.flatnonzero(seen).astype(np.float64) + low
    present = values if values.dtype.kind == "i" else values[~np.isnan(values)]
    return pd.unique(present) if len(present) else present.astype(np.float64)


def _numbers(raw: pd.Series, place: Place, what: str) -> np.ndarray:
    """Numbers from a raw column; text that is not a number is a located error."""
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        return raw.to_numpy(dtype="float64", na_value=np.nan)
    text = raw.astype(object).where(raw.notna(), None)
    stripped = text.map(lambda v: v.strip() if isinstance(v, str) else v)
    stripped = stripped.where(stripped != "", None)
    numbers = pd.to_numeric(stripped, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad = np.flatnonzero(np.isnan(numbers) & stripped.notna().to_numpy())
    if len(bad):
        row = int(bad[0])
        raise SourceError([place.problem(row, str(raw.name), "not-a-number",
                                         f"'{excerpt(stripped.iloc[row])}' is not {what} "
                                         f"({len(bad)} such cells)")])
    return numbers


def cast_number(q: Question, raw: pd.Series, place: Place) -> pd.Series:
    values = _numbers(raw, place, "a number")
    return pd.Series(pd.array(values, dtype=NUMBER_DTYPE), index=raw.index, name=q.name)


def cast_text(raw: pd.Series, name: str) -> pd.Series:
    """Text as written, an empty cell missing; a number in a text column (a spreadsheet's) as its
    code would be written. Only cells that are not text already are looked at one by one: a
    text column of a million cells was 5 s of a Parquet read."""
    if isinstance(raw.dtype, pd.StringDtype):
        text = raw.astype(TEXT_DTYPE)
    else:
        values = raw.astype(object).where(raw.notna(), None)
        if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
            values = values.map(lambda v: v if v is None or isinstance(v, str)
                                else _plain_text(v))
        text = pd.Series(pd.array(values.to_numpy(), dtype=TEXT_DTYPE), index=raw.index)
    empty = text.eq("").fillna(False).to_numpy(dtype=bool)
    array = text.array.copy()
    array[empty] = pd.NA
    return pd.Series(array, index=raw.index, name=name)


def _plain_text(value: object) -> str:
    code = _code_of(value)
    return "" if code is None else str(code)


def cast_date(q: Question, raw: pd.Series, place: Place) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        dates = raw.dt.tz_localize(None) if getattr(raw.dt, "tz", None) else raw
    else:
        text = raw.astype(object).where(raw.notna(), None)
        text = text.where(text.map(lambda v: not (isinstance(v, str) and not v.strip())), None)
        dates = pd.to_datetime(text, errors="coerce", format="mixed")
        bad = np.flatnonzero(dates.isna().to_numpy() & text.notna().to_numpy())
        if len(bad):
            row = int(bad[0])
            raise SourceError([place.problem(row, q.name, "not-a-date",
                                             f"'{excerpt(text.iloc[row])}' is not a date "
                                             f"(YYYY-MM-DD) ({len(bad)} such cells)")])
    return pd.Series(dates.to_numpy(dtype="datetime64[ns]"), index=raw.index, name=q.name)


def cast_block(q: Question, raw: pd.DataFrame, place: Place) -> tuple[pd.DataFrame, np.ndarray]:
    """A multi/rank block as Int8 columns, and the mask of rows with no answer at all.

    In a row with some cells present, an empty cell means "not selected" (0): exports often
    leave unselected options blank. A row with every cell empty is unanswered (all NA).
    """
    columns = block_columns(q)
    fast = _integer_block(raw, list(columns.values()))
    if fast is not None:
        return fast
    matrix = np.column_stack([
        _numbers(raw[c], place, "a selection (0/1) or rank position") if c in raw.columns
        else np.full(len(raw), np.nan) for c in columns.values()
    ]) if columns else np.empty((len(raw), 0))
    unanswered = np.isnan(matrix).all(axis=1)
    matrix = np.where(np.isnan(matrix) & ~unanswered[:, None], 0.0, matrix)
    fractional = ~np.isnan(matrix) & (matrix != np.round(matrix))
    if fractional.any():
        row, col = (int(i[0]) for i in np.nonzero(fractional))
        name = list(columns.values())[col]
        raise SourceError([place.problem(row, name, "not-an-integer",
                                         f"{matrix[row, col]!r} is not 0/1 or a rank position")])
    out = {name: pd.array(np.where(np.isnan(matrix[:, i]), np.nan, matrix[:, i]),
                          dtype="Float64").astype(BLOCK_DTYPE)
           for i, name in enumerate(columns.values())}
    return pd.DataFrame(out, index=raw.index), unanswered


def _integer_block(raw: pd.DataFrame, names: list[str]) -> tuple[pd.DataFrame, np.ndarray] | None:
    """`cast_block` for blocks held as integers (Parquet, our own layout): no float matrix, the
    same result. None when a column is not integer-typed or holds values Int8 cannot."""
    present = [raw[c] for c in names if c in raw.columns]
    if not present or not all(pd.api.types.is_integer_dtype(s.dtype) for s in present):
        return None
    unanswered = np.ones(len(raw), dtype=bool)
    values = {}
    for s in present:
        missing = s.isna().to_numpy()
        unanswered &= missing
        v = s.to_numpy(dtype=np.int64 if s.dtype.itemsize > 1 else np.int8, na_value=0)
        if v.dtype != np.int8:
            if len(v) and (v.min() < -128 or v.max() > 127):
                return None
            v = v.astype(np.int8)
        values[s.name] = v
    out = {}
    for name in names:  # an answered row's empty cell is "not selected" (0), as cast_block says
        v = values.get(name, np.zeros(len(raw), dtype=np.int8))
        out[name] = pd.arrays.IntegerArray(v, unanswered.copy())
    return pd.DataFrame(out, index=raw.index, copy=False), unanswered
