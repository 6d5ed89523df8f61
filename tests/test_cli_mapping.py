"""`survey import --mapping/--show-mapping/--report` and the stem check of number-matched
columns, through the command line (in-process, tests/cli_helpers.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
import yaml
from cli_helpers import invoke

from survey.questionnaire.loader import load_questionnaire
from survey.readers.mapping import stem_resembles
from survey.responses.coded import encode
from survey.simulation.exports import write_wjx
from survey.simulation.generate import simulate

ROOT = Path(__file__).resolve().parent.parent
Q_PATH = ROOT / "questionnaires/industrial_workers.yaml"
Q = load_questionnaire(Q_PATH)
SAMPLE = simulate(Q, 60, seed=3)


def survey(*args: object):
    return invoke(*args)


@pytest.fixture(scope="module")
def wjx_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("wjx") / "x_按序号.csv"
    write_wjx(SAMPLE, path, view="序号")
    return path


def test_mapping_file_loads_an_xpt_and_the_table_is_shown_and_written(tmp_path):
    coded = encode(SAMPLE)
    short = {column: f"C{i:03d}" for i, column in enumerate(coded.columns, start=1)}
    xpt = tmp_path / "w.xpt"
    pyreadstat.write_xport(coded.rename(columns=short), str(xpt), file_format_version=5)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(yaml.safe_dump({"columns": {s: c for c, s in short.items()}}))
    report = tmp_path / "report.csv"
    done = survey("import", xpt, "-q", Q_PATH, "-o", tmp_path / "out.parquet", "--mapping",
                  mapping, "--show-mapping", "--report", report)
    assert done.exit_code == 0, done.stderr
    assert "as xpt: 60 respondents" in " ".join(done.stdout.split())
    line = next(x for x in done.stdout.splitlines() if " C002 " in f" {x} ")
    assert line.split()[:4] == ["2", "C002", "birth_year", "override"]
    table = pd.read_csv(tmp_path / "report.mapping.csv", encoding="utf-8-sig")
    assert list(table.columns) == ["position", "column", "variable", "option", "role",
                                   "matched_by", "warning"]
    assert len(table) == len(coded.columns) and set(table["matched_by"]) == {"override"}
    back = pd.read_parquet(tmp_path / "out.parquet")
    assert back["birth_year"].tolist() == SAMPLE.frame["birth_year"].tolist()


def test_mapping_file_renames_a_wjx_column(tmp_path, wjx_csv):
    text = wjx_csv.read_text(encoding="gb18030").replace("1、您的出生年份是？", "出生年份", 1)
    renamed = tmp_path / "x_按序号.csv"
    renamed.write_text(text, encoding="gb18030")
    mapping = tmp_path / "m.yaml"
    mapping.write_text('columns:\n  "出生年份": birth_year\n', encoding="utf-8")
    done = survey("import", renamed, "-q", Q_PATH, "-o", tmp_path / "o.csv", "--mapping",
                  mapping, "--show-mapping")
    assert done.exit_code == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if "出生年份" in x)
    assert line.split()[2:4] == ["birth_year", "override"]
    assert "2   2、您的性别" not in done.stdout  # positions count from the first column
    assert any(x.split()[1:4] == ["2、您的性别", "sex", "number"]
               for x in done.stdout.splitlines() if "您的性别" in x)


def test_bad_mapping_file_is_a_located_error(tmp_path, wjx_csv):
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns:\n  '1、您的出生年份是？': birth_yaer\n", encoding="utf-8")
    done = survey("import", wjx_csv, "-q", Q_PATH, "-o", tmp_path / "o.csv", "--mapping", mapping)
    assert done.exit_code == 2
    assert f"{mapping}:2:" in done.stderr and "unknown variable 'birth_yaer'" in done.stderr
    assert not (tmp_path / "o.csv").exists()


def test_a_mapping_renames_and_recodes_the_columns_of_an_spss_file_and_shows_its_table(tmp_path):
    """Another project's .sav: `gender` coded M/F and `edu` under its own name; the mapping file
    names both columns and spells the values; our Parquet alone refuses a mapping."""
    from survey.writers import write_responses

    coded = encode(SAMPLE)
    sex = coded["sex"].map({1: "M", 2: "F"}).where(coded["sex"] > 0, "")
    other = pd.DataFrame({"gender": sex, "edu": coded["education"].astype(float),
                          "age_group": coded["birth_year"].astype(float)})
    sav = tmp_path / "theirs.sav"
    pyreadstat.write_sav(other, str(sav))
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns: {gender: sex, edu: education, age_group: birth_year}\n"
                       "values:\n  sex: {M: 1, F: 女}\n", encoding="utf-8")
    done = survey("import", sav, "-q", Q_PATH, "-o", tmp_path / "o.parquet", "--mapping", mapping,
                  "--show-mapping")
    assert done.exit_code == 0, done.stderr
    assert "gender" in done.stdout and "override" in done.stdout
    back = pd.read_parquet(tmp_path / "o.parquet")
    expected = SAMPLE.frame["sex"].astype(object).where(SAMPLE.frame["sex"].notna(), None)
    assert back["sex"].astype(object).where(back["sex"].notna(), None).tolist() == \
        expected.tolist()
    assert back["education"].astype(str).tolist() == SAMPLE.frame["education"].astype(str).tolist()
    parquet = tmp_path / "ours.parquet"
    write_responses(SAMPLE, parquet)
    done = survey("import", parquet, "-q", Q_PATH, "-o", tmp_path / "o.csv", "--mapping", mapping)
    assert done.exit_code == 2 and done.stderr.startswith(f"{mapping}: {parquet} is read as")
    done = survey("import", parquet, "-q", Q_PATH, "-o", tmp_path / "o.csv", "--show-mapping")
    assert done.exit_code == 0 and "no mapping table: parquet files" in done.stdout


# ------------------------------------------------------------------ stems matched by number

def reordered(tmp_path: Path) -> Path:
    """The questionnaire with birth_year and sex swapped, as if the export came from another
    version: 1、您的出生年份是？ now lands on question 1, which is sex."""
    data = yaml.safe_load(Q_PATH.read_text(encoding="utf-8"))
    questions = data["questions"]
    names = [q.get("name") for q in questions]
    a, b = names.index("birth_year"), names.index("sex")
    questions[a], questions[b] = questions[b], questions[a]
    path = tmp_path / "reordered.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_reordered_questionnaire_warns_in_table_and_summary(tmp_path, wjx_csv):
    report = tmp_path / "r.csv"
    done = survey("import", wjx_csv, "-q", reordered(tmp_path), "-o", tmp_path / "o.csv",
                  "--report", report)
    assert done.exit_code == 0, done.stderr
    expected = (f"warning: {wjx_csv}:1:7: column 7 '1、您的出生年份是？' matched question 1 'sex' "
                "by number, but its text differs from the label '您的性别'; check the "
                "questionnaire version")
    assert expected in done.stdout
    assert "column 8 '2、您的性别' matched question 2 'birth_year'" in done.stdout
    assert done.stdout.count("warning:") == 2  # the other 100-odd columns are fine
    table = pd.read_csv(tmp_path / "r.mapping.csv", encoding="utf-8-sig", keep_default_na=False)
    flagged = table[table["warning"] != ""]
    assert flagged["position"].tolist() == [7, 8]


def test_reordered_questionnaire_is_an_error_with_strict(tmp_path, wjx_csv):
    done = survey("import", wjx_csv, "-q", reordered(tmp_path), "-o", tmp_path / "o.csv",
                  "--strict")
    assert done.exit_code == 2
    assert f"{wjx_csv}:1:7: column 7 '1、您的出生年份是？'" in done.stderr
    assert not (tmp_path / "o.csv").exists()


def test_matching_questionnaire_gives_no_warning(tmp_path, wjx_csv):
    done = survey("import", wjx_csv, "-q", Q_PATH, "-o", tmp_path / "o.csv", "--strict")
    assert "warning:" not in done.stdout and "differs from the label" not in done.stderr


@pytest.mark.parametrize("question, stem, resembles", [
    ("birth_year", "您的出生年份是？", True),
    ("birth_year", "您的出生年份", True),                        # punctuation dropped
    ("expense_pressure", "您家里哪些方面的开支压力最大？(多选)", True),  # a bracketed note dropped
    ("birth_year", "In what year were you born", True),         # the English label
    ("birth_year", "您的年龄", False),
    ("birth_year", "您的性别", False),
])
def test_stem_resembles(question, stem, resembles):
    assert stem_resembles(stem, Q.items[question]) is resembles


def test_a_mapping_files_values_spell_the_labels_of_an_older_wenjuanxing_form(tmp_path):
    """Last year's form called option 1 '国企': the 按文本 export has that word, and the mapping
    file's values section says what it is; without it, they are unknown codes."""
    path = tmp_path / "x_按文本.csv"
    write_wjx(SAMPLE, path, view="文本")
    text = path.read_text(encoding="gb18030").replace("国有或国有控股企业", "国企")
    path.write_text(text, encoding="gb18030")
    state_owned = int((SAMPLE.frame["workplace"] == 1).sum())
    done = survey("import", path, "-q", Q_PATH, "-o", tmp_path / "a.parquet", "--json")
    assert json.loads(done.stdout)["problems"]["total"] >= state_owned > 0
    mapping = tmp_path / "m.yaml"
    mapping.write_text("values:\n  workplace: {国企: 1}\n", encoding="utf-8")
    done = survey("import", path, "-q", Q_PATH, "-o", tmp_path / "b.parquet", "--mapping", mapping)
    assert done.exit_code == 0, done.stderr
    back = pd.read_parquet(tmp_path / "b.parquet")
    assert back["workplace"].astype(str).tolist() == SAMPLE.frame["workplace"].astype(str).tolist()


