"""The commands about the data: import an export, describe it, weight it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli.common import (
    Data,
    DataOutput,
    Questionnaire,
    ReplicateWeights,
    app,
    bad_option,
    load,
    load_data,
    say,
    steps,
    where,
)


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
    mapping: Annotated[Path | None, typer.Option(
        help="A mapping file (docs/reference/mapping.md).")] = None,
    show_mapping: Annotated[bool, typer.Option(help="Print the mapping table.")] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print the import as JSON.")] = False,
    keep_identifiers: Annotated[bool, typer.Option(help="Keep IP, names, phone...")] = False,
) -> None:
    """Read an export into the documented layout, validate it, and write clean data (with a
    `_problems` count per respondent; nothing is fixed or dropped)."""
    from survey.responses.importing import import_export

    model = load(questionnaire)
    where(output)
    with steps(quiet=json_) as progress:
        done = import_export(export, model, output, format=format_, mapping=mapping,
                             strict=strict, lang=lang, report=report,
                             keep_identifiers=keep_identifiers, progress=progress)
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
    replicate_weights: ReplicateWeights = None,
) -> None:
    """Rake or post-stratify to population targets; write the data with a `weight` column (and
    every replicate weight weighted the same way, for a replicate-weight design)."""
    from analysis.weighting.apply import METHODS, parse_bounds
    from analysis.weighting.apply import weight as weight_responses
    from survey.writers import output_format, write_responses

    if method not in METHODS:
        raise bad_option(f"--method {method!r}: use {' or '.join(METHODS)}")
    limits = None if bounds is None else parse_bounds(bounds)
    output_format(output)
    responses = load_data(data, questionnaire)
    weighted, result = weight_responses(responses, targets, method=method, bounds=limits,
                                        trim=trim, design_weight=design_weight,
                                        replicate_weights=replicate_weights)
    say("\n".join([*result.report.summary(), result.report.to_frame().to_string(index=False)]))
    done = result.replicate_columns
    if done:
        say(f"the {len(done)} replicate weights ({done[0]} ... {done[-1]}) were weighted to the "
            "same targets")
    where(output)
    write_responses(weighted, output)
    say(f"wrote {output}")
