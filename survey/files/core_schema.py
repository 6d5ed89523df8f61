"""YAML read with the 1.2 core schema, within limits that no honest file reaches.

Schema: `yes`, `no`, `on`, `off`, `y` and `n` are the text the user wrote, not booleans; `010` is
ten, not eight; `1:30` is a text, not ninety. PyYAML implements YAML 1.1, whose booleans turn a
choice list `yes: 是` / `no: 否` into `True` and `False` (and then into a duplicate key). The 1.2
core schema keeps `true`/`false` (in their three spellings), `null`/`~`, decimal, `0o` octal and
`0x` hex integers and decimal floats. Dates written YYYY-MM-DD stay dates, as the questionnaire's
`min:` of a date question expects. YAML 1.1's other tags (`!!binary`, `!!set`, `!!omap`, `!!pairs`)
and any application tag (`!!python/object`) are refused: no file of ours holds them.

Limits: values are built recursively, once per level of nesting; aliases repeat what their anchor
holds without writing it again, so a few lines of nested aliases ("billion laughs") stand for
billions of values; an alias inside its own anchor never ends. One pass over the parser's events
(`read_document`, no node tree: values are built from the events themselves) counts nesting and
the values as written in the whole stream, and every value of the document as often as aliases
repeat it, before anything is built: each refusal is a ComposerError with a `code`, at the node
or alias that crossed the limit. The errors of PyYAML's composer (an undefined or duplicate
anchor, a second document) are found in the same pass, and come after the limits and syntax
errors anywhere in the stream, as when the limits were checked in a pass of their own.
Events come from libyaml when PyYAML has it (four times faster), else from PyYAML's own parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml
from yaml.composer import ComposerError
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.resolver import Resolver

MAX_DEPTH = 64  # levels of nesting; a questionnaire has about eight
MAX_VALUES = 50_000  # keys and values once aliases expand; the largest file we ship has 1,734
BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
FLOAT = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                   r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
REPLACED = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
MERGE = "tag:yaml.org,2002:merge"
CORE_TAGS = {f"tag:yaml.org,2002:{name}" for name in  # what a node may be tagged (or resolve to)
             ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}


def limit_error(code: str, message: str, mark: yaml.Mark) -> ComposerError:
    """A composer error for a file beyond the limits; its `code` is the problem's code."""
    error = ComposerError(None, None, message, mark)
    error.code = code  # type: ignore[attr-defined]
    return error


def too_many(what: str, mark: yaml.Mark) -> ComposerError:
    return limit_error("too-many-values", f"{what} more than {MAX_VALUES:,} keys and values "
                       "(aliases counted as often as they repeat their anchor); no file of "
                       "this kind needs as many", mark)


@dataclass
class Document:
    """The events of a stream's one document, root node first, and where its nodes are: the
    index of each collection's end event by its start's, of each anchored node by its anchor."""

    events: list = field(default_factory=list)
    ends: dict[int, int] = field(default_factory=dict)
    anchors: dict[str, int] = field(default_factory=dict)


