"""Quantiles and two-group quantile differences against R's survey package (fixtures made by
tests/fixtures/r/quantile_reference.R; R itself is not needed to run these tests).

Estimates and standard errors to a relative 1e-6, interval ends to 1e-4, on designs with strata,
clusters (one and two stages), fpc, weights and none, ties of values and of cumulative weights,
domains by svyby, and undefined interval ends (NaN in R and here)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.design.quantiles import _Sorted, probabilities, quantile, quantile_difference
from analysis.design.sample_design import Design, DesignError

HERE = Path(__file__).parent / "fixtures" / "r"
QS = [0.1, 0.25, 0.5, 0.75, 0.9]
DESIGNS = {
    "apisrs": ("apisrs", {}),
    "apisrs_w": ("apisrs", {"weight": "pw"}),
    "apistrat": ("apistrat", {"strata": "stype", "weight": "pw", "fpc": "fpc"}),
    "apiclus1": ("apiclus1", {"cluster": "dnum", "weight": "pw", "fpc": "fpc"}),
    "apiclus2": ("apiclus2", {"cluster": ["dnum", "snum"], "weight": "pw",
                              "fpc": ["fpc1", "fpc2"]}),
    "worker": ("worker", {"strata": "stratum", "cluster": "cluster", "weight": "weight",
                          "fpc": "fpc"}),
}
SEGMENT = {"apisrs": "stype", "apisrs_w": "stype", "apistrat": "sch.wide", "apiclus1": "stype",
           "apiclus2": "stype", "worker": "segment"}
VARIABLES = {k: ["api00", "enroll"] for k in DESIGNS} | {"worker": ["score", "pay"]}
TOLERANCE = {"value": 1e-6, "se": 1e-4, "ci_lower": 1e-4, "ci_upper": 1e-4}


@cache
def reference() -> pd.DataFrame:
    r = pd.read_csv(HERE / "quantile_reference.csv", keep_default_na=False, dtype=str)
    r["value"] = r["value"].astype(float)
    return r


@cache
def load(dataset: str) -> Design:
    file, spec = DESIGNS[dataset]
    data = pd.read_csv(HERE / f"{file}.csv")
    if file == "worker":  # as quantile_reference.R makes it
        data["pay"] = 1000 * data["score"] + 10 * data["cluster"].str[1:].astype(int)
        data["soe"] = data["segment"] == "soe"
    return Design.build(data, **spec)


def theirs(dataset: str, analysis: str, variable: str, quantity: str) -> pd.DataFrame:
    r = reference()
    r = r[(r.dataset == dataset) & (r.analysis == analysis) & (r.variable == variable)
          & (r.quantity == quantity)]
    assert len(r), (dataset, analysis, variable, quantity)
    return r


def ours_of(found, quantity: str) -> np.ndarray:
    return {"value": found.value, "se": found.se, "ci_lower": found.lower,
            "ci_upper": found.upper}[quantity]


CASES = [(ds, v, "svyquantile", 0.05) for ds in DESIGNS for v in VARIABLES[ds]] + [
    ("worker", "pay", "svyquantile_alpha0.1", 0.1)]


@pytest.mark.parametrize(("dataset", "variable", "analysis", "alpha"), CASES)
def test_whole_sample_equals_r_svyquantile(dataset, variable, analysis, alpha) -> None:
    found = quantile(load(dataset), variable, QS, alpha=alpha)
    assert found.domains == ("_total",)
    for quantity, rtol in TOLERANCE.items():
        r = theirs(dataset, analysis, variable, quantity)
        assert [float(x) for x in r.level] == QS
        np.testing.assert_allclose(ours_of(found, quantity)[0], r.value, rtol=rtol,
                                   err_msg=quantity)


@pytest.mark.parametrize(("dataset", "variable", "analysis", "alpha"), CASES)
def test_domains_equal_r_svyby_svyquantile(dataset, variable, analysis, alpha) -> None:
    found = quantile(load(dataset), variable, QS, by=SEGMENT[dataset], alpha=alpha)
    for quantity, rtol in TOLERANCE.items():
        r = theirs(dataset, analysis + "_by", variable, quantity)
        got = ours_of(found, quantity)
        mine = [got[found.domains.index(d), QS.index(float(q))] for d, q in zip(
            r.domain, r.level, strict=True)]
        np.testing.assert_allclose(mine, r.value, rtol=rtol, err_msg=quantity)


def test_fixtures_hold_the_hard_cases() -> None:
    """Undefined interval ends and exact hits of a cumulative weight are in the comparison."""
    r = reference()
    assert r[r.analysis.str.startswith("svyquantile")].value.isna().sum() >= 10
    d = load("apisrs")  # weights 1: p * 200 is a cumulative weight for every p asked
    found = quantile(d, "api00", [0.25], alpha=0.05)
    values = np.sort(pd.read_csv(HERE / "apisrs.csv")["api00"].to_numpy())
    assert found.value[0, 0] == values[49]  # the 50th value exactly, not the 51st


def test_quantile_rule_by_hand() -> None:
    """R's qrule "math" (values printed by R 4.1's survey:::qrule_math): an exact hit of a
    cumulative weight takes the lower value, else the next one; below the first cumulative
    weight R's `qs` starts from the first position and so returns the second value."""
    s = _Sorted.of(np.array([4.0, 1.0, 3.0, 2.0]), np.array([1.0, 1.0, 1.0, 1.0]))
    assert list(s.quantile(np.array([0.0, 0.1, 0.25, 0.3, 0.5, 0.75, 1.0]))) == \
        [2.0, 2.0, 1.0, 2.0, 2.0, 3.0, 4.0]
    weighted = _Sorted.of(np.array([10.0, 20.0, 30.0]), np.array([3.0, 1.0, 1.0]))
    assert list(weighted.quantile(np.array([0.5, 0.6, 0.7, 0.8]))) == [20.0, 10.0, 20.0, 20.0]


