"""`survey init` from a Qualtrics survey definition (.qsf): a survey written here in the .qsf's
shape (Chinese with English translations; a single choice with recode values, an other-specify
text and a "hard to say"; a multi with an exclusive "none" and an other text; a Likert matrix; a
rank order; a number-validated text entry; a descriptive text; display logic that translates and
one that does not; a branch of the flow; timing, embedded data and the trash) is drafted, passes
`survey check`, and a Qualtrics CSV export of responses to it (three header rows; numeric values
with the multi-select split or joined, or choice text) imports with every question matched,
every column used or explained, and per question the answers a plain pandas read of the export
counts."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_helpers import invoke

from survey.drafts.qualtrics_logic import Target, translate
from survey.expressions.from_xpath import Untranslatable
from survey.questionnaire.loader import load_questionnaire
from survey.readers import read_responses
from survey.responses.missing import DONT_KNOW as DONT_KNOW_KIND

N = 240
ZH, EN = "ZH-S", "EN"
META = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
        "Finished", "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName",
        "RecipientEmail", "ExternalReference", "LocationLatitude", "LocationLongitude",
        "DistributionChannel", "UserLanguage"]
TIMING = ["Q9_First Click", "Q9_Last Click", "Q9_Page Submit", "Q9_Click Count"]


def _choices(pairs: dict[str, tuple[str, str]], **extra: dict) -> tuple[dict, dict]:
    """Choices in Chinese and their English translation; `extra` adds keys to a choice."""
    base = {cid: {"Display": zh, **extra.get(f"c{cid}", {})} for cid, (zh, _) in pairs.items()}
    return base, {cid: {"Display": f"<span>{en}</span>"} for cid, (_, en) in pairs.items()}


def _question(qid: str, tag: str, kind: str, selector: str, text: tuple[str, str],
              choices: dict | None = None, answers: dict | None = None, **keys) -> dict:
    zh, en = text
    payload = {"QuestionID": qid, "DataExportTag": tag, "QuestionType": kind,
               "Selector": selector, "QuestionText": f"<p>{zh}</p>",
               "QuestionDescription": zh, "Language": {EN: {"QuestionText": en}},
               "Validation": {"Settings": {"ForceResponse": "OFF", "Type": "None"}}}
    if choices is not None:
        payload["Choices"], payload["Language"][EN]["Choices"] = choices
        payload["ChoiceOrder"] = [int(c) for c in choices[0]]
    if answers is not None:
        payload["Answers"], payload["Language"][EN]["Answers"] = answers
        payload["AnswerOrder"] = [int(c) for c in answers[0]]
    payload.update(keys)
    return {"SurveyID": "SV_1", "Element": "SQ", "PrimaryAttribute": qid, "Payload": payload}


def _condition(locator: str, operator: str, description: str, right: str | None = None,
               conjunction: str | None = None, kind: str = "Question") -> dict:
    found = {"LogicType": kind, "LeftOperand": locator, "Operator": operator,
             "Type": "Expression", "Description": f"<span class=\"ConjDesc\">If</span> "
                                                  f"{description}"}
    if kind == "Question":
        found["QuestionID"] = locator.split("/")[2]
    if right is not None:
        found["RightOperand"] = right
    if conjunction:
        found["Conjuction"] = conjunction
    return found


def _logic(*conditions: dict) -> dict:
    group = {str(i): c for i, c in enumerate(conditions)}
    return {"0": {**group, "Type": "If"}, "Type": "BooleanExpression", "inPage": False}


WORKPLACE = {"1": ("国有企业", "State-owned"), "2": ("私营企业", "Private"),
             "3": ("外资企业", "Foreign-owned"), "4": ("其他（请注明）", "Other (please specify)"),
             "5": ("说不清", "Hard to say")}
WORKPLACE_CODES = {"1": 1, "2": 3, "3": 6, "4": 96, "5": 99}
CONCERNS = {"1": ("工资收入", "Wages"), "2": ("社会保险", "Social insurance"),
            "3": ("工作时间", "Working hours"), "4": ("其他（请注明）", "Other"),
            "5": ("以上都没有", "None of these")}
CONCERN_CODES = {"1": 1, "2": 2, "3": 3, "4": 7, "5": 8}
AGREE = {"1": ("非常不同意", "Strongly disagree"), "2": ("不同意", "Disagree"),
         "3": ("同意", "Agree"), "4": ("非常同意", "Strongly agree"),
         "5": ("说不清", "Hard to say")}
AGREE_CODES = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 9}


def survey_definition() -> dict:
    """The .qsf of the survey the module docstring describes."""
    elements = [
        _question("QID1", "Q1", "MC", "SAVR", ("您的性别", "Sex"),
                  _choices({"1": ("男", "Male"), "2": ("女", "Female")}),
                  Validation={"Settings": {"ForceResponse": "ON", "Type": "None"}}),
        _question("QID2", "Q2", "MC", "SAVR", ("您的工作单位类型", "Workplace type"),
                  _choices(WORKPLACE, c4={"TextEntry": "true"}),
                  RecodeValues={k: str(v) for k, v in WORKPLACE_CODES.items()},
                  Validation={"Settings": {"ForceResponse": "ON", "Type": "None"}}),
        _question("QID3", "Q3", "MC", "MAVR", ("您最关心的问题", "Main concerns"),
                  _choices(CONCERNS, c4={"TextEntry": "true"}, c5={"ExclusiveAnswer": True}),
                  RecodeValues={k: str(v) for k, v in CONCERN_CODES.items()},
                  Validation={"Settings": {"ForceResponse": "OFF", "Type": "MaxChoices",
                                           "MaxChoices": "3"}}),
        _question("QID4", "Q4", "Matrix", "Likert", ("以下说法您同意吗", "Job attitudes"),
                  _choices({"1": ("我为我的工作自豪", "I am proud of my work"),
                            "2": ("我会推荐这份工作", "I would recommend this job"),
                            "3": ("我打算明年换工作", "I plan to change jobs next year")}),
                  _choices(AGREE), SubSelector="SingleAnswer", ChoiceDataExportTags=False,
                  RecodeValues={k: str(v) for k, v in AGREE_CODES.items()}),
        _question("QID5", "Q5", "RO", "DND", ("请按重要性排序", "Rank by importance"),
                  _choices({"1": ("工资", "Pay"), "2": ("稳定", "Stability"),
                            "3": ("发展", "Career growth"), "4": ("环境", "Environment")}),
                  DisplayLogic=_logic(_condition("district", "EqualTo", "district Is Equal "
                                                 "to D1", "D1", kind="EmbeddedField"))),
        _question("QID6", "hours", "TE", "SL", ("上周您工作了多少小时", "Hours worked last week"),
                  Validation={"Settings": {"ForceResponse": "OFF", "Type": "ContentType",
                                           "ContentType": "ValidNumber",
                                           "ValidNumber": {"Min": "0", "Max": "100",
                                                           "NumDecimals": "0"}}},
                  DisplayLogic=_logic(
                      _condition("q://QID2/SelectableChoice/1", "Selected", "国有企业 Is Selected"),
                      _condition("q://QID2/SelectableChoice/2", "Selected", "私营企业 Is Selected",
                                 conjunction="Or"))),
        _question("QID7", "Q7", "DB", "TB", ("以下问题关于您的工作", "About your work")),
        _question("QID8", "Q8", "TE", "ESTB", ("您对工作还有什么意见？", "Comments on your work"),
                  DisplayLogic=_logic(_condition("q://QID6/ChoiceTextEntryValue", "GreaterThan",
                                                 "hours Is Greater Than 40", "40"))),
        _question("QID9", "Q9", "Timing", "PageTimer", ("计时", "Timing")),
        _question("QID10", "Q10", "MC", "SAVR", ("已删除的问题", "A deleted question"),
                  _choices({"1": ("是", "Yes"), "2": ("否", "No")})),
        {"Element": "BL", "Payload": [
            {"Type": "Default", "ID": "BL_1", "Description": "基本情况", "BlockElements": [
                {"Type": "Question", "QuestionID": "QID1"},
                {"Type": "Question", "QuestionID": "QID2"}, {"Type": "Page Break"},
                {"Type": "Question", "QuestionID": "QID3"},
                {"Type": "Question", "QuestionID": "QID4"},
                {"Type": "Question", "QuestionID": "QID5"}]},
            {"Type": "Standard", "ID": "BL_2", "Description": "工作", "BlockElements": [
                {"Type": "Question", "QuestionID": f"QID{n}"} for n in (6, 7, 8, 9)]},
            {"Type": "Trash", "ID": "BL_3", "Description": "Trash / Unused Questions",
             "BlockElements": [{"Type": "Question", "QuestionID": "QID10"}]}]},
        {"Element": "FL", "Payload": {"Type": "Root", "FlowID": "FL_1", "Flow": [
            {"Type": "EmbeddedData", "FlowID": "FL_2",
             "EmbeddedData": [{"Field": "district", "Type": "Recipient"}]},
            {"Type": "Block", "ID": "BL_1", "FlowID": "FL_3"},
            {"Type": "Branch", "FlowID": "FL_4",
             "BranchLogic": _logic(_condition("q://QID2/SelectableChoice/5", "NotSelected",
                                              "说不清 Is Not Selected")),
             "Flow": [{"Type": "Block", "ID": "BL_2", "FlowID": "FL_5"}]}]}},
        {"Element": "SO", "Payload": {"AvailableLanguages": {ZH: [], EN: []}}},
    ]
    entry = {"SurveyID": "SV_1", "SurveyName": "Workers 2024", "SurveyLanguage": ZH,
             "SurveyStatus": "Active"}
    return {"SurveyEntry": entry, "SurveyElements": elements}


def simulated(seed: int = 7) -> pd.DataFrame:
    """Responses as a Qualtrics numeric export holds them, one column per export column, ''
    where nothing was answered; display logic and the branch respected."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(index=range(N))
    frame["district"] = rng.choice(["D1", "D2", "D3"], N)
    frame["Q1"] = rng.choice(["1", "2"], N)
    frame["Q2"] = rng.choice(["1", "3", "6", "96", "99", ""], N, p=[.3, .3, .15, .1, .1, .05])
    frame["Q2_96_TEXT"] = np.where(frame["Q2"] == "96", rng.choice(["个体户", "自己开店"], N), "")
    answered = rng.random(N) > 0.08
    picked = {code: (rng.random(N) < 0.4) & answered for code in (1, 2, 3, 7)}
    none = answered & ~np.any(list(picked.values()), axis=0)
    for code in (1, 2, 3, 7):
        frame[f"Q3_{code}"] = np.where(picked[code], "1", "")
    frame["Q3_8"] = np.where(none, "1", "")
    frame["Q3_7_TEXT"] = np.where(picked[7], rng.choice(["住房", "子女上学"], N), "")
    frame["Q3_DO"] = "1|2|3|4|5"
    for row in (1, 2, 3):
        frame[f"Q4_{row}"] = rng.choice(["1", "2", "3", "4", "9", ""], N,
                                        p=[.15, .2, .3, .2, .1, .05])
    ranks = np.array([rng.permutation(4) + 1 for _ in range(N)])
    for k in range(4):
        frame[f"Q5_{k + 1}"] = np.where(frame["district"] == "D1", ranks[:, k].astype(str), "")
    shown = frame["Q2"].isin(["1", "3"])  # the branch (not 99) and the display logic (1 or 3)
    frame["hours"] = np.where(shown & (rng.random(N) > 0.05),
                              rng.integers(20, 80, N).astype(str), "")
    long = pd.to_numeric(frame["hours"], errors="coerce") > 40
    frame["Q8"] = np.where(long & (rng.random(N) > 0.4), rng.choice(["太累", "加班多"], N), "")
    for column in TIMING:
        frame[column] = np.where(frame["Q2"] != "99", rng.integers(1, 60, N).astype(str), "")
    return frame


