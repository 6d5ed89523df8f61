"""Which export column holds which questionnaire variable: matched by name, number or label.

Every platform names its columns differently (`basic/gender`, `1、您的性别`, `Q1`, a label in
Chinese or English). A platform reader turns each header into a `HeaderKey` (what the header says);
`match_columns` resolves the keys against the questionnaire and returns a `ColumnMapping`, a tidy
table with one row per source column saying which variable (and option) it holds and how it was
matched. A mapping file (YAML, `columns: {"5、您最关心…": concerns}`) overrides any of it.

Questions are numbered in questionnaire order, 1-based, the way Wenjuanxing and Qualtrics number
them: notes are not numbered, and a grid is one number (its items are the rows of the matrix).
Columns that match nothing are kept by the readers and listed here with role `unmapped`.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import pandas as pd

from survey.files.source import Problem, SourceError, excerpt, suggest
from survey.questionnaire.columns import option_column, text_column
from survey.questionnaire.model import Code, Question, Questionnaire

Role = Literal["value", "option", "other_text", "meta", "unmapped"]
By = Literal["name", "number", "label"]
TABLE_COLUMNS = ["position", "column", "variable", "option", "role", "matched_by", "warning"]
STEM_CHARS = 2000  # of a header compared with a label: no stem is longer, a hostile one is
STEM_SIMILARITY = 0.5  # difflib ratio below which a stem matched by number "differs"
_TAGS = re.compile(r"<[^>]+>")
_TRAILING = re.compile(r"[\s:：?？*。.、]+$")


def normalise(text: object) -> str:
    """A label as compared across platforms: NFKC (full-width to ASCII), no HTML, spaces or
    trailing punctuation, lower case."""
    text = unicodedata.normalize("NFKC", str(text))
    text = _TAGS.sub("", text)
    text = re.sub(r"\s+", "", text)
    return _TRAILING.sub("", text).lower()


def numbered(questionnaire: Questionnaire) -> dict[int, Question]:
    """The questions by their 1-based number: notes are not numbered, a grid is one question."""
    answerable = [q for q in questionnaire.questions if q.type != "note"]
    return {i: q for i, q in enumerate(answerable, start=1)}


def number_of(questionnaire: Questionnaire) -> dict[str, int]:
    """The number of each question (by name), as `numbered`."""
    return {q.name: n for n, q in numbered(questionnaire).items()}


@dataclass(frozen=True)
class HeaderKey:
    """What a header says about its column, before it is matched to the questionnaire.

    `question` is a name, a question number or a label text (`by` says which); `option` names an
    option or a grid item (by code/name or by label text), or is None; `text` marks the free-text
    column of an option ("其他，请注明"); `meta` names a platform metadata column.
    """

    question: str | int | None = None
    by: By = "name"
    option: str | None = None
    text: bool = False
    meta: str | None = None


@dataclass(frozen=True)
class Target:
    variable: str | None
    option: Code | None
    role: Role
    matched_by: str


class ColumnMapping:
    """The resolved mapping of an export's columns; `table` is the tidy report."""

    def __init__(self, columns: list[str], targets: list[Target],
                 warnings: tuple[Problem, ...] = ()):
        self.columns = columns
        self.targets = targets
        self.warnings = warnings  # located; `column` is the 1-based position

    def with_warnings(self, warnings: list[Problem]) -> ColumnMapping:
        return ColumnMapping(self.columns, self.targets, self.warnings + tuple(warnings))

    @cached_property
    def table(self) -> pd.DataFrame:
        said = {w.column: w.message for w in self.warnings}
        rows = [(i + 1, c, t.variable, t.option, t.role, t.matched_by, said.get(i + 1, ""))
                for i, (c, t) in enumerate(zip(self.columns, self.targets, strict=True))]
        return pd.DataFrame(rows, columns=TABLE_COLUMNS).astype(
            {"variable": object, "option": object})

    def of_role(self, role: Role) -> list[tuple[int, str, Target]]:
        """(position, column, target) of the columns with this role, in file order."""
        return [(i, c, t) for i, (c, t) in enumerate(zip(self.columns, self.targets, strict=True))
                if t.role == role]

    def value_columns(self) -> dict[str, tuple[int, str]]:
        """variable -> (position, source column) of its one value column."""
        return {t.variable: (i, c) for i, c, t in self.of_role("value")}

    def option_columns(self) -> dict[str, dict[Code, tuple[int, str]]]:
        """set question -> {option code: (position, source column)}."""
        found: dict[str, dict[Code, tuple[int, str]]] = {}
        for i, c, t in self.of_role("option"):
            found.setdefault(t.variable, {})[t.option] = (i, c)
        return found

    def text_columns(self) -> dict[tuple[str, Code], tuple[int, str]]:
        return {(t.variable, t.option): (i, c) for i, c, t in self.of_role("other_text")}

    def meta_columns(self) -> dict[str, tuple[int, str]]:
        return {t.variable: (i, c) for i, c, t in self.of_role("meta")}

    @property
    def unmapped(self) -> list[str]:
        return [c for _, c, _ in self.of_role("unmapped")]


