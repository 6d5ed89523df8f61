"""What every form writer shares: question numbers, variable kinds, language names, atomic writes.

The writers (`xlsform`, `paper`, `codebook`, `wjx`) each turn a `Questionnaire` into one output;
the facts they must agree on (how questions are numbered, what the free-text column of an "other"
option is called, which kind an expression variable has) live here so that a paper form, a
codebook and a Wenjuanxing text all say "第12题" about the same question.
"""

from __future__ import annotations

from survey.questionnaire.model import Code, Question, Questionnaire

LANGUAGE_NAMES = {
    "zh": "中文", "zh-Hans": "简体中文", "zh-Hant": "繁體中文", "en": "English", "bo": "བོད་ཡིག",
    "ug": "ئۇيغۇرچە", "mn": "Монгол", "ii": "ꆈꌠꉙ", "za": "Vahcuengh", "ko": "한국어",
    "ja": "日本語", "vi": "Tiếng Việt", "fr": "Français", "es": "Español", "de": "Deutsch",
    "ru": "Русский", "ar": "العربية", "pt": "Português",
}  # fmt: skip


def language_name(code: str) -> str:
    """The XLSForm name of a language, e.g. '中文 (zh)'; the code itself when it is unknown."""
    return f"{LANGUAGE_NAMES.get(code, code)} ({code})"


def numbering(questionnaire: Questionnaire, *, notes: bool = False) -> dict[str, int]:
    """Question numbers as printed: 1, 2, ... in order; notes get none unless `notes` is true.

    Grid items share the number of their grid (they are printed as its rows).
    """
    numbers: dict[str, int] = {}
    n = 0
    for q in questionnaire.questions:
        if q.type == "note" and not notes:
            continue
        n += 1
        numbers[q.name] = n
        for item in q.items:
            numbers[item.name] = n
    return numbers


def substantive_codes(q: Question) -> list[Code]:
    """The option codes without the "don't know" code."""
    return [c for c in q.codes if c != q.dont_know]


def code_range(q: Question) -> tuple[int, int] | None:
    """(low, high) when the substantive codes are consecutive integers in order, else None."""
    codes = substantive_codes(q)
    if len(codes) < 2 or not all(isinstance(c, int) for c in codes):
        return None
    low = codes[0]
    if codes != list(range(low, low + len(codes))):
        return None
    return low, codes[-1]


def variable_kind(questionnaire: Questionnaire, name: str) -> str:
    """The kind the expression compilers need: number, string, multi, boolean or '' (unknown)."""
    items = questionnaire.items
    if name in items:
        q = items[name]
        if q.is_set:
            return "multi"
        if q.type in ("number", "scale"):
            return "number"
        if q.type == "text":
            return "string"
        if q.type == "single":
            return "number" if all(isinstance(c, int) for c in q.codes) else "string"
        return ""
    for d in questionnaire.derived:
        if d.name == name:
            if d.cases:
                codes = [c.value for c in d.cases]
                return "number" if all(isinstance(c, int) for c in codes) else "string"
            return "number"  # booleans are written as 1/0
    return ""
