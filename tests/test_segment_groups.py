"""Segment groups: segments that do not overlap (cohorts, migrant and non-migrant) are one banner
group, each column compared with each other, as SPSS CTABLES compares the columns of a group;
`versus="rest"` keeps the old layout, each segment against the rest of the sample."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import invoke

from analysis.banner.build import BannerError, banner
from survey.questionnaire.loader import parse_questionnaire
from survey.readers import read_responses
from survey.responses.dataset import Responses

ROOT = Path(__file__).resolve().parents[1]
QUESTIONNAIRE = ROOT / "questionnaires" / "industrial_workers.yaml"
SAMPLE = ROOT / "data_samples" / "industrial_workers.parquet"


@pytest.fixture(scope="module")
def sample() -> Responses:
    return read_responses(SAMPLE, parse_questionnaire(QUESTIONNAIRE.read_text("utf-8")))


def _with(text: str, sample: Responses) -> Responses:
    return Responses.from_raw(parse_questionnaire(text), sample.frame)


def test_a_group_is_its_segments_side_by_side_and_equals_the_derived_partition(sample):
    """The cohort group's columns are the five cohort segments, nothing else, and its figures and
    letters are those of a banner by the derived variable `cohort` (the same partition)."""
    grouped = banner(sample, "tenure", "cohort")
    assert grouped.columns["value"].tolist()[1:] == ["cohort_60s", "cohort_70s", "cohort_80s",
                                                     "cohort_90s", "cohort_00s"]
    text = QUESTIONNAIRE.read_text("utf-8").replace(", group: cohort}", "}")
    derived = banner(_with(text, sample), "tenure", "cohort")  # the derived categorical now
    assert derived.columns["value"].tolist()[1:] == ["1", "2", "3", "4", "5"]
    assert grouped.cells["proportion"].tolist() == derived.cells["proportion"].tolist()
    assert grouped.cells["higher_than"].tolist() == derived.cells["higher_than"].tolist()
    cohorts = grouped.cells[grouped.cells["col"].str.startswith("cohort_")]
    letters = {letter for found in cohorts["higher_than"] for letter in found}
    assert letters and letters <= set("ABCDE")  # cohorts against cohorts: tested and found


def test_versus_rest_shows_each_segment_against_the_rest(sample):
    table = banner(sample, "tenure", "migrant_status", versus="rest")
    assert table.by == ("migrant", "non_migrant")
    assert table.columns["value"].tolist()[1:] == ["1", "0", "1", "0"]
    grouped = banner(sample, "tenure", "migrant_status")
    assert grouped.by == ("migrant_status",)
    assert grouped.columns["value"].tolist()[1:] == ["migrant", "non_migrant"]


def test_overlapping_segments_of_a_group_are_refused(sample):
    text = QUESTIONNAIRE.read_text("utf-8").replace(
        'where: "cohort == 3", group: cohort}', 'where: "cohort >= 3", group: cohort}')
    shared = int(sample.derive()["cohort"].isin([4, 5]).sum())  # now both 80后 and later
    with pytest.raises(BannerError, match=f"segments 'cohort_80s' and 'cohort_90s' of group "
                                          f"'cohort' share {shared} respondent"):
        banner(_with(text, sample), "tenure", "cohort")


def test_the_report_and_crosstab_use_groups_by_default(sample):
    q = sample.questionnaire
    assert q.banner_columns() == ["state_owned", "enterprise_scale", "migrant_status",
                                  "migrant_away", "new_employment", "skilled", "managers",
                                  "young", "cohort"]
    done = invoke("crosstab", SAMPLE, "-q", QUESTIONNAIRE, "--row", "tenure", "--by",
                  "enterprise_scale", "--json")
    assert done.exit_code == 0, done.stderr
    columns = json.loads(done.stdout)["columns"][1:]
    assert [(c["value"], c["label"], c["letter"]) for c in columns] == [
        ("small_micro", "小微企业职工", "A"), ("medium_large", "大中型企业职工", "B")]


@pytest.mark.parametrize(("change", "code", "message"), [
    (("group: migrant_status}", "group: migrant_status}", 1), "group-of-one",
     "group 'migrant_status' has only the segment"),
    (("group: cohort}", "group: young}", 1), "group-is-a-segment",
     "group 'young' is also a segment's name"),
])
def test_a_wrong_group_is_located(tmp_path, change, code, message):
    old, new, count = change
    text = QUESTIONNAIRE.read_text("utf-8")
    if code == "group-of-one":
        text = text.replace('where: "not migrant", group: migrant_status}', 'where: "not migrant"}')
    else:
        text = text.replace(old, new)
    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    done = invoke("check", path)
    assert done.exit_code == 2
    assert message in done.stderr and "q.yaml:8" in done.stderr


def test_the_duckdb_engine_gives_the_same_group_banner():
    documents = []
    for engine in ("memory", "duckdb"):
        done = invoke("crosstab", SAMPLE, "-q", QUESTIONNAIRE, "--row", "tenure", "--by",
                      "cohort,state_owned", "--engine", engine, "--json")
        assert done.exit_code == 0, done.stderr
        documents.append(json.loads(done.stdout))
    memory, duckdb = documents
    assert [c["value"] for c in duckdb["columns"]] == [c["value"] for c in memory["columns"]]
    for a, b in zip(memory["cells"], duckdb["cells"], strict=True):
        assert b["proportion"] == pytest.approx(a["proportion"], rel=1e-9, abs=1e-12)
        assert b["higher_than"] == a["higher_than"]


def test_the_duckdb_engine_refuses_overlapping_segments_too(tmp_path):
    text = QUESTIONNAIRE.read_text("utf-8").replace(
        'where: "cohort == 3", group: cohort}', 'where: "cohort >= 3", group: cohort}')
    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    done = invoke("crosstab", SAMPLE, "-q", path, "--row", "tenure", "--by", "cohort",
                  "--engine", "duckdb")
    assert done.exit_code == 2 and "segments of group 'cohort' share" in done.stderr
