"""Column projection: a command reads only the columns its variables need, and never loses one.

Parquet files and .sav files in our layout project. The reference is the same banner on a full
read of the same file. Every variable a banner
accepts as its row is tried, by segments and questions whose definitions read other questions
(derived variables, `relevant` conditions), so a dependency the projection missed shows as a
difference or an error.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from cli_helpers import invoke

from analysis.banner.build import BannerError, banner
from analysis.design.choice import choose_design
from survey.questionnaire.loader import load_questionnaire, parse_questionnaire
from survey.questionnaire.needs import needs
from survey.readers import read_responses

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data_samples" / "industrial_workers.parquet"
SAV = ROOT / "data_samples" / "industrial_workers.sav"
QUESTIONNAIRE = ROOT / "questionnaires" / "industrial_workers.yaml"
BY = ["migrant", "managers", "workplace"]  # a derived segment, a relevant-bearing one, a question


@cache
def full(sample: Path = SAMPLE):
    q = load_questionnaire(QUESTIONNAIRE)
    responses = read_responses(sample, q)
    return q, responses, choose_design(responses).design


def rows() -> list[str]:
    q = load_questionnaire(QUESTIONNAIRE)
    types = ("single", "multi", "rank", "scale", "number")
    return ([n for n, item in q.items.items() if item.type in types]
            + [d.name for d in q.derived] + [s for s in q.segments if s not in BY])


def same(projected, whole) -> None:
    for part in ("columns", "cells", "missing"):
        pd.testing.assert_frame_equal(getattr(projected, part), getattr(whole, part))
    if whole.means is not None:
        pd.testing.assert_frame_equal(projected.means, whole.means)
    assert projected.tests == whole.tests
    assert projected.to_json() == whole.to_json()


@pytest.mark.parametrize("sample", [SAMPLE, SAV], ids=["parquet", "sav"])
@pytest.mark.parametrize("row", rows())
def test_a_projected_read_gives_the_banner_of_a_full_read(row: str, sample: Path) -> None:
    q, responses, design = full(sample)
    projected = read_responses(sample, q, variables=[row, *BY])
    assert len(projected.frame.columns) < len(responses.frame.columns)
    choice = choose_design(projected)
    try:
        whole = banner(responses, row, BY, design=design)
    except BannerError as error:  # the same refusal either way
        with pytest.raises(BannerError, match=re.escape(str(error))):
            banner(projected, row, BY, design=choice.design)
        return
    same(banner(projected, row, BY, design=choice.design), whole)


def test_projection_keeps_dependencies_and_design_columns() -> None:
    q = parse_questionnaire("""
survey: {id: t, version: '1', title: T, languages: [en]}
questions:
  - {name: a, type: single, label: A, options: {1: x, 2: y}}
  - {name: c, type: single, label: C, options: {1: x, 2: y}}
  - {name: b, type: single, label: B, options: {1: x, 2: y}, relevant: "c == 1"}
  - {name: m, type: multi, label: M, options: {1: x, 2: y}}
  - {name: unused, type: number, label: U}
derived:
  - {name: d1, label: D1, expr: "selected(m, 1)"}
  - {name: d2, label: D2, expr: "d1 and a == 2"}
segments:
  s: {label: S, where: "d2 or is_missing(b)"}
design: {weight: w, cluster: psu}
""")
    found = needs(q, ["s", "stratum_override"])
    assert found.questions == {"a", "b", "c", "m"}  # through d2, d1 and b's relevant
    assert found.columns == {"w", "psu", "stratum_override"}
    assert found.source_columns(q) == ["a", "c", "b", "m__1", "m__2", "psu",
                                       "stratum_override", "w"]


def test_formats_without_projection_read_everything() -> None:
    q = load_questionnaire(QUESTIONNAIRE)
    csv = read_responses(ROOT / "data_samples" / "industrial_workers_utf8.csv", q,
                         variables=["concerns"])
    assert csv.same_answers(full()[1])


def test_a_sav_whose_columns_must_be_matched_is_read_whole(tmp_path: Path) -> None:
    """A needed column under another name (here in capitals, matched by case) is no projection:
    the whole file is read and matched, and the banner is the one of our own file."""
    frame, meta = pyreadstat.read_sav(str(SAV), user_missing=True)
    other = tmp_path / "capitals.sav"
    pyreadstat.write_sav(frame.rename(columns={"concerns__income": "CONCERNS__INCOME"}),
                         str(other), missing_ranges=meta.missing_ranges)
    q, responses, design = full(SAV)
    read = read_responses(other, q, variables=["concerns", *BY])
    assert len(read.frame.columns) >= len(responses.frame.columns)
    same(banner(read, "concerns", BY, design=choose_design(read).design),
         banner(responses, "concerns", BY, design=design))


def test_the_command_reads_a_projection_and_prints_the_full_banner() -> None:
    q, responses, design = full()
    done = invoke("crosstab", str(SAMPLE), "-q", str(QUESTIONNAIRE), "--row", "concerns",
                  "--by", ",".join(BY), "--json")
    assert done.exit_code == 0, done.stderr
    document = json.loads(done.stdout)
    expected = banner(responses, "concerns", BY, design=design).to_json()
    notes = document.pop("notes")
    assert notes[-len(expected["notes"]):] == expected.pop("notes")
    assert document == json.loads(json.dumps({k: v for k, v in expected.items()
                                              if k != "notes"}, ensure_ascii=False))


@pytest.mark.parametrize("group", ["migrant_status", "enterprise_scale", "cohort"])
def test_a_projected_read_follows_a_segment_group_to_its_segments(group: str) -> None:
    """A group's name is no column: the read must take the questions its segments' conditions
    read, or every respondent would fall outside the group's columns."""
    q, responses, design = full()
    projected = read_responses(SAMPLE, q, variables=["tenure", group])
    same(banner(projected, "tenure", group, design=choose_design(projected).design),
         banner(responses, "tenure", group, design=design))
