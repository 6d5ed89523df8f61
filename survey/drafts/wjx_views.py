"""The files of a Wenjuanxing export as `survey init` reads them: each view's header parsed into
questions (the columns under one number), the view told by the file name or else by the cells,
and the 按序号 and 按文本 views paired respondent by respondent, checked by 序号.

Header grammar: survey.readers.wjx_headers (`N、题干`, split columns `N(选项)`, matrix rows
`N、题干—行`, the free text of an option `N、(选项)`, score columns `N、题干(分数)`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from survey.drafts.draft import InitError
from survey.readers.export_table import read_export
from survey.readers.wjx import (
    MULTI_SEPARATOR,
    RANK_SEPARATOR,
    SCORE_VIEW,
    TOKENS,
    data_sheet,
    view_in_name,
)
from survey.readers.wjx_headers import KEPT, META, SCORE_WORDS, Numbered, split_header

SEQUENCE, TEXT = "序号", "文本"
NOT_ANSWERS = frozenset(TOKENS) | {""}
SKIPS = frozenset({"(跳过)", "（跳过）", "-3", "-2"})
FILL_IN = re.compile(r"^(.*?)〖(.*)〗$", re.S)  # 其他〖自己开店〗: an option and the text typed
DASH = re.compile(r"\s*(?:—+|―+|－|–)\s*")  # between a matrix stem and its row
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


class WjxViewsError(InitError):
    """Files that are not the 按序号 and 按文本 views of the same answers (or a 按分数 download)."""

    code = "init-wjx-views"


@dataclass
class Group:
    """The columns of one numbered question in one view: one column (`one`), a column per option
    or matrix row in parentheses (`options`), or a column per matrix row after a dash (`rows`)."""

    number: int
    stem: str
    shape: str
    positions: list[int]
    headers: list[str]
    parts: list[str]  # the option or row each column holds ('' for a one-column question)
    fill_ins: dict[str, str] = field(default_factory=dict)  # option text -> its `N、(选项)` column


@dataclass
class Export:
    """One view of the answers: header, text cells (stripped), and its questions in order."""

    path: Path
    view: str | None
    header: list[str]
    body: pd.DataFrame
    groups: list[Group]
    loose: list[str]  # neither metadata nor numbered: kept by the import under their own names
    scores: list[str]  # `N、题干(分数)`: points scored, kept by the import as metadata

    def cells(self, header: str) -> pd.Series:
        return self.body[self.header.index(header)]

    def serials(self) -> pd.Series | None:
        return self.cells("序号") if "序号" in self.header else None


@dataclass
class Pair:
    """The views given (one may be None), their rows paired, and what pairing them found."""

    sequence: Export | None
    text: Export | None
    notes: list[str]

    def questions(self) -> list[tuple[Group | None, Group | None]]:
        if self.sequence is None or self.text is None:
            groups = (self.sequence or self.text).groups  # type: ignore[union-attr]
            return [(g, None) if self.sequence else (None, g) for g in groups]
        return list(zip(self.sequence.groups, self.text.groups, strict=True))


def answered(cells: pd.Series) -> pd.Series:
    """The cells that hold an answer (wjx's skip and empty tokens left out)."""
    return cells[~cells.isin(NOT_ANSWERS)]


def is_number(text: str) -> bool:
    return bool(_NUMBER.match(text.replace(",", "")))


def read_view(path: Path) -> Export:
    """One file: its sheet holding the answers, the header parsed, the view named or guessed."""
    sheet, _ = data_sheet(path)
    table = read_export(path, sheet=sheet)
    header = [h.strip().lstrip("\ufeff") for h in table.header[0]]
    body = table.body.astype(str).apply(lambda column: column.str.strip())
    groups, loose, scores = parse_header(header)
    named = view_in_name(path.name)
    if named == "分数":
        raise WjxViewsError(f"{path}: {SCORE_VIEW}")
    if not groups:
        raise InitError(f"{path}: no column is a numbered question ('1、题干'), so this is not "
                        "a Wenjuanxing export")
    if body.empty:
        raise InitError(f"{path}: no respondents; the questions' types and options are read "
                        "from the answers, so download the export once there are some")
    return Export(path, named, header, body, groups, loose, scores)


def parse_header(header: list[str]) -> tuple[list[Group], list[str], list[str]]:
    """The questions of a header (runs of columns under one number), the loose columns and the
    score columns."""
    runs: list[list[tuple[int, str, Numbered]]] = []
    loose: list[str] = []
    scores: list[str] = []
    for position, text in enumerate(header):
        if text in META or text in KEPT:
            continue
        parts = split_header(text)
        if parts is None:
            loose.append(text)
        elif parts.option is not None and parts.option.strip() in SCORE_WORDS:
            scores.append(text)
        elif runs and runs[-1][0][2].number == parts.number:
            runs[-1].append((position, text, parts))
        else:
            runs.append([(position, text, parts)])
    groups = []
    for run in runs:
        group, left = _group(run)
        loose += left
        if group is not None:
            groups.append(group)
    return groups, loose, scores


def _is_fill_in(parts: Numbered) -> bool:
    return not parts.stem and parts.separated and parts.option is not None


def _group(run: list[tuple[int, str, Numbered]]) -> tuple[Group | None, list[str]]:
    """One question's columns (and the columns of the run that fit no shape)."""
    columns = [(p, h, parts) for p, h, parts in run if not _is_fill_in(parts)]
    fill_ins = {parts.option: h for _, h, parts in run if _is_fill_in(parts)}
    if not columns:
        return None, list(fill_ins.values())
    positions = [p for p, _, _ in columns]
    headers = [h for _, h, _ in columns]
    first = columns[0][2]
    if len(columns) == 1:
        return Group(first.number, first.rest, "one", positions, headers, [""], fill_ins), []
    rows = matrix_rows([parts.rest for _, _, parts in columns])
    if rows is not None:
        return Group(first.number, rows[0], "rows", positions, headers, rows[1], fill_ins), []
    if all(parts.option is not None for _, _, parts in columns):
        options = [str(parts.option) for _, _, parts in columns]
        return Group(first.number, first.stem, "options", positions, headers, options,
                     fill_ins), []
    return Group(first.number, first.rest, "one", positions[:1], headers[:1], [""],
                 fill_ins), headers[1:]


def matrix_rows(texts: list[str]) -> tuple[str, list[str]] | None:
    """(stem, rows) of matrix headers `题干—行`: the stem is what every header holds before
    the same dash, as far along as that goes (a stem may hold a dash, and a row too)."""
    dashes = [list(DASH.finditer(text)) for text in texts]
    for k in range(min(len(found) for found in dashes), 0, -1):
        stems = {text[:found[k - 1].start()] for text, found in zip(texts, dashes, strict=True)}
        rows = [text[found[k - 1].end():] for text, found in zip(texts, dashes, strict=True)]
        if len(stems) == 1 and all(rows):
            return stems.pop(), rows
    return None


def read_pair(paths: list[Path]) -> Pair:
    """The views of the files given: one file, or the 按序号 and 按文本 views of one export."""
    if len(paths) > 2:
        raise WjxViewsError(f"{paths[2]}: a Wenjuanxing export has two views (按序号 and "
                            "按文本); give one or both, not more files")
    exports = [read_view(path) for path in paths]
    if len(exports) == 1:
        export = exports[0]
        export.view = export.view or guess_view(export)
        if export.view == TEXT:
            export.body = in_submission_order(export)
        return Pair(export if export.view == SEQUENCE else None,
                    export if export.view == TEXT else None, [])
    sequence, text = _which_is_which(exports)
    notes = align(sequence, text)
    _same_questions(sequence, text)
    return Pair(sequence, text, notes)


def guess_view(export: Export) -> str:
    """序号 when most answers are numbers and no cell joins options with ┋ or →."""
    cells = _answers(export)
    if cells.str.contains(f"[{MULTI_SEPARATOR}{RANK_SEPARATOR}]").any() or \
            cells.isin(["(跳过)", "（跳过）"]).any():
        return TEXT
    return SEQUENCE if _numeric_share(export) > 0.5 else TEXT


def _answers(export: Export) -> pd.Series:
    return pd.concat([answered(export.body[p]) for g in export.groups for p in g.positions]
                     + [pd.Series([], dtype=object)])


def _numeric_share(export: Export) -> float:
    cells = _answers(export)
    return float(cells.map(is_number).mean()) if len(cells) else 0.0


def _which_is_which(exports: list[Export]) -> tuple[Export, Export]:
    first, second = exports
    if first.view is not None and first.view == second.view:
        raise WjxViewsError(f"{first.path} and {second.path} are both the 按{first.view} view; "
                            "give the 按序号 and the 按文本 view of the same answers")
    if first.view is None and second.view is None:
        shares = [_numeric_share(e) for e in exports]
        first.view = SEQUENCE if shares[0] >= shares[1] else TEXT
    if first.view is None:
        first.view = SEQUENCE if second.view == TEXT else TEXT
    second.view = SEQUENCE if first.view == TEXT else TEXT
    return (first, second) if first.view == SEQUENCE else (second, first)


def in_submission_order(export: Export) -> pd.DataFrame:
    """The rows by 序号 (wjx numbers respondents as they submit), when 序号 are numbers."""
    serials = export.serials()
    if serials is None or not serials.str.fullmatch(r"\d+").all():
        return export.body
    order = serials.astype("int64").sort_values(kind="stable").index
    return export.body.loc[order].reset_index(drop=True)


def align(sequence: Export, text: Export) -> list[str]:
    """Pair the rows of the two views by 序号 (row by row when a file has none); what was found."""
    ours, theirs = sequence.serials(), text.serials()
    names = f"{sequence.path.name} and {text.path.name}"
    n, m = len(sequence.body), len(text.body)
    if ours is None or theirs is None:
        if n != m:
            raise WjxViewsError(f"{names}: {n} and {m} respondents, and no 序号 column to pair "
                                "them by; they are not two views of the same answers")
        return [f"{names}: no 序号 column to check that they hold the same respondents; "
                "paired row by row"]
    if ours.tolist() == theirs.tolist():
        return []
    if ours.duplicated().any() or theirs.duplicated().any():
        raise WjxViewsError(f"{names}: 序号 repeats within a file, so the respondents cannot "
                            "be paired")
    common = ours[ours.isin(set(theirs))]
    if common.empty:
        raise WjxViewsError(f"{names}: no 序号 in common; they are not two views of the same "
                            "answers")
    sequence.body = sequence.body[ours.isin(set(common))].reset_index(drop=True)
    rows = pd.Series(range(m), index=theirs.to_numpy())[common.to_numpy()]
    text.body = text.body.iloc[rows.to_numpy()].reset_index(drop=True)
    if len(common) == n == m:
        return [f"{names}: the respondents come in different orders; paired by 序号"]
    return [f"{names}: {n - len(common)} respondent(s) only in the 按序号 view and "
            f"{m - len(common)} only in the 按文本 view; options were read from the "
            f"{len(common)} in both, paired by 序号"]


def _same_questions(sequence: Export, text: Export) -> None:
    ours = [g.number for g in sequence.groups]
    theirs = [g.number for g in text.groups]
    if ours != theirs:
        at = next((i for i, pair in enumerate(zip(ours, theirs, strict=False))
                   if pair[0] != pair[1]), min(len(ours), len(theirs)))
        said = [str(numbers[at]) if at < len(numbers) else "nothing"
                for numbers in (ours, theirs)]
        raise WjxViewsError(f"{sequence.path.name} and {text.path.name} do not hold the same "
                            f"questions: after {at} questions, the 按序号 view has {said[0]} and "
                            f"the 按文本 view {said[1]}; give the two views of one export")
