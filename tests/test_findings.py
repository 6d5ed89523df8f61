"""Verdicts follow the stated rule; planted effects are found, reversed effects contradicted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.design.sample_design import Design
from analysis.findings.claims import parse_claims
from analysis.findings.narrative import narrative
from analysis.findings.table import findings_table, write_findings
from analysis.findings.verdicts import ClaimData, assess_claims
from survey.questionnaire.loader import parse_questionnaire
from survey.writers import UnknownOutputFormat

QUESTIONNAIRE = """
survey: {id: planted, version: "1", title: {zh: 测试, en: Test}, languages: [zh, en]}
questions:
  - {name: workplace, type: single, label: {zh: 单位性质, en: Workplace},
     options: {1: {zh: 国有, en: State-owned}, 3: {zh: 私营, en: Private}}}
  - {name: concerns, type: multi, label: {zh: 最关心的问题, en: Concerns},
     options: {career_growth: {zh: 职业成长, en: Career growth}, income: {zh: 工资收入, en: Pay},
               housing: {zh: 住房, en: Housing}}}
  - {name: identity, type: scale, label: {zh: 职业认同, en: Identity},
     options: {1: '1', 2: '2', 3: '3', 4: '4', 5: '5'}}
segments:
  state_owned: {label: {zh: 国有企业职工, en: SOE workers}, where: "workplace == 1"}
  private: {label: {zh: 私营企业职工, en: Private-firm workers}, where: "workplace == 3"}
"""
CLAIMS = """
claims:
  - id: F2-career
    statement: {zh: 国有企业职工更关心职业成长, en: SOE workers care more about career growth}
    segment: state_owned
    question: concerns
    option: career_growth
    direction: higher
    min_difference: 0.05
  - id: F2-identity
    statement: {zh: 国有企业职工认同感更强, en: SOE workers identify more}
    segment: state_owned
    question: identity
    direction: higher
  - id: F1-top
    statement: {zh: 工资收入最受关心, en: Pay is the top concern}
    question: concerns
    top: [income]
