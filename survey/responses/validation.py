"""Validation of Responses against their questionnaire: every problem reported, nothing changed.

Each kind of problem is a small class with a stable `code` (as frictionless does): an unknown
code, too many or too few choices, an exclusive option combined with others, an answer where skip
logic hid the question, a required answer missing, a number out of range, a failed constraint,
a duplicate respondent id, a speeder, a straight-liner. `validate` checks column-wise (one
vectorised pass per question, never per row) and returns a `ValidationReport`: a tidy table with
one row per problem (1-based data row as in the source file, respondent id, variable, column,
value, message) and a summary. `flag` adds a `_problems` count per respondent; no answer is ever
fixed or dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from survey.expressions import parse
from survey.expressions.pandas_eval import evaluate
from survey.questionnaire.columns import PROBLEMS, option_column
from survey.questionnaire.model import Question
from survey.readers.export_table import import_notes
from survey.responses.dataset import Responses
from survey.responses.missing import ANSWERED, DONT_KNOW

REPORT_COLUMNS = ["row", "respondent_id", "variable", "column", "code", "value", "message"]


@dataclass(frozen=True)
class DataProblem:
    """One problem in the data, located by row (1-based, as in the source file) and column."""

    code: ClassVar[str] = "data-problem"
    description: ClassVar[str] = "a problem in the data"
    row: int
    respondent_id: str | None
    variable: str | None
    column: str | None
    value: object
    message: str


class UnknownCode(DataProblem):
    code = "unknown-code"
    description = "an answer that is not one of the question's options"


class TooManyChoices(DataProblem):
    code = "too-many-choices"
    description = "more options chosen than max_choices allows"


class TooFewChoices(DataProblem):
    code = "too-few-choices"
    description = "fewer options chosen than min_choices requires"


class ExclusiveCombined(DataProblem):
    code = "exclusive-combined"
    description = "an exclusive option (such as 'none') chosen together with others"


class DuplicateRank(DataProblem):
    code = "duplicate-rank"
    description = "two options given the same rank position"


class AnsweredWhenSkipped(DataProblem):
    code = "answered-when-skipped"
    description = "an answer where the question's skip logic says it was not shown"


class RequiredMissing(DataProblem):
    code = "required-missing"
    description = "no answer to a required question that was shown"


class OutOfRange(DataProblem):
    code = "out-of-range"
    description = "a number or date outside the question's min/max, or a fraction where an " \
                  "integer is required"


class ConstraintFailed(DataProblem):
    code = "constraint-failed"
    description = "an answer for which the question's constraint does not hold"


class DuplicateId(DataProblem):
    code = "duplicate-id"
    description = "a respondent id that occurs more than once"


class Speeder(DataProblem):
    code = "speeder"
    description = "an interview much faster than the median (default: under a third of it)"


class StraightLiner(DataProblem):
    code = "straight-liner"
    description = "the same answer to every item of a grid (grids of 4 or more items)"


KINDS: dict[str, type[DataProblem]] = {k.code: k for k in (
    UnknownCode, TooManyChoices, TooFewChoices, ExclusiveCombined, DuplicateRank,
    AnsweredWhenSkipped, RequiredMissing, OutOfRange, ConstraintFailed, DuplicateId, Speeder,
    StraightLiner)}


@dataclass(frozen=True)
class Options:
    """Thresholds: a speeder takes less than `speeder_fraction` of the median duration (in the
    column `duration`); straight-lining is checked in grids of at least `straightline_items`."""

    speeder_fraction: float = 1 / 3
    duration: str = "duration_seconds"
    straightline_items: int = 4
    respondent_id: str = "respondent_id"


@dataclass(frozen=True)
class ValidationReport:
    table: pd.DataFrame  # REPORT_COLUMNS, one row per problem
    respondents: int

    @property
    def ok(self) -> bool:
        return self.table.empty

    def summary(self) -> pd.DataFrame:
        """Problems and respondents affected per code."""
        grouped = self.table.groupby("code", sort=True)
        return pd.DataFrame({"problems": grouped.size(),
                             "respondents": grouped["row"].nunique()}).reset_index()

    def summary_text(self) -> str:
        if self.ok:
            return f"validation: no problems in {self.respondents} respondents"
        lines = [f"validation: {len(self.table)} problems in "
                 f"{self.table['row'].nunique()} of {self.respondents} respondents"]
        for code, problems, respondents in self.summary().itertuples(index=False):
            lines.append(f"  {code:<22} {problems:>7} problems, {respondents:>6} respondents")
        return "\n".join(lines)

    def problems(self) -> list[DataProblem]:
        """The report rows as problem objects (one class per kind)."""
        return [KINDS.get(r.code, DataProblem)(r.row, r.respondent_id, r.variable, r.column,
                                               r.value, r.message)
                for r in self.table.itertuples(index=False)]

    def counts(self) -> pd.Series:
        """Problems per respondent (0 for none), on the Responses' index."""
        counts = self.table.groupby("row").size()
        return counts.reindex(range(1, self.respondents + 1), fill_value=0) \
            .set_axis(range(self.respondents)).astype("Int64")


