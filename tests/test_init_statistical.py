"""`survey init` from SPSS and Stata files: another project's labelled .sav and .dta (written here
with pyreadstat: Chinese labels, user-missing 98/99 or Stata's .b/.d, a label set several
variables share, a multiple-response set, 0/1 variables without one, the free text of an "other"
option, a date, an id and a weight) drafts a questionnaire that passes `survey check` and imports
the very file with every question matched and the answers an independent pyreadstat read finds;
and our own .sav and .dta of the reference questionnaire come back with its names, labels and
codes wherever the file carries them, the same bytes on a second run."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from cli_helpers import invoke

from survey.drafts.statistical_blocks import name_stem, split_labels
from survey.drafts.statistical_options import is_named_set
from survey.questionnaire.loader import load_questionnaire
from survey.readers import read_responses
from survey.simulation.generate import simulate
from survey.writers import write_responses
from survey.writers.spss_mrsets import MRSet, add_mrsets

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "questionnaires" / "industrial_workers.yaml"
SAMPLE = ROOT / "data_samples" / "industrial_workers.sav"
N = 80
AGREE = {1.0: "非常不同意", 2.0: "不太同意", 3.0: "一般", 4.0: "比较同意", 5.0: "非常同意"}
GRID = ["我为自己的工作感到自豪", "我的工作对社会有价值", "我愿意一直做这份工作",
        "我的工作受人尊重"]
INSURANCE = ["养老保险", "医疗保险", "工伤保险", "都没有"]
PLATFORMS = ["微信", "抖音", "快手"]
CONCERNS = {1.0: "工资收入", 2.0: "住房", 3.0: "看病就医", 4.0: "子女教育"}
SELECTED = {0.0: "未选", 1.0: "选中"}


def _answers(seed: int = 3) -> pd.DataFrame:
    """Another project's answers, numbers as SPSS and Stata hold them (NaN: no answer)."""
    rng = np.random.default_rng(seed)
    gone = lambda share: rng.random(N) < share  # noqa: E731
    frame = pd.DataFrame({"ID": np.arange(1, N + 1, dtype=float)})
    frame["Q1"] = np.where(gone(0.05), np.nan, rng.choice([1.0, 2.0], N))
    frame["Q2"] = np.where(gone(0.1), 9999.0, rng.integers(1960, 2006, N).astype(float))
    frame["Q3"] = rng.choice([1.0, 2.0, 3.0, 4.0, 98.0, 99.0], N, p=[.3, .3, .1, .1, .1, .1])
    frame["Q3_4_TEXT"] = np.where(frame["Q3"] == 4, rng.choice(["社会组织", "个体户"], N), "")
    for i in range(1, 5):
        frame[f"Q4_{i}"] = np.where(gone(0.05), np.nan, rng.integers(1, 6, N).astype(float))
    chosen = (rng.random((N, 3)) < 0.5).astype(float)
    block = np.column_stack([chosen, (chosen.sum(axis=1) == 0).astype(float)])
    block[gone(0.1)] = np.nan
    for i in range(4):
        frame[f"Q5_{i + 1}"] = block[:, i]
    frame["Q6"] = np.where(gone(0.05), np.nan, rng.integers(1, 6, N).astype(float))
    platforms = (rng.random((N, 3)) < 0.6).astype(float)
    platforms[gone(0.1)] = np.nan
    for i in range(3):
        frame[f"Q7_{i + 1}"] = platforms[:, i]
    places = np.array([rng.permutation([1.0, 2.0, 3.0, 4.0])[:3] for _ in range(N)])
    places[rng.random(N) < 0.3, 2] = np.nan  # two mentions only
    places[gone(0.1)] = np.nan
    for i in range(3):
        frame[f"Q8_{i + 1}"] = places[:, i]
    days = rng.integers(0, 60, N)
    frame["Q9"] = [dt.date(2025, 3, 1) + dt.timedelta(days=int(d)) for d in days]
    frame["Q10"] = np.where(gone(0.7), "", rng.choice(["加工资", "多培训", "少加班"], N))
    frame["Q11"] = np.where(gone(0.05), np.nan, rng.integers(1, 6, N).astype(float))
    frame["weight"] = rng.uniform(0.5, 2.0, N).round(3)
    return frame


