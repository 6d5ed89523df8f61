"""Load a questionnaire file and report every problem in it, located, in one pass.

Each section (and each question) is validated on its own, so one broken question does not hide the
problems of the others; the cross-references (choice lists, expressions, scales) are then checked
on whatever validated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter

from survey.files.encoding import read_text
from survey.files.located import validate
from survey.files.source import Problem, SourceError, SourceMap, load_yaml, suggest
from survey.questionnaire.checks import check_consistency
from survey.questionnaire.model import (
    LANGUAGE_PATTERN,
    Derived,
    Design,
    ImportMapping,
    Label,
    OptionCode,
    Question,
    Questionnaire,
    Scale,
    Segment,
    SurveyInfo,
    valid_name,
)

SECTIONS = ("survey", "choice_lists", "questions", "derived", "segments", "scales", "design",
            "mapping")


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Read and check a questionnaire file; raise SourceError listing every problem found."""
    path = Path(path)
    text = read_text(path)
    return parse_questionnaire(text, str(path))


def parse_questionnaire(text: str, file: str = "<questionnaire>") -> Questionnaire:
    data, source = load_yaml(text, file)
    return _Checker(source).run(data)


class _Checker:
    def __init__(self, source: SourceMap):
        self.source = source
        self.problems: list[Problem] = []
        self.context: dict[str, Any] = {"languages": []}

    def add(self, path, code: str, message: str, **where) -> None:
        self.problems.append(self.source.problem(tuple(path), code, message, **where))

    def run(self, data: Any) -> Questionnaire:
        if not isinstance(data, dict):
            self.add((), "not-a-mapping", "a questionnaire is a mapping with the keys 'survey' "
                     "and 'questions' at the top")
            raise SourceError(self.problems)
        for key in data:
            if key not in SECTIONS:
                self.add((key,), "unknown-section", f"unknown top-level key '{key}'"
                         f"{suggest(key, SECTIONS)}; the sections are: {', '.join(SECTIONS)}",
                         key=True)
        parts: dict[str, Any] = {}
        survey = self.validate(SurveyInfo, data.get("survey"), ("survey",), required=True)
        if survey:
            self.context["languages"] = survey.languages
            self.check_languages(survey)
            parts["survey"] = survey
        parts["choice_lists"] = self.mapping(data, "choice_lists", self.choice_list)
        parts["questions"] = self.sequence(data, "questions", Question, required=True)
        parts["derived"] = self.sequence(data, "derived", Derived)
        parts["segments"] = self.mapping(data, "segments",
                                         lambda v, p: self.validate(Segment, v, p))
        parts["scales"] = self.sequence(data, "scales", Scale)
        parts["design"] = self.validate(Design, data.get("design") or {}, ("design",))
        check_consistency(parts, self.add, _raw_names(data))
        if self.problems or not survey:
            raise SourceError(self.problems)
        for key in ("questions", "derived", "scales"):
            parts[key] = [model for _, model in parts[key]]
        return self.with_mapping(Questionnaire(**parts), data.get("mapping"))

    def with_mapping(self, questionnaire: Questionnaire, section: Any) -> Questionnaire:
        """The questionnaire with its `mapping:` section, each entry checked against it."""
        if section is None:
            return questionnaire
        from survey.readers.mapping_file import section_problems  # readers import the loader

        if problems := section_problems(section, self.source, questionnaire):
            raise SourceError(problems)
        mapping = self.validate(ImportMapping, section, ("mapping",))
        if mapping is None:
            raise SourceError(self.problems)
        return questionnaire.model_copy(update={"mapping": mapping})

    def check_languages(self, survey: SurveyInfo) -> None:
        seen: set[str] = set()
        for i, lang in enumerate(survey.languages):
            if not LANGUAGE_PATTERN.match(lang):
                self.add(("survey", "languages", i), "bad-language",
                         f"'{lang}' is not a language code such as zh, en or zh-Hant")
            if lang in seen:
                self.add(("survey", "languages", i), "duplicate-language",
                         f"language '{lang}' is listed twice")
            seen.add(lang)
        version = self.source.mark(("survey", "version"))
        if version.style is None and isinstance(survey.version, str):
            raw = survey.version
            if raw.replace(".", "", 1).isdigit():
                self.add(("survey", "version"), "unquoted-version",
                         f"put the version in quotes (version: \"{raw}\"): YAML reads an "
                         "unquoted 2026.10 as the number 2026.1")

    def validate(self, model: type[BaseModel], value: Any, path: tuple, *, required: bool = False):
        if value is None:
            if required:
                self.add(path[:-1], "missing-section", f"the '{path[-1]}' section is missing")
            return None
        if model is SurveyInfo and isinstance(value, dict) and isinstance(
                value.get("version"), int | float) and not isinstance(value.get("version"), bool):
            self.add(path + ("version",), "unquoted-version",
                     f"put the version in quotes (version: \"{value['version']}\"): YAML reads "
                     "an unquoted 2026.10 as the number 2026.1")
            value = {**value, "version": str(value["version"])}
        return validate(model, value, path, self.add, self.context)

    def sequence(self, data: dict, key: str, model: type[BaseModel], *, required: bool = False):
        value = data.get(key)
        if value is None:
            if required:
                self.add((), "missing-section", f"the '{key}' section is missing")
            return []
        if not isinstance(value, list):
            self.add((key,), "bad-value", f"'{key}' must be a list of entries starting with '- '")
            return []
        if required and not value:
            self.add((key,), "bad-value", f"'{key}' is empty")
        results = ((i, self.validate(model, item, (key, i))) for i, item in enumerate(value))
        return [(i, r) for i, r in results if r is not None]

    def mapping(self, data: dict, key: str, build) -> dict:
        value = data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.add((key,), "bad-value", f"'{key}' must be a mapping of name: entry")
            return {}
        results = {}
        for name, entry in value.items():
            try:
                valid_name(name)
            except Exception as error:  # PydanticCustomError: the name is reported, not raised
                self.add((key, name), "bad-name", str(error), key=True)
                continue
            built = build(entry, (key, name))
            if built is not None:
                results[name] = built
        return results

    def choice_list(self, value: Any, path: tuple):
        if not isinstance(value, dict) or not value:
            self.add(path, "bad-value", "a choice list is a mapping of code: label")
            return None
        return validate(TypeAdapter(dict[OptionCode, Label]), value, path, self.add,
                        self.context)


def _raw_names(data: dict) -> set[str]:
    """Names written in the file, valid or not: an expression naming one is not 'unknown'."""
    names: set[str] = set()
    for key in ("questions", "derived", "scales"):
        for entry in data.get(key) or []:
            if isinstance(entry, dict):
                names.add(str(entry.get("name")))
                for item in entry.get("items") or []:
                    if isinstance(item, dict):
                        names.add(str(item.get("name")))
    return names


__all__ = ["load_questionnaire", "parse_questionnaire", "Questionnaire", "Question", "Derived",
           "Segment", "Scale", "Design", "SourceError"]