def as_choice_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The export in choice text: each choice's (Chinese) text where the numeric export has
    its recode value, and a split multi's text where it has 1."""
    texts = frame.copy()
    sex = {"1": "男", "2": "女"}
    work = {str(WORKPLACE_CODES[c]): zh for c, (zh, _) in WORKPLACE.items()}
    agree = {str(AGREE_CODES[c]): zh for c, (zh, _) in AGREE.items()}
    texts["Q1"] = frame["Q1"].map(sex)
    texts["Q2"] = frame["Q2"].map(work).fillna("")
    for cid, code in CONCERN_CODES.items():
        texts[f"Q3_{code}"] = frame[f"Q3_{code}"].replace({"1": CONCERNS[cid][0]})
    for row in (1, 2, 3):
        texts[f"Q4_{row}"] = frame[f"Q4_{row}"].map(agree).fillna("")
    return texts


def joined(frame: pd.DataFrame) -> pd.DataFrame:
    """The export with the multi-select in one column, its recode values joined by commas."""
    split = [f"Q3_{code}" for code in CONCERN_CODES.values()]
    chosen = frame[split].apply(lambda row: ",".join(c[3:] for c in split if row[c]), axis=1)
    return frame.drop(columns=split).assign(Q3=chosen)


def write_export(frame: pd.DataFrame, path: Path) -> Path:
    """The modern CSV export: tags, question texts, ImportIds (JSON), then the responses."""
    columns = [*META, *[c for c in frame.columns if c != "district"], "district"]
    ids = {"Q2_96_TEXT": {"ImportId": "QID2_4_TEXT"}, "Q3_7_TEXT": {"ImportId": "QID3_4_TEXT"},
           "Q3_DO": {"ImportId": "QID3_DO"}, "hours": {"ImportId": "QID6_TEXT"},
           "Q8": {"ImportId": "QID8_TEXT"}, "district": {"ImportId": "district"}}
    ids |= {f"Q3_{code}": {"ImportId": "QID3", "choiceId": cid}
            for cid, code in CONCERN_CODES.items()}
    ids |= {c: {"ImportId": f"QID9_{c[3:].upper().replace(' ', '_')}"} for c in TIMING}
    rows = [columns, [c if c in META else f"问题 {c}" for c in columns]]
    rows.append([json.dumps(ids.get(c) or {"ImportId": c[0].lower() + c[1:] if c in META else
                                         "QID" + c[1:]}, ensure_ascii=False) for c in columns])
    for i in range(len(frame)):
        meta = {"StartDate": f"2024-11-{1 + i % 28:02d} 08:00:00", "Status": "0",
                "ResponseId": f"R_{i:05d}", "Finished": "1", "UserLanguage": "ZH-S",
                "Duration (in seconds)": str(300 + i), "Progress": "100"}
        rows.append([meta.get(c, "") if c in META else frame.at[i, c] for c in columns])
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


