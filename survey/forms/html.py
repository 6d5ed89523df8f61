"""The web form: one self-contained, mobile-first HTML file made from the questionnaire.

Everything is inline (CSS, the expression runtime, the form's script), so the file works offline
from a phone's storage or served by `survey serve`. Every language is embedded and a switch
chooses one. Skip logic and constraints run in the browser from the expressions compiled by
`survey.expressions.javascript`; the server checks every submission again with the same rules
(`survey.collect.validation`). Labels are escaped by jinja2's autoescape; data embedded in the
page is JSON with ``<``, ``>`` and ``&`` written as unicode escapes, so no answer or label can end
a ``<script>`` element.
"""

from __future__ import annotations

import json
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from survey.errors import UnknownLanguage
from survey.expressions import parse
from survey.expressions.javascript import JS_RUNTIME, to_javascript
from survey.files.atomic import write_atomic
from survey.messages.forms import WEB_FORM
from survey.questionnaire.columns import text_column
from survey.questionnaire.model import Question, Questionnaire

LANGUAGE_NAMES = {"zh": "中文", "en": "English", "zh-Hant": "繁體中文", "ug": "ئۇيغۇرچە",
                  "bo": "བོད་ཡིག"}

# Texts of the form itself, by language; a language without its own falls back to English.

_ENV = Environment(loader=PackageLoader("survey.forms", "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True),
                   trim_blocks=True, lstrip_blocks=True)


def render_html(questionnaire: Questionnaire, language: str | None = None,
                post_url: str | None = None) -> str:
    """The form as one HTML page in `language` (default: the survey's first).

    With `post_url` the form posts submissions there; without it, "submit" saves a JSON file.
    """
    survey = questionnaire.survey
    language = language or survey.default_language
    if language not in survey.languages:
        raise UnknownLanguage(f"the questionnaire has no language '{language}' "
                              f"(it has {', '.join(survey.languages)})")
    ui = {lang: {**WEB_FORM["en"], **WEB_FORM.get(lang, WEB_FORM.get(lang.split("-")[0], {}))}
          for lang in survey.languages}
    spec = {
        "id": survey.id, "version": survey.version, "language": language,
        "languages": survey.languages, "post": post_url,
        "titles": {lang: questionnaire.label(survey.title, lang) for lang in survey.languages},
        "messages": ui, "questions": [_spec(questionnaire, q) for q in questionnaire.questions],
    }
    script = "\n".join([JS_RUNTIME, _rules(questionnaire), _asset("form.js")])
    lowered = script.lower()
    if "</script" in lowered or "<!--" in lowered:
        raise AssertionError("the form's script would end its <script> element")
    return _ENV.get_template("form.html.jinja").render(
        q=questionnaire, survey=survey, language=language, languages=survey.languages,
        language_names=LANGUAGE_NAMES, ui=ui, questions=questionnaire.questions,
        spec_json=safe_json(spec), script=script, style=_asset("form.css"),
        option_id=option_id, other_key=lambda q, c: text_column(q, c))


def write_html(questionnaire: Questionnaire, path: str | Path, lang: str | None = None,
               post_url: str | None = None) -> Path:
    """Write the web form to `path`, whole or not at all."""
    return write_atomic(path, render_html(questionnaire, lang, post_url))


def safe_json(value: Any) -> str:
    """JSON that can sit inside a <script> element: <, > and & as unicode escapes."""
    text = json.dumps(value, ensure_ascii=False, default=_default)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def option_id(name: str, code: object) -> str:
    """The HTML id of one option's control (names and codes are identifiers or integers)."""
    return f"q-{name}-{code}"


def _default(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot embed {value!r}")


def _asset(name: str) -> str:
    return (files("survey.forms") / "templates" / name).read_text(encoding="utf-8")


def _spec(questionnaire: Questionnaire, q: Question) -> dict[str, Any]:
    """What the form's script needs to know of one question."""
    def limit(value: Any) -> Any:
        return value if value is None or isinstance(value, date) else float(value)

    return {
        "name": q.name, "type": q.type, "required": q.required, "codes": q.codes,
        "items": [item.name for item in q.items], "exclusive": q.exclusive,
        "min_choices": q.min_choices, "max_choices": q.max_choices, "other": q.other,
        "min": limit(q.min), "max": limit(q.max), "integer": q.integer,
        "max_length": q.max_length,
        "constraint_message": q.constraint_message,
    }


def _rules(questionnaire: Questionnaire) -> str:
    """`RULES`: each question's relevant and constraint, compiled to JavaScript functions."""
    lines = []
    for q in questionnaire.questions:
        parts = []
        for key in ("relevant", "constraint"):
            source = getattr(q, key)
            if source:
                code = to_javascript(parse(source).as_condition()).replace("<", "\\u003c")
                parts.append(f"{key}: function (S) {{ return {code}; }}")
        if parts:
            lines.append(f"  {json.dumps(q.name)}: {{{', '.join(parts)}}},")
    return "const RULES = {\n" + "\n".join(lines) + "\n};"
