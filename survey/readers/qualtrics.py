"""Qualtrics CSV exports with numeric values: three header rows, ImportIds, joined or split.

Layout (../shared/formats.md §4.1): row 1 the export tags (`StartDate` … `UserLanguage`, then
`Q1`, `Q5_2`, `Q5_7_TEXT`, `Q5_DO`), row 2 the question texts, row 3 JSON such as
`{"ImportId":"QID5","choiceId":"2"}`. Our assumptions [I]: questions are tagged `Q<number>`
numbered as in `survey.readers.mapping.numbered` (or by variable name when the tags were renamed);
numeric values are the option codes when a question's codes are integers, else the 1-based option
position; a multi-select is one column `"2,5,6"` or split `Q5_<k>` = 1 (selected) / '' ; a rank
question is split `Q5_<k>` = rank position; a grid's items are `Q7_<k>`. Every missing answer is ''
(`-99`, "seen but unanswered", is read as left empty).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from survey.questionnaire.model import Question, Questionnaire
from survey.readers.answers import AnswerBuilder, Imported, build, option_labels
from survey.readers.export_table import attach, fail, first_rows, read_export
from survey.readers.mapping import HeaderIndex, HeaderKey, load_overrides, match_columns
from survey.responses.dataset import Responses
from survey.responses.missing import EMPTY

LEADING = ("StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
           "Finished", "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName",
           "RecipientEmail", "ExternalReference", "LocationLatitude", "LocationLongitude",
           "DistributionChannel", "UserLanguage")
RENAMED = {"ResponseId": "respondent_id", "RecordedDate": "submitted_at",
           "Duration (in seconds)": "duration_seconds"}
TOKENS = {"-99": EMPTY}
_TAG = re.compile(r"^(?:Q(?P<n>\d+)|(?P<name>[a-z][a-z0-9_]*?))(?:_(?P<k>\d+))?(?P<text>_TEXT)?$")


def values_by(question: Question) -> str:
    """How a numeric export spells a question's options: by "code" when every code is an
    integer, else by 1-based "position" (what `AnswerBuilder` calls `by`)."""
    return "code" if all(isinstance(c, int) for c in question.codes) else "position"


def header_key(tag: str, index: HeaderIndex) -> HeaderKey | None:
    if tag in RENAMED:
        return HeaderKey(meta=RENAMED[tag])
    if tag in LEADING or tag.endswith("_DO"):
        return HeaderKey(meta=tag)
    if tag in index.by_name:
        return HeaderKey(tag, "name")
    match = _TAG.match(tag)
    if not match:
        return None
    key = HeaderKey(int(match["n"]), "number") if match["n"] else HeaderKey(match["name"])
    found = index.find(key)
    if found is None or match["k"] is None:
        return key if match["text"] is None else None
    question, k = found[0], int(match["k"])
    if question.type == "grid":
        option = question.items[k - 1].name if 0 < k <= len(question.items) else str(k)
    elif values_by(question) == "code":
        option = str(k)
    else:
        codes = option_labels(index.q, question)
        option = str(list(codes)[k - 1]) if 0 < k <= len(codes) else f"#{k}"
    return HeaderKey(key.question, key.by, option, text=bool(match["text"]))


def read_qualtrics(path: str | Path, questionnaire: Questionnaire, *,
                   mapping: str | Path | None = None) -> Imported:
    """Read a Qualtrics CSV export (numeric values; multi-answer joined or split)."""
    table = read_export(path, header_rows=3)
    third = table.header[2][0] if table.header[2] else ""
    if not third.startswith("{") or "ImportId" not in third:
        raise fail(table.file, "no-import-ids", "the third row should hold the ImportIds "
                   "({\"ImportId\": ...}) of a Qualtrics export; export again as CSV with "
                   "numeric values (not the legacy format)", line=3)
    for position, cell in enumerate(table.header[2], start=1):
        try:
            json.loads(cell)
        except ValueError:
            raise fail(table.file, "bad-import-id", f"column {position}: '{cell}' is not an "
                       "ImportId in JSON", line=3, column=position) from None
    index = HeaderIndex(questionnaire)
    headers = table.header[0]
    keys = [header_key(h, index) for h in headers]
    overrides = load_overrides(mapping, questionnaire) if mapping else None
    columns = match_columns(headers, keys, questionnaire, table.file, overrides)
    builder = AnswerBuilder(questionnaire, table, TOKENS)
    values, options = columns.value_columns(), columns.option_columns()
    for variable, question in questionnaire.items.items():
        if question.is_set and variable in options:
            builder.set_from_columns(question, {c: p for c, (p, _) in options[variable].items()})
        elif question.is_set and variable in values:
            builder.set_from_joined(question, values[variable][0], ",", values_by(question))
        elif variable in values:
            builder.answer(variable, values[variable][0], question, values_by(question))
    builder.other_texts(columns)
    extra: dict[str, pd.Series] = {}
    for name, (position, _) in columns.meta_columns().items():
        cells = builder.cells(position).replace("", None)
        if name == "submitted_at":
            extra[name] = pd.to_datetime(cells, errors="coerce", format="mixed")
        elif name == "duration_seconds":
            seconds = pd.to_numeric(cells, errors="coerce")
            builder.error(cells.notna() & seconds.isna(), position, "bad-duration",
                          "is not a number of seconds")
            extra[name] = seconds.astype("Int64")
        else:
            extra[name] = cells.astype("string")
    return build(builder, columns, extra)


def detect(path: Path, head: bytes) -> bool:
    """The third row starts with {"ImportId" (formats.md §7), or the first with StartDate,
    EndDate (so a file missing its ImportId row gets the Qualtrics reader's located error)."""
    rows = first_rows(path, head, 3)
    if len(rows) >= 3 and rows[2] and rows[2][0].startswith('{"ImportId"'):
        return True
    return bool(rows) and rows[0][:2] == ["StartDate", "EndDate"]


def read(path: Path, questionnaire: Questionnaire, *,
         mapping: str | Path | None = None) -> Responses:
    imported = read_qualtrics(path, questionnaire, mapping=mapping)
    return attach(imported.responses, imported.mapping.table, imported.problems)
