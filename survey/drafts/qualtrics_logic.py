"""Qualtrics display and branch logic read into our expression language.

A logic object holds numbered condition sets, each of numbered conditions joined by the
`Conjuction` (sic) of the later one, And or Or; sets are joined the same way. Conditions on a
drafted question's answers translate: a choice Selected / NotSelected (`q == 2`,
`not (q == 2)`, true when q is unanswered as in Qualtrics; `selected(q, 2)` of a multi), a matrix
row's answer, a text entry compared with a value (`age >= 18`, `is_missing(q)` for Empty), the
number of choices selected. Conditions on embedded data, quotas, the device, whether a choice
was displayed, or on a question not drafted before this one, do not: the whole logic is then kept
as a comment (half a condition would select other respondents). And binds tighter than Or, in
Qualtrics (its "Using Logic" page: And connects conditions, Or separates them) as in our language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from survey.drafts.draft import Code
from survey.drafts.qualtrics_text import plain
from survey.expressions.from_xpath import Untranslatable

COMPARE = {"EqualTo": "==", "NotEqualTo": "!=", "GreaterThan": ">", "LessThan": "<",
           "GreaterThanOrEqual": ">=", "GreaterThanOrEqualTo": ">=", "LessThanOrEqual": "<=",
           "LessThanOrEqualTo": "<="}
SUBJECTS = {"EmbeddedField": "embedded data", "DeviceType": "the device", "Quota": "a quota",
            "GeoIP": "the location", "Panel": "a contact list", "Language": "the language",
            "Date": "the date", "None": "nothing"}
_LOCATOR = re.compile(r"q://(?P<qid>QID\d+)/(?P<what>\w+)(?:/(?P<a>[\w-]+))?(?:/(?P<b>[\w-]+))?")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


@dataclass
class Target:
    """A drafted question as logic names it: its variable, its type, the codes of its choices by
    Qualtrics id (a matrix: of its answers) and a matrix's item variables by row id."""

    name: str
    type: str
    codes: dict[str, Code] = field(default_factory=dict)
    items: dict[str, str] = field(default_factory=dict)


def numbered(logic: dict) -> list[dict]:
    """The entries "0", "1", ... of a logic object, in order."""
    keys = sorted((k for k in logic if str(k).isdigit()), key=int)
    return [logic[k] for k in keys if isinstance(logic[k], dict)]


def _joined(parts: list[tuple[str, str]]) -> str:
    """`a and b or c` from [(a, ''), (b, 'and'), (c, 'or')]."""
    text = parts[0][0]
    for part, conjunction in parts[1:]:
        text = f"{text} {conjunction} {part}"
    return text


def _conjunction(entry: dict) -> str:
    word = str(entry.get("Conjuction") or entry.get("Conjunction") or "And").lower()
    return "or" if word == "or" else "and"


def translate(logic: dict[str, Any], targets: dict[str, Target]) -> str:
    """The logic as one expression; Untranslatable when any condition cannot be said."""
    sets = numbered(logic)
    if not sets:
        raise Untranslatable("no conditions")
    parts = []
    for i, conditions in enumerate(sets):
        inner = [(condition(c, targets), _conjunction(c) if j else "")
                 for j, c in enumerate(numbered(conditions))]
        if not inner:
            raise Untranslatable("an empty set of conditions")
        text = _joined(inner)
        if len(sets) > 1 and " or " in text:
            text = f"({text})"
        parts.append((text, _conjunction(conditions) if i else ""))
    return _joined(parts)


def describe(logic: dict[str, Any]) -> str:
    """The logic as Qualtrics describes it, tags stripped: 'If Q2 Other Is Selected'."""
    words = [plain(str(c.get("Description") or "")) for s in numbered(logic)
             for c in numbered(s)]
    return " ".join(w for w in words if w) or "(no description)"


def condition(entry: dict[str, Any], targets: dict[str, Target]) -> str:
    """One condition as an expression."""
    kind = entry.get("LogicType")
    if kind != "Question":
        raise Untranslatable(f"a condition on {SUBJECTS.get(str(kind), kind)}, not on an answer")
    match = _LOCATOR.fullmatch(str(entry.get("LeftOperand") or ""))
    if not match:
        raise Untranslatable(f"an operand '{entry.get('LeftOperand')}'")
    target = targets.get(match["qid"])
    if target is None:
        raise Untranslatable(f"{match['qid']} is not a question drafted before this one")
    operator = str(entry.get("Operator") or "")
    what = match["what"]
    if what == "SelectableChoice":
        return _selected(target, operator, match["a"], match["b"])
    if what == "ChoiceTextEntryValue" and match["a"] is None:
        return _compared(target.name, target.type, operator, entry.get("RightOperand"))
    if what == "SelectedChoicesCount" and target.type in ("multi", "rank"):
        return _compared(f"count_selected({target.name})", "number", operator,
                         entry.get("RightOperand"))
    raise Untranslatable(f"'{what}' of {match['qid']} ({operator})")


def _selected(target: Target, operator: str, choice: str | None, answer: str | None) -> str:
    if operator not in ("Selected", "NotSelected") or choice is None:
        raise Untranslatable(f"'{operator}' of a choice")
    name, codes, key = target.name, target.codes, choice
    if target.type == "grid":
        if choice not in target.items or answer is None:
            raise Untranslatable(f"row {choice} of a matrix without an answer")
        name, key = target.items[choice], answer
    elif answer is not None:
        raise Untranslatable(f"choice {choice}/{answer}")
    if key not in codes:
        raise Untranslatable(f"choice {key}, which {target.name} does not have")
    code = codes[key]
    if target.type in ("multi", "rank"):
        test = f"selected({name}, {code})"
        return f"not {test}" if operator == "NotSelected" else test
    return f"not ({name} == {code})" if operator == "NotSelected" else f"{name} == {code}"


def _compared(left: str, kind: str, operator: str, right: object) -> str:
    if operator in ("Empty", "NotEmpty") and not left.startswith("count_selected"):
        return f"is_missing({left})" if operator == "Empty" else f"not is_missing({left})"
    if operator not in COMPARE:
        raise Untranslatable(f"the comparison '{operator}'")
    value = str(right if right is not None else "").strip()
    if kind == "number" and _NUMBER.fullmatch(value):
        return f"{left} {COMPARE[operator]} {value}"
    if kind == "text" and operator in ("EqualTo", "NotEqualTo") and "'" not in value:
        return f"{left} {COMPARE[operator]} '{value}'"
    raise Untranslatable(f"'{operator} {value}' on a {kind} answer")
