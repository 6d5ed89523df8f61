"""Which questions and columns a command reads: enough to compute the variables it names.

A banner of `concerns` by `migrant` reads the `concerns` block, the questions the derived
variable `migrant` is computed from, those their `relevant` conditions read (the kind of a missing
answer depends on them) and the design's columns; a Parquet file of 100 questions is then read
for a handful (column projection). Names the questionnaire does not know (a weight column) are
kept as plain columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from survey.expressions import parse
from survey.questionnaire.columns import question_columns
from survey.questionnaire.model import Questionnaire

DESIGN_PARTS = ("weight", "strata", "cluster", "fpc")


@dataclass(frozen=True)
class Needs:
    """The questions (items, grid items) to read and cast, and the other columns to keep."""

    questions: frozenset[str]
    columns: frozenset[str]

    def source_columns(self, questionnaire: Questionnaire) -> list[str]:
        """Every layout column of the questions, then the plain columns (for a projection)."""
        items = questionnaire.items
        found = [c for name in items if name in self.questions
                 for c in question_columns(items[name])]
        return found + sorted(self.columns - set(found))


def _expressions(questionnaire: Questionnaire, name: str) -> list[str]:
    """The expressions a variable is computed from (or shown by): its relevant, expr, cases."""
    if name in questionnaire.items:
        relevant = questionnaire.items[name].relevant
        return [relevant] if relevant else []
    for d in questionnaire.derived:
        if d.name == name:
            return [e for e in (d.expr, *(c.when for c in d.cases)) if e]
    if name in questionnaire.segment_groups:  # a group: each of its segments
        return [questionnaire.segments[s].where for s in questionnaire.segment_groups[name]]
    segment = questionnaire.segments.get(name)
    return [segment.where] if segment is not None else []


def needs(questionnaire: Questionnaire, names: Iterable[str]) -> Needs:
    """What computing `names` reads: questions through every expression, transitively, and
    plain columns (names that are no variable, and the questionnaire's design columns)."""
    variables = {*questionnaire.items, *(d.name for d in questionnaire.derived),
                 *questionnaire.segments, *questionnaire.segment_groups}
    design = questionnaire.design
    plain = {getattr(design, part) for part in DESIGN_PARTS} - {None}
    todo = list(names)
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name not in variables:
            plain.add(name)
            continue
        for source in _expressions(questionnaire, name):
            todo.extend(parse(source).names)
    questions = frozenset(n for n in seen if n in questionnaire.items)
    return Needs(questions, frozenset(str(c) for c in plain))
