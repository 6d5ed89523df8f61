"""Vectorised evaluation of expressions over all respondents at once, with pandas and numpy.

The semantics are those documented in :mod:`survey.expressions`; ``evaluate_row``
there is the
reference this module must agree with. A value vector is carried as two arrays, numbers (NaN
where the value is not a number) and strings (None where it is not a string), so that a column
mixing kinds keeps them apart as the row evaluator does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from survey.expressions import (
    Arithmetic,
    Call,
    Comparison,
    Expression,
    ExpressionError,
    Literal,
    Logic,
    Membership,
    Name,
    Negate,
    Node,
    Not,
    Truth,
    normalise,
)


class Environment(Protocol):
    """What evaluation may ask of the data. Methods raise KeyError with a message for unknowns."""

    @property
    def index(self) -> pd.Index: ...

    def value(self, name: str) -> pd.Series: ...

    def selected(self, name: str, code: int | str) -> pd.Series: ...

    def count_selected(self, name: str) -> pd.Series: ...

    def is_missing(self, name: str) -> pd.Series: ...


@dataclass(frozen=True)
class _Values:
    number: np.ndarray  # float64, NaN where not a number
    text: np.ndarray  # object, the string where is_text
    is_text: np.ndarray  # bool

    @property
    def present(self) -> np.ndarray:
        return ~np.isnan(self.number) | self.is_text

    @classmethod
    def numbers(cls, number: np.ndarray) -> _Values:
        number = np.where(np.isfinite(number), number, np.nan)
        return cls(number, *_no_text(len(number)))


def _no_text(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The text and is_text of values that are all numbers: read-only views of one None and
    one False (a million-cell object array per literal cost more than the comparison)."""
    return (np.broadcast_to(np.array(None, dtype=object), (n,)),
            np.broadcast_to(np.False_, (n,)))


