"""The installed `survey` console script, end to end, in a process of its own.

Every other CLI test runs the command line in-process (tests/cli_helpers.py); these few prove that
what `pip install` puts on the PATH works: the help, one real command, and a bad input that is one
line per problem on stderr with exit code 2 and no traceback.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).parent.parent
SMALL = ROOT / "tests" / "fixtures" / "questionnaires" / "small.yaml"
COMMANDS = ("check", "form", "simulate", "import", "describe", "serve", "crosstab", "weight",
            "findings", "report")


def survey(*args: str) -> subprocess.CompletedProcess:
    command = shutil.which("survey")
    assert command, "the survey console script is not on the PATH: python3 -m pip install -e ."
    return subprocess.run([command, *args], capture_output=True, text=True, encoding="utf-8",
                          timeout=120)


def run_check(*args: str) -> subprocess.CompletedProcess:
    return survey("check", *args)


def test_help_lists_the_commands():
    result = survey("--help")
    assert result.returncode == 0, result.stderr
    assert "Usage: survey" in result.stdout and result.stderr == ""
    listed = {line.strip("│ ").split(" ")[0] for line in result.stdout.splitlines()}
    assert set(COMMANDS) <= listed, set(COMMANDS) - listed


def test_good_file_exits_zero_with_summary():
    result = run_check(str(SMALL))
    assert result.returncode == 0, result.stderr
    assert "小问卷" in result.stdout
    assert "9 questions: 1 single, 1 multi, 1 rank, 1 scale, 1 grid, 1 number, 1 text, 1 date, " \
           "1 note" in result.stdout
    assert "state_owned" in result.stdout and "国有企业职工" in result.stdout
    assert result.stdout.rstrip().endswith("OK")


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
