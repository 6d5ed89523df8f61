"""KoboToolbox and ODK Central exports of Responses, in the layouts `survey.readers.kobo` reads.

KoboToolbox (formpack): `;`, every field quoted, group paths joined by `/` or `.` (or none), XML
values or labels in one language, select_multiple as a summary column and/or one 1/0 column per
option, a rank as its choice names in both modes (formpack writes it as text), `_id` … `_index`
last; `.xlsx` by suffix (one sheet, every cell text). ODK Central: `,`, `SubmissionDate`, the form
fields in form order, groups joined by `-` (or none), split columns only when asked,
`meta-instanceID` last among them (pyxform puts the `meta` group at the end of the form), then
the fixed `KEY` … `FormVersion` trailer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from survey.questionnaire.columns import block_columns, option_column, other_column
from survey.questionnaire.model import Code, Question, Questionnaire
from survey.readers.answers import option_labels
from survey.readers.kobo_headers import KOBO_META, ODK_TRAILER, Flavour
from survey.responses.dataset import Responses
from survey.responses.missing import DONT_KNOW
from survey.simulation.exports.rows import data_rows, number_text, text_cells, write_rows

_Column = tuple[str, object]  # a header and its values, one per respondent
MultipleSelect = Literal["both", "summary", "details"]


@dataclass(frozen=True)
class _Style:
    """How one export spells headers and choices: XML names or labels, its group separator."""

    q: Questionnaire
    flavour: Flavour
    labels: bool
    lang: str | None
    group_sep: str = "/"
    groups: bool = True
    multiple_select: MultipleSelect = "both"

    def caption(self, question: Question, group: Question | None = None) -> str:
        """A question's header, under its group (a grid) if it has one and groups are shown."""
        text = self.q.label(question.label, self.lang) if self.labels else question.name
        if group is None or not self.groups:
            return text
        path = self.q.label(group.label, self.lang) if self.labels else group.name
        return f"{path}{self.group_sep}{text}"

    def option_header(self, question: Question, code: Code, text) -> str:
        """A select_multiple option's column: formpack joins it with the group separator, ODK
        Central always with `/`."""
        separator = self.group_sep if self.flavour == "kobo" else "/"
        return f"{self.caption(question)}{separator}{self.option(code, text)}"

    def option(self, code: Code, text) -> str:
        """An option as the export spells it: its XML name (the code) or its label."""
        return self.q.label(text, self.lang) if self.labels else str(code)


def write_kobo(responses: Responses, path: str | Path, *, flavour: Flavour = "kobo",
               labels: bool = False, lang: str | None = None, group_sep: str | None = None,
               groups: bool = True, multiple_select: MultipleSelect = "both") -> Path:
    """Write Responses as a KoboToolbox or ODK Central export.

    Kobo: `group_sep` '/' (default) or '.', `groups` ("include groups in headers"), XML values
    or `labels` in `lang`, `multiple_select` 'both', 'summary' or 'details'. ODK Central:
    `groups` is its `groupPaths`, `multiple_select` 'summary' its default download and 'both'
    `splitSelectMultiples=true`.
    """
    q = responses.questionnaire
    frame = responses.frame
    n = len(frame)
    separator = group_sep or ("/" if flavour == "kobo" else "-")
    style = _Style(q, flavour, labels, lang, separator, groups, multiple_select)
    submitted = frame["submitted_at"] if "submitted_at" in frame else pd.Series([pd.NaT] * n)
    ids = frame["respondent_id"].astype(object) if "respondent_id" in frame else \
        pd.Series([str(i) for i in range(1, n + 1)], dtype=object)
    columns = _leading(frame, flavour, submitted)
    for question in q.questions:
        columns += _question_columns(responses, question, style)
    columns += _trailing(frame, flavour, submitted, ids, groups)
    rows = [[name for name, _ in columns]] + data_rows([text_cells(v) for _, v in columns], n)
    if flavour == "kobo":
        write_rows(path, rows, encoding="utf-8", delimiter=";", quote_all=True)
    else:
        write_rows(path, rows, encoding="utf-8", delimiter=",")
    return Path(path)


