"""Wenjuanxing (问卷星) response exports: the 按序号 and 按文本 views, as xlsx or CSV.

Layout (../shared/formats.md §3.3; [I] marks what that note could only infer, so it is our
assumption until checked against a real export):

- The header row says what each column holds (`survey.readers.wjx_headers`): metadata columns
  first (序号, 提交答卷时间, 所用时间, 来源, 来源详情, 来自IP, and 总分 or other columns wjx adds
  when a feature is on), then numbered questions `N、题干` matched by question number N, split
  columns `N(选项)` of multi/rank options, matrix rows `N、题干—行`. An owner may delete the
  metadata columns: the file is still recognised by 序号 and its numbered stems, or by its
  `N、题干` stems alone. 序号 becomes `respondent_id`; 提交答卷时间 `submitted_at`
  (`Y/m/d H:M:S`, or as Excel re-saves it: no seconds, `-`); 所用时间 `duration_seconds`
  (`245秒`, `4分5秒` [I], a number); the others are kept under their own names, identifiers
  among them (来自IP, 微信昵称 ...) left out of the cleaned data by `import_export`. Unknown
  columns are kept and reported unmapped.
- 按序号: single choice as the 1-based option number; multi-select as 1/0 per option; rank as
  the rank position per option, 0 not ranked [I]; a matrix row as the column number. 按文本:
  option labels; multi-select joined with `┋`; rank joined with `→` in rank order [I]; "other"
  text embedded as `其他〖text〗` (also read after an option number [I]).
- The view comes from the file name (`_按序号_`, `_按文本_`) or the cells. The 按分数 (score)
  download holds the points each answer scored, not which option was chosen: it is refused.
- Missing: `(跳过)` and `-3` skipped by logic, `-2` not shown [I], `(空)` left empty. The 按文本
  view has no spelling of "not shown", so the writer spells it `(跳过)` there [I].
- CSV is UTF-8 (with or without BOM) or GB18030 (with or without its BOM). In an xlsx workbook
  the first sheet whose header row is a wjx header is read; the others are named in a note.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import pandas as pd

from survey.files.source import Problem, SourceError
from survey.questionnaire.model import Questionnaire
from survey.readers.answers import AnswerBuilder, Imported, build
from survey.readers.export_table import (
    ExportTable,
    attach,
    first_rows,
    is_excel,
    read_export,
    sheet_headers,
)
from survey.readers.mapping import (
    HeaderIndex,
    match_columns,
    stem_resembles,
    stem_warning,
)
from survey.readers.mapping_file import load_overrides, load_value_map
from survey.readers.wjx_headers import header_keys, looks_like_wjx, split_header
from survey.responses.dataset import Responses
from survey.responses.missing import EMPTY, NOT_SHOWN, SKIPPED

View = Literal["序号", "文本"]
TOKENS = {"(跳过)": SKIPPED, "（跳过）": SKIPPED, "-3": SKIPPED, "-2": NOT_SHOWN,
          "(空)": EMPTY, "（空）": EMPTY}
SEQUENCE_TOKENS = {SKIPPED: "-3", NOT_SHOWN: "-2", EMPTY: "(空)"}
TEXT_TOKENS = {SKIPPED: "(跳过)", NOT_SHOWN: "(跳过)", EMPTY: "(空)"}
MULTI_SEPARATOR = "┋"
RANK_SEPARATOR = "→"
TIME_FORMAT = "%Y/%m/%d %H:%M:%S"
# as wjx writes it, then as Excel re-saves a CSV (no seconds) or an ISO-style date
TIME_FORMATS = (TIME_FORMAT, "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
SCORE_VIEW = ("this is the 按分数 (score) download: its cells are the points each answer "
              "scored, not the options chosen, so the answers cannot be read from it; download "
              "the 按序号 (or 按文本) view of the same answers instead")
_VIEW_IN_NAME = re.compile(r"按(?:选项)?(序号|文本|分数)")
_DURATION = re.compile(r"^\s*(?:(?P<h>\d+)\s*(?:小时|时))?\s*(?:(?P<m>\d+)\s*分钟?)?\s*"
                       r"(?:(?P<s>\d+)\s*秒)?\s*$")


def read_wjx(path: str | Path, questionnaire: Questionnaire, *, view: View | None = None,
             mapping: str | Path | None = None) -> Imported:
    """Read a Wenjuanxing export (either view, xlsx or CSV); the view is taken from the file
    name (`_按序号_`/`_按文本_`) or the cells when not given."""
    path = Path(path)
    sheet, notes = data_sheet(path)
    table = read_export(path, sheet=sheet)
    named = view_in_name(path.name)
    if view is None and named == "分数":
        raise SourceError([Problem(table.file, 1, 1, "wjx-score-view", SCORE_VIEW)])
    index = HeaderIndex(questionnaire)
    headers = table.header[0]
    keys, restart = header_keys(headers, index)
    if restart is not None:
        notes.append(f"question numbers start again at column {restart + 1} "
                     f"'{headers[restart]}', so every numbered column was matched by its "
                     "question text, not its number")
    overrides = load_overrides(mapping, questionnaire)
    columns = match_columns(headers, keys, questionnaire, table.file, overrides)
    columns = columns.with_warnings(_stem_warnings(table.file, headers, columns, index))
    view = view or named or _view(table, columns, questionnaire)  # type: ignore[assignment]
    builder = AnswerBuilder(questionnaire, table, TOKENS,
                            values=load_value_map(mapping, questionnaire))
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
            builder.answer(variable, values[variable][0], question, by, other_split=True)
    builder.other_texts(columns)
    return build(builder, columns, _metadata(builder, table, columns), tuple(notes))


def data_sheet(path: Path) -> tuple[int | str, list[str]]:
    """The sheet to read (the first whose header row is a wjx header) and a note naming the
    sheets left out; sheet 0 and no note for a CSV or a one-sheet workbook."""
    if not is_excel(path):
        return 0, []
    sheets = sheet_headers(path)
    if len(sheets) < 2:
        return 0, []
    chosen = next((name for name, header in sheets.items() if looks_like_wjx(header)),
                  next(iter(sheets)))
    others = ", ".join(f"'{name}'" for name in sheets if name != chosen)
    return chosen, [f"read sheet '{chosen}' of the workbook; left out sheet(s) {others}"]


def view_in_name(name: str) -> str | None:
    """序号, 文本 or 分数 from a wjx file name (`302594156_按序号_标题_254_246.xlsx`)."""
    match = _VIEW_IN_NAME.search(name)
    return match[1] if match else None


def _stem_warnings(file: str, headers: list[str], columns, index: HeaderIndex) -> list:
    """Columns matched by number whose stem is not their question's: a reordered or edited
    questionnaire, whose answers would otherwise land in the wrong variables unnoticed."""
    warnings = []
    for position, (header, target) in enumerate(zip(headers, columns.targets, strict=True),
                                                 start=1):
        parts = split_header(header) if target.matched_by == "number" else None
        if parts is None or not parts.stem:
            continue
        question = index.by_number.get(parts.number)
        if question is not None and not stem_resembles(parts.stem, question):
            warnings.append(stem_warning(file, position, header, parts.number, question,
                                         index.q))
    return warnings


def _view(table: ExportTable, columns, questionnaire: Questionnaire) -> View:
    """序号 when most answers to single-choice questions are numbers, else 文本."""
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
            stamps = _times(cells)
            builder.error(cells.notna() & stamps.isna(), position, "bad-time",
                          "is not a time like 2024/11/05 08:56:01")
            extra[name] = stamps
        elif name == "duration_seconds":
            seconds = _seconds(cells)
            builder.error(cells.notna() & seconds.isna(), position, "bad-duration",
                          "is not a duration like 245秒")
            extra[name] = seconds
        else:
            extra[name] = cells.astype("string")
    builder.raise_errors()
    return extra


def _times(cells: pd.Series) -> pd.Series:
    """Submission times in any of TIME_FORMATS (NaT where none fits)."""
    stamps = pd.Series(pd.NaT, index=cells.index, dtype="datetime64[ns]")
    for form in TIME_FORMATS:
        stamps = stamps.fillna(pd.to_datetime(cells, format=form, errors="coerce"))
    return stamps


def _seconds(cells: pd.Series) -> pd.Series:
    """Durations `245秒`, `4分5秒`, `1小时2分3秒` or a plain number of seconds (NA otherwise)."""
    parts = cells.str.extract(_DURATION).astype("float64")
    spelled = parts.notna().any(axis=1)
    seconds = (parts["h"].fillna(0) * 3600 + parts["m"].fillna(0) * 60 + parts["s"].fillna(0))
    plain = pd.to_numeric(cells.where(~spelled), errors="coerce")
    total = seconds.where(spelled, plain)
    return total.where(total == total.round()).astype("Int64")


def detect(path: Path, head: bytes) -> bool:
    """A Wenjuanxing export: a header of 序号 and numbered stems, or of `N、题干` stems, or
    with wjx's metadata columns (in any sheet of a workbook)."""
    if head.startswith(b"PK\x03\x04"):
        return any(looks_like_wjx(header) for header in sheet_headers(path).values())
    rows = first_rows(path, head, 1)
    return bool(rows) and looks_like_wjx(rows[0])


def read(path: Path, questionnaire: Questionnaire, *, mapping: str | Path | None = None,
         view: View | None = None) -> Responses:
    """The registry's entry point: `read_wjx`, with the mapping and read problems attached."""
    imported = read_wjx(path, questionnaire, view=view, mapping=mapping)
    return attach(imported.responses, imported.mapping.table, imported.problems)
