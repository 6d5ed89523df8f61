"""The catalogue of broken claims files: each problem is located in the claims file."""

from __future__ import annotations

from pathlib import Path

import pytest
from located import position

from analysis.findings.claims import parse_claims
from survey.files.source import SourceError
from survey.questionnaire.loader import load_questionnaire

ROOT = Path(__file__).parent.parent
QUESTIONNAIRE = load_questionnaire(ROOT / "tests" / "fixtures" / "questionnaires" / "small.yaml")
GOOD = """claims:
  - id: F2-career
    statement: {zh: 国有企业职工更关心职业成长, en: SOE workers care more about career growth}
    segment: state_owned
    question: concerns
    option: career_growth
    direction: higher
    min_difference: 0.05
  - id: F1-top
    statement: {zh: 收入最受关心, en: Pay first}
    question: concerns
    top: [income, medical]
  - id: F9-trend
    statement: {zh: 认同感下降, en: Identity falls}
    question: identity_scale
    direction: lower
    trend: {by: cohort, order: [1, 2, 1]}
"""

CATALOGUE = [
    ("unknown-question", "question: concerns\n    option", "question: concern\n    option",
     "concern\n", "unknown-name", "did you mean 'concerns'"),
    ("unknown-segment", "segment: state_owned", "segment: state_own", "state_own",
     "unknown-segment", "did you mean 'state_owned'"),
    ("unknown-option", "option: career_growth", "option: career", "career\n    direction",
     "unknown-code", "has no option 'career'"),
    ("bad-direction", "direction: higher", "direction: up", "up\n", "bad-value",
     "unknown direction 'up'"),
    ("negative-difference", "min_difference: 0.05", "min_difference: -0.05", "-0.05",
     "greater-than-equal", "min_difference"),
    ("unknown-key", "min_difference: 0.05", "min_diference: 0.05", "min_diference",
     "unknown-key", "did you mean 'min_difference'"),
    ("missing-statement", "    statement: {zh: 收入最受关心, en: Pay first}\n", "",
     "id: F1-top", "missing-key", "'statement' is required"),
    ("statement-missing-language", "{zh: 收入最受关心, en: Pay first}", "{zh: 收入最受关心}",
     "{zh: 收入最受关心}", "label-missing-language", "no 'en' text"),
    ("duplicate-id", "id: F1-top", "id: F2-career", "F2-career\n    statement: {zh: 收入",
     "bad-id", "used twice"),
    ("top-unknown-option", "top: [income, medical]", "top: [income, medicine]",
     "medicine]", "unknown-code", "has no option 'medicine'"),
    ("mean-of-multi", "    option: career_growth\n", "", "concerns\n    direction",
     "claim-form", "has no mean"),
    ("no-direction", "    direction: lower\n", "", "id: F9-trend", "missing-key",
     "'direction'"),
    ("trend-unknown-code", "order: [1, 2, 1]", "order: [1, 2, 3]", "3]", "unknown-code",
     "'cohort' has no option 3"),
    ("comparison-without-segment", "    segment: state_owned\n", "", "id: F2-career",
     "claim-form", "needs 'segment'"),
]




@pytest.mark.parametrize(("case", "old", "new", "anchor", "code", "fragment"), CATALOGUE,
                         ids=[c[0] for c in CATALOGUE])
def test_broken_claims_are_located(case, old, new, anchor, code, fragment):
    assert GOOD.count(old) == 1
    text = GOOD.replace(old, new)
    with pytest.raises(SourceError) as raised:
        parse_claims(text, QUESTIONNAIRE, "c.yaml")
    matching = [p for p in raised.value.problems if p.code == code]
    assert matching, [str(p) for p in raised.value.problems]
    assert fragment in matching[0].message
    assert (matching[0].line, matching[0].column) == position(text, anchor), str(matching[0])


def test_good_claims_load():
    claims = parse_claims(GOOD, QUESTIONNAIRE)
    assert [c.kind for c in claims] == ["comparison", "top", "trend"]
    assert claims[0].threshold == 0.05 and claims[2].resolved_measure == "mean"


def test_reference_claims_load():
    q = load_questionnaire(ROOT / "questionnaires" / "industrial_workers.yaml")
    from analysis.findings.claims import load_claims

    claims = load_claims(ROOT / "questionnaires" / "industrial_workers.claims.yaml", q)
    ids = {c.id.split("-")[0] for c in claims}
    assert {"F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "F11"} <= ids
