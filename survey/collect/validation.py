"""Check one submission's answers against the questionnaire, with the rules the web form applies.

The server never trusts the browser: every submission is checked here again before it is stored.
Answers are a JSON object keyed by variable name (questions, and grid items by their own name):

- ``single``, ``scale``, grid items: one option code (a JSON number for integer codes, a string
  for identifier codes);
- ``multi``: a list of codes; ``rank``: a list of codes, the first ranked first;
- ``number``: a number; ``text``: a string; ``date``: ``"YYYY-MM-DD"``;
- the free text of an ``other`` option ``c`` of question ``q``: the key ``q__c_text``.

A variable that is absent (or null, or an empty list or string) has no answer. Relevance, required
answers and constraints are evaluated in questionnaire order with
`survey.expressions.evaluate_row`,
the reference evaluator; a question whose ``relevant`` is false must have no answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from survey.expressions import Expression, parse
from survey.expressions import evaluate_row as evaluate
from survey.questionnaire.model import Code, Question, Questionnaire


@dataclass(frozen=True)
class Problem:
    """One reason a submission is refused, with a code a test or a client can match."""

    code: str
    question: str | None
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "question": self.question, "message": self.message}


LARGEST = 2**53  # the largest number every format we write holds exactly (a double's integers)
FIRST_DAY, LAST_DAY = date(1678, 1, 1), date(2261, 12, 31)  # dates every export can hold
SHOWN = 80


def shown(value: Any) -> str:
    """`value` as a message quotes it: its repr, cut to `SHOWN` characters, so that an answer
    of 200,000 characters is not echoed back whole."""
    text = repr(value)
    return text if len(text) <= SHOWN else text[:SHOWN - 3] + "..."


@cache
def _parsed(source: str) -> Expression:
    return parse(source)


def other_key(name: str, code: Code) -> str:
    """The answers key of an ``other`` option's free text: ``q__c_text``."""
    return f"{name}__{code}_text"


def validate_answers(questionnaire: Questionnaire, answers: Any) -> list[Problem]:
    """Every problem of one submission's answers; an empty list means it may be stored."""
    if not isinstance(answers, dict):
        return [Problem("bad-answers", None, "answers must be a JSON object")]
    items = questionnaire.items
    allowed = set(items) | {other_key(q.name, q.other) for q in items.values()
                            if q.other is not None}
    problems = [Problem("unknown-question", key[:SHOWN], f"{shown(key)} is not a question of "
                        "this form") for key in answers if key not in allowed]
    values: dict[str, object] = {n: None for n, q in items.items() if not q.is_set}
    multi: dict[str, list[Code] | None] = {n: None for n, q in items.items() if q.is_set}
    for name, question in items.items():
        raw = answers.get(name)
        given = not _empty(raw)
        if question.relevant and not evaluate(_parsed(question.relevant).as_condition(),
                                              values, multi):
            if given or not _empty(answers.get(_other(question))):
                problems.append(Problem("not-relevant", name, f"'{name}' is skipped by the form's "
                                        "logic here and must have no answer"))
            continue
        if not given:
            if question.required:
                problems.append(Problem("required", name, f"'{name}' needs an answer"))
            if not _empty(answers.get(_other(question))):
                problems.append(Problem("other-without-option", name, "free text for the "
                                        f"'other' option of '{name}', which is not selected"))
            continue
        found = _check_value(question, raw)
        if found:
            problems.extend(found)
            continue
        if question.is_set:
            multi[name] = list(raw)
        else:
            values[name] = raw
        problems.extend(_check_other(question, raw, answers.get(_other(question))))
        if question.constraint and not evaluate(_parsed(question.constraint).as_condition(),
                                                values, multi):
            message = questionnaire.label(question.constraint_message) or (
                f"the answer does not satisfy the rule: {question.constraint}")
            problems.append(Problem("constraint", name, message))
    return problems


def given_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers as stored: without null, "" or [] entries (each means no answer), so that
    a no-answer of the wrong shape ([] for a single choice) cannot reach an export."""
    return {key: value for key, value in answers.items() if not _empty(value)}


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _other(question: Question) -> str:
    return other_key(question.name, question.other) if question.other is not None else ""


def _is_code(question: Question, value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | str) and value in question.codes


def _check_value(q: Question, value: Any) -> list[Problem]:
    """Type, code, choice-limit and range problems of one answer that is present."""
    check = _VALUE_CHECKS.get(q.type)
    if check is None:
        return _bad(q, "bad-type", f"'{q.name}' takes no answer")
    return check(q, value)


def _bad(q: Question, code: str, message: str) -> list[Problem]:
    """The one problem of an answer to `q`."""
    return [Problem(code, q.name, message)]


def _check_option(q: Question, value: Any) -> list[Problem]:
    """A single or scale answer is one of the question's option codes."""
    if not _is_code(q, value):
        return _bad(q, "unknown-code", f"{shown(value)} is not an option of '{q.name}' "
                    f"(the codes are {q.codes})")
    return []


