"""The questionnaire: the single source of truth for forms, readers and tables.

Plain, frozen pydantic models of the YAML format in docs/reference/questionnaire.md. Loading and
checking a file lives in `survey.questionnaire.loader`; this module only says what a questionnaire
is and answers questions
about it (which variables exist, what codes a question has, which label to show).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError

from survey.questionnaire.replicates import REPLICATE_TYPES, replicate_type

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")  # an XLSForm choice name
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
RESERVED = frozenset({"and", "or", "not", "in", "is", "true", "false", "none", "if", "else",
                      "selected", "count_selected", "is_missing", "div", "mod"})

QuestionType = Literal["single", "multi", "rank", "scale", "grid", "number", "text", "date", "note"]
QUESTION_TYPES: tuple[str, ...] = QuestionType.__args__  # type: ignore[attr-defined]
CHOICE_TYPES = frozenset({"single", "multi", "rank", "scale", "grid"})
SET_TYPES = frozenset({"multi", "rank"})

Code = int | str


def valid_name(value: Any) -> str:
    if not isinstance(value, str) or not NAME_PATTERN.match(value) or "__" in value:
        raise PydanticCustomError(
            "bad_name", "'{value}' is not a valid name: use a lower-case letter, then lower-case "
            "letters, digits or single '_', at most 32 characters", {"value": value})
    if value in RESERVED:
        raise PydanticCustomError("reserved_name", "'{value}' is a reserved word of the "
                                  "expression language; choose another name", {"value": value})
    return value


def _code(value: Any) -> Code:
    if isinstance(value, bool):
        raise PydanticCustomError("bad_code", "option code {value} reads as yes/no in YAML; "
                                  "write it in quotes ('{value}') if it is a code",
                                  {"value": str(value).lower()})
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        if re.fullmatch(r"-?\d+", value):
            return int(value)
        if CODE_PATTERN.match(value):
            return value
    raise PydanticCustomError("bad_code", "option code '{value}' must be an integer or a name "
                              "of letters, digits, '_', '-' and '.' such as 'income' or "
                              "'mid-slope'", {"value": value})


def _label(value: Any, info: ValidationInfo) -> dict[str, str]:
    """Normalise a label to {language: text}; a plain string serves every language."""
    languages: list[str] = (info.context or {}).get("languages") or []
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        if not value.strip():
            raise PydanticCustomError("empty_label", "the label is empty")
        return {lang: value for lang in languages} or {"": value}
    if not isinstance(value, dict) or not value:
        raise PydanticCustomError("bad_label", "a label is a text or a mapping of language to "
                                  "text, such as {example}", {"example": "{zh: 性别, en: Sex}"})
    unknown = [k for k in value if k not in languages]
    if languages and unknown:
        raise PydanticCustomError("label_language", "the label has language '{lang}', which "
                                  "survey.languages does not declare ({declared})",
                                  {"lang": unknown[0], "declared": ", ".join(languages)})
    missing = [lang for lang in languages if not str(value.get(lang) or "").strip()]
    if missing:
        raise PydanticCustomError("label_missing_language", "the label has no '{lang}' text; "
                                  "every label needs all of: {declared}",
                                  {"lang": missing[0], "declared": ", ".join(languages)})
    return {str(k): str(v) for k, v in value.items()}


def _limit(value: Any) -> float | date:
    if isinstance(value, date) or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("bad_limit", "'{value}' is neither a number nor a date "
                              "(YYYY-MM-DD)", {"value": value})


def _replicate_type(value: Any) -> str:
    found = replicate_type(value)
    if found is None:
        raise PydanticCustomError("unknown_replicate_type", "unknown replicate type '{value}'; "
                                  "the types are: {types}",
                                  {"value": value, "types": ", ".join(REPLICATE_TYPES)})
    return found


def _replicate_weights(value: Any) -> str | list[str]:
    """A glob of column names ("repw*") or a list of them, each named once."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        if len(set(value)) < len(value):
            raise PydanticCustomError("replicate_option", "a replicate weight column is listed "
                                      "twice")
        return [v.strip() for v in value]
    raise PydanticCustomError("replicate_option", "replicate_weights is a pattern of column "
                              "names such as 'repw*' or a list of column names")


