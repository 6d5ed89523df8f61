"""Findings match R's survey package on the simulated worker design (relative 1e-6).

The reference numbers come from tests/fixtures/r/findings_reference.R (svyttest, subset,
svycontrast over svyby, svyglm) on tests/fixtures/r/worker.csv.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.design.sample_design import Design
from analysis.findings.claims import parse_claims
from analysis.findings.verdicts import ClaimData, assess_claims
from survey.questionnaire.loader import parse_questionnaire

R = Path(__file__).parent / "fixtures" / "r"
QUESTIONNAIRE = """
survey: {id: worker_fixture, version: "1", title: Worker fixture, languages: [en]}
questions:
  - {name: segment, type: single, label: Segment,
     options: {soe: SOE, private: Private, migrant: Migrant, platform: Platform}}
  - {name: cat5, type: single, label: Five, options: {1: a, 2: b, 3: c, 4: d, 5: e}}
  - {name: q, type: multi, label: Options, options: {1: o1, 2: o2, 3: o3, 4: o4, 5: o5, 6: o6}}
  - {name: score, type: scale, label: Score, options: {1: s1, 2: s2, 3: s3, 4: s4, 5: s5}}
segments:
  soe: {label: SOE, where: "segment == 'soe'"}
  private: {label: Private, where: "segment == 'private'"}
"""
CLAIMS = """
claims:
  - {id: soe-q1, statement: s, segment: soe, question: q, option: 1, direction: higher}
  - {id: soe-score, statement: s, segment: soe, question: score, direction: higher}
  - {id: soe-vs-private-q2, statement: s, segment: soe, versus: private, question: q, option: 2,
     direction: higher}
  - {id: anchor-score, statement: s, question: score, direction: higher,
     anchor: {value: 2.8, source: a published figure}}
  - {id: trend-score, statement: s, question: score, direction: lower,
     trend: {by: cat5, order: [1, 2, 3, 4, 5]}}
  - {id: adjusted-q1, statement: s, segment: soe, question: q, option: 1, direction: higher,
     controls: [cat5]}
"""


@pytest.fixture(scope="module")
def findings():
    q = parse_questionnaire(QUESTIONNAIRE, "worker.yaml")
    claims = parse_claims(CLAIMS, q, "claims.yaml")
    d = pd.read_csv(R / "worker.csv")
    d["cat5"] = pd.Categorical(d["cat5"], categories=[1, 2, 3, 4, 5])
    design = Design.build(d, weight="weight", strata="stratum", cluster="cluster", fpc="fpc")
    segments = {"soe": (d["segment"] == "soe").to_numpy(),
                "private": (d["segment"] == "private").to_numpy()}
    result = assess_claims(claims, ClaimData(d, q, segments), design)
    return {f.claim.id: f for f in result.findings}


@pytest.fixture(scope="module")
def reference():
    r = pd.read_csv(R / "findings_reference.csv")
    return {(c, q): v for c, q, v in r.itertuples(index=False)}


@pytest.mark.parametrize(("claim", "case"), [("soe-q1", "soe_q1"), ("soe-score", "soe_score"),
                                             ("soe-vs-private-q2", "soe_vs_private_q2")])
def test_two_group_difference_matches_svyttest(findings, reference, claim, case):
    f = findings[claim]
    assert f.difference == pytest.approx(reference[case, "difference"], rel=1e-6)
    assert f.p == pytest.approx(reference[case, "p"], rel=1e-6)
    assert f.ci[0] == pytest.approx(reference[case, "ci_lower"], rel=1e-6)
    assert f.ci[1] == pytest.approx(reference[case, "ci_upper"], rel=1e-6)
    assert f.estimate - f.comparison == pytest.approx(f.difference, rel=1e-9)


def test_anchor_matches_r(findings, reference):
    f = findings["anchor-score"]
    assert f.estimate == pytest.approx(reference["anchor_score", "estimate"], rel=1e-6)
    assert f.comparison == 2.8
    assert f.p == pytest.approx(reference["anchor_score", "p"], rel=1e-6)


def test_trend_matches_svycontrast(findings, reference):
    f = findings["trend-score"]
    assert f.p == pytest.approx(reference["trend_score_cat5", "p"], rel=1e-6)
    slope = float(f.note.split("slope ")[1].split(" ")[0])
    assert slope == pytest.approx(reference["trend_score_cat5", "slope"], rel=1e-3)


def test_adjusted_coefficient_matches_svyglm(findings, reference):
    coefficient, p = findings["adjusted-q1"].adjusted
    assert coefficient == pytest.approx(reference["adjusted_q1", "coefficient"], rel=1e-6)
    assert p == pytest.approx(reference["adjusted_q1", "p"], rel=1e-6)


def test_p_values_are_adjusted_with_holm(findings):
    ps = np.array([f.p for f in findings.values()])
    adjusted = np.array([f.p_adjusted for f in findings.values()])
    assert (adjusted >= ps - 1e-15).all()
    smallest = int(np.argmin(ps))
    assert adjusted[smallest] == pytest.approx(min(1.0, ps[smallest] * len(ps)))
