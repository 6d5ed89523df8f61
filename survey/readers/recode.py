"""Answers written as words, matched to option codes: by code, then by option label in any
language of the questionnaire (`Female` is the option labelled Female), then through the value
labels of the source file (an SPSS or Stata file whose codes are not ours), then through the
`values:` section of a mapping file, which comes first when given.

Only single-choice and scale columns of our layout are recoded here (platform readers match their
own cells). Whatever matches nothing is left as written: validation reports it as an unknown code.
Every recoding is said in a note of the import, never done silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from survey.questionnaire.columns import block_columns
from survey.questionnaire.model import Code, Question, Questionnaire
from survey.readers.mapping import normalise
from survey.responses.casting import distinct_numbers
from survey.responses.missing import FILE_CODES

ValueLabels = Mapping[str, Mapping[object, str]]  # column -> {value in the file: its label}
ValueMap = Mapping[str, Mapping[str, Code]]  # variable -> {value as written: code}


def option_texts(questionnaire: Questionnaire, question: Question) -> dict[str, Code]:
    """{normalised label in any language: code}, for labels that name one option only."""
    options = question.options
    if isinstance(options, str):
        options = questionnaire.choice_lists.get(options, {})
    found: dict[str, set[Code]] = {}
    for code, label in (options or {}).items():
        for text in label.values():
            found.setdefault(normalise(text), set()).add(code)
    return {text: next(iter(codes)) for text, codes in found.items() if len(codes) == 1}


def recode_choices(frame: pd.DataFrame, questionnaire: Questionnaire,
                   value_labels: ValueLabels | None = None,
                   value_map: ValueMap | None = None) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The frame with words and foreign codes of single/scale columns as option codes, and a
    note per recoded column."""
    value_labels, value_map = value_labels or {}, value_map or {}
    notes = []
    columns = {}
    for q in questionnaire.items.values():
        if q.type not in ("single", "scale") or q.name not in frame.columns:
            continue
        lookup = _lookup(frame[q.name], q, questionnaire, value_labels.get(q.name, {}),
                         value_map.get(q.name, {}))
        if not lookup:
            continue
        columns[q.name] = frame[q.name].astype(object).map(lambda v, t=lookup: t.get(v, v))
        shown = ", ".join(f"{_written(k)}→{v}" for k, v in list(lookup.items())[:4])
        more = f" and {len(lookup) - 4} more" if len(lookup) > 4 else ""
        notes.append(f"column '{q.name}': read {len(lookup)} value(s) as option codes by their "
                     f"labels ({shown}{more})")
    if not columns:
        return frame, ()
    return frame.assign(**columns), tuple(notes)


def _lookup(column: pd.Series, q: Question, questionnaire: Questionnaire,
            labels: Mapping[object, str], mapped: Mapping[str, Code]) -> dict[object, Code]:
    """{value in the column: code} for the values that are not codes already."""
    codes = {str(c): c for c in q.codes}
    texts = option_texts(questionnaire, q)
    by_file_label = _by_value_labels(labels, texts, codes)
    found: dict[object, Code] = {}
    numeric = pd.api.types.is_numeric_dtype(column.dtype) and \
        not pd.api.types.is_bool_dtype(column.dtype)
    if numeric and not mapped and not by_file_label and not any(map(_number_like, texts)):
        return {}  # a number is then a code, a file code or unknown: none is read by a label
    values = distinct_numbers(column.to_numpy(dtype="float64", na_value=np.nan)) if numeric \
        else pd.unique(column.dropna())
    for value in values:
        written = _written(value)
        if written is None or (written in codes and not mapped and not by_file_label):
            continue
        if written in mapped:
            found[value] = mapped[written]
        elif by_file_label and _as_key(value) in by_file_label:
            found[value] = by_file_label[_as_key(value)]
        elif written in codes or _is_file_code(written):
            continue
        elif normalise(written) in texts:
            found[value] = texts[normalise(written)]
    return {v: c for v, c in found.items() if _written(v) != str(c)}


