"""The variables of a banner as arrays: the row question and the `by` (column) variables.

A banner reads its row and its columns from `Responses` (docs/reference/responses.md) once, into
plain numpy arrays that the estimators aggregate in one pass: category codes for single and scale
rows, 0/1 selection flags (and rank points) for multi and rank blocks, values for numbers, and a
partition of the sample into levels for each `by` variable. Unanswered respondents are never
turned into "not selected": `answered` says who is in the base.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.banner.blocks import (  # noqa: F401  (the banner's types, read from here too)
    MISSING_KINDS,
    BannerError,
    ByVariable,
    ResponsesLike,
    RowBlock,
    level_codes,
    read_only,
)
from analysis.banner.segments import membership, segment_columns
from survey.files.source import suggest
from survey.messages import text
from survey.messages.tables import BANNER, NAMES
from survey.questionnaire.columns import option_column
from survey.questionnaire.model import Derived, Question, Questionnaire


def _code_key(code: object) -> str:
    return str(code)


def known_names(q: Questionnaire) -> list[str]:
    """Every name a banner accepts as row or by: items, derived variables and segments."""
    return [*q.items, *(d.name for d in q.derived), *q.segments, *q.segment_groups]


def _unknown(name: str, q: Questionnaire, role: str) -> BannerError:
    return BannerError(f"{role} {name!r} is not a question, derived variable or segment of "
                       f"the questionnaire{suggest(name, known_names(q))}")


def _frame_column(responses: ResponsesLike, name: str) -> pd.Series:
    frame = responses.frame
    if name in frame.columns:
        return frame[name]
    series = getattr(responses, "series", None)  # Responses: computes this variable alone
    if series is not None and any(d.name == name for d in responses.questionnaire.derived):
        return series(name)
    derive = getattr(responses, "derive", None)
    if derive is not None:
        derived = derive()
        frame = getattr(derived, "frame", derived)
        if isinstance(frame, pd.DataFrame) and name in frame.columns:
            return frame[name]
    raise BannerError(f"{name!r} has no column in the data")


def derived_codes(d: Derived) -> list[object]:
    """The codes a derived variable shows as a banner row or columns: its options (a variable
    with cases has them), or for a condition (`expr` true or false) 1 and 0."""
    return list(d.options) if d.options else [1, 0]


def derived_options(d: Derived, questionnaire: Questionnaire) -> dict:
    """A derived variable's options as a single question's: its own, or a condition's 1 and 0
    worded as the message catalogue words yes and no, in every language of the survey."""
    if d.options:
        return dict(d.options)
    return {code: {lang: text(NAMES, key, lang) for lang in ("", *questionnaire.survey.languages)}
            for code, key in ((1, "true"), (0, "false"))}


def _categorical(s: pd.Series, codes: Sequence[object], name: str) -> np.ndarray:
    """Category index of each respondent in `codes` order; -1 for missing; error on strays.
    A yes/no column (a condition) holds the codes 1 and 0."""
    if pd.api.types.is_bool_dtype(s):
        s = s.astype("Int64")
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = list(s.cat.categories)
        where = {_code_key(c): i for i, c in enumerate(codes)}
        stray = [c for c in cats if _code_key(c) not in where]
        remap = np.array([where.get(_code_key(c), -1) for c in cats] + [-1],
                         dtype=np.int16 if len(codes) < 32767 else np.int64)
        raw = s.cat.codes.to_numpy()
        if stray and np.isin(raw, [cats.index(c) for c in stray]).any():
            raise BannerError(f"{name} has values {stray[:3]} that are not its option codes")
        return remap[raw]  # code -1 picks the appended -1
    keys = pd.Series([_code_key(c) for c in codes])
    as_key = s.map(lambda v: None if pd.isna(v) else _code_key(
        int(v) if isinstance(v, float) and float(v).is_integer() else v))
    idx = pd.Index(keys).get_indexer(as_key)
    stray = as_key[(idx < 0) & as_key.notna()]
    if len(stray):
        raise BannerError(f"{name} has values {sorted(set(stray))[:3]} that are not its "
                          "option codes")
    return idx.astype(np.int64)


def _missing_kind(responses: ResponsesLike, name: str) -> np.ndarray | None:
    missing = responses.missing
    if missing is None or name not in missing.columns:
        return None
    return missing[name].fillna(0).to_numpy(dtype=np.int8)


def net_codes(q: Question, nets: Mapping[str, Sequence[object]], lang: str | None,
               questionnaire: Questionnaire) -> list[tuple[str, str, list[int]]]:
    """(key, label, option indices) of the question's nets and the extra ones asked for."""
    index = {_code_key(c): i for i, c in enumerate(q.codes)}
    found = []
    wanted = {name: (questionnaire.label(net.label, lang), list(net.codes))
              for name, net in q.nets.items()}
    wanted |= {name: (name, list(codes)) for name, codes in nets.items()}
    for name, (label, codes) in wanted.items():
        bad = [c for c in codes if _code_key(c) not in index]
        if bad:
            raise BannerError(f"net {name!r}: {bad[0]!r} is not an option of {q.name} "
                              f"(options: {', '.join(index)})")
        found.append((name, label, [index[_code_key(c)] for c in codes]))
    return found