# the drafted names of the questions and the export columns that hold each
HOLDS = {"q1_sex": ["Q1"], "q2_workplace_type": ["Q2"],
         "q3_main_concerns": ["Q3", "Q3_1", "Q3_2", "Q3_3", "Q3_7", "Q3_8"],
         "q4_job_attitudes_1": ["Q4_1"], "q4_job_attitudes_2": ["Q4_2"],
         "q4_job_attitudes_3": ["Q4_3"], "q5_rank_importance": [f"Q5_{k}" for k in (1, 2, 3, 4)],
         "hours": ["hours"], "q7_about_work": [], "q8_comments_work": ["Q8"]}
DONT_KNOW = {"q2_workplace_type": ("99", "说不清")} | {
    f"q4_job_attitudes_{k}": ("9", "说不清") for k in (1, 2, 3)}


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("qsf")
    (folder / "survey.qsf").write_text(json.dumps(survey_definition(), ensure_ascii=False,
                                                  indent=2), encoding="utf-8")
    write_export(simulated(), folder / "export.csv")
    write_export(as_choice_text(simulated()), folder / "choice_text.csv")
    write_export(joined(simulated()), folder / "joined.csv")
    return folder


@pytest.fixture(scope="module")
def drafted(folder):
    done = invoke("init", folder / "survey.qsf", "-o", folder / "questionnaire.yaml")
    assert done.exit_code == 0, done.stderr
    return folder / "questionnaire.yaml", done.stdout


