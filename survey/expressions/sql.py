"""Compile expressions to SQL, so an engine (DuckDB, Spark SQL) evaluates segments and derived
variables where the data live, without loading them.

The semantics are those of :mod:`survey.expressions`, with NULL as missing: every condition
compiles to a boolean that is never NULL (missing compares false), every value to a typed SQL
value, ``number`` (DOUBLE, NULL when missing) or ``text`` (VARCHAR, NULL or '' when missing).
Types come from the data's columns, known before compiling, so a comparison of a number with a
string is false at compile time, as it is in every other back-end. The SQL written is the subset
that DuckDB and Spark SQL read alike: CASE, COALESCE, CAST, IS NULL, arithmetic, comparisons.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

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
)

NUMBER, TEXT, CONDITION = "number", "text", "condition"
NULL_NUMBER = "CAST(NULL AS DOUBLE)"


@dataclass(frozen=True)
class Sql:
    """A compiled value: SQL text and its kind (number, text or condition)."""

    text: str
    kind: str


def literal(value: object) -> Sql:
    """A literal as SQL: numbers as DOUBLE, strings quoted, booleans as conditions."""
    if isinstance(value, bool):
        return Sql("TRUE" if value else "FALSE", CONDITION)
    if isinstance(value, str):
        return Sql("'" + value.replace("'", "''") + "'", TEXT)
    return Sql(f"CAST({float(value)!r} AS DOUBLE)", NUMBER)  # type: ignore[arg-type]


def present(value: Sql) -> str:
    """True where a value is not missing (empty text is missing, as in ODK)."""
    if value.kind == TEXT:
        return f"COALESCE({value.text} <> '', FALSE)"
    return f"({value.text} IS NOT NULL)"


def as_number(value: Sql) -> str:
    """A value's number (NULL for text and missing); a condition counts 1 or 0."""
    if value.kind == CONDITION:
        return f"(CASE WHEN {value.text} THEN 1.0 ELSE 0.0 END)"
    return value.text if value.kind == NUMBER else NULL_NUMBER


def equal(left: Sql, right: Sql) -> str:
    """Both numbers and equal, or both strings and equal; never NULL."""
    kinds = {NUMBER if k == CONDITION else k for k in (left.kind, right.kind)}
    if len(kinds) > 1:
        return "FALSE"
    if kinds == {TEXT}:
        return f"COALESCE({left.text} = {right.text} AND {left.text} <> '', FALSE)"
    return f"COALESCE({as_number(left)} = {as_number(right)}, FALSE)"


@dataclass
class Columns:
    """What the compiler knows of the data: the kind of each column (number or text), the
    blocks of multi and rank questions ({question: {code: column}}), values already compiled
    (derived variables, by name), and how the engine quotes a column name."""

    kinds: Mapping[str, str]
    blocks: Mapping[str, Mapping[object, str]] = field(default_factory=dict)
    values: dict[str, Sql] = field(default_factory=dict)
    quote: Callable[[str], str] = lambda name: '"' + name.replace('"', '""') + '"'

    def column(self, name: str) -> Sql:
        kind = self.kinds[name]
        text = self.quote(name)
        return Sql(f"CAST({text} AS DOUBLE)" if kind == NUMBER else text, kind)


def to_sql(expr: Expression | Node, columns: Columns) -> Sql:
    """Compile a parsed expression (or a node of one) for `columns`."""
    return _Compiler(columns).compile(expr.root if isinstance(expr, Expression) else expr)


def condition(expr: Expression, columns: Columns) -> str:
    """An expression used as a condition (a bare value is true when non-zero), never NULL."""
    return to_sql(expr.as_condition(), columns).text


