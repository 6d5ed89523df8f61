"""Responses: a dataset in the one layout of docs/reference/responses.md, with its questionnaire.

Every reader returns a `Responses`; every analysis takes one. It is immutable: derived variables,
segments and scale scores are computed from it, never stored into it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from survey.errors import InputError
from survey.expressions import parse
from survey.expressions.pandas_eval import FrameEnvironment, evaluate
from survey.files.source import suggest
from survey.questionnaire.columns import PROBLEMS, block_columns, layout_columns, other_column
from survey.questionnaire.model import Code, Derived, Question, Questionnaire
from survey.responses.casting import (
    Place,
    cast_block,
    cast_choice,
    cast_date,
    cast_number,
    cast_text,
)
from survey.responses.missing import ANSWERED, DONT_KNOW, EMPTY, KIND_NAMES, NOT_SHOWN, SKIPPED

__all__ = ["ANSWERED", "DONT_KNOW", "EMPTY", "NOT_SHOWN", "SKIPPED", "Responses",
           "ResponsesEnvironment"]

MISSING_DTYPE = "int8"
LAYOUT_NOTES = "layout"  # frame.attrs key of the LayoutNotes that from_raw leaves


@dataclass(frozen=True)
class LayoutNotes:
    """What `Responses.from_raw` saw of its source: the questions no column held, and the
    source columns that are no question (kept as they are)."""

    absent: tuple[str, ...]
    unused: tuple[str, ...]
    notes: tuple[str, ...] = ()  # what the reader left out of the source, and why

    def __deepcopy__(self, memo: dict) -> LayoutNotes:
        return self  # immutable: pandas deep-copies attrs on every column it hands out


class DerivedEnvironment(FrameEnvironment):
    """A FrameEnvironment to which derived variables can be added (kept beside the frame)."""

    def __init__(self, frame: pd.DataFrame, blocks: dict[str, dict[Code, str]]) -> None:
        super().__init__(frame, blocks)
        self.extra: dict[str, pd.Series] = {}

    def with_column(self, name: str, values: pd.Series) -> None:
        """Make a derived variable visible to the expressions evaluated after it."""
        self.extra[name] = pd.Series(np.asarray(values), index=self.frame.index, name=name) \
            if not isinstance(values, pd.Series) else values

    def value(self, name: str) -> pd.Series:
        return self.extra[name] if name in self.extra else super().value(name)


class ResponsesEnvironment(DerivedEnvironment):
    """Expressions on Responses: questions, then derived variables as they are added; with
    `derive`, a derived variable is computed when an expression first reads it (so a command
    that needs one segment computes what that segment reads, not every derived variable)."""

    def __init__(self, frame: pd.DataFrame, questionnaire: Questionnaire,
                 derive: bool = False) -> None:
        blocks = {q.name: block_columns(q) for q in questionnaire.items.values() if q.is_set}
        super().__init__(frame, blocks)
        self.pending = {d.name: d for d in questionnaire.derived} if derive else {}

    def value(self, name: str) -> pd.Series:
        if name in self.pending and name not in self.extra:
            self.with_column(name, derived_values(self.pending[name], self))
        return super().value(name)


def derived_values(d: Derived, env: ResponsesEnvironment) -> pd.Series:
    """A derived variable: categorical (first matching case wins), boolean or number."""
    if d.cases:
        conditions = [evaluate(parse(c.when), env).to_numpy(dtype=bool) for c in d.cases]
        codes = list(d.options or {}) or list(dict.fromkeys(c.value for c in d.cases))
        position = {code: i for i, code in enumerate(codes)}
        choices = [position[c.value] for c in d.cases]
        positions = np.select(conditions, choices, default=-1)
        return pd.Series(pd.Categorical.from_codes(positions, categories=codes),
                         index=env.index, name=d.name)
    values = evaluate(parse(d.expr or "false"), env).rename(d.name)
    return values.astype("Float64") if values.dtype == float else values


@dataclass(frozen=True, eq=False)
class Responses:
    """Answers (`frame`), the kind of every missing answer (`missing`), and the questionnaire."""

    frame: pd.DataFrame
    missing: pd.DataFrame
    questionnaire: Questionnaire

    @classmethod
    def from_raw(cls, questionnaire: Questionnaire, raw: pd.DataFrame, *,
                 missing: pd.DataFrame | None = None, source: str = "<data>",
                 notes: tuple[str, ...] = (), place: Place | None = None,
                 only: Collection[str] | None = None) -> Responses:
        """Cast a frame in the documented column layout, holding plain values, to its dtypes.

        `missing` gives the kind of missing answers the source recorded (codes of
        survey.responses.missing,
        one column per variable); cells it does not cover are inferred: SKIPPED where the
        question's `relevant` is false, EMPTY otherwise, NOT_SHOWN for a variable whose columns
        are absent. Uncastable numbers, dates or selections raise SourceError located at
        `source`, row and column (`place` says where the frame's rows and columns are).
        `only` names the questions to cast (a projection, survey.questionnaire.needs): the
        others are left out of the layout altogether, neither read nor checked.
        """
        raw = raw.reset_index(drop=True)
        place = place or Place(source)
        columns: dict[str, pd.Series] = {}
        answered: dict[str, np.ndarray] = {}
        dont_know: dict[str, np.ndarray] = {}
        absent: set[str] = set()
        n = len(raw)
        for q in _questions(questionnaire, only):
            names = [q.name] if not q.is_set else list(block_columns(q).values())
            if not any(c in raw.columns for c in names):
                absent.add(q.name)
            if q.is_set:
                block, unanswered = cast_block(q, raw, place)
                columns.update(block.items())
                answered[q.name] = ~unanswered
                if q.dont_know is not None:
                    dk = block[block_columns(q)[q.dont_know]].fillna(0).to_numpy() > 0
                    dont_know[q.name] = dk
            else:
                column = raw[q.name] if q.name in raw.columns else pd.Series([None] * n)
                if q.type in ("single", "scale"):
                    series, dont_know[q.name] = cast_choice(q, column.rename(q.name))
                elif q.type == "number":
                    series = cast_number(q, column.rename(q.name), place)
                elif q.type == "date":
                    series = cast_date(q, column.rename(q.name), place)
                else:
                    series = cast_text(column, q.name)
                columns[q.name] = series
                answered[q.name] = series.notna().to_numpy()
            other = other_column(q)
            if other:
                column = raw[other] if other in raw.columns else pd.Series([None] * n)
                columns[other] = cast_text(column, other)
        frame = pd.DataFrame(columns, index=pd.RangeIndex(n), copy=False)
        others = set() if only is None else set(layout_columns(questionnaire))
        extra = [c for c in raw.columns if c not in frame.columns and c not in others]
        if "respondent_id" in extra:
            frame.insert(0, "respondent_id", cast_text(raw["respondent_id"], "respondent_id"))
            extra.remove("respondent_id")
        frame = pd.concat([frame, raw[extra]], axis=1) if extra else frame
        kinds = _infer_missing(questionnaire, frame, answered, dont_know, absent, missing, only)
        frame.attrs[LAYOUT_NOTES] = LayoutNotes(tuple(q for q in questionnaire.items
                                                      if q in absent),
                                                tuple(str(c) for c in extra if c != PROBLEMS),
                                                notes)
        return cls(frame, kinds, questionnaire)

    def __len__(self) -> int:
        return len(self.frame)

    # Labels and layout -------------------------------------------------------------------------

    def question(self, name: str) -> Question:
        return self.questionnaire.items[name]

    def columns_of(self, name: str) -> list[str]:
        """The data columns of a variable: the block of a multi/rank question, else [name]."""
        q = self.question(name)
        return list(block_columns(q).values()) if q.is_set else [name]

    def labels(self, name: str, lang: str | None = None) -> dict[Code, str]:
        """Option labels {code: text} of a question, grid item or categorical derived variable."""
        if name in self.questionnaire.items:
            options = self.question(name).options
        else:
            found = [d for d in self.questionnaire.derived if d.name == name]
            if not found:
                raise KeyError(f"unknown variable {name!r}")
            options = found[0].options
        if not isinstance(options, dict):
            return {}
        return {code: self.questionnaire.label(text, lang) for code, text in options.items()}

    def variable_label(self, name: str, lang: str | None = None) -> str:
        if name in self.questionnaire.items:
            return self.questionnaire.label(self.question(name).label, lang)
        found = [d for d in self.questionnaire.derived if d.name == name]
        return self.questionnaire.label(found[0].label, lang) if found else name

    def unknown_codes(self, name: str) -> list[object]:
        """Codes present in a coded column that the questionnaire does not define."""
        q = self.question(name)
        if q.is_set:
            return []
        categories = list(self.frame[name].cat.categories)
        return [c for c in categories if c not in set(q.codes)]

    # Expressions, derived variables, segments, scales -------------------------------------------

    def environment(self, with_derived: bool = True) -> ResponsesEnvironment:
        env = ResponsesEnvironment(self.frame, self.questionnaire)
        if with_derived:
            for name, values in self.derive().items():
                env.with_column(name, values)
        return env

    def derive(self) -> pd.DataFrame:
        """The derived variables: categorical (first matching case wins), boolean or number."""
        return self._derived

    @cached_property
    def _lazy(self) -> ResponsesEnvironment:
        # one environment computes each derived variable once, when first read: a Responses
        # never changes, and segments read derived variables
        return ResponsesEnvironment(self.frame, self.questionnaire, derive=True)

    @cached_property
    def _derived(self) -> pd.DataFrame:
        out = {d.name: self._lazy.value(d.name) for d in self.questionnaire.derived}
        return pd.DataFrame(out, index=self.frame.index)

    def series(self, name: str) -> pd.Series:
        """A variable by name: a question's column, a derived variable, or a segment (boolean).

        What `by=` and the estimators accept, so a notebook can say `by="state_owned"`.
        """
        if name in self.frame.columns:
            return self.frame[name]
        if name in self._lazy.pending:
            return self._lazy.value(name)
        if name in self.questionnaire.segments:
            return self.segment(name)
        known = [*self.frame.columns, *self._lazy.pending, *self.questionnaire.segments]
        raise InputError(f"unknown variable {name!r}: not a question, derived variable or "
                         f"segment{suggest(name, map(str, known))}", code="unknown-variable")

    def segment(self, name: str) -> pd.Series:
        """Membership of a segment of the questionnaire, as a boolean Series."""
        if name not in self.questionnaire.segments:
            raise InputError(f"unknown segment {name!r}"
                             f"{suggest(name, self.questionnaire.segments)}",
                             code="unknown-segment")
        if name not in self._segments:
            where = parse(self.questionnaire.segments[name].where).as_condition()
            self._segments[name] = evaluate(where, self._lazy).astype(bool).rename(name)
        return self._segments[name].copy()

    @cached_property
    def _segments(self) -> dict[str, pd.Series]:
        return {}  # filled as segments are asked for (see segment)

    def scale_items(self, name: str) -> np.ndarray:
        """A scale's items as numbers (items, respondents), reverse-keyed items scored
        (min + max - answer), NaN where an item was not answered ("don't know" included).

        Reverse-keyed items are those in the scale's `reverse:` and grid items with
        `reverse: true`.
        """
        scale = next((s for s in self.questionnaire.scales if s.name == name), None)
        if scale is None:
            names = [s.name for s in self.questionnaire.scales]
            raise InputError(f"unknown scale {name!r}{suggest(name, names)}",
                             code="unknown-variable")
        rows = []
        for item in scale.items:
            q = self.question(item)
            codes = [c for c in q.codes if c != q.dont_know]
            x = _numbers(self.frame[item])
            if item in scale.reverse or q.reverse:
                x = min(codes) + max(codes) - x
            rows.append(x)
        return np.vstack(rows)

    def scale_scores(self) -> pd.DataFrame:
        """Each scale's score: the mean of its answered items (reverse-keyed items scored), for
        a respondent who answered at least the scale's `min_answered` items (default: all of
        them, the complete cases Cronbach's alpha uses; SPSS's MEAN.n). A respondent with fewer
        has no score (missing), so every base built on a score says who was left out."""
        out: dict[str, pd.Series] = {}
        for scale in self.questionnaire.scales:
            items = self.scale_items(scale.name)
            answered = (~np.isnan(items)).sum(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.where(np.isnan(items), 0.0, items).sum(axis=0) / answered
            unscored = answered < scale.needed
            out[scale.name] = pd.Series(pd.arrays.FloatingArray(np.where(unscored, 0.0, mean),
                                                                unscored),
                                        index=self.frame.index)
        return pd.DataFrame(out, index=self.frame.index)

    # Comparison ----------------------------------------------------------------------------------

    def differences(self, other: Responses, *, limit: int = 10) -> list[str]:
        """How two datasets differ answer for answer (values and missing kinds); [] if equal."""
        found: list[str] = []
        if len(self) != len(other):
            return [f"{len(self)} respondents vs {len(other)}"]
        columns = layout_columns(self.questionnaire)
        for column in columns:
            if column not in other.frame.columns:
                found.append(f"column {column!r} is missing from the other dataset")
                continue
            a, b = _comparable(self.frame[column]), _comparable(other.frame[column])
            differ = ~((a == b) | (pd.isna(a) & pd.isna(b)))
            if differ.any():
                row = int(np.flatnonzero(differ)[0])
                found.append(f"{column}: {int(differ.sum())} answers differ, first at row {row}: "
                             f"{a[row]!r} vs {b[row]!r}")
        for column in self.missing.columns:
            a = self.missing[column].to_numpy()
            b = other.missing[column].to_numpy() if column in other.missing else None
            if b is None or (a != b).any():
                row = 0 if b is None else int(np.flatnonzero(a != b)[0])
                theirs = "absent" if b is None else KIND_NAMES[int(b[row])]
                found.append(f"missing kind of {column}: first at row {row}: "
                             f"{KIND_NAMES[int(a[row])]} vs {theirs}")
        return found[:limit]

    def same_answers(self, other: Responses) -> bool:
        return not self.differences(other, limit=1)


def _numbers(series: pd.Series) -> np.ndarray:
    """A coded or numeric column as floats, NaN where missing or not a number; a Categorical
    through its categories (each converted once)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = pd.Series(list(series.cat.categories), dtype=object)
        table = np.append(pd.to_numeric(categories, errors="coerce").to_numpy(float), np.nan)
        return table[series.cat.codes.to_numpy()]  # code -1 (missing) picks the NaN
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _comparable(series: pd.Series) -> np.ndarray:
    """Values as plain objects (codes, numbers, text, timestamps), missing as None."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        values = np.asarray(series.astype(object).to_numpy(), dtype=object)
    else:
        values = series.astype(object).to_numpy()
    return np.array([None if v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v))
                     else v for v in values], dtype=object)


def _questions(questionnaire: Questionnaire, only: Collection[str] | None) -> list[Question]:
    items = questionnaire.items.values()
    return list(items) if only is None else [q for q in items if q.name in only]


def _infer_missing(questionnaire: Questionnaire, frame: pd.DataFrame,
                   answered: dict[str, np.ndarray], dont_know: dict[str, np.ndarray],
                   absent: set[str], given: pd.DataFrame | None,
                   only: Collection[str] | None = None) -> pd.DataFrame:
    """The kind of every missing answer: given by the source, else inferred (see from_raw)."""
    env = ResponsesEnvironment(frame, questionnaire)
    n = len(frame)
    kinds: dict[str, np.ndarray] = {}
    for q in _questions(questionnaire, only):
        kind = np.full(n, NOT_SHOWN if q.name in absent else EMPTY, dtype=np.int8)
        if q.relevant:
            shown = evaluate(parse(q.relevant).as_condition(), env).to_numpy(dtype=bool)
            np.putmask(kind, ~shown, SKIPPED)
        recorded = _recorded(given, q.name)
        if recorded is not None:
            use = ~np.isnan(recorded) & (recorded != ANSWERED)
            kind[use] = recorded[use].astype(np.int8)
        np.putmask(kind, answered[q.name], ANSWERED)
        if q.name in dont_know and dont_know[q.name].any():
            np.putmask(kind, dont_know[q.name], DONT_KNOW)
        kinds[q.name] = kind
    return pd.DataFrame(kinds, index=frame.index).astype(MISSING_DTYPE)


def _recorded(given: pd.DataFrame | None, name: str) -> np.ndarray | None:
    """The kinds a source recorded for a variable, as numbers; None when it recorded none."""
    if given is None or name not in given.columns or not len(given):
        return None
    column = given[name]
    if not pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
        column = pd.to_numeric(column, errors="coerce")
    recorded = column.to_numpy(dtype="float64", na_value=np.nan)
    return None if np.isnan(np.fmax.reduce(recorded)) else recorded  # all NaN: none recorded