def test_the_drafted_questionnaire_passes_check(drafted):
    path, said = drafted
    assert said.startswith(f"wrote {path}: 8 questions")
    done = invoke("check", path)
    assert done.exit_code == 0, done.stderr


def test_questions_codes_labels_and_logic(drafted):
    q = load_questionnaire(drafted[0])
    assert q.survey.languages == ["zh", "en"] and q.survey.id == "workers_2024"
    assert [x.name for x in q.questions] == [
        "q1_sex", "q2_workplace_type", "q3_main_concerns", "q4_job_attitudes",
        "q5_rank_importance", "hours", "q7_about_work", "q8_comments_work"]
    by = {x.name: x for x in q.questions}
    work = by["q2_workplace_type"]
    assert work.codes == [1, 3, 6, 96, 99] and work.other == 96 and work.dont_know == 99
    assert work.required and by["q1_sex"].required and not by["q3_main_concerns"].required
    assert work.options[96] == {"zh": "其他（请注明）", "en": "Other (please specify)"}
    assert by["q1_sex"].label == {"zh": "您的性别", "en": "Sex"}
    concerns = by["q3_main_concerns"]
    assert (concerns.type, concerns.codes, concerns.exclusive, concerns.other,
            concerns.max_choices) == ("multi", [1, 2, 3, 7, 8], [8], 7, 3)
    grid = by["q4_job_attitudes"]
    assert grid.type == "grid" and grid.codes == [1, 2, 3, 4, 9] and grid.dont_know == 9
    assert [i.name for i in grid.items] == [f"q4_job_attitudes_{k}" for k in (1, 2, 3)]
    assert grid.items[2].label["en"] == "I plan to change jobs next year"
    rank = by["q5_rank_importance"]
    assert (rank.type, rank.max_choices, rank.relevant) == ("rank", 4, None)
    hours = by["hours"]
    assert (hours.type, hours.integer, hours.min, hours.max) == ("number", True, 0, 100)
    branch = "not (q2_workplace_type == 99)"
    assert hours.relevant == f"{branch} and (q2_workplace_type == 1 or q2_workplace_type == 3)"
    assert by["q8_comments_work"].relevant == f"{branch} and hours > 40"
    assert by["q7_about_work"].type == "note" and by["q7_about_work"].relevant == branch


