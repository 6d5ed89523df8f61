"""Our design-based estimates against R's survey package (fixtures made by
tests/fixtures/r/make_reference.R; R itself is not needed to run these tests)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.design import estimation, intervals, significance
from analysis.design.sample_design import Design

HERE = Path(__file__).parent / "fixtures" / "r"
RTOL, ATOL = 1e-6, 1e-10

DESIGNS = {
    "apisrs": {},
    "apistrat": {"strata": "stype", "weight": "pw", "fpc": "fpc"},
    "apiclus1": {"cluster": "dnum", "weight": "pw", "fpc": "fpc"},
    "apiclus2": {"cluster": ["dnum", "snum"], "weight": "pw", "fpc": ["fpc1", "fpc2"]},
    "worker": {"strata": "stratum", "cluster": "cluster", "weight": "weight", "fpc": "fpc"},
}
SEGMENT = {"apisrs": "stype", "apistrat": "stype", "apiclus1": "stype", "apiclus2": "stype",
           "worker": "segment"}
CONTS = {k: ["api00", "enroll"] for k in DESIGNS} | {"worker": ["score"]}
FACTORS = {"apisrs": ["sch.wide", "awards"], "apistrat": ["stype", "sch.wide", "awards"],
           "apiclus1": ["stype", "sch.wide", "awards"],
           "apiclus2": ["stype", "sch.wide", "awards"], "worker": ["cat5"]}
FLAGS = [f"q__{j}" for j in range(1, 7)]


@cache
def reference() -> pd.DataFrame:
    r = pd.read_csv(HERE / "reference.csv", keep_default_na=False, dtype=str)
    r["value"] = r["value"].astype(float)
    return r


def ref(dataset: str, analysis: str, quantity: str, variable: str | None = None,
        domain: str = "_all", level: str | None = None) -> np.ndarray:
    r = reference()
    r = r[(r.dataset == dataset) & (r.analysis == analysis) & (r.quantity == quantity)
          & (r.domain == domain)]
    if variable is not None:
        r = r[r.variable == variable]
    if level is not None:
        r = r[r.level == level]
    assert len(r), (dataset, analysis, quantity, variable, domain, level)
    return r["value"].to_numpy()


def close(ours: np.ndarray | float, theirs: np.ndarray | float) -> None:
    np.testing.assert_allclose(np.asarray(ours, dtype=float).ravel(),
                               np.asarray(theirs, dtype=float).ravel(), rtol=RTOL, atol=ATOL)


@cache
def load(dataset: str, lonely: str = "fail") -> Design:
    file = "worker_lonely" if dataset.startswith("worker_lonely") else dataset
    data = pd.read_csv(HERE / f"{file}.csv", dtype={"cat5": "Int64"})
    if "cat5" in data:
        data["cat5"] = data["cat5"].astype("category")
    return Design.build(data, lonely_psu=lonely, **DESIGNS["worker" if file != dataset or
                                                            file == "worker_lonely"
                                                            else dataset])


@pytest.mark.parametrize("dataset", DESIGNS)
def test_degrees_of_freedom(dataset: str) -> None:
    d = load(dataset)
    assert d.degf == ref(dataset, "design", "degf")[0]
    m = estimation.mean(d, CONTS[dataset][:1], by=SEGMENT[dataset])
    seg_df = {s: ref(dataset, "design", "degf", domain=s)[0] for s in m.domains}
    # R's degf(subset(design, seg == s)) counts all rows of the segment, missing or not
    codes, labels, _ = estimation.domains(d, SEGMENT[dataset])
    close(d.domain_degf(codes, len(labels)), [seg_df[s] for s in labels])


@pytest.mark.parametrize("dataset", DESIGNS)
@pytest.mark.parametrize("statistic", ["mean", "total"])
def test_means_and_totals_of_several_variables(dataset: str, statistic: str) -> None:
    d = load(dataset)
    conts = CONTS[dataset]
    m = getattr(estimation, statistic)(d, conts, deff=True, covariance=True)
    close(m.estimate, ref(dataset, statistic, "estimate"))
    close(m.se, ref(dataset, statistic, "se"))
    close(m.deff, ref(dataset, statistic, "deff"))
    if statistic == "mean":
        close(m.vcov, [ref(dataset, "mean", "vcov", a, level=b) for a in conts for b in conts])
        ci = intervals.mean_interval(m)
        close(ci.lower, ref(dataset, "mean", "ci_t_lower"))
        close(ci.upper, ref(dataset, "mean", "ci_t_upper"))


@pytest.mark.parametrize("dataset", DESIGNS)
@pytest.mark.parametrize("statistic", ["mean", "total"])
def test_domain_estimates_keep_the_full_design(dataset: str, statistic: str) -> None:
    d = load(dataset)
    seg = SEGMENT[dataset]
    for v in CONTS[dataset]:
        m = getattr(estimation, statistic)(d, v, by=seg, deff=True, covariance=True)
        an = f"by_{statistic}"
        for k, s in enumerate(m.domains):
            close(m.estimate[k], ref(dataset, an, "estimate", v, domain=s))
            close(m.se[k], ref(dataset, an, "se", v, domain=s))
            close(m.deff[k], ref(dataset, an, "deff", v, domain=s))
        close(m.vcov, [ref(dataset, an, "vcov", f"{a}|{v}", level=f"{b}|{v}")
                       for a in m.domains for b in m.domains])


@pytest.mark.parametrize("dataset", DESIGNS)
def test_proportions_of_factors(dataset: str) -> None:
    d = load(dataset)
    for v in FACTORS[dataset]:
        p = estimation.proportions(d, v, deff=True)
        levels = list(p.variables)
        close(p.estimate, [ref(dataset, "prop", "estimate", v, level=lv) for lv in levels])
        close(p.se, [ref(dataset, "prop", "se", v, level=lv) for lv in levels])
        close(p.deff, [ref(dataset, "prop", "deff", v, level=lv) for lv in levels])
        c = estimation.proportions(d, v, counts=True, deff=True)
        close(c.estimate, [ref(dataset, "count", "estimate", v, level=lv) for lv in levels])
        close(c.se, [ref(dataset, "count", "se", v, level=lv) for lv in levels])
        close(c.deff, [ref(dataset, "count", "deff", v, level=lv) for lv in levels])


@pytest.mark.parametrize("dataset", DESIGNS)
def test_proportions_by_segment_with_covariance(dataset: str) -> None:
    d = load(dataset)
    seg = SEGMENT[dataset]
    for v in FACTORS[dataset]:
        p = estimation.proportions(d, v, by=seg, deff=True, covariance=True)
        an = f"by_prop:{v}"
        keys = [f"{v}{lv}" for lv in p.variables]
        for k, s in enumerate(p.domains):
            close(p.estimate[k], [ref(dataset, an, "estimate", key, domain=s) for key in keys])
            close(p.se[k], [ref(dataset, an, "se", key, domain=s) for key in keys])
            deff = [ref(dataset, an, "deff", key, domain=s)[0] for key in keys]
            ours = p.deff[k]
            fin = np.isfinite(deff)  # R gives NaN or Inf where a share is 0 in the domain
            close(ours[fin], np.asarray(deff)[fin])
        close(p.vcov, [ref(dataset, an, "vcov", f"{a}|{ka}", level=f"{b}|{kb}")
                       for a in p.domains for ka in keys for b in p.domains for kb in keys])


@pytest.mark.parametrize("dataset", DESIGNS)
@pytest.mark.parametrize("method", ["logit", "beta"])
def test_proportion_intervals(dataset: str, method: str) -> None:
    d = load(dataset)
    seg = SEGMENT[dataset]
    an = f"ciprop_{method}"
    for v in FACTORS[dataset]:
        for by in (None, seg):
            p = estimation.proportions(d, v, by=by)
            ci = intervals.proportion_interval(p, method)  # type: ignore[arg-type]
            for k, s in enumerate(p.domains):
                dom = "_all" if by is None else s
                for j, lv in enumerate(p.variables):
                    if not 0 < p.estimate[k, j] < 1 or p.se[k, j] < 1e-9:
                        continue  # degenerate: R's glm does not converge, R's beta gives 0.5
                    close(p.estimate[k, j], ref(dataset, an, "estimate", v, dom, lv))
                    close(ci.lower[k, j], ref(dataset, an, "lower", v, dom, lv))
                    close(ci.upper[k, j], ref(dataset, an, "upper", v, dom, lv))


@pytest.mark.parametrize("dataset", DESIGNS)
def test_rao_scott(dataset: str) -> None:
    d = load(dataset)
    keys = reference().query("dataset == @dataset and analysis == 'svychisq_F'").variable.unique()
    for key in keys:
        row, col = key.split("+")
        f = significance.rao_scott(d, row, col, statistic="F")
        assert f.name == "rao-scott-F"
        close([f.statistic, f.df, f.ddf, f.p],
              [ref(dataset, "svychisq_F", q, key)[0] for q in ("statistic", "ndf", "ddf", "p")])
        c = significance.rao_scott(d, row, col, statistic="Chisq")
        assert c.name == "rao-scott-chisq"
        close([c.statistic, c.df, c.p],
              [ref(dataset, "svychisq_Chisq", q, key)[0] for q in ("statistic", "df", "p")])


@pytest.mark.parametrize("dataset", DESIGNS)
def test_two_group_mean_difference(dataset: str) -> None:
    d = load(dataset)
    key = reference().query("dataset == @dataset and analysis == 'svyttest'").variable.iloc[0]
    y, group = (s.strip() for s in key.split("~"))
    if group == "soe":
        group = d.column("segment") == "soe"
    t = significance.mean_difference_test(d, y, group)
    close([t.statistic, t.df, t.estimate, t.p],
          [ref(dataset, "svyttest", q, key)[0] for q in ("statistic", "df", "estimate", "p")])


@pytest.mark.parametrize("dataset", [k for k in DESIGNS if k != "worker"])
def test_ratio(dataset: str) -> None:
    d = load(dataset)
    r = estimation.ratio(d, "api00", "api99", by=None)
    close([r.estimate[0, 0], r.se[0, 0]],
          [ref(dataset, "ratio", q, "api00")[0] for q in ("estimate", "se")])
    r = estimation.ratio(d, "api00", "api99", by=SEGMENT[dataset])
    for k, s in enumerate(r.domains):
        close([r.estimate[k, 0], r.se[k, 0]],
              [ref(dataset, "ratio", q, "api00", domain=s)[0] for q in ("estimate", "se")])


def test_multi_select_block_by_segment() -> None:
    d = load("worker")
    m = estimation.mean(d, FLAGS, deff=True)
    close(m.estimate, ref("worker", "flags", "estimate"))
    close(m.se, ref("worker", "flags", "se"))
    close(m.deff, ref("worker", "flags", "deff"))
    b = estimation.mean(d, FLAGS, by="segment", deff=True, covariance=True)
    for k, s in enumerate(b.domains):
        close(b.estimate[k], [ref("worker", "by_flags", "estimate", f, domain=s) for f in FLAGS])
        close(b.se[k], [ref("worker", "by_flags", "se", f, domain=s) for f in FLAGS])
        close(b.deff[k], [ref("worker", "by_flags", "deff", f, domain=s) for f in FLAGS])
    close(b.vcov, [ref("worker", "by_flags", "vcov", f"{a}|{fa}", level=f"{c}|{fc}")
                   for a in b.domains for fa in FLAGS for c in b.domains for fc in FLAGS])


@pytest.mark.parametrize("lonely", ["remove", "adjust", "certainty"])
def test_lonely_psu_options(lonely: str) -> None:
    d = load(f"worker_lonely_{lonely}", lonely)
    ds = f"worker_lonely_{lonely}"
    m = estimation.mean(d, "score", deff=True)
    close([m.estimate[0, 0], m.se[0, 0], m.deff[0, 0]],
          [ref(ds, "mean1", q)[0] for q in ("estimate", "se", "deff")])
    t = estimation.total(d, "score", deff=True)
    close([t.estimate[0, 0], t.se[0, 0], t.deff[0, 0]],
          [ref(ds, "total", q)[0] for q in ("estimate", "se", "deff")])
    b = estimation.mean(d, "score", by="segment", covariance=True)
    for k, s in enumerate(b.domains):
        close([b.estimate[k, 0], b.se[k, 0]],
              [ref(ds, "by_mean", q, "score", domain=s)[0] for q in ("estimate", "se")])
    f = estimation.mean(d, FLAGS)
    close(f.se, ref(ds, "flags", "se"))