def _check_options(q: Question, value: Any) -> list[Problem]:
    """A multi or rank answer is a list of distinct option codes within the choice limits, with
    an exclusive option (such as "none of these") chosen alone."""
    if not isinstance(value, list):
        return _bad(q, "bad-type", f"'{q.name}' takes a list of option codes")
    unknown = [v for v in value if not _is_code(q, v)]
    if unknown:
        return _bad(q, "unknown-code", f"{shown(unknown[0])} is not an option of '{q.name}'")
    if len(set(value)) != len(value):
        return _bad(q, "duplicate-code", f"'{q.name}' lists an option twice")
    if q.min_choices is not None and len(value) < q.min_choices:
        return _bad(q, "too-few", f"'{q.name}' needs at least {q.min_choices} choices")
    if q.max_choices is not None and len(value) > q.max_choices:
        return _bad(q, "too-many", f"'{q.name}' allows at most {q.max_choices} choices")
    exclusive = [v for v in value if v in q.exclusive]
    if exclusive and len(value) > 1:
        return _bad(q, "exclusive", f"option {exclusive[0]!r} of '{q.name}' cannot be combined "
                    "with other options")
    return []


def _check_number(q: Question, value: Any) -> list[Problem]:
    """A number answer is a finite JSON number (whole if the question says so) within range,
    and never beyond `LARGEST` (a 400-digit integer is no float; exports could not hold it)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _bad(q, "bad-type", f"'{q.name}' takes a number")
    if not -LARGEST <= value <= LARGEST:  # exact for int of any size; False for NaN
        return _bad(q, "out-of-range", f"'{q.name}' must be between -{LARGEST} and {LARGEST}")
    if q.integer and not float(value).is_integer():
        return _bad(q, "not-integer", f"'{q.name}' takes a whole number")
    return _check_range(q, value)


def _check_text(q: Question, value: Any) -> list[Problem]:
    """A text answer is a string no longer than the question allows."""
    if not isinstance(value, str):
        return _bad(q, "bad-type", f"'{q.name}' takes a text")
    if q.max_length is not None and len(value) > q.max_length:
        return _bad(q, "too-long", f"'{q.name}' takes at most {q.max_length} characters")
    return []


def _check_date(q: Question, value: Any) -> list[Problem]:
    """A date answer is written YYYY-MM-DD and lies within range."""
    try:
        day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        return _bad(q, "bad-type", f"'{q.name}' takes a date written YYYY-MM-DD")
    if not FIRST_DAY <= day <= LAST_DAY:
        return _bad(q, "out-of-range", f"'{q.name}' must be a date from {FIRST_DAY} to "
                    f"{LAST_DAY}")
    return _check_range(q, day)


_VALUE_CHECKS = {"single": _check_option, "scale": _check_option,
                 "multi": _check_options, "rank": _check_options,
                 "number": _check_number, "text": _check_text, "date": _check_date}


def _check_range(q: Question, value: float | date) -> list[Problem]:
    low = q.min if q.min is None or isinstance(value, date) == isinstance(q.min, date) else None
    high = q.max if q.max is None or isinstance(value, date) == isinstance(q.max, date) else None
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"{_show(low)} to {_show(high)}" if low is not None and high is not None else (
            f"at least {_show(low)}" if low is not None else f"at most {_show(high)}")
        return [Problem("out-of-range", q.name, f"'{q.name}' must be {span}")]
    return []


def _show(limit: Any) -> str:
    return f"{limit:g}" if isinstance(limit, float) else str(limit)


def _check_other(q: Question, value: Any, text: Any) -> list[Problem]:
    if _empty(text):
        return []
    if not isinstance(text, str):
        return [Problem("bad-type", q.name, f"the 'other' text of '{q.name}' must be a text")]
    chosen = value if isinstance(value, list) else [value]
    if q.other not in chosen:
        return [Problem("other-without-option", q.name, f"free text for the 'other' option of "
                        f"'{q.name}', which is not selected")]
    if len(text) > 500:
        return [Problem("too-long", q.name, f"the 'other' text of '{q.name}' is over 500 "
                        "characters")]
    return []