def test_bad_quantiles_and_variables_are_design_errors() -> None:
    d = load("apistrat")
    with pytest.raises(DesignError, match="between 0 and 1"):
        probabilities([0.5, 1.5])
    with pytest.raises(DesignError, match="not numeric"):
        quantile(d, "stype", 0.5)
    with pytest.raises(DesignError, match="no values"):
        quantile(d, pd.Series(np.nan, index=range(d.n)), 0.5)


DIFFERENCES = [("apistrat", "api00", "awards", 0.5), ("apiclus1", "api00", "sch.wide", 0.5),
               ("apiclus1", "enroll", "sch.wide", 0.25), ("worker", "pay", "soe", 0.5),
               ("worker", "score", "soe", 0.5)]


@pytest.mark.parametrize(("dataset", "variable", "group", "q"), DIFFERENCES)
def test_quantile_difference_equals_r(dataset, variable, group, q) -> None:
    found = quantile_difference(load(dataset), variable, group, q)
    r = reference()
    r = r[(r.dataset == dataset) & (r.analysis == "median_difference")
          & (r.variable == f"{variable}~{group}")]
    overall = r[r.domain == "_all"].set_index("quantity")["value"]
    ours = {"difference": found.difference, "se": found.se, "df": found.df,
            "t": found.statistic, "p": found.p}
    for key, value in ours.items():
        np.testing.assert_allclose(value, overall[key], rtol=1e-6, err_msg=key)
    groups = r[r.quantity == "value"].set_index("domain")["value"]
    assert [found.estimate, found.comparison] == list(groups)  # second level, then first


def test_shared_clusters_are_not_independent() -> None:
    """In a cluster sample both groups sit in the same schools: the covariance matters."""
    found = quantile_difference(load("apiclus1"), "api00", "sch.wide")
    independent = reference().query(
        "dataset == 'apiclus1' and analysis == 'median_difference' and quantity == "
        "'se_independent' and variable == 'api00~sch.wide'")["value"].iloc[0]
    assert found.se < 0.6 * independent
