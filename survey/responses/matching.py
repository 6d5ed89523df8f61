"""What an import found: each question's source columns and answers, the questions no column
holds, and the source columns nothing used. An import never loses a question without a word.

`from_raw` records which questions had no column and which source columns it did not place
(`frame.attrs["layout"]`); a platform reader's mapping table says which export column became
which variable. The summary is built from both and is what `survey import` prints (and, with
`--json`, prints as a document).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from survey.files.source import Problem, SourceError, suggest
from survey.responses.dataset import LAYOUT_NOTES, LayoutNotes, Responses
from survey.responses.missing import ANSWERED


@dataclass(frozen=True)
class QuestionMatch:
    name: str
    columns: tuple[str, ...]  # the source columns that hold it
    answers: int  # respondents who answered it (don't know is not an answer)

    @property
    def found(self) -> bool:
        return bool(self.columns)


@dataclass(frozen=True)
class MatchSummary:
    """Per question its source columns and answers; the source columns left unused."""

    respondents: int
    questions: tuple[QuestionMatch, ...]
    unused: tuple[str, ...]
    notes: tuple[str, ...] = ()  # rows or columns the reader left out, and why

    @property
    def unmatched(self) -> tuple[QuestionMatch, ...]:
        return tuple(q for q in self.questions if not q.found)

    @property
    def answers(self) -> int:
        return sum(q.answers for q in self.questions)

    def to_json(self) -> dict[str, Any]:
        return {"respondents": self.respondents,
                "questions": [{"name": q.name, "columns": list(q.columns), "answers": q.answers}
                              for q in self.questions],
                "unmatched": [q.name for q in self.unmatched], "unused": list(self.unused),
                "notes": list(self.notes)}

    def warnings(self, file: str) -> list[Problem]:
        """One warning per question no column holds, with the nearest unused source column."""
        return [Problem(file, 1, 1, "no-column",
                        f"question '{q.name}' has no column in the file; its answers are all "
                        f"missing{suggest(q.name, self.unused)}") for q in self.unmatched]

    def lines(self) -> list[str]:
        found = len(self.questions) - len(self.unmatched)
        lines = [f"matched {found} of {len(self.questions)} questions; "
                 f"{len(self.unused)} source column(s) not matched to a question"
                 + (f": {', '.join(self.unused[:10])}" + (" ..." if len(self.unused) > 10
                                                          else "") if self.unused else "")]
        lines += list(self.notes)
        silent = [q.name for q in self.questions if q.found and q.answers == 0]
        if silent:
            lines.append(f"no answers at all to: {', '.join(silent)}")
        return lines


def match_summary(responses: Responses) -> MatchSummary:
    """The match of an import (see the module docstring)."""
    from survey.readers.export_table import import_notes  # readers build on responses

    layout = responses.frame.attrs.get(LAYOUT_NOTES) or LayoutNotes((), ())
    notes = import_notes(responses.frame)
    mapped: dict[str, list[str]] = {}
    unused = list(layout.unused)
    if notes is not None:
        for row in notes.mapping.itertuples():
            if isinstance(row.variable, str) and row.variable:
                mapped.setdefault(_question_of(responses, row.variable), []).append(row.column)
        unused = [str(row.column) for row in notes.mapping.itertuples()
                  if not (isinstance(row.variable, str) and row.variable)]
    missing = responses.missing
    questions = []
    for name in responses.questionnaire.items:
        if notes is not None:
            columns = tuple(mapped.get(name, ()))
        else:
            columns = () if name in layout.absent else tuple(responses.columns_of(name))
        answers = int((missing[name].to_numpy() == ANSWERED).sum())
        questions.append(QuestionMatch(name, columns, answers))
    return MatchSummary(len(responses), tuple(questions), tuple(unused), layout.notes)


def _question_of(responses: Responses, variable: str) -> str:
    items = responses.questionnaire.items
    return variable if variable in items else variable.split("__")[0]


def refuse_empty(summary: MatchSummary, file: str) -> None:
    """No question matched, or no answer at all: an error, so that nothing is written."""
    if summary.questions and not any(q.found for q in summary.questions):
        raise SourceError([Problem(file, 1, 1, "no-questions-matched",
                                   "no column of the file matches a question of the "
                                   "questionnaire; is it the right questionnaire, or does the "
                                   "file need a mapping (docs/reference/mapping.md)?")])
    if summary.respondents == 0 or summary.answers == 0:
        raise SourceError([Problem(file, 1, 1, "no-answers",
                                   f"the file has {summary.respondents} respondent(s) and no "
                                   "answer to any question")])
