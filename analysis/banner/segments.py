"""Segments as banner columns: a segment gives two (its members and the rest of the sample), a
group of segments one each. A `Responses` never changes and keeps its segments' membership, so
the columns of a segment are made once per `Responses` and language and shared by its banners
(copying a segment's membership out of `Responses` cost more than the rest of its column).
"""

from __future__ import annotations

import weakref

import numpy as np
import pandas as pd

from analysis.banner.blocks import BannerError, ByVariable, ResponsesLike, level_codes, read_only

_MADE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Responses: {(name, lang): ...}


def membership(member: pd.Series) -> np.ndarray:
    """A segment's column per respondent: 0 its members, 1 the rest, -1 unknown (NA)."""
    if member.dtype == bool:  # Responses.segment: no NA, read without pandas' NA handling
        return np.where(member.to_numpy(), 0, 1)
    return np.where(member.isna(), -1, np.where(member.fillna(False).astype(bool), 0, 1))


def segment_columns(responses: ResponsesLike, name: str, lang: str | None) -> ByVariable:
    """The columns of a segment or a group of segments, made once per `Responses` and language
    (made each time for what cannot be referred to weakly)."""
    try:
        made = _MADE.setdefault(responses, {})
    except TypeError:
        return _make(responses, name, lang)
    if (name, lang) not in made:
        made[(name, lang)] = _make(responses, name, lang)
    return made[(name, lang)]


def _segment_group(responses: ResponsesLike, group: str, lang: str | None) -> ByVariable:
    """Segments that do not overlap, one column each (respondents in none: no column)."""
    questionnaire = responses.questionnaire
    names = questionnaire.segment_groups[group]
    members = [membership(responses.segment(n)) == 0 for n in names]
    codes = np.full(len(members[0]), -1, np.int64)
    shared = np.zeros(len(codes), bool)
    for i, member in enumerate(members):
        shared |= member & (codes >= 0)
        codes[member] = i
    if shared.any():
        first = int(np.argmax(shared))
        both = [n for n, m in zip(names, members, strict=True) if m[first]]
        raise BannerError(f"segments {both[0]!r} and {both[1]!r} of group {group!r} share "
                          f"{int(shared.sum())} respondent(s); the segments of a group must not "
                          "overlap (check their 'where')")
    owner = questionnaire.items.get(group) or next(
        (d for d in questionnaire.derived if d.name == group), None)
    labels = tuple(questionnaire.label(questionnaire.segments[n].label, lang) for n in names)
    label = questionnaire.label(owner.label, lang) if owner is not None else " / ".join(labels)
    return ByVariable(group, label, tuple(names), labels, read_only(codes))


def _make(responses: ResponsesLike, name: str, lang: str | None) -> ByVariable:
    """A group of segments (one column each), or a segment (its members and the rest)."""
    questionnaire = responses.questionnaire
    if name in questionnaire.segment_groups:
        return _segment_group(responses, name, lang)
    codes = membership(responses.segment(name))
    label = questionnaire.label(questionnaire.segments[name].label, lang)
    rest = {"zh": "其他", "en": "Others"}.get(lang or questionnaire.survey.default_language,
                                             "Others")
    return ByVariable(name, label, ("1", "0"), (label, rest), level_codes(codes))