def row_block(responses: ResponsesLike, name: str, *, lang: str | None = None,
              nets: Mapping[str, Sequence[object]] | None = None) -> RowBlock:
    """Read the row variable `name` (an item, a derived categorical or a segment)."""
    questionnaire = responses.questionnaire
    nets = dict(nets or {})
    if name in questionnaire.items:
        q = questionnaire.items[name]
    elif any(d.name == name for d in questionnaire.derived):
        d = next(d for d in questionnaire.derived if d.name == name)
        s = _frame_column(responses, name)
        if not d.options and pd.api.types.is_numeric_dtype(s) \
                and not pd.api.types.is_bool_dtype(s):
            q = Question(name=name, type="number", label=d.label)
        else:  # its options, or a condition's yes and no
            q = Question(name=name, type="single", label=d.label,
                         options=derived_options(d, questionnaire))
    elif name in questionnaire.segments:  # as a row, the columns it makes as a `by`
        by = segment_columns(responses, name, lang)
        codes = by.codes.astype(np.int64)
        return RowBlock(name=name, kind="single", label=by.label, keys=by.values,
                        labels=by.labels, n_options=2, answered=read_only(codes >= 0),
                        codes=read_only(codes), net_matrix=np.zeros((0, 2)))
    else:
        raise _unknown(name, questionnaire, "row")
    if q.type in ("text", "date", "note", "grid"):
        raise BannerError(f"row {name!r} is a {q.type} question; a banner row is single, multi, "
                          "rank, scale, a grid item or number")
    label = questionnaire.label(q.label, lang)
    kind = _missing_kind(responses, name)
    dont_know = None
    if q.type in ("single", "scale") and q.dont_know is not None:
        options_of = q.options if isinstance(q.options, dict) else \
            questionnaire.choice_lists.get(q.options or "", {})
        dont_know = questionnaire.label(options_of[q.dont_know], lang)
        q = q.model_copy(update={"options": {c: t for c, t in options_of.items()
                                             if c != q.dont_know}, "dont_know": None})
    options = [questionnaire.label(t, lang) for t in (q.options or {}).values()] \
        if isinstance(q.options, dict) else []
    keys = [_code_key(c) for c in q.codes]
    if nets and q.type == "number":
        raise BannerError(f"nets need options; {name} is a number question")
    found = net_codes(q, nets, lang, questionnaire) if q.codes else []
    all_keys = tuple(keys + [n for n, _, _ in found])
    all_labels = tuple(options + [lab for _, lab, _ in found])
    if q.type == "number":
        values = pd.to_numeric(_frame_column(responses, name)).to_numpy(dtype=float,
                                                                         na_value=np.nan)
        return RowBlock(name=name, kind="number", label=label, keys=(), labels=(), n_options=0,
                        answered=read_only(~np.isnan(values)), missing_kind=kind,
                        values=read_only(values))
    if q.type in ("single", "scale"):
        codes = _categorical(_frame_column(responses, name), q.codes, name)
        net_matrix = np.zeros((len(found), len(keys)))
        for i, (_, _, members) in enumerate(found):
            net_matrix[i, members] = 1.0
        scores = None
        if q.type == "scale":
            try:
                scores = np.array([float(c) for c in q.codes])
            except ValueError:
                raise BannerError(f"scale {name} has non-numeric codes; no mean") from None
        return RowBlock(name=name, kind=q.type, label=label, keys=all_keys, labels=all_labels,
                        n_options=len(keys), answered=read_only(codes >= 0), missing_kind=kind,
                        codes=read_only(codes), net_matrix=net_matrix, scores=scores,
                        dont_know=dont_know)
    return _set_block(responses, q, label, all_keys, all_labels, found, kind)


