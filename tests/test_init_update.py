"""`survey init --update`: a new version of the source adds its new questions to the
researcher's questionnaire, reports what it says otherwise of the questions the file has, and
leaves every line the researcher wrote where it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import invoke

from survey.forms.xlsform import write_xlsform
from survey.questionnaire.loader import load_questionnaire, parse_questionnaire

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "fixtures" / "questionnaires" / "small.yaml"
NEW_QUESTION = """  - name: union_member
    type: single
    label: {zh: 是否工会会员, en: Union member}
    options:
      1: {zh: 是, en: "Yes"}
      2: {zh: 否, en: "No"}
"""


def _version_two() -> str:
    """small.yaml a wave later: a question added, an option relabelled, an option added."""
    text = SMALL.read_text(encoding="utf-8")
    text = text.replace("      3: {zh: 私营, en: Private}\n",
                        "      3: {zh: 私营企业, en: Private firm}\n"
                        "      4: {zh: 外资, en: Foreign-owned}\n")
    return text.replace("derived:\n", NEW_QUESTION + "derived:\n", 1)


@pytest.fixture()
def edited(tmp_path):
    """A questionnaire drafted from wave one's form, then edited by its researcher."""
    write_xlsform(load_questionnaire(SMALL), tmp_path / "v1.xlsx")
    assert invoke("init", tmp_path / "v1.xlsx", "-o", tmp_path / "q.yaml").exit_code == 0
    path = tmp_path / "q.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "label: {zh: 出生年份, en: Year of birth}",
        "label: {zh: 您的出生年份, en: Your year of birth}  # our wording")
    path.write_text(text + "\nsegments:\n  soe: {label: 国企, where: \"workplace == 1\"}\n",
                    encoding="utf-8")
    two = tmp_path / "v2.yaml"
    two.write_text(_version_two(), encoding="utf-8")
    write_xlsform(load_questionnaire(two), tmp_path / "v2.xlsx")
    return path


def test_new_questions_are_added_and_the_researchers_lines_stay(edited, tmp_path):
    before = edited.read_text(encoding="utf-8").splitlines()
    done = invoke("init", tmp_path / "v2.xlsx", "--update", edited)
    assert done.exit_code == 0, done.stderr
    after = edited.read_text(encoding="utf-8").splitlines()
    kept = iter(after)
    assert all(line in kept for line in before)  # every old line, in the old order
    questionnaire = load_questionnaire(edited)
    assert [q.name for q in questionnaire.questions][-1] == "union_member"
    assert questionnaire.items["union_member"].codes == [1, 2]
    assert questionnaire.items["birth_year"].label["en"] == "Your year of birth"
    assert "soe" in questionnaire.segments
    assert "# added by survey init from v2.xlsx" in edited.read_text(encoding="utf-8")
    said = " ".join(done.stdout.split())
    assert "1 new question(s) added" in said and "added union_member" in said
    assert "workplace: the source has option(s) 4" in said
    assert 'workplace: option 3 is "私营企业" in the source, "私营" in the questionnaire' in said
    assert 'birth_year: the source\'s label is "出生年份"' in said
    assert invoke("check", edited).exit_code == 0


def test_an_update_twice_adds_nothing_the_second_time(edited, tmp_path):
    assert invoke("init", tmp_path / "v2.xlsx", "--update", edited).exit_code == 0
    once = edited.read_text(encoding="utf-8")
    done = invoke("init", tmp_path / "v2.xlsx", "--update", edited)
    assert done.exit_code == 0 and "0 new question(s) added" in done.stdout
    assert edited.read_text(encoding="utf-8") == once


def test_init_never_overwrites_and_update_needs_a_file(edited, tmp_path):
    before = edited.read_text(encoding="utf-8")
    done = invoke("init", tmp_path / "v2.xlsx", "-o", edited)
    assert done.exit_code == 2 and "already exists" in done.stderr
    assert edited.read_text(encoding="utf-8") == before
    done = invoke("init", tmp_path / "v2.xlsx", "--update", tmp_path / "none.yaml")
    assert done.exit_code == 2 and "no questionnaire here to update" in done.stderr
    assert not (tmp_path / "none.yaml").exists()
    done = invoke("init", tmp_path / "v2.xlsx", "-o", edited, "--force")
    assert done.exit_code == 0
    parse_questionnaire(edited.read_text(encoding="utf-8"))
    assert "our wording" not in edited.read_text(encoding="utf-8")
