"""YAML read with the 1.2 core schema, within limits that no honest file reaches.

Schema: `yes`, `no`, `on`, `off`, `y` and `n` are the text the user wrote, not booleans; `010` is
ten, not eight; `1:30` is a text, not ninety. PyYAML implements YAML 1.1, whose booleans turn a
choice list `yes: 是` / `no: 否` into `True` and `False` (and then into a duplicate key). The 1.2
core schema keeps `true`/`false` (in their three spellings), `null`/`~`, decimal, `0o` octal and
`0x` hex integers and decimal floats. Dates written YYYY-MM-DD stay dates, as the questionnaire's
`min:` of a date question expects. YAML 1.1's other tags (`!!binary`, `!!set`, `!!omap`, `!!pairs`)
and any application tag (`!!python/object`) are refused: no file of ours holds them.

Limits: the composer recurses once per level of nesting; aliases repeat what their anchor holds
without writing it again, so a few lines of nested aliases ("billion laughs") stand for billions
of values; an alias inside its own anchor never ends. Nesting and the values as written are
counted from the parser's events first, then every value as often as aliases repeat it while the
node tree is composed, before anything is built: each refusal is a ComposerError with a `code`,
at the node or alias that crossed the limit.
Events come from libyaml when PyYAML has it (four times faster), else from PyYAML's own parser.
"""

from __future__ import annotations

import re

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    ScalarEvent,
    StreamEndEvent,
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


def check_shape(events) -> None:
    """Refuse, from the parser's events alone (no node is made, so this is fast), nesting deeper
    than MAX_DEPTH and more than MAX_VALUES keys and values as written. The composer, which
    recurses once per level, then never meets either."""
    depth = values = 0
    while not events.check_event(StreamEndEvent):
        event = events.get_event()
        if isinstance(event, CollectionEndEvent):
            depth -= 1
        elif isinstance(event, ScalarEvent | CollectionStartEvent):
            if depth >= MAX_DEPTH:
                raise limit_error("too-deep", f"nested more than {MAX_DEPTH} levels deep; no "
                                  "file of this kind needs more than ten", event.start_mark)
            values += 1
            if values > MAX_VALUES:
                raise too_many("the file holds", event.start_mark)
            depth += isinstance(event, CollectionStartEvent)


def too_many(what: str, mark: yaml.Mark) -> ComposerError:
    return limit_error("too-many-values", f"{what} more than {MAX_VALUES:,} keys and values "
                       "(aliases counted as often as they repeat their anchor); no file of "
                       "this kind needs as many", mark)


class BoundedComposer(Composer):
    """PyYAML's composer, counting every value as often as aliases repeat it."""

    def __init__(self) -> None:
        super().__init__()
        self.values = 0
        self.sizes: dict[int, int] = {}  # id(node): values it stands for, once composed

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            node = self.anchors.get(event.anchor)
            if node is not None:  # an undefined one is PyYAML's located error
                self.expand(node, event)
            return super().compose_node(parent, index)
        before = self.values
        self.values += 1
        node = super().compose_node(parent, index)
        self.sizes[id(node)] = self.values - before
        return node

    def expand(self, node: yaml.Node, event: AliasEvent) -> None:
        size = self.sizes.get(id(node))
        if size is None:
            raise limit_error("recursive-alias", f"the alias *{event.anchor} stands for the "
                              f"collection it is written in (line {node.start_mark.line + 1}), "
                              "which would never end", event.start_mark)
        self.values += size
        if self.values > MAX_VALUES:
            raise too_many(f"the alias *{event.anchor} brings the file to", event.start_mark)


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


class CoreLoader(BoundedComposer, CoreConstructor, CoreResolver):
    """Nodes composed within the limits from the parser's events; values of the core schema."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.events = Events(text)
        # the composer asks for every event three times: straight to the parser's methods
        self.check_event = self.events.check_event
        self.peek_event = self.events.peek_event
        self.get_event = self.events.get_event
        BoundedComposer.__init__(self)
        CoreConstructor.__init__(self)
        CoreResolver.__init__(self)

    def get_single_node(self):
        """The document's root node (None when empty), once its shape is within the limits."""
        shape = Events(self.text)
        try:
            check_shape(shape)
        finally:
            shape.dispose()
        return super().get_single_node()

    def dispose(self) -> None:
        self.events.dispose()
