"""One respondent: the reference evaluation that the pandas, JavaScript and XPath back-ends
must match (the tests check they agree on generated expressions and data)."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from survey.expressions.tree import (
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
)


def evaluate_row(
    expr: Expression,
    values: Mapping[str, object],
    multi: Mapping[str, Collection[int | str] | None] | None = None,
) -> object:
    """Evaluate for one respondent: a bool, a float, a str, or None for missing.

    ``values`` maps single-valued variables to their value; ``multi`` maps each multi-select or
    rank question to the collection of its selected codes, or None when unanswered.
    """
    return _Row(values, multi or {}).eval(expr.root)


def normalise(value: object) -> float | str | None:
    """A data value as the language sees it: a finite float, a non-empty str, or None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return value or None
    if isinstance(value, bool | int | float | np.bool_ | np.integer | np.floating):
        number = float(value)
        return number if math.isfinite(number) else None
    raise TypeError(f"unsupported value in an expression: {value!r}")


def _equal(left: object, right: object) -> bool:
    kinds_match = isinstance(left, float) == isinstance(right, float)
    return left is not None and right is not None and kinds_match and left == right


def _compare(op: str, left: object, right: object) -> bool:
    if left is None or right is None:
        return False
    if op == "==":
        return _equal(left, right)
    if op == "!=":
        return not _equal(left, right)
    if not (isinstance(left, float) and isinstance(right, float)):
        return False
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]


def _arithmetic(op: str, left: float, right: float) -> float | None:
    if op in "/%" and right == 0:
        return None
    if op == "+":
        result = left + right
    elif op == "-":
        result = left - right
    elif op == "*":
        result = left * right
    elif op == "/":
        result = left / right
    else:
        result = math.fmod(left, right)
    return result if math.isfinite(result) else None


@dataclass
class _Row:
    values: Mapping[str, object]
    multi: Mapping[str, Collection[int | str] | None]

    def value(self, name: Name) -> object:
        if name.name in self.multi:
            raise ExpressionError(_multi_as_value(name.name), name.offset)
        if name.name not in self.values:
            raise ExpressionError(f"unknown variable {name.name!r}", name.offset)
        return normalise(self.values[name.name])

    def eval(self, node: Node) -> Any:
        if isinstance(node, Literal):
            value = node.value
            return value if isinstance(value, bool | str) else float(value)
        if isinstance(node, Name):
            return self.value(node)
        if isinstance(node, Negate):
            operand = self.eval(node.operand)
            return -operand if isinstance(operand, float) else None
        if isinstance(node, Arithmetic):
            left, right = self.eval(node.left), self.eval(node.right)
            if not (isinstance(left, float) and isinstance(right, float)):
                return None
            return _arithmetic(node.op, left, right)
        if isinstance(node, Comparison):
            return _compare(node.op, self.eval(node.left), self.eval(node.right))
        if isinstance(node, Membership):
            operand = self.eval(node.operand)
            hit = any(_equal(operand, self.eval(item)) for item in node.items)
            return operand is not None and hit != node.negated
        if isinstance(node, Logic):
            results = (self.eval(operand) for operand in node.operands)
            return all(results) if node.op == "and" else any(results)
        if isinstance(node, Not):
            return not self.eval(node.operand)
        if isinstance(node, Truth):
            operand = self.eval(node.operand)
            return isinstance(operand, float) and operand != 0
        return self.call(node)

    def call(self, node: Call) -> bool | float:
        name = node.question.name
        if name in self.multi:
            chosen = self.multi[name]
            if node.function == "is_missing":
                return chosen is None
            if node.function == "count_selected":
                return float(len(set(chosen or ())))
            return chosen is not None and node.code in set(chosen)
        value = self.value(node.question)
        if node.function == "is_missing":
            return value is None
        if node.function == "count_selected":
            return 0.0 if value is None else 1.0
        code = node.code if isinstance(node.code, str) else float(node.code)
        return _equal(value, code)


def _multi_as_value(name: str) -> str:
    return (
        f"{name!r} is a multiple-choice question: use selected(), count_selected() or is_missing()"
    )
