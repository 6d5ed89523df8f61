"""The public API: docs/reference/api.md runs as written, every name is documented, the CLI
agrees."""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import survey
from cli import app

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = "data_samples/industrial_workers.sav"
QUESTIONNAIRE = "questionnaires/industrial_workers.yaml"


@pytest.mark.long  # it builds a report: scheduled first (tests/conftest.py)
def test_docs_api_runs_as_written(monkeypatch):
    page = (ROOT / "docs" / "reference" / "api.md").read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", page, re.S)
    assert len(blocks) >= 6
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for block in blocks:
            exec(compile(block, "docs/reference/api.md", "exec"), namespace)
    text = printed.getvalue()
    assert "2000 respondents" in text
    assert namespace["written"].banners > 0 and namespace["written"].claims > 0
    assert set(namespace["age"]["domain"]) == {"False", "True"}
    assert "BRR 12 replicates" in text and namespace["rd"].degf == 10  # the replicate design
    assert len(namespace["score"]) == 4
    assert namespace["findings"].findings[0].verdict in ("supported", "not_supported",
                                                         "contradicted", "insufficient_data")


def test_every_public_name_resolves_and_has_a_docstring():
    assert "SurveyError" in survey.__all__ and len(survey.__all__) >= 15
    for name in survey.__all__:
        value = getattr(survey, name)
        assert (value.__doc__ or "").strip(), f"survey.{name} has no docstring"


def test_import_survey_loads_neither_the_statistics_nor_pandas():
    code = "import sys, survey; print('analysis' in sys.modules, 'pandas' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert done.stdout.split() == ["False", "False"]


def test_by_takes_segment_and_question_names():
    r = survey.read(ROOT / SAMPLE, ROOT / QUESTIONNAIRE)
    d = survey.design(r)
    by_name = survey.mean(d, "birth_year", by="state_owned").to_frame()
    by_series = survey.mean(d, "birth_year", by=r.segment("state_owned")).to_frame()
    assert by_name["estimate"].tolist() == by_series["estimate"].tolist()
    assert by_name["se"].tolist() == by_series["se"].tolist()
    by_question = survey.proportions(d, "sex", by="workplace").to_frame()
    assert len(by_question) > 0


def test_crosstab_json_equals_the_library_banner():
    args = [SAMPLE, "-q", QUESTIONNAIRE, "--row", "concerns", "--by", "state_owned,migrant",
            "--json"]
    import os

    before = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(app, ["crosstab", *args])
    finally:
        os.chdir(before)
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    r = survey.read(ROOT / SAMPLE, ROOT / QUESTIONNAIRE)
    d = survey.design(r)
    ours = json.loads(json.dumps(survey.banner(r, "concerns", by=["state_owned", "migrant"],
                                               design=d).to_json(), ensure_ascii=False))
    printed.pop("notes"), ours.pop("notes")
    assert printed == ours


def test_readme_notebook_example_runs(monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## In a notebook.*?```python\n(.*?)```", readme, re.S).group(1)
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["b"].row == "concerns" and len(namespace["f"].findings) > 0
