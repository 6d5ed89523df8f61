"""The commands that analyse: banner tables, claims, the whole report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli.common import (
    Cluster,
    Data,
    Fpc,
    Lang,
    Questionnaire,
    Strata,
    Suppress,
    Weight,
    app,
    bad_option,
    design_of,
    err,
    load_data,
    names,
    say,
    where,
)


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
    responses = load_data(data, questionnaire, [row, *names(by), weight, strata, cluster, fpc])
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