def _labels(drop: tuple[str, ...] = ()) -> dict[str, str]:
    labels = {"ID": "问卷编号", "Q1": "您的性别", "Q2": "您的出生年份", "Q3": "您单位的性质",
              "Q3_4_TEXT": "您单位的性质：其他（请注明）", "Q6": "总的来说，我对这份工作感到满意",
              "Q9": "调查日期", "Q10": "您对工会有什么建议？", "Q11": "您对住房状况的满意程度",
              "weight": "权重"}
    labels |= {f"Q4_{i + 1}": f"您是否同意以下说法：{text}" for i, text in enumerate(GRID)}
    labels |= {f"Q5_{i + 1}": text for i, text in enumerate(INSURANCE)}
    labels |= {f"Q7_{i + 1}": f"您常用哪些平台：{text}" for i, text in enumerate(PLATFORMS)}
    labels |= {f"Q8_{i + 1}": f"最关心的问题：第{n}位" for i, n in enumerate("一二三")}
    return {k: v for k, v in labels.items() if k not in drop}


def _value_labels() -> dict[str, dict]:
    values = {"Q1": {1.0: "男", 2.0: "女"},
              "Q3": {1.0: "国有企业", 2.0: "民营企业", 3.0: "外资企业", 4.0: "其他（请注明）",
                     98.0: "拒绝回答", 99.0: "不知道"},
              "Q6": AGREE, "Q11": {1.0: "非常不满意", 5.0: "非常满意"}}
    values |= {f"Q4_{i}": AGREE for i in range(1, 5)}
    values |= {f"Q7_{i}": SELECTED for i in range(1, 4)}
    values |= {f"Q8_{i}": CONCERNS for i in range(1, 4)}
    return values


def write_sav(folder: Path) -> Path:
    path = folder / "their.sav"
    ordinal = ["Q4_1", "Q4_2", "Q4_3", "Q4_4", "Q6", "Q11"]
    pyreadstat.write_sav(
        _answers(), str(path), column_labels=_labels(), variable_value_labels=_value_labels(),
        missing_ranges={"Q3": [98.0, 99.0], "Q2": [9999.0]},
        variable_measure=dict.fromkeys(ordinal, "ordinal"),
        variable_format={"ID": "F8.0", "Q2": "F8.0", "weight": "F8.3"})
    add_mrsets(path, [MRSet("Q5", "您参加了哪些社会保险？", ("Q5_1", "Q5_2", "Q5_3", "Q5_4")),
                      MRSet("Q8", "您最关心的三个问题（按重要性排序）", ("Q8_1", "Q8_2", "Q8_3"),
                            None)])
    return path


def write_dta(folder: Path) -> Path:
    """The same in Stata: .b refused and .d don't know instead of 98/99, no sets (none in
    Stata): the insurance block as 0/1 variables labelled 是/否, the platforms unlabelled."""
    frame = _answers().drop(columns=["Q8_1", "Q8_2", "Q8_3"])
    frame["Q2"] = frame["Q2"].where(frame["Q2"] != 9999.0)
    frame["Q3"] = frame["Q3"].astype(object).replace({98.0: "b", 99.0: "d"})
    values = {k: v for k, v in _value_labels().items() if not k.startswith(("Q7", "Q8"))}
    values["Q3"] = {1: "国有企业", 2: "民营企业", 3: "外资企业", 4: "其他（请注明）",
                    "b": "拒绝回答", "d": "不知道"}
    values |= {f"Q5_{i}": {0: "否", 1: "是"} for i in range(1, 5)}
    labels = _labels(drop=("Q8_1", "Q8_2", "Q8_3"))
    labels |= {f"Q5_{i + 1}": f"您参加了哪些社会保险？：{text}" for i, text in enumerate(INSURANCE)}
    path = folder / "their.dta"
    pyreadstat.write_dta(frame, str(path), column_labels=labels, variable_value_labels=values,
                         missing_user_values={"Q3": ["b", "d"]})
    return path


