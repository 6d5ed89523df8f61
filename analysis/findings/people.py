"""The tidy tables (findings, segment profiles) as people read them in one language: headers
from the catalogue, codes (verdicts, measures, tests, directions) as words, segments by label.

The tidy tables keep their codes for machines (JSON, CSV); the workbook sheets and Markdown that
people open are made through `for_people`, so a Chinese report has no English header or code.
"""

from __future__ import annotations

import pandas as pd

from survey.messages import words
from survey.messages.tables import HEADERS, NAMES

WORDED = ("verdict", "measure", "comparison_group", "test", "direction", "significant",
          "below_0.70", "operationalisation")


def for_people(table: pd.DataFrame, lang: str | None, *,
               segments: dict[str, str] | None = None,
               questions: dict[str, str] | None = None) -> pd.DataFrame:
    """`table` with coded cells in words and headers in `lang`; `segments` and `questions` map
    names to labels (a profiles table names both)."""
    names = words(NAMES, lang)
    shown = table.copy()
    for column in WORDED:
        if column in shown.columns:
            shown[column] = shown[column].map(
                lambda v: names.get(str(v).lower() if isinstance(v, bool) else str(v), v)
                if v is not None and v == v else v)
    if segments and "segment" in shown.columns and "segment_label" in shown.columns:
        shown = shown.drop(columns="segment")
    elif segments and "segment" in shown.columns:
        shown["segment"] = shown["segment"].map(lambda v: segments.get(v, v))
    if "question_label" in shown.columns and "question" in shown.columns:
        shown = shown.drop(columns="question")
    elif questions and "question" in shown.columns:
        shown["question"] = shown["question"].map(lambda v: questions.get(v, v))
    return shown.rename(columns=words(HEADERS, lang))
