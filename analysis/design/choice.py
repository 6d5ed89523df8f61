"""Which design a dataset is analysed with: the questionnaire's `design:` defaults, overridden.

Defaults name columns a dataset may not carry (a web-form export has no weights); such a default
is left out with a note. A column named on the command line must exist: that is an error. A
replicate-weight design (replicate weights with their type) stands instead of strata, clusters
and fpc: naming one kind explicitly sets the questionnaire's other kind aside, with a note. Its
replicate weights must be in the data, wherever they are named: analysing without them would
understate every standard error.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from analysis.design.errors import DesignError
from analysis.design.replicate_design import ReplicateDesign
from analysis.design.sample_design import Design
from survey.errors import SurveyError
from survey.files.source import suggest
from survey.messages import words
from survey.messages.tables import DESIGN_WORDS

PARTS = ("weight", "strata", "cluster", "fpc")
TAYLOR = ("strata", "cluster", "fpc")
REPLICATE = ("replicate_weights", "replicate_type", "replicate_scale", "replicate_rscales", "mse",
             "rho")


class DesignChoiceError(SurveyError):
    """A design column asked for explicitly is not in the data."""

    code = "design-column-missing"


class ReplicateChoiceError(SurveyError):
    """Replicate weights that cannot be used as asked: options without replicate weights, both
    replicate weights and strata or clusters, a pattern matching no column of the data."""

    code = "replicate-option"


@dataclass(frozen=True)
class DesignChoice:
    design: Design | ReplicateDesign
    columns: dict[str, Any]
    notes: tuple[str, ...]

    def describe(self, lang: str | None = "en") -> str:
        """The design's columns in words of `lang` (weight=weight, strata=district, ...)."""
        say = words(DESIGN_WORDS, lang)
        used = [f"{say[part]}={self.columns[part]}" for part in PARTS if self.columns.get(part)]
        if self.columns.get("replicate_weights"):
            used.append(say["replicates"].format(columns=self.columns["replicate_weights"],
                                                 type=self.columns["replicate_type"],
                                                 count=self.columns["replicates"]))
        return say["separator"].join(used) if used else say["srs"]

    def variance(self, lang: str | None = "en") -> dict[str, str]:
        """How variances were made, in words of `lang`: `variance` (Taylor linearisation or
        the replicate method) and the design's `parts`, for the methods notes."""
        say = words(DESIGN_WORDS, lang)
        if not self.columns.get("replicate_weights"):
            return {"variance": say["taylor"], "parts": say["taylor_parts"]}
        return {"variance": say["replicated"].format(type=self.columns["replicate_type"],
                                                     count=self.columns["replicates"]),
                "parts": say["replicated_parts"]}

    @classmethod
    def of(cls, design: Design | ReplicateDesign) -> DesignChoice:
        """The choice a design was built from (its columns, and the notes it carries)."""
        return cls(design, _columns(design), design.notes)


def _columns(design: Design | ReplicateDesign) -> dict[str, Any]:
    """The design's columns by part; a replicate design adds its weights, type and count."""
    columns: dict[str, Any] = {part: design.description.get(part) for part in PARTS}
    if isinstance(design, ReplicateDesign):
        columns |= {"replicate_weights": design.description.get("replicate_weights"),
                    "replicate_type": design.type, "replicates": design.n_replicates}
    return columns


def design_columns(available, defaults, *, replicate: bool = False, **overrides: str | None
                   ) -> tuple[dict[str, str | None], tuple[str, ...]]:
    """The design's columns among `available`: overrides (explicit: an error when absent) over
    the questionnaire's `design:` defaults (left out with a note when absent). With replicate
    weights, the strata, clusters and fpc are theirs, and the full-sample weight must exist."""
    available = [str(c) for c in available]
    columns: dict[str, str | None] = {}
    notes = []
    for part in PARTS:
        explicit = overrides.get(part)
        name = explicit or (None if replicate and part in TAYLOR else getattr(defaults, part))
        if name and name not in available:
            if explicit or (replicate and part == "weight"):
                raise DesignChoiceError(f"the {part} column '{name}' is not in the data"
                                        f"{suggest(name, available)}")
            notes.append(f"the questionnaire's {part} column '{name}' is not in the data; "
                         f"analysed without it")
            name = None
        columns[part] = name
    return columns, tuple(notes)


