"""Reading an expression: Python's ast, whitelisted, turned into our tree (nothing is eval'd)."""

from __future__ import annotations

import ast
import math
from functools import lru_cache

from survey.expressions.tree import (
    FUNCTIONS,
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
    is_condition,
    walk,
)

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
            return self.unary(node, at)
        if isinstance(node, ast.BinOp):
            return self.arithmetic(node, at)
        if isinstance(node, ast.Compare):
            return self.comparison(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Name):
            return self.name(node, at)
        if isinstance(node, ast.Constant):
            return self.literal(node)
        raise self.reject(node, _FORBIDDEN.get(type(node), type(node).__name__))

    def unary(self, node: ast.UnaryOp, at: int) -> Node:
        """`not x`, or `-x` (a negative literal folded into the number)."""
        if isinstance(node.op, ast.Not):
            return Not(self.condition(node.operand), at)
        if not isinstance(node.op, ast.USub):
            raise self.reject(node, _FORBIDDEN[type(node.op)])
        operand = self.value(node.operand)
        if isinstance(operand, Literal) and not isinstance(operand.value, str):
            return Literal(-operand.value, at)
        if isinstance(operand, Literal):
            raise ExpressionError("arithmetic on a string is not allowed", at)
        return Negate(operand, at)

    def arithmetic(self, node: ast.BinOp, at: int) -> Node:
        """`+ - * / %` between two values, never on a string literal."""
        if type(node.op) not in _ARITHMETIC:
            raise self.reject(node, _FORBIDDEN.get(type(node.op), "this operator"))
        left, right = self.value(node.left), self.value(node.right)
        for side in (left, right):
            if isinstance(side, Literal) and isinstance(side.value, str):
                raise ExpressionError("arithmetic on a string is not allowed", side.offset)
        return Arithmetic(_ARITHMETIC[type(node.op)], left, right, at)

    def name(self, node: ast.Name, at: int) -> Name:
        """A variable's name: never private, never a bare function name."""
        if node.id.startswith("_"):
            raise self.reject(node, f"the name `{node.id}` (names starting with _)")
        if node.id in FUNCTIONS:
            raise ExpressionError(f"`{node.id}` is a function: call it as {node.id}(...)", at)
        return Name(node.id, at)

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
