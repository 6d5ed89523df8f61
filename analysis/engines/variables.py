"""A questionnaire's variables as SQL over a file in our layout (docs/reference/responses.md):
derived variables and segments (compiled expressions), the codes of a banner's row and columns, and
the kind of every missing answer, each as `survey.responses` and `analysis.banner.rows` make
them in memory.

A single-choice column holds its codes; its "don't know" code is a missing answer (kind 4). A
multi or rank question is its block `q__code` (selected when > 0, unanswered when all NULL).
Missing kinds come from the `_missing.<q>` columns of our Parquet files, or are inferred as in
`Responses.from_raw`: skipped where `relevant` is false, left empty otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.banner.rows import BannerError
from analysis.engines.connect import Engine
from survey.expressions import parse
from survey.expressions.sql import (
    NUMBER,
    TEXT,
    Columns,
    Sql,
    condition,
    equal,
    literal,
    present,
    to_sql,
)
from survey.questionnaire.columns import block_columns
from survey.questionnaire.model import Question, Questionnaire
from survey.responses.dataset import Responses
from survey.writers.parquet import MISSING_PREFIX


class Variables:
    """The SQL of a questionnaire's variables over one engine's file."""

    def __init__(self, engine: Engine, questionnaire: Questionnaire) -> None:
        self.engine = engine
        self.questionnaire = questionnaire
        blocks = {q.name: block_columns(q) for q in questionnaire.items.values() if q.is_set}
        kinds = {name: kind for name, kind in engine.kinds.items() if kind in (NUMBER, TEXT)}
        self.columns = Columns(kinds, blocks, quote=engine.quote)
        self.plain = Columns(kinds, blocks, quote=engine.quote)  # no derived: for `relevant`
        for d in questionnaire.derived:
            self.columns.values[d.name] = self._derived(d)

    def _derived(self, d) -> Sql:
        if d.cases:
            codes = list(d.options or {}) or list(dict.fromkeys(c.value for c in d.cases))
            kind = TEXT if any(isinstance(c, str) for c in codes) else NUMBER
            whens = " ".join(f"WHEN {condition(parse(c.when), self.columns)} THEN "
                             f"{literal(c.value if kind == NUMBER else str(c.value)).text}"
                             for c in d.cases)
            null = "CAST(NULL AS DOUBLE)" if kind == NUMBER else "CAST(NULL AS STRING)"
            return Sql(f"(CASE {whens} ELSE {null} END)", kind)
        value = to_sql(parse(d.expr or "false"), self.columns)
        if value.kind == "condition":
            return Sql(f"(CASE WHEN {value.text} THEN 1.0 ELSE 0.0 END)", NUMBER)
        return value

    def segment(self, name: str) -> str:
        """A segment's membership, a condition never NULL."""
        return condition(parse(self.questionnaire.segments[name].where), self.columns)

    def value(self, name: str) -> Sql:
        """A single-valued variable: a question's column or a derived variable."""
        if name in self.columns.values:
            return self.columns.values[name]
        if name not in self.columns.kinds:
            raise BannerError(f"{name!r} has no column in the data")
        return self.columns.column(name)

    def codes(self, name: str, codes: Sequence[object], dont_know: object = None) -> str:
        """Index of each respondent's answer in `codes`: -1 missing (or "don't know"), -2 a
        value that is not one of the codes."""
        value = self.value(name)
        whens = [f"WHEN {equal(value, literal(c))} THEN {i}" for i, c in enumerate(codes)]
        if dont_know is not None:
            whens.append(f"WHEN {equal(value, literal(dont_know))} THEN -1")
        return f"(CASE {' '.join(whens)} WHEN NOT {present(value)} THEN -1 ELSE -2 END)"

    def block(self, q: Question) -> list[str]:
        """The columns of a multi or rank question's block, as numbers."""
        found = []
        for column in block_columns(q).values():
            if column not in self.columns.kinds:
                raise BannerError(f"{q.name}: column {column!r} of its block is not in the data")
            found.append(self.columns.column(column).text)
        return found

    def missing_kind(self, q: Question, answered: str, dont_know: str | None) -> str:
        """Each respondent's missing kind of question q (0 answered), as `_infer_missing`."""
        given = MISSING_PREFIX + q.name
        parts = []
        if dont_know is not None:
            parts.append(f"WHEN {dont_know} THEN 4")
        parts.append(f"WHEN {answered} THEN 0")
        if given in self.engine.kinds:
            g = f"CAST({self.engine.quote(given)} AS INTEGER)"
            parts.append(f"WHEN {g} IS NOT NULL AND {g} <> 0 THEN {g}")
        if q.relevant:
            parts.append(f"WHEN NOT {condition(parse(q.relevant), self.plain)} THEN 1")
        absent = q.name not in self.columns.kinds and not (
            q.is_set and any(c in self.columns.kinds for c in block_columns(q).values()))
        return f"(CASE {' '.join(parts)} ELSE {2 if absent else 3} END)"

    def strays(self, code_sql: str, name: str) -> None:
        """Refuse values that are not option codes, as the in-memory banner does."""
        found = self.engine.sql(f"SELECT DISTINCT {self.value(name).text} AS v FROM {{data}} "
                                f"WHERE {code_sql} = -2 LIMIT 3")
        values = sorted(str(v) for v in found["v"])
        raise BannerError(f"{name} has values {values} that are not its option codes")


def metadata(engine: Engine, questionnaire: Questionnaire) -> Responses:
    """One empty respondent with the file's columns: what `row_block` and `by_variable` read
    of labels, options, nets and types, without reading the data."""
    raw = {}
    for name, kind in engine.kinds.items():
        if name.startswith(MISSING_PREFIX):
            continue
        raw[name] = pd.Series([np.nan] if kind == NUMBER else [None],
                              dtype=float if kind == NUMBER else object)
    return Responses.from_raw(questionnaire, pd.DataFrame(raw), source=str(engine))