def test_what_is_lost_is_said_beside_it_and_on_the_terminal(drafted):
    path, said = drafted
    text = path.read_text(encoding="utf-8")
    lost = "its display logic is not carried over: If district Is Equal to D1"
    lines = text.splitlines()
    above = lines[lines.index("  - name: q5_rank_importance") - 1]
    assert above.startswith(f"  # {lost} (a condition on embedded data")
    assert lost in said
    for word in ("Q9_First Click", "district", "trash", "option 99 taken as \"don't know\""):
        assert word in said, word
    assert "Q10" not in text and "已删除" not in text


def _answered(export: Path) -> dict[str, int]:
    """Answers per question, read from the export with pandas: a cell in one of its columns
    that is not its "don't know"."""
    frame = pd.read_csv(export, dtype=str, keep_default_na=False, skiprows=[1, 2])
    found = {}
    for name, held in HOLDS.items():
        columns = [c for c in held if c in frame]
        cells = frame[columns]
        given = (cells != "") & ~cells.isin(DONT_KNOW.get(name, ()))
        found[name] = int(given.any(axis=1).sum()) if columns else 0
    return found


@pytest.mark.parametrize("export", ["export.csv", "choice_text.csv", "joined.csv"])
def test_an_export_imports_with_every_question_matched(folder, drafted, tmp_path, export):
    export = folder / export
    done = invoke("import", export, "-q", drafted[0], "-o", tmp_path / "clean.parquet",
                  "--json")
    assert done.exit_code == 0, done.stderr
    match = json.loads(done.stdout)
    assert match["unmatched"] == [] and match["respondents"] == N
    assert sorted(match["unused"]) == sorted([*TIMING, "district"])  # the notes name them
    answers = {q["name"]: q["answers"] for q in match["questions"]}
    assert answers == {n: a for n, a in _answered(export).items() if n in answers}
    assert set(answers) == set(HOLDS) - {"q7_about_work"} | {"q4_job_attitudes_1"}


