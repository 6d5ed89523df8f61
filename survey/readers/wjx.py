"""Wenjuanxing (问卷星) response exports: the 按序号 and 按文本 views, as xlsx or GBK/GB18030 CSV.

Layout (../shared/formats.md §3.3; [I] marks what that note could only infer, so it is our
assumption until checked against a real export):

- Six metadata columns first: 序号, 提交答卷时间 (`Y/m/d H:M:S`), 所用时间 (`245秒`), 来源,
  来源详情, 来自IP. They become `respondent_id`, `submitted_at`, `duration_seconds` and the last
  three are kept under their own names. Further unknown columns are kept and reported unmapped.
- Question headers `N、题干`, matched by question number N: questions are numbered in questionnaire
  order, notes are not numbered and a grid is one number (`survey.forms.common.numbering`).
- Split columns `N、题干(选项)` then `N(选项)`: the options of a multi or rank question, or the rows
  of a grid [I], matched by number and by the option text in the last balanced ASCII parentheses.
  `N、(选项)` (no stem) holds the free text of an option with a fill-in box [I].
- 按序号: single choice as the 1-based option number; multi-select as 1/0 per option; rank as
  the rank position per option, 0 not ranked [I]. 按文本: option labels; multi-select joined with
  `┋`; rank joined with `→` in rank order [I]; "other" text embedded as `其他〖text〗`.
- Missing: `(跳过)` and `-3` skipped by logic, `-2` not shown [I], `(空)` left empty. The 按文本
  view has no spelling of "not shown", so the writer spells it `(跳过)` there [I].
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import pandas as pd

from survey.questionnaire.model import Questionnaire
from survey.readers.answers import AnswerBuilder, Imported, build
from survey.readers.export_table import ExportTable, attach, first_rows, read_export
from survey.readers.mapping import (
    HeaderIndex,
    HeaderKey,
    load_overrides,
    match_columns,
    stem_resembles,
    stem_warning,
)
from survey.responses.dataset import Responses
from survey.responses.missing import EMPTY, NOT_SHOWN, SKIPPED

View = Literal["序号", "文本"]
META = {"序号": "respondent_id", "提交答卷时间": "submitted_at", "所用时间": "duration_seconds",
        "来源": "来源", "来源详情": "来源详情", "来自IP": "来自IP"}
TOKENS = {"(跳过)": SKIPPED, "（跳过）": SKIPPED, "-3": SKIPPED, "-2": NOT_SHOWN,
          "(空)": EMPTY, "（空）": EMPTY}
SEQUENCE_TOKENS = {SKIPPED: "-3", NOT_SHOWN: "-2", EMPTY: "(空)"}
TEXT_TOKENS = {SKIPPED: "(跳过)", NOT_SHOWN: "(跳过)", EMPTY: "(空)"}
MULTI_SEPARATOR = "┋"
RANK_SEPARATOR = "→"
TIME_FORMAT = "%Y/%m/%d %H:%M:%S"
_NUMBER = re.compile(r"^(?:\(\d+\))?\s*(?:第\s*(?P<old>\d{1,4})\s*题|(?P<n>\d{1,4}))"
                     r"(?P<space>\s*)(?P<sep>[、.．:：]?)\s*")
_OPEN, _CLOSE = "(（", ")）"


def split_header(header: str) -> tuple[int, str, str | None, bool] | None:
    """(number, stem, option in the last balanced ASCII parentheses, has a separator) or None.

    Accepts `5、题干`, `5. 题干`, `5 题干`, `5(选项)`, `第5题(选项)` and `(1)5 题干`.
    """
    match = _NUMBER.match(header)
    if not match:
        return None
    rest = header[match.end():].strip()
    separated = bool(match["sep"] or match["old"])
    if not (separated or match["space"] or rest.startswith("(") or not rest):
        return None  # '2024年收入' is not question 2024
    option = None
    if rest.endswith(")"):
        depth = 0
        for i in range(len(rest) - 1, -1, -1):
            depth += rest[i] in _CLOSE
            depth -= rest[i] in _OPEN
            if depth == 0:
                if rest[i] == "(":
                    option, rest = rest[i + 1:-1], rest[:i].strip()
                break
    return int(match["old"] or match["n"]), rest, option, separated


def header_key(header: str, index: HeaderIndex) -> HeaderKey | None:
    """What a wjx header names; a stem that merely ends in ASCII parentheses stays a stem."""
    if header in META:
        return HeaderKey(meta=META[header])
    parts = split_header(header)
    if parts is None:
        return None
    number, stem, option, _ = parts
    question = index.by_number.get(number)
    if option is not None and question is not None and stem:
        known = index.item(question, option) if question.type == "grid" else \
            index.option(question, option)
        if known is None:  # '5、题干(最多选3项)': the parentheses belong to the stem
            return HeaderKey(number, "number")
    if option is None:
        return HeaderKey(number, "number")
    separated = parts[3]
    return HeaderKey(number, "number", option, text=not stem and separated and
                     question is not None and question.type != "grid")


def read_wjx(path: str | Path, questionnaire: Questionnaire, *, view: View | None = None,
             mapping: str | Path | None = None) -> Imported:
    """Read a Wenjuanxing export (either view, xlsx or CSV); the view is taken from the file
    name (`_按序号_`/`_按文本_`) or the cells when not given."""
    table = read_export(path)
    index = HeaderIndex(questionnaire)
    headers = table.header[0]
    keys = [header_key(h, index) for h in headers]
    overrides = load_overrides(mapping, questionnaire) if mapping else None
    columns = match_columns(headers, keys, questionnaire, table.file, overrides)
    columns = columns.with_warnings(_stem_warnings(table.file, headers, columns, index))
    view = view or _view(Path(path).name, table, columns, questionnaire)
    builder = AnswerBuilder(questionnaire, table, TOKENS)
    by = "position" if view == "序号" else "label"
    values = columns.value_columns()
    options = columns.option_columns()
    for variable, question in questionnaire.items.items():
        if question.is_set and variable in options:
            builder.set_from_columns(question, {c: p for c, (p, _) in options[variable].items()})
        elif question.is_set and variable in values:
            separator = RANK_SEPARATOR if question.type == "rank" else MULTI_SEPARATOR
            builder.set_from_joined(question, values[variable][0], separator, "label")
        elif variable in values:
            builder.answer(variable, values[variable][0], question, by, other_split=by == "label")
    builder.other_texts(columns)
    return build(builder, columns, _metadata(builder, table, columns))


def _stem_warnings(file: str, headers: list[str], columns, index: HeaderIndex) -> list:
    """Columns matched by number whose stem is not their question's: a reordered or edited
    questionnaire, whose answers would otherwise land in the wrong variables unnoticed."""
    warnings = []
    for position, (header, target) in enumerate(zip(headers, columns.targets, strict=True),
                                                 start=1):
        parts = split_header(header) if target.matched_by == "number" else None
        if parts is None or not parts[1]:
            continue
        question = index.by_number.get(parts[0])
        if question is not None and not stem_resembles(parts[1], question):
            warnings.append(stem_warning(file, position, header, parts[0], question, index.q))
    return warnings


def _view(name: str, table: ExportTable, columns, questionnaire: Questionnaire) -> View:
    if "按文本" in name:
        return "文本"
    if "按序号" in name:
        return "序号"
    if columns.option_columns() and not any(questionnaire.items[v].is_set and
                                            questionnaire.items[v].type != "grid"
                                            for v in columns.value_columns()):
        return "序号"
    coded = [p for v, (p, _) in columns.value_columns().items()
             if questionnaire.items[v].type in ("single", "scale")]
    if not coded:
        return "序号"
    cells = table.body[coded].stack()
    cells = cells[(cells != "") & ~cells.isin(list(TOKENS))]
    numeric = pd.to_numeric(cells, errors="coerce").notna().mean() if len(cells) else 1.0
    return "序号" if numeric > 0.5 else "文本"


def _metadata(builder: AnswerBuilder, table: ExportTable, columns) -> dict[str, pd.Series]:
    extra: dict[str, pd.Series] = {}
    for name, (position, _) in columns.meta_columns().items():
        cells = builder.cells(position).replace("", None)
        if name == "submitted_at":
            stamps = pd.to_datetime(cells, format=TIME_FORMAT, errors="coerce")
            builder.error(cells.notna() & stamps.isna(), position, "bad-time",
                          "is not a time like 2024/11/05 08:56:01")
            extra[name] = stamps
        elif name == "duration_seconds":
            seconds = cells.str.extract(r"^\s*(\d+)\s*秒\s*$", expand=False)
            builder.error(cells.notna() & seconds.isna(), position, "bad-duration",
                          "is not a duration like 245秒")
            extra[name] = pd.to_numeric(seconds).astype("Int64")
        else:
            extra[name] = cells.astype("string")
    builder.raise_errors()
    return extra


def detect(path: Path, head: bytes) -> bool:
    """A Wenjuanxing export starts with the column 序号 (then 提交答卷时间)."""
    rows = first_rows(path, head, 1)
    return bool(rows) and rows[0][:2] == ["序号", "提交答卷时间"]


def read(path: Path, questionnaire: Questionnaire, *, mapping: str | Path | None = None,
         view: View | None = None) -> Responses:
    """The registry's entry point: `read_wjx`, with the mapping and read problems attached."""
    imported = read_wjx(path, questionnaire, view=view, mapping=mapping)
    return attach(imported.responses, imported.mapping.table, imported.problems)
