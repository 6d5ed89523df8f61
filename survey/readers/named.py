"""Statistical files (SAS, and others' coded files) whose columns are named, not numbered.

A column is matched by its name (a variable, a grid item, or a column of our layout such as
`concerns__income_any`), else by its variable label against the questionnaire's labels in any
language, else through a mapping file. SAS transport v5 allows names of 8 characters only, so a
mapping file (docs/mapping.md) is the usual way to load one. The columns are then renamed to our
layout; unmatched ones are kept under their own names and listed as unmapped.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from survey.questionnaire.columns import option_column, text_column
from survey.questionnaire.model import Questionnaire
from survey.readers.mapping import (
    ColumnMapping,
    HeaderIndex,
    HeaderKey,
    layout_targets,
    load_overrides,
    match_columns,
    normalise,
)


def header_keys(columns: list[str], labels: list[str | None],
                questionnaire: Questionnaire) -> list[HeaderKey | None]:
    """What each column's name (or, failing that, its variable label) says it holds."""
    index = HeaderIndex(questionnaire)
    layout = layout_targets(questionnaire)
    keys: list[HeaderKey | None] = []
    for column, label in zip(columns, labels, strict=True):
        if column == "respondent_id":
            keys.append(HeaderKey(meta="respondent_id"))
        elif column in index.by_name:
            keys.append(HeaderKey(column, "name"))
        elif column in layout:
            target = layout[column]
            keys.append(HeaderKey(target.variable, "name", str(target.option),
                                  text=target.role == "other_text"))
        elif label and normalise(label) in index.by_label:
            keys.append(HeaderKey(label, "label"))
        else:
            keys.append(None)
    return keys


def rename_to_layout(frame: pd.DataFrame, labels: list[str | None],
                     questionnaire: Questionnaire, file: str,
                     mapping: str | Path | None = None) -> tuple[pd.DataFrame, ColumnMapping]:
    """The frame with matched columns renamed to our layout, and the mapping that did it."""
    columns = [str(c) for c in frame.columns]
    overrides = load_overrides(mapping, questionnaire) if mapping else None
    keys = header_keys(columns, labels, questionnaire)
    matched = match_columns(columns, keys, questionnaire, file, overrides)
    names: dict[str, str] = {}
    for column, target in zip(columns, matched.targets, strict=True):
        if target.role == "value" or target.role == "meta":
            names[column] = str(target.variable)
        elif target.role == "option":
            names[column] = option_column(target.variable, target.option)
        elif target.role == "other_text":
            names[column] = text_column(target.variable, target.option)
    taken = set(names.values())
    for column in columns:  # an unmapped column never shadows a layout column
        if column not in names:
            names[column] = column if column not in taken else f"{column} (unmapped)"
    return frame.rename(columns=names), matched
