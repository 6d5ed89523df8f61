"""Never silent: every import says which questions it found, where, and with how many answers;
a question with no column is a warning, a file that matches nothing or holds no answer is an
error and nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import invoke

import survey

ROOT = Path(__file__).resolve().parents[1]
Q = ROOT / "questionnaires" / "industrial_workers.yaml"
SAMPLE = ROOT / "data_samples" / "industrial_workers_utf8.csv"


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return pd.read_csv(SAMPLE, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_the_match_is_printed_and_counts_answers_against_pandas(tmp_path, sample):
    result = invoke("import", SAMPLE, "-q", Q, "-o", tmp_path / "c.parquet", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["respondents"] == len(sample)
    by_name = {q["name"]: q for q in document["questions"]}
    assert document["unmatched"] == [] and by_name["sex"]["columns"] == ["sex"]
    # an independent count: cells of the CSV that hold an option code (not a missing code)
    assert by_name["sex"]["answers"] == int(pd.to_numeric(sample["sex"]).gt(0).sum())
    assert set(document["unused"]) >= {"weight", "district"}


def test_a_question_with_no_column_is_a_warning_with_the_nearest_column(tmp_path, sample):
    path = tmp_path / "renamed.csv"
    sample.rename(columns={"sex": "sexe"}).to_csv(path, index=False)
    result = invoke("import", path, "-q", Q, "-o", tmp_path / "c.parquet")
    assert result.exit_code == 0, result.stderr
    assert (f"warning: {path}:1:1: question 'sex' has no column in the file; its answers are "
            "all missing; did you mean 'sexe'?") in result.stdout
    assert "matched 75 of 76 questions" in result.stdout


@pytest.mark.parametrize("suffix", ["csv", "sav"])
def test_names_match_whatever_their_case_when_unambiguous(tmp_path, sample, suffix):
    """SPSS names are case-insensitive and users write `Sex`; `Sex` and `SEX` together are
    ambiguous and match nothing (a warning names the question)."""
    import pyreadstat

    frame = sample.rename(columns={"sex": "Sex", "education": "EDUCATION"})
    frame["Sex"], frame["EDUCATION"] = frame["Sex"].astype(float), frame["EDUCATION"].astype(float)
    path = tmp_path / f"upper.{suffix}"
    if suffix == "csv":
        frame.to_csv(path, index=False)
    else:
        pyreadstat.write_sav(frame[["Sex", "EDUCATION", "birth_year"]].astype(float), str(path))
    done = survey.import_export(path, survey.load_questionnaire(Q))
    by_name = {q.name: q for q in done.match.questions}
    assert by_name["sex"].answers == int(pd.to_numeric(sample["sex"]).gt(0).sum())
    assert by_name["education"].answers == int(pd.to_numeric(sample["education"]).gt(0).sum())
    twice = sample.rename(columns={"sex": "Sex"}).assign(SEX=sample["sex"])
    twice.to_csv(tmp_path / "twice.csv", index=False)
    done = survey.import_export(tmp_path / "twice.csv", survey.load_questionnaire(Q))
    assert [q.name for q in done.match.unmatched] == ["sex"]


def test_strict_refuses_a_question_with_no_column_and_writes_nothing(tmp_path, sample):
    path = tmp_path / "renamed.csv"
    sample.drop(columns=["sex"]).to_csv(path, index=False)
    result = invoke("import", path, "-q", Q, "-o", tmp_path / "c.parquet", "--strict")
    assert result.exit_code == 2 and "question 'sex' has no column" in result.stderr
    assert not (tmp_path / "c.parquet").exists()


@pytest.mark.parametrize("content, code", [
    ("名字,部门\n张三,一车间\n", "no column of the file matches a question"),
    (None, "no answer to any question"),  # the header alone
])
def test_nothing_matched_or_no_answer_is_an_error_and_nothing_is_written(tmp_path, sample,
                                                                          content, code):
    path = tmp_path / "x.csv"
    if content is None:
        sample.head(0).to_csv(path, index=False)
    else:
        path.write_text(content, encoding="utf-8")
    result = invoke("import", path, "-q", Q, "-o", tmp_path / "c.parquet")
    assert result.exit_code == 2, result.stdout
    assert result.stderr.startswith(f"{path}:1:1: ") and code in result.stderr
    assert not (tmp_path / "c.parquet").exists()


def test_the_library_gives_the_same_summary():
    done = survey.import_export(SAMPLE, survey.load_questionnaire(Q))
    assert done.match.answers == done.answers and not done.match.unmatched
    assert done.written == ()




def test_direct_identifiers_are_left_out_unless_kept(tmp_path):
    from survey.simulation.exports import write_wjx

    responses = survey.simulate(survey.load_questionnaire(Q), 40, seed=9)
    frame = responses.frame.assign(来源="手机提交", 来自IP="10.1.2.3(江苏-苏州)")
    import dataclasses

    export = tmp_path / "1_按序号_x_40_40.xlsx"
    write_wjx(dataclasses.replace(responses, frame=frame), export)
    result = invoke("import", export, "-q", Q, "-o", tmp_path / "c.parquet")
    assert result.exit_code == 0, result.stderr
    assert "left out 1 column(s) that identify respondents: 来自IP" in result.stdout
    assert "来自IP" not in pd.read_parquet(tmp_path / "c.parquet").columns
    assert "来源" in pd.read_parquet(tmp_path / "c.parquet").columns  # a channel, not a person
    kept = invoke("import", export, "-q", Q, "-o", tmp_path / "k.parquet", "--keep-identifiers")
    assert kept.exit_code == 0 and "identify respondents" not in kept.stdout
    assert "来自IP" in pd.read_parquet(tmp_path / "k.parquet").columns


def test_qualtrics_and_kobo_identifiers_are_left_out(tmp_path):
    from survey.simulation.exports import write_kobo, write_qualtrics

    q = survey.load_questionnaire(Q)
    responses = survey.simulate(q, 40, seed=5)
    frame = responses.frame.assign(IPAddress="10.0.0.1", LocationLatitude="31.2",
                                   _submitted_by="worker7")
    import dataclasses

    responses = dataclasses.replace(responses, frame=frame)
    write_qualtrics(responses, tmp_path / "q.csv")
    write_kobo(responses, tmp_path / "k.csv")
    for path, expected in ((tmp_path / "q.csv", {"IPAddress", "LocationLatitude"}),
                           (tmp_path / "k.csv", {"_submitted_by"})):
        done = survey.import_export(path, q)
        assert expected <= set(done.identifiers), (path, done.identifiers)
        assert not expected & set(done.responses.frame.columns)


@pytest.mark.parametrize("most, odd", [("gb18030", "utf-8"), ("utf-8", "gb18030")])
@pytest.mark.parametrize("kind", ["layout", "wjx"])
def test_an_encoding_that_changes_mid_file_names_the_first_odd_line(tmp_path, most, odd, kind):
    if kind == "layout":
        lines = SAMPLE.read_text(encoding="utf-8-sig").splitlines()[:40]
    else:
        from survey.simulation.exports import write_wjx

        write_wjx(survey.simulate(survey.load_questionnaire(Q), 30, seed=2),
                  tmp_path / "w_按文本.csv", view="文本", encoding="utf-8")
        lines = (tmp_path / "w_按文本.csv").read_text(encoding="utf-8").splitlines()
    chinese = [i for i, line in enumerate(lines) if not line.isascii() and i > 0]
    odd_line = chinese[len(chinese) // 2]
    raw = b"".join((line.encode(odd if i == odd_line else most) + b"\n")
                   for i, line in enumerate(lines))
    path = tmp_path / ("mixed.csv" if kind == "layout" else "mixed_按文本.csv")
    path.write_bytes(raw)
    result = invoke("import", path, "-q", Q, "-o", tmp_path / "c.parquet")
    assert result.exit_code == 2, result.stdout
    assert result.stderr.startswith(f"{path}:{odd_line + 1}:1: this line is ")
    assert "save the whole file in one encoding" in result.stderr
    assert not (tmp_path / "c.parquet").exists()


def test_gb18030_text_that_is_also_valid_utf8_is_not_taken_for_a_second_encoding(tmp_path):
    """私营 in GB18030 (CB BD D3 AA) is valid two-byte UTF-8 ('˽Ӫ'): a line holding only such
    pairs belongs to the GB18030 file, not to a second encoding."""
    assert "私营".encode("gb18030").decode("utf-8") == "˽Ӫ"
    path = tmp_path / "gb.csv"
    text = "respondent_id,sex,comments\nR1,1,私营\nR2,2,国有企业\nR3,1,私营\n"
    path.write_bytes(text.encode("gb18030"))
    done = survey.import_export(path, survey.load_questionnaire(Q))
    assert done.responses.frame["comments"].tolist()[:3] == ["私营", "国有企业", "私营"]


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_row_of_labels_under_the_header_is_not_a_respondent(tmp_path, sample, suffix, lang):
    from survey.writers.labels import variable_labels

    labels = variable_labels(survey.load_questionnaire(Q), lang)
    label_row = pd.DataFrame([{c: labels.get(c, "") for c in sample.columns}])
    sample = sample.head(300)
    frame = pd.concat([label_row, sample], ignore_index=True)
    path = tmp_path / f"labelled.{suffix}"
    frame.to_csv(path, index=False) if suffix == "csv" else frame.to_excel(path, index=False)
    done = survey.import_export(path, survey.load_questionnaire(Q))
    assert len(done.responses) == len(sample)
    assert any("row 2 holds the variables' labels" in line for line in done.summary(path))
    sample.to_csv(tmp_path / "plain.csv", index=False)
    plain = survey.import_export(tmp_path / "plain.csv", survey.load_questionnaire(Q))
    assert plain.match.notes == () and len(plain.responses) == len(sample)


@pytest.mark.parametrize("line, refused", [
    ("2,私营\n".encode("gb18030"), True),  # GB18030 bytes that are valid UTF-8 ('˽Ӫ')
    ("2,São Paulo Müller\n".encode(), False),  # accents: what they seem
    ("2,Ωmega αβγ\n".encode(), False),  # one script: real text
])
def test_a_utf8_file_hiding_a_gb18030_row_is_refused_and_real_text_is_not(tmp_path, line, refused):
    path = tmp_path / "u.csv"
    path.write_bytes("respondent_id,comments\n1,国有企业\n".encode() + line)
    small = survey.load_questionnaire(ROOT / "tests" / "fixtures" / "questionnaires" / "small.yaml")
    if refused:
        with pytest.raises(survey.SurveyError, match=r"u.csv:3:1: this line is GB18030"):
            survey.import_export(path, small)
    else:
        done = survey.import_export(path, small)
        assert done.responses.frame["comments"].tolist()[1] == line.decode("utf-8")[2:-1]


def test_an_import_tells_its_steps_and_the_command_keeps_a_log_clean(tmp_path):
    """A long import says what it is doing (the command shows it as a spinner on a terminal);
    with stderr a file or a pipe, nothing of it reaches the log."""
    told: list[str] = []
    survey.import_export(SAMPLE, survey.load_questionnaire(Q), tmp_path / "c.parquet",
                         progress=told.append)
    assert told == ["reading", "validating", "writing"]
    result = invoke("import", SAMPLE, "-q", Q, "-o", tmp_path / "d.parquet")
    assert result.exit_code == 0 and "reading" not in result.stderr
