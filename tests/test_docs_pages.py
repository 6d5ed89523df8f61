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
        assert [c for c in dict.fromkeys(commands) if c in wanted] == wanted, (name, lang)


@pytest.mark.parametrize("name", TUTORIALS)
def test_both_languages_run_the_same_commands(name):
    """The Chinese page is a translation: the same sessions and files, in the same order."""
    english, chinese = (steps((DOCS / "tutorials" / f"{name}{lang}.md").read_text("utf-8"))
                        for lang in ("", ".zh"))
    assert [(s.kind, s.target) for s in english] == [(s.kind, s.target) for s in chinese]
    def commands(page):  # the English page may ask for English labels
        return [re.sub(r" --lang (en|zh)\b", "", s.text) for s in page if s.kind == "command"]

    assert commands(english) == commands(chinese)


def test_a_page_that_lies_is_caught(tmp_path):
    """The runner is no rubber stamp: a wrong output, a wrong exit code and a file the page writes
    are all seen (a real command, an expected output off by one line)."""
    page = tmp_path / "page.md"
    page.write_text("<!-- file: notes.txt -->\n```text\nfirst\n```\n\n"
                    "<!-- append: notes.txt -->\n```text\nsecond\n```\n\n"
                    "```console\n$ cat notes.txt\nfirst\nsecond\n$ echo shown\nnot shown\n```\n\n"
                    "<!-- exit: 2 -->\n```console\n$ survey check no-such.yaml\n```\n",
                    encoding="utf-8")
    folder = tmp_path / "run"
    folder.mkdir()
    problems = check_page(page, folder)
    assert len(problems) == 2, problems
    assert "$ echo shown" in problems[0] and "+shown" in problems[0]
    assert "$ survey check no-such.yaml" in problems[1]  # exit 2 as expected, but it printed
    assert "cannot read the file" in problems[1]
