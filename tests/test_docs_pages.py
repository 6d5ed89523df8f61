"""The documentation's tutorials and side-by-side pages run as written, in both languages: every
command on them is run and must print what the page shows (tests/doc_pages.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from doc_pages import check_page, steps

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
TUTORIALS = ("wenjuanxing", "kobotoolbox", "spss")
RUN = [f"tutorials/{name}{lang}.md" for name in TUTORIALS for lang in ("", ".zh")] + [
    f"coming-from{lang}.md" for lang in ("", ".zh")]


@pytest.mark.long
@pytest.mark.parametrize("page", RUN)
def test_the_page_runs_as_written(page, tmp_path):
    problems = check_page(DOCS / page, tmp_path)
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("page", RUN)
def test_every_command_on_the_page_is_run(page):
    """No shell block escapes the runner: commands are shown only in `console` sessions."""
    text = (DOCS / page).read_text(encoding="utf-8")
    assert not re.findall(r"^\s*```(bash|sh|shell)\b", text, re.M)
    assert len([s for s in steps(text) if s.kind == "command"]) >= 3


@pytest.mark.parametrize("name", TUTORIALS)
def test_each_tutorial_goes_from_the_export_to_the_report(name):
    for lang in ("", ".zh"):
        commands = [s.text.split()[1] for s in steps((DOCS / "tutorials" / f"{name}{lang}.md")
                                                      .read_text(encoding="utf-8"))
                    if s.kind == "command" and s.text.startswith("survey ")]
        wanted = ["init", "import", "crosstab", "findings", "report"]
        assert [c for c in commands if c in wanted] == wanted, (name, lang, commands)


@pytest.mark.parametrize("name", TUTORIALS)
def test_both_languages_run_the_same_commands(name):
    """The Chinese page is a translation: the same sessions and files, in the same order."""
    english, chinese = (steps((DOCS / "tutorials" / f"{name}{lang}.md").read_text("utf-8"))
                        for lang in ("", ".zh"))
    assert [(s.kind, s.target) for s in english] == [(s.kind, s.target) for s in chinese]
    def commands(page):  # the English page may ask for English labels
        return [re.sub(r" --lang (en|zh)\b", "", s.text) for s in page if s.kind == "command"]

    assert commands(english) == commands(chinese)