def _set_block(responses: ResponsesLike, q: Question, label: str, keys: tuple[str, ...],
               labels: tuple[str, ...], nets: list[tuple[str, str, list[int]]],
               kind: np.ndarray | None) -> RowBlock:
    """Flags (and for rank, points and the first choice) of a multi or rank block."""
    frame = responses.frame
    columns = [option_column(q.name, c) for c in q.codes]
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise BannerError(f"{q.name}: column {absent[0]!r} of its block is not in the data")
    block = [frame[c].array for c in columns]  # the arrays: no Series built per step
    answered = np.zeros(len(frame), dtype=bool)
    for s in block:
        answered |= ~np.asarray(s.isna())
    raw = [s.to_numpy(dtype=np.int8, na_value=0) for s in block]
    flags = [(r > 0).view(np.uint8) for r in raw]
    points: list[np.ndarray] = []
    first = None
    max_rank = 0
    if q.type == "rank":
        max_rank = int(max(q.max_choices or len(columns), max(int(r.max()) for r in raw)))
        # the 3-2-1 score generalised: rank r earns max_rank + 1 - r points
        if max_rank > 126:
            raise BannerError(f"{q.name}: ranks above 126 are not supported")
        first = np.full(len(frame), len(columns), dtype=np.int16)  # an option's index
        for j, r in enumerate(raw):
            first[r == 1] = j
        points = [r.copy() for r in raw]  # a rank may be a view of the frame's own column
        for p in points:
            np.subtract(max_rank + 1, p, out=p, where=p > 0)
    for _, _, members in nets:
        net = np.zeros(len(frame), dtype=np.uint8)
        for j in members:
            net |= flags[j]
        flags.append(net)
    return RowBlock(name=q.name, kind=q.type, label=label, keys=keys, labels=labels,
                    n_options=len(columns), answered=read_only(answered), missing_kind=kind,
                    flags=tuple(read_only(f) for f in flags),
                    points=tuple(read_only(p) for p in points),
                    first=None if first is None else read_only(first), max_rank=max_rank)


def by_variable(responses: ResponsesLike, name: str, *, lang: str | None = None) -> ByVariable:
    """Read one `by` variable: a group of segments (one column each), a single/scale question or
    grid item, a derived categorical variable, or a segment (two columns: the segment and the
    rest of the sample)."""
    questionnaire = responses.questionnaire
    if name in questionnaire.segment_groups or name in questionnaire.segments:
        return segment_columns(responses, name, lang)
    if name in questionnaire.items:
        q = questionnaire.items[name]
        if q.type not in ("single", "scale"):
            raise BannerError(f"by {name!r} is a {q.type} question; a banner column is a single "
                              "or scale question, a derived categorical variable or a segment")
        codes = _categorical(_frame_column(responses, name), q.codes, name)
        labels = tuple(questionnaire.label(t, lang) for t in (q.options or {}).values())  # type: ignore[union-attr]
        return ByVariable(name, questionnaire.label(q.label, lang),
                          tuple(_code_key(c) for c in q.codes), labels, level_codes(codes))
    derived = next((d for d in questionnaire.derived if d.name == name), None)
    if derived is None:
        raise _unknown(name, questionnaire, "by")
    s = _frame_column(responses, name)
    if derived.options:
        codes = _categorical(s, list(derived.options), name)
        return ByVariable(name, questionnaire.label(derived.label, lang),
                          tuple(_code_key(c) for c in derived.options),
                          tuple(questionnaire.label(t, lang) for t in derived.options.values()),
                          level_codes(codes))
    if pd.api.types.is_bool_dtype(s) or set(pd.unique(s.dropna())) <= {0, 1}:
        codes = membership(s.astype("boolean"))
        label = questionnaire.label(derived.label, lang)
        rest = text(BANNER, "others", lang or questionnaire.survey.default_language)
        return ByVariable(name, label, ("1", "0"), (label, rest), level_codes(codes))
    raise BannerError(f"by {name!r} is a derived number; give it options (cases) to use it as "
                      "banner columns")
