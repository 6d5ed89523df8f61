"""Cross-reference checks of a questionnaire: what pydantic cannot see one entry at a time.

Choice lists named by questions, keys that do not apply to a question's type, option codes used by
nets, limits and expressions, names defined twice, expressions that name unknown or later
questions, scales built from items that are not rating items, and a `design:` block whose
replicate-weight options do not hold together. Every problem is reported
through `add(path, code, message, ...)` with the path of the YAML value it concerns.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from survey.expressions import Expression, ExpressionError, parse
from survey.files.source import suggest
from survey.questionnaire.model import CHOICE_TYPES, SET_TYPES, Derived, Question, Scale, Segment
from survey.questionnaire.replicates import check_design

Add = Callable[..., None]
Indexed = list[tuple[int, Any]]

COMMON_KEYS = {"name", "type", "label", "hint", "required", "relevant", "constraint",
               "constraint_message"}
TYPE_KEYS = {
    "single": {"options", "ordered", "other", "dont_know", "nets"},
    "multi": {"options", "min_choices", "max_choices", "exclusive", "other", "dont_know"},
    "rank": {"options", "min_choices", "max_choices", "other"},
    "scale": {"options", "reverse", "dont_know", "nets"},
    "grid": {"options", "items", "dont_know", "nets"},
    "number": {"min", "max", "integer", "unit"},
    "text": {"max_length"},
    "date": {"min", "max"},
    "note": set(),
}
NOTE_KEYS = {"name", "type", "label", "hint", "relevant"}


def check_consistency(parts: dict[str, Any], add: Add, raw_names: set[str]) -> dict[str, Any]:
    """Check cross-references; return `parts` with choice-list options resolved in the questions."""
    lists: dict[str, dict] = parts["choice_lists"]
    questions: Indexed = parts["questions"]
    resolved: Indexed = []
    for i, q in questions:
        resolved.append((i, _check_question(q, ("questions", i), lists, add)))
    parts["questions"] = resolved
    names = _check_unique_names(resolved, parts["derived"], parts["scales"], add)
    _check_expressions(parts, names, add, raw_names)
    _check_segment_groups(parts["segments"], add)
    _check_scales(parts["scales"], dict(_items(resolved)), add, raw_names)
    if parts.get("design") is not None:
        check_design(parts["design"], add)
    return parts


def _check_question(q: Question, path: tuple, lists: dict[str, dict], add: Add) -> Question:
    given = q.model_fields_set
    allowed = NOTE_KEYS if q.type == "note" else COMMON_KEYS | TYPE_KEYS[q.type]
    for key in sorted(given - allowed):
        add(path + (key,), "key-not-for-type",
            f"'{key}' does not apply to a {q.type} question '{q.name}'", key=True)
    if q.type in CHOICE_TYPES:
        if q.options is None:
            add(path, "missing-options", f"{q.type} question '{q.name}' needs 'options' "
                "(a mapping of code: label, or the name of a choice list)")
            return q
        if isinstance(q.options, str):
            if q.options not in lists:
                add(path + ("options",), "unknown-choice-list",
                    f"no choice list named '{q.options}'{suggest(q.options, lists)}")
                return q
            q = q.model_copy(update={"options": lists[q.options], "choice_list": q.options})
        if not q.options:
            add(path + ("options",), "missing-options", f"'{q.name}' has an empty option list")
            return q
    _check_codes(q, path, add)
    _check_limits(q, path, add)
    return q


def _check_codes(q: Question, path: tuple, add: Add) -> None:
    codes = q.codes
    if not codes:
        return
    for key in ("other", "dont_know"):
        code = getattr(q, key)
        if code is not None and code not in codes:
            add(path + (key,), "unknown-code", f"'{key}: {code}' is not an option of '{q.name}'"
                f" (codes: {_list(codes)})")
    for j, code in enumerate(q.exclusive):
        if code not in codes:
            add(path + ("exclusive", j), "unknown-code",
                f"exclusive code {code} is not an option of '{q.name}'")
    for net_name, net in q.nets.items():
        for j, code in enumerate(net.codes):
            if code not in codes:
                add(path + ("nets", net_name, "codes", j), "unknown-code",
                    f"net '{net_name}' uses code {code}, which is not an option of '{q.name}'")
    if q.type in ("scale", "grid"):
        scored = [c for c in codes if c != q.dont_know]
        if not all(isinstance(c, int) for c in scored):
            add(path + ("options",), "scale-codes", f"a {q.type} question's options must have "
                "integer codes (1, 2, 3...) so that means can be computed")


def _check_limits(q: Question, path: tuple, add: Add) -> None:
    if q.type == "rank" and q.max_choices is None:
        add(path, "missing-key", f"rank question '{q.name}' needs 'max_choices' "
            "(how many options are ranked)")
    if q.min_choices is not None and q.max_choices is not None and q.min_choices > q.max_choices:
        add(path + ("min_choices",), "bad-limits",
            f"min_choices ({q.min_choices}) is larger than max_choices ({q.max_choices})")
    if q.max_choices is not None and q.codes and q.max_choices > len(q.codes):
        add(path + ("max_choices",), "bad-limits", f"max_choices ({q.max_choices}) is larger "
            f"than the number of options ({len(q.codes)})")
    if q.type == "grid" and not q.items:
        add(path, "missing-key", f"grid question '{q.name}' needs 'items'")
    if q.type == "date":
        for key in ("min", "max"):
            value = getattr(q, key)
            if value is not None and not isinstance(value, date):
                add(path + (key,), "bad-value", f"'{key}' of a date question is a date such as "
                    "2026-01-31")
    elif q.type == "number":
        for key in ("min", "max"):
            if isinstance(getattr(q, key), date):
                add(path + (key,), "bad-value", f"'{key}' of a number question is a number")
    low, high = q.min, q.max
    if low is not None and high is not None and type(low) is type(high) and low > high:
        add(path + ("min",), "bad-limits", f"min ({low}) is larger than max ({high})")


def _items(questions: Indexed):
    """(name, (path, question-like)) for every answerable variable; grid items act as scales."""
    for i, q in questions:
        if q.type == "grid":
            for j, item in enumerate(q.items):
                yield item.name, (("questions", i, "items", j, "name"),
                                  q.model_copy(update={"name": item.name, "type": "scale"}))
        elif q.type != "note":
            yield q.name, (("questions", i, "name"), q)


def _check_unique_names(questions: Indexed, derived: Indexed, scales: Indexed, add: Add):
    seen: dict[str, tuple] = {}

    def claim(name: str, path: tuple) -> None:
        if name in seen:
            first = seen[name]
            add(path, "duplicate-name", f"the name '{name}' is already used "
                f"({'/'.join(str(p) for p in first[:2])}); names must be unique")
        else:
            seen[name] = path

    for i, q in questions:
        claim(q.name, ("questions", i, "name"))
        for j, item in enumerate(q.items):
            claim(item.name, ("questions", i, "items", j, "name"))
    for i, d in derived:
        claim(d.name, ("derived", i, "name"))
    for i, s in scales:
        claim(s.name, ("scales", i, "name"))
    return seen


def _check_expressions(parts: dict[str, Any], names: dict[str, tuple], add: Add,
                       raw_names: set[str]) -> None:
    questions: Indexed = parts["questions"]
    variables: dict[str, Any] = {}
    order: dict[str, int] = {}
    for position, (name, (_, q)) in enumerate(_items(questions)):
        variables[name] = q
        order[name] = position
    for i, q in questions:
        path = ("questions", i)
        mine = [n for n, (p, _) in _items([(i, q)])]
        first = min((order[n] for n in mine), default=len(order))
        earlier = {n: v for n, v in variables.items() if order[n] < first}
        if q.relevant is not None:
            _check(q.relevant, path + ("relevant",), earlier, add, raw_names, "relevant",
                   later=variables, question=q.name)
        if q.constraint is not None:
            scope = {**earlier, **{n: variables[n] for n in mine}}
            _check(q.constraint, path + ("constraint",), scope, add, raw_names, "constraint",
                   later=variables, question=q.name)
    for i, d in parts["derived"]:
        _check_derived(d, ("derived", i), variables, add, raw_names)
        variables[d.name] = d
    for name, segment in parts["segments"].items():
        _check(segment.where, ("segments", name, "where"), variables, add, raw_names, "where")


def _check_derived(d: Derived, path: tuple, variables: dict[str, Any], add: Add,
                   raw_names: set[str]) -> None:
    if (d.expr is None) == (not d.cases):
        add(path, "derived-form", f"derived variable '{d.name}' needs either 'expr' or "
            "'cases' (with 'options'), not both")
        return
    if d.expr is not None:
        if d.options is not None:
            add(path + ("options",), "derived-form", f"'options' of derived '{d.name}' needs "
                "'cases' that say which option each respondent gets")
        _check(d.expr, path + ("expr",), variables, add, raw_names, "expr")
        return
    if not d.options:
        add(path, "derived-form", f"derived variable '{d.name}' with 'cases' needs 'options'")
    for j, case in enumerate(d.cases):
        _check(case.when, path + ("cases", j, "when"), variables, add, raw_names, "when")
        if d.options and case.value not in d.options:
            add(path + ("cases", j, "value"), "unknown-code", f"case value {case.value} is not "
                f"an option of '{d.name}' (codes: {_list(d.options)})")


def _check(source: str, path: tuple, scope: dict[str, Any], add: Add, raw_names: set[str],
           what: str, *, later: dict[str, Any] | None = None, question: str | None = None) -> None:
    try:
        expr = parse(source)
    except ExpressionError as error:
        add(path, "bad-expression", f"{what}: {error.message}", offset=error.offset)
        return
    offsets = dict(expr.name_offsets)
    for name in sorted(expr.names, key=lambda n: offsets.get(n, 0)):
        if name in scope:
            continue
        at = offsets.get(name)
        if later is not None and name in later:
            add(path, "refers-to-later", f"{what} of '{question}' refers to '{name}', which is "
                "not asked before it; skip logic can only use earlier answers", offset=at)
        elif name not in raw_names:
            add(path, "unknown-name", f"{what} names '{name}', which is not a question or "
                f"derived variable{suggest(name, scope)}", offset=at)
    _check_codes_used(expr, path, scope, add, what)


def _check_codes_used(expr: Expression, path: tuple, scope: dict[str, Any], add: Add,
                      what: str) -> None:
    offsets = dict(expr.name_offsets)
    for name, code in expr.selected_codes:
        target = scope.get(name)
        if isinstance(target, Question):
            if target.type not in SET_TYPES:
                add(path, "not-a-set", f"{what}: selected() needs a multi or rank question, and "
                    f"'{name}' is a {target.type} question; compare it with == instead",
                    offset=offsets.get(name))
            elif code not in target.codes:
                add(path, "unknown-code", f"{what}: '{name}' has no option {code!r} "
                    f"(codes: {_list(target.codes)})", offset=offsets.get(name))
    for name in expr.count_selected_names:
        target = scope.get(name)
        is_set = isinstance(target, Question) and target.type in SET_TYPES
        if target is not None and not is_set:
            add(path, "not-a-set", f"{what}: count_selected() needs a multi or rank question, "
                f"and '{name}' is not one", offset=offsets.get(name))
    for name, literal in expr.compared_codes:
        target = scope.get(name)
        codes = _codes_of(target)
        if isinstance(target, Question) and target.type in SET_TYPES:
            add(path, "compare-set", f"{what}: '{name}' is a {target.type} question; use "
                f"selected({name}, {literal!r}) instead of comparing it", offset=offsets.get(name))
        elif codes and literal not in codes:
            add(path, "unknown-code", f"{what}: '{name}' has no option {literal!r} "
                f"(codes: {_list(codes)})", offset=offsets.get(name))


def _codes_of(target: Any) -> list:
    if isinstance(target, Question) and target.type in ("single", "scale"):
        return target.codes
    if isinstance(target, Derived) and target.options:
        return list(target.options)
    return []


def _check_scales(scales: Indexed, items: dict[str, tuple[tuple, Question]], add: Add,
                  raw_names: set[str]) -> None:
    for i, scale in scales:
        path = ("scales", i)
        codes = None
        for j, name in enumerate(scale.items):
            found = items.get(name)
            if found is None and name in raw_names:
                continue
            if found is None:
                add(path + ("items", j), "unknown-name", f"scale '{scale.name}' item '{name}' is "
                    f"not a question or grid item{suggest(name, items)}")
                continue
            q = found[1]
            if q.type != "scale":
                add(path + ("items", j), "not-a-rating", f"scale '{scale.name}' item '{name}' is "
                    f"a {q.type} question; scale items are scale questions or grid items")
                continue
            if codes is None:
                codes = q.codes
            elif q.codes != codes:
                add(path + ("items", j), "scale-codes", f"scale '{scale.name}' item '{name}' has"
                    f" other options ({_list(q.codes)}) than the first item ({_list(codes)})")
        for j, name in enumerate(scale.reverse):
            if name not in scale.items:
                add(path + ("reverse", j), "unknown-name", f"reverse-keyed '{name}' is not an "
                    f"item of scale '{scale.name}'")
        if scale.min_answered is not None and not 1 <= scale.min_answered <= len(scale.items):
            add(path + ("min_answered",), "bad-limits", f"scale '{scale.name}': min_answered "
                f"is {scale.min_answered}, but the scale has {len(scale.items)} items; give 1 to "
                f"{len(scale.items)} (the items a respondent must answer to have a score)")


def _list(codes) -> str:
    return ", ".join(str(c) for c in codes)


__all__ = ["check_consistency", "Segment", "Scale"]


def _check_segment_groups(segments: dict[str, Segment], add: Add) -> None:
    """A group names two segments or more, and is no segment's own name."""
    members: dict[str, list[str]] = {}
    for name, segment in segments.items():
        if segment.group:
            members.setdefault(segment.group, []).append(name)
    for group, names in members.items():
        if group in segments:
            add(("segments", names[0], "group"), "group-is-a-segment", f"group '{group}' is "
                "also a segment's name; name the group otherwise")
        elif len(names) == 1:
            add(("segments", names[0], "group"), "group-of-one", f"group '{group}' has only "
                f"the segment '{names[0]}'; a group holds segments that do not overlap, such "
                "as cohorts: give the others the same group, or leave it out")

