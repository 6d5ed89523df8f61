"""Interrupted runs leave nothing behind, and outputs get the user's umask.

`survey report` and `survey import` run in a subprocess that pauses at the worst moment (the
report staged but not moved into place; the output half-written beside its target) and is sent
SIGINT or SIGTERM there: neither the hidden staging folder nor the temporary file may remain,
nor a report or output. After SIGTERM the process still ends by SIGTERM, as its sender expects.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_helpers import invoke
from export_samples import SMALL, responses

from survey.files.atomic import umask
from survey.writers import write_responses

ROOT = Path(__file__).resolve().parents[1]
# `survey ARGS...` with FUNCTION (module:name) replaced by one that marks the moment and waits;
# WRITE first writes half a file to its second argument, as an interrupted writer leaves it
DRIVER = """
import importlib, os, sys, time
module, name = os.environ["PAUSE_AT"].split(":")
target = importlib.import_module(module)
real = getattr(target, name)

def paused(*args, **kwargs):
    if os.environ.get("HALF_WRITE"):
        open(args[1], "wb").write(b"PAR1 half a file")
    open(os.environ["MARKER"], "w").close()
    time.sleep(60)
    return real(*args, **kwargs)

setattr(target, name, paused)
from cli import app
sys.argv = ["survey", *sys.argv[1:]]
app()
"""


def run_until_paused(args: list[object], pause_at: str, marker: Path,
                     half_write: bool = False) -> subprocess.Popen:
    env = {**os.environ, "PAUSE_AT": pause_at, "MARKER": str(marker),
           "HALF_WRITE": "1" if half_write else ""}
    process = subprocess.Popen([sys.executable, "-c", DRIVER, *map(str, args)], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not marker.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"never paused: {process.communicate()[1][-2000:]}")
        time.sleep(0.05)
    return process


def finish(process: subprocess.Popen, sent: signal.Signals) -> str:
    process.send_signal(sent)
    _, stderr = process.communicate(timeout=60)
    if sent == signal.SIGTERM:
        assert process.returncode == -signal.SIGTERM, stderr
    else:
        assert process.returncode == 130, stderr  # Typer's exit for Ctrl-C: 128 + SIGINT
    assert "Traceback" not in stderr, stderr
    return stderr


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return write_responses(responses(), tmp_path_factory.mktemp("data") / "small.parquet")


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_report_leaves_no_folder(tmp_path, data, sent):
    out = tmp_path / "out"
    out.mkdir()
    process = run_until_paused(["report", data, "-q", SMALL, "-o", out / "report"],
                               "analysis.report.build:_move_into_place", tmp_path / "marker")
    staged = [p.name for p in out.iterdir()]
    assert len(staged) == 1 and staged[0].startswith(".report.")  # the moment it matters
    finish(process, sent)
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_import_leaves_no_file(tmp_path, data, sent):
    out = tmp_path / "out"
    out.mkdir()
    process = run_until_paused(["import", data, "-q", SMALL, "-o", out / "clean.parquet"],
                               "pyarrow.parquet:write_table", tmp_path / "marker",
                               half_write=True)
    staged = [p.name for p in out.iterdir()]
    assert len(staged) == 1 and staged[0].startswith(".clean.") and \
        staged[0].endswith(".part.parquet")
    finish(process, sent)
    assert list(out.iterdir()) == []


def test_the_report_folder_and_its_files_follow_the_umask(tmp_path, data):
    mask = umask()
    os.umask(0o027)
    try:
        result = invoke("report", data, "-q", SMALL, "-o", tmp_path / "report", "--quiet")
    finally:
        os.umask(mask)
    assert result.exit_code == 0, result.output
    report = tmp_path / "report"
    assert oct(report.stat().st_mode & 0o777) == oct(0o750)  # mkdtemp made it 0o700
    assert oct((report / "charts").stat().st_mode & 0o777) == oct(0o750)
    assert oct((report / "report.html").stat().st_mode & 0o777) == oct(0o640)
    assert oct((report / "banner.xlsx").stat().st_mode & 0o777) == oct(0o640)


def test_the_progress_bar_leaves_no_line_when_stderr_is_not_a_terminal(tmp_path, data):
    result = invoke("report", data, "-q", SMALL, "-o", tmp_path / "report")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # it was the bar's last state: 'html report 0/1 0:00:06'
    assert "wrote" in result.stdout


def test_umask_is_read_without_changing_it():
    mask = umask()
    assert umask() == mask == os.umask(mask)
