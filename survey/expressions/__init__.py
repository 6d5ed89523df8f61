"""The expression language of questionnaires: parsed once, evaluated on pandas or one respondent.

Expressions appear as ``relevant``, ``constraint``, derived ``expr`` and ``cases[].when``, and
segment ``where``. The grammar is a whitelisted subset of Python expression syntax, read with
:mod:`ast` and turned into a small tree of our own; nothing is ever passed to ``eval``. The same
tree is evaluated for one respondent here (``evaluate_row``, the reference), for all respondents
with pandas (:mod:`survey.expressions.pandas_eval`), and compiled to JavaScript
(:mod:`survey.expressions.javascript`) and ODK XPath (:mod:`survey.expressions.xpath`).
The back-ends
(``evaluate``, ``FrameEnvironment``, ``Environment``, ``to_javascript``, ``JS_RUNTIME``,
``to_xpath``) can be imported from here too; they load on first use.

Semantics, identical in every back-end:

- A value is a number, a string or missing. Missing is None, NaN, ``pd.NA``, or the empty string
  (as in ODK). Booleans in data are the numbers 1 and 0; every number is a float (``1 == 1.0``).
- ``+ - * / %`` and unary minus act on numbers. A missing or string operand, division or ``%`` by
  zero, or a non-finite result gives missing. ``%`` is the truncated remainder (sign of the
  dividend), as C ``fmod``, JavaScript ``%`` and XPath ``mod``.
- ``==`` is true when both sides are numbers and equal, or both are strings and equal. ``!=`` is
  true when both sides are present and ``==`` is false: missing compares false with every
  operator, and a string differs from every number. ``< <= > >=`` are true only between two
  numbers; ordering a string literal is rejected. ``1 < x < 5`` means ``1 < x and x < 5``.
- ``x in [...]`` means ``x`` equals some item; ``x not in [...]`` means ``x`` is present and
  differs from every item.
- ``and``, ``or``, ``not`` are two-valued. A value used as a condition (``where: "migrant"``) is
  true when it is a non-zero number.
- ``selected(q, code)`` is true when q has that option selected (for a single-valued q:
  ``q == code``); ``count_selected(q)`` is the number selected, 0 when unanswered (for a
  single-valued q: 1 if answered); ``is_missing(q)`` is true when q has no answer at all.
"""

from __future__ import annotations

import importlib
from typing import Any

from survey.expressions.parser import parse
from survey.expressions.python_eval import evaluate_row, normalise
from survey.expressions.tree import (
    FUNCTIONS,
    Arithmetic,
    Call,
    Comparison,
    Expression,
    ExpressionError,
    Literal,
    Logic,
    Membership,
    Name,
    Negate,
    Node,
    Not,
    Truth,
    is_condition,
    walk,
)

__all__ = ["FUNCTIONS", "Arithmetic", "Call", "Comparison", "Expression", "ExpressionError",
           "Literal", "Logic", "Membership", "Name", "Negate", "Node", "Not", "Truth",
           "evaluate_row", "is_condition", "normalise", "parse", "walk"]

_BACK_ENDS = {
    "Environment": "pandas_eval",
    "FrameEnvironment": "pandas_eval",
    "evaluate": "pandas_eval",
    "JS_RUNTIME": "javascript",
    "to_javascript": "javascript",
    "to_xpath": "xpath",
}


def __getattr__(name: str) -> Any:
    """The back-ends need pandas or are only for forms: load them on first use."""
    if name not in _BACK_ENDS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"survey.expressions.{_BACK_ENDS[name]}"), name)
