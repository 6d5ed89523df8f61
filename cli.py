"""The `survey` command line: parses arguments, calls one library function, prints.

Errors: a `SurveyError` (bad input) is printed as its located lines and exits 2; anything else
is a bug, printed as one line and exit 70, with the traceback only under `--debug`.
"""

from __future__ import annotations

import json
import os
import sys
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from typer.core import TyperGroup
from typer.exceptions import TyperException

from survey.errors import InputError, SurveyError, survey_warnings
from survey.questionnaire.loader import load_questionnaire as load

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
        with survey_warnings(lambda text: err.print(f"warning: {text}", markup=False,
                                                    soft_wrap=True)):
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
            err.print("\n".join(error.lines(_where.get())), markup=False, soft_wrap=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except Exception as error:
            if _debug.get():
                raise
            err.print(f"internal error (a bug in worker-survey, not in your files): "
                      f"{type(error).__name__}: {error}; run again with --debug for the "
                      f"traceback", markup=False, soft_wrap=True)
            raise typer.Exit(EXIT_BUG) from None


app = typer.Typer(cls=SurveyGroup, add_completion=False, no_args_is_help=True,
                  pretty_exceptions_enable=False)  # the help is main()'s docstring
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def say(text: object, **style) -> None:
    out.print(text, markup=False, soft_wrap=True, **style)


def where(path: Path | str) -> None:
    """Name the file that errors without a location of their own are about."""
    _where.set(str(path))


def bad_option(message: str) -> InputError:
    """An option's value that cannot be used (raised before any file is named)."""
    return InputError(message, code="bad-option")


def load_data(data: Path, questionnaire: Path):
    """The responses in DATA (any readable export) with their questionnaire."""
    from survey.readers import read_responses

    model = load(questionnaire)
    where(data)  # errors of the data's own (a design column, a row) are about this file
    return read_responses(data, model)


def names(text: str) -> list[str]:
    """A comma-separated option's parts."""
    return [part.strip() for part in text.split(",") if part.strip()]


def design_of(responses, weight, strata, cluster, fpc):
    from analysis.design.choice import choose_design

    return choose_design(responses, weight=weight, strata=strata, cluster=cluster, fpc=fpc)


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
Suppress = Annotated[int, typer.Option(help="Hide cells of fewer respondents (0: off).")]
DataOutput = Annotated[Path, typer.Option("-o", "--output", help="The data file to write: "
                                          ".parquet, .sav, .dta, .csv or .xlsx.")]


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
    err.print("\n".join(f"warning: {w}" for w in warnings), markup=False, soft_wrap=True,
              end="\n" if warnings else "")
    say("\n".join(f"wrote {path}" for path in written))


@app.command()
def findings(
    data: Data,
    questionnaire: Questionnaire,
    claims: Annotated[Path, typer.Option(help="The claims YAML file.")],
    json_: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
    output: Annotated[Path | None, typer.Option("-o", "--output",
                                                help="Write findings.xlsx, .csv or .md.")] = None,
    lang: Lang = None,
    alpha: Annotated[float, typer.Option(help="Significance level.")] = 0.05,
    correction: Annotated[str, typer.Option(help="holm, bh, bonferroni or none.")] = "holm",
    min_base: Annotated[int, typer.Option(help="Smallest group that is tested.")] = 30,
    weight: Weight = None, strata: Strata = None, cluster: Cluster = None, fpc: Fpc = None,
) -> None:
    """Test a report's claims against the data: one verdict per claim."""
    from analysis.design.corrections import CORRECTIONS
    from analysis.findings.table import findings_table, method_note, terminal_report, write_findings
    from analysis.findings.verdicts import check_claims

    if correction not in CORRECTIONS:
        raise bad_option(f"--correction '{correction}' is not one of: {', '.join(CORRECTIONS)}")
    responses = load_data(data, questionnaire)
    choice = design_of(responses, weight, strata, cluster, fpc)
    result = check_claims(responses, claims, choice.design, alpha=alpha, correction=correction,
                          min_base=min_base)
    table = findings_table(result, responses.questionnaire, lang)
    note = method_note(result, choice.describe(table.attrs["lang"]), table.attrs["lang"])
    if output is not None:
        where(output)
        write_findings(table, note, output)
    if json_:
        document = result.to_json() | {"design": choice.columns, "notes": list(choice.notes)}
        return typer.echo(json.dumps(document, ensure_ascii=False, indent=1))
    for part in terminal_report(table, (*choice.notes, note), table.attrs["lang"]):
        say(part)
    if output is not None:
        err.print(f"wrote {output}", markup=False)


@app.command()
def serve(
    questionnaire: QuestionnaireFile,
    db: Annotated[str, typer.Option(help="Where submissions are stored: an SQLite file, or a "
                                    "postgresql://user:password@host/db URL.")],
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    token: Annotated[str | None, typer.Option(help="Token for the monitor and export pages "
                                              "(default: a new one, printed).")] = None,
) -> None:
    """Serve the web form and collect submissions (no IP addresses stored or logged)."""
    from survey.collect.postgres import describe
    from survey.collect.server import new_token, store_path, token_problem
    from survey.collect.server import serve as run_server

    model = load(questionnaire)
    if token is not None and (problem := token_problem(token)):
        raise bad_option(f"--token {problem}")
    where(f"--db {describe(db)}")  # never print a password
    run_server(model, store_path(db), host, port, token or new_token(), announce=say)


@app.command()
def crosstab(
    data: Data,
    questionnaire: Questionnaire,
    row: Annotated[str, typer.Option(help="The row question (or derived variable, segment).")],
    by: Annotated[str, typer.Option(help="Column variables, comma-separated: questions, "
                                    "derived variables or segments.")] = "",
    json_: Annotated[bool, typer.Option("--json", help="Print the JSON document only.")] = False,
    chart: Annotated[Path | None, typer.Option(help="Write a chart (PNG and SVG).")] = None,
    lang: Lang = None,
    weight: Weight = None, strata: Strata = None, cluster: Cluster = None, fpc: Fpc = None,
    alpha: Annotated[float, typer.Option(help="Significance level of tests and letters.")] = 0.05,
    correction: Annotated[str, typer.Option(help="holm, bonferroni, bh or none.")] = "holm",
    min_base: Annotated[int, typer.Option(help="Smaller bases are flagged, not tested.")] = 30,
    suppress: Suppress = 0,
    percent: Annotated[str, typer.Option(help="respondents or responses (multi/rank).")]
    = "respondents",
    net: Annotated[list[str] | None, typer.Option(help="A net NAME=CODES, e.g. top2=4,5; "
                                                  "repeatable.")] = None,
    show: Annotated[str, typer.Option(help="Also row and/or total proportions: row,total.")] = "",
) -> None:
    """A banner table of ROW by each BY variable, with Total, letters and tests."""
    from analysis.banner.build import BannerOptions, banner
    from analysis.banner.render import chart_cells, footnote, terminal_report
    from analysis.design.corrections import CORRECTIONS

    if correction not in CORRECTIONS:
        raise bad_option(f"--correction {correction!r}: use holm, bonferroni, bh or none")
    options = BannerOptions(alpha=alpha, correction=correction,  # type: ignore[arg-type]
                            min_base=min_base, suppress=suppress,
                            percent=percent,  # type: ignore[arg-type]
                            extra=tuple(names(show)), nets=tuple(net or ()), lang=lang)
    responses = load_data(data, questionnaire)
    choice = design_of(responses, weight, strata, cluster, fpc)
    table = banner(responses, row, names(by), design=choice.design, options=options)
    if chart is not None:
        from analysis.report import charts

        figure = charts.grouped_bars(chart_cells(table), table.row_label, note=footnote(table))
        charts.save(figure, chart.with_suffix(""))
    if json_:
        document = table.to_json()
        document["notes"] = list(choice.notes) + document["notes"]
        return print(json.dumps(document, ensure_ascii=False, indent=1))
    for part in terminal_report(table, choice.notes, lang):
        say(part)


@app.command()
def weight(
    data: Data,
    questionnaire: Questionnaire,
    targets: Annotated[Path, typer.Option(help="Targets YAML (population shares).")],
    output: DataOutput,
    method: Annotated[str, typer.Option(help="rake or poststratify.")] = "rake",
    bounds: Annotated[str | None, typer.Option(help="LO,HI limits on the factors.")] = None,
    trim: Annotated[float | None, typer.Option(help="Cap weights at this x median.")] = None,
    design_weight: Annotated[str | None, typer.Option("--weight", help="Design weights to "
                                                      "start from.")] = None,
) -> None:
    """Rake or post-stratify to population targets; write the data with a `weight` column."""
    from analysis.weighting.apply import METHODS, parse_bounds
    from analysis.weighting.apply import weight as weight_responses
    from survey.writers import output_format, write_responses

    if method not in METHODS:
        raise bad_option(f"--method {method!r}: use {' or '.join(METHODS)}")
    limits = None if bounds is None else parse_bounds(bounds)
    output_format(output)
    responses = load_data(data, questionnaire)
    weighted, result = weight_responses(responses, targets, method=method, bounds=limits,
                                        trim=trim, design_weight=design_weight)
    say("\n".join([*result.report.summary(), result.report.to_frame().to_string(index=False)]))
    where(output)
    write_responses(weighted, output)
    say(f"wrote {output}")


@app.command()
def simulate(
    questionnaire: QuestionnaireFile,
    output: DataOutput,
    n: Annotated[int, typer.Option("-n", help="Number of respondents.", min=1)] = 2000,
    seed: Annotated[int | None, typer.Option(help="Random seed (same seed, same data).")] = None,
    effects: Annotated[Path | None, typer.Option(help="Effects YAML (docs/simulate.md).")] = None,
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


@app.command("import")
def import_(
    export: Annotated[str, typer.Argument(help="The export, data file or postgresql:// store.")],
    questionnaire: Questionnaire,
    output: DataOutput,
    format_: Annotated[str, typer.Option("--format", help="auto (by content) or a reader "
                                         "name.")] = "auto",
    lang: Annotated[str | None, typer.Option(help="Language of labels in .sav/.dta/.xlsx.")] = None,
    report: Annotated[Path | None, typer.Option(help="Write the validation report (CSV).")] = None,
    strict: Annotated[bool, typer.Option(help="Exit 1 when validation finds problems; a "
                                         "doubtful column mapping is an error (exit 2).")] = False,
    mapping: Annotated[Path | None, typer.Option(help="A mapping file (docs/mapping.md).")] = None,
    show_mapping: Annotated[bool, typer.Option(help="Print the mapping table.")] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print the import as JSON.")] = False,
    keep_identifiers: Annotated[bool, typer.Option(help="Keep IP, names, phone...")] = False,
) -> None:
    """Read an export into the documented layout, validate it, and write clean data (with a
    `_problems` count per respondent; nothing is fixed or dropped)."""
    from survey.responses.importing import import_export

    model = load(questionnaire)
    where(output)
    done = import_export(export, model, output, format=format_, mapping=mapping, strict=strict,
                         lang=lang, report=report, keep_identifiers=keep_identifiers)
    if json_:
        print(json.dumps(done.to_json(export), ensure_ascii=False, indent=1))
    else:
        say("\n".join(done.summary(export, output, show_mapping=show_mapping)))
    if strict and not done.validation.ok:
        raise typer.Exit(1)


@app.command()
def describe(
    data: Annotated[Path, typer.Argument(help="A data file or export.")],
    questionnaire: Questionnaire,
    lang: Annotated[str | None, typer.Option(help="Language of the labels.")] = None,
) -> None:
    """A codebook with frequencies: counts, % of answered, and missing answers by kind."""
    from survey.responses.describe import codebook, codebook_lines

    say("\n".join(codebook_lines(codebook(load_data(data, questionnaire), lang))))


@app.command()
def report(
    data: Data,
    questionnaire: Questionnaire,
    output: Annotated[Path, typer.Option("-o", "--output", help="The report folder.")],
    claims: Annotated[Path | None, typer.Option(help="A claims file to test.")] = None,
    by: Annotated[str, typer.Option(help="Banner columns, comma-separated (default: every "
                                    "segment).")] = "",
    lang: Lang = None,
    weight: Weight = None, strata: Strata = None, cluster: Cluster = None, fpc: Fpc = None,
    suppress: Suppress = 0,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """The whole report in one folder: banner workbook, charts, findings and an HTML report."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from analysis.report.build import report as make_report

    responses = load_data(data, questionnaire)
    design = design_of(responses, weight, strata, cluster, fpc).design
    with Progress(TextColumn("{task.description:<28}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                  console=err, disable=quiet or not err.is_terminal, transient=False) as bar:
        task = bar.add_task("reading", total=1)
        written = make_report(responses, output, claims=claims or (), design=design,
                              by=names(by) or None, lang=lang, suppress=suppress,
                              progress=lambda step, done, total: bar.update(
                                  task, description=step, completed=done, total=max(total, 1)))
    say(f"wrote {len(written.files)} files to {written.folder}/: {written.banners} banner "
        f"tables, {written.claims} claims")
    say("\n".join(f"  {p}" for p in written.files if p.suffix in (".html", ".xlsx", ".csv")))


if __name__ == "__main__":
    app()
