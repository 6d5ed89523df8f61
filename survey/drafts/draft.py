"""A questionnaire drafted from what a researcher already has, before it is written as YAML.

Plain data, close to the YAML it becomes: each question is the mapping of its keys in the order a
person reads them, with the remarks (what was guessed, what was dropped) that are written as
comments above it. A source kind (XLSForm, SPSS and Stata, Qualtrics, Wenjuanxing) fills a Draft;
`survey.drafts.yaml_text` writes it; `survey.drafts.update` merges it into an existing file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from survey.errors import InputError

Label = dict[str, str]  # language -> text ("" when the source says no language)
Code = int | str

KEY_ORDER = ("name", "type", "label", "hint", "required", "relevant", "ordered", "options",
             "other", "dont_know", "exclusive", "min_choices", "max_choices", "items", "min",
             "max", "integer", "unit", "max_length", "constraint", "constraint_message")


class InitError(InputError):
    """A source `survey init` cannot draft from, or an output it must not overwrite."""

    code = "init-source"


@dataclass
class DraftQuestion:
    """One question: its YAML keys, the comments above it, and the source columns it came from
    when their names are not its own (`{"Q5_1": "q5_concerns[1]"}`, a mapping entry)."""

    name: str
    type: str
    label: Label
    keys: dict[str, Any] = field(default_factory=dict)
    remarks: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    source: str | None = None  # the name the source gives it (a column, a QID, a number)

    def as_mapping(self) -> dict[str, Any]:
        """The question as the YAML mapping it is written as, keys in reading order."""
        found = {"name": self.name, "type": self.type, "label": self.label, **self.keys}
        return {key: found[key] for key in KEY_ORDER if key in found and found[key] is not None}

    def codes(self) -> list[Code]:
        options = self.keys.get("options")
        return list(options) if isinstance(options, dict) else []


@dataclass
class Draft:
    """A whole questionnaire drafted from `origin` (the file names it was made from)."""

    origin: str
    id: str
    title: Label
    languages: list[str]
    version: str = "1"
    choice_lists: dict[str, dict[Code, Label]] = field(default_factory=dict)
    questions: list[DraftQuestion] = field(default_factory=list)
    derived: list[dict[str, Any]] = field(default_factory=list)
    design: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, Code]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    extra_columns: dict[str, str | None] = field(default_factory=dict)

    def columns(self) -> dict[str, str | None]:
        """The `mapping: columns:` entries: every source column whose name is not its variable's."""
        found: dict[str, str | None] = {}
        for question in self.questions:
            found.update(question.columns)
        return found | self.extra_columns

    def note(self, text: str, question: DraftQuestion | None = None) -> None:
        """Say something on the terminal, and above the question in the file if there is one."""
        self.notes.append(f"{question.name}: {text}" if question else text)
        if question is not None:
            question.remarks.append(text)


Drafter = Callable[[list[Path], "str | None"], Draft]
