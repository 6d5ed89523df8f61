"""Questionnaire → codebook: one row per data column, as Markdown (to read) and CSV (to process).

The columns are those of the documented dataset layout (docs/reference/responses.md): a
single-choice or scale question is one column, a multi-select or rank question a block
`<q>__<code>`, the free text of an "other" option `<q>__<code>_text`, derived variables last. Each
row gives the label in the chosen language, the type, codes with their labels, the skip rule (as
written and in words), the constraint in words, and the codes that mean a missing answer.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from survey.files.atomic import write_atomic
from survey.forms.common import numbering
from survey.forms.wording import Wording
from survey.messages import is_chinese, pick_language, words
from survey.messages.forms import CODEBOOK
from survey.questionnaire.columns import option_column, text_column
from survey.questionnaire.model import Question, Questionnaire


@dataclass(frozen=True)
class CodebookRow:
    """One data column of the dataset."""

    variable: str
    number: str
    question: str
    label: str
    type: str
    values: str
    relevant: str
    skip_rule: str
    constraint: str
    missing: str
    formula: str


COLUMNS = tuple(f.name for f in fields(CodebookRow))


class _Codebook:
    def __init__(self, questionnaire: Questionnaire, lang: str) -> None:
        self.q = questionnaire
        self.lang = lang
        self.zh = is_chinese(lang)
        self.t = words(CODEBOOK, lang)
        self.numbers = numbering(questionnaire)
        self.words = Wording(questionnaire, lang, self.numbers)
        self.sep = "；" if self.zh else "; "

    def label(self, text: dict[str, str] | None) -> str:
        return self.q.label(text, self.lang)

    def values(self, options: dict | None) -> str:
        return self.sep.join(f"{code} = {self.label(label)}"
                             for code, label in (options or {}).items())

    def constraint(self, q: Question) -> str:
        t, parts = self.t, []
        if q.type in ("number", "date") and (q.min is not None or q.max is not None):
            low, high = _text(q.min), _text(q.max)
            key = "range" if low and high else "min" if low else "max"
            parts.append(t[key].format(low=low, high=high))
        if q.type == "number" and q.integer:
            parts.append(t["integer"])
        if q.min_choices:
            parts.append(t["min_choices"].format(n=q.min_choices))
        if q.max_choices and q.max_choices < len(q.codes):
            parts.append(t["max_choices"].format(n=q.max_choices))
        parts += [t["exclusive"].format(option=self.words.option(q.name, c)) for c in q.exclusive]
        if q.max_length:
            parts.append(t["max_length"].format(n=q.max_length))
        if q.constraint:
            parts.append(self.words.condition(q.constraint))
        return self.sep.join(parts)

    def missing(self, q: Question) -> str:
        parts = []
        if q.dont_know is not None:
            parts.append(self.t["dont_know"].format(
                code=q.dont_know, label=self.label((q.options or {}).get(q.dont_know))))
        if q.relevant:
            parts.append(self.t["skipped"])
        return self.sep.join(parts)

    def rows(self) -> list[CodebookRow]:
        rows: list[CodebookRow] = []
        for q in self.q.questions:
            if q.type == "note":
                continue
            number = str(self.numbers[q.name])
            common = {"number": number, "question": q.name, "relevant": q.relevant or "",
                      "skip_rule": self.words.only_if(q.relevant) if q.relevant else "",
                      "constraint": self.constraint(q), "missing": self.missing(q),
                      "formula": ""}
            stem = self.label(q.label)
            if q.type == "grid":
                for item in q.items:
                    kind = self.t["scale"] + (f" ({self.t['reverse']})" if item.reverse else "")
                    rows.append(CodebookRow(
                        variable=item.name, label=f"{stem} — {self.label(item.label)}",
                        type=kind, values=self.values(q.options), **common))
            elif q.is_set:
                kind = self.t[q.type]
                values = self.t["selected"] if q.type == "multi" else \
                    self.t["ranked"].format(n=q.max_choices or len(q.codes))
                for code, label in (q.options or {}).items():
                    rows.append(CodebookRow(
                        variable=option_column(q.name, code), label=f"{stem} — {self.label(label)}",
                        type=kind, values=values, **common))
            else:
                kind = q.type if q.type != "number" or not q.integer else "integer"
                type_text = self.t[kind]
                if q.type == "single" and q.ordered:
                    type_text += f" ({self.t['ordered']})"
                if q.type == "scale" and q.reverse:
                    type_text += f" ({self.t['reverse']})"
                unit = self.label(q.unit)
                rows.append(CodebookRow(variable=q.name, label=stem + (f" ({unit})" if unit
                                                                       else ""),
                                        type=type_text, values=self.values(q.options), **common))
            if q.other is not None:
                option = self.label((q.options or {}).get(q.other))
                rows.append(CodebookRow(
                    variable=text_column(q.name, q.other), label=f"{stem} — {option}",
                    type=self.t["other"], values="", number=number, question=q.name,
                    relevant=f"selected({q.name}, {q.other!r})", skip_rule="", constraint="",
                    missing="", formula=""))
        for d in self.q.derived:
            formula = d.expr or self.sep.join(f"{c.value} ← {c.when}" for c in d.cases)
            colon = "：" if self.zh else ": "
            in_words = self.words.value(d.expr) if d.expr else self.sep.join(
                f"{c.value}{colon}{self.words.condition(c.when)}" for c in d.cases)
            explained = f"{formula}（{in_words}）" if self.zh else f"{formula} ({in_words})"
            rows.append(CodebookRow(
                variable=d.name, number="", question="", label=self.label(d.label),
                type=self.t["derived"], values=self.values(d.options), relevant="",
                skip_rule="", constraint="", missing="", formula=explained))
        return rows


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def codebook_rows(questionnaire: Questionnaire, lang: str | None = None) -> list[CodebookRow]:
    """The codebook: one row per column of the dataset, in the dataset's order."""
    return _Codebook(questionnaire, pick_language(questionnaire, lang)).rows()


def codebook_csv(questionnaire: Questionnaire, lang: str | None = None) -> str:
    """The codebook as CSV text (a header row, then one row per variable)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(asdict(row) for row in codebook_rows(questionnaire, lang))
    return buffer.getvalue()


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def codebook_markdown(questionnaire: Questionnaire, lang: str | None = None) -> str:
    """The codebook as a Markdown document with one table of variables."""
    lang = pick_language(questionnaire, lang)
    t = words(CODEBOOK, lang)
    info = questionnaire.survey
    lines = [f"# {_cell(questionnaire.label(info.title, lang))} — {t['title']}", "",
             f"`{info.id}` {info.version}", "", t["missing_note"], "", f"## {t['variables']}", "",
             "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in codebook_rows(questionnaire, lang):
        cells = [_cell(str(value)) for value in asdict(row).values()]
        cells[0] = f"`{cells[0]}`"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_codebook(questionnaire: Questionnaire, path: str | Path,
                   lang: str | None = None) -> list[Path]:
    """Write `<path>.md` and `<path>.csv` (the suffix of `path` is replaced), each whole or not.

    The CSV is UTF-8 with a byte-order mark, so that Excel opens Chinese text correctly.
    """
    path = Path(path)
    markdown = write_atomic(path.with_suffix(".md"), codebook_markdown(questionnaire, lang))
    table = write_atomic(path.with_suffix(".csv"), codebook_csv(questionnaire, lang),
                         encoding="utf-8-sig")
    return [markdown, table]
