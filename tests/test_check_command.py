"""`survey check` (in-process, tests/cli_helpers.py): exit codes, summary, located errors.

The summary of a good file and the located lines of a bad one are checked through the installed
console script in tests/test_installed_command.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import invoke

ROOT = Path(__file__).parent.parent
SMALL = ROOT / "tests" / "fixtures" / "questionnaires" / "small.yaml"
REFERENCE = ROOT / "questionnaires" / "industrial_workers.yaml"


def run_check(*args: str):
    return invoke("check", *args)


def test_english_summary():
    result = run_check(str(SMALL), "--lang", "en")
    assert "Small survey" in result.stdout and "SOE workers" in result.stdout


def test_reference_questionnaire_passes_with_claims():
    result = run_check(str(REFERENCE))
    assert result.exit_code == 0, result.stderr
    assert "claims in industrial_workers.claims.yaml" in result.stdout
    for finding in ("F1", "F2", "F3", "F4"):
        assert finding in result.stdout


@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00garbage", b"- just\n- a list\n"])
def test_unusable_files_exit_two(tmp_path, content):
    bad = tmp_path / "q.yaml"
    bad.write_bytes(content)
    result = run_check(str(bad))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{bad}:1:1: ")
    assert "Traceback" not in result.stderr


def test_missing_file_exits_two(tmp_path):
    result = run_check(str(tmp_path / "nowhere.yaml"))
    assert result.exit_code == 2
    assert "nowhere.yaml" in result.stderr and "Traceback" not in result.stderr


def test_gb18030_questionnaire_is_read(tmp_path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes(SMALL.read_text(encoding="utf-8").encode("gb18030"))
    result = run_check(str(path))
    assert result.exit_code == 0, result.stderr
    assert "国有企业职工" in result.stdout
