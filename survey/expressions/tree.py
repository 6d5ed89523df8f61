"""The parsed form of an expression: a small tree of our own, and what the checks need of it.

Every node carries the character offset where it starts in the source, so a problem found later
(an unknown name, a code a question does not have) points at the right column.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from survey.errors import SurveyError

FUNCTIONS = ("selected", "count_selected", "is_missing")


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