class _Reading:
    """`read_document`'s state: the limits counted over the stream, the document's events."""

    def __init__(self) -> None:
        self.depth = self.written = self.values = self.documents = 0
        self.document = Document()
        self.open: list[tuple[int, str | None, int]] = []  # (start, anchor, values before it)
        self.sizes: dict[str, int] = {}  # anchor: values it stands for, once it has ended
        self.refused: ComposerError | None = None  # the composer's first error

    def node(self, event) -> None:
        """A scalar or a collection's start: the limits, then (first document) its anchor."""
        if self.depth >= MAX_DEPTH:
            raise limit_error("too-deep", f"nested more than {MAX_DEPTH} levels deep; no file "
                              "of this kind needs more than ten", event.start_mark)
        self.written += 1
        if self.written > MAX_VALUES:
            raise too_many("the file holds", event.start_mark)
        collection = type(event) is not ScalarEvent
        self.depth += collection
        if not self.composing():
            return
        doc, anchor = self.document, event.anchor
        self.values += 1
        if anchor is not None and anchor in doc.anchors:
            self.refused = ComposerError(
                f"found duplicate anchor {anchor!r}; first occurrence",
                doc.events[doc.anchors[anchor]].start_mark, "second occurrence", event.start_mark)
            return
        if anchor is not None:
            doc.anchors[anchor] = len(doc.events)
        doc.events.append(event)
        if collection:
            self.open.append((len(doc.events) - 1, anchor, self.values - 1))
        elif anchor is not None:
            self.sizes[anchor] = 1

    def end(self, event) -> None:
        self.depth -= 1
        if self.composing():
            doc = self.document
            doc.events.append(event)
            start, anchor, before = self.open.pop()
            doc.ends[start] = len(doc.events) - 1
            if anchor is not None:
                self.sizes[anchor] = self.values - before

    def alias(self, event) -> None:
        """An alias adds every value its anchor stands for; one to an anchor not yet ended is
        inside it (it would never end), one to no anchor is PyYAML's located error."""
        if not self.composing():
            return
        doc, anchor = self.document, event.anchor
        if anchor not in doc.anchors:
            self.refused = ComposerError(None, None, f"found undefined alias {anchor!r}",
                                         event.start_mark)
        elif anchor not in self.sizes:
            line = doc.events[doc.anchors[anchor]].start_mark.line + 1
            self.refused = limit_error(
                "recursive-alias", f"the alias *{anchor} stands for the collection it is "
                f"written in (line {line}), which would never end", event.start_mark)
        else:
            self.values += self.sizes[anchor]
            if self.values > MAX_VALUES:
                self.refused = too_many(f"the alias *{anchor} brings the file to",
                                        event.start_mark)
            doc.events.append(event)

    def composing(self) -> bool:
        return self.documents == 1 and self.refused is None

    def next_document(self, event) -> None:
        self.documents += 1
        if self.documents == 2 and self.refused is None:
            root = self.document.events[0].start_mark
            self.refused = ComposerError("expected a single document in the stream", root,
                                         "but found another document", event.start_mark)


def read_document(events) -> Document | None:
    """The stream's one document (None when the stream has none), once the whole stream is
    within the limits and the document within PyYAML's composer's rules."""
    reading = _Reading()
    steps = {ScalarEvent: reading.node, MappingStartEvent: reading.node,
             SequenceStartEvent: reading.node, MappingEndEvent: reading.end,
             SequenceEndEvent: reading.end, AliasEvent: reading.alias,
             DocumentStartEvent: reading.next_document}
    while True:
        event = events.get_event()
        kind = type(event)
        if kind is StreamEndEvent:
            break
        if kind is not StreamStartEvent and kind is not DocumentEndEvent:
            steps[kind](event)
    if reading.refused is not None:
        raise reading.refused
    return reading.document if reading.documents else None


class CoreConstructor(SafeConstructor):
    """SafeConstructor with the YAML 1.2 core schema's booleans and numbers, and no 1.1 tags."""

    def construct_yaml_int(self, node: yaml.Node) -> int:
        text = self.construct_scalar(node)
        if text.startswith("0o"):
            return int(text[2:], 8)
        return int(text, 16) if text.startswith("0x") else int(text, 10)

    def construct_yaml_bool(self, node: yaml.Node) -> bool:
        return self.construct_scalar(node).lower() == "true"


class CoreResolver(Resolver):
    """The implicit types of the YAML 1.2 core schema."""


CoreResolver.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in REPLACED]
    for first, resolvers in Resolver.yaml_implicit_resolvers.items()}
for _tag, _pattern, _firsts in (("bool", BOOL, "tTfF"), ("int", INT, "-+0123456789"),
                                ("float", FLOAT, "-+.0123456789")):
    CoreResolver.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", _pattern, list(_firsts))
CoreConstructor.add_constructor("tag:yaml.org,2002:int", CoreConstructor.construct_yaml_int)
CoreConstructor.add_constructor("tag:yaml.org,2002:bool", CoreConstructor.construct_yaml_bool)


class PythonEvents(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's own parser, where PyYAML was built without libyaml."""

    def __init__(self, text: str) -> None:
        yaml.reader.Reader.__init__(self, text)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


try:
    from yaml.cyaml import CParser as Events
except ImportError:  # PyYAML built without libyaml
    Events = PythonEvents


class CoreLoader(CoreConstructor, CoreResolver):
    """A text's parser events, and the core schema's tags and values of its scalars."""

    def __init__(self, text: str) -> None:
        self.events = Events(text)
        CoreConstructor.__init__(self)
        CoreResolver.__init__(self)

    def read_document(self) -> Document | None:
        return read_document(self.events)

    def dispose(self) -> None:
        self.events.dispose()