def _by_value_labels(labels: Mapping[object, str], texts: dict[str, Code],
                     codes: dict[str, Code]) -> dict[object, Code]:
    """The file's codes as ours, by their labels, when at least one labelled value carries one
    of our option labels (then the file's labels say what its codes mean). A value labelled
    with no label of ours that is also one of our codes is not taken for that code: it becomes
    `3「其他」`, an unknown code the validation reports, never a silent wrong option."""
    labelled = {_as_key(v): (normalise(t), str(t)) for v, t in labels.items()
                if not _is_file_code(_written(v) or "") and normalise(t)}
    if not any(t in texts for t, _ in labelled.values()):
        return {}
    found: dict[object, Code] = {}
    for value, (text, shown) in labelled.items():
        if text in texts:
            found[value] = texts[text]
        elif str(value) in codes:
            found[value] = f"{value}「{shown}」"
    return found


def _written(value: object) -> str | None:
    """A cell as text: 3.0 is '3', words are stripped; empty is None."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].lstrip("-").isdigit():
        text = text[:-2]
    return text or None


def _number_like(text: str) -> bool:
    """Whether an option's label could be a number as `_written` spells it ('7', '2.5')."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _as_key(value: object) -> object:
    written = _written(value)
    return int(written) if written is not None and written.lstrip("-").isdigit() else written


def _is_file_code(written: str) -> bool:
    return written.lstrip("-").isdigit() and int(written) in FILE_CODES.values()


JOINED = re.compile(r"[\s,;，；、┋|]+")


def joined_sets(frame: pd.DataFrame, questionnaire: Questionnaire
                ) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """A multi or rank question written as one column of its options joined (`pension injury`,
    `养老保险┋工伤保险`: codes or labels, in rank order for rank questions) becomes its block;
    options that match nothing are said in a note and the column is kept beside the block."""
    notes = []
    for q in questionnaire.items.values():
        block = block_columns(q) if q.is_set else {}
        if not q.is_set or q.name not in frame.columns or any(c in frame for c in block.values()):
            continue
        columns, unknown = _joined_block(frame[q.name], q, questionnaire)
        kept = frame if len(unknown) else frame.drop(columns=q.name)
        frame = pd.concat([kept.rename(columns={q.name: f"{q.name} (joined)"}),
                           pd.DataFrame(columns)], axis=1)
        notes.append(f"column '{q.name}': options joined in one cell read into its block"
                     + (f"; not options of it: {', '.join(list(unknown)[:5])} (kept in "
                        f"'{q.name} (joined)')" if len(unknown) else ""))
    return frame, tuple(notes)


def _joined_block(column: pd.Series, q: Question, questionnaire: Questionnaire
                  ) -> tuple[dict[str, pd.Series], list[str]]:
    """The block of one joined column, split and matched column-wise (each distinct token
    looked up once), and the tokens that are no option. The first mention of an option counts;
    its place among all the cell's tokens is its rank."""
    codes = {str(c): c for c in q.codes}
    texts = option_texts(questionnaire, q)
    cells = column.map({v: _written(v) for v in pd.unique(column.dropna())})
    long = cells.dropna().str.split(JOINED.pattern, regex=True).explode()
    long = long[long.notna() & (long != "")]
    rank = long.groupby(level=0).cumcount() + 1
    found = long.map({t: codes.get(t, texts.get(normalise(t))) for t in pd.unique(long)})
    known = pd.DataFrame({"code": found, "rank": rank})[found.notna()]
    known = known[~pd.Index(list(zip(known.index, known["code"], strict=True))).duplicated()]
    answered = cells.notna()
    columns = {}
    for code, block_column in block_columns(q).items():
        mine = known[known["code"] == code]
        value = mine["rank"] if q.type == "rank" else pd.Series(1, index=mine.index)
        columns[block_column] = pd.Series(0.0, index=column.index).where(answered).mask(
            pd.Series(column.index.isin(mine.index), index=column.index),
            value.reindex(column.index).astype(float))
    return columns, list(dict.fromkeys(long[found.isna()]))
