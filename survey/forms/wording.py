"""Expressions in words, for people: "第4题选1「农业户口」或3「居民户口（以前是农业户口）」".

Paper forms, codebooks and the Wenjuanxing warnings show skip rules to interviewers, data-entry
clerks and researchers who do not read the expression language. Questions are named by their
printed number (`survey.forms.common.numbering`), derived variables by their label, and option
codes with their labels. Chinese and English wordings; any other language gets the English one.
"""

from __future__ import annotations

from collections.abc import Mapping

from survey.expressions import (
    Arithmetic,
    Call,
    Comparison,
    Expression,
    Literal,
    Logic,
    Membership,
    Name,
    Negate,
    Node,
    Not,
    Truth,
    evaluate_row,
    parse,
)
from survey.forms.common import numbering
from survey.messages import is_chinese
from survey.questionnaire.model import Question, Questionnaire

_ZH = {
    "==": "等于", "!=": "不等于", "<": "小于", "<=": "小于或等于", ">": "大于", ">=": "大于或等于",
    "and": "且", "or": "或",
}  # fmt: skip
_EN = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥", "and": "and", "or": "or"}


class Wording:
    """Renders conditions of one questionnaire in one language."""

    def __init__(self, questionnaire: Questionnaire, lang: str,
                 numbers: Mapping[str, int] | None = None) -> None:
        self.q = questionnaire
        self.lang = lang
        self.zh = is_chinese(lang)
        self.numbers = dict(numbers) if numbers is not None else numbering(questionnaire)
        self.derived = {d.name: d for d in questionnaire.derived}

    # Names and values

    def ref(self, name: str) -> str:
        """How a variable is named: 第4题 / Q4, 第12题「工资收入」 for a grid item, 「农民工」."""
        if name in self.numbers:
            number = self.numbers[name]
            text = f"第{number}题" if self.zh else f"Q{number}"
            question = self.q.items.get(name)
            if question is not None and name not in {x.name for x in self.q.questions}:
                text += self.quote(self.q.label(question.label, self.lang))
            return text
        if name in self.derived:
            return self.quote(self.q.label(self.derived[name].label, self.lang))
        return name

    def quote(self, text: str) -> str:
        return f"「{text}」" if self.zh else f"“{text}”"

    def option(self, name: str, value: object) -> str:
        """A code with its label when the variable has one: 2「否」 / 2 (No)."""
        options = self._options(name)
        code = int(value) if isinstance(value, float) and value.is_integer() else value
        if code in options:
            label = self.q.label(options[code], self.lang)
            return f"{code}{self.quote(label)}" if self.zh else f"{code} ({label})"
        return f"'{code}'" if isinstance(code, str) else str(code)

    def _options(self, name: str) -> dict:
        if name in self.q.items:
            return self.q.items[name].options or {}
        if name in self.derived:
            return self.derived[name].options or {}
        return {}

    # The tree

    def condition(self, source: str | Expression) -> str:
        """A condition in words (a bare value counts as true when non-zero)."""
        expr = parse(source) if isinstance(source, str) else source
        return self.node(expr.as_condition().root)

    def value(self, source: str | Expression) -> str:
        """A value (such as a derived variable's formula) in words."""
        expr = parse(source) if isinstance(source, str) else source
        text = self.node(expr.root)
        return text[1:-1] if isinstance(expr.root, Arithmetic) else text

    def node(self, node: Node) -> str:
        if isinstance(node, Literal):
            if isinstance(node.value, bool):
                return ("是" if node.value else "否") if self.zh else str(node.value).lower()
            return f"'{node.value}'" if isinstance(node.value, str) else str(node.value)
        if isinstance(node, Name):
            return self.ref(node.name)
        if isinstance(node, Negate):
            return f"-{self.node(node.operand)}"
        if isinstance(node, Arithmetic):
            return f"({self.node(node.left)} {node.op} {self.node(node.right)})"
        if isinstance(node, Comparison):
            return self.comparison(node)
        if isinstance(node, Membership):
            return self.membership(node)
        if isinstance(node, Logic):
            parts = [self.nested(operand) for operand in node.operands]
            joiner = f"，{_ZH[node.op]}" if self.zh else f" {node.op} "
            return joiner.join(parts)
        if isinstance(node, Not):
            return self.negation(node.operand)
        if isinstance(node, Truth):
            return self.truth(node.operand)
        return self.call(node)

    def nested(self, node: Node) -> str:
        text = self.node(node)
        if isinstance(node, Logic):
            return f"（{text}）" if self.zh else f"({text})"
        return text

    def comparison(self, node: Comparison) -> str:
        left, right = node.left, node.right
        if isinstance(right, Name) and isinstance(left, Literal):
            flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(node.op, node.op)
            return self.comparison(Comparison(flipped, right, left, node.offset))
        if isinstance(left, Name) and isinstance(right, Literal) and self._options(left.name):
            value = self.option(left.name, right.value)
            if node.op == "==":
                return f"{self.ref(left.name)}选{value}" if self.zh else \
                    f"{self.ref(left.name)} = {value}"
            if node.op == "!=":
                return f"{self.ref(left.name)}已回答且未选{value}" if self.zh else \
                    f"{self.ref(left.name)} is answered and ≠ {value}"
        words = _ZH if self.zh else _EN
        joiner = words[node.op] if self.zh else f" {words[node.op]} "
        return f"{self.node(left)}{joiner}{self.node(right)}"

    def membership(self, node: Membership) -> str:
        operand = node.operand
        name = operand.name if isinstance(operand, Name) else ""
        values = [self.option(name, item.value) if name else self.node(item) for item in node.items]
        subject = self.node(operand)
        if self.zh:
            listed = "或".join(values)
            return f"{subject}未选{listed}（且已回答）" if node.negated else f"{subject}选{listed}"
        listed = ", ".join(values)
        return (f"{subject} is answered and not one of {listed}" if node.negated
                else f"{subject} is one of {listed}" if len(values) > 1
                else f"{subject} = {listed}")

    def negation(self, operand: Node) -> str:
        if isinstance(operand, Call) and operand.function == "selected":
            return self.call(operand, negated=True)
        if isinstance(operand, Call) and operand.function == "is_missing":
            ref = self.ref(operand.question.name)
            return f"{ref}已回答" if self.zh else f"{ref} is answered"
        if isinstance(operand, Truth) and isinstance(operand.operand, Name) and \
                operand.operand.name in self.derived:
            label = self.ref(operand.operand.name)
            return f"不属于{label}" if self.zh else f"not {label}"
        inner = self.nested(operand)
        return f"并非{inner}" if self.zh else f"not {inner}"

    def truth(self, operand: Node) -> str:
        if isinstance(operand, Name) and operand.name in self.derived:
            label = self.ref(operand.name)
            return f"属于{label}" if self.zh else label
        text = self.node(operand)
        return f"{text}不为0" if self.zh else f"{text} ≠ 0"

    def call(self, node: Call, negated: bool = False) -> str:
        ref = self.ref(node.question.name)
        if node.function == "selected":
            value = self.option(node.question.name, node.code)
            if self.zh:
                return f"{ref}{'没有' if negated else ''}选{value}"
            return f"{ref} {'does not include' if negated else 'includes'} {value}"
        if node.function == "count_selected":
            return f"{ref}所选项数" if self.zh else f"the number of options chosen in {ref}"
        return f"{ref}未回答" if self.zh else f"{ref} is unanswered"

    # Sentences

    def only_if(self, source: str) -> str:
        """只在第4题选1时回答 / Answer only if Q4 = 1."""
        cond = self.condition(source)
        return f"只在{cond}时回答" if self.zh else f"Answer only if {cond}"

    def jump(self, target: int | None) -> str:
        """跳到第15题 / go to Q15: the short form printed beside an option."""
        if self.zh:
            return f"跳到第{target}题" if target else "跳到问卷结尾"
        return f"go to Q{target}" if target else "go to the end"

    def go_to(self, name: str, code: object, target: int | None) -> str:
        """如果本题选2「否」，请跳到第15题 / If 2 (No), go to Q15."""
        option = self.option(name, code)
        if self.zh:
            where = f"第{target}题" if target else "问卷结尾"
            return f"如果本题选{option}，请跳到{where}"
        return f"If {option}, go to {f'Q{target}' if target else 'the end'}"


def skip_targets(questionnaire: Questionnaire, question: Question,
                 numbers: Mapping[str, int]) -> dict[object, int | None]:
    """For each option of a single-choice question, where to go when it skips what follows.

    A code appears when choosing it makes the next question(s) irrelevant; the value is the
    number of the first question still asked after them (None: the end of the questionnaire).
    Only questions whose skip rule names `question` alone are followed; anything else stops.
    """
    if question.type not in ("single", "scale"):
        return {}
    questions = questionnaire.questions
    start = questions.index(question) + 1
    targets: dict[object, int | None] = {}
    for code in question.codes:
        skipped = 0
        target: int | None = None
        for later in questions[start:]:
            if later.type == "note":
                continue
            rule = parse(later.relevant).as_condition() if later.relevant else None
            if rule is not None and rule.names == {question.name} and \
                    evaluate_row(rule, {question.name: code}) is not True:
                skipped += 1
                continue
            target = numbers.get(later.name)
            break
        if skipped:
            targets[code] = target
    return targets
