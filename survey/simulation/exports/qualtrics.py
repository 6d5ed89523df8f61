"""Qualtrics exports of Responses, in the layouts `survey.readers.qualtrics` reads: CSV (UTF-8 with
BOM), TSV (UTF-16 with BOM) or xlsx, by the file's suffix; numeric values or choice text; the
modern header (tags, texts, ImportIds in JSON), the 2016 one (ImportIds in Python's notation) or
the legacy one (`V1`..`V10`, two header rows, a comma at the end of every line); a multi-select
joined (`"2,5"`) or split into `Q5_<k>` columns; a rank always split. Export tags are `Q<n>`
unless `tags` renames them, as a survey's owner can; the ImportIds keep `QID<n>`. Questions are
numbered as `survey.readers.mapping.numbered` numbers them, or counting notes in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal, NamedTuple

import pandas as pd

from survey.forms.common import numbering
from survey.questionnaire.columns import block_columns, other_column
from survey.questionnaire.model import Question, Questionnaire
from survey.readers.answers import option_labels
from survey.readers.qualtrics_columns import LEADING, RENAMED, values_by
from survey.readers.qualtrics_header import LEGACY
from survey.responses.dataset import Responses
from survey.responses.missing import DONT_KNOW
from survey.simulation.exports.rows import data_rows, number_text, text_cells, write_rows

Header = Literal["json", "python", "legacy"]
LEGACY_VALUES = {"ResponseSet": "Default Response Set", "Name": "Anonymous", "Status": "0",
                 "Finished": "1"}
LEGACY_TRAILING = ("LocationLatitude", "LocationLongitude", "LocationAccuracy")


class _Column(NamedTuple):
    """One export column: its three header cells and its values."""

    tag: str
    text: str
    import_id: dict
    values: object


class _Heading(NamedTuple):
    """A question's export tag, its text and its ImportId `QID<n>`."""

    tag: str
    text: str
    qid: str


class _Style(NamedTuple):
    split: bool
    lang: str | None
    choice_text: bool


def write_qualtrics(responses: Responses, path: str | Path, *, split: bool = False,
                    lang: str | None = None, choice_text: bool = False,
                    header: Header = "json", tags: dict[str, str] | None = None,
                    count_notes: bool = False) -> Path:
    """Write Responses as a Qualtrics export (see the module docstring); `tags` maps question
    names to the export tags their owner gave them; with `count_notes`, notes take a number
    (tag and QID) as a Qualtrics Text/Graphic item does."""
    q = responses.questionnaire
    style = _Style(split, lang, choice_text)
    legacy = header == "legacy"
    columns = [_legacy(responses.frame, name) for name in LEGACY] if legacy else \
        [_leading(responses.frame, tag) for tag in LEADING]
    numbers = numbering(q, notes=count_notes)
    for question in q.questions:
        if question.type != "note":
            number = numbers[question.name]
            tag = (tags or {}).get(question.name, f"Q{number}")
            heading = _Heading(tag, q.label(question.label, lang), f"QID{number}")
            columns += _question_columns(responses, question, heading, style)
    n = len(responses.frame)
    if legacy:
        columns += [_Column(name, name, {}, [""] * n) for name in LEGACY_TRAILING]
        columns.append(_Column("", "", {}, [""] * n))
        tags_row = [f"V{i}" for i in range(1, len(LEGACY) + 1)] + [c.tag for c in columns[10:]]
        header_rows = [tags_row, [c.text for c in columns]]
    else:
        header_rows = [[c.tag for c in columns], [c.text for c in columns],
                       [_import_id(c.import_id, header) for c in columns]]
    rows = header_rows + data_rows([text_cells(c.values) for c in columns], n)
    tsv = Path(path).suffix.lower() == ".tsv"
    write_rows(path, rows, encoding="utf-16" if tsv else "utf-8-sig",
               delimiter="\t" if tsv else ",")
    return Path(path)


def _import_id(value: dict, header: Header) -> str:
    if header == "python":
        flat = {"ImportId": value["ImportId"] + (f"_{value['choiceId']}" if "choiceId" in value
                                                 else "")}
        return repr(flat)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


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


def _legacy(frame: pd.DataFrame, name: str) -> _Column:
    """A legacy metadata column (V1..V10): the respondent id, dates from the submission time,
    fixed words for the others, as an anonymous link records them."""
    n = len(frame)
    if name == "ResponseID" and "respondent_id" in frame:
        values: object = frame["respondent_id"]
    elif name in ("StartDate", "EndDate") and "submitted_at" in frame:
        values = frame["submitted_at"].dt.strftime("%Y-%m-%d %H:%M:%S")
    else:
        values = [LEGACY_VALUES.get(name, "")] * n
    return _Column(name, name, {}, values)


