"""Load a questionnaire file and report every problem in it, located, in one pass.

Each section (and each question) is validated on its own, so one broken question does not hide the
problems of the others; the cross-references (choice lists, expressions, scales) are then checked
on whatever validated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from survey.consistency import check_consistency
from survey.questionnaire import (
    Derived,
    Design,
    Question,
    Questionnaire,
    Scale,
    Segment,
    SurveyInfo,
)
from survey.source import Problem, SourceError, SourceMap, load_yaml, read_text, suggest

SECTIONS = ("survey", "choice_lists", "questions", "derived", "segments", "scales", "design")


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Read and check a questionnaire file; raise SourceError listing every problem found."""
    path = Path(path)
    try:
        text = read_text(path)
    except OSError as error:
        raise SourceError([Problem(str(path), 1, 1, "unreadable",
                                   f"cannot read the file: {error.strerror}")]) from None
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
        return Questionnaire(**parts)

    def check_languages(self, survey: SurveyInfo) -> None:
        from survey.questionnaire import LANGUAGE_PATTERN

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
        try:
            return model.model_validate(value, context=self.context)
        except ValidationError as error:
            for detail in _one_per_place(error.errors()):
                self.pydantic_problem(model, path, detail)
            return None

    def pydantic_problem(self, model: type[BaseModel], path: tuple, detail: dict) -> None:
        loc = _clean(detail["loc"])
        kind = detail["type"]
        where = path + loc
        field = next((x for x in reversed(loc) if isinstance(x, str)), path[-1])
        if "[key]" in detail["loc"]:
            self.add(where, kind.replace("_", "-"), detail["msg"], key=True)
        elif kind == "missing":
            self.add(where[:-1], "missing-key", f"'{field}' is required here")
        elif kind == "extra_forbidden":
            allowed = _fields_at(model, loc[:-1])
            self.add(where, "unknown-key", f"unknown key '{field}'{suggest(field, allowed)}",
                     key=True)
        elif kind == "literal_error" and field == "type":
            from survey.questionnaire import QUESTION_TYPES

            self.add(where, "unknown-type", f"unknown question type '{detail['input']}'"
                     f"{suggest(detail['input'], QUESTION_TYPES)}; the types are: "
                     f"{', '.join(QUESTION_TYPES)}")
        elif kind in ("bool_type", "bool_parsing"):
            self.add(where, "bad-value", f"'{field}' must be true or false")
        elif kind in ("int_type", "int_parsing", "int_from_float"):
            self.add(where, "bad-value", f"'{field}' must be a whole number")
        elif kind in ("float_type", "float_parsing"):
            self.add(where, "bad-value", f"'{field}' must be a number")
        elif kind in ("dict_type", "list_type", "string_type"):
            noun = {"dict_type": "a mapping", "list_type": "a list", "string_type": "a text"}
            self.add(where, "bad-value", f"'{field}' must be {noun[kind]}")
        elif kind == "too_short":
            self.add(where, "bad-value", f"'{field}' needs more entries: {detail['msg']}")
        else:
            message = detail["msg"]
            message = message[0].lower() + message[1:]
            self.add(where, kind.replace("_", "-"), f"{field}: {message}")

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
            from survey.questionnaire import _name

            try:
                _name(name)
            except Exception as error:  # PydanticCustomError: the name is reported, not raised
                self.add((key, name), "bad-name", str(error), key=True)
                continue
            built = build(entry, (key, name))
            if built is not None:
                results[name] = built
        return results

    def choice_list(self, value: Any, path: tuple):
        from pydantic import TypeAdapter

        from survey.questionnaire import Label, OptionCode

        if not isinstance(value, dict) or not value:
            self.add(path, "bad-value", "a choice list is a mapping of code: label")
            return None
        try:
            return TypeAdapter(dict[OptionCode, Label]).validate_python(value,
                                                                       context=self.context)
        except ValidationError as error:
            for detail in _one_per_place(error.errors()):
                self.pydantic_problem(BaseModel, path, detail)
            return None


UNION_TAGS = {"str", "int", "float", "bool", "date", "none"}


def _clean(loc: tuple) -> tuple:
    """A pydantic error location without its union-member and key tags: a path into the YAML."""
    return tuple(x for x in loc if not (isinstance(x, str) and ("[" in x or x in UNION_TAGS)))


def _one_per_place(errors: list[dict]) -> list[dict]:
    """One error per YAML place: of a union's failed members keep the most specific complaint."""
    by_place: dict[tuple, list[dict]] = {}
    for detail in errors:
        by_place.setdefault(_clean(detail["loc"]), []).append(detail)
    kept = []
    for details in by_place.values():
        specific = [d for d in details if not d["type"].endswith(("_type", "_parsing"))]
        kept.append((specific or details)[0])
    return kept


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


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names allowed at `loc` inside `model` (for 'did you mean' hints)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if field is None:
            break
        args = getattr(field.annotation, "__args__", ())
        nested = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if not nested:
            break
        current = nested[0]
    return list(getattr(current, "model_fields", {}))


__all__ = ["load_questionnaire", "parse_questionnaire", "Questionnaire", "Question", "Derived",
           "Segment", "Scale", "Design", "SourceError"]
