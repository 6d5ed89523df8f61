"""`survey form` (in-process, tests/cli_helpers.py): every format, warnings, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import invoke

ROOT = Path(__file__).parent.parent
SMALL = ROOT / "tests" / "fixtures" / "questionnaires" / "small.yaml"


def run_form(*args: str):
    return invoke("form", *args)


@pytest.mark.parametrize("fmt, name, expected", [
    ("xlsform", "form.xlsx", b"PK"),
    ("paper", "paper.html", "出生年份".encode()),
    ("wjx", "wjx.txt", "小问卷\n".encode()),
    ("html", "form.html", b"<!doctype html>"),
])
def test_each_format_writes_its_file(fmt: str, name: str, expected: bytes, tmp_path: Path):
    result = run_form(str(SMALL), "--format", fmt, "-o", str(tmp_path / name))
    assert result.exit_code == 0, result.stderr
    assert expected in (tmp_path / name).read_bytes()[:4000]
    assert f"wrote {tmp_path / name}" in result.stdout


def test_codebook_writes_markdown_and_csv(tmp_path: Path):
    result = run_form(str(SMALL), "--format", "codebook", "--lang", "en", "-o",
                      str(tmp_path / "codebook"))
    assert result.exit_code == 0, result.stderr
    assert "Year of birth" in (tmp_path / "codebook.md").read_text(encoding="utf-8")
    assert (tmp_path / "codebook.csv").exists()


def test_wjx_prints_what_it_lost(tmp_path: Path):
    result = run_form(str(SMALL), "--format", "wjx", "-o", str(tmp_path / "wjx.txt"))
    assert result.exit_code == 0
    assert "warning: 6. pension_worry: 跳题逻辑未导入" in result.stderr
    assert "warning: 5. insurance: 互斥选项未导入" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["--format", "pdf"], "--format 'pdf' is not one of: html, xlsform, paper, codebook, wjx"),
    (["--format", "paper", "--lang", "fr"], "language 'fr' is not one of the survey's"),
])
def test_bad_options_are_one_line_and_exit_2(args: list[str], message: str, tmp_path: Path):
    result = run_form(str(SMALL), *args, "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_one_line(tmp_path: Path):
    result = run_form(str(SMALL), "--format", "paper", "-o", str(tmp_path / "no" / "x.html"))
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("does not exist")
    assert "Traceback" not in result.stderr


def test_broken_questionnaire_is_located(tmp_path: Path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(SMALL.read_text(encoding="utf-8").replace("type: rank", "type: ranking"),
                      encoding="utf-8")
    result = run_form(str(broken), "--format", "wjx", "-o", str(tmp_path / "x.txt"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{broken}:")
    assert not (tmp_path / "x.txt").exists()
