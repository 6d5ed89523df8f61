"""Questionnaire → Wenjuanxing (问卷星) batch-import text, and what that text cannot carry.

The text follows the official DSL (wjx-cli `dsl-syntax.md`; ../shared/formats.md §3.2): the title
line, a blank line and the description, then blocks `N. 题干[题型]` separated by blank lines with
one option a line, `（选填）` after the type for optional questions, `[量表题]` with `1~5`,
`[矩阵量表题]` with `行：`/`- item` rows and `列：` columns, `[段落说明]` for notes and
`=== 分页 ===` between sections. Type labels are always Chinese, whatever the language of the text.

The DSL has no skip logic, validation, choice limits, exclusive options or option codes (wjx
numbers options 1, 2, ... by position). Everything lost is returned as a `Loss` per question, so
the researcher can set it by hand in the wjx editor; `wjx_text(...).losses` lists them.
Question numbers in the text count notes too (the DSL numbers every block); wjx drops the
paragraphs and renumbers on import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from survey.files.atomic import write_atomic
from survey.forms.common import code_range, numbering
from survey.forms.wording import Wording
from survey.messages import is_chinese, pick_language, words
from survey.messages.forms import WJX_LOSSES
from survey.questionnaire.model import Question, Questionnaire

PAGE_BREAK = "=== 分页 ==="

_TYPES = {"single": "单选题", "multi": "多选题", "rank": "排序题", "scale": "量表题",
          "grid": "矩阵量表题", "number": "填空题", "text": "填空题", "date": "填空题",
          "note": "段落说明"}

# The wjx parser strips a leading "A " from an option line (it takes it for a list letter).
_LETTER_PREFIX = re.compile(r"^[A-Za-z]\s+")



@dataclass(frozen=True)
class Loss:
    """Something of one question that the wjx text cannot express."""

    number: int
    name: str
    code: str  # relevant, constraint, max_choices, exclusive, number, other, codes, ...
    message: str

    def __str__(self) -> str:
        return f"{self.number}. {self.name}: {self.message}"


@dataclass(frozen=True)
class WjxText:
    """The import text and the list of what it lost."""

    text: str
    losses: list[Loss] = field(default_factory=list)


def _line(text: str) -> str:
    """One line of DSL: no line breaks, and brackets that cannot be read as a type label."""
    return " ".join(text.split()).replace("[", "【").replace("]", "】")


class _Wjx:
    def __init__(self, questionnaire: Questionnaire, lang: str) -> None:
        self.q = questionnaire
        self.lang = lang
        self.zh = is_chinese(lang)
        self.numbers = numbering(questionnaire, notes=True)
        self.words = Wording(questionnaire, lang, self.numbers)
        self.messages = words(WJX_LOSSES, lang)
        self.losses: list[Loss] = []

    def label(self, text: dict[str, str] | None) -> str:
        return self.q.label(text, self.lang)

    def lose(self, q: Question, kind: str, **values: object) -> None:
        message = self.messages[kind].format(**values)
        self.losses.append(Loss(self.numbers[q.name], q.name, kind, message))

    def option(self, q: Question, code: object) -> str:
        return self.label((q.options or {}).get(code))

    def options(self, q: Question, codes: list | None = None) -> list[str]:
        codes = q.codes if codes is None else codes
        lines = []
        for code in codes:
            text = _line(self.option(q, code))
            if _LETTER_PREFIX.match(text):
                self.lose(q, "letter", text=text)
            lines.append(text)
        if codes != list(range(1, len(codes) + 1)):
            self.lose(q, "codes", n=len(codes), codes=", ".join(str(c) for c in codes))
        return lines

    def block(self, q: Question) -> list[str]:
        stem = self.label(q.label)
        hint = self.label(q.hint)
        if hint:
            stem += f"（{hint}）" if self.zh else f" ({hint})"
        kind = _TYPES[q.type]
        body: list[str] = []
        if q.type in ("single", "multi", "rank"):
            body = self.options(q)
        elif q.type == "scale":
            body, kind = self.scale(q)
        elif q.type == "grid":
            body = ["行：", *(f"- {_line(self.label(item.label))}" for item in q.items), "列："]
            body += [f"- {text}" for text in self.options(q, self.substantive(q))]
        optional = "（选填）" if not q.required and q.type != "note" else ""
        self.record_losses(q)
        return [f"{self.numbers[q.name]}. {_line(stem)}[{kind}]{optional}", *body]

    def substantive(self, q: Question) -> list:
        if q.dont_know is None:
            return q.codes
        self.lose(q, "dont_know", option=self.option(q, q.dont_know), code=q.dont_know)
        return [c for c in q.codes if c != q.dont_know]

    def scale(self, q: Question) -> tuple[list[str], str]:
        span = code_range(q)
        if span is None:
            self.lose(q, "not_scale")
            return self.options(q), _TYPES["single"]
        self.substantive(q)
        labels = "，" if self.zh else ", "
        self.lose(q, "scale_labels", low=span[0], high=span[1], labels=labels.join(
            f"{c}={self.option(q, c)}" for c in range(span[0], span[1] + 1)))
        return [f"{span[0]}~{span[1]}"], _TYPES["scale"]

    def record_losses(self, q: Question) -> None:
        if q.relevant:
            self.lose(q, "relevant", detail=self.words.only_if(q.relevant))
        if q.constraint:
            self.lose(q, "constraint", detail=self.words.condition(q.constraint))
        if q.type == "rank" and q.max_choices and q.max_choices < len(q.codes):
            self.lose(q, "rank_limit", n=q.max_choices)
        elif q.max_choices and q.max_choices < len(q.codes):
            self.lose(q, "max_choices", n=q.max_choices)
        if q.min_choices:
            self.lose(q, "min_choices", n=q.min_choices)
        for code in q.exclusive:
            self.lose(q, "exclusive", option=self.words.option(q.name, code))
        if q.type in ("number", "date"):
            parts = []
            if q.min is not None:
                parts.append(f"≥ {_text(q.min)}")
            if q.max is not None:
                parts.append(f"≤ {_text(q.max)}")
            if q.type == "number":
                parts.append(("整数" if self.zh else "integer") if q.integer
                             else ("可有小数" if self.zh else "decimal"))
            else:
                parts.insert(0, "YYYY-MM-DD")
            self.lose(q, q.type, detail=", ".join(parts))
        if q.max_length:
            self.lose(q, "max_length", n=q.max_length)
        if q.other is not None:
            self.lose(q, "other", option=self.option(q, q.other))

    def text(self) -> str:
        info = self.q.survey
        lines = [_line(self.label(info.title)), ""]
        description = self.label(info.description)
        if description:
            lines += [_line(description), ""]
        asked = False
        for q in self.q.questions:
            if q.type == "note" and asked:
                lines += [PAGE_BREAK, ""]
            asked = asked or q.type != "note"
            lines += [*self.block(q), ""]
        return "\n".join(lines).rstrip("\n") + "\n"


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def wjx_text(questionnaire: Questionnaire, lang: str | None = None) -> WjxText:
    """The Wenjuanxing import text in `lang` (default: the first language) and its losses."""
    builder = _Wjx(questionnaire, pick_language(questionnaire, lang))
    text = builder.text()
    return WjxText(text, builder.losses)


def write_wjx(questionnaire: Questionnaire, path: str | Path,
              lang: str | None = None) -> WjxText:
    """Write the import text (UTF-8) to `path`, whole or not at all; return it with its losses."""
    result = wjx_text(questionnaire, lang)
    write_atomic(path, result.text)
    return result
