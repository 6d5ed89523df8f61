"""YAML files read with the position of every key and value, so problems point at FILE:LINE:COLUMN.

PyYAML's composer keeps marks on nodes; we build plain Python values from the node tree ourselves
and keep a map from each value's path (keys and list indices from the root) to where it was written.
Duplicate keys, which PyYAML silently overwrites, are reported instead.

Every YAML file of ours (questionnaire, claims, targets, effects, mapping) is read here, so the
limits live here too: the text's size and characters, then (survey.files.core_schema) nesting and
aliases, then tags and values a scalar's type refuses. Each is a located problem, never a crash.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

from survey.errors import SurveyError
from survey.files.core_schema import CORE_TAGS, MERGE, CoreLoader

Path_ = tuple[str | int, ...]
MAX_CHARS = 2_000_000  # forty times the largest questionnaire we ship
MAX_BYTES = 8_000_000  # read no more of a file: MAX_CHARS in the widest encoding, and more
EXCERPT = 80  # characters of a user's text quoted in a message
MAX_MESSAGE = 1000  # characters of a whole message
# what YAML refuses (PyYAML's Reader.NON_PRINTABLE): NUL and other control characters
NON_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD"
                           "\U00010000-\U0010FFFF]")
KINDS = {"int": "a whole number", "float": "a number", "timestamp": "a date"}
STR = "tag:yaml.org,2002:str"
SKIP = object()  # a mapping key that cannot be used (its problem is reported)
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Problem:
    """One located problem in a user's file; `code` is stable for tests and scripts."""

    file: str
    line: int
    column: int
    code: str
    message: str

    def __post_init__(self) -> None:
        # one line, of a readable length, whatever text a caller quoted without `excerpt`
        if len(self.message) > MAX_MESSAGE or CONTROL.search(self.message):
            object.__setattr__(self, "message", excerpt(self.message, MAX_MESSAGE))

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
    """Where each value (and each mapping key) of a loaded YAML document was written: its YAML
    node, whose position becomes a `Mark` only when a problem or a check asks for it."""

    file: str
    values: dict[Path_, yaml.Node] = field(default_factory=dict)
    keys: dict[Path_, yaml.Node] = field(default_factory=dict)

    def mark(self, path: Path_, *, key: bool = False) -> Mark:
        """The mark of `path`, or of its nearest ancestor that was written in the file."""
        table = self.keys if key else self.values
        for end in range(len(path), -1, -1):
            found = table.get(path[:end]) or self.values.get(path[:end])
            if found:
                return _mark(found)
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
    `kind` says how this kind of file starts, for the message about an empty one. Every refusal
    (syntax, size, nesting, aliases, characters, tags) is one located problem, never a crash."""
    source = SourceMap(file)
    _check_text(text, file)
    loader = CoreLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise SourceError([Problem(file, 1, 1, "empty-file", f"the file is empty; {kind}")])
        problems: list[Problem] = []
        value = _build(node, (), loader, source, problems)
    except yaml.MarkedYAMLError as error:
        raise SourceError([_syntax_problem(error, file)]) from None
    except yaml.YAMLError as error:
        message = " ".join(str(error).split())
        raise SourceError([Problem(file, 1, 1, "yaml-syntax", f"YAML syntax: {message}")]) \
            from None
    finally:
        loader.dispose()
    if problems:
        raise SourceError(problems)
    return value, source


def _check_text(text: str, file: str) -> None:
    """Refuse text no YAML file of ours can be: too long, or with characters YAML forbids."""
    if len(text) > MAX_CHARS:
        raise SourceError([Problem(file, 1, 1, "too-large", f"the file has {len(text):,} "
                                   f"characters; a file of this kind has at most {MAX_CHARS:,}")])
    found = NON_PRINTABLE.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
        character = found.group()
        hint = ("saved as UTF-16 or UTF-32 without a byte-order mark, or not a text file?"
                if character == "\x00" else "not a text file, or a character pasted from "
                "another program?")
        raise SourceError([Problem(file, line, column, "not-text", f"the character "
                                   f"U+{ord(character):04X} cannot be in a YAML file; {hint}")])


def _syntax_problem(error: yaml.MarkedYAMLError, file: str) -> Problem:
    """A parser's, composer's or limit's error as one located problem."""
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    code = getattr(error, "code", None)  # survey.files.core_schema's limits
    if code:
        return Problem(file, line, column, code, error.problem or "")
    context = error.context or ""
    if context and error.problem and error.context_mark and error.problem_mark and \
            error.context_mark.line != error.problem_mark.line:
        context += f" at line {error.context_mark.line + 1},"
    reason = " ".join(" ".join(filter(None, [context, error.problem])).split())
    return Problem(file, line, column, "yaml-syntax", f"YAML syntax: {reason}")


