"""Unweighted tests against scipy/statsmodels, column tests, and design errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.proportion import proportion_confint

from analysis.design import estimation, intervals, significance
from analysis.design.sample_design import Design, DesignError, LonelyPSUError

TABLE = np.array([[30, 12, 8], [22, 40, 18], [10, 15, 45]])


def test_pearson_matches_scipy_without_yates() -> None:
    res = significance.pearson_chisq(TABLE)
    x2, p, dof, expected = chi2_contingency(TABLE, correction=False)
    assert res.test.name == "pearson-chisq" and res.test.correction == "none"
    np.testing.assert_allclose([res.test.statistic, res.test.p, res.test.df], [x2, p, dof],
                               rtol=1e-12)
    np.testing.assert_allclose(res.expected, expected, rtol=1e-12)
    # 2x2: still no continuity correction
    small = TABLE[:2, :2]
    np.testing.assert_allclose(significance.pearson_chisq(small).test.statistic,
                               chi2_contingency(small, correction=False)[0], rtol=1e-12)


def test_adjusted_residuals_by_hand_and_statsmodels() -> None:
    res = significance.pearson_chisq(TABLE).adjusted_residuals
    n = TABLE.sum()
    r, c = TABLE.sum(1)[:, None], TABLE.sum(0)[None, :]
    e = r * c / n
    hand = (TABLE - e) / np.sqrt(e * (1 - r / n) * (1 - c / n))
    np.testing.assert_allclose(res, hand, rtol=1e-12)
    np.testing.assert_allclose(res, Table(TABLE).standardized_resids, rtol=1e-12)


def test_cramers_v() -> None:
    x2 = chi2_contingency(TABLE, correction=False)[0]
    assert significance.cramers_v(TABLE) == pytest.approx(np.sqrt(x2 / (TABLE.sum() * 2)))


def test_wilson_matches_statsmodels() -> None:
    counts, n = np.array([0, 3, 50, 99]), np.array([40, 40, 100, 100])
    ci = intervals.wilson(counts, n, level=0.9)
    lo, hi = proportion_confint(counts, n, alpha=0.1, method="wilson")
    np.testing.assert_allclose(ci.lower, lo, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ci.upper, hi, rtol=1e-10, atol=1e-12)


def test_srs_column_proportion_tests_letters() -> None:
    # row 0: column 0 (60%) vs column 1 (30%) vs column 2 (31%)
    counts = np.array([[120, 60, 62]])
    bases = np.array([200, 200, 200])
    res = significance.srs_column_proportion_tests(counts, bases, correction="bonferroni")
    assert res.name == "srs-column-proportions-z" and res.correction == "bonferroni"
    assert res.higher_than == (((1, 2), (), ()),)
    # pooled two-proportion z by hand for columns 0 and 1
    p = 180 / 400
    z = (0.6 - 0.3) / np.sqrt(p * (1 - p) * (2 / 200))
    row = res.pairs.query("column_a == 0 and column_b == 1").iloc[0]
    assert row.statistic == pytest.approx(z)
    assert row.p_adjusted == pytest.approx(min(1, 3 * row.p))
    masked = significance.srs_column_proportion_tests(counts, bases,
                                                      testable=np.array([True, False, True]))
    assert masked.higher_than == (((2,), (), ()),)


def _worker() -> Design:
    data = pd.read_csv(Path(__file__).parent / "fixtures" / "r" / "worker.csv")
    return Design.build(data, strata="stratum", cluster="cluster", weight="weight", fpc="fpc")


def test_design_column_tests_use_the_domain_covariance() -> None:
    d = _worker()
    flags = [f"q__{j}" for j in range(1, 7)]
    m = estimation.mean(d, flags, by="segment", covariance=True)
    res = significance.column_proportion_tests(m, correction="holm")
    assert res.name == "design-column-proportions-t" and res.alpha == 0.05
    row = res.pairs.query("row == 0 and column_a == 0 and column_b == 1").iloc[0]
    a, b = m.index(m.domains[0], "q__1"), m.index(m.domains[1], "q__1")
    v = m.vcov
    assert row.se == pytest.approx(np.sqrt(v[a, a] + v[b, b] - 2 * v[a, b]))
    assert len(res.higher_than) == 6 and all(len(r) == len(m.domains) for r in res.higher_than)
    for (i, a_, b_, diff, sig) in res.pairs[["row", "column_a", "column_b", "difference",
                                             "significant"]].itertuples(index=False):
        if sig:
            assert (b_ in res.higher_than[i][a_]) == (diff > 0)


def test_lonely_psu_fails_naming_the_stratum() -> None:
    data = pd.read_csv(Path(__file__).parent / "fixtures" / "r" / "worker_lonely.csv")
    d = Design.build(data, strata="stratum", cluster="cluster", weight="weight", fpc="fpc")
    with pytest.raises(LonelyPSUError, match="stratum s10 has only one PSU"):
        estimation.mean(d, "score")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"weight": "nope"}, "weight column 'nope' is not in the data"),
    ({"lonely_psu": "average"}, "lonely_psu must be one of"),
    ({"cluster": "c", "strata": "s"}, "not nested in strata"),
    ({"strata": "s", "fpc": "bad_fpc"}, "fpc varies within"),
    ({"weight": "zero"}, "value\\(s\\) <= 0"),
    ({"cluster": ["c", "c2"], "fpc": "f"}, "needs an fpc for both stages"),
])
def test_bad_designs_are_rejected(kwargs: dict[str, object], message: str) -> None:
    data = pd.DataFrame({"s": [1, 1, 2, 2], "c": [1, 2, 1, 2], "c2": [1, 1, 1, 1],
                         "f": [10, 10, 10, 10], "bad_fpc": [10, 11, 10, 10],
                         "zero": [1.0, 0.0, 1.0, 1.0]})
    with pytest.raises(DesignError, match=message):
        Design.build(data, **kwargs)  # type: ignore[arg-type]


def test_missing_values_without_na_rm_are_an_error() -> None:
    d = _worker()
    with pytest.raises(DesignError, match="score has missing values"):
        estimation.mean(d, "score", na_rm=False)


def test_results_are_immutable() -> None:
    m = estimation.mean(_worker(), "score", by="segment")
    with pytest.raises(ValueError):
        m.estimate[0, 0] = 1.0
    frame = m.to_frame()
    assert list(frame.columns) == ["domain", "variable", "estimate", "se", "deff", "n",
                                   "weighted_n", "df"]


def test_two_stages_without_fpc_use_the_first_stage_as_r_does() -> None:
    """svydesign(ids=~psu+ssu) with no fpc: only the PSUs enter the variance (R's multistage
    with infinite populations), so the estimate and SE equal the one-stage design's."""
    rng = np.random.default_rng(11)
    n = 400
    frame = pd.DataFrame({"stratum": rng.integers(0, 4, n), "psu": rng.integers(0, 20, n),
                          "ssu": rng.integers(0, 5, n), "w": rng.uniform(1, 3, n),
                          "y": rng.normal(size=n)})
    frame["psu"] += 100 * frame["stratum"]
    two = Design.build(frame, weight="w", strata="stratum", cluster=["psu", "ssu"])
    one = Design.build(frame, weight="w", strata="stratum", cluster="psu")
    got, want = estimation.mean(two, "y").to_frame(), estimation.mean(one, "y").to_frame()
    np.testing.assert_allclose(got[["estimate", "se"]], want[["estimate", "se"]], rtol=1e-12)
    with pytest.raises(DesignError, match="second-stage cluster column 'nope'"):
        Design.build(frame, weight="w", strata="stratum", cluster=["psu", "nope"])


