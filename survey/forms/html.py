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
from survey.questionnaire.columns import text_column
from survey.questionnaire.model import Question, Questionnaire

LANGUAGE_NAMES = {"zh": "中文", "en": "English", "zh-Hant": "繁體中文", "ug": "ئۇيغۇرچە",
                  "bo": "བོད་ཡིག"}

# Texts of the form itself, by language; a language without its own falls back to English.
UI: dict[str, dict[str, str]] = {
    "zh": {
        "language": "语言", "submit": "提交", "save": "保存答案文件", "new": "开始新的问卷",
        "required_mark": "必答", "choose_rank": "—",
        "rank_hint": "为选中的项目选择名次（1 = 最重要）。",
        "specify": "请注明", "sending": "正在提交……",
        "required": "请回答此题。", "number": "请输入数字。", "integer": "请输入整数。",
        "range": "请输入 {min} 到 {max} 之间的数。", "min": "请输入不小于 {min} 的数。",
        "max": "请输入不大于 {max} 的数。", "date": "请按 年-月-日 输入日期。",
        "date_range": "日期应在 {min} 到 {max} 之间。", "date_min": "日期不能早于 {min}。",
        "date_max": "日期不能晚于 {max}。", "too_many": "最多选择 {n} 项。",
        "too_few": "至少选择 {n} 项。", "exclusive": "此选项不能与其他选项同时选择。",
        "rank_gap": "请按 1、2、3…… 的顺序排名，不要跳号。", "too_long": "最多 {n} 个字。",
        "constraint": "答案不符合要求，请检查。", "fix": "有 {n} 道题需要检查，请查看标红的提示。",
        "sent": "提交成功，谢谢您的参与！", "failed": "提交失败（网络或服务器问题）。请稍后再试，"
        "或点“保存答案文件”保存到本机。", "saved": "答案已保存为文件。",
        "refused": "服务器未接受这份答卷：", "max_hint": "最多选择 {n} 项",
    },
    "en": {
        "language": "Language", "submit": "Submit", "save": "Save answers as a file",
        "new": "Start a new response", "required_mark": "required", "choose_rank": "—",
        "rank_hint": "Give each option you choose a position (1 = most important).",
        "specify": "Please specify", "sending": "Sending…",
        "required": "Please answer this question.", "number": "Please enter a number.",
        "integer": "Please enter a whole number.", "range": "Please enter a number from {min} "
        "to {max}.", "min": "Please enter a number of at least {min}.",
        "max": "Please enter a number of at most {max}.", "date": "Please enter a date.",
        "date_range": "The date must be from {min} to {max}.",
        "date_min": "The date cannot be before {min}.", "date_max": "The date cannot be after "
        "{max}.", "too_many": "Choose at most {n}.", "too_few": "Choose at least {n}.",
        "exclusive": "This option cannot be combined with others.",
        "rank_gap": "Number your choices 1, 2, 3… without gaps.",
        "too_long": "At most {n} characters.", "constraint": "This answer is not valid; please "
        "check it.", "fix": "{n} question(s) need attention: see the messages in red.",
        "sent": "Thank you! Your answers have been submitted.", "failed": "Sending failed "
        "(network or server). Try again later, or use “Save answers as a file”.",
        "saved": "Your answers were saved as a file.",
        "refused": "The server did not accept these answers:", "max_hint": "Choose at most {n}",
    },
}

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
    ui = {lang: {**UI["en"], **UI.get(lang, UI.get(lang.split("-")[0], {}))}
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
