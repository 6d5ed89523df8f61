"""Replicate-weight designs against R's survey package: JK1, JKn, BRR, Fay, bootstrap and
successive difference, each on the replicate weights R made and wrote out (fixtures made by
tests/fixtures/r/replicate_reference.R; R is not needed to run these tests)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.design import estimation, intervals, significance
from analysis.design.replicate_design import ReplicateDesign

HERE = Path(__file__).parent / "fixtures" / "r"
RTOL, ATOL = 1e-6, 1e-10

# What a user would write for each file: R's own defaults need no scale or rscales
SPECS = {
    "clus1_jk1": {"type": "JK1", "mse": False, "scale": "R"},
    "clus1_boot": {"type": "bootstrap", "mse": True, "scale": "R"},
    "strat_jkn": {"type": "JKn", "mse": False, "scale": "R", "rscales": "R"},
    "strat_fay": {"type": "Fay", "mse": True, "rho": 0.3},
    "strat_sdr": {"type": "SDR", "mse": True},
    "worker_brr": {"type": "BRR", "mse": False},
}
API = [name for name in SPECS if name != "worker_brr"]
CONTS = ["api00", "enroll"]
FACTORS = ["stype", "sch.wide", "awards"]


@cache
def reference() -> pd.DataFrame:
    r = pd.read_csv(HERE / "replicate_reference.csv", keep_default_na=False, dtype=str)
    r["value"] = r["value"].astype(float)
    return r


def ref(design: str, analysis: str, quantity: str, variable: str | None = None,
        domain: str | None = "_all", level: str | None = None) -> pd.Series:
    """The values asked for, indexed by what was left open: domain, else level, else variable."""
    r = reference()
    r = r[(r.design == design) & (r.analysis == analysis) & (r.quantity == quantity)]
    if variable is not None:
        r = r[r.variable == variable]
    if domain is not None:
        r = r[r.domain == domain]
    if level is not None:
        r = r[r.level == level]
    assert len(r), (design, analysis, quantity, variable, domain, level)
    index = "domain" if domain is None else "level" if level is None else "variable"
    if index == "level" and (r.level == "").all():
        index = "variable"
    return r.set_index(index)["value"]


def vcov_of(design: str, analysis: str, labels: list[str] | None = None) -> np.ndarray:
    """A covariance R wrote as rows "domain|name" x "domain|name", in the order of `labels`
    (ours: domain-major; R's svyby is name-major)."""
    r = reference()
    r = r[(r.design == design) & (r.analysis == analysis) & (r.quantity == "vcov")]
    square = r.pivot(index="variable", columns="level", values="value")
    labels = list(dict.fromkeys(r.variable)) if labels is None else labels
    return square.loc[labels, labels].to_numpy()


def labels_of(e: estimation.Estimates, names: list[str] | None = None) -> list[str]:
    """Our covariance's row labels as R writes them, "domain|name"."""
    names = list(e.variables) if names is None else names
    return [f"{'_all' if d == '_total' else d}|{v}" for d in e.domains for v in names]


def close_vcov(ours, theirs) -> None:
    """Covariances: relative to their largest entry (off-diagonal terms near 0 cancel)."""
    theirs = np.asarray(theirs, dtype=float)
    np.testing.assert_allclose(np.asarray(ours, dtype=float), theirs, rtol=RTOL,
                               atol=RTOL * np.abs(theirs).max())


def close(ours, theirs) -> None:
    np.testing.assert_allclose(np.asarray(ours, dtype=float).ravel(),
                               np.asarray(theirs, dtype=float).ravel(), rtol=RTOL, atol=ATOL)


@cache
def data(name: str) -> pd.DataFrame:
    frame = pd.read_csv(HERE / f"replicate_{name}.csv")
    for column in ("stype", "sch.wide", "awards", "segment"):
        if column in frame:
            frame[column] = frame[column].astype("category")
    return frame


@cache
def load(name: str, **changes) -> ReplicateDesign:
    spec = dict(SPECS[name.removesuffix("_default")]) | changes
    if spec.get("scale") == "R":
        spec["scale"] = ref(name, "design", "scale").iloc[0]
    if spec.get("rscales") == "R":
        spec["rscales"] = ref(name, "design", "rscales", level=None).to_numpy()
    return ReplicateDesign.build(data(name), weight="w", replicates="repw*", **spec)


@pytest.mark.parametrize("name", SPECS)
def test_scale_rscales_mse_and_degf_are_rs(name: str) -> None:
    d = load(name)
    close(d.rule.scale, ref(name, "design", "scale"))
    close(d.rule.rscales, ref(name, "design", "rscales", level=None))
    assert d.rule.mse == bool(ref(name, "design", "mse").iloc[0])
    assert d.degf == ref(name, "design", "degf").iloc[0]
    seg = "segment" if name == "worker_brr" else "stype"
    codes, labels, _ = estimation.domains(d, seg)
    close(d.domain_degf(codes, len(labels)),
          ref(name, "design", "degf", domain=None).drop("_all")[list(labels)])


@pytest.mark.parametrize("name", API)
def test_means_and_totals_with_covariance_and_deff(name: str) -> None:
    d = load(name)
    for statistic, fn in (("mean", estimation.mean), ("total", estimation.total)):
        e = fn(d, CONTS, covariance=True, deff=True)
        close(e.estimate, ref(name, statistic, "estimate")[CONTS])
        close(e.se, ref(name, statistic, "se")[CONTS])
        close(e.deff, ref(name, statistic, "deff")[CONTS])
        close_vcov(e.vcov, vcov_of(name, statistic, labels_of(e)))


@pytest.mark.parametrize("name", API)
@pytest.mark.parametrize("statistic", ["mean", "total"])
def test_domain_estimates_as_svyby(name: str, statistic: str) -> None:
    d = load(name)
    fn = estimation.mean if statistic == "mean" else estimation.total
    e = fn(d, "api00", by="stype", covariance=True)
    est = ref(name, f"by_{statistic}", "estimate", "api00", domain=None)
    close(e.estimate[:, 0], est[list(e.domains)])
    close(e.se[:, 0], ref(name, f"by_{statistic}", "se", "api00", None)[list(e.domains)])
    close_vcov(e.vcov, vcov_of(name, f"by_{statistic}", labels_of(e)))


@pytest.mark.parametrize("name", API)
@pytest.mark.parametrize("factor", FACTORS)
def test_proportions_and_counts(name: str, factor: str) -> None:
    d = load(name)
    shares = estimation.proportions(d, factor, deff=True)
    close(shares.estimate[0], ref(name, f"prop:{factor}", "estimate", level=None))
    close(shares.se[0], ref(name, f"prop:{factor}", "se", level=None))
    close(shares.deff[0], ref(name, f"prop:{factor}", "deff", level=None))
    counts = estimation.proportions(d, factor, counts=True)
    close(counts.estimate[0], ref(name, f"count:{factor}", "estimate", level=None))
    close(counts.se[0], ref(name, f"count:{factor}", "se", level=None))


@pytest.mark.parametrize("name", API)
@pytest.mark.parametrize("factor", ["sch.wide", "awards"])
def test_domain_proportions_with_their_covariance(name: str, factor: str) -> None:
    d = load(name)
    e = estimation.proportions(d, factor, by="stype", covariance=True)
    analysis = f"by_prop:{factor}"
    for j, level in enumerate(e.variables):
        key = f"{factor}{level}"
        close(e.estimate[:, j], ref(name, analysis, "estimate", key, None)[list(e.domains)])
        close(e.se[:, j], ref(name, analysis, "se", key, None)[list(e.domains)])
    # R orders svyby's covariance level-major within domain, as ours: domain d, level j at d*p+j
    close_vcov(e.vcov, vcov_of(name, analysis,
                               labels_of(e, [f"{factor}{level}" for level in e.variables])))


@pytest.mark.parametrize("name", API)
@pytest.mark.parametrize("factor", ["sch.wide", "awards"])
def test_logit_intervals_refit_under_each_replicate(name: str, factor: str) -> None:
    """svyciprop(method = "logit") on a replicate design: the interval of logit(p) has the
    variance of the replicates' logits, not the delta method's (they differ here by ~1e-3)."""
    d = load(name)
    theirs = reference()
    theirs = theirs[(theirs.design == name) & (theirs.analysis == "ciprop_logit")
                    & (theirs.variable == factor)]
    overall = estimation.proportions(d, factor)
    by = estimation.proportions(d, factor, by="stype")
    checked = 0
    for e in (overall, by):
        ci = intervals.proportion_interval(e, "logit")
        for j, level in enumerate(e.variables):
            for i, domain in enumerate(e.domains):
                row = theirs[(theirs.level == level)
                             & (theirs.domain == ("_all" if domain == "_total" else domain))]
                if row.empty:  # R's glm did not converge there (a replicate share of 0 or 1)
                    continue
                got = row.set_index("quantity")["value"]
                close([e.estimate[i, j], ci.lower[i, j], ci.upper[i, j]],
                      [got["estimate"], got["lower"], got["upper"]])
                checked += 1
    assert checked >= 4


@pytest.mark.parametrize("name", API)
@pytest.mark.parametrize("pair", [("sch.wide", "stype"), ("awards", "stype")])
def test_rao_scott_as_svychisq(name: str, pair: tuple[str, str]) -> None:
    d = load(name)
    key = "+".join(pair)
    f = significance.rao_scott(d, *pair, statistic="F")
    close([f.statistic, f.df, f.ddf, f.p],
          ref(name, "svychisq_F", "statistic", key).tolist()
          + [ref(name, "svychisq_F", q, key).iloc[0] for q in ("ndf", "ddf", "p")])
    c = significance.rao_scott(d, *pair, statistic="Chisq")
    close([c.statistic, c.df, c.p], [ref(name, "svychisq_Chisq", q, key).iloc[0]
                                     for q in ("statistic", "df", "p")])


@pytest.mark.parametrize("name", API)
def test_ratios_overall_and_by_domain(name: str) -> None:
    d = load(name)
    r = estimation.ratio(d, "api00", "api99")
    close([r.estimate[0, 0], r.se[0, 0]],
          [ref(name, "ratio", q, "api00").iloc[0] for q in ("estimate", "se")])
    r = estimation.ratio(d, "api00", "api99", by="stype")
    close(r.estimate[:, 0], ref(name, "ratio", "estimate", "api00", None)[list(r.domains)])
    close(r.se[:, 0], ref(name, "ratio", "se", "api00", None)[list(r.domains)])


@pytest.mark.parametrize("name, default", [("clus1_jk1_default", 14 / 15),
                                           ("clus1_boot_default", 1 / 49)])
def test_default_scales_are_svrepdesigns(name: str, default: float) -> None:
    """Without a scale: JK1 (R - 1) / R and bootstrap 1 / (R - 1), as svrepdesign sets them."""
    base = name.removesuffix("_default")
    d = ReplicateDesign.build(data(base), weight="w", replicates="repw*",
                              type=SPECS[base]["type"])
    close(d.rule.scale, ref(name, "design", "scale"))
    close(d.rule.scale, default)
    m = estimation.mean(d, CONTS)
    close(m.se, ref(name, "mean", "se")[CONTS])


def test_acs_is_rs_other_name_for_successive_difference() -> None:
    """R's type "ACS" is its "successive-difference" (4/R, centred as the mse option says)."""
    d = ReplicateDesign.build(data("strat_sdr"), weight="w", replicates="repw*", type="ACS")
    assert d.type == "SDR" and not d.rule.mse and d.rule.scale == 4 / 80
    assert ref("strat_acs", "design", "mse").iloc[0] == 0
    close(estimation.mean(d, CONTS).se, ref("strat_acs", "mean", "se")[CONTS])
    centred = load("strat_sdr")  # mse: centred on the full-sample estimate, as the Census Bureau
    assert not np.allclose(estimation.mean(centred, CONTS).se, estimation.mean(d, CONTS).se,
                           rtol=1e-9)


@pytest.mark.parametrize("name", ["clus1_jk1", "clus1_boot"])
def test_replicates_that_leave_a_domain_out_are_dropped_as_r_drops_them(name: str) -> None:
    """A domain inside one district has no weight in the replicates that leave the district out:
    its mean there is NaN. svyby drops those replicates from that domain's se only, and from
    every entry of the covariance (svrVar's na.omit on all replicates together)."""
    d = load(name)
    frame = data(name)
    first = frame["dnum"].iloc[0]
    grp = np.where(frame["dnum"] == first, "one",
                   np.where(frame["stype"] == "E", "E", "other"))
    e = estimation.mean(d, "api00", by=pd.Series(grp, name="grp"), covariance=True)
    assert np.isnan(e.replicates.values).any()  # the case is there
    analysis = "by_mean_one_district"
    close(e.estimate[:, 0], ref(name, analysis, "estimate", "api00", None)[list(e.domains)])
    close(e.se[:, 0], ref(name, analysis, "se", "api00", None)[list(e.domains)])
    close_vcov(e.vcov, vcov_of(name, analysis, labels_of(e)))
    assert not np.isclose(e.se[0, 0] ** 2, e.vcov[0, 0], rtol=1e-9)  # the two drops differ


@pytest.mark.parametrize("distinct", [True, False])
def test_degf_is_the_rank_of_each_domains_replicate_weights(distinct: bool) -> None:
    """R: qr(weights(subset, "analysis"))$rank - 1. The first 40 respondents share one pattern
    (rank 1), so the rank needs all rows: through the patterns when they are few (jackknife-like
    rows), directly when every row is its own (raked replicate weights)."""
    rng = np.random.default_rng(5)
    n, r = 1200, 10
    pattern = rng.integers(0, 6 if not distinct else n, n)
    factors = rng.uniform(0.5, 1.5, (n if distinct else 6, r))[pattern]
    factors[:40] = factors[0]
    factors[40:80, 7:] = 0.0  # a second domain of rank 7 at most
    w = rng.uniform(1, 3, n)
    d = ReplicateDesign.build(None, weight=w, replicates=factors * w[:, None], type="bootstrap")
    codes = np.where(np.arange(n) < 40, 0, np.where(np.arange(n) < 80, 1, 2))
    codes[200:] = np.where(np.arange(200, n) % 2 == 0, 0, 2)
    expected = [np.linalg.matrix_rank(d.replicates[codes == k]) - 1 for k in range(3)]
    assert list(d.domain_degf(codes, 3)) == expected
    assert d.degf == np.linalg.matrix_rank(d.replicates) - 1
