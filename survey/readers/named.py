"""Files whose columns are named, not numbered: our coded layout as CSV, xlsx, .sav, .dta and SAS,
whoever wrote them.

A column is matched by its name (a variable, a grid item, or a column of our layout such as
`concerns__income_any`), then by the same name in another case when that is unambiguous (SPSS and
Stata users write `Sex`), then by its variable label (or, in a CSV, a header that is a question's
label) against the questionnaire's labels in any language, and a mapping file overrides any of it.
The columns are renamed to our layout; unmatched ones are kept under their own names and listed as
unmapped. Answers written as words are then matched to codes (`survey.readers.recode`), and the
file codes of missing kinds are decoded.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from pathlib import Path

import pandas as pd

from survey.questionnaire.columns import PROBLEMS, case_renames, option_column, text_column
from survey.questionnaire.model import Questionnaire
from survey.readers.export_table import attach
from survey.readers.label_rows import without_label_row
from survey.readers.mapping import (
    ColumnMapping,
    HeaderIndex,
    HeaderKey,
    layout_targets,
    match_columns,
    normalise,
)
from survey.readers.mapping_file import load_overrides, load_value_map
from survey.readers.recode import ValueLabels, joined_sets, recode_choices
from survey.responses.casting import Place
from survey.responses.coded import decode
from survey.responses.dataset import Responses

MissingCodes = Callable[[pd.DataFrame, dict[str, str]],
                        tuple[pd.DataFrame, "pd.DataFrame | None", tuple[str, ...]]]
OUR_METADATA = ("respondent_id", "submitted_at", "duration_seconds", PROBLEMS)
NO_PROBLEMS = ["row", "column", "variable", "code", "value", "message"]


def header_keys(columns: list[str], labels: list[str | None],
                questionnaire: Questionnaire) -> list[HeaderKey | None]:
    """What each column's name (or, failing that, its variable label) says it holds."""
    index = HeaderIndex(questionnaire)
    layout = layout_targets(questionnaire)
    cased = case_renames(columns, questionnaire)
    keys: list[HeaderKey | None] = []
    for column in columns:
        name = cased.get(column, column)
        if name in OUR_METADATA:
            keys.append(HeaderKey(meta=name))
        elif name in index.by_name:
            keys.append(HeaderKey(name, "name"))
        elif name in layout:
            target = layout[name]
            keys.append(HeaderKey(target.variable, "name", str(target.option),
                                  text=target.role == "other_text"))
        else:
            keys.append(None)
    named = {k.question for k in keys if k is not None and k.option is None}
    by_label: dict[str, list[int]] = {}
    for position, label in enumerate(labels):
        found = index.by_label.get(normalise(label)) if label and keys[position] is None else None
        if found is not None:
            by_label.setdefault(found[1] or found[0].name, []).append(position)
    for variable, positions in by_label.items():
        if variable not in named and len(positions) == 1:  # two columns labelled alike: neither
            keys[positions[0]] = HeaderKey(labels[positions[0]], "label")
    return keys


def rename_to_layout(frame: pd.DataFrame, labels: list[str | None],
                     questionnaire: Questionnaire, file: str,
                     mapping: str | Path | None = None) -> tuple[pd.DataFrame, ColumnMapping]:
    """The frame with matched columns renamed to our layout, and the mapping that did it."""
    columns = [str(c) for c in frame.columns]
    overrides = load_overrides(mapping, questionnaire)
    keys = header_keys(columns, labels, questionnaire)
    matched = match_columns(columns, keys, questionnaire, file, overrides, require_match=False)
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
    frame = frame.set_axis(columns, axis=1).rename(columns=names)
    return frame, matched


def read_named(frame: pd.DataFrame, questionnaire: Questionnaire, file: str, *,
               labels: list[str | None] | None = None, value_labels: ValueLabels | None = None,
               mapping: str | Path | None = None, label_row: bool = False,
               missing: MissingCodes | None = None, notes: tuple[str, ...] = (),
               only: Collection[str] | None = None,
               positions: Mapping[str, int] | None = None) -> Responses:
    """Responses from a frame of named columns: matched, recoded, decoded, with the mapping
    table attached. `labels` are the variable labels (a CSV's headers serve as their own);
    `value_labels` are the file's, by source column; `label_row` looks for a row of labels;
    `missing(frame, renamed)` reads the file's own missing-value codes once the columns have
    our names (`renamed`: source column to layout column), giving the frame without them, their
    kinds and notes. A frame of some of the file's columns (a projection) names the questions
    to cast in `only` and each column's place in the file in `positions`."""
    labels = labels if labels is not None else [None] * len(frame.columns)
    frame, matched = rename_to_layout(frame, labels, questionnaire, file, mapping)
    renamed = dict(zip(matched.columns, frame.columns, strict=True))
    frame, joined = joined_sets(frame, questionnaire)
    own_kinds, said = None, ()
    if missing is not None:
        frame, own_kinds, said = missing(frame, renamed)
    notes = (*notes, *joined, *said)
    value_labels = {renamed.get(c, c): v for c, v in (value_labels or {}).items()}
    value_map = load_value_map(mapping, questionnaire)
    frame, recoded = recode_choices(frame, questionnaire, value_labels, value_map)
    raw, kinds = decode(questionnaire, frame)
    if own_kinds is not None and not own_kinds.empty:
        kinds = kinds.combine_first(own_kinds) if not kinds.empty else own_kinds
    found: tuple[str, ...] = ()
    if label_row:
        raw, kinds, found = without_label_row(raw, kinds, questionnaire)
    # each column's position in the file, by the name it has now (blocks built from a joined
    # column or an MR set are new and have none)
    place = Place(file, 3 if found else 2, {c: i for i, c in enumerate(renamed.values(), 1)}
                  if positions is None else {renamed[c]: positions.get(c, 1) for c in renamed})
    responses = Responses.from_raw(questionnaire, raw, missing=kinds, source=file,
                                   notes=(*notes, *found, *recoded), place=place, only=only)
    return attach(responses, matched.table, pd.DataFrame(columns=NO_PROBLEMS))
