"""One message catalogue for Chinese and English: every sentence and label the toolkit writes
itself (forms, report, tables, charts) lives in the modules of this package, both languages side
by side, so a translation is one edit in one place and no module tests `lang == "zh"` itself.

An area is `{"zh": {key: text}, "en": {key: text}}`; texts may hold `{placeholders}`. Chinese
variants (`zh-Hant`, `zh-CN`) use the Chinese texts, every other language the English ones.
"""

from __future__ import annotations

from collections.abc import Mapping

from survey.errors import UnknownLanguage

Area = Mapping[str, Mapping[str, str]]
LANGUAGES = ("zh", "en")


def family(lang: str | None) -> str:
    """The catalogue language for `lang`: "zh" for any Chinese, else "en"."""
    return "zh" if lang is not None and lang.lower().startswith("zh") else "en"


def is_chinese(lang: str | None) -> bool:
    """Whether `lang` is a Chinese language (its texts, punctuation and number style)."""
    return family(lang) == "zh"


def words(area: Area, lang: str | None) -> Mapping[str, str]:
    """All texts of an area in the catalogue language of `lang`."""
    return area[family(lang)]


def text(area: Area, key: str, lang: str | None, **values: object) -> str:
    """One text of an area in `lang`, its placeholders filled from `values`."""
    return words(area, lang)[key].format(**values)


def pick_language(questionnaire, lang: str | None) -> str:
    """The language to write in: `lang` if the survey declares it, else its first language."""
    languages = questionnaire.survey.languages
    if lang is None:
        return languages[0]
    if lang not in languages:
        raise UnknownLanguage(f"language '{lang}' is not one of the survey's languages "
                              f"({', '.join(languages)})")
    return lang