def _question_columns(responses: Responses, question: Question, heading: _Heading,
                      style: _Style) -> list[_Column]:
    """One question's columns: a grid's items `<tag>_<k>`, a set's columns or a single value,
    then the free text of its 'other' option `<tag>_<k>_TEXT`."""
    q, frame, missing = responses.questionnaire, responses.frame, responses.missing
    tag, text, qid = heading
    if question.type == "grid":
        return [_Column(f"{tag}_{k}", f"{text} - {q.label(item.label, style.lang)}",
                        {"ImportId": f"{qid}_{k}"},
                        _coded(q, q.items[item.name], frame, missing, style))
                for k, item in enumerate(question.items, start=1)]
    if question.is_set and (style.split or question.type == "rank"):
        columns = _option_columns(q, question, frame, heading, style)
    elif question.is_set:
        columns = [_Column(tag, text, {"ImportId": qid}, _joined(q, question, frame, style))]
    else:
        columns = [_value(responses, question, heading, style)]
    other = other_column(question)
    if other is not None:
        k = _spelled(question)[question.other]
        label = q.label(option_labels(q, question)[question.other], style.lang)
        columns.append(_Column(f"{tag}_{k}_TEXT", f"{text} - {label} - Text",
                               {"ImportId": f"{qid}_{k}_TEXT"}, frame[other].astype(object)))
    return columns


def _option_columns(q: Questionnaire, question: Question, frame: pd.DataFrame,
                    heading: _Heading, style: _Style) -> list[_Column]:
    """A split multi (1, or the option's label in choice text, when selected, else '') or a
    rank (the rank position): `<tag>_<k>`."""
    tag, text, qid = heading
    spelled = _spelled(question)
    columns = []
    for code, column in block_columns(question).items():
        values = frame[column]
        label = q.label(option_labels(q, question)[code], style.lang)
        shown = values.astype("Int64").astype(str).where(values.notna(), "")
        if question.type == "multi":
            shown = shown.where(values.fillna(0) > 0, "")
            if style.choice_text:
                shown = shown.mask(shown != "", label)
        columns.append(_Column(f"{tag}_{spelled[code]}", f"{text} - {label}",
                               {"ImportId": qid, "choiceId": spelled[code]}, shown))
    return columns


def _joined(q: Questionnaire, question: Question, frame: pd.DataFrame,
            style: _Style) -> pd.Series:
    """A multi-select in one column: the selected options' values (`2,5,6`), or labels in
    choice text, joined by commas."""
    spelled = _spelled(question)
    if style.choice_text:
        spelled = {code: q.label(label, style.lang)
                   for code, label in option_labels(q, question).items()}
    joined = pd.Series("", index=frame.index, dtype=object)
    for code, column in block_columns(question).items():
        chosen = (frame[column].fillna(0) > 0).to_numpy()
        joined = joined.where(~chosen, joined + spelled[code] + ",")
    return joined.str.removesuffix(",")


def _value(responses: Responses, question: Question, heading: _Heading,
           style: _Style) -> _Column:
    """A single-valued question's column; a text question's ImportId ends in `_TEXT`."""
    frame = responses.frame
    tag, text, qid = heading
    if question.type in ("single", "scale"):
        values = _coded(responses.questionnaire, question, frame, responses.missing, style)
    elif question.type == "number":
        values = number_text(frame[question.name])
    elif question.type == "date":
        values = frame[question.name].dt.strftime("%Y-%m-%d")
    else:
        return _Column(tag, text, {"ImportId": f"{qid}_TEXT"}, frame[question.name].astype(object))
    return _Column(tag, text, {"ImportId": qid}, values)


def _spelled(question: Question) -> dict:
    """Each option's numeric value: its code when codes are integers, else its 1-based position
    (as `survey.readers.qualtrics_columns.values_by` reads them)."""
    if values_by(question) == "code":
        return {c: str(c) for c in question.codes}
    return {c: str(i) for i, c in enumerate(question.codes, start=1)}


def _coded(q: Questionnaire, question: Question, frame: pd.DataFrame, missing: pd.DataFrame,
           style: _Style) -> pd.Series:
    """A choice question's numeric values (or labels in choice text), "don't know" included."""
    spelled = _spelled(question)
    if style.choice_text:
        spelled = {code: q.label(label, style.lang)
                   for code, label in option_labels(q, question).items()}
    values = frame[question.name].astype(object).map(spelled)
    if question.dont_know is not None:
        values = values.mask(missing[question.name] == DONT_KNOW, spelled[question.dont_know])
    return values
