"""The `survey` command line: parses arguments, calls one library function, prints.

`cli.common` holds the app and its one error policy; each module beside it adds its commands to
that app when imported, in the order of a survey's life (the order `survey --help` lists them).
Importing `cli` itself loads none of them: the report's chart workers re-run the `survey` script
(as multiprocessing does with a main script), and it then costs nothing; `cli.app`, and `main`
when called, load the app.
"""

from __future__ import annotations

import importlib
import os
import sys

# Set before numpy loads: the design's matrices are small (hundreds of columns), so one BLAS
# thread is fastest, and several spin against each other and the bincounts on a busy machine
# (a 1,000,000-respondent banner took 0.7 s of CPU instead of 0.26 s on 2 shared cores).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

COMMAND_MODULES = ("instrument", "data", "tables")

__all__ = ["app", "main"]


def main() -> None:
    """The `survey` command (the installed script's entry point). A report first starts the
    fork server that will draw its charts, which then imports matplotlib while this process
    imports the app."""
    if [word for word in sys.argv[1:] if not word.startswith("-")][:1] == ["report"]:
        from analysis.report.workers import start

        start()
    _app()()


def __getattr__(name: str):
    if name == "app":
        return _app()
    raise AttributeError(f"module 'cli' has no attribute {name!r}")


def _app():
    from cli.common import app

    for module in COMMAND_MODULES:
        importlib.import_module(f"cli.{module}")
    return app
