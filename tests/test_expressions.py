"""The expression language: what it rejects, what it means, and that every back-end agrees."""

from __future__ import annotations

import json
import math
import re
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.expressions import (
    JS_RUNTIME,
    ExpressionError,
    FrameEnvironment,
    evaluate,
    evaluate_row,
    parse,
    to_javascript,
    to_xpath,
)

etree = pytest.importorskip("lxml.etree")

# ---------------------------------------------------------------------------------------------
# What is rejected, with the construct named and the offset of the offending node.

REJECTED = [
    ("__import__('os')", "calling `__import__`", 0),
    ("_secret == 1", "names starting with _", 0),
    ("x.y", "attribute access", 0),
    ("a == 1 and x.y == 2", "attribute access", 11),
    ("x[0]", "subscripts", 0),
    ("open('f')", "calling `open`", 0),
    ("lambda: 1", "lambda", 0),
    ("f(x)", "calling `f`", 0),
    ("x if y else z", "conditional expressions", 0),
    ("[i for i in x]", "comprehensions", 0),
    ("x ** 2", "`**`", 0),
    ("1 + x // 2", "`//`", 4),
    ("{'a': 1}", "dict literals", 0),
    ("{1, 2}", "set literals", 0),
    ("x is None", "`is`", 0),
    ("x is not None", "`is not`", 0),
    ("selected(q)", "selected takes 2 argument(s)", 0),
    ("count_selected(q, 1)", "count_selected takes 1 argument(s)", 0),
    ("selected(1, 2)", "first argument of selected must be a question name", 9),
    ("selected(q, x)", "literal", 12),
    ("selected(q, 1.5)", "option code must be an integer or a string", 12),
    ("selected(q, code=1)", "keyword arguments", 17),
    ("is_missing(*q)", "starred arguments", 11),
    ("x ==", "invalid syntax", None),
    ("(y := 3)", "assignment expressions", 1),
    ("f'{x}' == 'a'", "f-strings", 0),
    ("x & 1", "bitwise `&`", 0),
    ("~x", "bitwise `~`", 0),
    ("x == None", "None is not allowed", 5),
    ("x in y", "right side of `in` must be a list", 5),
    ("x in [y]", "expected a literal", 6),
    ("x < 'abc'", "strings cannot be ordered", 4),
    ("x == ''", "empty string", 5),
    ("'a' + x > 1", "arithmetic on a string", 0),
    ("(x > 1) + 1 > 0", "condition cannot be used as a value", 1),
    ("x == True", "True/False cannot be compared", 5),
    ("x in [1, False]", "True/False cannot be in a list", 9),
    ("x.__class__", "attribute access", 0),
    ("selected", "is a function", 0),
    ("", "empty expression", 0),
    ("[1, 2]", "lists outside", 0),
    ("x == 1e999", "too large", 5),
    ("收入 > 1 and x.y", "attribute access", 11),
]


@pytest.mark.parametrize("source, fragment, offset", REJECTED)
def test_rejected(source, fragment, offset):
    with pytest.raises(ExpressionError) as caught:
        parse(source)
    assert fragment in caught.value.message
    if offset is not None:
        assert caught.value.offset == offset


def test_syntax_error_points_into_the_source():
    with pytest.raises(ExpressionError) as caught:
        parse("a == 1 and (b")
    assert 0 <= caught.value.offset <= len("a == 1 and (b")


@pytest.mark.parametrize(
    "source", ["a" + " + a" * 5000, "not " * 5000 + "x", "(" * 300 + ")" * 300]
)
def test_deep_nesting_is_an_expression_error(source):
    with pytest.raises(ExpressionError):
        parse(source)


def test_leading_spaces_and_newlines_keep_offsets():
    with pytest.raises(ExpressionError) as caught:
        parse("  a == 1 and\n x.y")
    assert caught.value.offset == 14


# ---------------------------------------------------------------------------------------------
# Facts about an expression that the questionnaire checks.


def test_names_codes_and_offsets():
    expr = parse("hukou_type in [1, 3] and 1 == nonfarm_6m and selected(concerns, 'income')")
    assert expr.names == {"hukou_type", "nonfarm_6m", "concerns"}
    assert expr.selected_codes == (("concerns", "income"),)
    assert expr.compared_codes == (("hukou_type", 1), ("hukou_type", 3), ("nonfarm_6m", 1))
    assert expr.name_offsets == {"hukou_type": 0, "nonfarm_6m": 30, "concerns": 54}
    assert parse(
        "count_selected(q) + count_selected(r) > count_selected(q)"
    ).count_selected_names == (
        "q",
        "r",
    )