"""


def planted(n: int, soe_share: float, career: tuple[float, float], seed: int = 1,
            tiny: bool = False) -> tuple[ClaimData, Design]:
    """SOE and private workers with P(career growth) = career[0] in SOEs, career[1] elsewhere."""
    rng = np.random.default_rng(seed)
    soe = rng.random(n) < soe_share
    if tiny:
        soe[:] = False
        soe[:5] = True
    frame = pd.DataFrame({
        "workplace": pd.Categorical(np.where(soe, 1, 3), categories=[1, 3]),
        "concerns__career_growth": (rng.random(n) < np.where(soe, *career)).astype(int),
        "concerns__income": (rng.random(n) < 0.6).astype(int),
        "concerns__housing": (rng.random(n) < 0.3).astype(int),
        "identity": np.clip(np.round(3 + 0.4 * soe * np.sign(career[0] - career[1])
                                     + rng.normal(0, 1, n)), 1, 5),
    })
    q = parse_questionnaire(QUESTIONNAIRE)
    data = ClaimData(frame, q, {"state_owned": soe, "private": ~soe})
    return data, Design.build(frame)


def verdicts(data, design) -> dict[str, str]:
    q = data.questionnaire
    result = assess_claims(parse_claims(CLAIMS, q), data, design)
    return {f.claim.id: f.verdict for f in result.findings}


def test_planted_effect_is_supported():
    assert verdicts(*planted(2000, 0.3, (0.35, 0.15))) == {
        "F2-career": "supported", "F2-identity": "supported", "F1-top": "supported"}


def test_opposite_effect_is_contradicted():
    result = verdicts(*planted(2000, 0.3, (0.10, 0.30)))
    assert result["F2-career"] == "contradicted"
    assert result["F2-identity"] == "contradicted"


def test_no_effect_is_not_supported():
    assert verdicts(*planted(2000, 0.3, (0.2, 0.2), seed=4))["F2-career"] == "not_supported"


def test_small_difference_is_not_practically_relevant():
    # 3 points more in SOEs on a huge sample: significant, but below min_difference 0.05
    assert verdicts(*planted(60000, 0.5, (0.23, 0.20)))["F2-career"] == "not_supported"


def test_tiny_segment_is_insufficient_data():
    result = verdicts(*planted(500, 0.3, (0.35, 0.15), tiny=True))
    assert result["F2-career"] == "insufficient_data"
    assert result["F1-top"] == "supported"


def test_findings_table_narratives_and_files(tmp_path):
    data, design = planted(2000, 0.3, (0.35, 0.15))
    q = data.questionnaire
    result = assess_claims(parse_claims(CLAIMS, q), data, design)
    career = result.findings[0]
    sentence = narrative(career, q, "zh")
    assert sentence.startswith("国有企业职工选择“职业成长”的比例为")
    assert f"{career.estimate * 100:.1f}%" in sentence and "高于其他职工" in sentence
    assert "p<0.001" in sentence
    assert "SOE workers" in narrative(career, q, "en")
    table = findings_table(result, q, "zh")
    assert list(table["verdict"]) == ["supported", "supported", "supported"]
    for suffix in (".csv", ".md", ".xlsx"):
        path = write_findings(table, "note", tmp_path / f"findings{suffix}")
        assert path.stat().st_size > 100
    assert "国有企业职工" in (tmp_path / "findings.csv").read_text(encoding="utf-8-sig")
    from openpyxl import load_workbook

    from analysis.findings.people import for_people

    people = for_people(table, None)
    book = load_workbook(tmp_path / "findings.xlsx")
    claims, method = book.worksheets
    assert claims.freeze_panes == "B2" and method["A2"].value == "note"
    assert [c.value for c in claims[1]] == list(people.columns)
    assert [c.value for c in claims["A"][1:]] == people.iloc[:, 0].tolist()
    with pytest.raises(UnknownOutputFormat, match="cannot write findings as '.pdf'"):
        write_findings(table, "note", tmp_path / "findings.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "findings.csv", "findings.md", "findings.xlsx"]


def test_json_contract_keys():
    data, design = planted(2000, 0.3, (0.35, 0.15))
    document = assess_claims(parse_claims(CLAIMS, data.questionnaire), data, design).to_json()
    claim = document["claims"][0]
    for key in ("id", "segment", "verdict", "estimate", "comparison", "difference", "ci", "p",
                "p_adjusted"):
        assert key in claim
    assert 0 < claim["estimate"] < 1 and len(claim["ci"]) == 2
    assert document["correction"] == "holm" and "supported:" in document["rule"]


def test_profiles_adjust_for_multiple_tests_leave_out_defining_questions_and_keep_order():
    """migrant's profile has no hukou_type rows (they define it); significance is BH-adjusted
    across every test, as statsmodels computes it; segments come in the questionnaire's order."""
    from pathlib import Path

    from statsmodels.stats.multitest import multipletests

    import survey as api
    from analysis.design.choice import choose_design
    from analysis.findings.profiles import defining_questions, segment_profiles

    root = Path(__file__).resolve().parents[1]
    r = api.read(root / "data_samples" / "industrial_workers.sav",
                 root / "questionnaires" / "industrial_workers.yaml")
    q = r.questionnaire
    assert {"hukou_type", "nonfarm_6m"} <= defining_questions(q, "migrant")
    table = segment_profiles(r, choose_design(r).design)
    assert not ((table["segment"] == "migrant") & (table["question"] == "hukou_type")).any()
    p = table["p"].to_numpy(float)
    tested = np.isfinite(p)  # an option nobody chose has no test, and no adjusted p
    assert tested.sum() > 3000
    expected = multipletests(p[tested], method="fdr_bh")[1]
    assert np.allclose(table["p_adjusted"].to_numpy(float)[tested], expected)
    assert table["p_adjusted"][~tested].isna().all()
    assert (table["significant"] == (table["p_adjusted"] < 0.05)).all()
    order = list(dict.fromkeys(table["segment"]))
    assert order == [s for s in q.segments if s in order]


def test_the_findings_summary_counts_each_findings_verdicts_and_names_operationalisations():
    from pathlib import Path

    import yaml

    import survey as api
    from analysis.design.choice import choose_design
    from analysis.findings.summary import finding_summary
    from analysis.findings.table import findings_table
    from analysis.findings.verdicts import check_claims

    root = Path(__file__).resolve().parents[1]
    claims = root / "questionnaires" / "industrial_workers.claims.yaml"
    r = api.read(root / "data_samples" / "industrial_workers.sav",
                 root / "questionnaires" / "industrial_workers.yaml")
    found = check_claims(r, claims, choose_design(r).design)
    summary = finding_summary(findings_table(found, r.questionnaire, "en")).set_index("finding")
    raw = yaml.safe_load(claims.read_text(encoding="utf-8"))["claims"]
    assert list(summary.index) == list(dict.fromkeys(c["id"].split("-")[0] for c in raw))
    verdicts = {f.claim.id: f.verdict for f in found.findings}
    for finding, row in summary.iterrows():
        ids = [c["id"] for c in raw if c["id"].split("-")[0] == finding]
        assert row["claims"] == len(ids)
        assert row["supported"] == sum(verdicts[i] == "supported" for i in ids)
        flagged = [c["id"] for c in raw if c["id"] in ids and c.get("operationalisation")]
        assert row["operationalised"] == ", ".join(flagged)
    assert summary.loc["F3", "weakest"].startswith("F3-safety")  # the claim planted false


