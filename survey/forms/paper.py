"""Questionnaire → a printable paper form: one self-contained HTML file with A4 print CSS.

Each option has a box and its code beside it, so that data-entry clerks type what they see; skip
rules are written out in words ("只在第4题选1「是」时回答", "如果本题选2「否」，请跳到第15题").
A note starts a section, and sections after the first begin on a new page when printed. Every
label goes through jinja2's autoescaping, so a label cannot inject markup or script.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment

from survey.files.atomic import write_atomic
from survey.forms.common import numbering
from survey.forms.wording import Wording, skip_targets
from survey.messages import pick_language, words
from survey.messages.forms import PAPER
from survey.questionnaire.model import Question, Questionnaire

_TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<title>{{ title }}</title>
<style>
@page { size: A4; margin: 16mm 15mm 18mm 15mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
       "SimSun", sans-serif; font-size: 10.5pt; line-height: 1.45; color: #000; margin: 0 auto;
       max-width: 180mm; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 4mm; }
h2 { font-size: 12pt; border-bottom: 1px solid #000; padding-bottom: 1mm; margin: 6mm 0 3mm; }
.description, .instructions { margin: 0 0 3mm; }
.instructions { border: 1px solid #000; padding: 2mm 3mm; font-size: 9.5pt; }
.respondent { text-align: right; margin-bottom: 3mm; }
.section + .section { break-before: page; page-break-before: always; }
.question { break-inside: avoid; page-break-inside: avoid; margin: 0 0 4mm; }
.stem { font-weight: bold; }
.var { font-weight: normal; font-size: 8pt; color: #555; font-family: monospace; }
.hint, .rule { font-size: 9pt; margin: 0.5mm 0 1mm 6mm; }
.rule { font-style: italic; }
.options { list-style: none; margin: 1mm 0 0 6mm; padding: 0; }
.options.two { columns: 2; }
.options li { break-inside: avoid; margin: 0.5mm 0; }
.box { display: inline-block; width: 3.6mm; height: 3.6mm; border: 1px solid #000;
       vertical-align: -0.6mm; margin-right: 1.5mm; }
.rankbox { width: 6mm; }
.code { font-family: monospace; font-size: 8.5pt; margin-right: 1.5mm; }
.goto { font-size: 8.5pt; font-style: italic; }
.line { display: inline-block; border-bottom: 1px solid #000; min-width: 40mm; height: 4mm; }
.longline { display: block; border-bottom: 1px solid #000; height: 7mm; margin-left: 6mm; }
table.grid { border-collapse: collapse; margin: 1mm 0 0 6mm; font-size: 9pt; }
table.grid th, table.grid td { border: 1px solid #000; padding: 0.8mm 1.5mm; text-align: center; }
table.grid th.item, table.grid td.item { text-align: left; }
footer { margin-top: 8mm; font-size: 8.5pt; text-align: center; }
@media screen { body { padding: 10mm; } }
</style>
</head>
<body>
<h1>{{ title }}</h1>
<div class="respondent">{{ text.respondent }}：<span class="line"></span></div>
{% if description %}<p class="description">{{ description }}</p>{% endif %}
<p class="instructions">{{ text.instructions }}</p>
{% for section in sections %}
<div class="section">
{% if section.title %}<h2>{{ section.title }}</h2>{% endif %}
{% if section.hint %}<p class="hint">{{ section.hint }}</p>{% endif %}
{% for q in section.questions %}
<div class="question" id="{{ q.name }}">
<div class="stem">{{ q.number }}. {{ q.label }}{% if q.how %}（{{ q.how }}）{% endif %}
 <span class="var">[{{ q.name }}]</span></div>
{% if q.hint %}<p class="hint">{{ q.hint }}</p>{% endif %}
{% for rule in q.rules %}<p class="rule">{{ rule }}</p>{% endfor %}
{% if q.kind == "options" %}
<ul class="options{% if q.two %} two{% endif %}">
{% for o in q.options %}<li><span class="box{% if q.rank %} rankbox{% endif %}"></span>
<span class="code">{{ o.code }}</span>{{ o.label }}
{% if o.specify %} <span class="line"></span>{% endif %}
{% if o.goto %} <span class="goto">→ {{ o.goto }}</span>{% endif %}</li>
{% endfor %}</ul>
{% elif q.kind == "grid" %}
<table class="grid"><thead><tr><th class="item"></th>
{% for o in q.options %}<th>{{ o.label }}<br><span class="code">{{ o.code }}</span></th>{% endfor %}
</tr></thead><tbody>
{% for item in q.rows %}<tr><td class="item">{{ loop.index }}) {{ item.label }}
 <span class="var">[{{ item.name }}]</span></td>
{% for o in q.options %}<td><span class="box"></span></td>{% endfor %}</tr>
{% endfor %}</tbody></table>
{% elif q.kind == "entry" %}
<p class="hint"><span class="line"></span> {{ q.unit }}</p>
{% elif q.kind == "text" %}
<span class="longline"></span><span class="longline"></span>
{% endif %}
</div>
{% endfor %}
</div>
{% endfor %}
<footer>{{ text.end }}<br>{{ version }}</footer>
</body>
</html>
"""


