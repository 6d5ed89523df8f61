"""`survey check` through the real console script: exit codes, summary, located errors."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
SMALL = ROOT / "tests" / "fixtures" / "questionnaires" / "small.yaml"
REFERENCE = ROOT / "questionnaires" / "industrial_workers.yaml"


def run_check(*args: str) -> subprocess.CompletedProcess:
    command = shutil.which("survey")
    prefix = [command] if command else [sys.executable, str(ROOT / "cli.py")]
    return subprocess.run([*prefix, "check", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=60)


def test_good_file_exits_zero_with_summary():
    result = run_check(str(SMALL))
    assert result.returncode == 0, result.stderr
    assert "小问卷" in result.stdout
    assert "9 questions: 1 single, 1 multi, 1 rank, 1 scale, 1 grid, 1 number, 1 text, 1 date, " \
           "1 note" in result.stdout
    assert "state_owned" in result.stdout and "国有企业职工" in result.stdout
    assert result.stdout.rstrip().endswith("OK")


def test_english_summary():
    result = run_check(str(SMALL), "--lang", "en")
    assert "Small survey" in result.stdout and "SOE workers" in result.stdout


def test_reference_questionnaire_passes_with_claims():
    result = run_check(str(REFERENCE))
    assert result.returncode == 0, result.stderr
    assert "claims in industrial_workers.claims.yaml" in result.stdout
    for finding in ("F1", "F2", "F3", "F4"):
        assert finding in result.stdout


def test_bad_file_exits_two_without_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.read_text(encoding="utf-8").replace("type: grid", "type: matrix")
                   .replace("maxlength", "x").replace("max_length: 500", "maxlength: 500"),
                   encoding="utf-8")
    result = run_check(str(bad))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"{bad}:") for line in lines)
    assert "unknown question type 'matrix'" in lines[0]


@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00garbage", b"- just\n- a list\n"])
def test_unusable_files_exit_two(tmp_path, content):
    bad = tmp_path / "q.yaml"
    bad.write_bytes(content)
    result = run_check(str(bad))
    assert result.returncode == 2
    assert result.stderr.startswith(f"{bad}:1:1: ")
    assert "Traceback" not in result.stderr


def test_missing_file_exits_two(tmp_path):
    result = run_check(str(tmp_path / "nowhere.yaml"))
    assert result.returncode == 2
    assert "nowhere.yaml" in result.stderr and "Traceback" not in result.stderr


def test_gb18030_questionnaire_is_read(tmp_path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes(SMALL.read_text(encoding="utf-8").encode("gb18030"))
    result = run_check(str(path))
    assert result.returncode == 0, result.stderr
    assert "国有企业职工" in result.stdout