def values_of(series: pd.Series) -> _Values:
    """A column as numbers and strings: the underlying values, never category positions."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        # Code -1 (missing) picks the extra missing slot appended after the categories.
        categories = values_of(pd.Series([*series.cat.categories, None], dtype=object))
        codes = series.cat.codes.to_numpy()
        if not categories.is_text.any():
            return _Values(categories.number[codes], *_no_text(len(codes)))
        return _Values(categories.number[codes], categories.text[codes], categories.is_text[codes])
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        raise KeyError(f"{series.name!r} holds dates, which expressions cannot use")
    if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
        return _Values.numbers(series.to_numpy(dtype="float64", na_value=np.nan))
    raw = series.to_numpy(dtype=object, na_value=None)
    kind = pd.api.types.infer_dtype(raw, skipna=True)
    if kind in ("string", "empty"):
        is_text = pd.notna(raw) & (raw != "")
        return _Values(np.full(len(raw), np.nan), np.where(is_text, raw, None), is_text)
    if kind in ("integer", "floating", "mixed-integer-float", "boolean", "decimal"):
        return _Values.numbers(np.where(pd.isna(raw), np.nan, raw).astype("float64"))
    # A column mixing strings and numbers: classify each cell as the row evaluator does.
    cells = np.frompyfunc(normalise, 1, 1)(raw).astype(object)
    is_text = np.frompyfunc(lambda cell: isinstance(cell, str), 1, 1)(cells).astype(bool)
    number = np.where(is_text | pd.isna(cells), np.nan, cells).astype("float64")
    return _Values(number, np.where(is_text, cells, None), is_text)


def _equal(left: _Values, right: _Values) -> np.ndarray:
    numbers = left.number == right.number  # NaN never equals
    if not (left.is_text.any() and right.is_text.any()):
        return numbers  # no text on one side: no two texts are equal
    texts = left.is_text & right.is_text & (left.text == right.text)
    return numbers | texts


class FrameEnvironment:
    """Respondents as rows of a DataFrame.

    Single-valued variables are columns. A multi-select or rank question q is the block of
    columns ``multi[q] = {code: column}``: 1/0 (multi) or rank position 1..k with 0 for not
    chosen (rank), all NA when the question was not answered.
    """

    def __init__(
        self, frame: pd.DataFrame, multi: Mapping[str, Mapping[int | str, str]] | None = None
    ) -> None:
        self.frame = frame
        self.multi = dict(multi or {})

    @property
    def index(self) -> pd.Index:
        return self.frame.index

    def value(self, name: str) -> pd.Series:
        if name in self.multi:
            raise KeyError(
                f"{name!r} is a multiple-choice question: "
                "use selected(), count_selected() or is_missing()"
            )
        if name not in self.frame.columns:
            raise KeyError(f"unknown variable {name!r}")
        return self.frame[name]

    def _block(self, name: str) -> np.ndarray:
        """The block of a multi question as positions (NaN = unanswered), one column a code."""
        columns = [values_of(self.frame[column]).number for column in self.multi[name].values()]
        return np.column_stack(columns) if columns else np.full((len(self.frame), 0), np.nan)

    def selected(self, name: str, code: int | str) -> pd.Series:
        if name in self.multi:
            if code not in self.multi[name]:
                raise KeyError(f"{name!r} has no option {code!r}")
            chosen = values_of(self.frame[self.multi[name][code]]).number > 0
        else:
            value = values_of(self.value(name))
            literal = _literal(Literal(code, 0), len(self.frame))
            chosen = _equal(value, literal)
        return pd.Series(chosen, index=self.index, dtype=bool)

    def count_selected(self, name: str) -> pd.Series:
        if name in self.multi:
            count = (self._block(name) > 0).sum(axis=1).astype("float64")
        else:
            count = values_of(self.value(name)).present.astype("float64")
        return pd.Series(count, index=self.index)

    def is_missing(self, name: str) -> pd.Series:
        if name in self.multi:
            missing = np.isnan(self._block(name)).all(axis=1)
        else:
            missing = ~values_of(self.value(name)).present
        return pd.Series(missing, index=self.index, dtype=bool)


def evaluate(expr: Expression, env: Environment) -> pd.Series:
    """Evaluate for every respondent: bool for conditions, float64 (NaN = missing) for numbers.

    A bare string-valued expression gives an object Series of strings and NaN.
    """
    result = _Vectorised(env, len(env.index)).eval(expr.root)
    if isinstance(result, np.ndarray):
        return pd.Series(result, index=env.index, dtype=bool)
    if not result.is_text.any():  # a copy of a constant's read-only view
        number = result.number if result.number.flags.writeable else result.number.copy()
        return pd.Series(number, index=env.index, dtype="float64")
    mixed = np.where(result.is_text, result.text, result.number).astype(object)
    return pd.Series(mixed, index=env.index, dtype=object)


def _literal(node: Literal, n: int) -> _Values:
    """A constant for every respondent, as read-only views of one value (no n-cell copies)."""
    if isinstance(node.value, str):
        return _Values(np.broadcast_to(np.float64(np.nan), (n,)),
                       np.broadcast_to(np.array(node.value, dtype=object), (n,)),
                       np.broadcast_to(np.True_, (n,)))
    value = float(node.value)
    return _Values(np.broadcast_to(np.float64(value if np.isfinite(value) else np.nan), (n,)),
                   *_no_text(n))


def _arithmetic(op: str, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        if op == "*":
            return left * right
        result = left / right if op == "/" else np.fmod(left, right)
        return np.where(right == 0, np.nan, result)


class _Vectorised:
    """Walks the tree once; each node yields a bool array (conditions) or _Values."""

    def __init__(self, env: Environment, n: int) -> None:
        self.env = env
        self.n = n

    def ask(self, node: Name | Call, method: str, *args: object) -> np.ndarray | _Values:
        """Call the environment, turning its KeyError into a located ExpressionError."""
        name = node.name if isinstance(node, Name) else node.question.name
        try:
            series = getattr(self.env, method)(name, *args)
            return values_of(series) if method == "value" else series.to_numpy()
        except KeyError as error:
            raise ExpressionError(str(error.args[0]), node.offset) from None

    def eval(self, node: Node) -> np.ndarray | _Values:
        if isinstance(node, Literal):
            if isinstance(node.value, bool):
                return np.full(self.n, node.value)
            return _literal(node, self.n)
        if isinstance(node, Name):
            return self.ask(node, "value")
        if isinstance(node, Negate):
            return _Values.numbers(-self.eval(node.operand).number)
        if isinstance(node, Arithmetic):
            left, right = self.eval(node.left).number, self.eval(node.right).number
            return _Values.numbers(_arithmetic(node.op, left, right))
        if isinstance(node, Comparison):
            return self.compare(node.op, self.eval(node.left), self.eval(node.right))
        if isinstance(node, Membership):
            operand = self.eval(node.operand)
            hit = np.zeros(self.n, bool)
            for item in node.items:
                hit |= _equal(operand, _literal(item, self.n))
            return operand.present & ~hit if node.negated else hit
        if isinstance(node, Logic):
            parts = [self.eval(operand) for operand in node.operands]
            combine = np.logical_and if node.op == "and" else np.logical_or
            return combine.reduce(parts)
        if isinstance(node, Not):
            return ~self.eval(node.operand)
        if isinstance(node, Truth):
            number = self.eval(node.operand).number
            return ~np.isnan(number) & (number != 0)
        return self.call(node)

    def call(self, node: Call) -> np.ndarray | _Values:
        if node.function == "selected":
            return self.ask(node, "selected", node.code).astype(bool)
        if node.function == "is_missing":
            return self.ask(node, "is_missing").astype(bool)
        return _Values.numbers(self.ask(node, "count_selected").astype("float64"))

    @staticmethod
    def compare(op: str, left: _Values, right: _Values) -> np.ndarray:
        if op == "==":
            return _equal(left, right)
        if op == "!=":
            return left.present & right.present & ~_equal(left, right)
        a, b = left.number, right.number  # comparisons with NaN are false
        with np.errstate(invalid="ignore"):
            return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
