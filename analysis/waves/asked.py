"""Whether each wave asked the questions a comparison reads: the row, and the questions behind
the `by` variables (a segment's or derived variable's expression names them)."""

from __future__ import annotations

from collections.abc import Sequence

from survey.errors import SurveyError
from survey.expressions import parse
from survey.questionnaire.model import Questionnaire
from survey.responses.dataset import LAYOUT_NOTES
from survey.responses.missing import ANSWERED


class MissingQuestionError(SurveyError):
    """A wave whose data hold no answers to a question the comparison reads."""

    code = "wave-question-missing"


def questions_of(questionnaire: Questionnaire, name: str, seen: frozenset[str] = frozenset()
                 ) -> set[str]:
    """The questions a row or `by` name rests on: itself, or those its expressions name."""
    if name in questionnaire.items or name in seen:
        return {name} if name in questionnaire.items else set()
    seen = seen | {name}
    sources: list[str] = []
    if name in questionnaire.segments:
        sources = [questionnaire.segments[name].where]
    elif name in questionnaire.segment_groups:
        sources = [questionnaire.segments[s].where for s in questionnaire.segment_groups[name]]
    else:
        derived = next((d for d in questionnaire.derived if d.name == name), None)
        if derived is not None:
            sources = [derived.expr] if derived.expr else [c.when for c in derived.cases]
    found: set[str] = set()
    for source in sources:
        for used in parse(source).names:
            found |= questions_of(questionnaire, used, seen)
    return found


def check_asked(waves: Sequence, names_used: Sequence[str], names: Sequence[str]) -> None:
    """Raise when a wave has no column, or no answer at all, for a question it must have."""
    for wave, name in zip(waves, names, strict=True):
        q = wave.questionnaire
        layout = wave.frame.attrs.get(LAYOUT_NOTES)
        absent = set(layout.absent) if layout is not None else set()
        needed = sorted(set().union(*(questions_of(q, n) for n in names_used)))
        for question in needed:
            if question in absent:
                raise MissingQuestionError(f"{name} has no column for question '{question}': "
                                           "both waves must ask the questions compared")
            if question in wave.missing and not (wave.missing[question] == ANSWERED).any():
                raise MissingQuestionError(f"{name} has no answers to question '{question}': "
                                           "both waves must ask the questions compared")
