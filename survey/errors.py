"""One root for every error the library raises on bad input: `SurveyError`.

A `SurveyError` is the user's to fix (a file, a column, an option that cannot be used); it has a
stable `code` that tests and scripts can match (docs/reference/errors.md lists every code) and,
where one is known, a `location` (a file, or FILE:LINE:COLUMN). Any other exception out of the
library is a bug. The messages speak of the data and the questionnaire, never of command-line flags:
the same error reaches a notebook and the CLI.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class SurveyError(Exception):
    """Bad input, said in one line per problem; `code` is stable, `location` optional."""

    code: str = "survey-error"

    def __init__(self, message: str = "", *, code: str | None = None,
                 location: str | None = None):
        super().__init__(message)
        if code is not None:
            self.code = code
        self.location = location

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    def lines(self, where: str | None = None) -> list[str]:
        """The error as the lines a user reads: `LOCATION: message`; `where` when none is known."""
        location = self.location or where
        return [f"{location}: {self.message}" if location else self.message]


class InputError(SurveyError):
    """A value passed to the library that it cannot use (an unknown name, a bad option)."""

    code = "bad-input"


class UnknownLanguage(InputError):
    """A language the questionnaire does not declare."""

    code = "unknown-language"


class SurveyWarning(UserWarning):
    """Something done to the user's data that they must hear about (text cut to fit a format);
    the command line prints it as a `warning:` line."""


@contextmanager
def survey_warnings(say: Callable[[str], None]) -> Iterator[None]:
    """Hand each SurveyWarning raised inside to `say` (also when an error ends the block);
    other warnings are shown as Python shows them."""
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always", SurveyWarning)
        try:
            yield
        finally:
            for w in said:
                if issubclass(w.category, SurveyWarning):
                    say(str(w.message))
                else:
                    warnings.showwarning(w.message, w.category, w.filename, w.lineno)
