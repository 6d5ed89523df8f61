"""The Wald forms of R's svychisq and the design-based residuals of a table's cells, against R
(fixtures made by tests/fixtures/r/quantile_reference.R), to a relative 1e-6."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_design_against_r import DESIGNS
from test_quantiles_against_r import reference

from analysis.design import significance
from analysis.design.sample_design import Design
from analysis.design.wald import design_residuals, residuals, wald, wald_test

HERE = Path(__file__).parent / "fixtures" / "r"
TABLES = [("apisrs", "sch.wide+stype"), ("apistrat", "sch.wide+stype"),
          ("apistrat", "awards+stype"), ("apiclus1", "sch.wide+stype"),
          ("apiclus2", "sch.wide+stype"), ("worker", "cat5+segment"), ("worker", "q__1+segment")]


@cache
def load(dataset: str) -> Design:
    data = pd.read_csv(HERE / f"{dataset}.csv", dtype={"cat5": "Int64", "q__1": "Int64"})
    return Design.build(data, **DESIGNS[dataset])


def theirs(dataset: str, analysis: str, key: str) -> pd.DataFrame:
    r = reference()
    r = r[(r.dataset == dataset) & (r.analysis == analysis) & (r.variable == key)]
    assert len(r), (dataset, analysis, key)
    return r


@pytest.mark.parametrize(("dataset", "key"), TABLES)
@pytest.mark.parametrize("form", ["Wald", "adjWald"])
def test_wald_forms_equal_r_svychisq(dataset: str, key: str, form: str) -> None:
    row, column = key.split("+")
    test = wald_test(load(dataset), row, column, form=form)  # type: ignore[arg-type]
    r = theirs(dataset, f"svychisq_{form}", key).set_index("quantity")["value"]
    np.testing.assert_allclose([test.statistic, test.df, test.ddf, test.p],
                               [r["statistic"], r["ndf"], r["ddf"], r["p"]], rtol=1e-6)
    assert test.name == {"Wald": "wald-F", "adjWald": "adjusted-wald-F"}[form]


@pytest.mark.parametrize(("dataset", "key"), TABLES)
def test_design_residuals_equal_y_over_its_se_in_r(dataset: str, key: str) -> None:
    row, column = key.split("+")
    found = design_residuals(load(dataset), row, column)
    r = theirs(dataset, "design_residual", key)
    r = r[r.quantity == "residual"]
    ours = [found.loc[level, domain] for level, domain in zip(r.level, r.domain, strict=True)]
    np.testing.assert_allclose(ours, r.value, rtol=1e-6)


def test_descriptive_residuals_are_r_stdres_of_the_weighted_table() -> None:
    """What the banner calls adjusted_residual: Haberman's residuals of the weighted table
    scaled to the sample size, which is what svychisq's $stdres holds (no design in them)."""
    data = pd.read_csv(HERE / "apistrat.csv")
    table = data.pivot_table(index="awards", columns="stype", values="pw", aggfunc="sum")
    table = table / table.to_numpy().sum() * len(data)
    ours = significance.adjusted_residuals(table.to_numpy())
    r = theirs("apistrat", "svychisq_stdres", "awards+stype")
    expected = [ours[table.index.get_loc(a), table.columns.get_loc(b)]
                for a, b in zip(r.level, r.domain, strict=True)]
    np.testing.assert_allclose(expected, r.value, rtol=1e-6)


def test_a_two_by_two_srs_table_by_hand() -> None:
    """Independent simple random samples of two columns: Y_11 / se(Y_11) with the with-
    replacement variance of counts, and W = residual^2 for a 2 x 2 table (one df)."""
    counts = np.array([[30.0, 10.0], [20.0, 40.0]])  # rows: yes/no; columns: a, b
    n = counts.sum()
    # totals of (yes, no) per column with a multinomial covariance over the whole sample
    p = (counts / n).T.ravel()  # column-major: (a-yes, a-no, b-yes, b-no)
    v = n * (np.diag(p) - np.outer(p, p)) * n / (n - 1)
    theta = counts.T
    found = residuals(theta, v, np.eye(2), np.ones(2))
    test = wald(theta, v, np.eye(2), np.ones(2), degf=n - 1, form="Wald")
    assert found.shape == (2, 2)
    np.testing.assert_allclose(np.abs(found), np.abs(found[0, 0]))  # one df: one |residual|
    np.testing.assert_allclose(test.statistic, found[0, 0] ** 2, rtol=1e-12)
    y = counts[0, 0] - counts[0].sum() * counts[:, 0].sum() / n
    assert np.sign(found[0, 0]) == np.sign(y) == 1


def test_a_cell_that_cannot_vary_gives_no_statistic() -> None:
    theta = np.array([[5.0, 5.0], [5.0, 5.0]])
    test = wald(theta, np.zeros((4, 4)), np.eye(2), np.ones(2), degf=10)
    assert np.isnan(test.statistic) and np.isnan(test.p)
