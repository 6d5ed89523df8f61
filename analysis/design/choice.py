"""Which design a dataset is analysed with: the questionnaire's `design:` defaults, overridden.

Defaults name columns a dataset may not carry (a web-form export has no weights); such a default
is left out with a note. A column named on the command line must exist: that is an error.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from analysis.design.sample_design import Design
from survey.errors import SurveyError
from survey.files.source import suggest
from survey.messages import words
from survey.messages.tables import DESIGN_WORDS

PARTS = ("weight", "strata", "cluster", "fpc")


class DesignChoiceError(SurveyError):
    """A design column asked for explicitly is not in the data."""

    code = "design-column-missing"


@dataclass(frozen=True)
class DesignChoice:
    design: Design
    columns: dict[str, str | None]
    notes: tuple[str, ...]

    def describe(self, lang: str | None = "en") -> str:
        """The design's columns in words of `lang` (weight=weight, strata=district, ...)."""
        say = words(DESIGN_WORDS, lang)
        used = [f"{say[part]}={name}" for part, name in self.columns.items() if name]
        return say["separator"].join(used) if used else say["srs"]

    @classmethod
    def of(cls, design: Design) -> DesignChoice:
        """The choice a design was built from (its columns, and the notes it carries)."""
        columns = {part: design.description.get(part) for part in PARTS}
        return cls(design, columns, design.notes)


def design_columns(available, defaults, **overrides: str | None
                   ) -> tuple[dict[str, str | None], tuple[str, ...]]:
    """The design's columns among `available`: overrides (explicit: an error when absent) over
    the questionnaire's `design:` defaults (left out with a note when absent)."""
    available = [str(c) for c in available]
    columns: dict[str, str | None] = {}
    notes = []
    for part in PARTS:
        explicit = overrides.get(part)
        name = explicit or getattr(defaults, part)
        if name and name not in available:
            if explicit:
                raise DesignChoiceError(f"the {part} column '{name}' is not in the data"
                                        f"{suggest(name, available)}")
            notes.append(f"the questionnaire's {part} column '{name}' is not in the data; "
                         f"analysed without it")
            name = None
        columns[part] = name
    return columns, tuple(notes)


def choose_design(responses, **overrides: str | None) -> DesignChoice:
    """The design for `responses`: overrides (explicit) over the questionnaire's defaults."""
    frame = responses.frame
    columns, notes = design_columns(frame.columns, responses.questionnaire.design, **overrides)
    design = Design.build(frame, weight=columns["weight"], strata=columns["strata"],
                          cluster=columns["cluster"], fpc=columns["fpc"])
    design = dataclasses.replace(design.with_variables(responses.series), notes=notes)
    return DesignChoice(design, columns, notes)


def survey_design(responses, *, weight: str | None = None, strata: str | None = None,
                  cluster: str | None = None, fpc: str | None = None) -> Design:
    """The design of `responses`: the questionnaire's `design:` defaults, overridden by the
    columns named here; a default column the data lack is left out with a note (`.notes`).

    The design knows the responses' variables by name, so estimators and banners take
    `by="state_owned"` (a segment), a derived variable or a question.
    """
    return choose_design(responses, weight=weight, strata=strata, cluster=cluster,
                         fpc=fpc).design