def test_compared_codes_include_negatives_and_not_in():
    expr = parse("x != -9 and y not in ['a', 'b'] and z > 3")
    assert expr.compared_codes == (("x", -9), ("y", "a"), ("y", "b"))


@pytest.mark.parametrize(
    "source, boolean",
    [
        ("a == 1", True),
        ("a in [1]", True),
        ("not a", True),
        ("a and b", True),
        ("selected(q, 1)", True),
        ("is_missing(q)", True),
        ("1 < a < 5", True),
        ("True", True),
        ("migrant", False),
        ("2026 - birth_year", False),
        ("count_selected(q)", False),
        ("-a", False),
    ],
)
def test_is_boolean(source, boolean):
    assert parse(source).is_boolean() is boolean


def test_as_condition_makes_a_bare_value_a_condition():
    expr = parse("migrant").as_condition()
    assert expr.is_boolean()
    frame = pd.DataFrame({"migrant": pd.array([True, False, None], dtype="boolean")})
    assert evaluate(expr, FrameEnvironment(frame)).tolist() == [True, False, False]


# ---------------------------------------------------------------------------------------------
# Missing values, worked by hand on a small frame.

FRAME = pd.DataFrame(
    {
        "x": pd.array([1, 2, None, 0], dtype="Int64"),
        "y": [2.0, 0.0, 1.0, np.nan],
        "s": pd.Categorical(["a", None, "b", "a"]),
        "t": pd.Series(["a", "", None, "1"], dtype="string"),
        "c": pd.Categorical([3, 1, None, 3]),
        "m_1": [1, 0, np.nan, 0],
        "m_2": [1, 0, np.nan, 1],
        "r_a": [2, 0, np.nan, 0],
        "r_b": [1, 0, np.nan, 0],
    }
)
MULTI = {"m": {1: "m_1", 2: "m_2"}, "r": {"a": "r_a", "b": "r_b"}}
N = None

HAND = [
    ("x == 1", [True, False, False, False]),
    ("x != 1", [False, True, False, True]),
    ("not x == 1", [False, True, True, True]),
    ("x > 0", [True, True, False, False]),
    ("x in [1, 2]", [True, True, False, False]),
    ("x not in [1, 2]", [False, False, False, True]),
    ("x + y", [3.0, 2.0, N, N]),
    ("x / y", [0.5, N, N, N]),
    ("x % y", [1.0, N, N, N]),
    ("-7 % (x + 1)", [-1.0, -1.0, N, 0.0]),
    ("x / y > 0 or is_missing(y)", [True, False, False, True]),
    ("x", [1.0, 2.0, N, 0.0]),
    ("not x", [False, False, True, True]),
    ("s == 'a'", [True, False, False, True]),
    ("s != 'a'", [False, False, True, False]),
    ("s != 1", [True, False, True, True]),
    ("s == 1", [False, False, False, False]),
    ("s < x", [False, False, False, False]),
    ("t == '1'", [False, False, False, True]),
    ("t == 1", [False, False, False, False]),
    ("is_missing(t)", [False, True, True, False]),
    ("c == 3", [True, False, False, True]),
    ("c in [1, 3] and c != 1", [True, False, False, True]),
    ("selected(c, 3)", [True, False, False, True]),
    ("count_selected(c)", [1.0, 1.0, 0.0, 1.0]),
    ("selected(m, 2)", [True, False, False, True]),
    ("count_selected(m)", [2.0, 0.0, 0.0, 1.0]),
    ("is_missing(m)", [False, False, True, False]),
    ("selected(r, 'a') and not selected(r, 'b')", [False, False, False, False]),
    ("count_selected(r) == 2", [True, False, False, False]),
    ("1 <= x < 2", [True, False, False, False]),
]


@pytest.mark.parametrize("source, expected", HAND)
def test_missing_semantics_by_hand(source, expected):
    expr = parse(source)
    result = evaluate(expr, FrameEnvironment(FRAME, MULTI))
    assert result.dtype == (bool if expr.is_boolean() else np.float64)
    assert [None if isinstance(v, float) and math.isnan(v) else v for v in result] == expected
    rows = [_row_values(FRAME, MULTI, i) for i in range(len(FRAME))]
    assert [evaluate_row(expr, values, multi) for values, multi in rows] == expected


def _row_values(frame, multi, i):
    values = {
        name: frame[name].astype(object).iloc[i]
        for name in frame.columns
        if not any(name in block.values() for block in multi.values())
    }
    chosen = {}
    for question, block in multi.items():
        cells = {code: frame[column].iloc[i] for code, column in block.items()}
        answered = not all(pd.isna(v) for v in cells.values())
        chosen[question] = [c for c, v in cells.items() if v > 0] if answered else None
    return values, chosen


