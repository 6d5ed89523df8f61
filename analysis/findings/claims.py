"""Claims: what a report says, in a form the data can test (the claims YAML of DESIGN.md).

Four kinds, told apart by their keys:
- comparison: `segment` (vs the rest, or vs `versus`) on `question` (`option` share, a mean,
  or with `measure: median` a median: analysis.findings.medians);
- top: `top: [codes]` are the most-selected options of `question` (overall or `within` a segment);
- trend: `trend: {by, order}`: the measure moves in `direction` across ordered groups;
- anchor: `anchor: {value, source}`: the estimate is compared with a published figure.
A comparison with `controls: [...]` is also tested adjusted for those covariates (regression).
Every problem is reported as FILE:LINE:COLUMN against the questionnaire it refers to.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from survey.files.encoding import read_text
from survey.files.located import validate
from survey.files.source import Problem, SourceError, SourceMap, load_yaml, suggest
from survey.questionnaire.model import Label, Name, OptionCode, Question, Questionnaire

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
Measure = Literal["share", "ranked_first", "mean", "median"]
SHARES = ("share", "ranked_first")  # measures that are fractions; means and medians are not


def is_share(measure: str) -> bool:
    """Whether a measure is a share (a fraction shown as a percentage), not a mean or median."""
    return measure in SHARES


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Trend(_Model):
    by: Name
    order: list[OptionCode] = Field(min_length=3)


class Anchor(_Model):
    value: float
    source: Label  # what the published figure is, in the questionnaire's languages


class Claim(_Model):
    id: str
    statement: Label
    question: Name
    segment: Name | None = None
    versus: Name | None = None
    option: OptionCode | None = None
    measure: Measure | None = None
    scores: dict[OptionCode, float] | None = None
    direction: Literal["higher", "lower"] | None = None
    min_difference: float | None = Field(default=None, ge=0)
    top: list[OptionCode] | None = Field(default=None, min_length=1)
    within: Name | None = None
    trend: Trend | None = None
    anchor: Anchor | None = None
    controls: list[Name] = Field(default_factory=list)
    operationalisation: bool = False  # the testable content of a finding, not its own sentence

    @property
    def kind(self) -> Literal["top", "trend", "anchor", "comparison"]:
        if self.top is not None:
            return "top"
        if self.trend is not None:
            return "trend"
        if self.anchor is not None:
            return "anchor"
        return "comparison"

    @property
    def resolved_measure(self) -> Measure:
        if self.measure:
            return self.measure
        return "share" if self.option is not None or self.top is not None else "mean"

    @property
    def threshold(self) -> float:
        """The smallest difference that counts: given, or 0.05 for shares and 0 otherwise."""
        if self.min_difference is not None:
            return self.min_difference
        return 0.05 if is_share(self.resolved_measure) else 0.0


def load_claims(path: str | Path, questionnaire: Questionnaire) -> list[Claim]:
    """Read a claims file and check it against the questionnaire; raise SourceError if broken."""
    path = Path(path)
    text = read_text(path)
    return parse_claims(text, questionnaire, str(path))


def parse_claims(text: str, questionnaire: Questionnaire, file: str = "<claims>") -> list[Claim]:
    data, source = load_yaml(text, file, "a claims file starts with 'claims:'")
    problems: list[Problem] = []

    def add(path, code, message, **where):
        problems.append(source.problem(tuple(path), code, message, **where))

    entries = data.get("claims") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        add((), "bad-claims", "a claims file is a mapping with a non-empty 'claims' list")
        raise SourceError(problems)
    for key in data:
        if key != "claims":
            add((key,), "unknown-section", f"unknown top-level key '{key}'; a claims file "
                "has only 'claims'", key=True)
    context = {"languages": questionnaire.survey.languages}
    claims: list[Claim] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        claim = validate(Claim, entry, ("claims", i), add, context)
        if claim is None:
            continue
        if claim.id in seen or not ID_PATTERN.match(claim.id):
            add(("claims", i, "id"), "bad-id", f"claim id '{claim.id}' is "
                + ("used twice" if claim.id in seen else "not a simple id such as F2-career"))
        seen[claim.id] = i
        _check(claim, ("claims", i), questionnaire, add)
        claims.append(claim)
    if problems:
        raise SourceError(problems)
    return claims


def _check(claim: Claim, path: tuple, q: Questionnaire, add) -> None:
    """Every problem of one claim against the questionnaire, in the order a reader meets them."""
    variables = _variables(q)
    target = variables.get(claim.question)
    _check_names(claim, path, q, variables, add)
    _check_form(claim, path, add)
    if target is not None:
        _check_measure(claim, path, target, add)
    if claim.trend is not None:
        _check_trend(claim.trend, path, variables, add)


def _check_names(claim: Claim, path: tuple, q: Questionnaire, variables: dict[str, Any],
                 add) -> None:
    """The question, segments and controls a claim names must exist in the questionnaire."""
    if variables.get(claim.question) is None:
        add(path + ("question",), "unknown-name", f"'{claim.question}' is not a question, grid "
            f"item, derived variable or scale{suggest(claim.question, variables)}")
    for key in ("segment", "versus", "within"):
        name = getattr(claim, key)
        if name is not None and name not in q.segments:
            add(path + (key,), "unknown-segment", f"'{name}' is not a segment of the "
                f"questionnaire{suggest(name, q.segments)}")
    for j, name in enumerate(claim.controls):
        if name not in variables:
            add(path + ("controls", j), "unknown-name", f"control '{name}' is not a variable"
                f"{suggest(name, variables)}")


def _check_form(claim: Claim, path: tuple, add) -> None:
    """A claim is one kind (comparison, top, trend or anchor) with the keys that kind needs."""
    kinds = [k for k in ("top", "trend", "anchor") if getattr(claim, k) is not None]
    if len(kinds) > 1:
        add(path, "claim-form",
            f"a claim is one of top, trend or anchor, not {' and '.join(kinds)}")
    if claim.kind == "comparison" and claim.segment is None:
        add(path, "claim-form", "a comparison claim needs 'segment' (or use top, trend or anchor)")
    if claim.kind != "top" and claim.direction is None:
        add(path, "missing-key", "'direction' (higher or lower) is required here")
    if claim.kind == "top" and (claim.option is not None or claim.direction is not None):
        add(path, "claim-form", "a top claim lists its options in 'top' and has no 'option' or "
            "'direction'")
    if claim.versus is not None and claim.versus == claim.segment:
        add(path + ("versus",), "claim-form", "a segment cannot be compared with itself")


def _check_trend(trend: Trend, path: tuple, variables: dict[str, Any], add) -> None:
    """A trend runs across a variable that exists, in an order of codes that variable has."""
    by = variables.get(trend.by)
    codes = _codes(by)
    if by is None:
        add(path + ("trend", "by"), "unknown-name", f"'{trend.by}' is not a variable"
            f"{suggest(trend.by, variables)}")
    for j, code in enumerate(trend.order):
        if codes and code not in codes:
            add(path + ("trend", "order", j), "unknown-code", f"'{trend.by}' has no "
                f"option {code!r}")


def _check_measure(claim: Claim, path: tuple, target: Any, add) -> None:
    codes = _codes(target)
    kind = getattr(target, "type", None)
    is_set = kind in ("multi", "rank")
    places = [(("option",), claim.option)]
    places += [(("top", j), code) for j, code in enumerate(claim.top or [])]
    places += [(("scores", code), code) for code in claim.scores or {}]
    for where, code in places:
        if code is not None and codes and code not in codes:
            add(path + where, "unknown-code", f"'{claim.question}' has no option {code!r} "
                f"(codes: {', '.join(map(str, codes))})", key=where[0] == "scores")
    measure = claim.resolved_measure
    if claim.top is not None and not codes:
        add(path + ("top",), "claim-form", f"'{claim.question}' has no options to rank")
    if measure == "ranked_first" and kind != "rank":
        add(path + ("measure",), "claim-form", "'ranked_first' needs a rank question")
    if measure in ("mean", "median") and claim.top is None:
        numeric = kind in ("scale", "number") or isinstance(target, _ScaleScore) or (
            kind == "single" and claim.scores) or _derived_number(target)
        if is_set or not numeric:
            add(path + ("question",), "claim-form", f"'{claim.question}' has no {measure}: "
                "give 'option' for the share choosing one option"
                + (", or 'scores' for its options" if kind == "single" else ""))
    if measure == "median":
        _check_median(claim, path, add)
    if measure == "share" and codes == [] and claim.option is not None:
        add(path + ("option",), "claim-form", f"'{claim.question}' has no options")


def _check_median(claim: Claim, path: tuple, add) -> None:
    """A median is compared between two groups or with a published figure, unadjusted."""
    if claim.option is not None:
        add(path + ("option",), "claim-form", "a median is of the question's numbers; "
            "remove 'option' (or use measure: share)")
    if claim.kind in ("top", "trend"):
        add(path, "claim-form", f"a median claim compares two groups or a published figure, "
            f"not a {claim.kind}")
    if claim.controls:
        add(path + ("controls",), "claim-form", "controls adjust means and shares, not medians")


class _ScaleScore:
    """A multi-item scale named in `scales:`: its score is a mean."""


def _variables(q: Questionnaire) -> dict[str, Any]:
    found: dict[str, Any] = dict(q.items)
    found.update({d.name: d for d in q.derived})
    found.update({s.name: _ScaleScore() for s in q.scales})
    return found


def _codes(target: Any) -> list:
    if isinstance(target, Question):
        return target.codes
    options = getattr(target, "options", None)
    return list(options) if isinstance(options, dict) else []


def _derived_number(target: Any) -> bool:
    from survey.expressions import parse

    expr = getattr(target, "expr", None)
    return expr is not None and not parse(expr).is_boolean()


__all__ = ["Claim", "Trend", "Anchor", "load_claims", "parse_claims", "SourceMap", "is_share"]