@pytest.mark.parametrize("export", ["export.csv", "choice_text.csv", "joined.csv"])
def test_the_imported_values_are_the_recode_values(folder, drafted, export):
    truth = simulated()
    read = read_responses(folder / export, load_questionnaire(drafted[0]))
    frame = read.frame
    coded = {"q1_sex": "Q1", "q2_workplace_type": "Q2"} | {
        f"q4_job_attitudes_{k}": f"Q4_{k}" for k in (1, 2, 3)}
    for name, column in coded.items():  # "don't know" (99, 9) is a missing answer of its own
        values = pd.to_numeric(truth[column].replace({"99": "", "9": ""}), errors="coerce")
        assert frame[name].astype(float).equals(values.astype(float)), name
        dont_know = truth[column].isin(["99", "9"])
        assert ((read.missing[name] == DONT_KNOW_KIND) == dont_know).all(), name
    assert (frame["q2_workplace_type__96_text"].fillna("") == truth["Q2_96_TEXT"]).all()
    for code in (1, 2, 3, 7, 8):
        chosen = truth[f"Q3_{code}"] == "1"
        answered = truth[[f"Q3_{c}" for c in (1, 2, 3, 7, 8)]].ne("").any(axis=1)
        assert (frame[f"q3_main_concerns__{code}"] == chosen.astype(int))[answered].all()
    for k in (1, 2, 3, 4):
        ranks = pd.to_numeric(truth[f"Q5_{k}"], errors="coerce")
        assert frame[f"q5_rank_importance__{k}"].astype(float).equals(ranks.astype(float))
    hours = pd.to_numeric(truth["hours"], errors="coerce")
    assert frame["hours"].astype(float).equals(hours.astype(float))


def test_a_second_run_writes_the_same_bytes(folder, drafted):
    again = folder / "again.yaml"
    done = invoke("init", folder / "survey.qsf", "-o", again)
    assert done.exit_code == 0, done.stderr
    assert again.read_bytes() == drafted[0].read_bytes()


def test_an_update_from_the_next_wave_adds_its_new_question_and_columns(folder, drafted,
                                                                       tmp_path):
    path = tmp_path / "questionnaire.yaml"
    path.write_bytes(drafted[0].read_bytes())
    done = invoke("init", folder / "survey.qsf", "--update", path)
    assert done.exit_code == 0 and path.read_bytes() == drafted[0].read_bytes()
    wave = survey_definition()
    wave["SurveyElements"].insert(0, _question(
        "QID11", "Q11", "MC", "MAVR", ("您参加了哪些培训", "Training taken"),
        _choices({"1": ("安全", "Safety"), "2": ("技能", "Skills")})))
    blocks = next(e for e in wave["SurveyElements"] if e["Element"] == "BL")
    blocks["Payload"][1]["BlockElements"].append({"Type": "Question", "QuestionID": "QID11"})
    (tmp_path / "wave2.qsf").write_text(json.dumps(wave, ensure_ascii=False), encoding="utf-8")
    done = invoke("init", tmp_path / "wave2.qsf", "--update", path)
    assert done.exit_code == 0, done.stderr
    q = load_questionnaire(path)
    assert [x.name for x in q.questions][-1] == "q11_training_taken"
    assert q.questions[-1].relevant == "not (q2_workplace_type == 99)"
    assert {k: v for k, v in q.mapping.columns.items() if str(k).startswith("Q11")} == {
        "Q11": "q11_training_taken", "Q11_1": "q11_training_taken[1]",
        "Q11_2": "q11_training_taken[2]"}


