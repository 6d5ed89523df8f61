"""ODK XPath (an XLSForm's relevant, constraint and calculation) read back into our language.

The subset forms use: `${name}` and `.`, numbers and strings, `= != < <= > >=`, `and`, `or`,
`not()`, `+ - * div mod`, `selected()`, `count-selected()`, `number()`, `string()`, `boolean()`
and `if()`. An answer compared with `''` is a test of missing (`${q} != ''` is
`not is_missing(q)`); a number written as a string (`'7'`) is the code 7. Anything else (regex(),
string-length(), today(), jr:choice-name(), a path into a repeat) is `Untranslatable`, with the
reason, so that `survey init` can keep the original as a comment and say so. The result is read
back with our own parser, so what is returned is always a valid expression.

`parse_xpath` gives the tree (for lifting `. >= 18` into `min: 18`, or `if()` chains into the
cases of a derived variable); `render` writes a tree in our language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from survey.expressions.parser import parse
from survey.expressions.tree import ExpressionError

_TOKEN = re.compile(r"""\s*(?:
    (?P<ref>\$\{\s*(?P<refname>[^}\s]+)\s*\})
  | (?P<number>\d+(?:\.\d*)?|\.\d+)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,)
  | (?P<word>[A-Za-z_][\w:.-]*)
  | (?P<dot>\.)
  )""", re.VERBOSE)
_COMPARE = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_PASS_THROUGH = {"number", "string", "boolean"}  # ODK's casts: our values already act so


class Untranslatable(ExpressionError):
    """An XPath expression, or a part of it, that our language cannot say (`survey init` keeps
    it as a comment and says so; it is never an error of the command)."""


@dataclass(frozen=True)
class Node:
    """`kind` is name, self, number, string, call, compare, logic, arith, negate, or `in` (a
    question and the codes it is one of, from a chain of `or`)."""

    kind: str
    value: object = None
    args: tuple[Node, ...] = ()


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = self._tokens(text)
        self.at = 0

    @staticmethod
    def _tokens(text: str) -> list[tuple[str, str]]:
        found, position = [], 0
        while position < len(text.rstrip()):
            match = _TOKEN.match(text, position)
            if not match or match.end() == position:
                raise Untranslatable(f"cannot read '{text[position:position + 20]}'")
            kind = next(k for k in ("ref", "number", "string", "op", "word", "dot")
                        if match.group(k) is not None)
            found.append((kind, match.group("refname") if kind == "ref" else match.group(kind)))
            position = match.end()
        return found

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise Untranslatable(f"expected '{value}'" if value else "the expression ends early")
        self.at += 1
        return token

    def binary(self, operators: set[str], operand, kind: str) -> Node:
        left = operand()
        while (token := self.peek()) and token[1] in operators:
            self.take()
            left = Node(kind, token[1], (left, operand()))
        return left

    def expression(self) -> Node:
        return self.binary({"or"}, lambda: self.binary({"and"}, self.comparison, "logic"),
                           "logic")

    def comparison(self) -> Node:
        left = self.additive()
        if (token := self.peek()) and token[1] in _COMPARE:
            self.take()
            return Node("compare", token[1], (left, self.additive()))
        return left

    def additive(self) -> Node:
        return self.binary({"+", "-"}, lambda: self.binary({"*", "div", "mod"}, self.unary,
                                                            "arith"), "arith")

    def unary(self) -> Node:
        if self.peek() == ("op", "-"):
            self.take()
            return Node("negate", None, (self.unary(),))
        return self.primary()

    def primary(self) -> Node:
        kind, value = self.take()
        if kind == "ref":
            return Node("name", value)
        if kind == "dot":
            return Node("self")
        if kind == "number":
            return Node("number", float(value) if "." in value else int(value))
        if kind == "string":
            return Node("string", value[1:-1])
        if value == "(":
            inner = self.expression()
            self.take(")")
            return inner
        if kind == "word" and self.peek() == ("op", "("):
            self.take("(")
            args: list[Node] = []
            while self.peek() != ("op", ")"):
                args.append(self.expression())
                if self.peek() == ("op", ","):
                    self.take(",")
            self.take(")")
            return Node("call", value, tuple(args))
        raise Untranslatable(f"'{value}' is not something our expressions can say")


def parse_xpath(text: str) -> Node:
    """The tree of an XPath expression (Untranslatable when it is not in the subset)."""
    parser = _Parser(text)
    tree = parser.expression()
    if parser.peek() is not None:
        raise Untranslatable(f"cannot read '{parser.peek()[1]}' after a complete expression")
    return tree


def _code(node: Node) -> str:
    """A literal as a code: '7' is 7, 'yes' is 'yes'."""
    value = node.value
    if node.kind == "string" and re.fullmatch(r"-?\d+", str(value)):
        return str(int(str(value)))
    if node.kind == "string":
        if "'" in str(value):
            raise Untranslatable("a code with a quote in it")
        return f"'{value}'"
    return str(value)


def _is_empty(node: Node) -> bool:
    return node.kind == "string" and node.value == ""


def _precedence(node: Node) -> int:
    """Binding strength in our language: or < and < not < comparisons < + - < * / % < unary."""
    if node.kind in ("logic", "arith"):
        return {"or": 1, "and": 2, "+": 5, "-": 5}.get(str(node.value), 6)
    return {"compare": 4, "in": 4, "negate": 7}.get(node.kind, 8)


def _bare(node: Node) -> Node:
    """`number(${q})` is `${q}` where a question is expected."""
    while node.kind == "call" and node.value in _PASS_THROUGH and len(node.args) == 1:
        node = node.args[0]
    if node.kind not in ("name", "self"):
        raise Untranslatable("only an answer can be tested for missing or selected options")
    return node


def _answer(node: Node) -> str | None:
    """The question a node reads (through ODK's casts), or None."""
    while node.kind == "call" and node.value in _PASS_THROUGH and len(node.args) == 1:
        node = node.args[0]
    return str(node.value) if node.kind == "name" else None


def _equals(node: Node) -> tuple[str, Node] | None:
    """`${q} = 3` as (q, 3)."""
    if node.kind == "compare" and node.value == "=" and node.args[1].kind in ("number", "string") \
            and not _is_empty(node.args[1]) and (name := _answer(node.args[0])):
        return name, node.args[1]
    return None


def _alternatives(node: Node) -> list[Node]:
    if node.kind == "logic" and node.value == "or":
        return [part for arg in node.args for part in _alternatives(arg)]
    return [node]


def _shorter(node: Node) -> Node | None:
    """What ODK forms (ours among them) spell out at length, in our shorter words:
    `q = 1 or q = 2` is `q in [1, 2]`; `q != '' and not(q = 6)` is `q != 6` (which in our
    language already requires an answer)."""
    if node.kind == "logic" and node.value == "or":
        tests = [_equals(part) for part in _alternatives(node)]
        if len(tests) > 1 and all(tests) and len({t[0] for t in tests if t}) == 1:
            return Node("in", tests[0][0], tuple(t[1] for t in tests if t))
    if node.kind == "logic" and node.value == "and":
        present, negated = node.args
        if present.kind == "compare" and present.value == "!=" and _is_empty(present.args[1]) \
                and negated.kind == "call" and negated.value == "not" \
                and (test := _equals(negated.args[0])) and test[0] == _answer(present.args[0]):
            return Node("compare", "!=", (Node("name", test[0]), test[1]))
    return None


@dataclass(frozen=True)
class _Writer:
    """Writes a tree in our language: `me` is what `.` stands for, `names` renames questions."""

    me: str | None
    names: Mapping[str, str]

    def text(self, node: Node) -> str:
        if node.kind == "name":
            return self.names.get(str(node.value), str(node.value))
        if node.kind == "self":
            if self.me is None:
                raise Untranslatable("'.' outside a question")
            return self.me
        if node.kind in ("number", "string"):
            return _code(node)
        if node.kind == "negate":
            return f"-{self.inner(node.args[0], node)}"
        if (shorter := _shorter(node)) is not None:
            return self.text(shorter)
        if node.kind in ("logic", "arith"):
            op = {"div": "/", "mod": "%"}.get(str(node.value), str(node.value))
            return f"{self.inner(node.args[0], node)} {op} {self.inner(node.args[1], node)}"
        if node.kind == "compare":
            return self.compare(node)
        if node.kind == "in":
            codes = ", ".join(_code(arg) for arg in node.args)
            return f"{self.names.get(str(node.value), str(node.value))} in [{codes}]"
        return self.call(node)

    def inner(self, child: Node, parent: Node) -> str:
        """A child inside its parent, in parentheses where it binds less tightly (or as
        tightly, on the right of + - * /: `a - (b - c)`)."""
        child = _shorter(child) or child
        text = self.text(child)
        weaker = _precedence(child) < _precedence(parent)
        same_right = (parent.kind == "arith" and child is parent.args[-1]
                      and _precedence(child) == _precedence(parent))
        return f"({text})" if weaker or same_right else text

    def compare(self, node: Node) -> str:
        left, right = node.args
        if _is_empty(left):
            left, right = right, left
        if _is_empty(right) and node.value in ("=", "!="):
            test = f"is_missing({self.text(_bare(left))})"
            return test if node.value == "=" else f"not {test}"
        return f"{self.inner(left, node)} {_COMPARE[str(node.value)]} {self.inner(right, node)}"

    def call(self, node: Node) -> str:
        name, args = str(node.value), node.args
        if name in _PASS_THROUGH and len(args) == 1:
            return self.text(args[0])
        if name == "not" and len(args) == 1:
            return f"not ({self.text(args[0])})"
        if name == "selected" and len(args) == 2:
            return f"selected({self.text(_bare(args[0]))}, {_code(args[1])})"
        if name == "count-selected" and len(args) == 1:
            return f"count_selected({self.text(_bare(args[0]))})"
        raise Untranslatable(f"{name}() has no counterpart in our expressions")


def render(node: Node, me: str | None = None, names: Mapping[str, str] | None = None) -> str:
    """Our expression for a tree; `me` is the question a constraint's `.` stands for, `names`
    the questions the form names otherwise (its `Q1` is our `q1_sex`)."""
    text = _Writer(me, names or {}).text(node)
    try:
        return parse(text).source
    except ExpressionError as error:
        raise Untranslatable(str(error)) from None


def translate(text: str, me: str | None = None, names: Mapping[str, str] | None = None) -> str:
    """An XPath expression in our language (Untranslatable with the reason when it cannot be)."""
    return render(parse_xpath(text), me, names)
