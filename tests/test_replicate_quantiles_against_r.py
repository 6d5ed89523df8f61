"""Quantiles on replicate-weight designs against R's survey package (fixtures made by
tests/fixtures/r/replicate_quantile_reference.R from the replicate weights that
replicate_reference.R wrote; R is not needed to run these tests).

svyquantile.svyrep.design's default (Woodruff intervals, the share's variance from the
replicates) and its interval.type "quantile" (the quantile recomputed under each replicate),
over the whole sample and by domain, on JK1, bootstrap, JKn, Fay, SDR and BRR designs; the
difference of two domain medians that median claims use. Estimates to a relative 1e-6,
standard errors and interval ends to 1e-4 (the issue's tolerance for quantile intervals)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_helpers import invoke
from test_quantiles_against_r import load as taylor
from test_quantiles_against_r import ours_of as ours
from test_replicate_against_r import SPECS, data, ref

from analysis.design.quantiles import quantile, quantile_difference
from analysis.design.replicate_design import ReplicateDesign
from analysis.design.sample_design import DesignError

HERE = Path(__file__).parent / "fixtures" / "r"
QS = [0.1, 0.25, 0.5, 0.75, 0.9]
SEGMENT = {name: "stype" for name in SPECS} | {"worker_brr": "segment"}
VARIABLES = {name: ["api00", "enroll"] for name in SPECS} | {"worker_brr": ["score", "pay"]}
TOLERANCE = {"value": 1e-6, "se": 1e-4, "ci_lower": 1e-4, "ci_upper": 1e-4}
INTERVAL = {"svyquantile": "woodruff", "svyquantile_rep": "replicates"}


@cache
def reference() -> pd.DataFrame:
    r = pd.read_csv(HERE / "replicate_quantile_reference.csv", keep_default_na=False, dtype=str)
    r["value"] = r["value"].astype(float)
    return r


@cache
def design(name: str) -> ReplicateDesign:
    spec = dict(SPECS[name])
    if spec.get("scale") == "R":
        spec["scale"] = ref(name, "design", "scale").iloc[0]
    if spec.get("rscales") == "R":
        spec["rscales"] = ref(name, "design", "rscales", level=None).to_numpy()
    frame = data(name).copy()
    if name == "worker_brr":  # as the R script makes it
        frame["pay"] = 1000 * frame["score"] + 10 * frame["cluster"].str[1:].astype(int)
        frame["soe"] = frame["segment"] == "soe"
    return ReplicateDesign.build(frame, weight="w", replicates="repw*", **spec)


def theirs(name: str, analysis: str, variable: str, quantity: str) -> pd.DataFrame:
    r = reference()
    r = r[(r.design == name) & (r.analysis == analysis) & (r.variable == variable)
          & (r.quantity == quantity)]
    assert len(r), (name, analysis, variable, quantity)
    return r


CASES = [(name, v, tag) for name in SPECS for v in VARIABLES[name] for tag in INTERVAL]


@pytest.mark.parametrize(("name", "variable", "analysis"), CASES)
def test_whole_sample_equals_r(name, variable, analysis) -> None:
    found = quantile(design(name), variable, QS, interval=INTERVAL[analysis])
    assert found.interval == INTERVAL[analysis]
    for quantity, rtol in TOLERANCE.items():
        r = theirs(name, analysis, variable, quantity)
        assert [float(x) for x in r.level] == QS
        np.testing.assert_allclose(ours(found, quantity)[0], r.value, rtol=rtol, err_msg=quantity)


@pytest.mark.parametrize(("name", "variable", "analysis"), CASES)
def test_domains_equal_r_svyby(name, variable, analysis) -> None:
    found = quantile(design(name), variable, QS, by=SEGMENT[name], interval=INTERVAL[analysis])
    for quantity, rtol in TOLERANCE.items():
        r = theirs(name, analysis + "_by", variable, quantity)
        expected = r.pivot(index="domain", columns="level", values="value")
        expected = expected.loc[list(found.domains), [str(q) for q in QS]].to_numpy()
        # NaN where R's interval end is undefined (the share's interval leaves [0, 1])
        np.testing.assert_array_equal(np.isnan(ours(found, quantity)), np.isnan(expected),
                                      err_msg=quantity)
        np.testing.assert_allclose(ours(found, quantity), expected, rtol=rtol, err_msg=quantity)


def test_the_fixtures_hold_undefined_ends_and_both_kinds_differ() -> None:
    """The comparison above can fail: some domain end is NaN in R, and the two kinds of
    interval give different standard errors."""
    r = reference()
    assert r[(r.analysis == "svyquantile_by") & (r.quantity == "se")].value.isna().any()
    a = quantile(design("worker_brr"), "pay", 0.5)
    b = quantile(design("worker_brr"), "pay", 0.5, interval="replicates")
    assert a.value[0, 0] == b.value[0, 0]
    assert abs(a.se[0, 0] - b.se[0, 0]) > 1e-3 * a.se[0, 0]


@pytest.mark.parametrize(("name", "variable", "groups"), [
    ("clus1_jk1", "api00", "sch.wide"), ("worker_brr", "pay", "soe"),
    ("worker_brr", "score", "soe")])
def test_median_difference_equals_r(name, variable, groups) -> None:
    key = f"{variable}~{groups}"
    r = reference()
    r = r[(r.design == name) & (r.analysis == "median_difference") & (r.variable == key)]
    got = {q: float(r[(r.domain == "_all") & (r.quantity == q)].value.iloc[0])
           for q in ("difference", "se", "df", "p")}
    d = quantile_difference(design(name), variable, groups)
    np.testing.assert_allclose(d.difference, got["difference"], rtol=1e-6)
    np.testing.assert_allclose(d.se, got["se"], rtol=1e-4)
    assert d.df == got["df"]
    np.testing.assert_allclose(d.p, got["p"], rtol=1e-4)


def test_replicate_intervals_need_replicate_weights() -> None:
    with pytest.raises(DesignError, match="replicate weights"):
        quantile(taylor("apistrat"), "api00", 0.5, interval="replicates")
    with pytest.raises(DesignError, match="woodruff or replicates"):
        quantile(design("worker_brr"), "pay", 0.5, interval="bootstrap")


# --- the banner, the command line and median claims on the BRR worker design ---------------

PAY_Q = Path(__file__).parent / "fixtures" / "questionnaires" / "worker_banner.yaml"
WITH_PAY = PAY_Q.read_text(encoding="utf-8").replace(
    "segments:", "  - {name: pay, type: number, label: {zh: 月收入, en: Monthly pay}}\n"
    "segments:", 1).replace("id: worker_banner", "id: worker_pay")


@cache
def worker():
    from survey.questionnaire.loader import parse_questionnaire
    from survey.responses.dataset import Responses

    frame = design("worker_brr").data
    r = Responses.from_raw(parse_questionnaire(WITH_PAY), frame.drop(columns=["soe"]))
    return r, ReplicateDesign.build(r.frame, weight="w", replicates="repw*", type="BRR")


@pytest.mark.parametrize("interval", ["woodruff", "replicates"])
def test_banner_quantiles_equal_r_svyby(interval) -> None:
    from analysis.banner.build import banner

    r, d = worker()
    analysis = {v: k for k, v in INTERVAL.items()}[interval]
    b = banner(r, "pay", ["segment"], design=d, quantiles=QS, quantile_interval=interval)
    found = b.quantiles.set_index(["by", "col", "q"])
    for quantity, column in (("value", "value"), ("se", "se"), ("ci_lower", "ci_low"),
                             ("ci_upper", "ci_high")):
        by = theirs("worker_brr", analysis + "_by", "pay", quantity)
        got = [found.loc[("segment", s, float(q)), column] for s, q in
               zip(by.domain, by.level, strict=True)]
        np.testing.assert_allclose(got, by.value, rtol=TOLERANCE[quantity], err_msg=quantity)
        total = theirs("worker_brr", analysis, "pay", quantity)
        got = [found.loc[("_total", "_total", float(q)), column] for q in total.level]
        np.testing.assert_allclose(got, total.value, rtol=TOLERANCE[quantity], err_msg=quantity)
    assert b.to_json()["test"]["quantile_interval"] == interval


def test_crosstab_json_on_a_replicate_design(tmp_path) -> None:
    import json

    r, d = worker()
    q = tmp_path / "q.yaml"
    q.write_text(WITH_PAY, encoding="utf-8")
    data = tmp_path / "brr.csv"
    design("worker_brr").data.drop(columns=["soe"]).to_csv(data, index=False)
    args = ["crosstab", str(data), "-q", str(q), "--row", "pay", "--by", "segment",
            "--weight", "w", "--replicate-weights", "repw*", "--replicate-type", "BRR",
            "--quantiles", "0.5", "--json"]
    for interval in ("woodruff", "replicates"):
        done = invoke(*args, "--quantile-interval", interval)
        assert done.exit_code == 0, done.stderr
        doc = json.loads(done.stdout)
        lib = quantile(d.with_variables(r.series), "pay", 0.5, by="segment", interval=interval)
        for entry in doc["quantiles"][1:]:
            i = lib.domains.index(entry["col"])
            assert entry["value"] == lib.value[i, 0]
            assert entry["se"] == pytest.approx(lib.se[i, 0], rel=1e-12)
    taylor = ["crosstab", str(data), "-q", str(q), "--row", "pay", "--quantiles", "0.5",
              "--weight", "w", "--quantile-interval", "replicates"]
    done = invoke(*taylor)
    assert done.exit_code == 2 and "replicate weights" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_median_claim_on_a_replicate_design_equals_r() -> None:
    from analysis.findings.claims import parse_claims
    from analysis.findings.verdicts import check_claims

    r, d = worker()
    claims = parse_claims("claims:\n  - {id: pay, statement: s, segment: soe, question: pay, "
                          "measure: median, direction: higher}\n", r.questionnaire)
    f = check_claims(r, claims, d).findings[0]
    ref_ = reference()
    ref_ = ref_[(ref_.design == "worker_brr") & (ref_.analysis == "median_difference")
                & (ref_.variable == "pay~soe") & (ref_.domain == "_all")].set_index("quantity")
    assert f.test == "design-median-t"
    np.testing.assert_allclose(f.difference, ref_.value["difference"], rtol=1e-6)
    np.testing.assert_allclose(f.p, ref_.value["p"], rtol=1e-4)