class _Collector:
    def __init__(self, responses: Responses, options: Options):
        self.r = responses
        self.options = options
        self.chunks: list[pd.DataFrame] = []
        frame = responses.frame
        self.ids = frame[options.respondent_id].astype(object).to_numpy() \
            if options.respondent_id in frame else np.full(len(frame), None, dtype=object)

    def add(self, kind: type[DataProblem], mask, variable: str | None, column: str | None,
            values, message: str) -> None:
        """Report `kind` where `mask` holds; `message` may use {value}."""
        rows = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(rows):
            return
        if values is None or np.isscalar(values):
            values = np.full(len(rows), values, dtype=object)
        else:
            values = pd.Series(values).to_numpy(dtype=object)[rows]
        head, _, tail = message.partition("{value}")
        texts = pd.Series(values, dtype=object).astype(str)
        messages = (head + texts + tail) if "{value}" in message else message
        self.chunks.append(pd.DataFrame({
            "row": rows + 1, "respondent_id": self.ids[rows], "variable": variable,
            "column": column, "code": kind.code, "value": values, "message": messages}))

    def report(self) -> ValidationReport:
        chunks = [c for c in self.chunks if not c.empty]
        table = pd.concat(chunks, ignore_index=True) if chunks else \
            pd.DataFrame(columns=REPORT_COLUMNS)
        table = table.sort_values(["row", "code"], kind="stable").reset_index(drop=True)
        return ValidationReport(table.astype({"row": "int64"}), len(self.r))


def validate(responses: Responses, options: Options | None = None,
             read_problems: pd.DataFrame | None = None) -> ValidationReport:
    """Check every answer against the questionnaire; problems found while reading (unknown
    labels in joined multi-select cells) come from `read_problems` or the reader's attrs."""
    options = options or Options()
    c = _Collector(responses, options)
    frame, missing, q = responses.frame, responses.missing, responses.questionnaire
    env = responses.environment()
    for name, question in q.items.items():
        shown = _shown(question, env, len(frame))
        kinds = missing[name].to_numpy()
        answered = (kinds == ANSWERED) | (kinds == DONT_KNOW)
        if question.relevant:
            c.add(AnsweredWhenSkipped, answered & ~shown, name, name,
                  "answered", f"{name} is answered but its skip logic ({question.relevant}) "
                  "says it was not shown")
        if question.required:
            c.add(RequiredMissing, shown & ~answered, name, name, None,
                  f"{name} is required but has no answer")
        if question.is_set:
            _check_set(c, question, frame)
        elif question.type in ("single", "scale"):
            values = frame[name]
            unknown = values.isin([v for v in values.cat.categories if v not in question.codes])
            c.add(UnknownCode, unknown, name, name, values.astype(object),
                  f"'{{value}}' is not an option of {name}")
        elif question.type in ("number", "date"):
            _check_range(c, question, frame[name])
        if question.constraint:
            holds = evaluate(parse(question.constraint).as_condition(), env).to_numpy(dtype=bool)
            c.add(ConstraintFailed, (kinds == ANSWERED) & ~holds, name, name,
                  _shown_value(responses, question),
                  f"{name} = {{value}} fails its constraint ({question.constraint})")
    for grid in q.questions:
        if grid.type == "grid" and len(grid.items) >= options.straightline_items:
            items = frame[[i.name for i in grid.items]].astype(object)
            first = items.iloc[:, 0]
            same = items.notna().all(axis=1) & items.eq(first, axis=0).all(axis=1)
            c.add(StraightLiner, same, grid.name, None, first,
                  f"every item of {grid.name} answered {{value}}")
    if options.respondent_id in frame:
        ids = frame[options.respondent_id]
        c.add(DuplicateId, ids.notna() & ids.duplicated(keep=False), None,
              options.respondent_id, ids.astype(object), "respondent id '{value}' occurs more "
              "than once")
    if options.duration in frame:
        seconds = pd.to_numeric(frame[options.duration], errors="coerce").astype("float64")
        limit = options.speeder_fraction * seconds.median()
        c.add(Speeder, (seconds < limit).fillna(False), None, options.duration, seconds,
              f"took {{value}} s, under {options.speeder_fraction:.2g} of the median "
              f"({seconds.median():g} s)")
    notes = import_notes(frame)
    extra = read_problems if read_problems is not None else notes and notes.problems
    if extra is not None and len(extra):
        found = pd.concat(c.chunks) if c.chunks else pd.DataFrame(columns=REPORT_COLUMNS)
        seen = set(zip(found["row"], found["variable"], strict=True))
        new = extra[[(r, v) not in seen for r, v in zip(extra["row"], extra["variable"],
                                                          strict=True)]]
        c.chunks.append(new.assign(respondent_id=c.ids[new["row"].to_numpy(dtype=int) - 1])
                        [REPORT_COLUMNS])
    return c.report()


