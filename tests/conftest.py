"""Fixtures shared across test modules.

`report`: the full `survey report` of the bundled sample, built once per test run and only read
by the tests that use it. Under pytest-xdist the workers of a run share it: the first worker to
ask builds it (holding a lock on the run's common temporary folder), the others wait and read the
same folder. The tests that read it are in the xdist group "report" (one worker, started early);
the second build of the determinism test and the English report can run on another worker, and
are scheduled first (marker `long`).
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from typer.testing import Result

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data_samples" / "industrial_workers.sav"
QUESTIONNAIRE = ROOT / "questionnaires" / "industrial_workers.yaml"
CLAIMS = ROOT / "questionnaires" / "industrial_workers.claims.yaml"
REPORT_BY = "state_owned,small_micro,migrant,new_employment,young"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "long: a test of tens of seconds; it runs first, so that "
                            "under xdist no worker is left alone with one at the end")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("long") is None)  # stable otherwise


def run_report(folder: Path, *extra: str) -> Result:
    """`survey report` of the bundled sample with its claims, by the five segments, into
    `folder` (in-process, tests/cli_helpers.py); `extra` options, e.g. --svg."""
    from cli_helpers import invoke  # here: a broken CLI fails the tests that use it, no more

    return invoke("report", SAMPLE, "-q", QUESTIONNAIRE, "--claims", CLAIMS, "-o", folder,
                  "--by", REPORT_BY, "--quiet", *extra)


@pytest.fixture(scope="session")
def build_report() -> Callable[..., Result]:
    return run_report


@pytest.fixture(scope="session")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report folder of the bundled sample; tests must not change it."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's folder, above each worker's own
    folder = shared / "report" / "report"
    outcome = shared / "report.json"
    with open(shared / "report.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if not outcome.exists():
            result = run_report(folder, "--svg")  # the SVGs carry the charts' text
            outcome.write_text(json.dumps({"exit_code": result.exit_code,
                                           "stderr": result.stderr}), encoding="utf-8")
        built = json.loads(outcome.read_text(encoding="utf-8"))
    assert built["exit_code"] == 0, built["stderr"]
    assert "Warning" not in built["stderr"], built["stderr"]  # e.g. a glyph missing from the font
    return folder
