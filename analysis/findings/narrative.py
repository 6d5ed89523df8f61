"""Sentences a researcher can paste into a report, in Chinese and English, with the numbers in them.

Only supported and contradicted findings get a sentence: the others say nothing the data back.
"""

from __future__ import annotations

import math

from analysis.findings.claims import is_share
from analysis.findings.verdicts import Finding
from survey.messages import is_chinese
from survey.questionnaire.model import Questionnaire


def p_text(p: float) -> str:
    if not math.isfinite(p):
        return "p=n/a"
    return "p<0.001" if p < 0.001 else f"p={p:.3f}"


def narrative(finding: Finding, questionnaire: Questionnaire, lang: str = "zh") -> str | None:
    """A sentence for a supported or contradicted finding, or None."""
    if finding.verdict not in ("supported", "contradicted"):
        return None
    words = _Words(finding, questionnaire, lang)
    kind = finding.claim.kind
    if kind == "top":
        return words.top()
    if kind == "trend":
        return words.trend()
    if kind == "anchor":
        return words.anchor()
    return words.comparison()


class _Words:
    def __init__(self, finding: Finding, questionnaire: Questionnaire, lang: str):
        self.f = finding
        self.c = finding.claim
        self.q = questionnaire
        self.zh = is_chinese(lang)
        self.lang = lang

    def label(self, text) -> str:
        return self.q.label(text, self.lang)

    def segment(self, name: str | None) -> str:
        if name is None:
            return "受访职工" if self.zh else "respondents"
        return self.label(self.q.segments[name].label)

    def measure(self) -> str:
        """What is measured: an option's label, or the question's (for a mean)."""
        item = self.q.items.get(self.c.question)
        if self.c.option is not None and item is not None:
            return self.label(item.options[self.c.option])
        return self.variable(self.c.question)

    def variable(self, name: str) -> str:
        """A variable's label (its name when it has none)."""
        return self.label(self.q.variable_label(name)) or name

    def value(self, x: float) -> str:
        if is_share(self.c.resolved_measure) and self.c.kind != "anchor" or self.c.kind == "top":
            return f"{x * 100:.1f}%"
        return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.2f}"

    def higher(self) -> bool:
        return self.f.difference > 0

    def comparison(self) -> str:
        f, c = self.f, self.c
        who = self.segment(c.segment)
        rest = "其他职工" if self.zh else "other workers"
        other = self.segment(c.versus) if c.versus else rest
        share = is_share(c.resolved_measure)
        median = c.resolved_measure == "median"
        item = self.q.items.get(c.question)
        answer = share and item is not None and not item.is_set  # "answered X to Q", not "chose"
        if self.zh:
            what = (f"对“{self.label(item.label)}”回答“{self.measure()}”的比例为" if answer
                    else f"选择“{self.measure()}”的比例为" if share
                    else f"“{self.measure()}”的{'中位数' if median else '平均值'}为")
            controls = "、".join(f"“{self.variable(name)}”" for name in c.controls)
            adjusted = f"；控制{controls}后差异仍然显著" if f.adjusted else ""
            return (f"{who}{what}{self.value(f.estimate)}，{'高于' if self.higher() else '低于'}"
                    f"{other}（{self.value(f.comparison)}），差异显著（{p_text(f.p_adjusted)}）"
                    + adjusted
                    + ("，与报告的判断相反。" if f.verdict == "contradicted" else "。"))
        what = (f"{self.value(f.estimate)} of {who} answered “{self.measure()}” to "
                f"“{self.label(item.label)}”" if answer else
                f"{self.value(f.estimate)} of {who} chose “{self.measure()}”" if share else
                f"the {'median' if median else 'mean'} of “{self.measure()}” among {who} is "
                f"{self.value(f.estimate)}")
        text = (f"{what[0].upper() + what[1:]}, {'more' if self.higher() else 'less'} than "
                f"among {other} ({self.value(f.comparison)}); the difference is significant "
                f"({p_text(f.p_adjusted)})")
        if f.adjusted:
            controls = ", ".join(f"“{self.variable(name)}”" for name in c.controls)
            text += f", also after controlling for {controls}"
        return text + ("; this contradicts the report." if f.verdict == "contradicted" else ".")

    def top(self) -> str:
        item = self.q.items[self.c.question]
        names = [self.label(item.options[code]) for code in self.c.top]
        within = self.segment(self.c.within)
        if self.zh:
            quoted = "、".join(f"“{n}”" for n in names)
            verb = "是选择最多的选项" if self.f.verdict == "supported" else "并非选择最多的选项"
            return (f"{within}中，{quoted}{verb}：其中最低的比例为{self.value(self.f.estimate)}，"
                    f"其他选项最高为{self.value(self.f.comparison)}（{p_text(self.f.p_adjusted)}）。")
        quoted = ", ".join(f"“{n}”" for n in names)
        verb = "are" if self.f.verdict == "supported" else "are not"
        return (f"Among {within}, {quoted} {verb} the most-selected options: the least of them "
                f"{self.value(self.f.estimate)}, the most of the others "
                f"{self.value(self.f.comparison)} ({p_text(self.f.p_adjusted)}).")

    def trend(self) -> str:
        f = self.f
        groups = self.c.trend.order
        first, last = (self.label(self.q.option_label(self.c.trend.by, g)) or str(g)
                       for g in (groups[0], groups[-1]))
        if self.zh:
            way = "上升" if f.difference > 0 else "下降"
            return (f"从{first}到{last}，“{self.measure()}”由{self.value(f.comparison)}"
                    f"变为{self.value(f.estimate)}，呈{way}趋势（趋势检验{p_text(f.p_adjusted)}）。")
        way = "rises" if f.difference > 0 else "falls"
        return (f"From {first} to {last}, “{self.measure()}” {way} from "
                f"{self.value(f.comparison)} to {self.value(f.estimate)} (trend test "
                f"{p_text(f.p_adjusted)}).")

    def anchor(self) -> str:
        f = self.f
        who = self.segment(self.c.segment)
        if self.zh:
            return (f"{who}“{self.measure()}”的估计值为{self.value(f.estimate)}，"
                    f"{'高于' if self.higher() else '低于'}{self.label(self.c.anchor.source)}"
                    f"（{self.value(f.comparison)}），差异显著（{p_text(f.p_adjusted)}）。")
        return (f"The estimate of “{self.measure()}” among {who} is {self.value(f.estimate)}, "
                f"{'above' if self.higher() else 'below'} {self.label(self.c.anchor.source)} "
                f"({self.value(f.comparison)}); the difference is significant "
                f"({p_text(f.p_adjusted)}).")
