"""Two waves of the same questionnaire compared: has a share (or a mean) changed, and for whom?

Per column of the banner by `by` (Total first; a segment gives its members and the rest), each
wave's estimate, the change (the second wave minus the first), its standard error, a t interval
and test, and a correction for the multiple comparisons over all options and columns (Holm by
default, as the banner's letters).

- Shares: every option of a single, multi or rank question, among the respondents who answered
  it (a rank option: ranked at all); means: a number question, or a scale's codes.
- Independent samples: each wave's estimate and se come from its own design (Taylor or
  replicate weights), as R's svymean and svyby; the waves are independent, so var(change) =
  se1^2 + se2^2, and t has Satterthwaite's df, (v1 + v2)^2 / (v1^2 / df1 + v2^2 / df2), df_i
  the design df of wave i (docs/reference/json.md, "survey compare", says why rather than the
  smaller of the two).
- A panel (`paired`): the same respondents in both waves, matched by respondent id; the change
  is estimated per respondent, d = y2 - y1, as a domain mean on the merged data with the second
  wave's design and segment membership, among respondents who answered in both waves; t on the
  second wave's design df. (Treating a panel as independent samples would ignore the covariance
  of a person's two answers.)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.banner.quantiles import row_values
from analysis.banner.rows import ByVariable, RowBlock, by_variable, row_block
from analysis.banner.tables import TOTAL_LABEL
from analysis.design import distributions, estimation
from analysis.design.choice import DesignChoice, choose_design
from analysis.design.corrections import adjust_p, correction_name
from analysis.design.errors import LonelyPSUError
from analysis.design.estimation import TOTAL, AnyDesign
from analysis.waves import panel
from analysis.waves.asked import check_asked
from survey.errors import SurveyError
from survey.messages import text
from survey.messages.tables import BANNER_NOTES

CHANGES = ["option", "option_label", "by", "by_label", "col", "col_label", "estimate1", "se1", "n1",
           "estimate2", "se2", "n2", "change", "se", "df", "statistic", "p", "p_adjusted",
           "ci_low", "ci_high", "small_base", "significant"]


class WaveError(SurveyError):
    """Waves that cannot be compared as asked (the message says why)."""

    code = "bad-waves"


class QuestionChanged(WaveError):
    """The compared question is not the same in both waves (its type or options changed)."""


@dataclass(frozen=True, eq=False)
class WaveComparison:
    """The comparison of `row` between two waves, by each of `by`. `changes`: one row per option
    (or the mean) and column (CHANGES; `option` None for a mean); `columns`: the columns with
    each wave's respondents; `designs`: each wave's design columns and df; `df_rule`
    "satterthwaite" (independent samples) or "design" (paired: the second wave's df)."""

    row: str
    row_label: str
    row_type: str
    measure: str  # "share" or "mean"
    by: tuple[str, ...]
    paired: bool
    waves: tuple[str, str]
    designs: tuple[dict[str, Any], dict[str, Any]]
    columns: pd.DataFrame
    changes: pd.DataFrame
    alpha: float
    correction: str
    level: float
    min_base: int
    lang: str
    notes: tuple[str, ...] = field(default=())

    @property
    def df_rule(self) -> str:
        return "design" if self.paired else "satterthwaite"

    def to_json(self) -> dict[str, Any]:
        """The `survey compare --json` document (docs/reference/json.md)."""
        from analysis.waves.render import to_json

        return to_json(self)


def _measures(block: RowBlock) -> tuple[tuple[str | None, ...], tuple[str, ...], np.ndarray]:
    """Each respondent's analysed values: 0/1 per option (NaN outside the base) for shares, the
    value itself for a mean; and the options' keys and labels."""
    if block.kind in ("number", "scale"):
        return (None,), (block.label,), row_values(block)[:, None]
    k = block.n_options
    values = np.full((len(block.answered), k), np.nan)
    answered = np.asarray(block.answered)
    if block.kind == "single":
        codes = np.asarray(block.codes)
        for j in range(k):
            values[answered, j] = codes[answered] == j
    else:
        for j in range(k):
            values[answered, j] = np.asarray(block.flags[j])[answered]
    return block.keys[:k], block.labels[:k], values


def _estimates(design: AnyDesign, values: np.ndarray, groups: Sequence[ByVariable],
               notes: list[str], lang: str
               ) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray, int]]:
    """(estimate, se, respondents) of each column of `values`, per banner column, as svymean
    (Total) and svyby (the domains) give them. A stratum with one PSU is handled as the banner
    handles it: lonely_psu "adjust", with a note."""
    frame = pd.DataFrame(values, columns=[f"v{j}" for j in range(values.shape[1])])
    found: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, int]] = {}
    if not np.isfinite(values).any():
        return found
    for g in [None, *groups]:  # Total, then each group's levels (domains by level index)
        by = TOTAL if g is None else g.name
        domain = None if g is None else pd.Categorical.from_codes(
            np.asarray(g.codes), categories=range(len(g.values)))
        try:
            e = estimation.mean(design, frame, by=domain, na_rm=True)
        except LonelyPSUError as error:
            notes.append(text(BANNER_NOTES, "lonely_psu", lang, error=error))
            design = dataclasses.replace(design, lonely_psu="adjust")
            e = estimation.mean(design, frame, by=domain, na_rm=True)
        for i, label in enumerate(e.domains):
            col = TOTAL if g is None else g.values[int(label)]
            found[by, col] = (e.estimate[i], e.se[i], int(e.n[i]))
    return found


