"""What every command shares: the app and its error policy, printing, and the common options.

Errors: a `SurveyError` (bad input) is printed as its located lines and exits 2; anything else
is a bug, printed as one line and exit 70, with the traceback only under `--debug`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from survey.errors import InputError, SurveyError, survey_warnings
from survey.questionnaire.loader import load_questionnaire as load

if TYPE_CHECKING:
    from rich.console import Console

DEBUG = "--debug"
EXIT_BAD_INPUT = 2
EXIT_BUG = 70  # EX_SOFTWARE (sysexits.h): an internal error
_debug: ContextVar[bool] = ContextVar("debug", default=False)
_where: ContextVar[str | None] = ContextVar("where", default=None)


class SurveyGroup(TyperGroup):
    """Runs a command with the one error policy; `--debug` is taken anywhere on the line."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        _debug.set(DEBUG in args)
        _where.set(None)
        return super().parse_args(ctx, [a for a in args if a != DEBUG])

    def invoke(self, ctx):
        with survey_warnings(lambda text: warn(f"warning: {text}")):
            return self._invoke(ctx)

    def _invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, TyperException):  # usage errors, exits: as Typer does
            raise
        except BrokenPipeError:  # `survey ... | head`: the reader left, nothing more to say
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(0) from None
        except SurveyError as error:
            warn("\n".join(error.lines(_where.get())))
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except Exception as error:
            if _debug.get():
                raise
            warn(f"internal error (a bug in worker-survey, not in your files): "
                 f"{type(error).__name__}: {error}; run again with --debug for the traceback")
            raise typer.Exit(EXIT_BUG) from None


class SurveyTyper(typer.Typer):
    """The app. A run names one command: only that command's Click options are built (Typer
    builds every command's before running one, 0.15 G instructions for twelve); without a
    command's name (`survey --help`, a misspelt name) every command is there, as usual."""

    def __call__(self, *args, **kwargs):
        words = [a for a in (args[0] if args else kwargs.get("args", sys.argv[1:]))
                 if a != DEBUG]
        wanted = [c for c in self.registered_commands if words and words[0] == (
            c.name or typer.main.get_command_name(c.callback.__name__))]
        if not wanted:
            return super().__call__(*args, **kwargs)
        everything, self.registered_commands = self.registered_commands, wanted
        try:
            return super().__call__(*args, **kwargs)
        finally:
            self.registered_commands = everything


app = SurveyTyper(cls=SurveyGroup, add_completion=False, no_args_is_help=True,
                  pretty_exceptions_enable=False)  # the help is main()'s docstring
_consoles: dict[bool, Console] = {}


def console(stderr: bool = False) -> Console:
    """The terminal's standard output (or error), made when first written to: a command that
    prints JSON alone never imports rich (0.1 G instructions)."""
    if stderr not in _consoles:
        from rich.console import Console

        _consoles[stderr] = Console(stderr=stderr, highlight=False)
    return _consoles[stderr]


def __getattr__(name: str) -> Console:
    """`out` and `err`: the two consoles as module attributes (a test sets their width)."""
    if name in ("out", "err"):
        return console(stderr=name == "err")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def say(text: object, **style) -> None:
    console().print(text, markup=False, soft_wrap=True, **style)


def warn(text: str) -> None:
    """A line on standard error, as written (no markup, no wrapping)."""
    console(stderr=True).print(text, markup=False, soft_wrap=True)


def where(path: Path | str) -> None:
    """Name the file that errors without a location of their own are about."""
    _where.set(str(path))


def bad_option(message: str) -> InputError:
    """An option's value that cannot be used (raised before any file is named)."""
    return InputError(message, code="bad-option")


def load_data(data: Path, questionnaire, variables: list[str | None] | None = None,
              replicate_weights: str | None = None):
    """The responses in DATA (any readable export) with their questionnaire (a file or one
    loaded); with `variables`
    (the names a command uses), only what they need is read where the format allows, unless the
    design has replicate weights: their columns are a pattern, so every column is read rather
    than a projection that could miss one."""
    from survey.readers import read_responses

    model = load(questionnaire) if isinstance(questionnaire, (str, Path)) else questionnaire
    where(data)  # errors of the data's own (a design column, a row) are about this file
    replicated = bool(replicate_weights) or bool(model.design.replicate_weights)
    wanted = None if variables is None or replicated else [v for v in variables if v]
    return read_responses(data, model, variables=wanted)


