"""The expression language of questionnaires: parsed once, evaluated on pandas or one respondent.

Expressions appear as ``relevant``, ``constraint``, derived ``expr`` and ``cases[].when``, and
segment ``where``. The grammar is a whitelisted subset of Python expression syntax, read with
:mod:`ast` and turned into a small tree of our own; nothing is ever passed to ``eval``. The same
tree is evaluated for one respondent here (``evaluate_row``, the reference), for all respondents
with pandas (:mod:`survey.expressions.pandas_eval`), and compiled to JavaScript
(:mod:`survey.expressions.javascript`) and ODK XPath (:mod:`survey.expressions.xpath`).
``evaluate``,
``FrameEnvironment``, ``Environment``, ``to_javascript``, ``JS_RUNTIME`` and ``to_xpath`` can be
imported from here too.

Semantics, identical in every back-end:

- A value is a number, a string or missing. Missing is None, NaN, ``pd.NA``, or the empty string
  (as in ODK). Booleans in data are the numbers 1 and 0; every number is a float (``1 == 1.0``).
- ``+ - * / %`` and unary minus act on numbers. A missing or string operand, division or ``%`` by
  zero, or a non-finite result gives missing. ``%`` is the truncated remainder (sign of the
  dividend), as C ``fmod``, JavaScript ``%`` and XPath ``mod``.
- ``==`` is true when both sides are numbers and equal, or both are strings and equal. ``!=`` is
  true when both sides are present and ``==`` is false: missing compares false with every
  operator, and a string differs from every number. ``< <= > >=`` are true only between two
  numbers; ordering a string literal is rejected. ``1 < x < 5`` means ``1 < x and x < 5``.
- ``x in [...]`` means ``x`` equals some item; ``x not in [...]`` means ``x`` is present and
  differs from every item.
- ``and``, ``or``, ``not`` are two-valued. A value used as a condition (``where: "migrant"``) is
  true when it is a non-zero number.
- ``selected(q, code)`` is true when q has that option selected (for a single-valued q:
  ``q == code``); ``count_selected(q)`` is the number selected, 0 when unanswered (for a
  single-valued q: 1 if answered); ``is_missing(q)`` is true when q has no answer at all.
"""

from __future__ import annotations

import ast
import importlib
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from survey.errors import SurveyError

FUNCTIONS = ("selected", "count_selected", "is_missing")
_COMPARISONS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}
_ARITHMETIC = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Mod: "%"}
_FORBIDDEN = {
    ast.Attribute: "attribute access (`x.y`)",
    ast.Subscript: "subscripts (`x[...]`)",
    ast.Lambda: "lambda",
    ast.IfExp: "conditional expressions (`a if c else b`)",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.Dict: "dict literals",
    ast.Set: "set literals",
    ast.List: "lists outside `in [...]`",
    ast.Tuple: "tuples outside `in (...)`",
    ast.Starred: "starred arguments",
    ast.NamedExpr: "assignment expressions (`:=`)",
    ast.JoinedStr: "f-strings",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.Slice: "slices",
    ast.Is: "`is` (use == or is_missing())",
    ast.IsNot: "`is not` (use != or is_missing())",
    ast.Pow: "`**` (power)",
    ast.FloorDiv: "`//` (floor division; use / )",
    ast.MatMult: "`@`",
    ast.BitAnd: "bitwise `&` (use and)",
    ast.BitOr: "bitwise `|` (use or)",
    ast.BitXor: "bitwise `^`",
    ast.LShift: "`<<`",
    ast.RShift: "`>>`",
    ast.Invert: "bitwise `~` (use not)",
    ast.UAdd: "unary `+`",
}


class ExpressionError(SurveyError):
    """A questionnaire expression that is not allowed, with its 0-based character offset."""

    code = "bad-expression"

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.offset = offset


# The tree. Every node carries the character offset where it starts in the source.


@dataclass(frozen=True)
class Name:
    name: str
    offset: int


