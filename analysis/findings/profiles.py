"""Segment profiles: what each segment selects most, and what it over- or under-selects.

The "segment findings table" researchers put in reports: for every option of every choice
question, the segment's share against the rest of the respondents, the difference, an index
(100 = same as the rest) and a design-based test, ordered by the size of the difference.
One aggregation pass per question gives every option's sums for all segments at once
(`analysis.findings.profile_sums`: respondents in cells of sampling unit and segment pattern).

Some 3,000 tests are made, so `significant` uses Benjamini-Hochberg adjusted p-values across all
of them (the false discovery rate a profile reader can live with), not p < alpha one by one. A
question that defines the segment (hukou_type for migrant workers) is left out of its profile:
its rows differ by definition. Segments come in the questionnaire's order (cohorts 60后 to 00后).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.design import distributions as dist
from analysis.design import estimation
from analysis.design.corrections import adjust_p
from analysis.design.sample_design import Design, DesignError
from analysis.findings.profile_sums import Contrasts, Membership, question_quantities

CHOICE = ("single", "multi", "rank")


def option_indicators(responses, name: str) -> pd.DataFrame:
    """A float column per option: 1 selected (or ranked), 0 not, NaN when not answered."""
    q = responses.question(name)
    if q.is_set:
        block = responses.frame[responses.columns_of(name)].astype("Float64").astype(float)
        return (block > 0).astype(float).where(block.notna()).set_axis(
            [str(c) for c in q.codes], axis=1)
    values = responses.frame[name].astype(object)
    answered = values.notna().to_numpy()
    data = {str(c): np.where(answered, (values == c).to_numpy(float), np.nan) for c in q.codes
            if c != q.dont_know}
    return pd.DataFrame(data, index=responses.frame.index)


def segment_profiles(responses, design: Design, *, lang: str | None = None,
                     min_base: int = 30, alpha: float = 0.05) -> pd.DataFrame:
    """A tidy table: segment, question, option, share, rest_share, difference, index, p, flag."""
    q = responses.questionnaire
    questions = [item for item in q.items.values() if item.type in CHOICE]
    names = list(q.segments)
    inside = [responses.segment(name).to_numpy(bool) for name in names]
    cells = Membership.of(design, inside)
    found: dict[str, list[Contrasts | None]] = {}
    for item in questions:
        options = option_codes(item)
        try:
            if cells is not None:
                c = cells.contrasts(design, question_quantities(responses, item.name, options))
                found[item.name] = [_one(c, s) for s in range(len(names))]
            else:
                found[item.name] = _per_segment(design, option_indicators(responses, item.name),
                                                inside, min_base)
        except DesignError:
            continue
    rows = []
    df = max(design.degf, 1)
    for s, name in enumerate(names):
        segment_label = q.label(q.segments[name].label, lang)
        defining = defining_questions(q, name)
        for item in questions:
            if item.name in defining or item.name not in found:
                continue
            c = found[item.name][s]
            if c is None or min(int(c.n[0]), int(c.n_rest[0])) < min_base:
                continue
            share, rest = c.share[0], c.rest[0]
            diff = share - rest
            se = np.sqrt(np.maximum(c.variance[0], 0))
            with np.errstate(divide="ignore", invalid="ignore"):
                pvalue = 2 * dist.t_sf(np.abs(diff / se), df)
                index = 100 * share / rest
            question_label = q.label(item.label, lang)
            for j, code in enumerate(option_codes(item)):
                rows.append({
                    "segment": name, "segment_label": segment_label,
                    "question": item.name, "question_label": question_label,
                    "option": code,
                    "option_label": q.label(item.options[code], lang),
                    "share": share[j], "rest_share": rest[j],
                    "difference": diff[j], "index": index[j], "p": pvalue[j],
                    "n": int(c.n[0]), "n_rest": int(c.n_rest[0])})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    tested = table["p"].notna().to_numpy()
    adjusted = np.full(len(table), np.nan)
    adjusted[tested] = adjust_p(table["p"].to_numpy(float)[tested], "bh")
    table["p_adjusted"] = adjusted
    table["significant"] = table["p_adjusted"] < alpha
    table["direction"] = np.where(table["difference"] > 0, "over", "under")
    place = {name: i for i, name in enumerate(q.segments)}
    # differences equal but for the last bits (an option and its complement) keep option order
    order = table["difference"].abs().round(12).rank(ascending=False, method="first")
    return (table.assign(_segment=table["segment"].map(place), _order=order)
            .sort_values(["_segment", "_order"]).drop(columns=["_segment", "_order"]))


def option_codes(item) -> list:
    """The options a profile shows: every option of a set; a single answer's but "don't know"."""
    return list(item.codes) if item.is_set else [c for c in item.codes if c != item.dont_know]


def _one(c: Contrasts, s: int) -> Contrasts:
    """Segment `s`'s row of contrasts made for every segment."""
    return Contrasts(c.share[s:s + 1], c.rest[s:s + 1], c.variance[s:s + 1], c.n[s:s + 1],
                     c.n_rest[s:s + 1])


def _per_segment(design: Design, block: pd.DataFrame, inside: list[np.ndarray],
                 min_base: int) -> list[Contrasts | None]:
    """Contrasts by one estimator call per segment (designs the cells do not serve): svymean of
    the indicators by segment with their covariance."""
    answered = block.notna().all(axis=1).to_numpy()
    found: list[Contrasts | None] = []
    p = block.shape[1]
    idx = np.arange(p)
    for member in inside:
        n_in, n_out = int((answered & member).sum()), int((answered & ~member).sum())
        if min(n_in, n_out) < min_base:
            found.append(None)
            continue
        groups = pd.Categorical.from_codes(member.astype(int), [0, 1])
        try:
            m = estimation.mean(design, block, by=groups, covariance=True)
        except DesignError:
            found.append(None)
            continue
        v = np.asarray(m.vcov)
        var = v[idx, idx] + v[p + idx, p + idx] - 2 * v[idx, p + idx]
        found.append(Contrasts(m.estimate[1:], m.estimate[:1], var[None], np.array([n_in]),
                               np.array([n_out])))
    return found


def defining_questions(questionnaire, segment: str) -> set[str]:
    """The questions a segment's `where` reads, through derived variables and other segments."""
    from survey.expressions import parse

    derived = {d.name: d for d in questionnaire.derived}
    found: set[str] = set()
    todo = [questionnaire.segments[segment].where]
    seen: set[str] = set()
    while todo:
        source = todo.pop()
        for name in parse(source).names:
            if name in seen:
                continue
            seen.add(name)
            if name in questionnaire.items:
                found.add(name)
            elif name in derived:
                d = derived[name]
                todo += [d.expr] if d.expr else [case.when for case in d.cases]
            elif name in questionnaire.segments:
                todo.append(questionnaire.segments[name].where)
    return found


def top_options(profiles: pd.DataFrame, segment: str, k: int = 5) -> pd.DataFrame:
    """The options a segment selects most (by share), across choice questions."""
    part = profiles[profiles["segment"] == segment]
    return part.nlargest(k, "share")
