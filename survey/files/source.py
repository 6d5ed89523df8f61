"""YAML files read with the position of every key and value, so problems point at FILE:LINE:COLUMN.

PyYAML's parser gives events with their marks; we build plain Python values from the events
ourselves (no node tree) and keep a map from each value's path (keys and list indices from the
root) to where it was written. Duplicate keys, which PyYAML silently overwrites, are reported
instead.

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
from survey.files.core_schema import CORE_TAGS, MERGE, CoreLoader, Document

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
    """Where each value (and each mapping key) of a loaded YAML document was written: its
    parser event, whose position becomes a `Mark` only when a problem or a check asks for it."""

    file: str
    values: dict[Path_, yaml.Event] = field(default_factory=dict)
    keys: dict[Path_, yaml.Event] = field(default_factory=dict)

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
        document = loader.read_document()
        if document is None:
            raise SourceError([Problem(file, 1, 1, "empty-file", f"the file is empty; {kind}")])
        problems: list[Problem] = []
        value = _Builder(document, loader, source, problems).build(0, ())
    except yaml.MarkedYAMLError as error:
        raise SourceError([_syntax_problem(error, file)]) from None
    except yaml.YAMLError as error:
        message = " ".join(str(error).split())
        raise SourceError([Problem(file, 1, 1, "yaml-syntax", f"YAML syntax: {message}")]) \
            from None
    finally:
        loader.dispose()
    if problems:  # an alias repeats its anchor's problems at the anchor's place: said once
        raise SourceError(dict.fromkeys(problems))
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


def _mark(event: yaml.Event) -> Mark:
    style = event.style if isinstance(event, yaml.ScalarEvent) else None
    return Mark(event.start_mark.line + 1, event.start_mark.column + 1, style)


STARTS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
NODE_KINDS = {yaml.ScalarEvent: yaml.ScalarNode, yaml.MappingStartEvent: yaml.MappingNode,
              yaml.SequenceStartEvent: yaml.SequenceNode}


class _Builder:
    """Plain values from a document's events, each value's and key's event in the SourceMap, a
    located problem for each that cannot be used. An alias is built again from its anchor's
    events wherever it is written, as each place of an anchor's value has its own value."""

    def __init__(self, document: Document, loader: CoreLoader, source: SourceMap,
                 problems: list[Problem]):
        self.events, self.ends, self.anchors = document.events, document.ends, document.anchors
        self.loader, self.source, self.problems = loader, source, problems
        self.resolved: dict[tuple, str] = {}  # (kind, plain text, implicit): its tag

    def target(self, i: int) -> int:
        """The index of the node written at `i`: an alias's is its anchor's."""
        event = self.events[i]
        return self.anchors[event.anchor] if type(event) is yaml.AliasEvent else i

    def after(self, i: int) -> int:
        """The index after the node written at `i` (an alias is one event)."""
        return self.ends[i] + 1 if type(self.events[i]) in STARTS else i + 1

    def tag(self, event: yaml.Event) -> str:
        """The event's tag, or the one the core schema resolves (as PyYAML's composer does)."""
        if event.tag is not None and event.tag != "!":
            return event.tag
        kind = NODE_KINDS[type(event)]
        key = (kind, getattr(event, "value", None), event.implicit)
        if key not in self.resolved:  # a file repeats its words (types, languages, codes)
            self.resolved[key] = self.loader.resolve(kind, key[1], event.implicit)
        return self.resolved[key]

    def build(self, i: int, path: Path_) -> Any:
        """The value of the node written at `i`, at `path` of the document."""
        at = self.target(i)
        event = self.events[at]
        self.source.values[path] = event
        tag = self.tag(event)
        if tag not in CORE_TAGS and tag != MERGE:
            self.problems.append(_unknown_tag(tag, event, self.source.file))
            return None
        j, kind = at + 1, type(event)
        if kind is yaml.SequenceStartEvent:
            items: list[Any] = []
            while j < self.ends[at]:
                items.append(self.build(j, path + (len(items),)))
                j = self.after(j)
            return items
        if kind is not yaml.MappingStartEvent:
            return self.scalar(event, tag)
        result: dict[Any, Any] = {}
        while j < self.ends[at]:
            key, value = self.key(j), self.after(j)
            if key is not SKIP and key in result:
                self.duplicate(key, self.events[self.target(j)], path)
            elif key is not SKIP:
                self.source.keys[path + (key,)] = self.events[self.target(j)]
                result[key] = self.build(value, path + (key,))
            j = self.after(value)
        return result

    def duplicate(self, key: Any, event: yaml.Event, path: Path_) -> None:
        mark, first = _mark(event), _mark(self.source.keys[path + (key,)])
        self.problems.append(Problem(self.source.file, mark.line, mark.column, "duplicate-key",
                                     f"duplicate key '{excerpt(key)}' (first at line "
                                     f"{first.line}); remove one of them"))

    def key(self, i: int) -> Any:
        """A mapping key as written, or SKIP once the reason it cannot be one is reported."""
        event = self.events[self.target(i)]
        tag = self.tag(event)
        if tag not in CORE_TAGS and tag != MERGE:
            self.problems.append(_unknown_tag(tag, event, self.source.file))
            return SKIP
        if tag == MERGE or type(event) is not yaml.ScalarEvent:
            mark = _mark(event)
            self.problems.append(Problem(
                self.source.file, mark.line, mark.column, "bad-key",
                "merge keys ('<<: *name') are not part of YAML 1.2; write the keys out"
                if tag == MERGE else "a key must be a name or a number"))
            return SKIP
        found = len(self.problems)
        key = self.scalar(event, tag)
        if len(self.problems) > found:
            return SKIP
        if isinstance(key, bool | float) or key is None:  # `True:`, `1.5:`, `~:` are names
            return event.value  # as written
        return key

    def scalar(self, event: yaml.ScalarEvent, tag: str) -> Any:
        """The value of a scalar; one that its type refuses (2024-13-45 as a date, an integer
        of 5,000 digits) is a located problem and None."""
        if tag == MERGE or tag == STR:  # `<<` as a value is a text; a text is as written
            return event.value
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark,
                               style=event.style)
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError) as error:
            mark = _mark(event)
            kind = KINDS.get(tag.rsplit(":", 1)[-1], "a value")
            self.problems.append(Problem(
                self.source.file, mark.line, mark.column, "bad-value",
                f"'{excerpt(event.value, 40)}' is not {kind} YAML can read "
                f"({excerpt(error, 60)}); put it in quotes to keep it as text"))
            return None


def _unknown_tag(tag: str, event: yaml.Event, file: str) -> Problem:
    tag = tag.replace("tag:yaml.org,2002:", "!!")
    return Problem(file, event.start_mark.line + 1, event.start_mark.column + 1, "unknown-tag",
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