def _layout(groups: Sequence[ByVariable], lang: str) -> list[tuple[str, str, str, str]]:
    """(by, its label, col, col label) of every banner column, Total first."""
    total = TOTAL_LABEL.get(lang, "Total")
    out = [(TOTAL, total, TOTAL, total)]
    for g in groups:
        out += [(g.name, g.label, v, label) for v, label in zip(g.values, g.labels, strict=True)]
    return out


def compare(wave1, wave2, row: str, by: str | Sequence[str] = (), *,
            design1: AnyDesign | None = None, design2: AnyDesign | None = None,
            paired: bool = False, independent: bool = False, alpha: float = 0.05,
            correction: str = "holm", min_base: int = 30, level: float = 0.95,
            lang: str | None = None, names: tuple[str, str] = ("wave 1", "wave 2")
            ) -> WaveComparison:
    """Compare `row` between two waves (Responses of the same questionnaire), per column of the
    banner by each of `by`: each wave's estimate, the change (wave 2 - wave 1), its se, interval,
    t test and corrected p. Designs default to each wave's questionnaire `design:`. Waves that
    share respondent ids are a panel: compare them `paired`, or say they are `independent`
    (ids that only number each wave's respondents). `names` says which wave is which in
    messages (the file names on the command line)."""
    by = [by] if isinstance(by, str) else list(by)
    correction = correction_name(correction)
    if not 0 < alpha < 1 or not 0 < level < 1:
        raise WaveError("alpha and the interval's level are between 0 and 1")
    if paired and independent:
        raise WaveError("waves are compared paired (a panel) or as independent samples, not "
                        "both")
    q1, q2 = wave1.questionnaire, wave2.questionnaire
    if q1.survey.id != q2.survey.id:
        raise WaveError(f"{names[0]} answers questionnaire '{q1.survey.id}' and {names[1]} "
                        f"'{q2.survey.id}': waves compared are of the same questionnaire")
    lang = lang or q2.survey.default_language
    check_asked((wave1, wave2), [row, *by], names)
    choices = [DesignChoice.of(d) if d is not None else choose_design(w)
               for d, w in ((design1, wave1), (design2, wave2))]
    for choice, wave, name in zip(choices, (wave1, wave2), names, strict=True):
        if choice.design.n != len(wave.frame):
            raise WaveError(f"the design of {name} has {choice.design.n} respondents, the "
                            f"data {len(wave.frame)}")
    block1, block2 = row_block(wave1, row, lang=lang), row_block(wave2, row, lang=lang)
    if (block1.kind, block1.keys) != (block2.kind, block2.keys):
        raise QuestionChanged(f"{row} is not the same question in both waves ({block1.kind} with "
                        f"options {', '.join(block1.keys) or 'none'} in {names[0]}, "
                        f"{block2.kind} with {', '.join(block2.keys) or 'none'} in {names[1]})")
    groups2 = [by_variable(wave2, b, lang=lang) for b in by]
    keys, labels, values2 = _measures(block2)
    notes = [n for c in choices for n in c.notes]
    if paired:
        order = panel.pair(wave1.frame, wave2.frame, names)
        values1 = _measures(block1)[2][order]
        figures = _paired(choices[1].design, values1, values2, groups2, notes, lang)
        df = np.full(1, float(choices[1].design.degf))
    else:
        if not independent:
            panel.check_independent(wave1.frame, wave2.frame, names)
        groups1 = [by_variable(wave1, b, lang=lang) for b in by]
        first = _estimates(choices[0].design, _measures(block1)[2], groups1, notes, lang)
        second = _estimates(choices[1].design, values2, groups2, notes, lang)
        figures = _independent(first, second, values2.shape[1])
        df = np.array([float(c.design.degf) for c in choices])
    layout = _layout(groups2, lang)
    changes = _changes(figures, keys, labels, layout, df, paired, alpha, level, correction,
                       min_base)
    columns = pd.DataFrame([{"by": b, "col": c, "label": label} for b, _, c, label in layout])
    counted = changes.drop_duplicates(["by", "col"]).set_index(["by", "col"])
    columns["n1"] = [counted["n1"].get((b, c), 0) for b, _, c, _ in layout]
    columns["n2"] = [counted["n2"].get((b, c), 0) for b, _, c, _ in layout]
    return WaveComparison(
        row=row, row_label=block2.label, row_type=block2.kind,
        measure="mean" if keys == (None,) else "share", by=tuple(by), paired=paired,
        waves=names, designs=(choices[0].columns | {"df": int(choices[0].design.degf)},
                              choices[1].columns | {"df": int(choices[1].design.degf)}),
        columns=columns, changes=changes, alpha=alpha, correction=correction, level=level,
        min_base=min_base, lang=lang, notes=tuple(dict.fromkeys(notes)))


