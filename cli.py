"""The `survey` command line: parses arguments, shows progress and errors, calls the library."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from survey.loader import load_questionnaire
from survey.source import SourceError
from survey.summary import summarise

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Questionnaires, exports and design-correct statistics for worker surveys.")
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def fail(problems: SourceError) -> None:
    """Print located problems, one a line, and exit 2 (bad input)."""
    for problem in problems.problems:
        err.print(str(problem), markup=False, soft_wrap=True)
    raise typer.Exit(2)


@app.callback()
def main() -> None:
    """Questionnaires, exports and design-correct statistics for worker surveys."""


@app.command()
def check(
    questionnaire: Annotated[Path, typer.Argument(help="The questionnaire YAML file.")],
    claims: Annotated[Path | None, typer.Option(help="A claims file to count (default: "
                                                "QUESTIONNAIRE.claims.yaml beside it).")] = None,
    lang: Annotated[str | None, typer.Option(help="Language of the summary's labels.")] = None,
) -> None:
    """Check a questionnaire: exit 0 with a summary, or 2 with every problem located."""
    try:
        model = load_questionnaire(questionnaire)
    except SourceError as problems:
        fail(problems)
    if claims is None:
        beside = questionnaire.with_name(questionnaire.name.removesuffix(".yaml") + ".claims.yaml")
        claims = beside if beside.exists() else None
    try:
        out.print(summarise(model, claims, lang), markup=False, soft_wrap=True)
    except SourceError as problems:
        fail(problems)


if __name__ == "__main__":
    app()