@pytest.mark.parametrize("spec", [dict(weight="w", strata="s", cluster="c"),
                                  dict(strata="s", cluster=["c", "u"], fpc=["f1", "f2"]),
                                  dict(weight="w", strata="s")])
def test_two_means_from_unit_sums_equal_the_estimator_and_svyttest(spec) -> None:
    """significance.two_means on a Taylor design (three bincounts) gives what estimation.mean by
    the two groups and two_means_test give (the path a subclass of Design takes)."""

    class General(Design):
        pass

    rng = np.random.default_rng(3)
    n = 1200
    s = rng.integers(0, 4, n)
    c = s * 10 + rng.integers(0, 6, n)
    frame = pd.DataFrame({"s": s, "c": c, "u": c * 10 + rng.integers(0, 3, n),
                          "w": rng.uniform(0.5, 3, n), "f1": 40.0, "f2": 9.0})
    y = rng.normal(3, 1, n)
    y[rng.random(n) < 0.1] = np.nan
    group = np.where(rng.random(n) < 0.1, -1, rng.random(n) < 0.3).astype(np.int8)
    fast = significance.two_means(Design.build(frame, **spec), y, group)
    slow = significance.two_means(General.build(frame, **spec), y, group)
    np.testing.assert_allclose(fast.means, slow.means, rtol=1e-13)
    np.testing.assert_array_equal(fast.n, slow.n)
    assert fast.test.df == slow.test.df
    np.testing.assert_allclose([fast.test.statistic, fast.test.p],
                               [slow.test.statistic, slow.test.p], rtol=1e-10)
    with pytest.raises(DesignError, match="exactly two groups, got 1"):
        significance.two_means(Design.build(frame, **spec), y, np.zeros(n, np.int8))


@pytest.mark.parametrize("ids", [
    np.array([5, 3, 3, 9, 5], np.int32),
    np.array([-2**63, -2**63 + 5, -2**63], np.int64),  # offsets from the least still fit
    np.array([2**64 - 1, 3], np.uint64),  # uint64: factorized (offsets may not fit int64)
    np.array([1, 10**9, 1], np.int64),
    np.array([7], np.int8),
    np.array(["s02", "s01", "s02"], object),
    pd.Series([3, 1, 3], dtype="Int64"),
])
def test_ids_counted_get_the_codes_factorizing_gives(ids) -> None:
    """Integer strata and cluster ids are coded by counting (stages._counted_codes); the codes
    and labels are pandas' factorize(sort=True)'s, as for ids of every other kind."""
    from analysis.design.stages import codes_of

    codes, labels = codes_of(ids, "cluster")
    expected, uniques = pd.factorize(pd.Series(ids), sort=True)
    assert codes.tolist() == expected.tolist()
    assert labels == tuple(uniques.tolist())
    assert all(type(label) is type(uniques.tolist()[0]) for label in labels)
