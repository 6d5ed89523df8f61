"""Variable and value labels of our coded layout, in one language, for .sav and .dta."""

from __future__ import annotations

from survey.questionnaire.columns import block_columns, other_column
from survey.questionnaire.model import Questionnaire
from survey.responses.coded import CODED_TYPES, carries_codes
from survey.responses.missing import FILE_CODE_LABELS

SELECTED = {"zh": {1: "选中", 0: "未选"}, "en": {1: "Selected", 0: "Not selected"}}
NOT_RANKED = {"zh": "未排序", "en": "Not ranked"}
OTHER_TEXT = {"zh": "其他（文字）", "en": "other (text)"}


def _word(table: dict, lang: str):
    return table.get(lang, table["en"])


def variable_labels(questionnaire: Questionnaire, lang: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    for q in questionnaire.items.values():
        text = questionnaire.label(q.label, lang)
        if q.is_set:
            options = q.options if isinstance(q.options, dict) else {}
            for code, column in block_columns(q).items():
                labels[column] = f"{text}: {questionnaire.label(options[code], lang)}"
        else:
            labels[q.name] = text
        other = other_column(q)
        if other:
            labels[other] = f"{text}: {_word(OTHER_TEXT, lang)}"
    return labels


def value_labels(questionnaire: Questionnaire, lang: str) -> dict[str, dict[int | float, str]]:
    """Option labels of numeric coded columns, and labels of the missing-kind codes."""
    missing = {code: _word(text, lang) for code, text in FILE_CODE_LABELS.items()}
    labels: dict[str, dict[int | float, str]] = {}
    for q in questionnaire.items.values():
        if not carries_codes(q):
            continue
        if q.type in CODED_TYPES:
            if not all(isinstance(c, int) for c in q.codes):
                continue
            options = q.options if isinstance(q.options, dict) else {}
            labels[q.name] = {code: questionnaire.label(text, lang)
                              for code, text in options.items()} | missing
        elif q.type == "multi":
            for column in block_columns(q).values():
                labels[column] = dict(_word(SELECTED, lang)) | missing
        elif q.type == "rank":
            for column in block_columns(q).values():
                labels[column] = {0: _word(NOT_RANKED, lang)} | missing
        else:
            labels[q.name] = dict(missing)
    return labels