@pytest.mark.parametrize(("content", "said"), [
    ("{not json", "not JSON"),
    ('{"SurveyEntry": {}}', "not a Qualtrics survey definition"),
])
def test_a_file_that_is_no_survey_definition_is_refused(tmp_path, content, said):
    path = tmp_path / "bad.qsf"
    path.write_text(content, encoding="utf-8")
    done = invoke("init", path, "-o", tmp_path / "q.yaml")
    assert done.exit_code == 2 and said in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not (tmp_path / "q.yaml").exists()


def other_kinds() -> dict:
    """A survey of the other kinds of question, in Chinese though its language says EN: a
    dropdown whose choices have variable names, NPS, a matrix of several answers per row, a form,
    a slider, a matrix with its rows' own export tags, two questions tagged alike, choices with
    no recode values (one deleted), recode values that are no codes, a side-by-side question,
    a block the flow leaves out and a question in no block."""
    def mc(qid: str, tag: str, choices: dict, **keys) -> dict:
        return _question(qid, tag, "MC", "SAVR", (f"问题{qid}", ""), _choices(choices), **keys)

    two = {"1": ("是", "Yes"), "2": ("否", "No")}
    elements = [
        _question("QID1", "gender", "MC", "DL", ("性别", ""),
                  _choices({"1": ("男", ""), "2": ("女", "")}),
                  VariableNaming={"1": "M", "2": "女"}),
        _question("QID2", "Q2", "MC", "NPS", ("推荐程度", ""),
                  _choices({str(k): (str(k), "") for k in range(11)}),
                  ChoiceOrder=list(range(11))),
        _question("QID3", "Q3", "Matrix", "Likert", ("每天做哪些事", ""),
                  _choices({"1": ("工作日", ""), "2": ("周末", "")}),
                  _choices({"1": ("上班", ""), "2": ("学习", ""), "3": ("运动", "")}),
                  SubSelector="MultipleAnswer"),
        _question("QID4", "Q4", "TE", "FORM", ("联系方式", ""),
                  _choices({"1": ("电话", ""), "2": ("地址", "")})),
        _question("QID5", "Q5", "Slider", "HSLIDER", ("满意度", ""),
                  _choices({"1": ("总体", "")})),
        _question("QID6", "Q6", "Matrix", "Likert", ("公平吗", ""),
                  _choices({"1": ("工资, 奖金", ""), "2": ("领导", "")}),
                  _choices({"1": ("公平", ""), "2": ("不公平", "")}), SubSelector="SingleAnswer",
                  ChoiceDataExportTags={"1": "pay_fair", "2": "boss_fair"}),
        mc("QID7", "dup", two), mc("QID8", "dup", two),
        mc("QID9", "Q9", {"1": ("甲", ""), "3": ("丙", "")}),
        mc("QID10", "Q10", two, RecodeValues={"1": "-", "2": "x"}),
        _question("QID11", "Q11", "SBS", "SBSMatrix", ("并列问题", "")),
        mc("QID12", "Q12", two),
        {"Element": "BL", "Payload": {
            "0": {"Type": "Default", "ID": "BL_1", "BlockElements": [
                {"Type": "Question", "QuestionID": f"QID{n}"} for n in range(1, 11)]},
            "1": {"Type": "Standard", "ID": "BL_2", "Description": "附加",
                  "BlockElements": [{"Type": "Question", "QuestionID": "QID11"}]}}},
        {"Element": "FL", "Payload": {"Type": "Root", "Flow": [{"Type": "Block", "ID": "BL_1"}]}},
    ]
    for element in elements:
        if element["Element"] == "SQ":
            del element["Payload"]["Language"]
    return {"SurveyEntry": {"SurveyName": "其他题型", "SurveyLanguage": "EN"},
            "SurveyElements": elements}


