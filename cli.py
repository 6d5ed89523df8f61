"""The `survey` command line: parses arguments, shows progress and errors, calls the library."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from survey.atomic import write_atomic
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
    from analysis.findings_table import terminal_table

    out.print(terminal_table(table))
    for sentence in table["narrative"]:
        if sentence:
            out.print(f"- {sentence}", markup=False, soft_wrap=True)
    for line in (*notes, note):
        out.print(line, markup=False, soft_wrap=True, style="dim")


@app.command()
def serve(
    questionnaire: Annotated[Path, typer.Argument(help="The questionnaire YAML file.")],
    db: Annotated[str, typer.Option(help="Where submissions are stored: an SQLite file, or a "
                                    "postgresql://user:password@host/db URL.")],
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
        from survey.collect.postgres import describe

        fail_message(f"--db {describe(db)}: {error}")  # never print a password
    if token is not None and len(token) < 16:
        fail_message("--token must be at least 16 characters")
    token = token or new_token()
    run_server(model, path, host, port, token,
               announce=lambda line: out.print(line, markup=False, soft_wrap=True))


def _nets(specs: list[str]) -> tuple[tuple[str, tuple[object, ...]], ...]:
    """--net NAME=CODES (codes comma-separated) as (name, codes) pairs, or exit 2."""
    found = []
    for spec in specs:
        name, _, codes = spec.partition("=")
        parts = [c.strip() for c in codes.split(",") if c.strip()]
        if not name.strip() or not parts:
            fail_message(f"--net {spec!r}: write NAME=CODES, e.g. --net top2=4,5")
        found.append((name.strip(), tuple(int(c) if c.lstrip("-").isdigit() else c
                                          for c in parts)))
    return tuple(found)


@app.command()
def crosstab(
    data: Annotated[Path, typer.Argument(help="Responses: any file 'survey import' reads.")],
    questionnaire: Annotated[Path, typer.Option("--questionnaire", "-q",
                                                help="The questionnaire YAML file.")],
    row: Annotated[str, typer.Option(help="The row question (or derived variable, segment).")],
    by: Annotated[str, typer.Option(help="Column variables, comma-separated: questions, "
                                    "derived variables or segments.")] = "",
    json_: Annotated[bool, typer.Option("--json", help="Print the JSON document only.")] = False,
    chart: Annotated[Path | None, typer.Option(help="Write a chart (PNG and SVG).")] = None,
    lang: Annotated[str | None, typer.Option(help="Language of labels (zh, en).")] = None,
    weight: Annotated[str | None, typer.Option(help="Weight column (overrides design:).")] = None,
    strata: Annotated[str | None, typer.Option(help="Strata column.")] = None,
    cluster: Annotated[str | None, typer.Option(help="Cluster (PSU) column.")] = None,
    fpc: Annotated[str | None, typer.Option(help="Finite population correction column.")] = None,
    alpha: Annotated[float, typer.Option(help="Significance level of tests and letters.")] = 0.05,
    correction: Annotated[str, typer.Option(help="holm, bonferroni, bh or none.")] = "holm",
    min_base: Annotated[int, typer.Option(help="Smaller bases are flagged, not tested.")] = 30,
    suppress: Annotated[int, typer.Option(help="Hide cells of fewer respondents (0: off).")] = 0,
    percent: Annotated[str, typer.Option(help="respondents or responses (multi/rank).")]
    = "respondents",
    net: Annotated[list[str] | None, typer.Option(help="A net NAME=CODES, e.g. top2=4,5; "
                                                  "repeatable.")] = None,
    show: Annotated[str, typer.Option(help="Also row and/or total proportions: row,total.")] = "",
) -> None:
    """A banner table of ROW by each BY variable, with Total, letters and tests."""
    import json

    from analysis.banner import BannerError, BannerOptions, banner
    from analysis.banner_render import chart_cells, footnote, terminal_table, tests_table
    from analysis.design import DesignError
    from analysis.design_choice import DesignChoiceError, choose_design

    corrections = {"holm": "holm", "bonferroni": "bonferroni", "bh": "fdr_bh", "none": "none"}
    if correction not in corrections:
        fail_message(f"--correction {correction!r}: use holm, bonferroni, bh or none")
    responses = load_data(data, questionnaire)
    try:
        options = BannerOptions(alpha=alpha, correction=corrections[correction],  # type: ignore[arg-type]
                                min_base=min_base, suppress=suppress,
                                percent=percent,  # type: ignore[arg-type]
                                extra=tuple(s.strip() for s in show.split(",") if s.strip()),
                                nets=_nets(net or []), lang=lang)
        choice = choose_design(responses, weight=weight, strata=strata, cluster=cluster,
                               fpc=fpc)
        table = banner(responses, row, [b.strip() for b in by.split(",") if b.strip()],
                       design=choice.design, options=options)
    except (BannerError, DesignChoiceError, DesignError) as error:
        fail_message(f"{data}: {error}")
    if chart is not None:
        from analysis import charts

        figure = charts.grouped_bars(chart_cells(table), f"{table.row_label}",
                                     note=footnote(table))
        charts.save(figure, chart.with_suffix(""))
    if json_:
        document = table.to_json()
        document["notes"] = list(choice.notes) + document["notes"]
        print(json.dumps(document, ensure_ascii=False, indent=1))
        return
    out.print(terminal_table(table))
    tests = tests_table(table)
    if tests is not None:
        out.print(tests)
    out.print(footnote(table), markup=False, soft_wrap=True)
    for note in (*choice.notes, *table.notes):
        out.print(f"Note: {note}", markup=False, soft_wrap=True)


@app.command()
def weight(
    data: Annotated[Path, typer.Argument(help="Responses: any file 'survey import' reads.")],
    questionnaire: Annotated[Path, typer.Option("--questionnaire", "-q",
                                                help="The questionnaire YAML file.")],
    targets: Annotated[Path, typer.Option(help="Targets YAML (population shares).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the weighted "
                                         "data (.parquet, .sav, .dta, .csv, .xlsx).")],
    method: Annotated[str, typer.Option(help="rake or poststratify.")] = "rake",
    bounds: Annotated[str | None, typer.Option(help="LO,HI limits on weight adjustment "
                                               "factors.")] = None,
    trim: Annotated[float | None, typer.Option(help="Cap weights at this multiple of the "
                                               "median.")] = None,
    design_weight: Annotated[str | None, typer.Option("--weight", help="Design weights column "
                                                      "to start from.")] = None,
) -> None:
    """Rake or post-stratify to population targets; write the data with a `weight` column."""
    import dataclasses

    from analysis.poststrat import poststratify
    from analysis.raking import rake
    from analysis.targets import load_targets
    from analysis.weighting import WeightingError
    from survey.writers import UnknownOutputFormat, output_format, write_responses

    if method not in ("rake", "poststratify"):
        fail_message(f"--method {method!r}: use rake or poststratify")
    limits = None
    if bounds is not None:
        try:
            lo, hi = (float(x) for x in bounds.split(","))
            limits = (lo, hi)
        except ValueError:
            fail_message(f"--bounds {bounds!r}: write LO,HI, e.g. --bounds 0.3,3")
    try:
        output_format(output)
    except UnknownOutputFormat as error:
        fail_message(str(error))
    responses = load_data(data, questionnaire)
    frame = responses.frame
    base = design_weight or responses.questionnaire.design.weight
    if design_weight and design_weight not in frame.columns:
        fail_message(f"--weight column {design_weight!r} is not in {data}")
    base = base if base in frame.columns else None
    try:
        wanted = load_targets(targets, columns=frame.columns)
        fit = rake if method == "rake" else poststratify
        result = fit(frame, wanted, weights=base, bounds=limits, trim=trim)
    except SourceError as problems:
        fail(problems)
    except WeightingError as error:
        fail_message(f"{targets}: {error}")
    report = result.report
    out.print(f"{report.method}: {report.iterations} iteration(s), "
              f"{'converged' if report.converged else 'NOT converged'}; "
              f"max deviation {report.max_abs_deviation:.2e}", markup=False)
    out.print(f"efficiency {report.efficiency:.3f} (effective n {report.effective_n:.1f} of "
              f"{report.n}), design effect of weighting {report.design_effect:.3f}, "
              f"factors {report.factor_range[0]:.3f}-{report.factor_range[1]:.3f}"
              + (f", {report.trimmed} trimmed" if report.trim_cap is not None else ""),
              markup=False)
    out.print(report.to_frame().to_string(index=False), markup=False)
    weighted = dataclasses.replace(responses, frame=frame.assign(weight=result.weights))
    try:
        write_responses(weighted, output)
    except (OSError, ValueError) as error:
        fail_message(f"{output}: {error}")
    out.print(f"wrote {output}", markup=False)


@app.command()
def simulate(
    questionnaire: Annotated[Path, typer.Argument(help="The questionnaire YAML file.")],
    output: Annotated[Path, typer.Option("-o", "--output",
                                         help="Output: .sav, .parquet, .csv, .dta or .xlsx.")],
    n: Annotated[int, typer.Option("-n", help="Number of respondents.", min=1)] = 2000,
    seed: Annotated[int | None, typer.Option(help="Random seed (same seed, same data).")] = None,
    effects: Annotated[Path | None, typer.Option(help="An effects YAML file "
                                                 "(docs/simulate.md).")] = None,
    lang: Annotated[str | None, typer.Option(help="Language of labels in .sav/.dta/.xlsx.")] = None,
) -> None:
    """Simulate realistic responses (skip logic, choice limits, planted effects)."""
    from survey.effects import load_effects
    from survey.simulate import SimulationError
    from survey.simulate import simulate as run_simulation
    from survey.writers import UnknownOutputFormat, output_format, write_responses

    try:
        output_format(output)
        model = load_questionnaire(questionnaire)
        plan = load_effects(effects, model) if effects else None
        responses = run_simulation(model, n, seed=seed, effects=plan)
        write_responses(responses, output, lang=lang)
    except SourceError as problems:
        fail(problems)
    except (SimulationError, UnknownOutputFormat) as error:
        fail_message(f"{effects or questionnaire}: {error}" if isinstance(error, SimulationError)
                     else str(error))
    except OSError as error:
        fail_message(f"{output}: cannot write: {error.strerror}")
    out.print(f"wrote {len(responses)} respondents to {output}", markup=False)


@app.command("import")
def import_(
    export: Annotated[Path, typer.Argument(help="The export or data file to read.")],
    questionnaire: Annotated[Path, typer.Option("-q", "--questionnaire",
                                                help="The questionnaire YAML file.")],
    output: Annotated[Path, typer.Option("-o", "--output",
                                         help="Output: .parquet, .sav, .dta, .csv or .xlsx.")],
    format_: Annotated[str, typer.Option("--format", help="auto (by content) or a reader "
                                         "name.")] = "auto",
    lang: Annotated[str | None, typer.Option(help="Language of labels in .sav/.dta/.xlsx.")] = None,
    report: Annotated[Path | None, typer.Option(help="Write the full validation report (CSV, "
                                                "one row per problem).")] = None,
    strict: Annotated[bool, typer.Option(help="Exit 1 when validation finds problems; a "
                                         "doubtful column mapping is an error (exit 2).")] = False,
    mapping: Annotated[Path | None, typer.Option(help="A mapping file naming export columns' "
                                                 "variables (docs/mapping.md).")] = None,
    show_mapping: Annotated[bool, typer.Option(help="Print the mapping table: source column "
                                               "-> variable/option, matched by.")] = False,
) -> None:
    """Read an export into the documented layout, validate it, and write clean data (with a
    `_problems` count per respondent; nothing is fixed or dropped)."""
    from survey.readers import READERS, detect_format, read_responses
    from survey.readers.mapping_report import (
        accepts,
        mapping_readers,
        mapping_table,
        mapping_text,
        mapping_warnings,
    )
    from survey.validation import flag, validate
    from survey.writers import UnknownOutputFormat, output_format, write_responses

    try:
        output_format(output)
        model = load_questionnaire(questionnaire)
        found = detect_format(export) if format_ == "auto" else format_
        options = {}
        if mapping is not None:
            if found in READERS and not accepts(found, "mapping"):
                fail_message(f"--mapping: {export} is read as {found}, which matches columns by "
                             "our layout's names; mapping files apply to: "
                             + ", ".join(mapping_readers()))
            options["mapping"] = mapping
        responses = read_responses(export, model, format=found, **options)
        table = mapping_table(responses)
        warnings = mapping_warnings(responses, str(export))
        if strict and warnings:
            fail(SourceError(warnings))
        checked = validate(responses)
        write_responses(flag(responses, checked), output, lang=lang)
        if report is not None:
            write_atomic(report, checked.table.to_csv(index=False), encoding="utf-8-sig")
            if table is not None:
                beside = report.with_name(report.stem + ".mapping.csv")
                write_atomic(beside, table.to_csv(index=False), encoding="utf-8-sig")
    except SourceError as problems:
        fail(problems)
    except UnknownOutputFormat as error:
        fail_message(str(error))
    except OSError as error:
        fail_message(f"{output}: cannot write: {error.strerror}")
    missing = responses.missing
    answered = int((missing == 0).to_numpy().sum())
    out.print(f"read {export} as {found}: {len(responses)} respondents, "
              f"{len(missing.columns)} variables, {answered} answers; "
              f"wrote {output}", markup=False)
    if show_mapping:
        out.print(mapping_text(table) if table is not None else f"no mapping table: {found} "
                  "files are read by our layout's column names", markup=False, soft_wrap=True)
    for warning in warnings:
        out.print(f"warning: {warning}", markup=False, soft_wrap=True)
    out.print(checked.summary_text(), markup=False)
    if strict and not checked.ok:
        raise typer.Exit(1)


@app.command()
def describe(
    data: Annotated[Path, typer.Argument(help="A data file or export.")],
    questionnaire: Annotated[Path, typer.Option("-q", "--questionnaire",
                                                help="The questionnaire YAML file.")],
    lang: Annotated[str | None, typer.Option(help="Language of the labels.")] = None,
) -> None:
    """A codebook with frequencies: counts, % of answered, and missing answers by kind."""
    from survey.describe import codebook

    responses = load_data(data, questionnaire)
    table = codebook(responses, lang)
    for name, rows in table.groupby("variable", sort=False):
        out.print(f"{name}  {rows['label'].iloc[0]}", markup=False, soft_wrap=True)
        for row in rows.itertuples():
            percent = "" if row.percent is None or row.percent != row.percent \
                else f"{row.percent:5.1f}%"
            out.print(f"    {str(row.value):<22} {row.value_label:<30} {row.count:>10g} "
                      f"{percent}", markup=False, soft_wrap=True)


@app.command()
def report(
    data: Annotated[Path, typer.Argument(help="Responses: any file 'survey import' reads.")],
    questionnaire: Annotated[Path, typer.Option("--questionnaire", "-q",
                                                help="The questionnaire YAML file.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The report folder.")],
    claims: Annotated[Path | None, typer.Option(help="A claims file to test.")] = None,
    by: Annotated[str, typer.Option(help="Banner columns, comma-separated (default: every "
                                    "segment).")] = "",
    lang: Annotated[str | None, typer.Option(help="Language of labels (zh, en).")] = None,
    weight: Annotated[str | None, typer.Option(help="Weight column (overrides design:).")] = None,
    strata: Annotated[str | None, typer.Option(help="Strata column.")] = None,
    cluster: Annotated[str | None, typer.Option(help="Cluster (PSU) column.")] = None,
    fpc: Annotated[str | None, typer.Option(help="Finite population correction column.")] = None,
    suppress: Annotated[int, typer.Option(help="Hide cells of fewer respondents (0: off).")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """The whole report in one folder: banner workbook, charts, findings and an HTML report."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from analysis.banner import BannerError, BannerOptions
    from analysis.claims import load_claims
    from analysis.design import DesignError
    from analysis.design_choice import DesignChoiceError, choose_design
    from analysis.report import make_report

    responses = load_data(data, questionnaire)
    q = responses.questionnaire
    columns = [b.strip() for b in by.split(",") if b.strip()] or None
    with Progress(TextColumn("{task.description:<28}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                  console=err, disable=quiet, transient=False) as bar:
        task = bar.add_task("reading", total=1)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=max(total, 1))

        try:
            claim_list = load_claims(claims, q) if claims else []
            choice = choose_design(responses, weight=weight, strata=strata, cluster=cluster,
                                   fpc=fpc)
            written = make_report(responses, choice, output, claims=claim_list, by=columns,
                                  lang=lang, options=BannerOptions(lang=lang, suppress=suppress),
                                  progress=progress)
        except SourceError as problems:
            fail(problems)
        except (BannerError, DesignError, DesignChoiceError) as error:
            fail_message(f"{data}: {error}")
    out.print(f"wrote {len(written.files)} files to {written.folder}/: {written.banners} banner "
              f"tables, {written.claims} claims", markup=False)
    for path in written.files:
        if path.suffix in (".html", ".xlsx", ".csv"):
            out.print(f"  {path}", markup=False)


if __name__ == "__main__":
    app()