def test_a_mapping_files_values_apply_to_a_kobo_export(tmp_path):
    from survey.simulation.exports import write_kobo

    path = tmp_path / "k.csv"
    write_kobo(SAMPLE, path)
    text = path.read_text(encoding="utf-8-sig")
    header = text.split("\n", 1)[0]
    assert '"sex"' in header or "sex" in header
    rows = list(__import__("csv").reader(text.splitlines(), delimiter=";"))
    column = next(i for i, h in enumerate(rows[0]) if h.split("/")[-1] == "sex")
    for row in rows[1:]:
        row[column] = {"1": "M", "2": "F"}.get(row[column], row[column])
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        __import__("csv").writer(handle, delimiter=";", quoting=1).writerows(rows)
    mapping = tmp_path / "m.yaml"
    mapping.write_text("values:\n  sex: {M: 1, F: 2}\n", encoding="utf-8")
    done = survey("import", path, "-q", Q_PATH, "-o", tmp_path / "k.parquet", "--mapping", mapping)
    assert done.exit_code == 0, done.stderr
    back = pd.read_parquet(tmp_path / "k.parquet")
    assert back["sex"].astype(str).tolist() == SAMPLE.frame["sex"].astype(str).tolist()


def test_a_questionnaires_mapping_section_imports_renamed_columns_without_a_file(tmp_path):
    """The `mapping:` a questionnaire carries (written by `survey init`) is applied by every
    import, and a mapping file given as well overrides it entry by entry."""
    coded = encode(SAMPLE)
    renamed = coded.rename(columns={"birth_year": "Q1", "sex": "Q2"})
    renamed["Q2"] = renamed["Q2"].map({1: "M", 2: "F"})
    data = tmp_path / "w.csv"
    renamed.to_csv(data, index=False)
    text = Q_PATH.read_text(encoding="utf-8") + (
        '\nmapping:\n  columns: {Q1: birth_year, Q2: sex}\n  values: {sex: {M: 1, F: 2}}\n')
    questionnaire = tmp_path / "q.yaml"
    questionnaire.write_text(text, encoding="utf-8")
    done = survey("import", data, "-q", questionnaire, "-o", tmp_path / "out.parquet")
    assert done.exit_code == 0, done.stderr
    back = pd.read_parquet(tmp_path / "out.parquet")
    assert back["birth_year"].tolist() == SAMPLE.frame["birth_year"].tolist()
    assert back["sex"].tolist() == SAMPLE.frame["sex"].tolist()
    override = tmp_path / "mapping.yaml"  # the file's entry wins over the questionnaire's
    override.write_text("columns: {Q1: null}\n", encoding="utf-8")
    done = survey("import", data, "-q", questionnaire, "-o", tmp_path / "out2.parquet",
                  "--mapping", override)
    assert done.exit_code == 0, done.stderr
    assert "Q1" in pd.read_parquet(tmp_path / "out2.parquet").columns


def test_a_wrong_mapping_section_is_located_in_the_questionnaire(tmp_path):
    text = Q_PATH.read_text(encoding="utf-8")
    line = len(text.splitlines()) + 4  # the Q1 entry, after a blank line
    questionnaire = tmp_path / "q.yaml"
    questionnaire.write_text(text + "\nmapping:\n  columns:\n    Q1: birth_yaer\n"
                             "  values: {sex: {M: 7}}\n", encoding="utf-8")
    done = survey("check", questionnaire)
    assert done.exit_code == 2
    lines = done.stderr.strip().splitlines()
    assert f"q.yaml:{line}:" in lines[0] and "unknown variable 'birth_yaer'" in lines[0]
    assert "did you mean 'birth_year'" in lines[0]
    assert "'sex' has no option '7'" in lines[1]
