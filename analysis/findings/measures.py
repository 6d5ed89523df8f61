"""What a claim is tested on: each respondent's value of its measure, and the segments.

A coded answer (a Categorical of the layout) is turned into numbers through its categories: the
value of each category once, then picked by each respondent's category code, which gives what
comparing or converting every respondent's answer gives, without a million Python objects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.findings.claims import Claim
from survey.messages import is_chinese
from survey.questionnaire.columns import option_column
from survey.questionnaire.model import Questionnaire


class ClaimData:
    """The values claims are tested on: answers, derived variables, scale scores and segments.

    `frame` is in the layout of docs/reference/responses.md with derived variables and scale scores
    as extra columns; `segments` maps each segment name to a boolean array. A measure is a float
    Series with NaN where a respondent has no answer (such respondents are in no base).
    """

    def __init__(self, frame: pd.DataFrame, questionnaire: Questionnaire,
                 segments: Mapping[str, np.ndarray]):
        self.frame = frame
        self.questionnaire = questionnaire
        self.segments = segments

    @classmethod
    def from_responses(cls, responses) -> ClaimData:
        q = responses.questionnaire
        frame = pd.concat([responses.frame, responses.derive(), responses.scale_scores()],
                          axis=1)
        segments = {name: np.asarray(responses.segment(name), bool) for name in q.segments}
        return cls(frame, q, segments)

    def segment(self, name: str) -> np.ndarray:
        return self.segments[name]

    def variable(self, name: str) -> pd.Series:
        return self.frame[name]

    def options(self, claim: Claim) -> list:
        item = self.questionnaire.items.get(claim.question)
        return item.codes if item is not None else []

    def named(self, names: Sequence, of: str | None = None,
              quoted: bool = False) -> dict[str, str]:
        """`names` as people read them, in each of the survey's languages, listed as that
        language lists: variables' labels (`quoted`, as questions' texts read best), or with
        `of` the labels of that variable's option codes; a name without a label is shown as
        written. Key "" holds the names themselves, for machines (a note's words, NOTES)."""
        q = self.questionnaire
        labels = [q.option_label(of, name) if of else q.variable_label(str(name))
                  for name in names]
        shown = "“{}”" if quoted else "{}"
        return {"": ", ".join(map(str, names))} | {
            lang: ("、" if is_chinese(lang) else ", ").join(
                shown.format(q.label(label, lang) or name)
                for name, label in zip(names, labels, strict=True))
            for lang in q.survey.languages}

    def measure_of(self, claim: Claim) -> pd.Series:
        name, option = claim.question, claim.option
        item = self.questionnaire.items.get(name)
        if item is not None and item.is_set:
            values = self.frame[option_column(name, option)]
            if not pd.api.types.is_numeric_dtype(values.dtype):
                values = pd.to_numeric(values, errors="coerce")
            values = values.to_numpy(dtype=float, na_value=np.nan)
            chosen = values == 1 if claim.resolved_measure == "ranked_first" else values > 0
            return pd.Series(np.where(np.isnan(values), np.nan, chosen), index=self.frame.index)
        values = self.frame[name]
        if isinstance(values.dtype, pd.CategoricalDtype):
            if option is not None:
                return by_category(values, lambda code: float(code == option))
            if claim.scores:
                scores = claim.scores
                return by_category(values, lambda code: scores.get(code, np.nan))
            return by_category(values, None)
        if option is not None:
            return (values == option).astype(float).where(values.notna())
        if claim.scores:
            return values.map(claim.scores).astype(float)
        return pd.to_numeric(values, errors="coerce").astype(float)


def by_category(values: pd.Series, value: Callable[[object], float] | None) -> pd.Series:
    """A float per respondent from a Categorical: `value` of its category (None: the category
    as a number, NaN when it is none), NaN for a missing answer."""
    categories = pd.Series(list(values.cat.categories), dtype=object)
    if value is None:
        table = pd.to_numeric(categories, errors="coerce").to_numpy(dtype=float)
    else:
        table = np.array([value(code) for code in categories], dtype=float)
    table = np.append(table, np.nan)  # code -1 (missing) picks the last slot
    return pd.Series(table[values.cat.codes.to_numpy()], index=values.index, name=values.name)


def positions(values: pd.Series, order: Sequence) -> np.ndarray:
    """Each respondent's place in `order` (0, 1, ...), -1 for a value not in it or missing."""
    place = {code: k for k, code in enumerate(order)}
    if isinstance(values.dtype, pd.CategoricalDtype):
        return by_category(values, lambda code: place.get(code, np.nan)) \
            .fillna(-1).to_numpy(int)
    position = values.astype(object).map(place)
    return pd.to_numeric(position, errors="coerce").fillna(-1).to_numpy(int)