@dataclass
class _Section:
    title: str = ""
    hint: str = ""
    questions: list[dict] = field(default_factory=list)


class _Paper:
    def __init__(self, questionnaire: Questionnaire, lang: str) -> None:
        self.q = questionnaire
        self.lang = lang
        self.text = words(PAPER, lang)
        self.numbers = numbering(questionnaire)
        self.words = Wording(questionnaire, lang, self.numbers)

    def label(self, text: dict[str, str] | None) -> str:
        return self.q.label(text, self.lang)

    def sections(self) -> list[_Section]:
        sections: list[_Section] = []
        for q in self.q.questions:
            if q.type == "note":
                if sections and not sections[-1].questions and not sections[-1].title:
                    sections.pop()
                sections.append(_Section(self.label(q.label), self.label(q.hint)))
                if q.relevant:
                    sections[-1].hint = " ".join(filter(None, [sections[-1].hint,
                                                               self.words.only_if(q.relevant)]))
                continue
            if not sections:
                sections.append(_Section())
            sections[-1].questions.append(self.question(q))
        return sections

    def question(self, q: Question) -> dict:
        """What the template shows of one question: stem, how to answer, rules, answer space."""
        rules = [self.words.only_if(q.relevant)] if q.relevant else []
        options = self.options(q)
        how = self.how(q, len(options))
        rules += self.exclusive_rules(q)
        unit = self.label(q.unit)
        if q.type == "date":
            unit = self.text["date"]
        return {"number": self.numbers[q.name], "name": q.name, "label": self.label(q.label),
                "hint": self.label(q.hint), "how": how, "rules": rules,
                "kind": _KINDS.get(q.type, "options"), "rank": q.type == "rank",
                "options": options, "unit": unit,
                "two": len(options) > 4 and max(len(o["label"]) for o in options) <= 12,
                "rows": [{"name": i.name, "label": self.label(i.label)} for i in q.items]}

    def options(self, q: Question) -> list[dict]:
        """Each option with its code; the 'other' option asks to specify, and a single or scale
        option that skips ahead says where to go."""
        t = self.text
        options = [{"code": code, "label": self.label(label), "specify": code == q.other,
                    "goto": ""} for code, label in (q.options or {}).items()]
        for option in options:
            if option["specify"]:
                option["label"] += t["specify_suffix"].format(specify=t["specify"])
        if q.type in ("single", "scale"):
            targets = skip_targets(self.q, q, self.numbers)
            for option in options:
                if option["code"] in targets:
                    option["goto"] = self.words.jump(targets[option["code"]])
        return options

    def how(self, q: Question, n_options: int) -> str:
        """How to answer, after the stem: choose one, how many to choose, what to write."""
        t = self.text
        if q.type in ("single", "scale"):
            return t["single"]
        if q.type == "multi":
            limits = [t["multi"]]
            if q.min_choices:
                limits.append(t["min"].format(n=q.min_choices))
            if q.max_choices and q.max_choices < n_options:
                limits.append(t["max"].format(n=q.max_choices))
            return t["limits_separator"].join(limits)
        if q.type == "rank":
            return t["rank"].format(n=q.max_choices or n_options)
        if q.type == "number":
            how = t["number"] + (f"，{t['decimal']}" if not q.integer else "")
            if q.min is not None or q.max is not None:
                how += t["range"].format(low=_number(q.min), high=_number(q.max))
            return how
        if q.type == "text":
            return t["max_length"].format(n=q.max_length) if q.max_length else ""
        return ""

    def exclusive_rules(self, q: Question) -> list[str]:
        """One rule per exclusive option (such as "none of these"): choose it alone."""
        return [self.text["exclusive"].format(option=self.words.option(q.name, code))
                for code in q.exclusive]


# The answer space the template draws for each question type; the others are option lists.
_KINDS = {"grid": "grid", "number": "entry", "date": "entry", "text": "text"}


def _number(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def paper_html(questionnaire: Questionnaire, lang: str | None = None) -> str:
    """The printable form as one self-contained HTML document (A4 print CSS, no network)."""
    lang = pick_language(questionnaire, lang)
    paper = _Paper(questionnaire, lang)
    info = questionnaire.survey
    environment = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return environment.from_string(_TEMPLATE).render(
        lang=lang, text=paper.text, title=questionnaire.label(info.title, lang),
        description=questionnaire.label(info.description, lang), sections=paper.sections(),
        version=paper.text["version"].format(id=info.id, version=info.version))


def write_paper(questionnaire: Questionnaire, path: str | Path, lang: str | None = None) -> Path:
    """Write the paper form (HTML) to `path`, whole or not at all."""
    return write_atomic(path, paper_html(questionnaire, lang))
