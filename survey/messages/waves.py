"""The wording of a comparison of two waves (`survey compare`, the report's changes since the
previous wave), in both languages. Placeholders in braces are filled by `analysis.waves`."""

from __future__ import annotations

WAVES: dict[str, dict[str, str]] = {
    "zh": {
        "title": "{label}（{row}）：{first} → {second}",
        "column": "列", "first": "第一轮", "second": "第二轮", "change": "变化",
        "interval": "{level}%置信区间", "p_adjusted": "校正p值",
        "unit_share": "比例以百分数表示，变化以百分点表示",
        "unit_mean": "均值及其变化以题目本身的单位表示",
        "independent": "变化 = {second} − {first}；{unit}。两轮为相互独立的样本：变化的标准误"
                       " = √(se₁² + se₂²)，各自按本轮的抽样设计估计；t检验的自由度按"
                       "Satterthwaite法合成（两轮设计自由度：{df1}、{df2}）。",
        "paired": "变化 = {second} − {first}；{unit}。同一批受访者（按respondent_id匹配的"
                  "{n}人）：变化按每位受访者两轮回答之差估计，使用{second}的抽样设计和群体划分，"
                  "仅计两轮都回答了该题的受访者；t检验的自由度为该设计的自由度（{df}）。",
        "tests": "{m}项变化的p值{correction}；* 校正后在α = {alpha}下显著。",
        "small_base": "某轮样本量低于{min_base}的列不作检验（–）。",
        "none_tested": "没有样本量足够的列，未作检验。",
        "section": "与上一轮相比的显著变化",
        "section_intro": "与上一轮（{previous}）相比，以下变化在校正后显著（{rule}）：",
        "section_none": "与上一轮（{previous}）相比，没有校正后显著的变化（{rule}）。",
        "rule_independent": "两轮为独立样本，各轮按本轮的抽样设计估计，标准误 = √(se₁² + se₂²)，"
                            "Satterthwaite自由度",
        "rule_paired": "同一批受访者按respondent_id匹配，变化按每人两轮回答之差、以本轮的抽样设计"
                       "估计",
        "rule_tests": "每题内{correction}，α = {alpha}",
        "skipped": "上一轮没有的题目未作比较：{names}。",
        "sheet": "与上一轮相比",
        "sheet_note": "变化 = 本轮 − 上一轮（{previous}）；比例及其变化以百分数表示；{rule}。",
        "question": "题目", "option": "选项", "previous": "上一轮", "current": "本轮",
        "ci_low": "置信区间下限", "ci_high": "置信区间上限", "significant": "显著",
        "points": "个百分点",
    },
    "en": {
        "title": "{label} ({row}): {first} → {second}",
        "column": "column", "first": "wave 1", "second": "wave 2", "change": "change",
        "interval": "{level}% CI", "p_adjusted": "p adj.",
        "unit_share": "shares in percent, changes in percentage points",
        "unit_mean": "means and changes in the question's own units",
        "independent": "Change = {second} − {first}; {unit}. Independent samples: se of the "
                       "change = √(se₁² + se₂²), each from its own wave's design; t on "
                       "Satterthwaite's df (design df of the waves: {df1}, {df2}).",
        "paired": "Change = {second} − {first}; {unit}. The same respondents ({n} matched by "
                  "respondent_id): the change is each respondent's own, estimated with "
                  "{second}'s design and segments among those who answered in both waves; t on "
                  "that design's df ({df}).",
        "tests": "p-values of {m} changes: {correction}; * significant at alpha {alpha} after "
                 "correction.",
        "small_base": "Columns with fewer than {min_base} respondents in a wave are not tested "
                      "(–).",
        "none_tested": "No column has a large enough base; nothing was tested.",
        "section": "Significant changes since the previous wave",
        "section_intro": "Since the previous wave ({previous}), these changes are significant "
                         "after correction ({rule}):",
        "section_none": "Since the previous wave ({previous}), no change is significant after "
                        "correction ({rule}).",
        "rule_independent": "independent samples, each wave with its own design, se = "
                            "√(se₁² + se₂²), Satterthwaite df",
        "rule_paired": "the same respondents matched by respondent_id, each one's change "
                       "estimated with this wave's design",
        "rule_tests": "{correction} within each question, alpha {alpha}",
        "skipped": "Not compared, as the previous wave did not ask them: {names}.",
        "sheet": "Change since previous",
        "sheet_note": "change = this wave − the previous one ({previous}); shares and their "
                      "changes as percentages; {rule}.",
        "question": "question", "option": "option", "previous": "previous", "current": "current",
        "ci_low": "CI low", "ci_high": "CI high", "significant": "significant",
        "points": " pp",
    },
}  # fmt: skip
