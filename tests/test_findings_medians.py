"""Claims about medians (`measure: median`): the test against R's survey package
(tests/fixtures/r/quantile_reference.R), the verdict, the claims file's checks, the findings JSON
and the words people read."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from located import position
from scipy import stats
from test_banner_design_tests import WORKER_Q, worker
from test_quantiles_against_r import reference as all_reference

from analysis.findings.claims import parse_claims
from analysis.findings.table import findings_table
from analysis.findings.verdicts import check_claims
from survey.files.source import SourceError
from survey.questionnaire.loader import parse_questionnaire

R = Path(__file__).parent / "fixtures" / "r"
CLAIMS = """claims:
  - id: F5-pay-median
    statement: {zh: 国企职工收入中位数更高, en: SOE workers have a higher median pay}
    segment: soe
    question: pay
    measure: median
    direction: higher
    min_difference: 500
  - id: F5-pay-anchor
    statement: {zh: 国企职工收入中位数高于公布值, en: SOE median pay above the published figure}
    segment: soe
    question: pay
    measure: median
    direction: higher
    anchor: {value: 4700, source: {zh: 公布的中位数, en: the published median}}
  - id: F5-score-median
    statement: {zh: 评分中位数更低, en: Lower median score}
    segment: soe
    question: score
    measure: median
    direction: lower
"""


def reference() -> pd.DataFrame:
    r = all_reference()
    return r[r.dataset == "worker"]


@cache
def findings():
    r, d = worker()
    return check_claims(r, parse_claims(CLAIMS, r.questionnaire), d)


def r_difference(variable: str) -> pd.Series:
    r = reference()
    r = r[(r.analysis == "median_difference") & (r.variable == f"{variable}~soe")
          & (r.domain == "_all")]
    return r.set_index("quantity")["value"]


@pytest.mark.parametrize(("claim", "variable"), [(0, "pay"), (2, "score")])
def test_median_comparison_equals_r(claim: int, variable: str) -> None:
    f = findings().findings[claim]
    expected = r_difference(variable)
    np.testing.assert_allclose([f.difference, f.p], [expected["difference"], expected["p"]],
                               rtol=1e-6)
    half = stats.t.ppf(0.975, expected["df"]) * expected["se"]
    np.testing.assert_allclose(f.ci, [expected["difference"] - half,
                                      expected["difference"] + half], rtol=1e-6)
    groups = reference().query(f"analysis == 'median_difference' and variable == '{variable}~soe'"
                               " and quantity == 'value'").set_index("domain")["value"]
    assert (f.estimate, f.comparison) == (groups["TRUE"], groups["FALSE"])
    assert f.test == "design-median-t" and f.claim.resolved_measure == "median"


def test_verdicts_follow_the_rule() -> None:
    pay, anchor, score = findings().findings
    assert pay.verdict == "supported" and pay.difference >= 500  # 4780 against 3960
    assert score.verdict == "contradicted"  # SOE workers' median score is higher, not lower
    assert anchor.test == "design-median-t vs published value"


def test_median_against_a_published_value_uses_the_woodruff_se() -> None:
    anchor = findings().findings[1]
    r = reference()
    by = r[(r.analysis == "svyquantile_by") & (r.variable == "pay") & (r.domain == "soe")
           & (r.level == "0.5")].set_index("quantity")["value"]
    assert anchor.estimate == by["value"] and anchor.comparison == 4700
    np.testing.assert_allclose(anchor.ci, [by["ci_lower"] - 4700, by["ci_upper"] - 4700],
                               rtol=1e-4)
    _, d = worker()
    soe = worker()[0].frame["segment"].astype(object).eq("soe").to_numpy()
    answered = soe & worker()[0].frame["pay"].notna().to_numpy()
    df = d.domain_degf(np.where(answered, 0, -1), 1)[0]
    expected = 2 * stats.t.sf(abs(by["value"] - 4700) / by["se"], df)
    np.testing.assert_allclose(anchor.p, expected, rtol=1e-4)


def test_findings_json_and_table_show_medians_as_numbers() -> None:
    doc = findings().to_json()
    claim = doc["claims"][0]
    assert claim["measure"] == "median" and claim["test"] == "design-median-t"
    assert claim["estimate"] == 4780.0 and claim["min_difference"] == 500
    r, _ = worker()
    for lang, word in (("zh", "中位数"), ("en", "median")):
        table = findings_table(findings(), r.questionnaire, lang)
        assert "4,780" in table.loc[0, "narrative"] and word in table.loc[0, "narrative"]
    en = findings_table(findings(), r.questionnaire, "en")
    assert en.loc[2, "narrative"] and "%" not in en.loc[2, "narrative"]


@pytest.mark.parametrize(("old", "new", "anchor", "fragment"), [
    ("    measure: median\n    direction: higher\n    min_difference",
     "    option: 1\n    measure: median\n    direction: higher\n    min_difference", "1\n",
     "remove 'option'"),
    ("question: score\n    measure: median", "question: segment\n    measure: median",
     "segment\n    measure: median\n    direction: lower", "has no median"),
    ("    measure: median\n    direction: lower\n",
     "    measure: median\n    direction: lower\n    controls: [score]\n", "[score]",
     "not medians"),
])
def test_median_claims_that_cannot_be_tested_are_located(old, new, anchor, fragment) -> None:
    q = parse_questionnaire(WORKER_Q)
    assert CLAIMS.count(old) == 1
    text = CLAIMS.replace(old, new)
    with pytest.raises(SourceError) as raised:
        parse_claims(text, q, "c.yaml")
    problem = next(p for p in raised.value.problems if fragment in p.message)
    assert problem.code == "claim-form"
    assert (problem.line, problem.column) == position(text, anchor), str(problem)
