"""Qualtrics numeric-values CSV exports of Responses, in the layout `survey.readers.qualtrics`
reads: UTF-8 with BOM; three header rows (export tags, question texts, ImportId JSON); a
multi-select joined (`"2,5"`) or split into `Q5_<k>` columns; a rank always split."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from survey.forms.common import numbering
from survey.questionnaire.columns import block_columns, other_column
from survey.questionnaire.model import Question, Questionnaire
from survey.readers.answers import option_labels
from survey.readers.qualtrics import LEADING, RENAMED, values_by
from survey.responses.dataset import Responses
from survey.responses.missing import DONT_KNOW
from survey.simulation.exports.rows import data_rows, number_text, text_cells, write_rows


class _Column(NamedTuple):
    """One export column: its three header cells and its values."""

    tag: str
    text: str
    import_id: dict
    values: object


class _Heading(NamedTuple):
    """A question's export tag `Q<n>`, its text and its ImportId `QID<n>`."""

    tag: str
    text: str
    qid: str


def write_qualtrics(responses: Responses, path: str | Path, *, split: bool = False,
                    lang: str | None = None) -> Path:
    """Write Responses as a Qualtrics numeric-values CSV (UTF-8 with BOM, three header rows)."""
    q = responses.questionnaire
    columns = [_leading(responses.frame, tag) for tag in LEADING]
    numbers = numbering(q)
    for question in q.questions:
        if question.type != "note":
            number = numbers[question.name]
            heading = _Heading(f"Q{number}", q.label(question.label, lang), f"QID{number}")
            columns += _question_columns(responses, question, heading, split, lang)
    ids = [json.dumps(c.import_id, ensure_ascii=False, separators=(",", ":")) for c in columns]
    header = [[c.tag for c in columns], [c.text for c in columns], ids]
    rows = header + data_rows([text_cells(c.values) for c in columns], len(responses.frame))
    write_rows(path, rows, encoding="utf-8-sig")
    return Path(path)


def _leading(frame: pd.DataFrame, tag: str) -> _Column:
    """A metadata column (`StartDate` … `UserLanguage`): ours under its Qualtrics tag, else
    blank."""
    name = RENAMED.get(tag, tag)
    values = frame[name] if name in frame else [""] * len(frame)
    if name == "submitted_at" and name in frame:
        values = frame[name].dt.strftime("%Y-%m-%d %H:%M:%S")
    elif name == "duration_seconds" and name in frame:
        values = frame[name].astype("Int64").astype(str).replace("<NA>", "")
    return _Column(tag, tag, {"ImportId": tag[0].lower() + tag[1:]}, values)


def _question_columns(responses: Responses, question: Question, heading: _Heading, split: bool,
                      lang: str | None) -> list[_Column]:
    """One question's columns: a grid's items `Q<n>_<k>`, a set's columns or a single value,
    then the free text of its 'other' option `Q<n>_<k>_TEXT`."""
    q, frame, missing = responses.questionnaire, responses.frame, responses.missing
    tag, text, qid = heading
    if question.type == "grid":
        return [_Column(f"{tag}_{k}", f"{text} - {q.label(item.label, lang)}",
                        {"ImportId": f"{qid}_{k}"}, _coded(q, q.items[item.name], frame, missing))
                for k, item in enumerate(question.items, start=1)]
    if question.is_set and (split or question.type == "rank"):
        columns = _option_columns(q, question, frame, heading, lang)
    elif question.is_set:
        columns = [_Column(tag, text, {"ImportId": qid}, _joined(question, frame))]
    else:
        columns = [_value(responses, question, heading)]
    other = other_column(question)
    if other is not None:
        k = _spelled(question)[question.other]
        columns.append(_Column(f"{tag}_{k}_TEXT", f"{text} - other",
                               {"ImportId": f"{qid}_{k}_TEXT"}, frame[other].astype(object)))
    return columns


def _option_columns(q: Questionnaire, question: Question, frame: pd.DataFrame,
                    heading: _Heading, lang: str | None) -> list[_Column]:
    """A split multi (1 when selected, else '') or a rank (the rank position): `Q<n>_<k>`."""
    tag, text, qid = heading
    spelled = _spelled(question)
    columns = []
    for code, column in block_columns(question).items():
        values = frame[column]
        label = q.label(option_labels(q, question)[code], lang)
        shown = values.astype("Int64").astype(str).where(values.notna(), "")
        if question.type == "multi":
            shown = shown.where(values.fillna(0) > 0, "")
        columns.append(_Column(f"{tag}_{spelled[code]}", f"{text} - {label}",
                               {"ImportId": qid, "choiceId": spelled[code]}, shown))
    return columns


def _joined(question: Question, frame: pd.DataFrame) -> pd.Series:
    """A multi-select in one column: the selected options' values comma-joined (`2,5,6`)."""
    spelled = _spelled(question)
    joined = pd.Series("", index=frame.index, dtype=object)
    for code, column in block_columns(question).items():
        chosen = (frame[column].fillna(0) > 0).to_numpy()
        joined = joined.where(~chosen, joined + spelled[code] + ",")
    return joined.str.removesuffix(",")


def _value(responses: Responses, question: Question, heading: _Heading) -> _Column:
    """A single-valued question's column; a text question's ImportId ends in `_TEXT`."""
    frame = responses.frame
    tag, text, qid = heading
    if question.type in ("single", "scale"):
        values = _coded(responses.questionnaire, question, frame, responses.missing)
    elif question.type == "number":
        values = number_text(frame[question.name])
    elif question.type == "date":
        values = frame[question.name].dt.strftime("%Y-%m-%d")
    else:
        return _Column(tag, text, {"ImportId": f"{qid}_TEXT"}, frame[question.name].astype(object))
    return _Column(tag, text, {"ImportId": qid}, values)


def _spelled(question: Question) -> dict:
    """Each option's numeric value: its code when codes are integers, else its 1-based position
    (as `survey.readers.qualtrics.values_by` reads them)."""
    if values_by(question) == "code":
        return {c: str(c) for c in question.codes}
    return {c: str(i) for i, c in enumerate(question.codes, start=1)}


def _coded(q: Questionnaire, question: Question, frame: pd.DataFrame,
           missing: pd.DataFrame) -> pd.Series:
    """A choice question's numeric values, "don't know" included."""
    spelled = _spelled(question)
    values = frame[question.name].astype(object).map(spelled)
    if question.dont_know is not None:
        values = values.mask(missing[question.name] == DONT_KNOW, spelled[question.dont_know])
    return values