def choose_design(responses, **overrides: Any) -> DesignChoice:
    """The design for `responses`: overrides (explicit) over the questionnaire's defaults."""
    frame = responses.frame
    defaults = responses.questionnaire.design
    notes: list[str] = []
    replicate = _replicate_spec(defaults, overrides, notes)
    columns, absent = design_columns(frame.columns, defaults, replicate=bool(replicate),
                                     **{part: overrides.get(part) for part in PARTS})
    notes += absent
    if replicate:
        if columns["weight"] is None:
            raise ReplicateChoiceError("a replicate-weight design needs the full-sample weight "
                                       "column too")
        try:
            design: Design | ReplicateDesign = ReplicateDesign.build(
                frame, weight=columns["weight"], replicates=replicate["replicate_weights"],
                type=replicate["replicate_type"], scale=replicate["replicate_scale"],
                rscales=replicate["replicate_rscales"], mse=replicate["mse"],
                rho=replicate["rho"])
        except DesignError as error:
            raise ReplicateChoiceError(f"{error.message}{replicate['origin']}") from None
    else:
        design = Design.build(frame, weight=columns["weight"], strata=columns["strata"],
                              cluster=columns["cluster"], fpc=columns["fpc"])
    design = dataclasses.replace(design.with_variables(responses.series), notes=tuple(notes))
    return DesignChoice(design, _columns(design), tuple(notes))


def _replicate_spec(defaults, overrides: dict[str, Any], notes: list[str]
                    ) -> dict[str, Any] | None:
    """The replicate weights and options to use (explicit ones over the questionnaire's), or
    None for a Taylor design; the questionnaire's other kind of design is set aside with a
    note, and options that would go unused are refused."""
    explicit_taylor = [part for part in TAYLOR if overrides.get(part)]
    explicit = {key: overrides[key] for key in REPLICATE if overrides.get(key) is not None}
    if explicit.get("replicate_weights") and explicit_taylor:
        raise ReplicateChoiceError(f"give replicate weights or {explicit_taylor[0]}, not both: "
                                   "replicate weights stand for the strata, clusters and fpc")
    if explicit_taylor or not (explicit.get("replicate_weights") or defaults.replicate_weights):
        if explicit:
            raise ReplicateChoiceError(f"'{next(iter(explicit))}' is for a replicate-weight "
                                       "design, and this one has no replicate weights")
        if defaults.replicate_weights:
            notes.append(f"the questionnaire's replicate weights are set aside: "
                         f"{explicit_taylor[0]} was given")
        return None
    if explicit.get("replicate_weights"):
        taken = [part for part in TAYLOR if getattr(defaults, part)]
        if taken:
            notes.append(f"the questionnaire's {', '.join(taken)} set aside: replicate weights "
                         "were given")
        if not defaults.replicate_weights:  # the questionnaire's options are for no weights
            defaults = type(defaults)()
    spec = {key: explicit.get(key, getattr(defaults, key)) for key in REPLICATE}
    if spec["replicate_type"] is None:
        raise ReplicateChoiceError("replicate weights need their type (JK1, JKn, BRR, Fay, "
                                   "bootstrap or SDR)")
    from_file = "replicate_weights" not in explicit
    spec["origin"] = " (the questionnaire's design: replicate_weights)" if from_file else ""
    return spec


def survey_design(responses, *, weight: str | None = None, strata: str | None = None,
                  cluster: str | None = None, fpc: str | None = None,
                  replicate_weights: str | list[str] | None = None,
                  replicate_type: str | None = None, replicate_scale: float | None = None,
                  replicate_rscales: list[float] | None = None, mse: bool | None = None,
                  rho: float | None = None) -> Design | ReplicateDesign:
    """The design of `responses`: the questionnaire's `design:` defaults, overridden by the
    columns named here; a default column the data lack is left out with a note (`.notes`).

    `replicate_weights` (a glob such as "repw*" or a list of columns) with `replicate_type`
    (JK1, JKn, BRR, Fay, bootstrap, SDR) and optionally `replicate_scale`, `replicate_rscales`,
    `mse` and `rho` (Fay) make a replicate-weight design, as R's svrepdesign.

    The design knows the responses' variables by name, so estimators and banners take
    `by="state_owned"` (a segment), a derived variable or a question.
    """
    return choose_design(responses, weight=weight, strata=strata, cluster=cluster, fpc=fpc,
                         replicate_weights=replicate_weights, replicate_type=replicate_type,
                         replicate_scale=replicate_scale, replicate_rscales=replicate_rscales,
                         mse=mse, rho=rho).design