QUESTIONS = {  # drafted question: the columns an independent read counts its answers in
    "q1": ["Q1"], "q2": ["Q2"], "q3": ["Q3"], "q4_1": ["Q4_1"], "q4_2": ["Q4_2"],
    "q4_3": ["Q4_3"], "q4_4": ["Q4_4"], "q5": ["Q5_1", "Q5_2", "Q5_3", "Q5_4"], "q6": ["Q6"],
    "q7": ["Q7_1", "Q7_2", "Q7_3"], "q8": ["Q8_1", "Q8_2", "Q8_3"], "q9": ["Q9"],
    "q10": ["Q10"], "q11": ["Q11"]}


def _truth(path: Path) -> tuple[pd.DataFrame, dict[str, int]]:
    """The file as pyreadstat reads it on its own (missing codes and letters as empty), and per
    question the respondents with any value in its columns."""
    reader = pyreadstat.read_sav if path.suffix == ".sav" else pyreadstat.read_dta
    frame, _ = reader(str(path))
    filled = frame.astype(object).where(frame.notna(), "").map(lambda v: str(v).strip() != "")
    return frame, {q: int(filled[[c for c in columns if c in frame]].any(axis=1).sum())
                   for q, columns in QUESTIONS.items() if any(c in frame for c in columns)}