@contextmanager
def steps(quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr naming the step under way and the time so far, so a long read shows
    it is alive; nothing when stderr is no terminal (a log) or `quiet`."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    err = console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err, disable=quiet or not err.is_terminal, transient=True) as bar:
        task = bar.add_task("starting", total=None)
        yield lambda step: bar.update(task, description=step)


def names(text: str) -> list[str]:
    """A comma-separated option's parts."""
    return [part.strip() for part in text.split(",") if part.strip()]


def design_of(responses, weight, strata, cluster, fpc, replicate_weights=None,
              replicate_type=None, replicate_scale=None, replicate_rscales=None, rho=None,
              mse=None):
    """The design from the design options (over the questionnaire's `design:`)."""
    from analysis.design.choice import choose_design

    rscales = None
    if replicate_rscales is not None:
        try:
            rscales = [float(x) for x in names(replicate_rscales)]
        except ValueError:
            raise bad_option(f"--replicate-rscales {replicate_rscales!r}: write numbers "
                             "separated by commas, one per replicate") from None
    return choose_design(responses, weight=weight, strata=strata, cluster=cluster, fpc=fpc,
                         replicate_weights=replicate_weights, replicate_type=replicate_type,
                         replicate_scale=replicate_scale, replicate_rscales=rscales, mse=mse,
                         rho=rho)


@app.callback()
def main(debug: Annotated[bool, typer.Option(DEBUG, help="Show the traceback of an internal "
                                             "error (also after a command).")] = False) -> None:
    """Questionnaires, exports and design-correct statistics for worker surveys."""
    _debug.set(debug or _debug.get())


Questionnaire = Annotated[Path, typer.Option("-q", "--questionnaire",
                                             help="The questionnaire YAML file.")]
QuestionnaireFile = Annotated[Path, typer.Argument(help="The questionnaire YAML file.")]
Data = Annotated[Path, typer.Argument(help="Responses: any file 'survey import' reads.")]
Lang = Annotated[str | None, typer.Option(help="Language of labels (zh, en).")]
Weight = Annotated[str | None, typer.Option(help="Weight column (overrides design:).")]
Strata = Annotated[str | None, typer.Option(help="Strata column.")]
Cluster = Annotated[str | None, typer.Option(help="Cluster (PSU) column.")]
Fpc = Annotated[str | None, typer.Option(help="Finite population correction column.")]
ReplicateWeights = Annotated[str | None, typer.Option(help="Replicate weight columns: a pattern "
                                                      "such as 'repw*' (instead of strata, "
                                                      "cluster, fpc).")]
ReplicateType = Annotated[str | None, typer.Option(help="JK1, JKn, BRR, Fay, bootstrap or SDR "
                                                   "(as R's svrepdesign).")]
ReplicateScale = Annotated[float | None, typer.Option(help="The replicate variance's scale "
                                                      "(default: as R's for the type).")]
ReplicateRscales = Annotated[str | None, typer.Option(help="One rscale per replicate, "
                                                      "comma-separated (JKn needs them).")]
Rho = Annotated[float | None, typer.Option(help="Fay's coefficient (type Fay).")]
Mse = Annotated[bool | None, typer.Option("--mse/--no-mse", help="Centre replicate variances "
                                          "on the full-sample estimate (default: no, as R).",
                                          show_default=False)]
Suppress = Annotated[int, typer.Option(help="Hide cells of fewer respondents (0: off).")]
Versus = Annotated[str, typer.Option(help="group: a group of segments side by side, each "
                                     "compared with each; rest: each segment against the rest.")]
DataOutput = Annotated[Path, typer.Option("-o", "--output", help="The data file to write: "
                                          ".parquet, .sav, .dta, .csv or .xlsx.")]