@pytest.mark.parametrize(
    "source, message",
    [
        ("nope == 1", "unknown variable 'nope'"),
        ("m == 1", "multiple-choice question"),
        ("selected(m, 9)", "has no option 9"),
    ],
)
def test_evaluation_errors_are_located(source, message):
    with pytest.raises(ExpressionError, match=message) as caught:
        evaluate(parse(source), FrameEnvironment(FRAME, MULTI))
    assert caught.value.offset == 0
    if "option" not in message:  # the row evaluator is not told the options
        with pytest.raises(ExpressionError, match=message):
            evaluate_row(parse(source), {"x": 1}, {"m": None})


def test_string_result_and_index_are_kept():
    frame = pd.DataFrame({"s": ["a", None]}, index=[10, 20])
    result = evaluate(parse("s"), FrameEnvironment(frame))
    assert list(result.index) == [10, 20]
    assert result.iloc[0] == "a" and pd.isna(result.iloc[1])


def test_mixed_object_column_keeps_kinds():
    frame = pd.DataFrame({"v": pd.Series([1, "1", None, 2.5, True], dtype=object)})
    result = evaluate(parse("v == 1"), FrameEnvironment(frame))
    assert result.tolist() == [True, False, False, False, True]


def test_xpath_examples():
    kinds = {"a": "number", "s": "text", "m": "multi"}.get
    assert to_xpath(parse("a != 1"), kinds) == "(${a} != '' and not(number(${a}) = 1))"
    assert to_xpath(parse("is_missing(m)"), kinds) == "(count-selected(${m}) = 0)"
    assert to_xpath(parse("selected(m, 'income')"), kinds) == "selected(${m}, 'income')"
    assert to_xpath(parse("a == 0.00001"), kinds) == "(number(${a}) = 0.00001)"
    assert to_xpath(parse('s == "it\'s"')) == '${s} = "it\'s"'.join("()")


# ---------------------------------------------------------------------------------------------
# Property-based: pandas, one row, JavaScript and XPath agree on random expressions and data.

NUMBERS = ["0", "1", "2", "3", "0.5", "1.5", "-2", "-0.25"]
STRINGS = ["'x'", "'y'", "'income'"]
CODES = [1, 2, 3, 4, "x"]

numeric = st.recursive(
    st.sampled_from(
        ["a", "b", "s", "count_selected(m)", "count_selected(a)", "count_selected(s)", *NUMBERS]
    ),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from("+-*/%"), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda e: f"-({e})"),
    ),
    max_leaves=4,
)
anything = st.one_of(numeric, st.sampled_from(STRINGS))
literal_lists = st.lists(st.sampled_from(NUMBERS + STRINGS), min_size=0, max_size=3)
atoms = st.one_of(
    st.tuples(anything, st.sampled_from(["==", "!="]), anything).map(" ".join),
    st.tuples(numeric, st.sampled_from(["<", "<=", ">", ">="]), numeric).map(" ".join),
    st.tuples(
        numeric, st.sampled_from(["<", "<="]), numeric, st.sampled_from(["<", ">="]), numeric
    ).map(" ".join),
    st.tuples(anything, st.sampled_from(["in", "not in"]), literal_lists).map(
        lambda t: f"{t[0]} {t[1]} [{', '.join(t[2])}]"
    ),
    st.sampled_from(CODES).map(lambda code: f"selected(m, {code!r})"),
    st.sampled_from(["selected(s, 'x')", "selected(a, 2)", "True", "False"]),
    st.sampled_from("absm").map(lambda name: f"is_missing({name})"),
    numeric,  # a value used as a condition
)
conditions = st.recursive(
    atoms,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(
            lambda t: "({} {} {})".format(*t)
        ),
        inner.map(lambda e: f"not ({e})"),
    ),
    max_leaves=5,
)
sources = st.one_of(conditions, numeric)

rows = st.lists(
    st.fixed_dictionaries(
        {
            "a": st.none() | st.integers(-3, 5),
            "b": st.none() | st.sampled_from([0.0, 0.5, 1.5, -0.25, 2.0, 3.0, -2.0]),
            "s": st.none() | st.sampled_from(["x", "y", "income"]),
            "m": st.none() | st.lists(st.sampled_from(CODES), unique=True),
        }
    ),
    min_size=1,
    max_size=8,
)


def _same(expected, actual) -> bool:
    missing = (None, "undefined")
    if expected is None or actual in missing or (isinstance(actual, float) and math.isnan(actual)):
        return expected is None and (actual in missing or math.isnan(actual))
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    return expected == actual


