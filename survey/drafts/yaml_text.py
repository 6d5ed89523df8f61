"""A Draft written as a questionnaire file for people: the house layout of
questionnaires/industrial_workers.yaml (one line per label, `{zh: .., en: ..}`), a comment above
each question that was guessed or lost something, and the parts only the researcher can write
(segments, the design) as commented examples.
"""

from __future__ import annotations

from typing import Any

import yaml

from survey.drafts.draft import Draft, DraftQuestion, Label

INDENT = "  "


def scalar(value: Any) -> str:
    """A YAML scalar, quoted where YAML would read it as anything but itself (PyYAML quotes by
    the YAML 1.1 rules, a superset of what the 1.2 core schema we read with resolves)."""
    if isinstance(value, bool) or value is None:
        return "true" if value else ("false" if value is False else "null")
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    style = '"' if any(c in str(value) for c in "\n\r\t") else None  # one line, escaped
    text = yaml.safe_dump(str(value), allow_unicode=True, width=1 << 30, default_style=style)
    return text.removesuffix("\n").removesuffix("\n...").removesuffix("\n")


def label(text: Label, *, in_flow: bool = False) -> str:
    """One language: the text (quoted as inside `{...}` when `in_flow`); several: a flow
    mapping `{zh: 性别, en: Sex}`."""
    if len(text) == 1:
        value = next(iter(text.values()))
        return _in_flow(value) if in_flow else scalar(value)
    return "{" + ", ".join(f"{lang}: {_in_flow(value)}" for lang, value in text.items()) + "}"


def _in_flow(value: str | int) -> str:
    """A scalar inside `{...}`, where a plain `,` `[` `]` `{` `}` would end it."""
    text = scalar(value)
    plain = isinstance(value, str) and text[:1] not in "'\""
    if plain and (any(c in text for c in ",[]{}") or ": " in text or " #" in text):
        return yaml.safe_dump(value, allow_unicode=True, width=1 << 30,
                              default_style='"').strip()
    return text


def _flow(mapping: dict) -> str:
    """`{M: 1, F: 2}`: a flow mapping, even of one entry (a label of one language is a scalar)."""
    return "{" + ", ".join(f"{_in_flow(k)}: {_in_flow(v)}" for k, v in mapping.items()) + "}"


def comment(text: str, depth: int) -> list[str]:
    return [f"{INDENT * depth}# {line}".rstrip() for line in text.splitlines() or [""]]


def _options(options: dict, depth: int) -> list[str]:
    return [f"{INDENT * depth}{scalar(code)}: {label(text)}" for code, text in options.items()]


def _value(key: str, value: Any, depth: int) -> list[str]:
    pad = INDENT * depth
    if key in ("label", "hint", "unit", "constraint_message", "title", "description"):
        return [f"{pad}{key}: {label(value)}"]
    if key == "options" and isinstance(value, dict):
        return [f"{pad}options:", *_options(value, depth + 1)]
    if key == "items":
        return [f"{pad}items:", *[f"{pad}{INDENT}- {{name: {item['name']}, label: "
                                  f"{label(item['label'], in_flow=True)}}}" for item in value]]
    if isinstance(value, list):
        return [f"{pad}{key}: [{', '.join(scalar(v) for v in value)}]"]
    return [f"{pad}{key}: {scalar(value)}"]


def question_lines(question: DraftQuestion, depth: int = 1) -> list[str]:
    """A question as a list item, with its remarks as comments above it."""
    lines = [line for remark in question.remarks for line in comment(remark, depth)]
    for i, (key, value) in enumerate(question.as_mapping().items()):
        written = _value(key, value, depth + 1)
        if i == 0:
            written[0] = f"{INDENT * depth}- {written[0].lstrip()}"
        lines += written
    return lines


def _derived(item: dict[str, Any]) -> list[str]:
    lines = [line for remark in item.get("remarks", []) for line in comment(remark, 1)]
    lines.append(f"{INDENT}- name: {item['name']}")
    lines.append(f"{INDENT * 2}label: {label(item['label'])}")
    if "expr" in item:
        lines.append(f"{INDENT * 2}expr: {scalar(item['expr'])}")
    if "options" in item:
        lines += [f"{INDENT * 2}options:", *_options(item["options"], 3)]
        lines.append(f"{INDENT * 2}cases:")
        lines += [f"{INDENT * 3}- {{when: {_in_flow(case['when'])}, "
                  f"value: {_in_flow(case['value'])}}}" for case in item["cases"]]
    return lines


def _header(draft: Draft) -> list[str]:
    lines = [f"# Drafted by `survey init` from {draft.origin}.",
             "# Read it through: comments mark what was guessed or could not be carried over.",
             "# Check it with `survey check`; updating it from the source later (survey init, "
             "update) keeps your edits."]
    return [*lines, ""]


def _survey(draft: Draft) -> list[str]:
    return ["survey:", f"{INDENT}id: {draft.id}", f"{INDENT}version: {scalar(draft.version)}",
            f"{INDENT}title: {label(draft.title)}",
            f"{INDENT}languages: [{', '.join(draft.languages)}]", ""]


def _tail(draft: Draft) -> list[str]:
    """Segments and design as commented examples, then the mapping the source needs."""
    first = next((q for q in draft.questions if q.codes()), None)
    code = first.codes()[0] if first else 1
    where = f"{first.name if first else 'q1'} == {code if isinstance(code, int) else repr(code)}"
    lines = ["", "# Segments are the groups your analysis compares; only you can say which:",
             "# segments:", f"#   example: {{label: example group, where: \"{where}\"}}"]
    if draft.design:
        lines += ["", "design:", *[f"{INDENT}{k}: {v}" for k, v in draft.design.items()]]
    else:
        lines += ["", "# The sample design, if the data carry it (column names):",
                  "# design: {weight: weight, strata: stratum, cluster: psu}"]
    columns = draft.columns()
    if columns or draft.values:
        lines += ["", "# The source's own column names and values, so that it imports as it is:",
                  "mapping:"]
        if columns:
            lines += [f"{INDENT}columns:", *[f"{INDENT * 2}{scalar(k)}: {scalar(v)}"
                                            for k, v in columns.items()]]
        if draft.values:
            lines += [f"{INDENT}values:", *[f"{INDENT * 2}{name}: {_flow(values)}"
                                           for name, values in draft.values.items()]]
    return lines


def draft_yaml(draft: Draft) -> str:
    """The questionnaire file's text."""
    lines = [*_header(draft), *_survey(draft)]
    if draft.choice_lists:
        lines.append("choice_lists:")
        for name, options in draft.choice_lists.items():
            lines += [f"{INDENT}{name}:", *_options(options, 2)]
        lines.append("")
    lines.append("questions:")
    for question in draft.questions:
        lines += [*question_lines(question), ""]
    if draft.derived:
        lines.append("derived:")
        for item in draft.derived:
            lines += [*_derived(item), ""]
    lines += _tail(draft)
    return "\n".join(lines).rstrip() + "\n"
