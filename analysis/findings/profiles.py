"""Segment profiles: what each segment selects most, and what it over- or under-selects.

The "segment findings table" researchers put in reports: for every option of every choice
question, the segment's share against the rest of the respondents, the difference, an index
(100 = same as the rest) and a design-based test, ordered by the size of the difference.
One estimation call per question and segment aggregates all of that question's options at once.

Some 3,000 tests are made, so `significant` uses Benjamini-Hochberg adjusted p-values across all
of them (the false discovery rate a profile reader can live with), not p < alpha one by one. A
question that defines the segment (hukou_type for migrant workers) is left out of its profile:
its rows differ by definition. Segments come in the questionnaire's order (cohorts 60后 to 00后).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.banner.planes import Planes, domain_sums, fits, pack
from analysis.banner.rows import RowBlock
from analysis.banner.totals import ratios
from analysis.design import distributions as dist
from analysis.design import estimation
from analysis.design.corrections import adjust_p
from analysis.design.sample_design import Design, DesignError

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
    indicators = {item.name: option_indicators(responses, item.name) for item in questions}
    answered = {name: block.notna().all(axis=1).to_numpy() for name, block in indicators.items()}
    packed = {name: planes for name, block in indicators.items()
              if (planes := _packed(design, block, answered[name])) is not None}
    rows = []
    for name in q.segments:
        inside = responses.segment(name).to_numpy(bool)
        groups = pd.Categorical.from_codes(inside.astype(int), [0, 1])
        defining = defining_questions(q, name)
        for item in questions:
            if item.name in defining:
                continue
            block = indicators[item.name]
            n_in = int((answered[item.name] & inside).sum())
            n_out = int((answered[item.name] & ~inside).sum())
            if min(n_in, n_out) < min_base:
                continue
            try:
                estimate, v = _shares(design, block, groups, packed.get(item.name), inside,
                                      answered[item.name])
            except DesignError:
                continue
            p = block.shape[1]
            idx = np.arange(p)
            var = v[idx, idx] + v[p + idx, p + idx] - 2 * v[idx, p + idx]
            diff = estimate[1] - estimate[0]
            se = np.sqrt(np.maximum(var, 0))
            with np.errstate(divide="ignore", invalid="ignore"):
                pvalue = 2 * dist.t_sf(np.abs(diff / se), max(design.degf, 1))
                index = 100 * estimate[1] / estimate[0]
            codes = [c for c in item.codes if str(c) in block.columns]
            for j, code in enumerate(codes):
                rows.append({
                    "segment": name, "segment_label": q.label(q.segments[name].label, lang),
                    "question": item.name, "question_label": q.label(item.label, lang),
                    "option": code,
                    "option_label": q.label(item.options[code], lang),
                    "share": estimate[1, j], "rest_share": estimate[0, j],
                    "difference": diff[j], "index": index[j], "p": pvalue[j],
                    "n": n_in, "n_rest": n_out})
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
    order = table["difference"].abs().rank(ascending=False, method="first")
    return (table.assign(_segment=table["segment"].map(place), _order=order)
            .sort_values(["_segment", "_order"]).drop(columns=["_segment", "_order"]))


def _packed(design: Design, block: pd.DataFrame, answered: np.ndarray) -> Planes | None:
    """A question's 0/1 indicators packed for one aggregation pass per segment (the banner's
    planes), when the design allows it (a segment's in, out and unanswered: three domains)."""
    if not fits(design, 3):
        return None
    flags = tuple(block[c].fillna(0).to_numpy(np.uint8) for c in block.columns)
    row = RowBlock(name="", kind="multi", label="", keys=(), labels=(), n_options=len(flags),
                   answered=answered, flags=flags)
    return pack(row)


def _shares(design: Design, block: pd.DataFrame, groups: pd.Categorical, planes: Planes | None,
            inside: np.ndarray, answered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each option's share among the answered outside (row 0) and inside (row 1) the segment,
    and their covariance (domain-major): svymean's linearisation, as estimation.mean gives."""
    if planes is None:
        m = estimation.mean(design, block, by=groups, covariance=True)
        return m.estimate, np.asarray(m.vcov)
    p = block.shape[1]
    dom = np.where(answered, inside.astype(np.int16), 2)
    totals = domain_sums(design, planes, dom, 3).totals(design).combine(np.eye(3)[:2])
    eye = np.eye(p + 1)
    shares = ratios(totals, eye[:p], np.tile(eye[p], (p, 1)))
    return shares.estimate, shares.vcov


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
