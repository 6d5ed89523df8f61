"""Compile expressions to ODK XPath (XPath 1.0 plus ``selected``, ``count-selected``, ``if``).

In ODK every answer is a string and an unanswered question is ''. Numeric expressions therefore
carry missing as NaN (``number('')``), and the compiler adds guards so that the semantics of
:mod:`survey.expressions` hold: ``!=`` requires both sides present, division by zero
is NaN, and
a value used as a condition must be a non-zero number.

XPath cannot tell a number from a string at run time, so the compiler uses each variable's kind,
given by ``question_type(name)``: one of ``number`` (also ``integer``, ``decimal``, ``scale``),
``string`` (also ``text``), ``boolean`` (stored as 'true'/'false' or 1/0), ``multi`` (also
``rank``, ``select_multiple``), or anything else for unknown. Where a kind is unknown, a text
answer that looks like a number acts as one (the text '1' equals the number 1, and '1' = '1.0').
ODK cannot store a multi-select answered with nothing selected: it is '' and counts as missing.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

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

_KINDS = {
    "number": "number", "integer": "number", "decimal": "number", "scale": "number",
    "numeric": "number", "string": "string", "text": "string", "boolean": "boolean",
    "multi": "multi", "rank": "multi", "select_multiple": "multi",
}  # fmt: skip
_NAN = "number('')"


def to_xpath(expr: Expression, question_type: Callable[[str], str] | None = None) -> str:
    """An ODK XPath expression with ``${name}`` references."""
    return _XPath(question_type or (lambda name: "")).compile(expr.root)


def _literal(value: int | float | str | bool, offset: int) -> str:
    if isinstance(value, bool):
        return "true()" if value else "false()"
    if isinstance(value, str):
        if "'" not in value:
            return f"'{value}'"
        if '"' not in value:
            return f'"{value}"'
        raise ExpressionError("XPath cannot hold a string with both ' and \" in it", offset)
    # XPath 1.0 numbers have no exponent: 1e-05 must be written 0.00001.
    text = format(Decimal(repr(value)), "f") if isinstance(value, float) else str(value)
    return f"({text})" if text.startswith("-") else text


class _XPath:
    def __init__(self, question_type: Callable[[str], str]) -> None:
        self.question_type = question_type

    def kind(self, node: Node) -> str:
        """number, string, boolean, multi or '' (unknown) for a value node."""
        if isinstance(node, Name):
            return _KINDS.get(self.question_type(node.name), "")
        if isinstance(node, Literal):
            return "string" if isinstance(node.value, str) else "number"
        return "number"

    def compile(self, node: Node) -> str:
        if isinstance(node, Literal):
            return _literal(node.value, node.offset)
        if isinstance(node, Name):
            return f"${{{node.name}}}"
        if isinstance(node, Negate):
            return f"(-{self.number(node.operand)})"
        if isinstance(node, Arithmetic):
            return self.arithmetic(node)
        if isinstance(node, Comparison):
            return self.comparison(node)
        if isinstance(node, Membership):
            return self.membership(node)
        if isinstance(node, Logic):
            joiner = f" {node.op} "
            return "(" + joiner.join(self.compile(operand) for operand in node.operands) + ")"
        if isinstance(node, Not):
            return f"not({self.compile(node.operand)})"
        if isinstance(node, Truth):
            return self.truth(node.operand)
        return self.call(node)

    def number(self, node: Node) -> str:
        """The node as an XPath number: NaN when missing or not a number."""
        if isinstance(node, Name):
            return f"number(${{{node.name}}})"
        return self.compile(node)

    def present(self, node: Node) -> str | None:
        """A condition that the value is not missing, or None when it never is."""
        if isinstance(node, Literal):
            return None
        if isinstance(node, Name):
            return f"${{{node.name}}} != ''"
        number = self.compile(node)
        return f"{number} = {number}"  # NaN is the only number unequal to itself

    def arithmetic(self, node: Arithmetic) -> str:
        left, right = self.number(node.left), self.number(node.right)
        if node.op in "+-*":
            return f"({left} {node.op} {right})"
        operator = "div" if node.op == "/" else "mod"
        return f"if({right} = 0, {_NAN}, {left} {operator} {right})"

    def equal(self, left: Node, right: Node) -> str:
        kinds = {self.kind(left), self.kind(right)}
        if kinds >= {"number", "string"}:
            return "false()"
        if kinds & {"number", "boolean"}:
            return f"{self.number(left)} = {self.number(right)}"
        comparison = f"{self.compile(left)} = {self.compile(right)}"
        if isinstance(left, Literal) or isinstance(right, Literal):
            return comparison  # a literal is never '', and fixes the kind of the comparison
        if "string" not in kinds:  # two unknown kinds: equal as strings, or as numbers (2 = 2.0)
            comparison = f"({comparison} or {self.number(left)} = {self.number(right)})"
        return f"({self.present(left)} and {comparison})"  # two empty answers are not equal

    def unequal(self, left: Node, right: Node) -> str:
        guards = [g for g in (self.present(left), self.present(right)) if g]
        return "(" + " and ".join([*guards, f"not({self.equal(left, right)})"]) + ")"

    def comparison(self, node: Comparison) -> str:
        if node.op == "==":
            return f"({self.equal(node.left, node.right)})"
        if node.op == "!=":
            return self.unequal(node.left, node.right)
        if "string" in (self.kind(node.left), self.kind(node.right)):
            return "false()"
        return f"({self.number(node.left)} {node.op} {self.number(node.right)})"

    def membership(self, node: Membership) -> str:
        if node.negated:
            guard = self.present(node.operand)
            tests = [f"not({self.equal(node.operand, item)})" for item in node.items]
            parts = [guard, *tests] if guard else tests
            return "(" + " and ".join(parts) + ")" if parts else "true()"
        tests = [f"({self.equal(node.operand, item)})" for item in node.items]
        return "(" + " or ".join(tests) + ")" if tests else "false()"

    def truth(self, node: Node) -> str:
        kind = self.kind(node)
        if kind == "string":
            return "false()"
        as_number = f"boolean({self.number(node)})"  # false for 0 and NaN
        if isinstance(node, Name) and kind in ("boolean", ""):
            return f"(${{{node.name}}} = 'true' or {as_number})"
        return as_number

    def call(self, node: Call) -> str:
        ref = f"${{{node.question.name}}}"
        if node.function == "selected":
            return f"selected({ref}, {_literal(str(node.code), node.offset)})"
        if node.function == "count_selected":
            return f"count-selected({ref})"
        if self.kind(node.question) == "multi":
            return f"(count-selected({ref}) = 0)"
        return f"({ref} = '')"