def _mark(node: yaml.Node) -> Mark:
    style = getattr(node, "style", None) if isinstance(node, yaml.ScalarNode) else None
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1, style)


def _build(node: yaml.Node, path: Path_, loader: CoreLoader, source: SourceMap,
           problems: list[Problem]) -> Any:
    source.values[path] = node
    if node.tag not in CORE_TAGS and node.tag != MERGE:
        problems.append(_unknown_tag(node, source.file))
        return None
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _key(key_node, loader, source, problems)
            if key is SKIP:
                continue
            if key in result:
                mark = _mark(key_node)
                first = _mark(source.keys[path + (key,)])
                problems.append(Problem(source.file, mark.line, mark.column, "duplicate-key",
                                        f"duplicate key '{excerpt(key)}' (first at line "
                                        f"{first.line}); remove one of them"))
                continue
            source.keys[path + (key,)] = key_node
            result[key] = _build(value_node, path + (key,), loader, source, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), loader, source, problems)
                for i, item in enumerate(node.value)]
    return _scalar(node, loader, source, problems)


def _key(node: yaml.Node, loader: CoreLoader, source: SourceMap, problems: list[Problem]) -> Any:
    """A mapping key as written, or SKIP once the reason it cannot be one is reported."""
    if node.tag not in CORE_TAGS and node.tag != MERGE:
        problems.append(_unknown_tag(node, source.file))
        return SKIP
    if node.tag == MERGE or not isinstance(node, yaml.ScalarNode):
        mark = _mark(node)
        problems.append(Problem(source.file, mark.line, mark.column, "bad-key",
                                "merge keys ('<<: *name') are not part of YAML 1.2; write the "
                                "keys out" if node.tag == MERGE else
                                "a key must be a name or a number"))
        return SKIP
    found = len(problems)
    key = _scalar(node, loader, source, problems)
    if len(problems) > found:
        return SKIP
    if isinstance(key, bool | float) or key is None:  # `True:`, `1.5:`, `~:` are names or codes
        return node.value  # as written
    return key


def _scalar(node: yaml.Node, loader: CoreLoader, source: SourceMap,
            problems: list[Problem]) -> Any:
    """The value of a scalar; one that its type refuses (2024-13-45 as a date, an integer of
    5,000 digits) is a located problem and None."""
    if node.tag == MERGE or node.tag == STR:  # `<<` as a value is a text; a text is as written
        return node.value
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, OverflowError) as error:
        mark = _mark(node)
        kind = KINDS.get(node.tag.rsplit(":", 1)[-1], "a value")
        problems.append(Problem(source.file, mark.line, mark.column, "bad-value",
                                f"'{excerpt(node.value, 40)}' is not {kind} YAML can read "
                                f"({excerpt(error, 60)}); put it in quotes to keep it as text"))
        return None


def _unknown_tag(node: yaml.Node, file: str) -> Problem:
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    return Problem(file, node.start_mark.line + 1, node.start_mark.column + 1, "unknown-tag",
                   f"the tag {excerpt(tag)} is not read here: a value is a text, a number, "
                   "true/false, null, a date, a list or a mapping")


def excerpt(value: object, limit: int = EXCERPT) -> str:
    """`value` as text for a one-line message: control characters escaped, at most `limit`
    characters (then an ellipsis), so that a 5 MB cell or key never floods the terminal."""
    text = str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def suggest(word: str, choices: Iterable[str]) -> str:
    """A '; did you mean ...?' hint for a misspelt word, or ''."""
    if len(str(word)) > EXCERPT:  # no name is that long, and difflib's time grows with it
        return ""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