class HeaderIndex:
    """Lookups of a questionnaire by name, number and label text, in every language."""

    def __init__(self, questionnaire: Questionnaire):
        self.q = questionnaire
        self.by_number = numbered(questionnaire)
        self.by_name: dict[str, tuple[Question, str | None]] = {}
        self.by_label: dict[str, tuple[Question, str | None]] = {}
        for question in self.by_number.values():
            self.by_name[question.name] = (question, None)
            for text in question.label.values():
                self.by_label.setdefault(normalise(text), (question, None))
            for item in question.items:
                self.by_name[item.name] = (question, item.name)
                for text in item.label.values():
                    self.by_label.setdefault(normalise(text), (question, item.name))

    @cached_property
    def by_folded_name(self) -> dict[str, list[str]]:
        """The names by their lower case: an export's `Age` may be the questionnaire's `age`."""
        folded: dict[str, list[str]] = {}
        for name in self.by_name:
            folded.setdefault(name.lower(), []).append(name)
        return folded

    def options(self, question: Question) -> dict[Code, dict[str, str]]:
        options = question.options
        if isinstance(options, str):
            options = self.q.choice_lists.get(options, {})
        return dict(options or {})

    def find(self, key: HeaderKey) -> tuple[Question, str | None] | None:
        if key.by == "number":
            question = self.by_number.get(int(key.question))  # type: ignore[arg-type]
            return (question, None) if question else None
        if key.by == "name":
            return self.by_name.get(str(key.question))
        return self.by_label.get(normalise(key.question))

    def option(self, question: Question, written: str) -> Code | None:
        """An option code from its code as written or its label in any language."""
        options = self.options(question)
        for code in options:
            if str(code) == written.strip():
                return code
        wanted = normalise(written)
        for code, label in options.items():
            if any(normalise(text) == wanted for text in label.values()):
                return code
        return None

    def item(self, question: Question, written: str) -> str | None:
        wanted = normalise(written)
        for item in question.items:
            if item.name == written.strip() or any(
                    normalise(t) == wanted for t in item.label.values()):
                return item.name
        return None


def match_columns(columns: list[str], keys: list[HeaderKey | None], questionnaire: Questionnaire,
                  file: str, overrides: dict[str, Target] | None = None,
                  header_line: int = 1, require_match: bool = True) -> ColumnMapping:
    """Resolve each header's key; raise SourceError for headers that name a question or option
    the questionnaire does not have, or (`require_match`) when no column matches at all."""
    index = HeaderIndex(questionnaire)
    overrides = overrides or {}
    targets: list[Target] = []
    problems: list[Problem] = []
    for position, (column, key) in enumerate(zip(columns, keys, strict=True), start=1):
        if column in overrides:
            targets.append(overrides[column])
            continue
        try:
            targets.append(_resolve(index, key))
        except LookupError as error:
            problems.append(Problem(file, header_line, position, "unknown-column",
                                    f"column {position} '{excerpt(column)}': "
                                    f"{error.args[0]}"))
            targets.append(Target(None, None, "unmapped", "unmatched"))
    seen: dict[tuple, int] = {}
    for position, (column, target) in enumerate(zip(columns, targets, strict=True), start=1):
        if target.role in ("value", "option", "other_text"):
            slot = (target.role, target.variable, target.option)
            if slot in seen:
                problems.append(Problem(
                    file, header_line, position, "duplicate-column",
                    f"column {position} '{excerpt(column)}' holds {_describe(target)} again "
                    f"(first in column {seen[slot]}); rename or remove one of them"))
            seen.setdefault(slot, position)
    if problems:
        raise SourceError(problems)
    if require_match and not any(t.role in ("value", "option") for t in targets):
        raise SourceError([Problem(file, header_line, 1, "no-matching-columns",
                                   "no column matches a question of the questionnaire "
                                   f"'{questionnaire.survey.id}'; is it the right questionnaire? "
                                   "(a mapping file can name the columns)")])
    return ColumnMapping(list(columns), targets)


