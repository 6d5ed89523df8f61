"""A rank question built in KoboToolbox's form builder: a `begin_rank` group that holds one
select_one per level, so the export has a column per level (`concerns/_1st_choice`,
`concerns/_2nd_choice`, … or `最关心的问题/第一位` in a label export), each holding the option
ranked at that level (its XML name, or its label).

A level column is recognised by its header, under a rank question's name or label, naming none of
its options, and by its cells, most of which are the question's options; the levels count in the
order the export writes them (1st, 2nd, …) [I]. Anything else under a rank question's name that
is no option stays an 'unknown-column' error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from survey.questionnaire.columns import option_column
from survey.questionnaire.model import Question
from survey.readers.answers import AnswerBuilder, OptionsBy, option_labels
from survey.readers.export_table import ExportTable
from survey.readers.kobo_headers import under_rank_label
from survey.readers.mapping import HeaderIndex, HeaderKey, Target
from survey.responses.missing import ANSWERED


def level_targets(table: ExportTable, keys: list[HeaderKey | None],
                  index: HeaderIndex) -> dict[str, Target]:
    """The headers that are levels of a form-builder rank, as mapping targets (role 'option',
    the level's name in place of an option)."""
    found: dict[str, Target] = {}
    for position, (header, key) in enumerate(zip(table.header[0], keys, strict=True)):
        key = key if key is not None else under_rank_label(header, index)
        if key is None or key.meta or key.option is None or key.text:
            continue
        hit = index.find(key)
        if hit is None or hit[1] is not None or hit[0].type != "rank":
            continue
        question = hit[0]
        if index.option(question, key.option) is None and \
                _holds_options(table.body[position], question, index):
            found[header] = Target(question.name, key.option, "option", key.by)
    return found


def _holds_options(cells: pd.Series, question: Question, index: HeaderIndex) -> bool:
    values = [v for v in pd.unique(cells.astype(str).str.strip()) if v]
    known = sum(1 for v in values if index.option(question, v) is not None)
    return bool(values) and known * 2 >= len(values)


def is_levels(builder: AnswerBuilder, question: Question, options: dict) -> bool:
    """Whether a rank question's option columns are form-builder levels, not its options."""
    codes = set(option_labels(builder.questionnaire, question))
    return question.type == "rank" and any(option not in codes for option in options)


def set_from_levels(builder: AnswerBuilder, question: Question, positions: list[int],
                    by: OptionsBy) -> None:
    """A rank block from its level columns: the option in level k's cell is ranked k; a row with
    every level empty is unanswered."""
    codes = list(option_labels(builder.questionnaire, question))
    which = {code: i for i, code in enumerate(codes)}
    matrix = np.zeros((builder.n, len(codes)), dtype="int64")
    kinds = pd.DataFrame({p: builder.kinds(builder.cells(p)) for p in positions})
    for level, position in enumerate(positions, start=1):
        cells = builder.cells(position)
        answered = kinds[position] == ANSWERED
        found = builder.to_codes(cells.where(answered), question, by)
        builder.unknown(answered & found.isna(), position, question.name, cells)
        rows = np.flatnonzero(found.notna().to_numpy())
        matrix[rows, found.iloc[rows].map(which).to_numpy(dtype="int64")] = level
    unanswered = (kinds != ANSWERED).all(axis=1)
    for code, i in which.items():
        column = pd.Series(matrix[:, i], index=builder.table.body.index, dtype="Int8")
        builder.columns[option_column(question.name, code)] = column.where(~unanswered)
    token = kinds.where(kinds != ANSWERED).bfill(axis=1).iloc[:, 0]
    builder.missing[question.name] = token.where(unanswered, float(ANSWERED))
