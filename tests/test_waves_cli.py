"""`survey compare` on the command line: the JSON equals the library's result, the terminal
table reads at 80 columns in both languages, and the refusals are one located line with exit 2
and a stable code: a panel compared as independent samples, a paired comparison whose ids do not
match, a question a wave lacks, a wave of another questionnaire."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import invoke

import survey
from analysis.waves.asked import MissingQuestionError
from analysis.waves.compare import WaveError, compare
from analysis.waves.panel import PanelError
from survey.questionnaire.loader import parse_questionnaire

WAVES = Path(__file__).parent / "fixtures" / "waves"
Q = WAVES / "questionnaire.yaml"
W1, W2, PANEL = WAVES / "wave_1.csv", WAVES / "wave_2.csv", WAVES / "panel_2.csv"


def run(*args: object):
    return invoke("compare", *map(str, args), "-q", str(Q))


def one_line_error(done, *words: str) -> str:
    assert done.exit_code == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_json_equals_the_library() -> None:
    done = run(W1, W2, "--row", "concerns", "--by", "migrant", "--json")
    assert done.exit_code == 0, done.stderr
    doc = json.loads(done.stdout)
    q = survey.load_questionnaire(Q)
    found = compare(survey.read(W1, q), survey.read(W2, q), "concerns", "migrant",
                    names=("wave_1.csv", "wave_2.csv"))
    assert doc == json.loads(json.dumps(found.to_json(), ensure_ascii=False))
    assert doc["measure"] == "share" and doc["paired"] is False
    assert doc["test"] == {"name": "design-t-independent-waves", "df": "satterthwaite",
                           "alpha": 0.05, "correction": "holm", "level": 0.95, "min_base": 30}
    assert [w["label"] for w in doc["waves"]] == ["wave_1.csv", "wave_2.csv"]
    assert doc["waves"][0]["design"]["cluster"] == "enterprise_id"
    assert [c["value"] for c in doc["columns"]] == ["_total", "1", "0"]
    assert len(doc["changes"]) == 5 * 3
    first = doc["changes"][0]
    assert set(first) == {"option", "label", "by", "col", "wave1", "wave2", "change", "se", "ci",
                          "df", "t", "p", "p_adjusted", "significant", "small_base"}
    assert first["change"] == pytest.approx(first["wave2"]["estimate"]
                                            - first["wave1"]["estimate"], rel=1e-12)


def test_a_mean_row_and_the_correction_option() -> None:
    done = run(W1, W2, "--row", "hours", "--by", "migrant", "--json", "--correction", "none")
    doc = json.loads(done.stdout)
    assert doc["measure"] == "mean" and {c["option"] for c in doc["changes"]} == {None}
    assert all(c["p_adjusted"] == c["p"] for c in doc["changes"])
    bad = run(W1, W2, "--row", "hours", "--correction", "tukey")
    one_line_error(bad, "--correction")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_terminal_table_fits_80_columns(lang) -> None:
    from rich.cells import cell_len

    done = run(W1, W2, "--row", "concerns", "--by", "migrant", "--lang", lang)
    assert done.exit_code == 0, done.stderr
    lines = done.stdout.splitlines()
    table = lines[:lines.index(next(x for x in lines if "Satterthwaite" in x))]
    assert len(table) > 15 and max(cell_len(line) for line in table) <= 80
    assert {"zh": "校正p值", "en": "p adj."}[lang] in table[2]
    assert "Holm" in done.stdout


def test_a_panel_is_refused_as_independent_samples() -> None:
    line = one_line_error(run(W1, PANEL, "--row", "ss_worry"), "panel_2.csv", "share 800",
                          "paired")
    assert "A0001" in line
    assert run(W1, PANEL, "--row", "ss_worry", "--paired", "--json").exit_code == 0
    # ids that only number each wave's respondents: the user says the samples are independent
    assert run(W1, PANEL, "--row", "ss_worry", "--independent", "--json").exit_code == 0
    with pytest.raises(PanelError) as raised:
        q = survey.load_questionnaire(Q)
        compare(survey.read(W1, q), survey.read(PANEL, q), "ss_worry")
    assert raised.value.code == "waves-panel"


def test_paired_waves_must_hold_the_same_respondents(tmp_path) -> None:
    one_line_error(run(W1, W2, "--row", "ss_worry", "--paired"), "do not match",
                   "800 only in wave_1.csv")
    fewer = tmp_path / "fewer.csv"
    pd.read_csv(PANEL, dtype=str).iloc[:-10].to_csv(fewer, index=False)
    one_line_error(run(W1, fewer, "--row", "ss_worry", "--paired"),
                   "10 only in wave_1.csv (A0791, A0792, A0793 ...)", "0 only in fewer.csv")
    no_ids = tmp_path / "no_ids.csv"
    pd.read_csv(PANEL, dtype=str).drop(columns=["respondent_id"]).to_csv(no_ids, index=False)
    one_line_error(run(W1, no_ids, "--row", "ss_worry", "--paired"), "no respondent_id")
    one_line_error(run(W1, PANEL, "--row", "ss_worry", "--paired", "--independent"),
                   "not both")


def test_a_question_the_second_wave_lacks(tmp_path) -> None:
    lacking = tmp_path / "wave_2.csv"
    frame = pd.read_csv(W2, dtype=str)
    frame.drop(columns=[c for c in frame.columns if c.startswith("services")]).to_csv(
        lacking, index=False)
    line = one_line_error(run(W1, lacking, "--row", "services"), "no column for question "
                          "'services'")
    assert line.startswith(str(lacking))
    # a by variable rests on its questions too: the segment 'migrant' is `hukou == 1`
    frame.drop(columns=["hukou"]).to_csv(lacking, index=False)
    one_line_error(run(W1, lacking, "--row", "ss_worry", "--by", "migrant"), "'hukou'")
    assert run(W1, lacking, "--row", "ss_worry", "--json").exit_code == 0  # not needed here
    with pytest.raises(MissingQuestionError) as raised:
        q = survey.load_questionnaire(Q)
        compare(survey.read(W1, q), survey.read(lacking, q), "ss_worry", "migrant")
    assert raised.value.code == "wave-question-missing"


def test_waves_of_different_questionnaires(tmp_path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(Q.read_text("utf-8").replace("id: worker_waves", "id: other_survey"),
                     "utf-8")
    imported = tmp_path / "wave_1.parquet"
    done = invoke("import", str(W1), "-q", str(other), "-o", str(imported))
    assert done.exit_code == 0, done.stderr
    line = one_line_error(run(imported, W2, "--row", "ss_worry"), "other_survey")
    assert line.startswith(str(imported))
    # in a notebook, two Responses of different questionnaires, or one question changed
    q = survey.load_questionnaire(Q)
    with pytest.raises(WaveError, match="same questionnaire"):
        compare(survey.read(W1, survey.load_questionnaire(other)), survey.read(W2, q),
                "ss_worry")
    changed = parse_questionnaire(Q.read_text("utf-8").replace(
        "      3: {zh: 不担心, en: Not worried}",
        "      3: {zh: 不担心, en: Not worried}\n      4: {zh: 不知道, en: Unsure}"))
    with pytest.raises(WaveError, match="not the same question"):
        compare(survey.read(W1, q), survey.read(W2, changed), "ss_worry")