def test_a_trend_claim_reports_its_slope_as_a_field(tmp_path):
    """F8-hours-trend's slope is a field of the JSON and the table, equal to the least-squares
    slope of its group means on 0..k-1 (numpy's polyfit on the means its note lists)."""
    import json
    from pathlib import Path

    from cli_helpers import invoke

    root = Path(__file__).resolve().parents[1]
    done = invoke("findings", root / "data_samples" / "industrial_workers.sav", "-q",
                  root / "questionnaires" / "industrial_workers.yaml", "--claims",
                  root / "questionnaires" / "industrial_workers.claims.yaml", "--json")
    claims = {c["id"]: c for c in json.loads(done.stdout)["claims"]}
    trend = claims["F8-hours-trend"]
    means = [float(x) for x in trend["note"].split("means ")[1].split(", ")]
    assert trend["slope"] == pytest.approx(np.polyfit(range(len(means)), means, 1)[0], rel=1e-2)
    assert claims["F1-top"]["slope"] is None
    assert claims["F6-changes-young"]["operationalisation"] is True


def test_an_adjusted_claim_says_how_many_respondents_its_model_used():
    """F9-identity-adjusted: the model keeps only respondents with an answer to every control;
    its n is counted again here from the raw answers (pandas)."""
    from pathlib import Path

    import survey as api
    from analysis.design.choice import choose_design
    from analysis.findings.verdicts import ClaimData, check_claims

    root = Path(__file__).resolve().parents[1]
    claims = root / "questionnaires" / "industrial_workers.claims.yaml"
    r = api.read(root / "data_samples" / "industrial_workers.sav",
                 root / "questionnaires" / "industrial_workers.yaml")
    found = {f.claim.id: f for f in check_claims(r, claims, choose_design(r).design).findings}
    f = found["F9-identity-adjusted"]
    data = ClaimData.from_responses(r)
    y = data.measure_of(f.claim).to_numpy(float)
    controls = np.all([pd.Series(data.variable(c)).notna().to_numpy() for c in f.claim.controls],
                      axis=0)
    assert f.adjusted_n == int((~np.isnan(y) & controls).sum())
    assert 0 < f.adjusted_n < f.n + f.n_comparison


def test_notes_and_sentences_name_variables_and_options_by_their_labels():
    """A Chinese table says 控制“您的性别”…, not 控制sex…, and an English one "Sex…": the
    controls, a trend's groups and a top claim's options are each language's labels, read here
    from the questionnaire itself, never the names the claims file uses."""
    from pathlib import Path

    import survey as api
    from analysis.design.choice import choose_design
    from analysis.findings.verdicts import check_claims

    root = Path(__file__).resolve().parents[1]
    r = api.read(root / "data_samples" / "industrial_workers.sav",
                 root / "questionnaires" / "industrial_workers.yaml")
    q = r.questionnaire
    findings = check_claims(r, root / "questionnaires" / "industrial_workers.claims.yaml",
                            choose_design(r).design)
    for lang in ("zh", "en"):
        table = findings_table(findings, q, lang).set_index("id")
        adjusted = table.loc["F9-identity-adjusted"]
        controls = findings.findings[list(table.index).index("F9-identity-adjusted")].claim.controls
        for name in controls:
            label = q.label(q.variable_label(name), lang)
            assert f"“{label}”" in adjusted["note"] and f"“{label}”" in adjusted["narrative"]
            if lang == "zh":  # the names are English words; so are some English labels
                assert name not in adjusted["note"] + adjusted["narrative"]
        trend = table.loc["F8-hours-trend"]
        cohorts = [q.label(label, lang) for label in q.option_labels("cohort").values()]
        assert all(c in trend["note"] for c in cohorts) and trend["comparison_group"] == cohorts[0]
        assert q.label(q.variable_label("cohort"), lang) in trend["note"]
        assert "[1, 2" not in trend["note"] and (lang == "en" or "cohort" not in trend["note"])
        top = table.loc["F1-top"]
        options = {str(k): q.label(v, lang) for k, v in q.option_labels("concerns").items()}
        assert options["income"] in top["note"] and "job_security" not in top["note"]


@pytest.mark.parametrize("languages", [("en", "de"), ("zh-CN", "zh-TW")])
def test_a_notes_words_are_its_languages_and_the_jsons_are_the_codes(languages):
    """A top claim's note in each of the survey's languages names the options in that
    language (two languages of one family kept apart); the JSON's note keeps the codes."""
    first, second = languages
    relabel = {"languages: [zh, en]": f"languages: [{first}, {second}]", "zh:": f"{second}:",
               "en:": f"{first}:"}
    q_text, claims_text = QUESTIONNAIRE, CLAIMS
    for old, new in relabel.items():
        q_text, claims_text = q_text.replace(old, new), claims_text.replace(old, new)
    data, design = planted(800, 0.4, (0.4, 0.2))
    q = parse_questionnaire(q_text)
    data = ClaimData(data.frame, q, data.segments)
    top = next(f for f in assess_claims(parse_claims(claims_text, q), data, design).findings
               if f.claim.id == "F1-top")
    assert "Pay" in top.note_in(first) and "工资收入" not in top.note_in(first)
    assert "工资收入" in top.note_in(second) and "Pay" not in top.note_in(second)
    assert "income" in top.note and "Pay" not in top.note and "工资收入" not in top.note
