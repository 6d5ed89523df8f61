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


def fail_message(message: str) -> None:
    """Print one line and exit 2 (bad input)."""
    err.print(message, markup=False, soft_wrap=True)
    raise typer.Exit(2)


def load_data(data: Path, questionnaire: Path):
    """The questionnaire and the responses in DATA (any readable export), or exit 2."""
    from survey.readers import read_responses

    try:
        model = load_questionnaire(questionnaire)
        return read_responses(data, model)
    except SourceError as problems:
        fail(problems)
    except (OSError, ValueError) as error:
        fail_message(f"{data}: {error}")


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


FORM_FORMATS = ("html", "xlsform", "paper", "codebook", "wjx")


@app.command()
def form(
    questionnaire: Annotated[Path, typer.Argument(help="The questionnaire YAML file.")],
    format_: Annotated[str, typer.Option("--format", "-f", help="html, xlsform, paper, codebook "
                                         "or wjx (Wenjuanxing import text).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The file to write (codebook: "
                                         "PATH.md and PATH.csv).")],
    lang: Annotated[str | None, typer.Option(help="Language of the form (xlsform: the default "
                                             "language; every language is included).")] = None,
) -> None:
    """Make a form from a questionnaire: web form, XLSForm, paper, codebook or Wenjuanxing text."""
    if format_ not in FORM_FORMATS:
        fail_message(f"--format '{format_}' is not one of: {', '.join(FORM_FORMATS)}")
    try:
        model = load_questionnaire(questionnaire)
    except SourceError as problems:
        fail(problems)
    try:
        written, warnings = _write_form(model, format_, output, lang)
    except (OSError, ValueError) as error:
        fail_message(f"{output}: {error}")
    for warning in warnings:
        err.print(f"warning: {warning}", markup=False, soft_wrap=True)
    for path in written:
        out.print(f"wrote {path}", markup=False, soft_wrap=True)


def _write_form(model, format_: str, output: Path, lang: str | None) -> tuple[list[Path], list]:
    """Write one form; return the files written and what the format could not express."""
    if format_ == "html":
        try:
            from survey.forms.html import write_html
        except ImportError:
            fail_message("html form: not available yet")
        return [write_html(model, output, lang)], []
    if format_ == "xlsform":
        from survey.forms.xlsform import write_xlsform

        return [write_xlsform(model, output, lang)], []
    if format_ == "paper":
        from survey.forms.paper import write_paper

        return [write_paper(model, output, lang)], []
    if format_ == "codebook":
        from survey.forms.codebook import write_codebook

        return write_codebook(model, output, lang), []
    from survey.forms.wjx import write_wjx

    result = write_wjx(model, output, lang)
    return [output], [str(loss) for loss in result.losses]


@app.command()
def findings(
    data: Annotated[Path, typer.Argument(help="The data: any export `survey import` reads.")],
    questionnaire: Annotated[Path, typer.Option("-q", "--questionnaire", help="Questionnaire.")],
    claims: Annotated[Path, typer.Option(help="The claims YAML file.")],
    json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
    output: Annotated[Path | None, typer.Option("-o", "--output",
                                                help="Write findings.xlsx, .csv or .md.")] = None,
    lang: Annotated[str | None, typer.Option(help="Language of labels: zh or en.")] = None,
    alpha: Annotated[float, typer.Option(help="Significance level.")] = 0.05,
    correction: Annotated[str, typer.Option(help="holm, bh, bonferroni or none.")] = "holm",
    min_base: Annotated[int, typer.Option(help="Smallest group that is tested.")] = 30,
    weight: Annotated[str | None, typer.Option(help="Weight column (overrides design:).")] = None,
    strata: Annotated[str | None, typer.Option(help="Strata column.")] = None,
    cluster: Annotated[str | None, typer.Option(help="Cluster (PSU) column.")] = None,
    fpc: Annotated[str | None, typer.Option(help="Finite population correction column.")] = None,
) -> None:
    """Test a report's claims against the data: one verdict per claim."""
    import json as json_module

    from analysis.claims import load_claims
    from analysis.design import DesignError
    from analysis.design_choice import DesignChoiceError, choose_design
    from analysis.findings import CORRECTIONS, ClaimData, assess_claims
    from analysis.findings_table import findings_table, method_note, write_findings

    if correction not in CORRECTIONS:
        fail_message(f"--correction '{correction}' is not one of: {', '.join(CORRECTIONS)}")
    responses = load_data(data, questionnaire)
    try:
        claim_list = load_claims(claims, responses.questionnaire)
        choice = choose_design(responses, weight=weight, strata=strata, cluster=cluster, fpc=fpc)
        result = assess_claims(claim_list, ClaimData.from_responses(responses), choice.design,
                               alpha=alpha, correction=correction, min_base=min_base)
    except SourceError as problems:
        fail(problems)
    except (DesignError, DesignChoiceError) as error:
        fail_message(f"{data}: {error}")
    table = findings_table(result, responses.questionnaire, lang)
    note = method_note(result) + f" Design: {choice.describe()}."
    if output is not None:
        try:
            write_findings(table, note, output)
        except ValueError as error:
            fail_message(f"{output}: {error}")
    if json:
        document = result.to_json() | {"design": choice.columns, "notes": list(choice.notes)}
        typer.echo(json_module.dumps(document, ensure_ascii=False, indent=1))
        return
    _print_findings(table, note, choice.notes)
    if output is not None:
        err.print(f"wrote {output}", markup=False)


def _print_findings(table, note: str, notes) -> None:
    from rich.table import Table

    verdict_style = {"supported": "green", "contradicted": "red", "not_supported": "",
                     "insufficient_data": "dim"}
    shown = Table(show_lines=False, header_style="bold")
    for column in ("claim", "segment", "estimate", "comparison", "difference", "95% CI",
                   "p adj.", "n", "verdict"):
        shown.add_column(column, justify="left" if column in ("claim", "segment") else "right")
    for row in table.itertuples(index=False):
        number = (lambda x: "" if x != x else f"{x:.3g}")  # noqa: E731 (NaN -> blank)
        shown.add_row(row.id, row.segment, number(row.estimate), number(row.comparison),
                      number(row.difference), f"[{number(row.ci_low)}, {number(row.ci_high)}]",
                      number(row.p_adjusted), f"{row.n}/{row.n_comparison}",
                      f"[{verdict_style[row.verdict]}]{row.verdict}[/]")
    out.print(shown)
    for sentence in table["narrative"]:
        if sentence:
            out.print(f"- {sentence}", markup=False, soft_wrap=True)
    for line in (*notes, note):
        out.print(line, markup=False, soft_wrap=True, style="dim")



@app.command()
def serve(
    questionnaire: Annotated[Path, typer.Argument(help="The questionnaire YAML file.")],
    db: Annotated[str, typer.Option(help="The SQLite file to store submissions in.")],
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    token: Annotated[str | None, typer.Option(help="Token for the monitor and export pages "
                                              "(default: a new one, printed).")] = None,
) -> None:
    """Serve the web form and collect submissions (no IP addresses stored or logged)."""
    from survey.collect.server import StoreURLError, new_token, store_path
    from survey.collect.server import serve as run_server

    try:
        model = load_questionnaire(questionnaire)
    except SourceError as problems:
        fail(problems)
    try:
        path = store_path(db)
    except StoreURLError as error:
        fail_message(f"--db {db}: {error}")
    if token is not None and len(token) < 16:
        fail_message("--token must be at least 16 characters")
    token = token or new_token()
    run_server(model, path, host, port, token,
               announce=lambda line: out.print(line, markup=False, soft_wrap=True))


if __name__ == "__main__":
    app()