def _leading(frame: pd.DataFrame, flavour: Flavour, submitted: pd.Series) -> list[_Column]:
    """ODK's submission time (UTC, `Z`); then the form fields `start` and `end` (the device's
    local time, UTC+8, with its offset), from which the reader recomputes `duration_seconds`."""
    columns: list[_Column] = []
    if flavour == "odk":
        columns.append(("SubmissionDate", submitted.dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")))
    if "duration_seconds" not in frame:
        return columns
    end = submitted + pd.Timedelta(hours=8)
    start = end - pd.to_timedelta(frame["duration_seconds"].astype("float64"), unit="s")
    return columns + [("start", start.dt.strftime("%Y-%m-%dT%H:%M:%S.000+08:00")),
                      ("end", end.dt.strftime("%Y-%m-%dT%H:%M:%S.000+08:00"))]


def _trailing(frame: pd.DataFrame, flavour: Flavour, submitted: pd.Series, ids: pd.Series,
              groups: bool) -> list[_Column]:
    """Kobo's `_id` … `_index` or ODK's `meta-instanceID` (`instanceID` without group paths),
    `KEY` … `FormVersion`: the values we know, else the dataset's column of that name, else
    blank."""
    n = len(frame)
    if flavour == "kobo":
        names = KOBO_META
        known = {"_id": ids, "_uuid": frame["_uuid"] if "_uuid" in frame else ids,
                 "_submission_time": submitted.dt.strftime("%Y-%m-%dT%H:%M:%S"),
                 "_validation_status": [""] * n, "_index": [str(i) for i in range(1, n + 1)]}
    else:
        instance = "meta-instanceID" if groups else "instanceID"
        names, known = (instance, *ODK_TRAILER), {instance: ids, "KEY": ids}
    return [(name, known[name] if name in known else frame[name] if name in frame else [""] * n)
            for name in names]


def _question_columns(responses: Responses, question: Question, style: _Style) -> list[_Column]:
    """One question's columns: a grid's items; a set's summary (and a multi's 1/0 option
    columns) or a single value; then the free text of its 'other' option, under its XML name in
    both modes."""
    q, frame, missing = responses.questionnaire, responses.frame, responses.missing
    if question.type == "grid":
        return [(style.caption(q.items[item.name], question),
                 _choices(style, q.items[item.name], frame, missing))
                for item in question.items]
    if question.type == "note":
        return []
    if question.is_set:
        summary = question.type == "rank" or style.multiple_select != "details"
        columns = [(style.caption(question), _joined(style, question, frame))] if summary else []
        if question.type == "multi" and style.multiple_select != "summary":
            columns += _option_columns(q, question, frame, style)
    else:
        columns = [(style.caption(question), _value(responses, question, style))]
    other = other_column(question)
    if other is not None:
        columns.append((other, frame[other].astype(object)))
    return columns


def _option_columns(q: Questionnaire, question: Question, frame: pd.DataFrame,
                    style: _Style) -> list[_Column]:
    """A select_multiple's `q/option` columns: 1/0, '' when the question was not answered."""
    block = frame[list(block_columns(question).values())]
    columns = []
    for code, text in option_labels(q, question).items():
        selected = block[option_column(question.name, code)]
        values = selected.astype("Int64").astype(str)
        columns.append((style.option_header(question, code, text),
                        values.where(selected.notna(), "")))
    return columns


def _value(responses: Responses, question: Question, style: _Style) -> pd.Series:
    """A single-valued question's cells: a choice, a number, a date or text."""
    frame = responses.frame
    if question.type in ("single", "scale"):
        return _choices(style, question, frame, responses.missing)
    if question.type == "number":
        return number_text(frame[question.name])
    if question.type == "date":
        return frame[question.name].dt.strftime("%Y-%m-%d")
    return frame[question.name].astype(object)


def _choices(style: _Style, question: Question, frame: pd.DataFrame,
             missing: pd.DataFrame) -> pd.Series:
    """A choice question's answers as option names or labels, "don't know" included."""
    options = option_labels(style.q, question)
    spelled = {c: style.option(c, t) for c, t in options.items()}
    values = frame[question.name].astype(object).map(spelled)
    if question.dont_know is not None:
        values = values.mask(missing[question.name] == DONT_KNOW, spelled[question.dont_know])
    return values


def _joined(style: _Style, question: Question, frame: pd.DataFrame) -> np.ndarray:
    """A multi or rank question's summary column: the chosen options space-joined (a rank's in
    rank order, by XML name even in a label export), as the select_multiple and ODK rank widgets
    store them."""
    options = option_labels(style.q, question)
    block = frame[[option_column(question.name, c) for c in options]].astype("Float64") \
        .to_numpy(dtype="float64", na_value=np.nan)
    names = [str(c) if question.type == "rank" else style.option(c, t)
             for c, t in options.items()]
    parts = np.full(len(frame), "", dtype=object)
    order = range(1, len(options) + 1) if question.type == "rank" else [None]
    for position in order:
        for i, name in enumerate(names):
            chosen = block[:, i] == position if position is not None else block[:, i] > 0
            parts = np.where(chosen, parts + name + " ", parts)
    return pd.Series(parts, dtype=object).str.rstrip(" ").to_numpy(dtype=object)
