"""What each column of a Wenjuanxing (问卷星) export holds, read from its header text alone.

The grammar of the header row (../shared/formats.md §3.3; [I] marks our assumptions):

- Metadata: 序号, 提交答卷时间, 所用时间, 来源, 来源详情, 来自IP (`META`), and the columns wjx adds
  when a feature is on (`KEPT`): 总分 (scored questionnaires), 填写设备, 答题序号, 自定义字段
  (custom link parameters) [I], and 微信昵称/微信性别/微信地区/微信头像 with WeChat login [I].
- A question: `N、题干`, `N. 题干`, `N 题干`, `QN. 题干` [I], `(1)N 题干`, `第N题`.
- A split column: `N、题干(选项)` then `N(选项)` (an option of a multi or rank question);
  `第N题(选项)` in old exports; `N、(选项)` the free text of an option with a fill-in box.
- A matrix row: `N、题干—行` (em dash; also `——`, `―`, `－`, `–` [I]), or `N、题干(行)`/`N(行)`.
  The row text is taken after the last dash (or in the last parentheses) that names a row of
  the grid, so a row label holding a dash or parentheses is still found.
- A score column `N、题干(分数)` [I]: the points a scored question earned, not an answer; kept
  under its header as metadata.

Headers are matched to the questionnaire's numbering (notes unnumbered, a grid one number). When
the numbers restart (a number already used by another question's stem: numbering per section),
numbers say nothing, and every numbered column is matched by its stem text instead.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from survey.questionnaire.model import Question
from survey.readers.mapping import HeaderIndex, HeaderKey, normalise

META = {"序号": "respondent_id", "提交答卷时间": "submitted_at", "所用时间": "duration_seconds",
        "来源": "来源", "来源详情": "来源详情", "来自IP": "来自IP"}
KEPT = frozenset({"总分", "填写设备", "答题序号", "自定义字段", "微信昵称", "微信性别", "微信地区",
                  "微信头像"})
SCORE_WORDS = frozenset({"分数", "得分"})
# the columns by which the other platform readers know their exports (KoboToolbox, ODK, Qualtrics)
OTHER_PLATFORMS = ({"_uuid", "_submission_time"}, {"SubmissionDate", "KEY"},
                   {"StartDate", "EndDate"})
_NUMBER = re.compile(r"^(?:\(\d+\))?\s*(?:第\s*(?P<old>\d{1,4})\s*题|[QqＱ]?(?P<n>\d{1,4}))"
                     r"(?P<space>\s*)(?P<sep>[、.．:：]?)\s*")
_DASH = re.compile(r"\s*(?:—+|―+|－|–)\s*")
_OPEN, _CLOSE = "(（", ")）"


class Numbered(NamedTuple):
    """A numbered header: its number, stem, the text in its last balanced ASCII parentheses,
    whether a separator (、 . :) followed the number, and the whole text after the number."""

    number: int
    stem: str
    option: str | None
    separated: bool
    rest: str


def split_header(header: str) -> Numbered | None:
    """The parts of a numbered header, or None for any other header.

    Accepts `5、题干`, `5. 题干`, `5 题干`, `Q5. 题干`, `5(选项)`, `第5题(选项)` and `(1)5 题干`.
    """
    match = _NUMBER.match(header)
    if not match:
        return None
    rest = header[match.end():].strip()
    separated = bool(match["sep"])
    if not (separated or match["old"] or match["space"] or rest.startswith("(") or not rest):
        return None  # '2024年收入' is not question 2024
    stem, option = rest, None
    if rest.endswith(")"):
        depth = 0
        for i in range(len(rest) - 1, -1, -1):
            depth += rest[i] in _CLOSE
            depth -= rest[i] in _OPEN
            if depth == 0:
                if rest[i] == "(":
                    option, stem = rest[i + 1:-1], rest[:i].strip()
                break
    return Numbered(int(match["old"] or match["n"]), stem, option, separated, rest)


def is_stem(header: str) -> bool:
    """A question or split-column header: a number followed by a stem or by `(选项)`."""
    parts = split_header(header)
    return parts is not None and (bool(parts.stem) and parts.separated or
                                  parts.option is not None)


def looks_like_wjx(header: list[str]) -> bool:
    """Whether a header row is a Wenjuanxing export's, metadata columns removed or not: 序号
    then numbered stems, or (without 序号) mostly `N、题干` stems, or wjx's metadata names."""
    cells = [cell.strip().lstrip("\ufeff") for cell in header]
    named = [cell for cell in cells if cell]
    if not named or any(marks <= set(named) for marks in OTHER_PLATFORMS):
        return False  # a Kobo export with numbered labels as headers is still Kobo's
    if any(cell in ("提交答卷时间", "所用时间", "来自IP") for cell in named):
        return True
    stems = [cell for cell in named if is_stem(cell)]
    if named[0] == "序号":
        return bool(stems)
    wjx_like = [cell for cell in stems if "、" in cell or re.match(r"^第\s*\d+\s*题", cell)]
    return len(wjx_like) >= 2 and 2 * len(stems) >= len(named)


