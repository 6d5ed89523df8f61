"""YAML read with the 1.2 core schema: `yes`, `no`, `on`, `off`, `y` and `n` are the text the user
wrote, not booleans; `010` is ten, not eight; `1:30` is a text, not ninety.

PyYAML implements YAML 1.1, whose booleans turn a choice list `yes: 是` / `no: 否` into `True` and
`False` (and then into a duplicate key). The 1.2 core schema keeps `true`/`false` (in their three
spellings), `null`/`~`, decimal, `0o` octal and `0x` hex integers and decimal floats. Dates written
YYYY-MM-DD stay dates, as the questionnaire's `min:` of a date question expects.
"""

from __future__ import annotations

import re

import yaml

BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
FLOAT = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                   r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
REPLACED = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}


class CoreLoader(yaml.SafeLoader):
    """SafeLoader with the YAML 1.2 core schema's booleans and numbers."""

    def construct_yaml_int(self, node: yaml.Node) -> int:
        text = self.construct_scalar(node)
        if text.startswith("0o"):
            return int(text[2:], 8)
        return int(text, 16) if text.startswith("0x") else int(text, 10)

    def construct_yaml_bool(self, node: yaml.Node) -> bool:
        return self.construct_scalar(node).lower() == "true"


CoreLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in REPLACED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
for _tag, _pattern, _firsts in (("bool", BOOL, "tTfF"), ("int", INT, "-+0123456789"),
                                ("float", FLOAT, "-+.0123456789")):
    CoreLoader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", _pattern, list(_firsts))
CoreLoader.add_constructor("tag:yaml.org,2002:int", CoreLoader.construct_yaml_int)
CoreLoader.add_constructor("tag:yaml.org,2002:bool", CoreLoader.construct_yaml_bool)