Figures = dict[tuple[str, str], dict[str, np.ndarray | int]]


def _independent(first: dict, second: dict, k: int) -> Figures:
    """Each wave's estimates from its own design; the change's variance is their sum."""
    figures: Figures = {}
    nan = np.full(k, np.nan)
    for key in dict.fromkeys([*first, *second]):
        e1, s1, n1 = first.get(key, (nan, nan, 0))
        e2, s2, n2 = second.get(key, (nan, nan, 0))
        figures[key] = {"estimate1": e1, "se1": s1, "n1": n1, "estimate2": e2, "se2": s2,
                        "n2": n2, "change": e2 - e1, "se": np.sqrt(s1**2 + s2**2)}
    return figures


def _paired(design: AnyDesign, values1: np.ndarray, values2: np.ndarray,
            groups: Sequence[ByVariable], notes: list[str], lang: str) -> Figures:
    """Means of y1, y2 and d = y2 - y1 among the respondents answering in both waves, with the
    second wave's design: the change and its se are d's."""
    k = values2.shape[1]
    both = np.isfinite(values1) & np.isfinite(values2)
    y1, y2 = np.where(both, values1, np.nan), np.where(both, values2, np.nan)
    found = _estimates(design, np.hstack([y1, y2, y2 - y1]), groups, notes, lang)
    return {key: {"estimate1": e[:k], "se1": s[:k], "n1": n, "estimate2": e[k:2 * k],
                  "se2": s[k:2 * k], "n2": n, "change": e[2 * k:], "se": s[2 * k:]}
            for key, (e, s, n) in found.items()}


def _changes(figures: Figures, keys, labels, layout, df: np.ndarray, paired: bool,
             alpha: float, level: float, correction: str, min_base: int) -> pd.DataFrame:
    """The tidy table of changes: t, p, interval, and the corrected p over all tested rows."""
    rows = []
    k = len(keys)
    nan = np.full(k, np.nan)
    for j, (key, label) in enumerate(zip(keys, labels, strict=True)):
        for by, by_label, col, col_label in layout:
            f = figures.get((by, col), {"n1": 0, "n2": 0})
            get = {name: float(np.asarray(f.get(name, nan))[j]) for name in
                   ("estimate1", "se1", "estimate2", "se2", "change", "se")}
            rows.append({"option": key, "option_label": label, "by": by, "by_label": by_label,
                         "col": col, "col_label": col_label, **get, "n1": int(f["n1"]),
                         "n2": int(f["n2"])})
    out = pd.DataFrame(rows)
    with np.errstate(divide="ignore", invalid="ignore"):
        if paired:
            out["df"] = df[0]
        else:  # Welch-Satterthwaite: each wave's variance has its design's df
            v1, v2 = out["se1"].to_numpy() ** 2, out["se2"].to_numpy() ** 2
            out["df"] = (v1 + v2) ** 2 / (v1**2 / df[0] + v2**2 / df[1])
        out["statistic"] = out["change"] / out["se"]
        out["p"] = 2 * distributions.t_sf(np.abs(out["statistic"]), out["df"])
        half = distributions.t_ppf(0.5 + level / 2, out["df"]) * out["se"]
    out["ci_low"], out["ci_high"] = out["change"] - half, out["change"] + half
    out["small_base"] = (out["n1"] < min_base) | (out["n2"] < min_base)
    tested = ~out["small_base"] & np.isfinite(out["p"])
    out.loc[~tested, "p"] = np.nan
    out["p_adjusted"] = np.nan
    out.loc[tested, "p_adjusted"] = adjust_p(out.loc[tested, "p"].to_numpy(), correction)
    out["significant"] = out["p_adjusted"] < alpha
    return out[CHANGES]
