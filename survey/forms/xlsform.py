"""Questionnaire → XLSForm (survey, choices and settings sheets) for ODK Collect and KoboToolbox.

`xlsform_sheets` builds the workbook as plain rows (the dict pyxform's `convert` also accepts);
`write_xlsform` saves it as .xlsx. Labels, hints and constraint messages get one column per
language (`label::中文 (zh)`); skip logic and constraints are compiled to XPath by
`survey.expressions.to_xpath`. Layout decisions, and why:

- A grid is a `begin_group` with `field-list` appearance holding one `select_one` per item
  (`likert` appearance), so each item is its own variable as in the questionnaire.
- A rank question with `max_choices` fewer than its options is asked in two steps, because ODK's
  rank widget orders every option it is given: `<q>__pick` (select_multiple, the choice limits)
  and then `<q>` (rank, filtered to the picked options). Its value is the ranked options only.
- The free text of an `other` option is a text question `<q>__<code>_text`, shown when the
  option is selected (the column name of docs/reference/responses.md).
- Derived variables become `calculate` rows: a condition as 1/0, cases as nested if().
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

from survey.expressions import parse, to_xpath
from survey.files.atomic import write_atomic
from survey.forms.common import (
    language_name,
    variable_kind,
)
from survey.messages import pick_language
from survey.messages import text as message
from survey.messages.forms import XLSFORM
from survey.questionnaire.columns import text_column
from survey.questionnaire.model import Code, Question, Questionnaire

Row = dict[str, str]

SHEETS = ("survey", "choices", "settings")

def _say(key: str, lang: str, **values: object) -> str:
    """A text of the XLSForm area of the message catalogue, in `lang`."""
    return message(XLSFORM, key, lang, **values)


@dataclass
class _Constraint:
    """XPath tests on `.` with their messages per language, combined with `and`."""

    tests: list[str] = field(default_factory=list)
    messages: list[dict[str, str]] = field(default_factory=list)

    def add(self, test: str, message: dict[str, str]) -> None:
        self.tests.append(test)
        self.messages.append(message)


class _Builder:
    def __init__(self, questionnaire: Questionnaire) -> None:
        self.q = questionnaire
        self.languages = questionnaire.survey.languages
        self.survey: list[Row] = []
        self.choices: list[Row] = []
        self.list_names: dict[str, str] = {}  # choice list or question name -> sheet list name

    # Helpers

    def labels(self, column: str, text: dict[str, str] | None) -> Row:
        if not text:
            return {}
        return {f"{column}::{language_name(lang)}": self.q.label(text, lang)
                for lang in self.languages}

    def xpath(self, source: str) -> str:
        expr = parse(source).as_condition()
        return to_xpath(expr, lambda name: variable_kind(self.q, name))

    def relevant(self, *sources: str | None) -> str:
        parts = [self.xpath(s) for s in sources if s]
        return " and ".join(parts) if len(parts) > 1 else (parts[0] if parts else "")

    def list_name(self, q: Question) -> str:
        key = q.choice_list or q.name
        if key not in self.list_names:
            name = key if key not in self.list_names.values() else f"{key}_list"
            self.list_names[key] = name
            for code, label in (q.options or {}).items():
                self.choices.append({"list_name": name, "name": str(code),
                                     **self.labels("label", label)})
        return self.list_names[key]

    def option_label(self, q: Question, code: Code, lang: str) -> str:
        return self.q.label((q.options or {}).get(code), lang)

    def row(self, type_: str, name: str, label: dict[str, str] | None = None, **extra: str) -> Row:
        row: Row = {"type": type_, "name": name, **self.labels("label", label)}
        row.update({k: v for k, v in extra.items() if v})
        return row

    def add(self, row: Row, q: Question | None = None, constraint: _Constraint | None = None,
            required: bool = False) -> None:
        if q is not None:
            row.update(self.labels("hint", q.hint))
        if required:
            row["required"] = "yes"
        if constraint and constraint.tests:
            row["constraint"] = " and ".join(f"({t})" for t in constraint.tests)
            for lang in self.languages:
                row[f"constraint_message::{language_name(lang)}"] = message(
                    XLSFORM, "list_separator", lang).join(
                    m[lang] for m in constraint.messages)
        self.survey.append(row)

    # Questions

    def constraint_of(self, q: Question) -> _Constraint:
        c = _Constraint()
        by_lang = self.languages
        if q.type == "number":
            low, high = _number(q.min), _number(q.max)
            if q.min is not None and q.max is not None:
                c.add(f". >= {low} and . <= {high}",
                      {lang: _say("range", lang, low=low, high=high) for lang in by_lang})
            elif q.min is not None:
                c.add(f". >= {low}", {lang: _say("min", lang, low=low) for lang in by_lang})
            elif q.max is not None:
                c.add(f". <= {high}", {lang: _say("max", lang, high=high) for lang in by_lang})
        elif q.type == "date":
            if q.min is not None:
                c.add(f". >= date('{q.min}')",
                      {lang: _say("date_min", lang, low=q.min) for lang in by_lang})
            if q.max is not None:
                c.add(f". <= date('{q.max}')",
                      {lang: _say("date_max", lang, high=q.max) for lang in by_lang})
        elif q.type == "text" and q.max_length:
            c.add(f"string-length(.) <= {q.max_length}",
                  {lang: _say("max_length", lang, high=q.max_length) for lang in by_lang})
        elif q.type in ("multi", "rank"):
            if q.min_choices:
                c.add(f"count-selected(.) >= {q.min_choices}",
                      {lang: _say("min_choices", lang, low=q.min_choices) for lang in by_lang})
            if q.max_choices and q.max_choices < len(q.codes):
                c.add(f"count-selected(.) <= {q.max_choices}",
                      {lang: _say("max_choices", lang, high=q.max_choices) for lang in by_lang})
            for code in q.exclusive:
                c.add(f"not(selected(., '{code}') and count-selected(.) > 1)",
                      {lang: _say("exclusive", lang, option=self.option_label(q, code, lang))
                       for lang in by_lang})
        if q.constraint:
            custom = q.constraint_message or {lang: _say("invalid", lang)
                                              for lang in by_lang}
            c.add(self.xpath(q.constraint), {lang: self.q.label(custom, lang)
                                             for lang in by_lang})
        return c

    def question(self, q: Question) -> None:
        relevant = self.relevant(q.relevant)
        constraint = self.constraint_of(q)
        if q.type == "note":
            self.add(self.row("note", q.name, q.label, relevant=relevant), q)
        elif q.type == "number":
            kind = "integer" if q.integer else "decimal"
            self.add(self.row(kind, q.name, q.label, relevant=relevant), q, constraint, q.required)
        elif q.type in ("text", "date"):
            self.add(self.row(q.type, q.name, q.label, relevant=relevant), q, constraint,
                     q.required)
        elif q.type in ("single", "scale"):
            appearance = "likert" if q.type == "scale" else ""
            self.add(self.row(f"select_one {self.list_name(q)}", q.name, q.label,
                              relevant=relevant, appearance=appearance),
                     q, constraint, q.required)
        elif q.type == "multi":
            self.add(self.row(f"select_multiple {self.list_name(q)}", q.name, q.label,
                              relevant=relevant), q, constraint, q.required)
        elif q.type == "rank":
            self.rank(q, relevant, constraint)
        elif q.type == "grid":
            self.grid(q, relevant)
        if q.other is not None:
            self.other(q)

    def rank(self, q: Question, relevant: str, constraint: _Constraint) -> None:
        options = self.list_name(q)
        if not q.max_choices or q.max_choices >= len(q.codes):
            self.add(self.row(f"rank {options}", q.name, q.label, relevant=relevant), q,
                     constraint, q.required)
            return
        pick = f"{q.name}__pick"
        self.add(self.row(f"select_multiple {options}", pick, q.label, relevant=relevant), q,
                 constraint, q.required)
        order = {lang: _say("rank_order", lang) for lang in self.languages}
        self.add(self.row(f"rank {options}", q.name, order,
                          relevant=f"count-selected(${{{pick}}}) > 0",
                          choice_filter=f"selected(${{{pick}}}, name)"), None, None, q.required)

    def grid(self, q: Question, relevant: str) -> None:
        options = self.list_name(q)
        self.add(self.row("begin_group", q.name, q.label, relevant=relevant,
                          appearance="field-list"), q)
        for item in q.items:
            self.add(self.row(f"select_one {options}", item.name, item.label,
                              appearance="likert"), None, None, q.required)
        self.survey.append({"type": "end_group", "name": q.name})

    def other(self, q: Question) -> None:
        assert q.other is not None
        label = {lang: _say("specify", lang, option=self.option_label(q, q.other, lang))
                 for lang in self.languages}
        self.add(self.row("text", text_column(q.name, q.other), label,
                          relevant=f"selected(${{{q.name}}}, '{q.other}')"), None, None, True)

    # Derived variables

    def derived(self) -> None:
        for d in self.q.derived:
            if d.cases:
                calculation = "''"
                for case in reversed(d.cases):
                    value = case.value if isinstance(case.value, int) else f"'{case.value}'"
                    calculation = f"if({self.xpath(case.when)}, {value}, {calculation})"
            else:
                assert d.expr is not None
                expr = parse(d.expr)
                compiled = to_xpath(expr, lambda name: variable_kind(self.q, name))
                calculation = f"if({compiled}, 1, 0)" if expr.is_boolean() else compiled
            self.survey.append({"type": "calculate", "name": d.name, "calculation": calculation,
                                **self.labels("label", d.label)})

    def settings(self, default_language: str) -> Row:
        info = self.q.survey
        return {"form_title": self.q.label(info.title, default_language), "form_id": info.id,
                "version": info.version, "default_language": language_name(default_language)}


def _number(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def xlsform_sheets(questionnaire: Questionnaire,
                   default_language: str | None = None) -> dict[str, list[Row]]:
    """The XLSForm as {'survey': rows, 'choices': rows, 'settings': [row]}; pyxform converts it.

    Every language of the survey is in the form; `default_language` (default: the first) is the
    one ODK Collect and Enketo show first.
    """
    default_language = pick_language(questionnaire, default_language)
    builder = _Builder(questionnaire)
    builder.survey.append({"type": "start", "name": "start"})
    builder.survey.append({"type": "end", "name": "end"})
    for q in questionnaire.questions:
        builder.question(q)
    builder.derived()
    return {"survey": builder.survey, "choices": builder.choices,
            "settings": [builder.settings(default_language)]}


def _columns(rows: Iterable[Row]) -> list[str]:
    return list(dict.fromkeys(key for row in rows for key in row))


def pyxform_input(sheets: dict[str, list[Row]]) -> dict[str, list[Row]]:
    """The sheets as `pyxform.xls2xform.convert` takes a dict: with each sheet's header row.

    pyxform looks for a dict sheet's columns in its first 100 rows unless `<sheet>_header` names
    them, and a late column such as `calculation` would otherwise be missed.
    """
    result = dict(sheets)
    for name, rows in sheets.items():
        result[f"{name}_header"] = [{column: None for column in _columns(rows)}]
    return result


def xlsform_bytes(questionnaire: Questionnaire, default_language: str | None = None) -> bytes:
    """The XLSForm as the bytes of an .xlsx workbook."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in xlsform_sheets(questionnaire, default_language).items():
        sheet = workbook.create_sheet(name)
        columns = _columns(rows)
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(column, "") for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_xlsform(questionnaire: Questionnaire, path: str | Path,
                  default_language: str | None = None) -> Path:
    """Write the XLSForm workbook to `path` (.xlsx), whole or not at all."""
    return write_atomic(path, xlsform_bytes(questionnaire, default_language))
