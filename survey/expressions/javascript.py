"""Compile expressions to JavaScript for the web form.

The compiled code reads answers through a runtime object ``S`` made by ``makeS(values, multi)``
from :data:`JS_RUNTIME`: ``values`` maps names to values (null or undefined when missing) and
``multi`` maps multi-select and rank questions to the array of selected codes, or null when
unanswered. Every operator goes through a helper of ``S`` so that the missing-value semantics of
:mod:`survey.expressions` hold exactly.
"""

from __future__ import annotations

import json

from survey.expressions import (
    Arithmetic,
    Call,
    Comparison,
    Expression,
    Literal,
    Logic,
    Membership,
    Name,
    Negate,
    Node,
    Not,
    Truth,
)

JS_RUNTIME = r"""
function makeS(values, multi) {
  values = values || {};
  multi = multi || {};
  const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
  const num = (v) => typeof v === "number" && isFinite(v);
  const str = (v) => typeof v === "string" && v !== "";
  const clean = (v) => (typeof v === "boolean" ? (v ? 1 : 0) : num(v) || str(v) ? v : null);
  const eq = (a, b) => ((num(a) && num(b)) || (str(a) && str(b))) && a === b;
  const arith = (f) => (a, b) => {
    if (!num(a) || !num(b)) return null;
    const r = f(a, b);
    return num(r) ? r : null;
  };
  const S = {
    v(name) {
      if (has(multi, name)) throw new Error(name + " is a multiple-choice question");
      return clean(values[name]);
    },
    sel(name, code) {
      if (!has(multi, name)) return eq(S.v(name), code);
      const chosen = multi[name];
      return chosen != null && chosen.some((c) => c === code);
    },
    cnt(name) {
      if (!has(multi, name)) return S.v(name) === null ? 0 : 1;
      return multi[name] == null ? 0 : new Set(multi[name]).size;
    },
    miss(name) {
      return has(multi, name) ? multi[name] == null : S.v(name) === null;
    },
    eq: eq,
    ne: (a, b) => a !== null && b !== null && !eq(a, b),
    lt: (a, b) => num(a) && num(b) && a < b,
    le: (a, b) => num(a) && num(b) && a <= b,
    gt: (a, b) => num(a) && num(b) && a > b,
    ge: (a, b) => num(a) && num(b) && a >= b,
    add: arith((a, b) => a + b),
    sub: arith((a, b) => a - b),
    mul: arith((a, b) => a * b),
    div: arith((a, b) => (b === 0 ? NaN : a / b)),
    mod: arith((a, b) => (b === 0 ? NaN : a % b)),
    neg: (a) => (num(a) ? -a : null),
    isin: (a, items) => items.some((b) => eq(a, b)),
    notin: (a, items) => a !== null && !items.some((b) => eq(a, b)),
    truth: (a) => num(a) && a !== 0,
  };
  return S;
}
"""

_HELPERS = {
    "==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge",
    "+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod",
}  # fmt: skip
_CALLS = {"selected": "sel", "count_selected": "cnt", "is_missing": "miss"}


def to_javascript(expr: Expression) -> str:
    """A JavaScript expression over the runtime object ``S``."""
    return _js(expr.root)


def _literal(value: int | float | str | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    text = repr(float(value)) if isinstance(value, float) else str(value)
    return f"({text})" if text.startswith("-") else text


def _js(node: Node) -> str:
    if isinstance(node, Literal):
        return _literal(node.value)
    if isinstance(node, Name):
        return f"S.v({json.dumps(node.name)})"
    if isinstance(node, Negate):
        return f"S.neg({_js(node.operand)})"
    if isinstance(node, Arithmetic | Comparison):
        return f"S.{_HELPERS[node.op]}({_js(node.left)}, {_js(node.right)})"
    if isinstance(node, Membership):
        items = ", ".join(_literal(item.value) for item in node.items)
        helper = "notin" if node.negated else "isin"
        return f"S.{helper}({_js(node.operand)}, [{items}])"
    if isinstance(node, Logic):
        joiner = " && " if node.op == "and" else " || "
        return "(" + joiner.join(_js(operand) for operand in node.operands) + ")"
    if isinstance(node, Not):
        return f"!({_js(node.operand)})"
    if isinstance(node, Truth):
        return f"S.truth({_js(node.operand)})"
    assert isinstance(node, Call)
    args = [json.dumps(node.question.name)]
    if node.code is not None:
        args.append(_literal(node.code))
    return f"S.{_CALLS[node.function]}({', '.join(args)})"