def test_other_kinds_of_question(tmp_path):
    source = tmp_path / "kinds.qsf"
    source.write_text(json.dumps(other_kinds(), ensure_ascii=False), encoding="utf-8")
    done = invoke("init", source, "-o", tmp_path / "q.yaml")
    assert done.exit_code == 0, done.stderr
    said = done.stdout
    q = load_questionnaire(tmp_path / "q.yaml")
    assert q.survey.languages == ["zh"] and q.survey.id == "kinds"
    by = {x.name: x for x in q.questions}
    assert list(by) == ["gender", "q2", "q3_1", "q3_2", "q4_1", "q4_2", "q5_1", "q6", "dup",
                        "dup_2", "q9", "q10"]
    assert (by["q2"].type, by["q2"].codes) == ("scale", list(range(11)))
    assert by["q6"].items[0].label == {"zh": "工资, 奖金"}
    assert [by[n].type for n in ("q3_1", "q4_1", "q5_1", "q6")] == [
        "multi", "text", "number", "grid"]
    assert by["q3_2"].label == {"zh": "每天做哪些事 - 周末"} and by["q9"].codes == [1, 3]
    assert by["q10"].codes == [1, 2] and "its recode values (-, x)" in said
    assert q.mapping.values == {"gender": {"M": 1}}
    assert q.mapping.columns == {
        "Q2": "q2", "Q2_NPS_GROUP": None, **{f"Q3_{r}_{a}": f"q3_{r}[{a}]"
                                             for r in (1, 2) for a in (1, 2, 3)},
        "Q4_1": "q4_1", "Q4_2": "q4_2", "Q5_1": "q5_1", "Q6_pay_fair": "q6_1", "pay_fair": "q6_1",
        "Q6_boss_fair": "q6_2", "boss_fair": "q6_2",
        "Q9": "q9", "Q10": "q10"}
    for words in ("its texts are written in Chinese", "2 questions have the export tag dup",
                  "Q11 (SBS/SBSMatrix) is a kind of question", "block '附加' is not in the "
                  "survey flow", "QID12 are in no block"):
        assert words in said, words


TARGETS = {"QID1": Target("sex", "single", {"1": 1, "2": 2}),
           "QID3": Target("concerns", "multi", {"1": 1, "4": 7}),
           "QID4": Target("grid", "grid", {"1": 1, "5": 9}, {"2": "grid_2"}),
           "QID6": Target("hours", "number"), "QID8": Target("comments", "text")}


@pytest.mark.parametrize(("conditions", "expected"), [
    ([("q://QID3/SelectableChoice/4", "Selected", None, None)], "selected(concerns, 7)"),
    ([("q://QID4/SelectableChoice/2/5", "Selected", None, None)], "grid_2 == 9"),
    ([("q://QID6/ChoiceTextEntryValue", "LessThanOrEqual", "10", None),
      ("q://QID1/SelectableChoice/2", "Selected", None, "And"),
      ("q://QID8/ChoiceTextEntryValue", "Empty", None, "Or")],
     "hours <= 10 and sex == 2 or is_missing(comments)"),
    ([("q://QID8/ChoiceTextEntryValue", "EqualTo", "无", None)], "comments == '无'"),
    ([("q://QID3/SelectedChoicesCount", "GreaterThan", "1", None)], "count_selected(concerns) > 1"),
])
def test_conditions_that_translate(conditions, expected):
    logic = _logic(*[_condition(locator, operator, "", right, conjunction)
                     for locator, operator, right, conjunction in conditions])
    assert translate(logic, TARGETS) == expected


@pytest.mark.parametrize("condition", [
    _condition("q://QID1/ChoiceDisplayed/1", "Displayed", ""),
    _condition("q://QID9/SelectableChoice/1", "Selected", ""),
    _condition("q://QID8/ChoiceTextEntryValue", "Contains", "", "累"),
    _condition("q://QID6/ChoiceTextEntryValue", "GreaterThan", "", "forty"),
    _condition("iphone", "Is", "", kind="DeviceType"),
])
def test_conditions_that_do_not_translate(condition):
    with pytest.raises(Untranslatable):
        translate(_logic(condition), TARGETS)
