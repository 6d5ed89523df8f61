"""The commands that analyse: banner tables, claims, the whole report."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated

import typer

from cli.common import (
    Cluster,
    Data,
    Fpc,
    Lang,
    Mse,
    Questionnaire,
    ReplicateRscales,
    ReplicateScale,
    ReplicateType,
    ReplicateWeights,
    Rho,
    Strata,
    Suppress,
    Versus,
    Weight,
    app,
    bad_option,
    console,
    design_of,
    load,
    load_data,
    names,
    say,
    warn,
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
    replicate_weights: ReplicateWeights = None, replicate_type: ReplicateType = None,
    replicate_scale: ReplicateScale = None, replicate_rscales: ReplicateRscales = None,
    rho: Rho = None, mse: Mse = None,
    alpha: Annotated[float, typer.Option(help="Significance level of tests and letters.")] = 0.05,
    correction: Annotated[str, typer.Option(help="holm, bonferroni, bh or none.")] = "holm",
    min_base: Annotated[int, typer.Option(help="Smaller bases are flagged, not tested.")] = 30,
    suppress: Suppress = 0,
    percent: Annotated[str, typer.Option(help="respondents or responses (multi/rank).")]
    = "respondents",
    net: Annotated[list[str] | None, typer.Option(help="A net NAME=CODES, e.g. top2=4,5; "
                                                  "repeatable.")] = None,
    show: Annotated[str, typer.Option(help="Also row and/or total proportions: row,total.")] = "",
    versus: Versus = "group",
    engine: Annotated[str, typer.Option(help="memory, duckdb or spark: where the sums are made. "
                                        "auto: duckdb for a .parquet or .csv file over 1/8 of "
                                        "memory (docs/reference/scale.md).")] = "auto",
    quantiles: Annotated[str, typer.Option(help="Number and scale rows: quantiles with Woodruff "
                                           "intervals, e.g. 0.25,0.5,0.75.")] = "",
    quantile_interval: Annotated[str, typer.Option(help="woodruff, or replicates: the quantile "
                                                   "recomputed under each replicate weight "
                                                   "(replicate designs).")] = "woodruff",
) -> None:
    """A banner table of ROW by each BY variable, with Total, letters and tests."""
    from analysis.banner.build import BannerOptions, banner
    from analysis.banner.render import chart_cells, footnote, terminal_report
    from analysis.design.corrections import CORRECTIONS
    from analysis.engines.connect import choose_engine

    if correction not in CORRECTIONS:
        raise bad_option(f"--correction {correction!r}: use holm, bonferroni, bh or none")
    options = BannerOptions(alpha=alpha, correction=correction,  # type: ignore[arg-type]
                            min_base=min_base, suppress=suppress,
                            percent=percent,  # type: ignore[arg-type]
                            extra=tuple(names(show)), nets=tuple(net or ()), lang=lang,
                            versus=versus,  # type: ignore[arg-type]
                            quantiles=quantiles,  # type: ignore[arg-type]  (text is parsed)
                            quantile_interval=quantile_interval)  # type: ignore[arg-type]
    where(data)
    if choose_engine(data, engine) == "memory":
        wanted = [row, *names(by), weight, strata, cluster, fpc]
        responses = load_data(data, questionnaire, wanted, replicate_weights)
        choice = design_of(responses, weight, strata, cluster, fpc, replicate_weights,
                           replicate_type, replicate_scale, replicate_rscales, rho, mse)
        table = banner(responses, row, names(by), design=choice.design, options=options)
        table = dataclasses.replace(table, notes=(*choice.notes, *table.notes))
    else:  # the file stays in the engine: the same banner from its sums
        from analysis.engines.banner import file_banner  # pyarrow.parquet, SQL: only here

        if replicate_weights:
            raise bad_option("replicate weights are analysed in memory: --engine memory")
        table = file_banner(data, load(questionnaire), row, names(by),
                            engine=choose_engine(data, engine), weight=weight, strata=strata,
                            cluster=cluster, fpc=fpc, options=options)
    if chart is not None:
        from analysis.report import chart_files, charts
        from analysis.report.drawing import FORMATS

        figure = charts.grouped_bars(chart_cells(table), table.row_label, note=footnote(table))
        chart_files.save(figure, chart.with_suffix(""), FORMATS)
    if json_:
        return print(json.dumps(table.to_json(), ensure_ascii=False, indent=1))
    for part in terminal_report(table, (), lang):
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
    replicate_weights: ReplicateWeights = None, replicate_type: ReplicateType = None,
    replicate_scale: ReplicateScale = None, replicate_rscales: ReplicateRscales = None,
    rho: Rho = None, mse: Mse = None,
) -> None:
    """Test a report's claims against the data: one verdict per claim."""
    from analysis.design.corrections import CORRECTIONS
    from analysis.findings.table import findings_table, method_note, terminal_report, write_findings
    from analysis.findings.verdicts import check_claims

    if correction not in CORRECTIONS:
        raise bad_option(f"--correction '{correction}' is not one of: {', '.join(CORRECTIONS)}")
    responses = load_data(data, questionnaire)
    choice = design_of(responses, weight, strata, cluster, fpc, replicate_weights,
                       replicate_type, replicate_scale, replicate_rscales, rho, mse)
    result = check_claims(responses, claims, choice.design, alpha=alpha, correction=correction,
                          min_base=min_base)
    table = findings_table(result, responses.questionnaire, lang)
    lang = table.attrs["lang"]
    note = method_note(result, choice.describe(lang), lang, choice.variance(lang)["variance"])
    if output is not None:
        where(output)
        write_findings(table, note, output)
    if json_:
        document = result.to_json() | {"design": choice.columns, "notes": list(choice.notes)}
        return typer.echo(json.dumps(document, ensure_ascii=False, indent=1))
    for part in terminal_report(table, (*choice.notes, note), table.attrs["lang"]):
        say(part)
    if output is not None:
        warn(f"wrote {output}")


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
    replicate_weights: ReplicateWeights = None, replicate_type: ReplicateType = None,
    replicate_scale: ReplicateScale = None, replicate_rscales: ReplicateRscales = None,
    rho: Rho = None, mse: Mse = None,
    suppress: Suppress = 0,
    versus: Versus = "group",
    previous: Annotated[Path | None, typer.Option(help="The previous wave (any file 'survey "
                                                  "import' reads): adds the changes since "
                                                  "it.")] = None,
    paired: Annotated[bool, typer.Option("--paired", help="With --previous: a panel, the same "
                                         "respondents (respondent_id).")] = False,
    independent: Annotated[bool, typer.Option("--independent", help="With --previous: "
                                              "independent samples even though respondent "
                                              "ids repeat.")] = False,
    svg: Annotated[bool, typer.Option("--svg", help="Each chart as SVG too (vector graphics, "
                                      "for print), beside its PNG.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """The whole report in one folder: banner workbook, charts, findings and an HTML report."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from analysis.report.build import charts_expected
    from analysis.report.build import report as make_report
    from analysis.report.drawing import warm_up

    if (paired or independent) and previous is None:
        raise bad_option("--paired and --independent say how --previous relates to DATA: "
                         "give --previous too")
    options = (weight, strata, cluster, fpc, replicate_weights, replicate_type, replicate_scale,
               replicate_rscales, rho, mse)
    model = load(questionnaire)
    warm_up(charts_expected(model))  # the chart workers' imports, while the data is read
    before = None
    if previous is not None:
        from analysis.report.changes import PreviousWave

        earlier = load_data(previous, model)
        before = PreviousWave(earlier, design_of(earlier, *options).design, previous.name,
                              data.name, paired, independent)
    responses = load_data(data, model)
    design = design_of(responses, *options).design
    err = console(stderr=True)
    with Progress(TextColumn("{task.description:<28}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                  console=err, transient=False, disable=quiet or not err.is_terminal) as bar:
        task = bar.add_task("reading", total=1)
        written = make_report(responses, output, claims=claims or (), design=design,
                              by=names(by) or None, lang=lang, suppress=suppress, versus=versus,
                              previous=before, svg=svg,
                              progress=lambda step, done, total: bar.update(
                                  task, description=step, completed=done, total=max(total, 1)))
    say(f"wrote {len(written.files)} files to {written.folder}/: {written.banners} banner "
        f"tables, {written.claims} claims")
    say("\n".join(f"  {p}" for p in written.files if p.suffix in (".html", ".xlsx", ".csv")))


@app.command()
def compare(
    wave1: Annotated[Path, typer.Argument(help="The first (earlier) wave: any file 'survey "
                                          "import' reads.")],
    wave2: Annotated[Path, typer.Argument(help="The second wave, of the same questionnaire.")],
    questionnaire: Questionnaire,
    row: Annotated[str, typer.Option(help="The question compared (single, multi, rank: "
                                     "shares; scale, number: means).")],
    by: Annotated[str, typer.Option(help="Column variables, comma-separated: questions, "
                                    "derived variables or segments.")] = "",
    json_: Annotated[bool, typer.Option("--json", help="Print the JSON document only.")] = False,
    paired: Annotated[bool, typer.Option("--paired", help="A panel: the same respondents "
                                         "(respondent_id) in both waves.")] = False,
    independent: Annotated[bool, typer.Option("--independent", help="Independent samples "
                                              "even though respondent ids repeat.")] = False,
    lang: Lang = None,
    weight: Weight = None, strata: Strata = None, cluster: Cluster = None, fpc: Fpc = None,
    replicate_weights: ReplicateWeights = None, replicate_type: ReplicateType = None,
    replicate_scale: ReplicateScale = None, replicate_rscales: ReplicateRscales = None,
    rho: Rho = None, mse: Mse = None,
    alpha: Annotated[float, typer.Option(help="Significance level.")] = 0.05,
    correction: Annotated[str, typer.Option(help="holm, bonferroni, bh or none.")] = "holm",
    min_base: Annotated[int, typer.Option(help="Smaller bases are flagged, not tested.")] = 30,
) -> None:
    """The change of ROW between two waves, per segment, with its interval and test."""
    from analysis.design.corrections import CORRECTIONS
    from analysis.waves.compare import compare as compare_waves
    from analysis.waves.render import terminal_report

    if correction not in CORRECTIONS:
        raise bad_option(f"--correction {correction!r}: use holm, bonferroni, bh or none")
    waves, designs = [], []
    for path in (wave1, wave2):
        responses = load_data(path, questionnaire)
        designs.append(design_of(responses, weight, strata, cluster, fpc, replicate_weights,
                                 replicate_type, replicate_scale, replicate_rscales, rho,
                                 mse).design)
        waves.append(responses)
    where(wave2)
    result = compare_waves(waves[0], waves[1], row, names(by), design1=designs[0],
                           design2=designs[1], paired=paired, independent=independent,
                           alpha=alpha, correction=correction, min_base=min_base, lang=lang,
                           names=(wave1.name, wave2.name))
    if json_:
        return print(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    for part in terminal_report(result, lang):
        say(part)
