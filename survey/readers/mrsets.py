"""SPSS multiple-response sets (the MRSETS of a .sav) read as the blocks of multi and rank
questions, when the set's variables are not named as our layout's block columns.

A set is the question whose name it has (`$concerns`, any case) or whose label it carries, in
any language. A dichotomy set (`D`: one variable per option, the counted value meaning
"selected") gives each variable to the option whose label is its variable label, or whose layout
column is its name; failing both, to the options in order when there are as many. A category set
(`C`: variables holding the codes chosen, first mention first) is read through the variables'
value labels, or as our codes; for a rank question the mention's place is its rank. Every set read,
or left because it matches no question, is said in a note.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from survey.questionnaire.columns import block_columns, option_column
from survey.questionnaire.model import Code, Question, Questionnaire
from survey.readers.mapping import HeaderIndex, normalise
from survey.readers.recode import option_texts


def mrset_columns(frame: pd.DataFrame, sets: Mapping[str, dict], labels: Mapping[str, str | None],
                  value_labels: Mapping[str, Mapping], questionnaire: Questionnaire
                  ) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The frame with each set's variables replaced by its question's block, and the notes."""
    index = HeaderIndex(questionnaire)
    notes = []
    for name, spec in sets.items():
        variables = [v for v in spec.get("variable_list", []) if v in frame.columns]
        question = _question(name, spec.get("label") or "", index, questionnaire)
        if question is None:
            notes.append(f"multiple-response set ${name} ({', '.join(variables)}) matches no "
                         "multi or rank question; its variables are kept as they are")
            continue
        if any(c in frame.columns for c in block_columns(question).values()) or not variables:
            continue  # our own layout is there already
        block = frame[variables]
        said = ""
        if spec.get("is_dichotomy"):
            options, by_order = _dichotomy_options(variables, labels, questionnaire, question)
            columns = _from_dichotomies(block, options, spec.get("counted_value", 1), question)
            left = [v for v in variables if v not in options]
            said = "; its variables matched the options by order, not by label" if by_order \
                else (f"; {', '.join(left)} match no option and are kept" if left else "")
        else:
            columns, unknown = _from_categories(block, value_labels, questionnaire, question)
            left = variables if unknown else []
            if unknown:
                said = (f"; {sum(unknown.values())} mention(s) of codes that are no option "
                        f"({', '.join(list(unknown)[:5])}): its variables are kept")
        frame = pd.concat([frame.drop(columns=[v for v in variables if v not in left]),
                           pd.DataFrame(columns)], axis=1)
        notes.append(f"multiple-response set ${name} ({', '.join(variables)}) read as question "
                     f"'{question.name}'{said}")
    return frame, tuple(notes)


def _question(name: str, label: str, index: HeaderIndex,
              questionnaire: Questionnaire) -> Question | None:
    by_name = {q.lower(): q for q in questionnaire.items}
    found = questionnaire.items.get(by_name.get(name.lstrip("$").lower(), ""))
    if found is None and label:
        hit = index.by_label.get(normalise(label))
        found = hit[0] if hit and hit[1] is None else None
    return found if found is not None and found.is_set else None


def _dichotomy_options(variables: list[str], labels: Mapping[str, str | None],
                       questionnaire: Questionnaire, question: Question
                       ) -> tuple[dict[str, Code], bool]:
    """{variable: option} by label or layout name; by order only when nothing matched and the
    counts agree (and the second value says so)."""
    texts = option_texts(questionnaire, question)
    layout = {c.lower(): code for code, c in block_columns(question).items()}
    found: dict[str, Code] = {}
    for variable in variables:
        label = normalise(labels.get(variable) or "")
        code = texts.get(label, layout.get(variable.lower()))
        if code is None and ":" in label:  # 'question: option' labels
            code = texts.get(label.rsplit(":", 1)[1])
        if code is not None:
            found[variable] = code
    if not found and len(variables) == len(question.codes):
        return dict(zip(variables, question.codes, strict=True)), True
    return found, False


def _from_dichotomies(block: pd.DataFrame, options: dict[str, Code], counted: object,
                      question: Question) -> dict[str, pd.Series]:
    answered = block.notna().any(axis=1)
    counted_text = str(counted).strip()
    columns = {}
    for code in question.codes:
        variable = next((v for v, c in options.items() if c == code), None)
        if variable is None:
            chosen = pd.Series(0.0, index=block.index)
        else:
            cells = block[variable]
            number = pd.to_numeric(pd.Series([counted_text]), errors="coerce").iloc[0]
            chosen = (pd.to_numeric(cells, errors="coerce") == number if number == number
                      else cells.astype("string").str.strip() == counted_text)
            chosen = chosen.fillna(False).astype(float)
        columns[option_column(question.name, code)] = chosen.where(answered)
    return columns


def _from_categories(block: pd.DataFrame, value_labels: Mapping[str, Mapping],
                     questionnaire: Questionnaire, question: Question
                     ) -> tuple[dict[str, pd.Series], dict[str, int]]:
    """The block from mentions, and {code written: mentions} of codes that are no option (a
    labelled code is read by its label only, never as our code with another meaning)."""
    texts = option_texts(questionnaire, question)
    unknown: dict[str, int] = {}
    codes = {str(c): c for c in question.codes}
    place = np.zeros((len(block), len(question.codes)))
    which = {code: i for i, code in enumerate(question.codes)}
    for mention, variable in enumerate(block.columns, start=1):
        labels = {str(k).removesuffix(".0"): v for k, v in value_labels.get(variable, {}).items()}
        cells = block[variable]
        lookup = {}  # each distinct value looked up once, then the whole column at once
        for value in pd.unique(cells.dropna()):
            written = str(value).strip().removesuffix(".0")
            code = texts.get(normalise(labels[written])) if written in labels else \
                codes.get(written)
            lookup[value] = -1 if code is None else which[code]
            if code is None:
                unknown[written] = unknown.get(written, 0) + int((cells == value).sum())
        index = cells.map(lookup).fillna(-1).to_numpy(int)
        rows = np.flatnonzero(index >= 0)
        first = place[rows, index[rows]] == 0  # an option's first mention counts
        place[rows[first], index[rows][first]] = mention if question.type == "rank" else 1
    answered = block.notna().any(axis=1).to_numpy()
    return {option_column(question.name, code): pd.Series(
        np.where(answered, place[:, i], np.nan), index=block.index)
        for code, i in which.items()}, unknown
