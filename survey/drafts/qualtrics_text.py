"""The texts of a Qualtrics survey: HTML made plain, Qualtrics language codes made ours (`ZH-S` is
zh, `EN-GB` en-GB), and each question's, choice's and answer's text in every language of the draft.

The survey's own texts are in its `SurveyLanguage` (or, when the file does not say, the language
given to `survey init`, else the one its characters are written in); each translation is under
the question's `Language`, `{"EN": {"QuestionText": ..., "Choices": {"1": {"Display": ...}}}}`.
A translation that lacks a text takes the survey language's, so that every label is complete.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from typing import Any

from survey.drafts.draft import Label
from survey.questionnaire.model import LANGUAGE_PATTERN

SPECIAL = {"ZH-S": "zh", "ZH-T": "zh-Hant", "PB": "pt-BR"}
_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<br\s*/?>|</p>|</div>|</li>|</h\d>", re.I)
_CJK = re.compile(r"[\u3400-\u9fff]")


def plain(html: str) -> str:
    """The text of an HTML fragment on one line: tags dropped, entities read, spaces joined."""
    text = _TAG.sub("", _BREAK.sub(" ", html))
    return " ".join(unescape(text).replace("\xa0", " ").split())


def language_code(code: str) -> str:
    """Our code of a Qualtrics language: `ZH-S` zh, `ZH-T` zh-Hant, `EN-GB` en-GB, `TGL` tgl."""
    upper = code.strip().upper()
    if upper in SPECIAL:
        return SPECIAL[upper]
    main, _, region = upper.partition("-")
    found = f"{main.lower()}-{region}" if len(region) >= 2 else main.lower()
    return found if LANGUAGE_PATTERN.match(found) else (re.sub("[^a-z]", "", main.lower())[:3]
                                                        or "xx")


def _chinese(texts: list[str]) -> bool:
    """Whether most of the texts are written in Chinese characters."""
    written = [t for t in texts if t.strip()]
    return bool(written) and sum(bool(_CJK.search(t)) for t in written) * 2 > len(written)


@dataclass
class Texts:
    """The draft's languages: `base` for the survey's own texts, then each translation (our code:
    the Qualtrics code its texts are filed under)."""

    base: str
    translations: dict[str, str] = field(default_factory=dict)

    @property
    def languages(self) -> list[str]:
        return [self.base, *self.translations]

    def question(self, payload: dict[str, Any], fallback: str) -> Label:
        return self.fill(payload, lambda p: p.get("QuestionText"), fallback)

    def choice(self, payload: dict[str, Any], choice: str, fallback: str,
               part: str = "Choices") -> Label:
        """A choice's text (`part` "Answers": a matrix's answer)."""
        return self.fill(payload, lambda p: _entry(p.get(part), choice).get("Display"), fallback)

    def fill(self, payload: dict[str, Any], get: Callable[[dict], Any], fallback: str) -> Label:
        base = plain(str(get(payload) or "")) or fallback
        translated = payload.get("Language") if isinstance(payload.get("Language"), dict) else {}
        found = {self.base: base}
        for ours, theirs in self.translations.items():
            found[ours] = plain(str(get(translated.get(theirs) or {}) or "")) or base
        return found

    def english(self, label: Label) -> str | None:
        """The English text of a label, if it has one (readable names are made from it)."""
        return next((text for lang, text in label.items() if lang.split("-")[0] == "en"), None)


def _entry(part: Any, key: str) -> dict:
    found = part.get(key) if isinstance(part, dict) else None
    return found if isinstance(found, dict) else {}


def survey_texts(declared: str | None, payloads: list[dict[str, Any]], lang: str | None
                 ) -> tuple[Texts, str | None]:
    """The draft's languages from the survey language and the translations its questions carry,
    and a note when the survey language was guessed or corrected."""
    codes: dict[str, str] = {}
    for payload in payloads:
        if isinstance(payload.get("Language"), dict):
            for theirs in payload["Language"]:
                codes.setdefault(language_code(str(theirs)), str(theirs))
    texts = [plain(str(p.get("QuestionText") or "")) for p in payloads]
    note = None
    if declared:
        base = language_code(declared)
        if base.split("-")[0] != "zh" and _chinese(texts) and "zh" not in codes:
            note = (f"the survey language is {declared}, but its texts are written in Chinese: "
                    "they are labelled zh")
            base = "zh"
    else:
        base = lang or ("zh" if _chinese(texts) else "en")
        note = None if lang else (f"the file does not say the survey's language; its texts "
                                  f"are labelled {base}")
    codes.pop(base, None)
    return Texts(base, codes), note
