"""The wording of tables, findings and the report in both languages: footnotes, terminal
headings, method notes, the verdict rule, sheet names and chart titles. Placeholders in braces
are filled by the outputs in `analysis`."""

from __future__ import annotations

BANNER: dict[str, dict[str, str]] = {
    "zh": {
        "letters": "字母标记：{test}，显著性水平α = {alpha}，全表比较按{correction}法校正。",
        "tests": "检验：{names}。",
        "small_base": "* 样本量不足{min_base}：仅标注，不检验。",
        "suppressed": "- 少于{k}人的单元格不显示。",
        "percent_responses": "列百分比：占全部选择次数。",
        "percent_respondents": "列百分比：占回答该题的受访者。",
        "n": "样本量", "weighted_n": "加权样本量", "effective_n": "有效样本量",
        "mean": "均值", "sd": "标准差", "net": "（合并）", "tests_title": "检验",
        "residuals_note": "调整后标准化残差；|r| ≥ 1.96 加框",
    },
    "en": {
        "letters": "Letters: {test}, alpha {alpha}, {correction} correction across the "
                   "banner's comparisons.",
        "tests": "Tests: {names}.",
        "small_base": "* base under {min_base}: flagged, not tested.",
        "suppressed": "- cells of fewer than {k} respondents suppressed.",
        "percent_responses": "Column % of responses.",
        "percent_respondents": "Column % of respondents who answered.",
        "n": "n", "weighted_n": "weighted n", "effective_n": "effective n",
        "mean": "mean", "sd": "sd", "net": " (net)", "tests_title": "Tests",
        "residuals_note": "adjusted standardised residuals; |r| >= 1.96 outlined",
    },
}  # fmt: skip

FINDINGS: dict[str, dict[str, str]] = {
    "zh": {
        "method": "检验：基于设计的t检验（泰勒线性化，同R survey包的svyttest）；α = {alpha}；"
                  "{claims}条结论的p值按{correction}法校正；每组至少{min_base}名受访者。"
                  "判定规则：{rule}",
        "design": "{note}分析设计：{design}。",
        "verdict_rule": "“支持”：差异方向与结论一致、不小于最小差异（min_difference）且校正后"
                        "显著（p_adjusted < α）；“相反”：反方向显著；“不支持”：其余情形；"
                        "“数据不足”：某组有效回答少于最小样本量（min_base），不作检验。带控制"
                        "变量的结论按回归系数（方向与p值）判定，差异大小取未调整的差值。",
        "claim": "结论", "segment": "群体", "estimate": "估计值", "comparison": "对照",
        "difference": "差值", "ci": "95%置信区间", "p_adjusted": "校正p值", "n": "样本量",
        "verdict": "判定",
    },
    "en": {
        "method": "Tests: design-based t (Taylor linearisation, as R survey's svyttest); alpha "
                  "{alpha}; p-values adjusted across {claims} claims with {correction}; groups "
                  "need at least {min_base} respondents. Verdicts: {rule}",
        "design": "{note} Design: {design}.",
        "verdict_rule": "supported: the difference is in the claimed direction, at least "
                        "min_difference, and significant after adjustment (p_adjusted < alpha); "
                        "contradicted: significant in the other direction; not_supported: "
                        "otherwise; insufficient_data: a group has fewer than min_base "
                        "respondents with an answer, so no test is made. A claim with controls "
                        "is tested by its regression coefficient (direction and p), the raw "
                        "difference giving the size.",
        "claim": "claim", "segment": "segment", "estimate": "estimate",
        "comparison": "comparison", "difference": "difference", "ci": "95% CI",
        "p_adjusted": "p adj.", "n": "n", "verdict": "verdict",
    },
}  # fmt: skip

REPORT: dict[str, dict[str, str]] = {
    "zh": {
        "everyone": "全部受访者",
        "sample": "共{n}名受访者；分析设计：{design}；设计自由度{df}；加权效率{efficiency}。",
        "methods": "估计基于抽样设计（泰勒线性化，同R的survey包）：权重、分层与整群如上所述；"
                   "子群体估计保留完整设计。多选题和排序题的百分比以回答该题的受访者为基数；"
                   "缺失回答从不计为“未选”。标*的列样本量低于最小基数，不作检验。",
        "shares_title": "比例之差（百分点）",
        "means_title": "均值之差（量表分、小时、次数）",
        "dots_note": "95%置信区间；颜色表示判定",
        "findings_sheet": "结论检验", "profiles_sheet": "群体特征",
        "reliability_sheet": "量表信度", "codebook_sheet": "编码簿",
        "profiles_note": "群体内比例与其余受访者比较；指数 = 100 × 群体比例 / 其余比例；"
                         "基于设计的t检验",
        "reliability_note": "Cronbach α，基于完整作答，反向题已反向计分；低于0.70标出",
    },
    "en": {
        "everyone": "All respondents",
        "sample": "{n} respondents; design: {design}; design df {df}; weighting efficiency "
                  "{efficiency}.",
        "methods": "Estimates are design-based (Taylor linearisation, as R's survey package): "
                   "weights, strata and clusters as described above; domain estimates keep the "
                   "full design. Multi-select and rank questions are percentages of respondents "
                   "who answered the question; missing answers are never counted as 'not "
                   "selected'. Columns marked * have fewer respondents than the minimum base and "
                   "are not tested.",
        "shares_title": "Differences in shares (percentage points)",
        "means_title": "Differences in means (scale points, hours, counts)",
        "dots_note": "95% CI; colour = verdict",
        "findings_sheet": "Findings", "profiles_sheet": "Profiles",
        "reliability_sheet": "Reliability", "codebook_sheet": "Codebook",
        "profiles_note": "share in the segment vs the rest; index = 100 x share / rest; "
                         "design-based t",
        "reliability_note": "Cronbach's alpha on complete answers, reverse-keyed items "
                            "reversed; below 0.70 flagged",
    },
}  # fmt: skip