@dataclass(frozen=True)
class Literal:
    value: int | float | str | bool
    offset: int


@dataclass(frozen=True)
class Negate:
    operand: Node
    offset: int


@dataclass(frozen=True)
class Arithmetic:
    op: str
    left: Node
    right: Node
    offset: int


@dataclass(frozen=True)
class Comparison:
    op: str
    left: Node
    right: Node
    offset: int


@dataclass(frozen=True)
class Membership:
    operand: Node
    items: tuple[Literal, ...]
    negated: bool
    offset: int


@dataclass(frozen=True)
class Logic:
    op: str
    operands: tuple[Node, ...]
    offset: int


@dataclass(frozen=True)
class Not:
    operand: Node
    offset: int


@dataclass(frozen=True)
class Truth:
    """A value used as a condition: true when it is a non-zero number."""

    operand: Node
    offset: int


@dataclass(frozen=True)
class Call:
    function: str
    question: Name
    code: int | str | None
    offset: int


Node = Name | Literal | Negate | Arithmetic | Comparison | Membership | Logic | Not | Truth | Call


def is_condition(node: Node) -> bool:
    """Whether a node yields true/false rather than a value."""
    if isinstance(node, Literal):
        return isinstance(node.value, bool)
    if isinstance(node, Call):
        return node.function != "count_selected"
    return isinstance(node, Comparison | Membership | Logic | Not | Truth)


@dataclass(frozen=True)
class Expression:
    """A parsed expression and the facts about it the questionnaire checks."""

    source: str
    names: frozenset[str] = field(compare=False)
    selected_codes: tuple[tuple[str, int | str], ...] = field(compare=False)
    compared_codes: tuple[tuple[str, int | str | float], ...] = field(compare=False)
    name_offsets: dict[str, int] = field(compare=False, hash=False)
    root: Node = field(compare=False, repr=False)

    def is_boolean(self) -> bool:
        """True when the expression is a condition (used to type derived variables)."""
        return is_condition(self.root)

    @property
    def count_selected_names(self) -> tuple[str, ...]:
        """Questions whose answers are counted with count_selected(), in source order."""
        calls = (n for n in walk(self.root) if isinstance(n, Call))
        return tuple(
            dict.fromkeys(c.question.name for c in calls if c.function == "count_selected")
        )

    def as_condition(self) -> Expression:
        """The same expression used as a condition: a bare value is true when non-zero."""
        if self.is_boolean():
            return self
        return replace(self, root=Truth(self.root, self.root.offset))


@lru_cache(maxsize=4096)
def parse(source: str) -> Expression:
    """Parse and check an expression; raise ExpressionError pointing at the first problem.

    Cached: an Expression is immutable, and questionnaires evaluate the same ones many times.
    """
    root = _Reader(source).read()
    names: dict[str, int] = {}
    selected: list[tuple[str, int | str]] = []
    compared: list[tuple[str, int | str | float]] = []
    for node in walk(root):
        if isinstance(node, Name):
            names.setdefault(node.name, node.offset)
        elif isinstance(node, Call) and node.function == "selected":
            selected.append((node.question.name, node.code))
        elif isinstance(node, Comparison) and node.op in ("==", "!="):
            for a, b in ((node.left, node.right), (node.right, node.left)):
                if isinstance(a, Name) and isinstance(b, Literal):
                    compared.append((a.name, b.value))
        elif isinstance(node, Membership) and isinstance(node.operand, Name):
            compared.extend((node.operand.name, item.value) for item in node.items)
    return Expression(
        source=source,
        names=frozenset(names),
        selected_codes=tuple(dict.fromkeys(selected)),
        compared_codes=tuple(dict.fromkeys(compared)),
        name_offsets=names,
        root=root,
    )


def walk(node: Node):
    """Every node of the tree, parents before children, in source order."""
    yield node
    children: tuple[Node, ...] = ()
    if isinstance(node, Negate | Not | Truth | Membership):
        children = (node.operand,)
    elif isinstance(node, Arithmetic | Comparison):
        children = (node.left, node.right)
    elif isinstance(node, Logic):
        children = node.operands
    elif isinstance(node, Call):
        children = (node.question,)
    for child in children:
        yield from walk(child)


