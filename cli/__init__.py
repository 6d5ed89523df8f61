"""The `survey` command line: parses arguments, calls one library function, prints.

`cli.common` holds the app and its one error policy; each module beside it adds its commands to
that app when imported, in the order of a survey's life (the order `survey --help` lists them).
"""

from __future__ import annotations

import importlib

from cli.common import app

COMMAND_MODULES = ("instrument", "data", "tables")

for _module in COMMAND_MODULES:
    importlib.import_module(f"cli.{_module}")

__all__ = ["app"]
