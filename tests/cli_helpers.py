"""The `survey` command line run in-process (Typer's CliRunner), as the user would see it.

Faster than a subprocess (no interpreter start, no re-import of pandas and matplotlib per call).
So that stderr holds what a real process would print there, the Python warnings and the log
records a fresh interpreter would show (its default warning filters; logging's last-resort
handler: WARNING and above, the message only) are added to `stderr`: a test that asserts one line,
or no "Warning", still sees a stray warning. An exception that escapes the CLI's own error policy
is raised into the test (a real process would print its traceback and exit 1).

tests/test_installed_command.py runs the installed console script itself, end to end.
"""

from __future__ import annotations

import logging
import warnings

from typer.testing import CliRunner, Result

from cli import app

# a fresh interpreter ignores these (DeprecationWarning is shown only for __main__, the script)
_HIDDEN = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage() + "\n")


def invoke(*args: object) -> Result:
    """`survey ARGS...`: exit_code, stdout and stderr as the console script gives them."""
    records = _Records()
    root = logging.getLogger()
    root.addHandler(records)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.resetwarnings()
            warnings.simplefilter("default")
            for category in _HIDDEN:
                warnings.filterwarnings("ignore", category=category)
            result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    finally:
        root.removeHandler(records)
    shown = "".join(warnings.formatwarning(w.message, w.category, w.filename, w.lineno, w.line)
                    for w in caught) + "".join(records.lines)
    if shown:
        result.stderr_bytes += shown.encode(result.runner.charset)
        result.output_bytes += shown.encode(result.runner.charset)
    return result