@pytest.fixture(scope="module", params=["sav", "dta"])
def theirs(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    source = (write_sav if request.param == "sav" else write_dta)(folder)
    done = invoke("init", source, "-o", folder / "questionnaire.yaml")
    assert done.exit_code == 0, done.stderr
    return source, folder / "questionnaire.yaml", done.stdout


def test_their_file_drafts_a_questionnaire_that_passes_check(theirs):
    source, path, said = theirs
    done = invoke("check", path)
    assert done.exit_code == 0, done.stderr
    q = load_questionnaire(path)
    kinds = {question.name: question.type for question in q.questions}
    expected = {"q1": "single", "q2": "number", "q3": "single", "q4_grid": "grid",
                "q5": "multi", "q6": "scale" if source.suffix == ".sav" else "single",
                "q7": "multi", "q9": "date", "q10": "text", "q11": "single"}
    if source.suffix == ".sav":
        expected["q8"] = "rank"
    assert kinds == expected
    assert q.design.weight == "weight"
    assert "column ID taken as the respondent id" in said


def test_their_labels_codes_and_missing_codes(theirs):
    source, path, _ = theirs
    q = load_questionnaire(path)
    assert q.survey.languages == ["zh"]
    sex, unit, grid = q.question("q1"), q.question("q3"), q.question("q4_grid")
    assert sex.label == {"zh": "您的性别"} and sex.options == {1: {"zh": "男"}, 2: {"zh": "女"}}
    assert [unit.options[c]["zh"] for c in unit.codes] == \
        ["国有企业", "民营企业", "外资企业", "其他（请注明）", "不知道"]
    assert unit.other == 4 and unit.dont_know == unit.codes[-1]  # refused is no option
    assert unit.dont_know == (99 if source.suffix == ".sav" else 9)
    assert grid.label == {"zh": "您是否同意以下说法"} and grid.choice_list == "q4_grid_options"
    assert [(i.name, i.label["zh"]) for i in grid.items] == \
        [(f"q4_{i + 1}", text) for i, text in enumerate(GRID)]
    assert q.question("q6").choice_list == grid.choice_list  # the label set they share
    insurance = q.question("q5")
    assert insurance.codes == [1, 2, 3, 4] and insurance.exclusive == [4]
    assert [insurance.options[c]["zh"] for c in insurance.codes] == INSURANCE
    assert insurance.label["zh"] == "您参加了哪些社会保险？"
    platforms = q.question("q7")
    assert platforms.label == {"zh": "您常用哪些平台"} and \
        [platforms.options[c]["zh"] for c in platforms.codes] == PLATFORMS
    assert q.question("q11").codes == [1, 2, 3, 4, 5]  # unlabelled 2-4 are in the file
    assert q.question("q2").integer
    if source.suffix == ".sav":
        concerns = q.question("q8")
        assert concerns.max_choices == 3 and concerns.options == {
            int(k): {"zh": v} for k, v in CONCERNS.items()}
    text = path.read_text(encoding="utf-8")
    assert "拒绝回答" in text  # said where it is left out
    assert '"Q5_1": "q5[1]"' in text or "Q5_1: q5[1]" in text


def test_their_file_imports_with_every_question_matched(theirs, tmp_path):
    source, path, _ = theirs
    done = invoke("import", source, "-q", path, "-o", tmp_path / "clean.parquet", "--json")
    assert done.exit_code == 0, done.stderr
    match = json.loads(done.stdout)
    q = load_questionnaire(path)
    assert match["unmatched"] == []
    assert set(match["unused"]) <= {q.design.weight}  # the weight, said as design
    frame, truth = _truth(source)
    answered = {item["name"]: item["answers"] for item in match["questions"]}
    assert answered == truth
    read = read_responses(source, q)
    for name in ("q1", "q3", "q4_2", "q6", "q11"):
        column = {"q4_2": "Q4_2"}.get(name, name.upper())
        expected = pd.to_numeric(frame[column], errors="coerce")
        got = pd.to_numeric(read.frame[name].astype(object), errors="coerce")
        answered_rows = expected.notna().to_numpy()
        assert got[answered_rows].tolist() == expected[answered_rows].tolist(), name
        assert got[~answered_rows].isna().all(), name


# ------------------------------------------------------------------------ our own files

@pytest.fixture(scope="module")
def reference():
    return load_questionnaire(REFERENCE)


@pytest.fixture(scope="module")
def ours(reference, tmp_path_factory):
    """Our bundled sample (.sav), and a .sav and a .dta our writers make now, each drafted."""
    folder = tmp_path_factory.mktemp("ours")
    responses = simulate(reference, 300, seed=5)
    files = {"sample": SAMPLE, "sav": write_responses(responses, folder / "ours.sav"),
             "dta": write_responses(responses, folder / "ours.dta")}
    drafted = {}
    for kind, source in files.items():
        done = invoke("init", source, "-o", folder / f"{kind}.yaml")
        assert done.exit_code == 0, done.stderr
        drafted[kind] = load_questionnaire(folder / f"{kind}.yaml")
    return drafted


@pytest.mark.parametrize("kind", ["sample", "sav", "dta"])
def test_our_files_come_back_with_the_reference_names_labels_and_codes(reference, ours, kind):
    back = ours[kind]
    before = {q.name: q for q in reference.questions if q.type != "note"}
    after = {q.name: q for q in back.questions}
    renamed = {"satisfaction_grid": "sat_grid"}  # a grid's own name is in no file
    design = {"district", "enterprise_id"} if kind == "sample" else set()
    assert set(after) == {renamed.get(n, n) for n in before} | design
    for name, question in before.items():
        drafted = after[renamed.get(name, name)]
        assert [i.name for i in drafted.items] == [i.name for i in question.items]
        if question.type == "grid":
            continue  # a grid's text is in no file, its items' are
        label = drafted.label["zh"]
        assert label == question.label["zh"] or (kind == "dta" and question.label["zh"]
                                                 .startswith(label)), name  # Stata: 80 bytes
        if question.type in ("single", "scale"):
            assert (drafted.codes, drafted.other, drafted.dont_know) == \
                (question.codes, question.other, question.dont_know), name
        elif question.is_set and (kind != "dta" or all(
                len(f"{name}__{code}") <= 29 for code in question.codes)):  # Stata cuts names
            assert drafted.type == question.type and drafted.codes == question.codes, name
            assert drafted.other == question.other, name
    assert back.design.weight == ("weight" if kind == "sample" else None)


def test_a_second_run_writes_the_same_bytes(tmp_path):
    for name in ("one.yaml", "two.yaml"):
        done = invoke("init", SAMPLE, "-o", tmp_path / name)
        assert done.exit_code == 0, done.stderr
    assert (tmp_path / "one.yaml").read_bytes() == (tmp_path / "two.yaml").read_bytes()


def test_labels_split_at_a_separator_and_names_at_their_stem():
    assert split_labels(["5、您最关心(工资收入)", "5、您最关心(住房)"]) == ("5、您最关心",
                                                                   ["工资收入", "住房"])
    assert split_labels(["工资收入", "工作时间"]) == ("", ["工资收入", "工作时间"])
    assert split_labels(["Q5: Pay", "Q5: Pay"]) == ("Q5: Pay", ["", ""])
    assert name_stem("Q5_1") == ("Q5", "1") and name_stem("q5b") == ("q5", "b")
    assert name_stem("concerns__career_growth") == ("concerns", "career_growth")
    assert name_stem("sex") is None
    assert is_named_set("agree5", ["q4_1", "q6"]) and not is_named_set("labels12", ["q1"])
    assert not is_named_set("q4_10", ["q4_1"])


def test_english_labels_give_readable_names_and_the_file_still_imports(tmp_path):
    """Opaque names become readable from English labels (Q1 'Sex' is q1_sex), a name SPSS allows
    and ours does not by its position and label, a weight whose name is not ours (`Weight`) a
    number question that design: names; the questionnaire's mapping takes the file's own columns
    back, but for `Weight`, which the reader matches in any case."""
    rng = np.random.default_rng(8)
    frame = pd.DataFrame({"caseid": np.arange(1.0, 41.0), "Q1": rng.choice([1.0, 2.0], 40),
                          "年龄": rng.integers(18, 60, 40).astype(float),
                          "Q2_1": rng.choice([0.0, 1.0], 40), "Q2_2": rng.choice([0.0, 1.0], 40),
                          "Weight": rng.uniform(0.5, 2, 40)})
    labels = {"Q1": "Sex", "年龄": "Age in years", "Q2_1": "Which apps do you use? - WeChat",
              "Q2_2": "Which apps do you use? - Douyin", "Weight": "Sampling weight"}
    source = tmp_path / "english.sav"
    pyreadstat.write_sav(frame, str(source), column_labels=labels,
                         variable_value_labels={"Q1": {1.0: "Male", 2.0: "Female"}})
    done = invoke("init", source, "-o", tmp_path / "q.yaml")
    assert done.exit_code == 0, done.stderr
    q = load_questionnaire(tmp_path / "q.yaml")
    assert [x.name for x in q.questions] == ["q1_sex", "q3_age_years", "q2_apps_use", "weight"]
    assert q.survey.languages == ["en"] and q.design.weight == "weight"
    assert q.question("q2_apps_use").options == {1: {"en": "WeChat"}, 2: {"en": "Douyin"}}
    assert q.mapping.columns == {"Q1": "q1_sex", "年龄": "q3_age_years",  # Weight: by its case
                                 "Q2_1": "q2_apps_use[1]", "Q2_2": "q2_apps_use[2]",
                                 "caseid": "respondent_id"}
    done = invoke("import", source, "-q", tmp_path / "q.yaml", "-o", tmp_path / "c.parquet",
                  "--json")
    assert done.exit_code == 0, done.stderr
    match = json.loads(done.stdout)
    assert match["unmatched"] == [] and match["unused"] == []
    assert {x["name"]: x["answers"] for x in match["questions"]} == {
        "q1_sex": 40, "q3_age_years": 40, "q2_apps_use": 40, "weight": 40}


def test_updating_the_reference_from_its_sav_adds_only_what_it_lacks(tmp_path):
    """The reference questionnaire updated from its own sample .sav: the grids are known by
    their items (the file has no grid names), so only the two design columns the reference
    keeps under design: come in as new questions."""
    path = tmp_path / "questionnaire.yaml"
    path.write_bytes(REFERENCE.read_bytes())
    done = invoke("init", SAMPLE, "--update", path)
    assert done.exit_code == 0, done.stderr
    assert done.stdout.splitlines()[:3] == [f"updated {path}: 2 new question(s) added",
                                            "  added district", "  added enterprise_id"]
    assert invoke("check", path).exit_code == 0
