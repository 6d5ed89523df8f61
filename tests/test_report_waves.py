"""`survey report --previous WAVE1`: the changes since the previous wave as a workbook sheet (all
of them, figures as numbers) and a section of the HTML report (the significant ones), equal to
`survey compare`'s figures; a panel, a question the previous wave lacks, and the options that
only make sense with --previous."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import invoke
from openpyxl import load_workbook

import survey
from analysis.report.changes import PreviousWave

WAVES = Path(__file__).parent / "fixtures" / "waves"
Q = WAVES / "questionnaire.yaml"
W1, W2, PANEL = WAVES / "wave_1.csv", WAVES / "wave_2.csv", WAVES / "panel_2.csv"


def rows_of(path: Path, sheet: str) -> list[tuple]:
    return list(load_workbook(path)[sheet].iter_rows(values_only=True))


def section(html: str) -> str:
    start = html.index('id="changes"')
    return re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", html[start:html.index("<h2", start + 1)]))


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    q = survey.load_questionnaire(Q)
    first, second = survey.read(W1, q), survey.read(W2, q)
    folder = tmp_path_factory.mktemp("waves") / "report"
    survey.report(second, folder, by=["migrant"], lang="en",
                  previous=PreviousWave(first, label="wave_1.csv"))
    return folder, first, second


def test_the_sheet_holds_every_change_as_compare_gives_it(report) -> None:
    folder, first, second = report
    rows = rows_of(folder / "banner.xlsx", "Change since previous")
    header = rows[0]
    assert header[:6] == ("question", "option", "column", "previous", "current", "change")
    body = rows[1:rows.index((None,) * len(header))]  # a blank row, then the note
    # every option (or mean) of the seven questions, by Total and the migrant segment's 2 columns
    assert len(body) == 3 * (2 + 3 + 3 + 5 + 4 + 1 + 1)
    expected = survey.compare(first, second, "ss_worry", "migrant").changes
    worried = [r for r in body if r[0] == "Are you worried about your social security?"
               and r[1] == "Very worried"]
    assert [r[2] for r in worried] == ["Total", "Migrant workers", "Migrant workers: Others"]
    for r, e in zip(worried, expected[expected.option == "1"].itertuples(), strict=True):
        assert r[3:9] == pytest.approx((e.estimate1, e.estimate2, e.change, e.ci_low, e.ci_high,
                                        e.p_adjusted), rel=1e-12)
    assert worried[0][9] == "*"  # the planted change
    sheet = load_workbook(folder / "banner.xlsx")["Change since previous"]
    formats = {sheet.cell(row=i + 2, column=6).number_format for i, r in enumerate(body)
               if r[0] == "Hours worked last week"}
    assert formats == {"General"}  # a mean: no percent format; shares are 0.0%
    assert sheet.cell(row=2, column=6).number_format == "0.0%"
    assert "Satterthwaite" in str(rows[len(body) + 2][0])


def test_the_html_section_lists_the_significant_changes_only(report) -> None:
    folder, first, second = report
    html = (folder / "report.html").read_text("utf-8")
    assert '<a href="#changes">' in html
    text = section(html)
    assert "Since the previous wave (wave_1.csv), these changes are significant" in text
    assert "Very worried Total 23.7% 34.5% +10.8 pp" in text
    assert "Social insurance Migrant workers" in text
    found = survey.compare(first, second, "concerns", "migrant").changes
    assert not found[found.option == "income"].significant.any()
    assert "Pay" not in text  # the unchanged option is not listed


def test_cli_report_previous_paired_and_errors(tmp_path) -> None:
    out = tmp_path / "r"
    base = ["report", str(PANEL), "-q", str(Q), "-o", str(out), "--quiet", "--by", "migrant"]
    refused = invoke(*base, "--previous", str(W1))
    assert refused.exit_code == 2 and "respondent ids" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    done = invoke(*base, "--previous", str(W1), "--paired")
    assert done.exit_code == 0, done.stderr
    rows = rows_of(out / "banner.xlsx", "与上一轮相比")
    assert any("respondent_id" in str(r[0]) for r in rows)  # the note says: the same people
    lonely = invoke("report", str(W2), "-q", str(Q), "-o", str(tmp_path / "x"), "--paired")
    assert lonely.exit_code == 2 and "--previous" in lonely.stderr


def test_a_question_the_previous_wave_did_not_ask_is_left_out_with_a_note(tmp_path) -> None:
    older = tmp_path / "older.csv"
    frame = pd.read_csv(W1, dtype=str)
    frame.drop(columns=[c for c in frame.columns if c.startswith("services")]).to_csv(
        older, index=False)
    q = survey.load_questionnaire(Q)
    folder = tmp_path / "report"
    survey.report(survey.read(W2, q), folder, by=["migrant"], lang="en",
                  previous=survey.read(older, q))
    rows = rows_of(folder / "banner.xlsx", "Change since previous")
    assert not [r for r in rows if r[0] == "Which services should the union offer?"]
    assert any("did not ask them: services" in str(r[0]) for r in rows)
    assert "did not ask them: services" in section((folder / "report.html").read_text("utf-8"))
