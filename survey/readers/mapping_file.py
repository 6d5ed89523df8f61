"""The mapping a user writes (docs/reference/mapping.md): a mapping file given with `--mapping`, or
the `mapping:` section a questionnaire carries (`survey init` writes one when it renamed a source's
columns, so that the source still imports without a second file).

Both have `columns:` (the header as the export writes it: the variable it holds) and `values:` (a
value as written: its code). The questionnaire's entries come first and a mapping file's override
them. Every entry is checked against the questionnaire and a problem is located in the file that
holds it: the mapping file, or the questionnaire at `mapping:` (checked when it is loaded).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from survey.files.encoding import read_text
from survey.files.source import Problem, SourceError, SourceMap, excerpt, load_yaml, suggest
from survey.questionnaire.model import Code, Questionnaire
from survey.readers.mapping import HeaderIndex, Role, Target, layout_targets

_ENTRY = re.compile(r"\s*([a-z][A-Za-z0-9_.-]*)\s*(?:\[\s*([^\]]+?)\s*\])?\s*")
_KIND = "a mapping file starts with 'columns:' or 'values:'"


@dataclass(frozen=True)
class _Problem:
    """An entry that names nothing in the questionnaire, before it is located."""

    path: tuple
    code: str
    message: str
    key: bool = False

    def located(self, source: SourceMap, prefix: tuple) -> Problem:
        return source.problem(prefix + self.path, self.code, self.message, key=self.key)


def _column_targets(section: dict, questionnaire: Questionnaire
                    ) -> tuple[dict[str, Target], list[_Problem]]:
    index = HeaderIndex(questionnaire)
    variables = set(questionnaire.items) | set(index.by_name)
    layout = layout_targets(questionnaire)
    found: dict[str, Target] = {}
    wrong: list[_Problem] = []
    for column, value in section.items():
        where = ("columns", column)
        if value is None:
            found[str(column)] = Target(None, None, "unmapped", "override")
            continue
        match = _ENTRY.fullmatch(str(value))
        if not match:
            wrong.append(_Problem(where, "bad-mapping", f"'{excerpt(value)}' is not a variable "
                                "name or 'variable[option]'"))
            continue
        name, option = match.groups()
        if option is None and name == "respondent_id":
            found[str(column)] = Target(name, None, "meta", "override")
        elif option is None and name in layout:  # a layout column: 'concerns__other_text'
            known = layout[name]
            found[str(column)] = Target(known.variable, known.option, known.role, "override")
        elif name not in variables:
            wrong.append(_Problem(where, "unknown-variable", f"unknown variable '{name}'"
                                f"{suggest(name, variables)}"))
        elif option is None:
            found[str(column)] = Target(name, None, "value", "override")
        else:
            question, item = index.by_name[name]
            code = index.option(question, option) if item is None else None
            if code is None:
                wrong.append(_Problem(where, "unknown-option", f"'{name}' has no option "
                                    f"'{option}'"))
                continue
            role: Role = "option" if question.is_set else "other_text"
            found[str(column)] = Target(name, code, role, "override")
    return found, wrong


def _value_codes(section: dict, questionnaire: Questionnaire
                 ) -> tuple[dict[str, dict[str, Code]], list[_Problem]]:
    index = HeaderIndex(questionnaire)
    found: dict[str, dict[str, Code]] = {}
    wrong: list[_Problem] = []
    for variable, values in section.items():
        where = ("values", variable)
        question = questionnaire.items.get(str(variable))
        if question is None or question.type not in ("single", "scale"):
            wrong.append(_Problem(where, "unknown-variable", f"'{variable}' is not a single-choice "
                                f"or scale question{suggest(str(variable), questionnaire.items)}",
                                key=True))
            continue
        if not isinstance(values, dict):
            wrong.append(_Problem(where, "bad-mapping", f"'{variable}' maps values as written to "
                                "codes, e.g. {男: 1, 女: 2}"))
            continue
        for value, code in values.items():
            known = index.option(question, str(code))
            if known is None:
                wrong.append(_Problem(where + (value,), "unknown-option", f"'{variable}' has no "
                                    f"option '{code}'"))
            else:
                found.setdefault(question.name, {})[str(value).strip()] = known
    return found, wrong


def _shape(data: Any, source: SourceMap, prefix: tuple) -> list[Problem]:
    """Problems of the sections' shape: a mapping with `columns:` and/or `values:` mappings."""
    what = "'mapping:' holds" if prefix else "a mapping file is a mapping with"
    if not isinstance(data, dict) or not ({"columns", "values"} & set(data)):
        return [source.problem(prefix, "bad-mapping", f"{what} 'columns: {{\"source column\": "
                               "variable}' and/or 'values: {variable: {value: code}}'")]
    return [source.problem(prefix + (key,), "bad-mapping", f"'{key}' is a mapping")
            for key in ("columns", "values")
            if data.get(key) is not None and not isinstance(data.get(key), dict)]


def section_problems(data: Any, source: SourceMap, questionnaire: Questionnaire,
                     prefix: tuple = ("mapping",)) -> list[Problem]:
    """Every problem of a `mapping:` section (or a mapping file, with prefix ()), located."""
    problems = _shape(data, source, prefix)
    if problems:
        return problems
    wrong = (_column_targets(data.get("columns") or {}, questionnaire)[1]
             + _value_codes(data.get("values") or {}, questionnaire)[1])
    return [w.located(source, prefix) for w in wrong]


def _mapping_file(path: str | Path, questionnaire: Questionnaire) -> dict:
    data, source = load_yaml(read_text(Path(path)), str(path), _KIND)
    if problems := section_problems(data, source, questionnaire, ()):
        raise SourceError(problems)
    return data


def load_overrides(path: str | Path | None, questionnaire: Questionnaire) -> dict[str, Target]:
    """The columns the questionnaire's `mapping:` and then the mapping file at `path` (if any)
    name: {"source header": Target}; null keeps a column unmapped."""
    found = _column_targets(questionnaire.mapping.columns, questionnaire)[0]
    if path:
        found |= _column_targets(_mapping_file(path, questionnaire).get("columns") or {},
                                 questionnaire)[0]
    return found


def load_value_map(path: str | Path | None, questionnaire: Questionnaire
                   ) -> dict[str, dict[str, Code]]:
    """The `values:` of the questionnaire's `mapping:`, then of the mapping file at `path`:
    {variable: {value as written: code}}."""
    found = _value_codes(questionnaire.mapping.values, questionnaire)[0]
    if path:
        extra = _value_codes(_mapping_file(path, questionnaire).get("values") or {},
                             questionnaire)[0]
        for variable, codes in extra.items():
            found[variable] = found.get(variable, {}) | codes
    return found