def flag(responses: Responses, report: ValidationReport) -> Responses:
    """The same Responses with a `_problems` column: the number of problems of each respondent."""
    frame = responses.frame.assign(**{PROBLEMS: report.counts().to_numpy()})
    frame.attrs.update(responses.frame.attrs)
    return Responses(frame, responses.missing, responses.questionnaire)


def _shown(question: Question, env, n: int) -> np.ndarray:
    if not question.relevant:
        return np.ones(n, dtype=bool)
    return evaluate(parse(question.relevant).as_condition(), env).to_numpy(dtype=bool)


def _shown_value(responses: Responses, question: Question) -> pd.Series:
    if question.is_set:
        block = responses.frame[responses.columns_of(question.name)]
        return (block > 0).sum(axis=1).astype(str) + " chosen"
    return responses.frame[question.name].astype(object)


def _check_set(c: _Collector, question: Question, frame: pd.DataFrame) -> None:
    name = question.name
    columns = [option_column(name, code) for code in question.codes]
    block = frame[columns].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    answered = ~np.isnan(block).all(axis=1)
    count = (np.nan_to_num(block) > 0).sum(axis=1)
    if question.max_choices is not None:
        c.add(TooManyChoices, answered & (count > question.max_choices), name, name, count,
              f"{{value}} options chosen, at most {question.max_choices} allowed")
    if question.min_choices:
        c.add(TooFewChoices, answered & (count < question.min_choices), name, name, count,
              f"{{value}} options chosen, at least {question.min_choices} required")
    for code in question.exclusive:
        chosen = np.nan_to_num(block[:, question.codes.index(code)]) > 0
        c.add(ExclusiveCombined, chosen & (count > 1), name, option_column(name, code), count,
              f"'{code}' cannot be combined with other options ({{value}} chosen)")
    if question.type == "rank":
        ranks = np.sort(np.where(np.nan_to_num(block) > 0, block, np.nan), axis=1)
        duplicate = (np.diff(ranks, axis=1) == 0).any(axis=1) if ranks.shape[1] > 1 else \
            np.zeros(len(block), dtype=bool)
        c.add(DuplicateRank, duplicate, name, name, None,
              f"two options of {name} share a rank position")


def _check_range(c: _Collector, question: Question, values: pd.Series) -> None:
    name = question.name
    if question.type == "number":
        numbers = values.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        if question.integer:
            c.add(OutOfRange, ~np.isnan(numbers) & (numbers != np.round(numbers)), name, name,
                  numbers, f"{{value}} is not a whole number ({name} takes integers)")
        low, high = question.min, question.max
    else:
        numbers = values
        low = pd.Timestamp(question.min) if question.min is not None else None
        high = pd.Timestamp(question.max) if question.max is not None else None
    present = pd.notna(numbers)
    if low is not None:
        c.add(OutOfRange, present & (numbers < low), name, name, values.astype(object),
              f"{{value}} is below the minimum {question.min} of {name}")
    if high is not None:
        c.add(OutOfRange, present & (numbers > high), name, name, values.astype(object),
              f"{{value}} is above the maximum {question.max} of {name}")
