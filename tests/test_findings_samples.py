"""The report's claims on the bundled sample: planted findings supported, the false one not;
reversed effects contradicted; a tiny segment insufficient.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from analysis.design.choice import choose_design
from analysis.findings.claims import load_claims
from analysis.findings.verdicts import ClaimData, assess_claims
from survey.questionnaire.loader import load_questionnaire
from survey.readers import read_responses
from survey.responses.dataset import Responses
from survey.simulation.effects import parse_effects
from survey.simulation.generate import simulate

ROOT = Path(__file__).parent.parent
QUESTIONNAIRE = load_questionnaire(ROOT / "questionnaires" / "industrial_workers.yaml")
CLAIMS = load_claims(ROOT / "questionnaires" / "industrial_workers.claims.yaml", QUESTIONNAIRE)
FALSE_CLAIM = "F3-safety"  # planted with no effect (data_samples/README.md)
# Not planted: nearly everyone uses WeChat (data_samples/README.md), the young no more than others.
UNPLANTED = {"F8-wechat"}


def verdicts(responses: Responses) -> dict[str, str]:
    design = choose_design(responses).design
    result = assess_claims(CLAIMS, ClaimData.from_responses(responses), design)
    return {f.claim.id: f.verdict for f in result.findings}


@pytest.mark.parametrize("sample", ["industrial_workers.sav",
                                    "302594156_按序号_产业工人需求调查问卷_2000_2000.xlsx"])
def test_bundled_sample_supports_every_planted_claim(sample):
    result = verdicts(read_responses(ROOT / "data_samples" / sample, QUESTIONNAIRE))
    assert result.pop(FALSE_CLAIM) == "not_supported"
    assert {claim: result.pop(claim) for claim in UNPLANTED} == \
        dict.fromkeys(UNPLANTED, "not_supported")
    assert set(result.values()) == {"supported"}, {k: v for k, v in result.items()
                                                   if v != "supported"}


def test_opposite_effects_are_contradicted():
    text = (ROOT / "questionnaires" / "industrial_workers.effects.yaml").read_text("utf-8")
    reverse = re.sub(r"odds_ratio: ([0-9.]+)", lambda m: f"odds_ratio: {1 / float(m[1]):.4f}",
                     text)
    reverse = re.sub(r"shift: (-?[0-9.]+)", lambda m: f"shift: {-float(m[1])}", reverse)
    effects = parse_effects(reverse, QUESTIONNAIRE, "reversed.yaml")
    result = verdicts(simulate(QUESTIONNAIRE, 3000, seed=11, effects=effects))
    for claim in ("F2-career", "F3-job-security", "F3-equal-pay", "F4-social-insurance",
                  "F4-status-change", "F6-changes-young", "F7-turnover", "F9-identity",
                  "F9-identity-trend", "F11-membership"):
        assert result[claim] == "contradicted", claim
    assert result[FALSE_CLAIM] != "supported"


def test_tiny_segment_is_insufficient_data():
    sample = read_responses(ROOT / "data_samples" / "industrial_workers.parquet", QUESTIONNAIRE)
    soe = sample.segment("state_owned").to_numpy()
    keep = np.flatnonzero(~soe | (np.cumsum(soe) <= 12))  # every worker but 12 SOE workers
    tiny = Responses(sample.frame.iloc[keep].reset_index(drop=True),
                     sample.missing.iloc[keep].reset_index(drop=True), QUESTIONNAIRE)
    result = verdicts(tiny)
    for claim in ("F2-career", "F2-culture", "F2-rights", "F2-reform", "F2-reform-follow"):
        assert result[claim] == "insufficient_data"
    assert result["F4-status-change"] == "supported"


def _survey(*args: str):
    from cli_helpers import invoke

    return invoke(*args)


def test_findings_command_json_and_files(tmp_path):
    import json

    sample = str(ROOT / "data_samples" / "industrial_workers.parquet")
    q = str(ROOT / "questionnaires" / "industrial_workers.yaml")
    claims = str(ROOT / "questionnaires" / "industrial_workers.claims.yaml")
    result = _survey("findings", sample, "-q", q, "--claims", claims, "--json",
                     "-o", str(tmp_path / "f.xlsx"))
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    verdicts = {c["id"]: c["verdict"] for c in document["claims"]}
    assert verdicts["F2-career"] == "supported" and verdicts[FALSE_CLAIM] == "not_supported"
    assert document["design"] == {"weight": "weight", "strata": "district",
                                  "cluster": "enterprise_id", "fpc": None}
    assert (tmp_path / "f.xlsx").stat().st_size > 5000
    bad = tmp_path / "bad.claims.yaml"
    bad.write_text("claims:\n  - {id: x, statement: s, question: nothing, top: [1]}\n",
                   encoding="utf-8")
    result = _survey("findings", sample, "-q", q, "--claims", str(bad))
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{bad}:2:")
    result = _survey("findings", sample, "-q", q, "--claims", claims, "-o",
                     str(tmp_path / "f.pdf"))
    assert result.exit_code == 2 and "cannot write findings as '.pdf'" in result.stderr
    assert not (tmp_path / "f.pdf").exists()
