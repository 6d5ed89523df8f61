"""The README's short tour and docs/tour.md (every command once) run as written, command by
command (all but `survey serve`, a server), in a folder holding the repository's questionnaires
and samples; their .sav and .dta outputs are read back by pyreadstat."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from cli_helpers import invoke

ROOT = Path(__file__).resolve().parents[1]


def tour_commands(section: str = "Every command", page: str = "docs/tour.md"
                  ) -> list[list[str]]:
    text = (ROOT / page).read_text(encoding="utf-8")
    block = re.search(rf"## {section}\n\n.*?```bash\n(.*?)```", text, re.S)[1]
    lines = block.replace("\\\n", " ").splitlines()
    return [shlex.split(line, comments=True) for line in lines if line.strip()]


def test_the_tour_has_the_commands_it_promises():
    commands = [c[1] for c in tour_commands()]
    assert commands[:3] == ["check", "form", "serve"] and "report" in commands
    outputs = [c[c.index("-o") + 1] for c in tour_commands() if "-o" in c]
    assert any(o.endswith(".sav") for o in outputs) and any(o.endswith(".dta") for o in outputs)


@pytest.mark.long
def test_the_tour_runs_as_written(tmp_path, monkeypatch):
    for folder in ("questionnaires", "data_samples"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    monkeypatch.chdir(tmp_path)
    for command in tour_commands():
        assert command[0] == "survey"
        if command[1] == "serve":
            continue
        quiet = ["--quiet"] if command[1] == "report" else []  # no progress bar in the log
        result = invoke(*command[1:], *quiet)
        assert result.exit_code == 0, f"{shlex.join(command)}\n{result.stderr}"
    stata, _ = pyreadstat.read_dta("kobo.dta")
    kobo = pd.read_csv(ROOT / "data_samples" / "industrial_workers_kobo.csv", sep=None,
                       engine="python", dtype=str, encoding="utf-8-sig")
    assert len(stata) == len(kobo) and {"sex", "birth_year", "respondent_id"} <= set(stata.columns)
    weighted, meta = pyreadstat.read_sav("weighted.sav")
    assert weighted["weight"].gt(0).all() and "insurance" in meta.mr_sets
    men = weighted.loc[weighted["sex"] == 1, "weight"].sum() / weighted["weight"].sum()
    assert men == pytest.approx(0.624, abs=1e-6)  # the targets file's share, reached
    simulated, _ = pyreadstat.read_sav("sim.sav")
    assert len(simulated) == 2000
    for path in ("form.html", "problems.csv", "concerns.png", "findings.xlsx",
                 "report/report.html", "report/banner.xlsx"):
        assert Path(path).stat().st_size > 0, path


@pytest.mark.long
def test_the_readme_tour_runs_as_written(tmp_path, monkeypatch):
    for folder in ("questionnaires", "data_samples"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    monkeypatch.chdir(tmp_path)
    commands = tour_commands("A short tour", "README.md")
    assert [c[1] for c in commands] == ["init", "import", "crosstab", "findings", "report"]
    for command in commands:
        quiet = ["--quiet"] if command[1] == "report" else []
        result = invoke(*command[1:], *quiet)
        assert result.exit_code == 0, f"{shlex.join(command)}\n{result.stderr}"
    assert len(pd.read_parquet("clean.parquet")) == 2000
    assert Path("mine.yaml").stat().st_size > 0 and Path("report/report.html").stat().st_size > 0


def test_starting_from_an_export_runs_as_written(tmp_path, monkeypatch):
    (tmp_path / "data_samples").symlink_to(ROOT / "data_samples")
    monkeypatch.chdir(tmp_path)
    commands = tour_commands("Starting from what you already have")
    assert [c[1] for c in commands][:3] == ["init", "check", "import"]
    for command in commands:
        result = invoke(*command[1:])
        assert result.exit_code == 0, f"{shlex.join(command)}\n{result.stderr}"
    kobo = pd.read_csv(ROOT / "data_samples" / "industrial_workers_kobo.csv", sep=";",
                       dtype=str, encoding="utf-8-sig")
    assert len(pd.read_parquet("mine.parquet")) == len(kobo)
    assert {"init": 4, "import": 2} == {c: [x[1] for x in commands].count(c) for c in
                                        ("init", "import")}
    assert len(pd.read_parquet("wjx.parquet")) == len(kobo)  # the same 2,000 respondents



def test_the_chinese_readme_runs_the_same_commands():
    """README.zh.md is a translation: its tour and its two first commands are the README's."""
    english = tour_commands("A short tour", "README.md")
    assert tour_commands("五条命令走一遍", "README.zh.md") == english
    first = [re.search(r"```bash\n(.*?)```", (ROOT / name).read_text(encoding="utf-8"), re.S)[1]
             for name in ("README.md", "README.zh.md")]
    assert [line for line in first[0].splitlines() if not line.startswith("#")] == [
        line for line in first[1].splitlines() if not line.startswith("#")]
