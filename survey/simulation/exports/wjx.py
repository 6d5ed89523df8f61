"""Wenjuanxing (问卷星) exports of Responses, in the layout `survey.readers.wjx` reads.

Either view: 按序号 (option numbers, 1/0 or rank positions per option) or 按文本 (labels, `┋` and
`→` joined, "other" text embedded as `其他〖text〗`); xlsx or CSV (GB18030 by default) by the
path's suffix; matrix rows as `N、题干—行` (or in parentheses); missing answers spelled with the
view's tokens.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from survey.forms.common import numbering
from survey.questionnaire.columns import (
    block_columns,
    layout_columns,
    option_column,
    other_column,
)
from survey.questionnaire.model import Question, Questionnaire
from survey.readers.answers import option_labels
from survey.readers.wjx import (
    MULTI_SEPARATOR,
    RANK_SEPARATOR,
    SEQUENCE_TOKENS,
    TEXT_TOKENS,
    TIME_FORMAT,
    View,
)
from survey.readers.wjx_headers import META
from survey.responses.dataset import Responses
from survey.responses.missing import DONT_KNOW
from survey.simulation.exports.rows import number_text, write_rows


def write_wjx(responses: Responses, path: str | Path, *, view: View = "序号",
              lang: str | None = None, encoding: str = "gb18030",
              grid: Literal["dash", "parentheses"] = "dash") -> Path:
    """Write Responses as Wenjuanxing exports it (xlsx or CSV by the path's suffix); a matrix
    row's header is `N、题干—行` (`grid="dash"`) or `N、题干(行)` then `N(行)`."""
    q = responses.questionnaire
    frame, missing = responses.frame, responses.missing
    n = len(frame)
    numbers = numbering(q)
    header: list[str] = []
    cells: list[np.ndarray] = []

    def add(name: str, values: np.ndarray | pd.Series) -> None:
        header.append(name)
        cells.append(np.asarray(values, dtype=object))

    ids = frame["respondent_id"].astype(object) if "respondent_id" in frame else \
        pd.Series(range(1, n + 1)).astype(str)
    add("序号", ids.where(ids.notna(), ""))
    add("提交答卷时间", _formatted(frame, "submitted_at", lambda s: s.dt.strftime(TIME_FORMAT)))
    add("所用时间", _formatted(frame, "duration_seconds",
                           lambda s: s.astype("Int64").astype(str) + "秒"))
    for name in ("来源", "来源详情", "来自IP"):
        add(name, _formatted(frame, name, lambda s: s.astype(str)))
    tokens = SEQUENCE_TOKENS if view == "序号" else TEXT_TOKENS
    for question in q.questions:
        if question.type == "note":
            continue
        stem = f"{numbers[question.name]}、{_one_line(q.label(question.label, lang))}"
        number = str(numbers[question.name])
        if question.type == "grid":
            for i, item in enumerate(question.items):
                label = q.label(item.label, lang)
                item_q = q.items[item.name]
                values = _choice_cells(q, item_q, frame, missing, view, lang, tokens)
                if grid == "dash":
                    add(f"{stem}—{label}", values)
                else:
                    add(f"{stem}({label})" if i == 0 else f"{number}({label})", values)
            continue
        if question.is_set and view == "序号":
            block = frame[list(block_columns(question).values())]
            unanswered = block.isna().all(axis=1).to_numpy()
            token = missing[question.name].map(tokens).fillna("(空)").to_numpy(dtype=object)
            for i, (code, text) in enumerate(option_labels(q, question).items()):
                values = block[option_column(question.name, code)].astype("Int64").astype(str)
                values = np.where(unanswered, token, values.to_numpy(dtype=object))
                label = q.label(text, lang)
                add(f"{stem}({label})" if i == 0 else f"{number}({label})", values)
        elif question.is_set:
            add(stem, _joined_cells(q, question, frame, missing, lang, tokens))
        elif question.type in ("single", "scale"):
            add(stem, _choice_cells(q, question, frame, missing, view, lang, tokens))
        else:
            add(stem, _plain_cells(question, frame[question.name], missing[question.name],
                                   tokens))
        other = other_column(question)
        if other is not None and view == "序号":
            label = q.label(option_labels(q, question)[question.other], lang)
            text = frame[other].astype(object)
            add(f"{number}、({label})", text.where(text.notna(), ""))
    used = set(META.values()) | set(layout_columns(q))
    for column in frame.columns:
        if column not in used:
            values = frame[column].astype(object)
            add(str(column), values.where(values.notna(), "").astype(str))
    rows = [header] + np.column_stack(cells).tolist() if n else [header]
    write_rows(path, [[str(c) for c in row] for row in rows], encoding=encoding)
    return Path(path)


def _one_line(text: str) -> str:
    """A label on one line, as Wenjuanxing prints question stems in headers."""
    return " ".join(text.split())


def _formatted(frame: pd.DataFrame, column: str, fmt) -> np.ndarray:
    """A metadata column formatted by `fmt`, '' where missing or absent."""
    if column not in frame:
        return np.full(len(frame), "", dtype=object)
    values = frame[column]
    text = fmt(values).astype(object)
    return text.where(values.notna(), "").to_numpy(dtype=object)


def _choice_cells(q: Questionnaire, question: Question, frame: pd.DataFrame,
                  missing: pd.DataFrame, view: View, lang: str | None,
                  tokens: dict[int, str]) -> np.ndarray:
    """A choice question's cells: option numbers (序号) or labels with embedded "other" text
    (文本), "don't know" as its option, missing answers as the view's tokens."""
    options = option_labels(q, question)
    if view == "序号":
        spelled = {code: str(i) for i, code in enumerate(options, start=1)}
    else:
        spelled = {code: q.label(text, lang) for code, text in options.items()}
    values = frame[question.name].astype(object).map(spelled).astype(object)
    kinds = missing[question.name]
    if question.dont_know is not None:
        values = values.mask(kinds == DONT_KNOW, spelled[question.dont_know])
    other = other_column(question)
    if view == "文本" and other is not None:
        text = frame[other]
        embed = values.notna() & text.notna() & (frame[question.name].astype(object)
                                                  == question.other)
        wrapped = values.fillna("") + "〖" + text.astype(object).fillna("") + "〗"
        values = values.mask(embed, wrapped.astype(object))
    return values.fillna(kinds.map(tokens)).fillna("(空)").to_numpy(dtype=object)


def _joined_cells(q: Questionnaire, question: Question, frame: pd.DataFrame,
                  missing: pd.DataFrame, lang: str | None, tokens: dict[int, str]) -> np.ndarray:
    """A multi or rank question in one 文本 cell: labels joined by `┋`, or by `→` in rank
    order, "other" text embedded; the view's token when unanswered."""
    options = option_labels(q, question)
    block = frame[[option_column(question.name, c) for c in options]].astype("Float64") \
        .to_numpy(dtype="float64", na_value=np.nan)
    labels = [q.label(text, lang) for text in options.values()]
    other = other_column(question)
    if other is not None:
        text = frame[other].astype(object)
        other_at = list(options).index(question.other)
        with_text = np.where(text.notna(), labels[other_at] + "〖" + text.fillna("") + "〗",
                             labels[other_at])
    parts = np.full(len(frame), "", dtype=object)
    separator = RANK_SEPARATOR if question.type == "rank" else MULTI_SEPARATOR
    order = range(1, len(options) + 1) if question.type == "rank" else [None]
    for position in order:
        for i, label in enumerate(labels):
            chosen = block[:, i] == position if position is not None else block[:, i] > 0
            if other is not None and i == other_at:
                label = with_text
            parts = np.where(chosen, parts + label + separator, parts)
    parts = pd.Series(parts, dtype=object).str.removesuffix(separator).to_numpy(dtype=object)
    unanswered = np.isnan(block).all(axis=1)
    token = missing[question.name].map(tokens).fillna("(空)").to_numpy(dtype=object)
    return np.where(unanswered, token, parts)


def _plain_cells(question: Question, values: pd.Series, kinds: pd.Series,
                 tokens: dict[int, str]) -> np.ndarray:
    """A number, date or text question's cells; missing answers as the view's tokens."""
    if question.type == "number":
        text = number_text(values)
    elif question.type == "date":
        text = values.dt.strftime("%Y-%m-%d").astype(object)
    else:
        text = values.astype(object)
    text = text.where(values.notna(), None)
    return text.fillna(kinds.map(tokens)).fillna("(空)").to_numpy(dtype=object)
