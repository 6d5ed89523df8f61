"""Weighting a dataset: the methods in one registry, and the step `survey weight` runs.

Every method shares one signature, `method(frame, targets, *, weights, kind, total, bounds, trim,
trim_relative_to) -> WeightingResult`, so swapping raking for post-stratification is a name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from analysis.design.errors import DesignError
from analysis.design.replicate_design import replicate_columns
from analysis.weighting.common import WeightingResult
from analysis.weighting.errors import WeightingError
from analysis.weighting.poststrat import poststratify
from analysis.weighting.raking import rake
from analysis.weighting.replicates import reweight_replicates
from analysis.weighting.targets import Targets, load_targets
from survey.errors import InputError
from survey.files.source import suggest
from survey.responses.dataset import Responses

METHODS: dict[str, Callable[..., WeightingResult]] = {"rake": rake, "poststratify": poststratify}
WEIGHT_COLUMN = "weight"  # where the new weights go, the name the questionnaire's design expects


def parse_bounds(text: str) -> tuple[float, float]:
    """Bounds on the adjustment factors written LO,HI ("0.3,3")."""
    try:
        low, high = (float(x) for x in text.split(","))
    except ValueError:
        raise InputError(f"bounds {text!r}: write LO,HI, e.g. 0.3,3",
                         code="bad-bounds") from None
    return low, high


def weight(responses: Responses, targets: Targets | Mapping[str, Mapping[Any, float]] | str | Path,
           *, method: str = "rake", bounds: tuple[float, float] | None = None,
           trim: float | None = None, design_weight: str | None = None,
           replicate_weights: str | list[str] | None = None
           ) -> tuple[Responses, WeightingResult]:
    """`responses` with a `weight` column that meets `targets` (a file, or {variable: {code:
    share}}), and the weighting result with its report.

    Starts from `design_weight`, else the questionnaire's design weight when the data have it,
    else equal weights. With replicate weights (`replicate_weights`, else the questionnaire's),
    each replicate weight column is weighted to the same targets too and replaced, as R's rake
    on a replicate design does.
    """
    if method not in METHODS:
        raise InputError(f"unknown weighting method {method!r}{suggest(method, METHODS)}; "
                         f"use one of {', '.join(METHODS)}", code="unknown-method")
    frame = responses.frame
    if design_weight is not None and design_weight not in frame.columns:
        raise InputError(f"the design weight column {design_weight!r} is not in the data"
                         f"{suggest(design_weight, map(str, frame.columns))}",
                         code="design-column-missing")
    base = design_weight or responses.questionnaire.design.weight
    base = base if base in frame.columns else None
    source = str(targets) if isinstance(targets, (str, Path)) else None
    if source is not None:
        targets = load_targets(targets, columns=frame.columns)
    try:
        result = METHODS[method](frame, targets, weights=base, bounds=bounds, trim=trim)
    except WeightingError as error:  # targets that cannot be met are the targets file's problem
        error.location = error.location or source
        raise
    new = {WEIGHT_COLUMN: result.weights}
    spec = replicate_weights or responses.questionnaire.design.replicate_weights
    if spec:
        if trim is not None:
            raise WeightingError("trimming replicate weights is not supported (R's trimWeights "
                                 "does it one pass at a time); weight without trim")
        try:
            columns = replicate_columns(frame, spec, exclude=base)
        except DesignError as error:
            raise InputError(error.message, code="replicate-option") from None
        try:
            matrix = reweight_replicates(METHODS[method], frame, targets, columns,
                                         population=float(result.weights.sum()), bounds=bounds)
        except WeightingError as error:
            error.location = error.location or source
            raise
        new |= {name: matrix[:, j] for j, name in enumerate(columns)}
        result = dataclasses.replace(result, replicate_columns=tuple(columns))
    weighted = dataclasses.replace(responses, frame=frame.assign(**new))
    return weighted, result
