"""The commands about the instrument: draft a questionnaire from what exists, check it, make
its forms, serve the web form, simulate answers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import (
    DataOutput,
    QuestionnaireFile,
    app,
    bad_option,
    load,
    say,
    warn,
    where,
)


@app.command()
def init(
    sources: Annotated[list[Path], typer.Argument(help="An XLSForm, .sav, .dta, .qsf, or a "
                                                  "Wenjuanxing export (its 按序号 and 按文本 "
                                                  "views together).")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="The questionnaire "
                                                "file to write.")] = None,
    update: Annotated[Path | None, typer.Option(help="Add to this questionnaire what the "
                                                "source has and it lacks; report what "
                                                "changed.")] = None,
    lang: Annotated[str | None, typer.Option(help="The language of labels the source does "
                                             "not name (zh, en).")] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing output file.")] = False,
) -> None:
    """Draft a questionnaire from an instrument or export that already exists."""
    from survey.drafts import init_questionnaire

    if (output is None) == (update is None):
        raise bad_option("give -o FILE for a new questionnaire, or --update FILE to add to one")
    done = init_questionnaire(sources, output or update, lang=lang, update=update is not None,
                              force=force)
    say("\n".join(done.summary()))


@app.command()
def check(
    questionnaire: QuestionnaireFile,
    claims: Annotated[Path | None, typer.Option(help="A claims file to count (default: "
                                                "QUESTIONNAIRE.claims.yaml beside it).")] = None,
    lang: Annotated[str | None, typer.Option(help="Language of the summary's labels.")] = None,
) -> None:
    """Check a questionnaire: exit 0 with a summary, or 2 with every problem located."""
    from survey.questionnaire.summary import claims_beside, summarise

    say(summarise(load(questionnaire), claims or claims_beside(questionnaire), lang))


@app.command()
def form(
    questionnaire: QuestionnaireFile,
    format_: Annotated[str, typer.Option("--format", "-f", help="html, xlsform, paper, "
                                         "codebook or wjx (Wenjuanxing import text).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The file to write.")],
    lang: Annotated[str | None, typer.Option(help="Language (xlsform: the default one).")] = None,
) -> None:
    """Make a form from a questionnaire: web form, XLSForm, paper, codebook or Wenjuanxing text."""
    from survey.forms import FORM_FORMATS, write_form

    if format_ not in FORM_FORMATS:
        raise bad_option(f"--format '{format_}' is not one of: {', '.join(FORM_FORMATS)}")
    model = load(questionnaire)
    where(output)
    written, warnings = write_form(model, format_, output, lang)
    if warnings:
        warn("\n".join(f"warning: {w}" for w in warnings))
    say("\n".join(f"wrote {path}" for path in written))


@app.command()
def serve(
    questionnaire: QuestionnaireFile,
    db: Annotated[str, typer.Option(help="Where submissions are stored: an SQLite file, or a "
                                    "postgresql://user:password@host/db URL.")],
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    token: Annotated[str | None, typer.Option(help="Token for the monitor and export pages "
                                              "(default: a new one, printed).")] = None,
    header_timeout: Annotated[float, typer.Option(help="Seconds a client has to send a "
                                                  "request's headers.", min=0.1)] = 10.0,
) -> None:
    """Serve the web form and collect submissions (no IP addresses stored or logged)."""
    from survey.collect.postgres import describe
    from survey.collect.server import new_token, store_path, token_problem
    from survey.collect.server import serve as run_server

    model = load(questionnaire)
    if token is not None and (problem := token_problem(token)):
        raise bad_option(f"--token {problem}")
    where(f"--db {describe(db)}")  # never print a password
    run_server(model, store_path(db), host, port, token or new_token(), announce=say,
               header_seconds=header_timeout)


@app.command()
def simulate(
    questionnaire: QuestionnaireFile,
    output: DataOutput,
    n: Annotated[int, typer.Option("-n", help="Number of respondents.", min=1)] = 2000,
    seed: Annotated[int | None, typer.Option(help="Random seed (same seed, same data).")] = None,
    effects: Annotated[Path | None, typer.Option(
        help="Effects YAML (docs/reference/simulate.md).")] = None,
    lang: Annotated[str | None, typer.Option(help="Language of labels in .sav/.dta/.xlsx.")] = None,
) -> None:
    """Simulate realistic responses (skip logic, choice limits, planted effects)."""
    from survey.simulation.effects import load_effects
    from survey.simulation.generate import simulate as run_simulation
    from survey.writers import output_format, write_responses

    output_format(output)
    model = load(questionnaire)
    plan = load_effects(effects, model) if effects else None
    where(effects or questionnaire)
    responses = run_simulation(model, n, seed=seed, effects=plan)
    where(output)
    write_responses(responses, output, lang=lang)
    say(f"wrote {len(responses)} respondents to {output}")