Name = Annotated[str, BeforeValidator(valid_name)]
Limit = Annotated[float | date, BeforeValidator(_limit)]
OptionCode = Annotated[Code, BeforeValidator(_code)]
Label = Annotated[dict[str, str], BeforeValidator(_label)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class SurveyInfo(Model):
    id: Name
    version: str
    title: Label
    languages: list[str] = Field(default_factory=lambda: ["zh"], min_length=1)
    description: Label | None = None

    @property
    def default_language(self) -> str:
        return self.languages[0]


class Net(Model):
    label: Label
    codes: list[OptionCode] = Field(min_length=1)


class GridItem(Model):
    name: Name
    label: Label
    reverse: bool = False


class Question(Model):
    name: Name
    type: QuestionType
    label: Label
    hint: Label | None = None
    required: bool = False
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: Label | None = None
    options: dict[OptionCode, Label] | str | None = None
    choice_list: str | None = Field(default=None, exclude=True)  # set when options named a list
    ordered: bool = False
    min_choices: int | None = Field(default=None, ge=0)
    max_choices: int | None = Field(default=None, ge=1)
    exclusive: list[OptionCode] = Field(default_factory=list)
    other: OptionCode | None = None
    dont_know: OptionCode | None = None
    nets: dict[Name, Net] = Field(default_factory=dict)
    reverse: bool = False
    items: list[GridItem] = Field(default_factory=list)
    min: Limit | None = None
    max: Limit | None = None
    integer: bool = True
    unit: Label | None = None
    max_length: int | None = Field(default=None, ge=1)

    @property
    def codes(self) -> list[Code]:
        """The option codes in questionnaire order ([] for questions without options)."""
        return list(self.options) if isinstance(self.options, dict) else []

    @property
    def is_set(self) -> bool:
        """Multi-select and rank answers are sets of options, not one value."""
        return self.type in SET_TYPES


class Case(Model):
    when: str
    value: OptionCode


class Derived(Model):
    name: Name
    label: Label
    expr: str | None = None
    options: dict[OptionCode, Label] | None = None
    cases: list[Case] = Field(default_factory=list)


class Segment(Model):
    """A group of respondents. Segments that share a `group` do not overlap (cohorts, migrant and
    non-migrant): a banner shows them side by side and compares each with each other."""

    label: Label
    where: str
    group: Name | None = None


class Scale(Model):
    """A multi-item scale: its score is the mean of its items (reverse-keyed ones reversed) for
    a respondent who answered at least `min_answered` of them (default: all), else missing."""

    name: Name
    label: Label
    items: list[Name] = Field(min_length=2)
    reverse: list[Name] = Field(default_factory=list)
    min_answered: Annotated[int, Strict()] | None = None

    @property
    def needed(self) -> int:
        """How many items a respondent must answer to have a score."""
        return len(self.items) if self.min_answered is None else self.min_answered


class Design(Model):
    """Analysis defaults: Taylor (weight, strata, cluster, fpc) or replicate weights (weight,
    replicate_weights and their type and options, as R's svrepdesign)."""

    weight: Name | None = None
    strata: Name | None = None
    cluster: Name | None = None
    fpc: Name | None = None
    replicate_weights: Annotated[str | list[str], BeforeValidator(_replicate_weights)] | None = None
    replicate_type: Annotated[str, BeforeValidator(_replicate_type)] | None = None
    replicate_scale: Annotated[float, Field(gt=0)] | None = None
    replicate_rscales: list[Annotated[float, Field(ge=0)]] | None = None
    mse: bool | None = None
    rho: float | None = None


class ImportMapping(Model):
    """The `mapping:` section: a mapping file's `columns:` and `values:` (docs/reference/mapping.md)
    carried by the questionnaire, applied by every import; checked by
    `survey.readers.mapping_file`."""

    columns: dict[str | int, str | None] = Field(default_factory=dict)
    values: dict[str, dict[str | int, str | int]] = Field(default_factory=dict)


class Questionnaire(Model):
    """A checked questionnaire; build it with `survey.questionnaire.loader.load_questionnaire`."""

    survey: SurveyInfo
    choice_lists: dict[Name, dict[OptionCode, Label]] = Field(default_factory=dict)
    questions: list[Question]
    derived: list[Derived] = Field(default_factory=list)
    segments: dict[Name, Segment] = Field(default_factory=dict)
    scales: list[Scale] = Field(default_factory=list)
    design: Design = Field(default_factory=Design)
    mapping: ImportMapping = Field(default_factory=ImportMapping)

    @cached_property
    def _by_name(self) -> dict[str, Question]:
        return {q.name: q for q in self.questions}

    def question(self, name: str) -> Question:
        return self._by_name[name]

    @cached_property
    def segment_groups(self) -> dict[str, list[str]]:
        """{group: its segments}, in questionnaire order."""
        groups: dict[str, list[str]] = {}
        for name, segment in self.segments.items():
            if segment.group:
                groups.setdefault(segment.group, []).append(name)
        return groups

    def banner_columns(self) -> list[str]:
        """The default columns of a banner: each segment group once, at its first segment, and
        every segment outside a group (compared with the rest of the sample)."""
        found: list[str] = []
        for name, segment in self.segments.items():
            column = segment.group or name
            if column not in found:
                found.append(column)
        return found

    def grid_items(self) -> Iterator[tuple[Question, GridItem]]:
        for q in self.questions:
            for item in q.items:
                yield q, item

    @cached_property
    def items(self) -> dict[str, Question]:
        """Every answerable variable: questions (not notes or grids) and grid items as scales."""
        found: dict[str, Question] = {}
        for q in self.questions:
            if q.type == "grid":
                for item in q.items:
                    found[item.name] = q.model_copy(update={
                        "name": item.name, "type": "scale", "label": item.label,
                        "reverse": item.reverse, "items": []})
            elif q.type != "note":
                found[q.name] = q
        return found

    def variable_label(self, name: str) -> Label | None:
        """The label of a variable: a question or grid item, a derived variable or a scale."""
        if name in self.items:
            return self.items[name].label
        return next((v.label for v in (*self.derived, *self.scales) if v.name == name), None)

    def option_labels(self, name: str) -> dict[OptionCode, Label]:
        """The labelled options of a question or derived variable ({} when it has none)."""
        variable = self.items.get(name) or next((d for d in self.derived if d.name == name), None)
        return self.options_of(variable)

    def option_label(self, name: str, code: Code) -> Label | None:
        """The label of option `code` of a question or derived variable (codes compared as
        text: 1 and "1" are one option), None when it has no such option."""
        return next((label for key, label in self.option_labels(name).items()
                     if str(key) == str(code)), None)

    def options_of(self, variable: Question | Derived | None) -> dict[OptionCode, Label]:
        """A variable's options, a choice list named by it resolved ({} when it has none)."""
        options = getattr(variable, "options", None)
        if isinstance(options, str):  # a choice list's name
            options = self.choice_lists.get(options, {})
        return dict(options or {})

    def label(self, text: dict[str, str] | None, language: str | None = None) -> str:
        """The text of a label in `language` (default: the survey's first language)."""
        if not text:
            return ""
        language = language or self.survey.default_language
        return text.get(language) or text.get("") or next(iter(text.values()))

    def counts_by_type(self) -> dict[str, int]:
        counts = {t: 0 for t in QUESTION_TYPES}
        for q in self.questions:
            counts[q.type] += 1
        return {t: n for t, n in counts.items() if n}
