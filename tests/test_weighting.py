"""Raking and post-stratification: impossible targets, invariants, key matching, immutability."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.weighting.common import (
    BoundsError,
    DesignWeightsError,
    EmptyCategoryError,
    MarginSumError,
    MissingValuesError,
    NegativeTargetError,
    NotConvergedError,
    UncoveredCategoryError,
    WeightingError,
    cells,
    kish_efficiency,
    weighting_design_effect,
)
from analysis.weighting.poststrat import poststratify
from analysis.weighting.raking import rake

FRAME = pd.DataFrame({
    "sex": [1, 1, 1, 2, 2, 2, 1, 2, 1, 2, 1, 1],
    "workplace": [1, 3, 5, 1, 3, 5, 3, 3, 1, 5, 5, 3],
    "weight": [1.0, 2.0, 1.5, 0.5, 1.0, 2.5, 1.2, 0.8, 1.1, 1.4, 0.9, 1.0],
})
TARGETS = {"sex": {1: 0.6, 2: 0.4}, "workplace": {1: 0.2, 3: 0.5, 5: 0.3}}
CELLS = pd.DataFrame({"sex": [1, 1, 1, 2, 2, 2], "workplace": [1, 3, 5, 1, 3, 5],
                      "share": [0.1, 0.3, 0.2, 0.1, 0.2, 0.1]})


def with_(frame: pd.DataFrame = FRAME, **columns) -> pd.DataFrame:
    return frame.assign(**columns)


# (id, call, error class, message fragment)
CATALOGUE = [
    ("target-category-without-respondents",
     lambda: rake(FRAME, {**TARGETS, "sex": {1: 0.5, 2: 0.3, 3: 0.2}}, weights="weight"),
     EmptyCategoryError, "'sex' category 3 has target 0.2 but no respondents"),
    ("respondent-category-without-target",
     lambda: rake(with_(sex=[1, 1, 1, 2, 2, 2, 1, 2, 1, 2, 1, 9]), TARGETS),
     UncoveredCategoryError, "'sex': 1 respondents have category 9, which has no target"),
    ("shares-not-summing-to-one",
     lambda: rake(FRAME, {**TARGETS, "workplace": {1: 0.2, 3: 0.5, 5: 0.2}}),
     MarginSumError, "'workplace' shares sum to 0.9, not 1"),
    ("totals-disagree",
     lambda: rake(FRAME, {"sex": {1: 60, 2: 40}, "workplace": {1: 20, 3: 50, 5: 31}},
                  kind="totals"),
     MarginSumError, "'sex' sums to 100 but 'workplace' to 101"),
    ("negative-target",
     lambda: rake(FRAME, {**TARGETS, "sex": {1: 1.1, 2: -0.1}}),
     NegativeTargetError, "'sex' category 2: target -0.1 must be a non-negative number"),
    ("zero-target-with-respondents",
     lambda: rake(FRAME, {**TARGETS, "sex": {1: 1.0, 2: 0.0}}),
     NegativeTargetError, "'sex' category 2: target is 0 but 5 respondents have it"),
    ("missing-values",
     lambda: rake(with_(sex=[1, None, 1, 2, 2, 2, 1, 2, None, 2, 1, 1]), TARGETS),
     MissingValuesError, "'sex' is missing for 2 of 12 respondents"),
    ("missing-in-categorical",
     lambda: rake(with_(sex=pd.Categorical([1, 1, 1, 2, 2, 2, 1, 2, 1, 2, 1, None])), TARGETS),
     MissingValuesError, "'sex' is missing for 1 of 12 respondents"),
    ("not-converged",
     lambda: rake(FRAME, TARGETS, weights="weight", bounds=(0.99, 1.01)),
     NotConvergedError, "raking did not converge in 100 iterations"),
    ("not-converged-names-gap",
     lambda: rake(FRAME, TARGETS, weights="weight", bounds=(0.99, 1.01)),
     NotConvergedError, "the bounds may be too tight"),
    ("unknown-variable",
     lambda: rake(FRAME, {"sexx": {1: 0.6, 2: 0.4}}),
     WeightingError, "no variable 'sexx' in the data; did you mean 'sex'?"),
    ("same-category-twice",
     lambda: rake(FRAME, {"sex": {1: 0.6, "1": 0.4}}),
     WeightingError, "'sex' lists the same category twice"),
    ("no-targets", lambda: rake(FRAME, {}), WeightingError, "no raking targets"),
    ("bad-design-weights",
     lambda: rake(with_(weight=[1.0, 0.0, 1, 1, 1, 1, 1, 1, 1, 1, -1, 1]), TARGETS,
                  weights="weight"),
     DesignWeightsError, "2 design weights are missing, zero or negative (first at row 1)"),
    ("design-weights-wrong-length",
     lambda: rake(FRAME, TARGETS, weights=np.ones(3)), DesignWeightsError,
     "3 design weights for 12 respondents"),
    ("weights-on-another-index",
     lambda: rake(FRAME, TARGETS, weights=FRAME.weight.set_axis(range(100, 112))),
     DesignWeightsError, "not on the data's index"),
    ("no-weight-column",
     lambda: rake(FRAME, TARGETS, weights="wt"), DesignWeightsError, "no design weight column"),
    ("total-with-totals",
     lambda: rake(FRAME, TARGETS, kind="totals", total=100.0), WeightingError,
     "total= applies to shares"),
    ("bad-kind", lambda: rake(FRAME, TARGETS, kind="counts"), WeightingError,
     "kind must be 'shares' or 'totals'"),
    ("bad-bounds", lambda: rake(FRAME, TARGETS, bounds=(1.2, 2.0)), WeightingError,
     "must satisfy 0 <= lower < 1 < upper"),
    ("bad-trim", lambda: rake(FRAME, TARGETS, trim=0.5), WeightingError,
     "must be a multiple above 1"),
    ("bad-trim-base", lambda: rake(FRAME, TARGETS, trim=3, trim_relative_to="mode"),
     WeightingError, "trim_relative_to must be 'median' or 'mean'"),
    ("bad-iterations", lambda: rake(FRAME, TARGETS, max_iterations=0), WeightingError,
     "max_iterations at least 1"),
    # post-stratification
    ("empty-cell",
     lambda: poststratify(with_(workplace=[1, 3, 5, 1, 3, 3, 3, 3, 1, 3, 5, 3]), CELLS),
     EmptyCategoryError, "'sex × workplace' category 'sex=2, workplace=5' has target 0.1 but "
     "no respondents"),
    ("cell-without-target",
     lambda: poststratify(FRAME, CELLS.iloc[:5].assign(share=[0.1, 0.3, 0.2, 0.1, 0.3])),
     UncoveredCategoryError, "2 respondents are in cell sex=2, workplace=5, which has no target"),
    ("value-in-no-cell",
     lambda: poststratify(with_(sex=[1, 1, 1, 2, 2, 2, 1, 2, 1, 2, 1, 7]), CELLS),
     UncoveredCategoryError, "1 respondents have value 7, which has no target"),
    ("cells-not-summing-to-one",
     lambda: poststratify(FRAME, CELLS.assign(share=CELLS.share * 2)),
     MarginSumError, "'sex × workplace' shares sum to 2"),
    ("cell-listed-twice",
     lambda: poststratify(FRAME, pd.concat([CELLS, CELLS.iloc[:1]])), WeightingError,
     "cell sex=1, workplace=1 is listed twice"),
    ("cells-without-share-column",
     lambda: poststratify(FRAME, CELLS.rename(columns={"share": "p"})), WeightingError,
     "needs a 'share' column"),
    ("cells-outside-bounds",
     lambda: poststratify(FRAME, CELLS, weights="weight", bounds=(0.9, 1.1)), BoundsError,
     "outside bounds (0.9, 1.1)"),
    ("several-margins-to-poststratify",
     lambda: poststratify(FRAME, TARGETS), WeightingError, "not 2 separate margins"),
]


@pytest.mark.parametrize("call, error, fragment", [c[1:] for c in CATALOGUE],
                         ids=[c[0] for c in CATALOGUE])
def test_impossible_targets_raise_named_errors(call, error, fragment):
    with pytest.raises(error) as raised:
        call()
    assert fragment in str(raised.value)


def test_errors_carry_margin_category_and_code():
    with pytest.raises(EmptyCategoryError) as raised:
        rake(FRAME, {**TARGETS, "sex": {1: 0.5, 2: 0.3, 3: 0.2}})
    assert (raised.value.margin, raised.value.category, raised.value.code) == (
        "sex", 3, "empty-category")
    with pytest.raises(NotConvergedError) as raised:
        rake(FRAME, TARGETS, weights="weight", bounds=(0.99, 1.01), max_iterations=5)
    report = raised.value.report
    assert report.iterations == 5 and not report.converged and report.max_abs_deviation > 1e-3


def test_codes_match_across_types():
    """YAML key 1 matches data 1, "1", 1.0 and Categorical category 1 (and "E" matches " E")."""
    expected = rake(FRAME, TARGETS, weights="weight").weights
    for sex in (FRAME.sex.astype(str), FRAME.sex.astype(float), pd.Categorical(FRAME.sex),
                pd.Categorical(FRAME.sex.astype(str)), FRAME.sex.astype("Int64")):
        got = rake(with_(sex=sex), TARGETS, weights="weight").weights
        np.testing.assert_allclose(got, expected, rtol=1e-12)
    strings = with_(sex=FRAME.sex.map({1: " M", 2: "F"}))
    got = rake(strings, {**TARGETS, "sex": {"M": 0.6, "F": 0.4}}, weights="weight").weights
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_result_is_immutable_and_input_untouched():
    before = FRAME.copy(deep=True)
    result = rake(FRAME, TARGETS, weights="weight", trim=1.5)
    pd.testing.assert_frame_equal(FRAME, before)
    with pytest.raises(ValueError):
        result.weights[0] = 5.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.weights = np.ones(12)  # type: ignore[misc]
    assert result.series(FRAME).index.equals(FRAME.index)


def test_report_describes_the_weights():
    result = rake(FRAME, TARGETS, weights="weight")
    report = result.report
    w = result.weights
    assert report.method == "raking" and report.converged and report.n == 12
    assert report.total == pytest.approx(FRAME.weight.sum())
    assert report.efficiency == pytest.approx(w.sum() ** 2 / (len(w) * (w**2).sum()))
    assert report.design_effect == pytest.approx(1 / report.efficiency)
    assert report.effective_n == pytest.approx(12 * report.efficiency)
    assert report.max_abs_deviation < 1e-8
    table = report.to_frame()
    assert list(table.margin) == ["sex"] * 2 + ["workplace"] * 3
    assert table.respondents.sum() == 24


def test_total_and_totals():
    shares = rake(FRAME, TARGETS, total=1000.0)
    totals = rake(FRAME, {v: {k: s * 1000 for k, s in m.items()} for v, m in TARGETS.items()},
                  kind="totals")
    np.testing.assert_allclose(shares.weights, totals.weights, rtol=1e-10)
    assert totals.report.total == pytest.approx(1000.0)


def test_trimming_caps_weights_and_keeps_total():
    raked = rake(FRAME, TARGETS, weights="weight")
    trimmed = rake(FRAME, TARGETS, weights="weight", trim=1.5, trim_relative_to="mean")
    assert trimmed.report.trimmed > 0
    assert trimmed.report.trim_cap == pytest.approx(1.5 * raked.weights.mean())
    assert trimmed.weights.max() <= trimmed.report.trim_cap + 1e-12
    assert trimmed.report.total == pytest.approx(raked.report.total)


def test_poststratify_one_variable_equals_rake_one_margin():
    one = {"workplace": TARGETS["workplace"]}
    np.testing.assert_allclose(poststratify(FRAME, one, weights="weight").weights,
                               rake(FRAME, one, weights="weight").weights, rtol=1e-12)


def test_kish_summaries():
    assert kish_efficiency(np.ones(5)) == pytest.approx(1.0)
    w = np.array([1.0, 2.0, 3.0, 6.0])
    cv2 = w.std() ** 2 / w.mean() ** 2
    assert weighting_design_effect(w) == pytest.approx(1 + cv2)
    assert kish_efficiency(w) == pytest.approx(1 / (1 + cv2))


@pytest.mark.parametrize("sizes, n", [([3, 4], 50), ([50, 50, 50], 500), ([60] * 11, 300)],
                         ids=["counted", "sorted", "overflow"])
def test_cells_group_rows_by_combination(sizes, n):
    rng = np.random.default_rng(5)
    codes = [rng.integers(0, s, n) for s in sizes]
    cell, per_variable = cells(codes, sizes)
    rows = list(zip(*codes, strict=True))
    occupied = list(zip(*per_variable, strict=True))
    assert len(set(occupied)) == len(occupied) == len(set(rows))
    assert [occupied[c] for c in cell] == rows


# ---------------------------------------------------------------------------------------------
# Properties: feasible targets are met, weights stay positive, raking twice changes nothing


@st.composite
def feasible_problems(draw):
    """Data containing every combination of categories (so any positive margins are feasible)."""
    sizes = draw(st.lists(st.integers(2, 4), min_size=1, max_size=3))
    extra = draw(st.integers(0, 60))
    grid = list(itertools.product(*[range(s) for s in sizes]))
    rows = grid + [tuple(draw(st.integers(0, s - 1)) for s in sizes) for _ in range(extra)]
    frame = pd.DataFrame(rows, columns=[f"v{j}" for j in range(len(sizes))])
    weights = np.array(draw(st.lists(st.floats(0.1, 10), min_size=len(rows),
                                     max_size=len(rows))))
    targets = {}
    for j, size in enumerate(sizes):
        raw = np.array(draw(st.lists(st.floats(0.05, 1), min_size=size, max_size=size)))
        targets[f"v{j}"] = {k: float(x) for k, x in enumerate(raw / raw.sum())}
    return frame, weights, targets


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feasible_problems())
def test_raking_meets_feasible_margins(problem):
    frame, weights, targets = problem
    result = rake(frame, targets, weights=weights, tolerance=1e-9, max_iterations=5000)
    w = result.weights
    assert np.all(w > 0)
    assert result.report.total == pytest.approx(weights.sum())
    for name, margin in targets.items():
        achieved = frame.assign(w=w).groupby(name).w.sum() / w.sum()
        for code, share in margin.items():
            assert achieved[code] == pytest.approx(share, abs=1e-8)
    again = rake(frame, targets, weights=w, tolerance=1e-9)
    assert again.report.iterations == 1
    np.testing.assert_allclose(again.weights, w, rtol=1e-6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feasible_problems())
def test_bounded_raking_respects_bounds_when_it_converges(problem):
    frame, weights, targets = problem
    try:
        result = rake(frame, targets, weights=weights, bounds=(0.3, 3.0), tolerance=1e-9,
                      max_iterations=2000)
    except NotConvergedError:
        return  # these bounds may be infeasible for the drawn targets
    low, high = result.report.factor_range
    assert 0.3 - 1e-9 <= low and high <= 3.0 + 1e-9
    assert result.report.max_abs_deviation < 1e-8


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feasible_problems(), st.floats(0.3, 0.9), st.floats(1.1, 3.0))
def test_bounded_raking_converges_whenever_the_bounds_are_feasible(problem, low, high):
    """Feasibility is a linear programme over cells; when tighter bounds are feasible, so are
    these, and raking must then find the (unique) bounded solution."""
    from scipy.optimize import linprog

    frame, weights, targets = problem
    names = list(targets)
    codes = [frame[n].to_numpy() for n in names]
    cell, per_variable = cells(codes, [len(targets[n]) for n in names])
    mass = np.bincount(cell, weights=weights * (1.0 / weights.sum()))
    rows = [mass * (c == k) for n, c in zip(names, per_variable, strict=True) for k in targets[n]]
    wanted = [targets[n][k] for n in names for k in targets[n]]
    slack = 0.02
    lp = linprog(np.zeros(len(mass)), A_eq=np.array(rows), b_eq=np.array(wanted),
                 bounds=[(low + slack, high - slack)] * len(mass))
    if lp.status != 0:
        return
    result = rake(frame, targets, weights=weights, bounds=(low, high), tolerance=1e-8,
                  max_iterations=20000)
    lo, hi = result.report.factor_range
    assert low - 1e-9 <= lo and hi <= high + 1e-9
