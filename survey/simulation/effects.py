"""The effects file of `survey simulate` (docs/reference/simulate.md): marginals, segment effects,
design.

Read with located errors (FILE:LINE:COLUMN) like every YAML file a user writes; every name and
code is checked against the questionnaire, so a typo is reported, never silently ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from survey.files.encoding import read_text
from survey.files.located import validate
from survey.files.source import Problem, SourceError, SourceMap, load_yaml, suggest
from survey.questionnaire.model import OptionCode, Question, Questionnaire


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NumberMarginal(_Model):
    """The distribution of a number question (before effects), clipped to its min/max."""

    mean: float
    sd: float | None = Field(default=None, gt=0)
    distribution: Literal["normal", "poisson", "lognormal"] = "normal"


class Effect(_Model):
    """Members of `segment` answer `question` differently from everyone else."""

    segment: str
    question: str  # a question, grid item or multi-item scale
    option: OptionCode | None = None  # multi/rank option, or single/scale code
    odds_ratio: float | None = Field(default=None, gt=0)
    shift: float | None = None  # added to the mean of a number, scale item or multi-item scale


class Clusters(_Model):
    """Enterprises (clusters) within districts (strata), with a random intercept on attitudes."""

    districts: int = Field(default=6, ge=1)
    enterprises: int = Field(default=60, ge=1)
    intercept_sd: float = Field(default=0.3, ge=0)


class Weights(_Model):
    """Unequal weights: log-normal with coefficient of variation `cv`, scaled to `total`."""

    cv: float = Field(default=0.4, ge=0)
    total: float | None = Field(default=None, gt=0)


class EffectsFile(_Model):
    marginals: dict[str, Annotated[NumberMarginal | dict[OptionCode, float],
                                   Field(union_mode="left_to_right")]] = Field(default_factory=dict)
    effects: list[Effect] = Field(default_factory=list)
    empty_rate: float = Field(default=0.02, ge=0, lt=1)
    clusters: Clusters | None = None
    weights: Weights | None = None


def load_effects(path: str | Path, questionnaire: Questionnaire) -> EffectsFile:
    """Read and check an effects file; raise SourceError with every problem, located."""
    path = Path(path)
    text = read_text(path)
    return parse_effects(text, questionnaire, str(path))


def parse_effects(text: str, questionnaire: Questionnaire, file: str = "<effects>") -> EffectsFile:
    data, source = load_yaml(text, file, "an effects file has sections such as 'marginals:'")
    problems: list[Problem] = []

    def add(path: tuple, code: str, message: str, **where: Any) -> None:
        problems.append(source.problem(tuple(path), code, message, **where))

    model = validate(EffectsFile, data if data is not None else {}, (), add)
    if model is not None:
        _check(model, questionnaire, source, add)
    if problems or model is None:
        raise SourceError(problems)
    return model


def _check(model: EffectsFile, questionnaire: Questionnaire, source: SourceMap, add) -> None:
    """Every name and code of the file against the questionnaire: marginals, then effects."""
    items = questionnaire.items
    scales = {s.name for s in questionnaire.scales}
    for name, marginal in model.marginals.items():
        _check_marginal(name, marginal, items, add)
    for i, effect in enumerate(model.effects):
        _check_effect(effect, ("effects", i), questionnaire, scales, add)


def _check_marginal(name: str, marginal: NumberMarginal | dict, items: dict, add) -> None:
    """A marginal is of a question, in the form its type takes: a distribution for a number,
    shares of its options for any other."""
    where = ("marginals", name)
    if name not in items:
        add(where, "unknown-question", f"unknown question '{name}'{suggest(name, items)}",
            key=True)
        return
    q = items[name]
    if isinstance(marginal, NumberMarginal) != (q.type in ("number",)):
        kind = "{mean: ..., sd: ...}" if q.type == "number" else "{code: share, ...}"
        add(where, "bad-marginal", f"'{name}' is a {q.type} question: give {kind}")
        return
    if isinstance(marginal, dict):
        _check_shares(name, marginal, q, add)


def _check_shares(name: str, marginal: dict, q: Question, add) -> None:
    """Shares are of the question's options, not negative, and add up to 1 for a question with
    one answer (a multi question's options are chosen independently)."""
    where = ("marginals", name)
    for code, share in marginal.items():
        if code not in q.codes:
            add(where + (code,), "unknown-code", f"'{name}' has no option {code!r}"
                f"{suggest(str(code), [str(c) for c in q.codes])}", key=True)
        elif share < 0:
            add(where + (code,), "bad-share", "a share cannot be negative")
    total = sum(marginal.values())
    if not q.is_set and abs(total - 1) > 0.01:
        add(where, "bad-shares", f"the shares of '{name}' add up to {total:g}, not 1")


def _check_effect(effect: Effect, where: tuple, questionnaire: Questionnaire, scales: set[str],
                  add) -> None:
    """An effect names a segment and a question or scale, and moves it by exactly one of a
    shift or an odds ratio, whichever its type takes."""
    items = questionnaire.items
    if effect.segment not in questionnaire.segments:
        add(where + ("segment",), "unknown-segment", f"unknown segment '{effect.segment}'"
            f"{suggest(effect.segment, questionnaire.segments)}")
    name = effect.question
    if name not in items and name not in scales:
        add(where + ("question",), "unknown-question", f"unknown question or scale '{name}'"
            f"{suggest(name, [*items, *scales])}")
        return
    if (effect.odds_ratio is None) == (effect.shift is None):
        add(where, "bad-effect", "give exactly one of 'odds_ratio' (with 'option') or 'shift'")
        return
    kind = "scale" if name in scales else items[name].type
    if effect.shift is not None:
        _check_shift(effect, where, kind, add)
    else:
        _check_odds_ratio(effect, where, kind, items, scales, add)


def _check_shift(effect: Effect, where: tuple, kind: str, add) -> None:
    """A shift moves a mean, so it is for a number or a scale, and has no 'option'."""
    if kind not in ("number", "scale"):
        add(where + ("shift",), "bad-effect", f"'shift' moves the mean of a number or "
            f"scale; '{effect.question}' is a {kind} question: use 'option' and 'odds_ratio'")
    elif effect.option is not None:
        add(where + ("option",), "bad-effect", "'option' goes with 'odds_ratio', not "
            "with 'shift'")


def _check_odds_ratio(effect: Effect, where: tuple, kind: str, items: dict, scales: set[str],
                      add) -> None:
    """An odds ratio changes the odds of one option, so it needs a question with options and
    one of its codes in 'option'."""
    name = effect.question
    if kind in ("number", "text", "date") or name in scales:
        add(where + ("odds_ratio",), "bad-effect", f"'odds_ratio' needs options; '{name}' "
            "has none: use 'shift'")
    elif effect.option is None:
        add(where, "missing-key", "'option' is required with 'odds_ratio'")
    elif effect.option not in items[name].codes:
        codes = [str(c) for c in items[name].codes]
        add(where + ("option",), "unknown-code", f"'{name}' has no option "
            f"{effect.option!r}{suggest(str(effect.option), codes)}")


def effects_on(model: EffectsFile, name: str) -> list[Effect]:
    return [e for e in model.effects if e.question == name]
