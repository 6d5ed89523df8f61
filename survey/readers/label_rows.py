"""A row of labels under the header is not a respondent.

Files saved from SPSS, Excel or a platform "with labels" often carry the variables' labels in
the first row under the names. Read as data, that row is one more respondent whose answers are
all unreadable. It is recognised by its cells: at least half of the questionnaire's columns
present hold one of that column's labels (the question's, the option's, or ours joined, in any
language of the questionnaire), and it is left out with a note.
"""

from __future__ import annotations

import pandas as pd

from survey.questionnaire.columns import block_columns, other_column
from survey.questionnaire.model import Questionnaire


def column_labels(questionnaire: Questionnaire) -> dict[str, set[str]]:
    """Every text a label row may hold in each layout column, normalised."""
    found: dict[str, set[str]] = {}
    for lang in questionnaire.survey.languages:
        for q in questionnaire.items.values():
            text = questionnaire.label(q.label, lang)
            if q.is_set:
                options = q.options if isinstance(q.options, dict) else {}
                for code, column in block_columns(q).items():
                    option = questionnaire.label(options[code], lang)
                    found.setdefault(column, set()).update({text, option, f"{text}: {option}"})
            else:
                found.setdefault(q.name, set()).add(text)
            if other_column(q):
                found.setdefault(other_column(q), set()).add(text)
    return {column: {_normal(t) for t in texts if t} for column, texts in found.items()}


def without_label_row(raw: pd.DataFrame, missing: pd.DataFrame, questionnaire: Questionnaire
                      ) -> tuple[pd.DataFrame, pd.DataFrame, tuple[str, ...]]:
    """`raw` and `missing` without a first row of labels, and the note that says so."""
    if raw.empty:
        return raw, missing, ()
    labels = column_labels(questionnaire)
    first = raw.iloc[0]
    columns = [c for c in raw.columns if c in labels]
    hits = sum(_normal(first[c]) in labels[c] for c in columns if isinstance(first[c], str))
    if not columns or hits < max(1, len(columns) / 2):
        return raw, missing, ()
    note = (f"row 2 holds the variables' labels ({hits} of {len(columns)} columns), not "
            "answers: it is not counted as a respondent")
    return (raw.iloc[1:].reset_index(drop=True), missing.iloc[1:].reset_index(drop=True),
            (note,))


def _normal(text: object) -> str:
    return " ".join(str(text).split()).casefold()
