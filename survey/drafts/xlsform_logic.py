"""An XLSForm's constraints and calculations, read into the keys our questionnaire has for them.

A constraint is a list of tests joined with `and`; the common ones are keys of their own here
(`. >= 18` is `min: 18`, `count-selected(.) <= 3` is `max_choices: 3`,
`not(selected(., 'none') and count-selected(.) > 1)` makes `none` exclusive), and what is left is
translated into a `constraint` expression, or kept as a comment when it cannot be. A calculation
`if(c1, 1, if(c2, 2, ''))` is a derived variable with cases; `if(c, 1, 0)` a condition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from survey.expressions.from_xpath import Node, Untranslatable, parse_xpath, render

_LIMIT_KEYS = {"number": ("min", "max"), "date": ("min", "max"),
               "set": ("min_choices", "max_choices"), "text": (None, "max_length")}


@dataclass
class Lifted:
    """What a constraint says in our keys, the expression left over, and what was lost."""

    keys: dict[str, Any] = field(default_factory=dict)
    rest: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)


def conjuncts(node: Node) -> list[Node]:
    """The tests of `a and b and c`."""
    if node.kind == "logic" and node.value == "and":
        return [part for arg in node.args for part in conjuncts(arg)]
    return [node]


def _literal(node: Node) -> float | int | date | None:
    if node.kind == "number":
        return node.value  # type: ignore[return-value]
    if node.kind == "call" and node.value == "date" and len(node.args) == 1 \
            and node.args[0].kind == "string":
        try:
            return date.fromisoformat(str(node.args[0].value))
        except ValueError:
            return None
    return None


def _measure(node: Node, kind: str) -> bool:
    """Is `node` what a limit of this kind bounds: `.`, count-selected(.), string-length(.)."""
    if kind in ("number", "date"):
        return node.kind == "self"
    function = {"set": "count-selected", "text": "string-length"}.get(kind)
    return node.kind == "call" and node.value == function and len(node.args) == 1 \
        and node.args[0].kind == "self"


def _limit(test: Node, kind: str) -> tuple[str, Any] | None:
    """`. >= 18` as ('min', 18); None when the test is not a plain bound."""
    if test.kind != "compare" or kind not in _LIMIT_KEYS:
        return None
    low_key, high_key = _LIMIT_KEYS[kind]
    left, right = test.args
    op = str(test.value)
    if _measure(right, kind) and _literal(left) is not None:  # 18 <= .
        left, right, op = right, left, {"<=": ">=", ">=": "<=", "<": ">", ">": "<"}.get(op, op)
    value = _literal(right)
    if not _measure(left, kind) or value is None:
        return None
    if op == ">=" and low_key:
        return low_key, value
    if op == "<=" and high_key:
        return high_key, value
    return None


def _exclusive(test: Node) -> str | int | None:
    """The option of `not(selected(., 'x') and count-selected(.) > 1)`."""
    if not (test.kind == "call" and test.value == "not" and len(test.args) == 1):
        return None
    inner = conjuncts(test.args[0])
    if len(inner) != 2:
        return None
    picked, counted = inner
    if picked.kind == "call" and picked.value == "selected" and len(picked.args) == 2 \
            and picked.args[0].kind == "self" and picked.args[1].kind in ("string", "number") \
            and _limit(counted, "set") is None and counted.kind == "compare" \
            and counted.value == ">" and _measure(counted.args[0], "set") \
            and counted.args[1].kind == "number" and counted.args[1].value == 1:
        value = picked.args[1].value
        return int(value) if str(value).lstrip("-").isdigit() else str(value)
    return None


def lift_constraint(text: str, kind: str, me: str, names: dict[str, str]) -> Lifted:
    """A constraint as keys of a question of `kind` (number, date, set, text or other)."""
    lifted = Lifted()
    try:
        tests = conjuncts(parse_xpath(text))
    except Untranslatable as why:
        lifted.lost.append(f"{text} ({why})")
        return lifted
    for test in tests:
        limit = _limit(test, kind)
        option = _exclusive(test) if kind == "set" else None
        if limit and limit[0] not in lifted.keys:
            lifted.keys[limit[0]] = limit[1]
        elif option is not None:
            lifted.keys.setdefault("exclusive", []).append(option)
        else:
            try:
                lifted.rest.append(render(test, me, names))
            except Untranslatable as why:
                lifted.lost.append(f"{text} ({why})")
    return lifted


def calculation(text: str, names: dict[str, str]) -> dict[str, Any]:
    """A calculate row as the keys of a derived variable: `expr`, or `cases` and the codes they
    give (`options`, to be labelled)."""
    tree = parse_xpath(text)
    cases: list[dict[str, Any]] = []
    while tree.kind == "call" and tree.value == "if" and len(tree.args) == 3:
        condition, value, tree = tree.args
        if value.kind not in ("number", "string"):
            raise Untranslatable("a value of if() that is not a constant")
        code = value.value if value.kind == "number" else _as_code(str(value.value))
        cases.append({"when": render(condition, None, names), "value": code})
    if not cases:
        return {"expr": render(tree, None, names)}
    if len(cases) == 1 and cases[0]["value"] == 1 and tree.kind == "number" and tree.value == 0:
        return {"expr": cases[0]["when"]}
    if tree.kind in ("number", "string") and tree.value != "":
        code = tree.value if tree.kind == "number" else _as_code(str(tree.value))
        otherwise = " and ".join(f"not ({case['when']})" for case in cases)
        cases.append({"when": otherwise, "value": code})  # XPath's else: also when unanswered
    elif not (tree.kind == "string" and tree.value == ""):
        raise Untranslatable("an if() whose last value is not a constant")
    return {"options": [case["value"] for case in cases], "cases": cases}


def _as_code(value: str) -> int | str:
    return int(value) if value.lstrip("-").isdigit() else value
