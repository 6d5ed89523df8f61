"""Test a report's claims against survey data: one finding per claim, with a verdict.

Each claim becomes a design-based estimate and test (domain means keep the full design, as R's
svyby/svyttest); p-values are then adjusted across all claims (Holm by default) and a verdict is
given by one stated rule (`VERDICT_RULE`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from analysis.design import distributions as dist
from analysis.design import estimation
from analysis.design.choice import choose_design
from analysis.design.corrections import adjust_p, correction_name
from analysis.design.sample_design import Design, DesignError
from analysis.design.significance import two_means
from analysis.findings.adjusted import adjusted_coefficient
from analysis.findings.claims import Claim, load_claims
from analysis.findings.measures import ClaimData, positions
from analysis.findings.medians import median_test, two_groups
from survey.messages import family, text
from survey.messages.tables import FINDINGS, NOTES

__all__ = ["ClaimData", "Finding", "Findings", "VERDICT_RULE", "assess_claims", "check_claims"]

Verdict = Literal["supported", "not_supported", "contradicted", "insufficient_data"]
VERDICT_RULE = text(FINDINGS, "verdict_rule", "en")  # in every --json document


@dataclass(frozen=True)
class Finding:
    """The test of one claim. Shares are fractions; `difference` is estimate - comparison."""

    claim: Claim
    verdict: Verdict
    estimate: float
    comparison: float
    difference: float
    ci: tuple[float, float]
    p: float
    p_adjusted: float
    n: int
    n_comparison: int
    test: str
    said: tuple[str, dict] | None = None  # a note: its catalogue key (NOTES) and values
    comparison_label: str = ""
    adjusted: tuple[float, float] | None = None  # (coefficient, p) when the claim has controls
    slope: float | None = None  # a trend claim's change in the measure per group
    adjusted_n: int | None = None  # respondents the model with controls used (complete cases)

    def note_in(self, lang: str | None) -> str:
        """The note in `lang` (catalogue NOTES), its names as people read them in `lang`;
        `lang` None: the note of the JSON, in English with the claims' own codes. '' when there
        is none."""
        if not self.said:
            return ""
        key, values = self.said
        values = {k: _in(v, lang) if isinstance(v, dict) else v for k, v in values.items()}
        return text(NOTES, key, lang or "en", **values)

    @property
    def note(self) -> str:
        return self.note_in(None)


def _in(value: dict[str, str], lang: str | None) -> str:
    """A text given per language ("": the codes): `lang`'s own, else one of the same language
    (zh-CN for zh), else of its catalogue family, else the codes, else the first; for None the
    codes, else as for English."""
    if lang is None:
        return value.get("") or _in(value, "en")
    base = lang.split("-")[0].lower()
    given = [(k, v) for k, v in value.items() if k]
    return (value.get(lang) or next((v for k, v in given if k.split("-")[0].lower() == base), None)
            or next((v for k, v in given if family(k) == family(lang)), None)
            or value.get("") or next(iter(value.values())))


@dataclass(frozen=True)
class Findings:
    findings: tuple[Finding, ...]
    alpha: float
    correction: str
    min_base: int

    def to_json(self) -> dict:
        """The `survey findings --json` document of DESIGN.md (plus bases, test and rule)."""
        return {"alpha": self.alpha, "correction": self.correction, "min_base": self.min_base,
                "rule": VERDICT_RULE, "claims": [_finding_json(f) for f in self.findings]}

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([_finding_json(f) for f in self.findings])


def _number(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 10)


def _finding_json(f: Finding) -> dict:
    c = f.claim
    return {"id": c.id, "kind": c.kind, "segment": c.segment, "versus": c.versus,
            "question": c.question, "option": c.option, "measure": c.resolved_measure,
            "direction": c.direction, "verdict": f.verdict, "estimate": _number(f.estimate),
            "comparison": _number(f.comparison), "difference": _number(f.difference),
            "ci": [_number(f.ci[0]), _number(f.ci[1])], "p": _number(f.p),
            "p_adjusted": _number(f.p_adjusted), "n": f.n, "n_comparison": f.n_comparison,
            "min_difference": c.threshold, "test": f.test, "note": f.note,
            "slope": None if f.slope is None else _number(f.slope),
            "operationalisation": c.operationalisation,
            "adjusted": None if f.adjusted is None else
            {"coefficient": _number(f.adjusted[0]), "p": _number(f.adjusted[1]),
             "n": f.adjusted_n}}


def check_claims(responses, claims: Sequence[Claim] | str | Path, design: Design | None = None,
                 *, alpha: float = 0.05, correction: str = "holm",
                 min_base: int = 30) -> Findings:
    """Test `claims` (a claims file, or claims already loaded) on `responses`: one verdict each.

    Without `design`, the questionnaire's `design:` as far as the data carry it.
    """
    if isinstance(claims, (str, Path)):
        claims = load_claims(claims, responses.questionnaire)
    if design is None:
        design = choose_design(responses).design
    return assess_claims(claims, ClaimData.from_responses(responses), design, alpha=alpha,
                         correction=correction, min_base=min_base)


def assess_claims(claims: Sequence[Claim], data: ClaimData, design: Design, *,
                alpha: float = 0.05, correction: str = "holm", min_base: int = 30) -> Findings:
    """Test every claim, adjust p-values across the claims tested, and give verdicts."""
    correction = correction_name(correction)
    raw = [_assess(claim, data, design, alpha, min_base) for claim in claims]
    tested = [i for i, f in enumerate(raw) if f.verdict != "insufficient_data"
              and math.isfinite(f.p)]
    adjusted = [math.nan] * len(raw)
    if tested:  # as statsmodels' multipletests (corrections.adjust_p)
        values = adjust_p(np.array([raw[i].p for i in tested]), correction)
        for i, value in zip(tested, values, strict=True):
            adjusted[i] = float(value)
    results = tuple(_verdict(replace(f, p_adjusted=a), alpha) for f, a in zip(raw, adjusted,
                                                                                strict=True))
    return Findings(results, alpha, correction, min_base)


def _verdict(f: Finding, alpha: float) -> Finding:
    if f.verdict == "insufficient_data":
        return f
    sign = 1.0 if f.claim.direction in (None, "higher") else -1.0
    effect = sign * f.difference
    # an adjusted claim is significant, and has a direction, by its regression coefficient
    direction = sign * (f.adjusted[0] if f.adjusted else f.difference)
    significant = f.p_adjusted < alpha
    if significant and effect >= f.claim.threshold and effect > 0 and direction > 0:
        verdict: Verdict = "supported"
    elif significant and direction < 0:
        verdict = "contradicted"
    else:
        verdict = "not_supported"
    return replace(f, verdict=verdict)


def _insufficient(claim: Claim, n: int, n_other: int, note: tuple[str, dict]) -> Finding:
    nan = math.nan
    return Finding(claim, "insufficient_data", nan, nan, nan, (nan, nan), nan, nan, n, n_other,
                   "none", note)


def _assess(claim: Claim, data: ClaimData, design: Design, alpha: float, min_base: int) -> Finding:
    if claim.resolved_measure == "median":  # a comparison or an anchor (medians.py)
        return Finding(claim, **median_test(claim, data, design, alpha, min_base))
    kind = claim.kind
    if kind == "top":
        return _test_top(claim, data, design, alpha, min_base)
    if kind == "trend":
        return _test_trend(claim, data, design, alpha, min_base)
    if kind == "anchor":
        return _test_anchor(claim, data, design, alpha, min_base)
    return _test_comparison(claim, data, design, alpha, min_base)


def _test_comparison(claim: Claim, data: ClaimData, design: Design, alpha: float,
                     min_base: int) -> Finding:
    y = data.measure_of(claim).to_numpy(float)
    groups = two_groups(claim, data, y)
    group, n, n_other, note = groups.group, groups.n, groups.n_other, groups.note
    if min(n, n_other) < min_base:
        return _insufficient(claim, n, n_other, ("base_below", {"min_base": min_base, "n": n,
                                                                "n_other": n_other}))
    try:  # svyby's two domain means and svyttest's t
        two = two_means(design, y, group, alpha=alpha)
    except DesignError as error:
        return _insufficient(claim, n, n_other, ("design", {"error": str(error)}))
    t = two.test
    difference = float(t.estimate)
    se = difference / t.statistic if t.statistic else 0.0
    half = dist.t_ppf(1 - alpha / 2, t.df) * abs(se)
    finding = Finding(claim, "not_supported", float(two.means[1]), float(two.means[0]),
                      difference, (difference - half, difference + half), float(t.p), math.nan,
                      n, n_other, "design-t (svyttest)", note,
                      comparison_label=claim.versus or "rest")
    if claim.controls:
        coefficient, p, used = adjusted_coefficient(claim.controls, data.variable, design,
                                                    y, group)
        finding = replace(finding, adjusted=(coefficient, p), adjusted_n=used, p=p,
                          test="design-glm (controls)",
                          said=("controls", {"controls": data.named(claim.controls, quoted=True)}))
    return finding


def _test_top(claim: Claim, data: ClaimData, design: Design, alpha: float,
              min_base: int) -> Finding:
    """The weakest claimed option against the strongest other one, as a paired difference."""
    codes = list(data.options(claim))
    block = np.empty((design.n, len(codes)), order="F")  # a column per option, each contiguous
    for j, code in enumerate(codes):
        block[:, j] = data.measure_of(claim.model_copy(update={"option": code, "top": None}))
    if claim.within:
        block[~data.segment(claim.within)] = np.nan
    matrix = pd.DataFrame(block, columns=[str(k) for k in codes], copy=False)
    n = int((~np.isnan(block).any(axis=1)).sum())
    if n < min_base:
        return _insufficient(claim, n, n, ("base_below_one", {"min_base": min_base, "n": n}))
    m = estimation.mean(design, matrix, covariance=True)
    estimate = dict(zip(matrix.columns, m.estimate[0], strict=True))
    claimed = [str(c) for c in claim.top]
    others = [k for k in matrix.columns if k not in claimed]
    weakest = min(claimed, key=estimate.get)
    if not others:
        return _insufficient(claim, n, n, ("every_option", {}))
    strongest = max(others, key=estimate.get)
    i, j = matrix.columns.get_loc(weakest), matrix.columns.get_loc(strongest)
    v = m.vcov
    difference = estimate[weakest] - estimate[strongest]
    se = math.sqrt(max(v[i, i] + v[j, j] - 2 * v[i, j], 0.0))
    df = max(m.df, 1)
    p = float(2 * dist.t_sf(abs(difference) / se, df)) if se > 0 else math.nan
    half = dist.t_ppf(1 - alpha / 2, df) * se
    top = sorted(estimate, key=estimate.get, reverse=True)[:len(claimed)]
    note = ("top", {"weakest": data.named([weakest], of=claim.question),
                    "strongest": data.named([strongest], of=claim.question), "k": len(claimed),
                    "top": data.named(top, of=claim.question)})
    return Finding(claim, "not_supported", estimate[weakest], estimate[strongest], difference,
                   (difference - half, difference + half), p, math.nan, n, n,
                   "design-t (paired options)", note, comparison_label=strongest)


def _test_trend(claim: Claim, data: ClaimData, design: Design, alpha: float,
                min_base: int) -> Finding:
    """Linear contrast of the group means over the ordered groups (centred scores 1..k)."""
    y = data.measure_of(claim).to_numpy(float)
    order = list(claim.trend.order)
    codes = positions(data.variable(claim.trend.by), order)
    if claim.segment:
        codes = np.where(data.segment(claim.segment), codes, -1)
    answered = ~np.isnan(y)
    counts = np.bincount(codes[(codes >= 0) & answered], minlength=len(order))
    if counts.min() < min_base:
        return _insufficient(claim, int(counts[-1]), int(counts[0]),
                             ("group_small", {"min_base": min_base, "counts": counts.tolist()}))
    groups = pd.Categorical.from_codes(codes, list(range(len(order))))
    m = estimation.mean(design, pd.Series(y, name=claim.question), by=groups, covariance=True)
    means = m.estimate[:, 0]
    scores = np.arange(len(order), dtype=float)
    contrast = scores - scores.mean()
    contrast /= (contrast ** 2).sum()  # the least-squares slope of the means on the scores
    slope = float(contrast @ means)
    se = float(np.sqrt(contrast @ m.vcov @ contrast))
    df = max(m.df, 1)
    p = float(2 * dist.t_sf(abs(slope) / se, df)) if se > 0 else math.nan
    difference = float(means[-1] - means[0])
    i, j = len(order) - 1, 0
    se_diff = float(np.sqrt(max(m.vcov[i, i] + m.vcov[j, j] - 2 * m.vcov[i, j], 0.0)))
    half = dist.t_ppf(1 - alpha / 2, df) * se_diff
    note = ("trend", {"by": data.named([claim.trend.by], quoted=True),
                      "order": data.named(order, of=claim.trend.by), "slope": f"{slope:.4g}",
                      "means": ", ".join(f"{x:.3g}" for x in means)})
    return Finding(claim, "not_supported", float(means[-1]), float(means[0]), difference,
                   (difference - half, difference + half), p, math.nan, int(counts[-1]),
                   int(counts[0]), "design linear-trend t", note,
                   comparison_label=f"{claim.trend.by}={order[0]}", slope=slope)


def _test_anchor(claim: Claim, data: ClaimData, design: Design, alpha: float,
                 min_base: int) -> Finding:
    y = data.measure_of(claim).to_numpy(float)
    if claim.segment:
        y = np.where(data.segment(claim.segment), y, np.nan)
    n = int((~np.isnan(y)).sum())
    if n < min_base:
        return _insufficient(claim, n, 0, ("base_below_one", {"min_base": min_base, "n": n}))
    m = estimation.mean(design, pd.Series(y, name=claim.question))
    estimate, se = float(m.estimate[0, 0]), float(m.se[0, 0])
    value = claim.anchor.value
    df = max(m.df, 1)
    difference = estimate - value
    p = float(2 * dist.t_sf(abs(difference) / se, df)) if se > 0 else math.nan
    half = dist.t_ppf(1 - alpha / 2, df) * se
    return Finding(claim, "not_supported", estimate, value, difference,
                   (difference - half, difference + half), p, math.nan, n, 0,
                   "design-t vs published value", ("anchor", {"source": claim.anchor.source}),
                   comparison_label="anchor")
