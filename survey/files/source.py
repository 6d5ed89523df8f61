"""YAML files read with the position of every key and value, so problems point at FILE:LINE:COLUMN.

PyYAML's composer keeps marks on nodes; we build plain Python values from the node tree ourselves
and keep a map from each value's path (keys and list indices from the root) to where it was written.
Duplicate keys, which PyYAML silently overwrites, are reported instead.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

from survey.errors import SurveyError
from survey.files.core_schema import CoreLoader

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One located problem in a user's file; `code` is stable for tests and scripts."""

    file: str
    line: int
    column: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class SourceError(SurveyError):
    """A file that could not be used; carries every problem found in it, each located."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.line, p.column))
        first = self.problems[0] if self.problems else None
        super().__init__("\n".join(str(p) for p in self.problems),
                         code=first.code if first else "bad-file",
                         location=f"{first.file}:{first.line}:{first.column}" if first else None)

    def lines(self, where: str | None = None) -> list[str]:
        return [str(problem) for problem in self.problems]


@dataclass(frozen=True)
class Mark:
    line: int  # 1-based
    column: int  # 1-based
    style: str | None = None  # YAML scalar style: None (plain), "'", '"', "|", ">"


@dataclass
class SourceMap:
    """Where each value (and each mapping key) of a loaded YAML document was written."""

    file: str
    values: dict[Path_, Mark] = field(default_factory=dict)
    keys: dict[Path_, Mark] = field(default_factory=dict)

    def mark(self, path: Path_, *, key: bool = False) -> Mark:
        """The mark of `path`, or of its nearest ancestor that was written in the file."""
        table = self.keys if key else self.values
        for end in range(len(path), -1, -1):
            found = table.get(path[:end]) or self.values.get(path[:end])
            if found:
                return found
        return Mark(1, 1)

    def problem(self, path: Path_, code: str, message: str, *, key: bool = False,
                offset: int | None = None) -> Problem:
        """A problem at `path`; `offset` is a character offset into a one-line scalar there."""
        mark = self.mark(path, key=key)
        column = mark.column
        if offset is not None and mark.style in (None, "'", '"'):
            column += offset + (0 if mark.style is None else 1)
        return Problem(self.file, mark.line, column, code, message)


def load_yaml(text: str, file: str, kind: str = "a questionnaire starts with 'survey:'"
              ) -> tuple[Any, SourceMap]:
    """Parse YAML text into plain values and a SourceMap; raise SourceError on any problem.
    `kind` says how this kind of file starts, for the message about an empty one."""
    source = SourceMap(file)
    loader = CoreLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise SourceError([Problem(file, 1, 1, "empty-file", f"the file is empty; {kind}")])
        problems: list[Problem] = []
        value = _build(node, (), loader, source, problems)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = " ".join(filter(None, [error.context, error.problem]))
        problem = Problem(file, line, column, "yaml-syntax", f"YAML syntax: {reason}")
        raise SourceError([problem]) from None
    except yaml.YAMLError as error:
        raise SourceError([Problem(file, 1, 1, "yaml-syntax", f"YAML syntax: {error}")]) from None
    finally:
        loader.dispose()
    if problems:
        raise SourceError(problems)
    return value, source


def _mark(node: yaml.Node) -> Mark:
    style = getattr(node, "style", None) if isinstance(node, yaml.ScalarNode) else None
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1, style)


def _build(node: yaml.Node, path: Path_, loader: CoreLoader, source: SourceMap,
           problems: list[Problem]) -> Any:
    source.values[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, bool | float) or key is None:  # `True:`, `1.5:`, `~:` as keys
                key = key_node.value  # are names or codes, as written
            if isinstance(key, list | dict):
                problems.append(Problem(file=source.file, line=key_node.start_mark.line + 1,
                                        column=key_node.start_mark.column + 1, code="bad-key",
                                        message="a key must be a name or a number"))
                continue
            if key in result:
                mark = _mark(key_node)
                first = source.keys[path + (key,)]
                problems.append(Problem(source.file, mark.line, mark.column, "duplicate-key",
                                        f"duplicate key '{key}' (first at line {first.line}); "
                                        "remove one of them"))
                continue
            source.keys[path + (key,)] = _mark(key_node)
            result[key] = _build(value_node, path + (key,), loader, source, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), loader, source, problems)
                for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def suggest(word: str, choices: Iterable[str]) -> str:
    """A '; did you mean ...?' hint for a misspelt word, or ''."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