def _frame(data, a_dtype, b_dtype, s_dtype, rank):
    frame = pd.DataFrame(
        {
            "a": pd.Series([r["a"] for r in data], dtype=object).astype(a_dtype),
            "b": pd.Series([r["b"] for r in data], dtype=object).astype(b_dtype),
            "s": pd.Series([r["s"] for r in data], dtype=object).astype(s_dtype),
        }
    )
    for code in CODES:
        column = []
        for r in data:
            if r["m"] is None:
                column.append(np.nan)
            elif code in r["m"]:
                column.append(r["m"].index(code) + 1 if rank else 1)
            else:
                column.append(0)
        frame[f"m_{code}"] = pd.Series(column, dtype="float64").astype("Int64")
    return frame, {"m": {code: f"m_{code}" for code in CODES}}


@settings(max_examples=300, deadline=None)
@given(
    source=sources,
    data=rows,
    a_dtype=st.sampled_from(["Int64", "float64", "object", "category"]),
    b_dtype=st.sampled_from(["float64", "Float64", "category"]),
    s_dtype=st.sampled_from(["object", "category", "string", "str"]),
    rank=st.booleans(),
)
def test_pandas_matches_row_evaluator(source, data, a_dtype, b_dtype, s_dtype, rank):
    expr = parse(source)
    frame, multi = _frame(data, a_dtype, b_dtype, s_dtype, rank)
    result = evaluate(expr, FrameEnvironment(frame, multi))
    assert result.dtype == bool if expr.is_boolean() else result.dtype in (np.float64, object)
    for r, actual in zip(data, result, strict=True):
        expected = evaluate_row(expr, {k: r[k] for k in "abs"}, {"m": r["m"]})
        assert _same(expected, actual.item() if hasattr(actual, "item") else actual), (r, actual)


@pytest.fixture(scope="module")
def node():
    script = Path(__file__).with_name("js_eval.mjs")
    process = subprocess.Popen(
        ["node", str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    process.stdin.write(json.dumps(JS_RUNTIME) + "\n")
    yield process
    process.stdin.close()
    process.wait(timeout=10)


def _run_js(node, code, data):
    request = {
        "code": code,
        "rows": [{"values": {k: r[k] for k in "abs"}, "multi": {"m": r["m"]}} for r in data],
    }
    node.stdin.write(json.dumps(request) + "\n")
    node.stdin.flush()
    return json.loads(node.stdout.readline())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=sources, data=rows)
def test_javascript_matches_row_evaluator(node, source, data):
    expr = parse(source)
    results = _run_js(node, to_javascript(expr), data)
    assert not isinstance(results, dict), results
    for r, actual in zip(data, results, strict=True):
        expected = evaluate_row(expr, {k: r[k] for k in "abs"}, {"m": r["m"]})
        assert _same(expected, actual), (to_javascript(expr), r, actual)


def test_javascript_examples(node):
    data = [
        {"a": 1, "b": None, "s": "x", "m": [1, "x"]},
        {"a": None, "b": 0.0, "s": None, "m": None},
    ]
    code = to_javascript(parse("a != 1 or selected(m, 'x') and count_selected(m) == 2"))
    assert _run_js(node, code, data) == [True, False]
    assert _run_js(node, to_javascript(parse("1 / b")), data) == [None, None]


def _register_odk_functions():
    functions = etree.FunctionNamespace(None)
    functions["selected"] = lambda _, value, code: code in str(value).split()
    functions["count-selected"] = lambda _, value: float(len(str(value).split()))
    functions["if"] = lambda _, condition, then, otherwise: then if condition else otherwise


XPATH_KINDS = {"a": "number", "b": "decimal", "s": "text", "m": "select_multiple"}.get


@pytest.mark.parametrize("kinds", [XPATH_KINDS, None], ids=["kinds", "unknown-kinds"])
@settings(max_examples=300, deadline=None)
@given(source=sources, data=rows)
def test_xpath_matches_row_evaluator(kinds, source, data):
    _register_odk_functions()
    expr = parse(source)
    compiled = to_xpath(expr, kinds)
    xpath = etree.XPath(re.sub(r"\$\{(\w+)\}", r"$\1", compiled))
    root = etree.Element("data")
    for r in data:
        # ODK stores every answer as a string, '' when unanswered; an empty multi is unanswered.
        chosen = r["m"] or None
        variables = {k: "" if r[k] is None else str(r[k]) for k in "abs"}
        variables["m"] = " ".join(str(code) for code in chosen or ())
        expected = evaluate_row(expr, {k: r[k] for k in "abs"}, {"m": chosen})
        assert _same(expected, _from_odk(xpath(root, **variables))), (compiled, r)


def _from_odk(result):
    """A bare variable comes back as its stored string: '' is missing, numbers are numbers."""
    if not isinstance(result, str):
        return result
    try:
        return float(result) if result else None
    except ValueError:
        return result
