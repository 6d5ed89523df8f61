"""The `survey` command line: parses arguments, calls one library function, prints.

`cli.common` holds the app and its one error policy; each module beside it adds its commands to
that app when imported, in the order of a survey's life (the order `survey --help` lists them).
"""

from __future__ import annotations

import importlib
import os

# Set before numpy loads: the design's matrices are small (hundreds of columns), so one BLAS
# thread is fastest, and several spin against each other and the bincounts on a busy machine
# (a 1,000,000-respondent banner took 0.7 s of CPU instead of 0.26 s on 2 shared cores).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from cli.common import app  # noqa: E402

COMMAND_MODULES = ("instrument", "data", "tables")

for _module in COMMAND_MODULES:
    importlib.import_module(f"cli.{_module}")

__all__ = ["app"]
