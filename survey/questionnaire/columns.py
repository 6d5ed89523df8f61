"""The column names of docs/reference/responses.md: the one place that spells them.

A single-valued question is the column of its name; a multi or rank question is a block of
`<name>__<code>` columns; the free text of an "other" option is `<name>__<code>_text`. Every
reader, writer, form and table names columns through these functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from survey.questionnaire.model import Code, Question, Questionnaire

SEPARATOR = "__"  # between a question's name and an option code
TEXT_SUFFIX = "_text"
PROBLEMS = "_problems"  # the validation's count of problems per respondent (`survey import`)


def option_column(name: str, code: Code) -> str:
    """The column of one option of a multi or rank question: `<name>__<code>`."""
    return f"{name}{SEPARATOR}{code}"


def text_column(name: str, code: Code) -> str:
    """The free-text column of an option that asks to specify: `<name>__<code>_text`."""
    return f"{name}{SEPARATOR}{code}{TEXT_SUFFIX}"


def block_columns(q: Question) -> dict[Code, str]:
    """The block of a multi or rank question: {code: '<name>__<code>'} in option order."""
    return {code: option_column(q.name, code) for code in q.codes}


def other_column(q: Question) -> str | None:
    """The free-text column of the question's `other` option, if it has one."""
    return text_column(q.name, q.other) if q.other is not None else None


def question_columns(q: Question) -> list[str]:
    """Every column one answerable variable occupies, in layout order."""
    columns = list(block_columns(q).values()) if q.is_set else [q.name]
    other = other_column(q)
    return columns + ([other] if other else [])


def layout_columns(questionnaire: Questionnaire) -> list[str]:
    """All questionnaire columns in questionnaire order."""
    return [c for q in questionnaire.items.values() for c in question_columns(q)]


def variables(questionnaire: Questionnaire) -> Iterator[Question]:
    """The answerable variables (grid items as scale questions), in order."""
    return iter(questionnaire.items.values())


def is_ordered(q: Question) -> bool:
    return q.type == "scale" or (q.type == "single" and q.ordered)


def case_renames(columns: Iterable[str], questionnaire: Questionnaire) -> dict[str, str]:
    """{source column: layout column} for columns that differ from a layout column in case
    alone (SPSS and Stata users write `Sex` for `sex`); only where the match is unambiguous and
    the exact name is not there already."""
    columns = [str(c) for c in columns]
    present = set(columns)
    by_lower: dict[str, list[str]] = {}
    for column in columns:
        by_lower.setdefault(column.lower(), []).append(column)
    wanted = {c.lower(): c for c in layout_columns(questionnaire)}
    return {found[0]: wanted[lower] for lower, found in by_lower.items()
            if lower in wanted and wanted[lower] not in present and len(found) == 1}