def header_keys(headers: list[str], index: HeaderIndex) -> tuple[list[HeaderKey | None],
                                                                   int | None]:
    """Each header's key, and the position where question numbers start again (None if they
    do not; if they do, every numbered column is matched by its stem text)."""
    parsed = [None if h in META or h in KEPT else split_header(h) for h in headers]
    restart = _restart(parsed)
    keys: list[HeaderKey | None] = []
    current: dict[int, tuple[Question, str] | None] = {}  # restart mode: number -> last stem's
    for header, parts in zip(headers, parsed, strict=True):
        if parts is None:  # metadata, or a header that is not numbered
            known = header in META or header in KEPT
            keys.append(HeaderKey(meta=META.get(header, header)) if known else None)
            continue
        if restart is None:
            question, ref, by = index.by_number.get(parts.number), parts.number, "number"
        else:
            if parts.stem:
                current[parts.number] = _by_stem(parts, index)
            found = current.get(parts.number)
            question, ref, by = (found[0], found[1], "label") if found else (None, None, "")
        if _is_score(parts.option) and not _names_option(question, parts.option, index):
            keys.append(HeaderKey(meta=header))
        else:
            keys.append(None if ref is None else _key(ref, by, question, parts, index))
    return keys, restart


def _is_score(option: str | None) -> bool:
    return option is not None and option.strip() in SCORE_WORDS


def _names_option(question: Question | None, text: str | None, index: HeaderIndex) -> bool:
    """Whether `text` is an option (or a grid row) of the question: `5(分数)` may be one."""
    if question is None or text is None:
        return False
    if question.type == "grid":
        return index.item(question, text) is not None
    return index.option(question, text) is not None


def _base(parts: Numbered) -> str:
    """A stem without its matrix row: the text before the first dash."""
    return normalise(_DASH.split(parts.stem, maxsplit=1)[0])


def _restart(parsed: list[Numbered | None]) -> int | None:
    """Where the numbering starts again: a stem whose number is lower than the one before it
    and was another question's, followed by the next number (a new run, 1, 2, ...). One
    header numbered wrongly is no restart: match_columns reports it as a duplicate."""
    questions: list[tuple[int, int, str]] = []  # (position, number, stem) per question
    for position, parts in enumerate(parsed):
        if parts is None or not parts.stem or _is_score(parts.option):
            continue
        if not questions or questions[-1][1:] != (parts.number, _base(parts)):
            questions.append((position, parts.number, _base(parts)))
    seen: dict[int, str] = {}
    for i, (position, number, base) in enumerate(questions):
        if (i and number < questions[i - 1][1] and seen.get(number, base) != base
                and i + 1 < len(questions) and questions[i + 1][1] == number + 1):
            return position
        seen.setdefault(number, base)
    return None


def _by_stem(parts: Numbered, index: HeaderIndex) -> tuple[Question, str] | None:
    """The question whose label is the stem (or its text before a dash), and that text."""
    pieces = _DASH.split(parts.stem)
    for end in range(len(pieces), 0, -1):
        text = "—".join(pieces[:end])
        found = index.find(HeaderKey(text, "label"))
        if found is not None and found[1] is None:
            return found[0], text
    return None


def _key(question_ref: int | str, by, question: Question | None, parts: Numbered,
         index: HeaderIndex) -> HeaderKey:
    """The key of a numbered column whose question is `question` (None: not in the file's
    questionnaire, which match_columns reports)."""
    if question is not None and question.type == "grid":
        return HeaderKey(question_ref, by, _grid_row(parts, question, index))
    option = parts.option
    if option is None:
        return HeaderKey(question_ref, by)
    if question is not None and parts.stem and index.option(question, option) is None:
        return HeaderKey(question_ref, by)  # '5、题干(最多选3项)': the parentheses are the stem's
    text = not parts.stem and parts.separated and question is not None
    return HeaderKey(question_ref, by, option, text=text)


def _grid_row(parts: Numbered, question: Question, index: HeaderIndex) -> str:
    """The row a matrix column holds, as written: after the last dash or in the parentheses
    that name a row; else the text that should have (so that the error quotes it)."""
    pieces = _DASH.split(parts.rest)
    for start in range(len(pieces) - 1, 0, -1):
        tail = "—".join(pieces[start:])
        if index.item(question, tail) is not None:
            return tail
    if parts.option is not None and index.item(question, parts.option) is not None:
        return parts.option
    if len(pieces) > 1:
        return pieces[-1]
    return parts.option if parts.option is not None else parts.rest