class _Reader:
    """Turns Python's ast into our tree, rejecting everything outside the whitelist."""

    def __init__(self, source: str) -> None:
        self.source = source
        # One line, so that ast's (byte) column offsets map directly onto characters.
        self.line = source.replace("\r", " ").replace("\n", " ")
        self.indent = len(self.line) - len(self.line.lstrip(" \t"))
        self.encoded = self.line[self.indent :].encode("utf-8")

    def read(self) -> Node:
        text = self.line[self.indent :]
        if not text.strip():
            raise ExpressionError("empty expression", 0)
        try:
            return self.condition_or_value(ast.parse(text, mode="eval").body)
        except SyntaxError as error:
            offset = self.indent + error.offset - 1 if error.offset else len(self.source)
            raise ExpressionError(f"invalid syntax: {error.msg}", offset) from None
        except (RecursionError, MemoryError):
            raise ExpressionError("expression is too deeply nested", 0) from None

    def offset(self, node: ast.AST) -> int:
        column = getattr(node, "col_offset", 0)
        return self.indent + len(self.encoded[:column].decode("utf-8", errors="ignore"))

    def reject(self, node: ast.AST, what: str) -> ExpressionError:
        return ExpressionError(f"{what} is not allowed", self.offset(node))

    def condition(self, node: ast.expr) -> Node:
        result = self.condition_or_value(node)
        return result if is_condition(result) else Truth(result, result.offset)

    def value(self, node: ast.expr) -> Node:
        result = self.condition_or_value(node)
        if isinstance(result, Literal) and isinstance(result.value, bool):
            raise ExpressionError(
                "True/False cannot be compared or used as a number", result.offset
            )
        if is_condition(result):
            raise ExpressionError("a condition cannot be used as a value here", result.offset)
        return result

    def condition_or_value(self, node: ast.expr) -> Node:
        at = self.offset(node)
        if isinstance(node, ast.BoolOp):
            op = "and" if isinstance(node.op, ast.And) else "or"
            return Logic(op, tuple(self.condition(v) for v in node.values), at)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                return Not(self.condition(node.operand), at)
            if isinstance(node.op, ast.USub):
                operand = self.value(node.operand)
                if isinstance(operand, Literal) and not isinstance(operand.value, str):
                    return Literal(-operand.value, at)
                if isinstance(operand, Literal):
                    raise ExpressionError("arithmetic on a string is not allowed", at)
                return Negate(operand, at)
            raise self.reject(node, _FORBIDDEN[type(node.op)])
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _ARITHMETIC:
                raise self.reject(node, _FORBIDDEN.get(type(node.op), "this operator"))
            left, right = self.value(node.left), self.value(node.right)
            for side in (left, right):
                if isinstance(side, Literal) and isinstance(side.value, str):
                    raise ExpressionError("arithmetic on a string is not allowed", side.offset)
            return Arithmetic(_ARITHMETIC[type(node.op)], left, right, at)
        if isinstance(node, ast.Compare):
            return self.comparison(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise self.reject(node, f"the name `{node.id}` (names starting with _)")
            if node.id in FUNCTIONS:
                raise ExpressionError(f"`{node.id}` is a function: call it as {node.id}(...)", at)
            return Name(node.id, at)
        if isinstance(node, ast.Constant):
            return self.literal(node)
        raise self.reject(node, _FORBIDDEN.get(type(node), type(node).__name__))

    def literal(self, node: ast.expr) -> Literal:
        at = self.offset(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self.literal(node.operand)
            if isinstance(inner.value, str | bool):
                raise ExpressionError("unary minus needs a number", at)
            return Literal(-inner.value, at)
        if not isinstance(node, ast.Constant):
            raise ExpressionError("expected a literal number or string", at)
        value = node.value
        if value is None:
            raise ExpressionError("None is not allowed (use is_missing(x))", at)
        if (
            isinstance(value, float)
            and not math.isfinite(value)
            or (isinstance(value, int) and value.bit_length() > 1000)
        ):
            raise ExpressionError("this number is too large", at)
        if value == "":
            raise ExpressionError("the empty string is not allowed (use is_missing(x))", at)
        if not isinstance(value, bool | int | float | str):
            raise ExpressionError(f"{type(value).__name__} literals are not allowed", at)
        return Literal(value, at)

    def comparison(self, node: ast.Compare) -> Node:
        parts: list[Node] = []
        left_ast, left = node.left, self.value(node.left)
        for op, right_ast in zip(node.ops, node.comparators, strict=True):
            at = self.offset(left_ast)
            if isinstance(op, ast.In | ast.NotIn):
                if not isinstance(right_ast, ast.List | ast.Tuple):
                    raise ExpressionError(
                        "the right side of `in` must be a list of literals like [1, 2]",
                        self.offset(right_ast),
                    )
                items = tuple(self.literal(item) for item in right_ast.elts)
                for item in items:
                    if isinstance(item.value, bool):
                        raise ExpressionError("True/False cannot be in a list", item.offset)
                parts.append(Membership(left, items, isinstance(op, ast.NotIn), at))
                left_ast, left = right_ast, None
                continue
            if type(op) not in _COMPARISONS:
                raise ExpressionError(f"{_FORBIDDEN[type(op)]} is not allowed", at)
            if left is None:
                raise ExpressionError("a list cannot be compared", at)
            right = self.value(right_ast)
            symbol = _COMPARISONS[type(op)]
            for side in (left, right):
                if isinstance(side, Literal) and isinstance(side.value, str) and symbol[0] in "<>":
                    raise ExpressionError(f"strings cannot be ordered with {symbol}", side.offset)
            parts.append(Comparison(symbol, left, right, at))
            left_ast, left = right_ast, right
        return parts[0] if len(parts) == 1 else Logic("and", tuple(parts), parts[0].offset)

    def call(self, node: ast.Call) -> Call:
        at = self.offset(node)
        if not isinstance(node.func, ast.Name):
            raise self.reject(node.func, _FORBIDDEN.get(type(node.func), "this call"))
        function = node.func.id
        if function not in FUNCTIONS:
            raise ExpressionError(
                f"calling `{function}` is not allowed (only {', '.join(FUNCTIONS)})", at
            )
        if node.keywords:
            raise self.reject(node.keywords[0].value, "keyword arguments")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.reject(arg, "starred arguments")
        arity = 2 if function == "selected" else 1
        if len(node.args) != arity:
            usage = "selected(question, code)" if arity == 2 else f"{function}(question)"
            raise ExpressionError(f"{function} takes {arity} argument(s): {usage}", at)
        question = node.args[0]
        if not isinstance(question, ast.Name):
            raise ExpressionError(
                f"the first argument of {function} must be a question name", self.offset(question)
            )
        name = self.condition_or_value(question)
        assert isinstance(name, Name)
        code = None
        if arity == 2:
            literal = self.literal(node.args[1])
            if not isinstance(literal.value, int | str) or isinstance(literal.value, bool):
                raise ExpressionError(
                    "an option code must be an integer or a string", literal.offset
                )
            code = literal.value
        return Call(function, name, code, at)


# One respondent: the reference implementation the vectorised and compiled forms must match.


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


_SIBLINGS = {
    "Environment": "pandas_eval",
    "FrameEnvironment": "pandas_eval",
    "evaluate": "pandas_eval",
    "JS_RUNTIME": "javascript",
    "to_javascript": "javascript",
    "to_xpath": "xpath",
}


def __getattr__(name: str) -> Any:
    """The back-ends live in sibling modules (which import this one); load them on first use."""
    if name not in _SIBLINGS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"survey.expressions.{_SIBLINGS[name]}"), name)