class _Compiler:
    def __init__(self, columns: Columns) -> None:
        self.columns = columns

    def name(self, node: Name) -> Sql:
        c = self.columns
        if node.name in c.values:
            return c.values[node.name]
        if node.name in c.blocks:
            raise ExpressionError(f"{node.name!r} is a multiple-choice question: use "
                                  "selected(), count_selected() or is_missing()", node.offset)
        if node.name not in c.kinds:
            raise ExpressionError(f"unknown variable {node.name!r}", node.offset)
        return c.column(node.name)

    def compile(self, node: Node) -> Sql:  # noqa: C901 - one branch per kind of node
        if isinstance(node, Literal):
            return literal(node.value)
        if isinstance(node, Name):
            return self.name(node)
        if isinstance(node, Negate):
            return Sql(f"(-{as_number(self.compile(node.operand))})", NUMBER)
        if isinstance(node, Arithmetic):
            return self.arithmetic(node)
        if isinstance(node, Comparison):
            return Sql(self.compare(node.op, self.compile(node.left),
                                    self.compile(node.right)), CONDITION)
        if isinstance(node, Membership):
            operand = self.compile(node.operand)
            hits = [equal(operand, literal(item.value)) for item in node.items]
            hit = "(" + " OR ".join(hits) + ")" if hits else "FALSE"
            text = f"({present(operand)} AND NOT {hit})" if node.negated else hit
            return Sql(text, CONDITION)
        if isinstance(node, Logic):
            parts = [self.truth(self.compile(o)) for o in node.operands]
            return Sql("(" + f" {node.op.upper()} ".join(parts) + ")", CONDITION)
        if isinstance(node, Not):
            return Sql(f"(NOT {self.truth(self.compile(node.operand))})", CONDITION)
        if isinstance(node, Truth):
            return Sql(self.truth(self.compile(node.operand)), CONDITION)
        return self.call(node)

    @staticmethod
    def truth(value: Sql) -> str:
        if value.kind == CONDITION:
            return value.text
        return f"COALESCE({as_number(value)} <> 0, FALSE)"

    def arithmetic(self, node: Arithmetic) -> Sql:
        left = as_number(self.compile(node.left))
        right = as_number(self.compile(node.right))
        if node.op in "+-*":
            return Sql(f"({left} {node.op} {right})", NUMBER)
        return Sql(f"(CASE WHEN {right} = 0 THEN {NULL_NUMBER} ELSE {left} {node.op} {right} "
                   "END)", NUMBER)

    @staticmethod
    def compare(op: str, left: Sql, right: Sql) -> str:
        if op == "==":
            return equal(left, right)
        if op == "!=":
            return f"({present(left)} AND {present(right)} AND NOT {equal(left, right)})"
        if TEXT in (left.kind, right.kind):
            return "FALSE"  # ordering is between numbers only
        return f"COALESCE({as_number(left)} {op} {as_number(right)}, FALSE)"

    def call(self, node: Call) -> Sql:
        name = node.question.name
        block = self.columns.blocks.get(name)
        if block is None:
            value = self.name(node.question)
            if node.function == "selected":
                return Sql(equal(value, literal(node.code)), CONDITION)
            if node.function == "is_missing":
                return Sql(f"(NOT {present(value)})", CONDITION)
            return Sql(f"(CASE WHEN {present(value)} THEN 1.0 ELSE 0.0 END)", NUMBER)
        cells = [self.columns.column(column).text for column in block.values()]
        if node.function == "selected":
            if node.code not in block:
                raise ExpressionError(f"{name!r} has no option {node.code!r}", node.offset)
            return Sql(f"COALESCE({self.columns.column(block[node.code]).text} > 0, FALSE)",
                       CONDITION)
        if node.function == "is_missing":
            return Sql("(" + " AND ".join(f"{c} IS NULL" for c in cells) + ")" if cells
                       else "TRUE", CONDITION)
        counted = " + ".join(f"(CASE WHEN {c} > 0 THEN 1.0 ELSE 0.0 END)" for c in cells)
        return Sql(f"({counted})" if cells else "CAST(0 AS DOUBLE)", NUMBER)