# Words most Chinese stems share, so that '您的年龄' is not taken for '您的出生年份是？'.
_FILLER = re.compile(r"请问|您的|你的|您|你|目前|现在|是|吗|呢")
_BRACKETED = re.compile(r"[(（\[【〔][^()（）\[\]【】〔〕]*[)）\]】〕]")


def _comparable(text: str) -> str:
    """A stem or label without bracketed notes such as (多选) or （最多选3项）, or punctuation."""
    text = unicodedata.normalize("NFKC", _TAGS.sub("", str(text)))
    text = _FILLER.sub("", _BRACKETED.sub("", text))
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PSZ").lower()


def stem_resembles(stem: str, question: Question) -> bool:
    """Whether a header's stem text looks like the question's label in any language: equal or
    contained after `_comparable`, or a difflib ratio of at least STEM_SIMILARITY."""
    written = _comparable(str(stem)[:STEM_CHARS])
    if not written:
        return True
    for label in question.label.values():
        wanted = _comparable(label)
        if not wanted or written in wanted or wanted in written:
            return True
        matcher = difflib.SequenceMatcher(None, written, wanted)  # the length bound first
        if matcher.real_quick_ratio() >= STEM_SIMILARITY and \
                matcher.ratio() >= STEM_SIMILARITY:
            return True
    return False


def stem_warning(file: str, position: int, column: str, number: int, question: Question,
                 questionnaire: Questionnaire, header_line: int = 1) -> Problem:
    """A located warning: a column matched by question number whose stem is another question's."""
    label = questionnaire.label(question.label, None)
    return Problem(file, header_line, position, "stem-differs",
                   f"column {position} '{excerpt(column)}' matched question {number} "
                   f"'{question.name}' by "
                   f"number, but its text differs from the label '{label}'; check the "
                   "questionnaire version")


def _describe(target: Target) -> str:
    what = f"'{target.variable}'"
    if target.option is not None:
        what += f" option '{target.option}'"
    return what + (" free text" if target.role == "other_text" else "")


def _resolve(index: HeaderIndex, key: HeaderKey | None) -> Target:
    if key is None:
        return Target(None, None, "unmapped", "unmatched")
    if key.meta:
        return Target(key.meta, None, "meta", "metadata")
    found = index.find(key)
    if found is None:
        if key.by == "number":
            raise LookupError(f"there is no question {key.question}; the questionnaire numbers "
                              f"{len(index.by_number)} questions (notes are not numbered)")
        if key.by == "name" and key.option is not None:
            raise LookupError(f"there is no question '{excerpt(key.question)}'"
                              f"{suggest(str(key.question), index.by_name)}")
        return Target(None, None, "unmapped", "unmatched")
    question, item = found
    if item is not None:
        return Target(item, None, "value", key.by)
    if key.option is None:
        return Target(question.name, None, "value", key.by)
    if question.type == "grid":
        name = index.item(question, key.option)
        if name is None:
            raise LookupError(f"question {question.name} has no grid item "
                              f"'{excerpt(key.option)}'")
        return Target(name, None, "value", key.by)
    code = index.option(question, key.option)
    if code is None:
        if key.text and question.other is not None:
            code = question.other
        else:
            choices = ", ".join(str(c) for c in index.options(question)) or "none"
            raise LookupError(f"question {question.name} has no option '{excerpt(key.option)}' "
                              f"(its options: {choices})")
    if key.text or not question.is_set:
        return Target(question.name, code, "other_text", key.by)
    return Target(question.name, code, "option", key.by)


def layout_targets(questionnaire: Questionnaire) -> dict[str, Target]:
    """The columns of a multi/rank block and the free-text columns of docs/reference/responses.md,
    by name: `concerns__income_any` (an option) and `concerns__other_text` (an option's free
    text)."""
    found: dict[str, Target] = {}
    for question in questionnaire.items.values():
        if question.is_set:
            for code in question.codes:
                found[option_column(question.name, code)] = Target(question.name, code, "option",
                                                                   "name")
        if question.other is not None:
            found[text_column(question.name, question.other)] = Target(
                question.name, question.other, "other_text", "name")
    return found
