"""Realistic synthetic responses from any questionnaire (docs/reference/simulate.md).

Questions are generated in order, all respondents at once (a loop over questions, never over
respondents): `relevant` is evaluated on the answers so far, so skip logic holds; choice limits,
exclusive options and rank orders hold by construction. Attitudes (scale questions and grid items)
come from a latent normal cut at thresholds, with a common factor per multi-item scale (so the
scale is coherent, reverse-keyed items included) and an enterprise random intercept when a
cluster structure is asked for. Effects from an effects file shift, per segment, the odds of an
option or the mean of a number or scale.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from survey.errors import SurveyError
from survey.expressions import ExpressionError, parse
from survey.expressions.pandas_eval import evaluate
from survey.questionnaire.columns import block_columns, option_column, other_column
from survey.questionnaire.model import Question, Questionnaire, Scale
from survey.responses.dataset import DerivedEnvironment, Responses
from survey.simulation.effects import EffectsFile, NumberMarginal

LOADING = 0.75  # item loading on its scale's common factor (gives Cronbach's alpha ~0.8)
DONT_KNOW_SHARE = 0.03
EXCLUSIVE_SHARE = 0.04
OTHER_WEIGHT = 0.02
OTHER_TEXTS = np.array(["其他情况", "说不清楚", "家里的事情", "个人原因", "另有打算"], dtype=object)


class SimulationError(SurveyError):
    """An effect that cannot be applied (e.g. its segment needs a question asked later)."""

    code = "simulation"


class _Simulation:
    def __init__(self, questionnaire: Questionnaire, n: int, rng: np.random.Generator,
                 effects: EffectsFile) -> None:
        self.q, self.n, self.rng, self.effects = questionnaire, n, rng, effects
        self.columns: dict[str, np.ndarray] = {}
        self.blocks: dict[str, dict] = {}
        self.segments: dict[str, np.ndarray] = {}
        self.factors: dict[str, np.ndarray] = {}
        self.intercept = np.zeros(n)
        self.design: dict[str, np.ndarray] = {}

    # The answers so far, seen by expressions --------------------------------------------------

    def environment(self, with_derived: bool = True) -> DerivedEnvironment:
        frame = pd.DataFrame(self.columns, index=pd.RangeIndex(self.n), copy=False)
        env = DerivedEnvironment(frame, self.blocks)
        for d in self.q.derived if with_derived else ():
            try:
                if d.cases:
                    conditions = [evaluate(parse(c.when), env).to_numpy(bool) for c in d.cases]
                    values = np.select(conditions, [float(c.value) if isinstance(c.value, int)
                                                    else np.nan for c in d.cases], np.nan)
                    values = pd.Series(values)
                else:
                    values = evaluate(parse(d.expr or "false"), env)
            except ExpressionError:
                continue  # it needs a question not generated yet
            env.with_column(d.name, values.to_numpy())
        return env

    def segment(self, name: str, question: str) -> np.ndarray:
        if name not in self.segments:
            where = parse(self.q.segments[name].where).as_condition()
            try:
                self.segments[name] = evaluate(where, self.environment()).to_numpy(bool)
            except ExpressionError as error:
                raise SimulationError(f"the effect on '{question}' needs segment '{name}', "
                                      f"which cannot be known before '{question}' is asked: "
                                      f"{error.message}") from None
        return self.segments[name]

    def shown(self, q: Question) -> np.ndarray:
        if not q.relevant:
            return np.ones(self.n, bool)
        return evaluate(parse(q.relevant).as_condition(),
                        self.environment(with_derived=False)).to_numpy(bool)

    # Generators, one per kind of question ------------------------------------------------------

    def run(self) -> pd.DataFrame:
        self.cluster_structure()
        for q in self.q.items.values():
            shown = self.shown(q)
            answer = shown.copy()
            if not q.required:
                answer &= self.rng.random(self.n) >= self.effects.empty_rate
            if q.is_set:
                self.choose_set(q, answer)
            elif q.type == "number":
                self.columns[q.name] = np.where(answer, self.number(q), np.nan)
            elif q.type == "scale" and q.name not in self.effects.marginals:
                self.columns[q.name] = np.where(answer, self.attitude(q), np.nan)
            elif q.type in ("single", "scale"):
                self.columns[q.name] = self.choose_one(q, answer)
            elif q.type == "date":
                self.columns[q.name] = np.where(answer, self.dates(q), None)
            else:
                texts = OTHER_TEXTS[self.rng.integers(0, len(OTHER_TEXTS), self.n)]
                self.columns[q.name] = np.where(answer & (self.rng.random(self.n) < 0.3),
                                                texts, None)
            self.other_text(q)
        frame = pd.DataFrame(self.columns, index=pd.RangeIndex(self.n))
        ids = pd.Series([f"R{i:06d}" for i in range(1, self.n + 1)])
        frame.insert(0, "respondent_id", ids)
        return pd.concat([frame, pd.DataFrame(self.design, index=frame.index)], axis=1)

    def odds(self, q: Question, codes: list, weights: np.ndarray) -> np.ndarray:
        """Per-respondent weights (n x k): the base weights times each segment's odds ratios."""
        matrix = np.tile(weights, (self.n, 1))
        for effect in [e for e in self.effects.effects if e.question == q.name and e.odds_ratio]:
            member = self.segment(effect.segment, q.name)
            column = codes.index(effect.option)
            matrix[member, column] *= effect.odds_ratio
        return matrix

    def base_weights(self, q: Question, codes: list) -> np.ndarray:
        marginal = self.effects.marginals.get(q.name)
        if isinstance(marginal, dict):
            return np.array([float(marginal.get(c, 0.0)) for c in codes]) + 1e-9
        weights = self.rng.dirichlet(np.full(len(codes), 2.0)) * len(codes)
        for i, code in enumerate(codes):
            if code in (q.other, q.dont_know) or code in q.exclusive:
                weights[i] = OTHER_WEIGHT
        return weights

    def choose_one(self, q: Question, answer: np.ndarray) -> np.ndarray:
        codes = list(q.codes)
        weights = self.odds(q, codes, self.base_weights(q, codes))
        probabilities = weights / weights.sum(axis=1, keepdims=True)
        cumulative = probabilities.cumsum(axis=1)
        pick = (self.rng.random(self.n)[:, None] > cumulative).sum(axis=1).clip(0, len(codes) - 1)
        values = np.array(codes, dtype=object)[pick]
        if all(isinstance(c, int) for c in codes):
            return np.where(answer, values.astype("float64"), np.nan)
        return np.where(answer, values, None)

    def factor(self, scale: Scale, item: str) -> np.ndarray:
        """A scale's common factor, drawn when its first item is asked (so segments are known)."""
        if scale.name not in self.factors:
            factor = self.rng.standard_normal(self.n) + self.intercept
            for effect in [e for e in self.effects.effects if e.question == scale.name]:
                factor = factor + self.segment(effect.segment, item) * (effect.shift or 0) / LOADING
            self.factors[scale.name] = factor
        return self.factors[scale.name]

    def attitude(self, q: Question) -> np.ndarray:
        """A rating from a latent normal: the item's scale factor (if any) plus its own noise."""
        codes = [c for c in q.codes if c != q.dont_know]
        scale = next((s for s in self.q.scales if q.name in s.items), None)
        noise = self.rng.standard_normal(self.n)
        if scale is not None:
            sign = -1.0 if (q.name in scale.reverse or q.reverse) else 1.0
            latent = sign * LOADING * self.factor(scale, q.name) + np.sqrt(1 - LOADING**2) * noise
        else:
            latent = noise + self.intercept
        for effect in [e for e in self.effects.effects if e.question == q.name and e.shift]:
            latent = latent + self.segment(effect.segment, q.name) * (effect.shift or 0)
        location = self.rng.normal(0.3, 0.3)
        cuts = np.arange(len(codes) - 1) - (len(codes) - 2) / 2
        values = np.array(codes, dtype="float64")[np.searchsorted(cuts, latent + location)]
        if q.dont_know is not None:
            values = np.where(self.rng.random(self.n) < DONT_KNOW_SHARE, float(q.dont_know),
                              values)
        return values

    def number(self, q: Question) -> np.ndarray:
        marginal = self.effects.marginals.get(q.name)
        low = float(q.min) if isinstance(q.min, int | float) else None
        high = float(q.max) if isinstance(q.max, int | float) else None
        if not isinstance(marginal, NumberMarginal):
            middle = (low + high) / 2 if low is not None and high is not None else 0.0
            spread = (high - low) / 6 if low is not None and high is not None else 10.0
            marginal = NumberMarginal(mean=middle, sd=spread or 1.0)
        mean = np.full(self.n, marginal.mean)
        for effect in [e for e in self.effects.effects if e.question == q.name and e.shift]:
            mean = mean + self.segment(effect.segment, q.name) * (effect.shift or 0)
        sd = marginal.sd or max(abs(marginal.mean) / 2, 1.0)
        if marginal.distribution == "poisson":
            values = self.rng.poisson(np.clip(mean, 0, None)).astype("float64")
        elif marginal.distribution == "lognormal":
            sigma2 = np.log1p((sd / np.clip(mean, 1e-9, None)) ** 2)
            values = self.rng.lognormal(np.log(np.clip(mean, 1e-9, None)) - sigma2 / 2,
                                        np.sqrt(sigma2))
        else:
            values = self.rng.normal(mean, sd)
        values = np.clip(values, low if low is not None else -np.inf,
                         high if high is not None else np.inf)
        return np.round(values) if q.integer else np.round(values, 1)

    def dates(self, q: Question) -> np.ndarray:
        low = q.min if isinstance(q.min, date) else date.today() - timedelta(days=365)
        high = q.max if isinstance(q.max, date) else date.today()
        days = self.rng.integers(0, max((high - low).days, 0) + 1, self.n)
        return (np.datetime64(low) + days.astype("timedelta64[D]")).astype("datetime64[ns]")

    def choose_set(self, q: Question, answer: np.ndarray) -> None:
        """Weighted sampling without replacement (Efraimidis and Spirakis 2006), in rank order."""
        codes = list(q.codes)
        exclusive = [i for i, c in enumerate(codes) if c in q.exclusive or c == q.dont_know]
        ordinary = np.array([i not in exclusive for i in range(len(codes))])
        weights = self.odds(q, codes, self.base_weights(q, codes))
        weights[:, ~ordinary] = 0
        k = int(ordinary.sum())
        low = max(q.min_choices or 1, 1)
        high = min(q.max_choices or k, k)
        if q.type == "rank":
            count = np.where(self.rng.random(self.n) < 0.75, high,
                             self.rng.integers(low, high + 1, self.n))
        else:
            mean = self.mean_selected(q, codes, k)
            count = np.clip(1 + self.rng.poisson(max(mean - 1, 0), self.n), low, high)
        keys = np.log(self.rng.random((self.n, len(codes)))) / np.where(weights > 0, weights,
                                                                          np.nan)
        keys = np.where(np.isnan(keys), -np.inf, keys)
        order = np.argsort(-keys, axis=1, kind="stable")
        position = np.empty_like(order)
        np.put_along_axis(position, order, np.arange(len(codes))[None, :].repeat(self.n, 0), 1)
        chosen = position < count[:, None]
        rank = np.where(chosen, position + 1, 0)
        if exclusive:
            alone = self.rng.random(self.n) < EXCLUSIVE_SHARE * len(exclusive)
            which = np.array(exclusive)[self.rng.integers(0, len(exclusive), self.n)]
            one = np.zeros_like(rank)
            one[np.arange(self.n), which] = 1
            rank = np.where(alone[:, None], one, rank)
        values = (rank > 0).astype("float64") if q.type == "multi" else rank.astype("float64")
        values[~answer] = np.nan
        self.blocks[q.name] = block_columns(q)
        for i, column in enumerate(block_columns(q).values()):
            self.columns[column] = values[:, i]

    def mean_selected(self, q: Question, codes: list, k: int) -> float:
        marginal = self.effects.marginals.get(q.name)
        if isinstance(marginal, dict):
            return max(sum(marginal.values()), 1.0)
        return 1.0 + 0.25 * (k - 1)

    def other_text(self, q: Question) -> None:
        column = other_column(q)
        if column is None:
            return
        if q.is_set:
            chosen = np.nan_to_num(self.columns[option_column(q.name, q.other)]) > 0
        else:
            values = self.columns[q.name]
            chosen = np.array([v == q.other for v in values]) if values.dtype == object \
                else values == float(q.other)  # type: ignore[arg-type]
        texts = OTHER_TEXTS[self.rng.integers(0, len(OTHER_TEXTS), self.n)]
        self.columns[column] = np.where(chosen, texts, None)

    def cluster_structure(self) -> None:
        clusters, weights = self.effects.clusters, self.effects.weights
        if clusters is not None:
            sizes = self.rng.dirichlet(np.full(clusters.enterprises, 2.0))
            enterprise = self.rng.choice(clusters.enterprises, size=self.n, p=sizes)
            district_of = self.rng.integers(1, clusters.districts + 1, clusters.enterprises)
            district_of[: clusters.districts] = np.arange(1, clusters.districts + 1)
            self.design["district"] = district_of[enterprise]
            self.design["enterprise_id"] = enterprise + 1
            self.intercept = self.rng.normal(0, clusters.intercept_sd,
                                             clusters.enterprises)[enterprise]
        if weights is not None:
            sigma = np.sqrt(np.log1p(weights.cv**2))
            w = self.rng.lognormal(-sigma**2 / 2, sigma, self.n)
            self.design["weight"] = w * ((weights.total or self.n) / w.sum())


def simulate(questionnaire: Questionnaire, n: int, *, seed: int | None = None,
             effects: EffectsFile | None = None) -> Responses:
    """`n` synthetic respondents; the same seed (and effects) gives the same data."""
    if n < 1:
        raise SimulationError("the number of respondents must be at least 1")
    rng = np.random.default_rng(seed)
    raw = _Simulation(questionnaire, n, rng, effects or EffectsFile()).run()
    return Responses.from_raw(questionnaire, raw, source="<simulated>")
