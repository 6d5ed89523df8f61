"""The wording of tables, findings and the report in both languages: footnotes, terminal
headings, method notes, the verdict rule, sheet names and chart titles. Placeholders in braces
are filled by the outputs in `analysis`."""

from __future__ import annotations

BANNER: dict[str, dict[str, str]] = {
    "zh": {
        "letters": "字母标记：{test}，显著性水平α = {alpha}，全表比较{correction}。",
        "tests": "检验：{names}。",
        "mean_letters": "均值的字母标记：{test}（两列之间），同样校正。",
        "small_base": "* 样本量不足{min_base}：仅标注，不检验。",
        "suppressed": "- 少于{k}人的单元格不显示。",
        "percent_responses": "列百分比：占全部选择次数。",
        "percent_respondents": "列百分比：占回答该题的受访者。",
        "n": "样本量", "weighted_n": "加权样本量", "effective_n": "有效样本量",
        "mean": "均值", "sd": "标准差", "net": "（合并）", "tests_title": "检验", "others": "其他",
        "kind_dont_know": "不知道", "kind_empty": "未作答", "kind_not_shown": "未显示",
        "kind_skipped": "跳过（不适用）",
        "quantiles_title": "分位数", "median": "中位数", "percentile": "第{p}百分位数",
        "column": "列", "quantile": "分位数", "value": "数值", "interval": "{level}%置信区间",
        "se": "标准误", "compared": "比较的列", "row": "行", "statistic": "检验方法",
        "note": "注：",
        "quantiles_note": "分位数为加权分位数（同R survey包svyquantile的默认规则），置信区间为"
                          "Woodruff区间，标准误由区间宽度推得。",
        "quantiles_note_replicates": "分位数为加权分位数（同R survey包svyquantile的默认规则），"
                                     "标准误由每组重复权重下重算的分位数求得，置信区间为估计值"
                                     "加减t倍标准误（同R的interval.type = \"quantile\"）。",
    },
    "en": {
        "letters": "Letters: {test}, alpha {alpha}, {correction} across the banner's "
                   "comparisons.",
        "tests": "Tests: {names}.",
        "mean_letters": "Letters on means: {test} (between two columns), same correction.",
        "small_base": "* base under {min_base}: flagged, not tested.",
        "suppressed": "- cells of fewer than {k} respondents suppressed.",
        "percent_responses": "Column % of responses.",
        "percent_respondents": "Column % of respondents who answered.",
        "n": "n", "weighted_n": "weighted n", "effective_n": "effective n",
        "mean": "mean", "sd": "sd", "net": " (net)", "tests_title": "Tests", "others": "Others",
        "kind_dont_know": "don't know", "kind_empty": "no answer", "kind_not_shown": "not shown",
        "kind_skipped": "skipped (not asked)",
        "quantiles_title": "Quantiles", "median": "median", "percentile": "percentile {p}",
        "column": "column", "quantile": "quantile", "value": "value",
        "interval": "{level}% CI", "se": "se", "compared": "columns compared", "row": "row",
        "statistic": "test", "note": "Note: ",
        "quantiles_note": "Quantiles are weighted (R survey's svyquantile defaults), with "
                          "Woodruff confidence intervals; the se is derived from the interval.",
        "quantiles_note_replicates": "Quantiles are weighted (R survey's svyquantile rule); "
                                     "the se comes from the quantile recomputed under each "
                                     "replicate weight, the interval is the estimate plus or "
                                     "minus t se (R's interval.type = \"quantile\").",
    },
}  # fmt: skip

FINDINGS: dict[str, dict[str, str]] = {
    "zh": {
        "method": "检验：基于设计的t检验（{variance}，同R survey包的svyttest）；α = {alpha}；"
                  "{claims}条结论的p值{correction}（校正范围是全部结论，而分题表在每张表内校正，"
                  "故同一差异在两处的显著性可能不同）；每组至少{min_base}名受访者。"
                  "判定规则：{rule}",
        "design": "{note}分析设计：{design}。",
        "verdict_rule": "“支持”：差异方向与结论一致、不小于最小差异（min_difference）且校正后"
                        "显著（p_adjusted < α）；“相反”：反方向显著；“不支持”：其余情形；"
                        "“数据不足”：某组有效回答少于最小样本量（min_base），不作检验。带控制"
                        "变量的结论按回归系数（方向与p值）判定，差异大小取未调整的差值。",
        "claim": "结论", "segment": "群体", "estimate": "估计值", "comparison": "对照",
        "difference": "差值", "ci": "95%置信区间", "p_adjusted": "校正p值", "n": "样本量",
        "verdict": "判定", "sheet": "结论检验", "method_sheet": "方法", "method_header": "说明",
    },
    "en": {
        "method": "Tests: design-based t ({variance}, as R survey's svyttest); alpha "
                  "{alpha}; p-values of {claims} claims: {correction} (across the claims, "
                  "while a banner corrects within its own table, so one difference may be "
                  "significant in one and not the other); groups "
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
        "p_adjusted": "p adj.", "n": "n", "verdict": "verdict", "sheet": "findings",
        "method_sheet": "method", "method_header": "note",
    },
}  # fmt: skip

REPORT: dict[str, dict[str, str]] = {
    "zh": {
        "everyone": "全部受访者",
        "sample": "共{n}名受访者；分析设计：{design}；设计自由度{df}；加权效率{efficiency}。",
        "methods": "估计基于抽样设计（{variance}，同R的survey包）：{parts}如上所述；"
                   "子群体估计保留完整设计。多选题和排序题的百分比以回答该题的受访者为基数；"
                   "缺失回答从不计为“未选”。标*的列样本量低于最小基数，不作检验。",
        "shares_title": "比例之差（百分点）",
        "means_title": "均值之差（占对比值的百分比：量表分、小时、次数、元）",
        "dots_note": "95%置信区间；颜色表示判定",
        "relative_note": "差值除以对比组均值或公布数值；95%置信区间按同一比例换算；颜色表示判定",
        "findings_sheet": "结论检验", "profiles_sheet": "群体特征", "summary_sheet": "结论概要",
        "reliability_sheet": "量表信度", "codebook_sheet": "编码簿",
        "profiles_note": "群体内比例与其余受访者比较；指数 = 100 × 群体比例 / 其余比例；"
                         "基于设计的t检验，全部检验的p值按Benjamini-Hochberg法校正；定义该群体的"
                         "题目不列入",
        "reliability_note": "Cronbach α基于全部题目都作答的受访者（完整作答人数）；量表得分给至少"
                            "答了规定题数（min_answered，默认全部题目）的受访者，其余人无得分、"
                            "计为缺失；反向题已反向计分；低于0.70标出",
        "likert_note": "各题回答的加权比例",
        "heatmap_bar": "与其余受访者之差（百分点）",
        "heatmap_note": "各群体与其余受访者的比例之差（百分点），基于设计的t检验；全部检验按"
                        "Benjamini-Hochberg法校正后显著者加框",
        "chart_marks": "图中字母只指图中画出的列；+/−：该群体显著高于/低于其余受访者。",
    },
    "en": {
        "everyone": "All respondents",
        "sample": "{n} respondents; design: {design}; design df {df}; weighting efficiency "
                  "{efficiency}.",
        "methods": "Estimates are design-based ({variance}, as R's survey package): "
                   "{parts} as described above; domain estimates keep the "
                   "full design. Multi-select and rank questions are percentages of respondents "
                   "who answered the question; missing answers are never counted as 'not "
                   "selected'. Columns marked * have fewer respondents than the minimum base and "
                   "are not tested.",
        "shares_title": "Differences in shares (percentage points)",
        "means_title": "Differences in means (% of what they are compared with: scale points, "
                       "hours, counts, yuan)",
        "dots_note": "95% CI; colour = verdict",
        "relative_note": "difference over the comparison group's mean or the published figure; "
                         "95% CI on the same scale; colour = verdict",
        "findings_sheet": "Findings", "profiles_sheet": "Profiles",
        "summary_sheet": "Findings summary",
        "reliability_sheet": "Reliability", "codebook_sheet": "Codebook",
        "profiles_note": "share in the segment vs the rest; index = 100 x share / rest; "
                         "design-based t, p-values of all tests adjusted with "
                         "Benjamini-Hochberg; questions that define the segment left out",
        "reliability_note": "Cronbach's alpha on the respondents who answered every item "
                            "(complete cases); a scale score for those who answered at least "
                            "its min_answered items (default: all), missing for the others; "
                            "reverse-keyed items reversed; below 0.70 flagged",
        "likert_note": "weighted shares of answers",
        "heatmap_bar": "difference from the rest (points)",
        "heatmap_note": "each segment's share minus the rest's (points), design-based t; "
                        "outlined where significant after Benjamini-Hochberg over all tests",
        "chart_marks": "Letters on the chart name only columns it draws; +/−: the segment is "
                       "significantly above/below the rest of respondents.",
    },
}  # fmt: skip

# How a design is described: its parts, named by the columns that give them.
DESIGN_WORDS: dict[str, dict[str, str]] = {
    "zh": {"weight": "权重", "strata": "分层", "cluster": "整群", "fpc": "有限总体校正",
           "separator": "，", "srs": "简单随机样本，不加权",
           "replicates": "重复权重={columns}（{type}，{count}组）",
           "taylor": "泰勒线性化", "taylor_parts": "权重、分层与整群",
           "replicated": "重复权重法：{type}，{count}组", "replicated_parts": "权重与重复权重"},
    "en": {"weight": "weight", "strata": "strata", "cluster": "cluster", "fpc": "fpc",
           "separator": ", ", "srs": "simple random sample, unweighted",
           "replicates": "replicate weights={columns} ({type}, {count} replicates)",
           "taylor": "Taylor linearisation", "taylor_parts": "weights, strata and clusters",
           "replicated": "replicate weights: {type}, {count} replicates",
           "replicated_parts": "weights and replicate weights"},
}  # fmt: skip

# The notes of a banner: what was not tested or shown, and why.
BANNER_NOTES: dict[str, dict[str, str]] = {
    "zh": {
        "lonely_psu": "{error}；方差按lonely_psu='adjust'计算（同R的survey.lonely.psu='adjust'）",
        "suppressed": "少于{k}人的单元格不显示",
        "few_columns": "“{name}”按“{by}”：不作检验，样本量足够的列少于两列",
        "few_rows": "“{name}”按“{by}”：不作检验，非空的行或列少于两个",
        "one_row": "“{name}”按“{by}”：不作检验，所有受访者都在同一行",
        "nobody": "无人回答“{name}”：表中没有数字",
        "empty_column": "“{by}”的列“{label}”：无人回答“{name}”，该列为空",
        "small_columns": "{k}列样本量低于{min_base}，已标出，不参与任何检验",
        "few_testable": "按“{by}”：样本量达到{min_base}的列少于两列，不作检验",
        "empty_cells": "空列的单元格没有比例（显示为空，JSON中为null）",
    },
    "en": {
        "lonely_psu": "{error}; variances use lonely_psu='adjust' (R: "
                      "survey.lonely.psu='adjust')",
        "suppressed": "cells of fewer than {k} respondents are suppressed",
        "few_columns": "“{name}” by “{by}”: no test, fewer than two columns with a large "
                       "enough base",
        "few_rows": "“{name}” by “{by}”: no test, fewer than two non-empty rows or columns",
        "one_row": "“{name}” by “{by}”: no test, every respondent is in one row",
        "nobody": "nobody answered “{name}”: the banner has no figures",
        "empty_column": "column “{label}” of “{by}”: no respondent answered “{name}”; its figures "
                        "are empty",
        "small_columns": "{k} column(s) with a base under {min_base} are flagged and left out "
                         "of every test",
        "few_testable": "by “{by}”: fewer than two columns with a base of {min_base}; not tested",
        "empty_cells": "cells of empty columns have no proportion (shown as empty, null in JSON)",
    },
}  # fmt: skip

# The notes of findings: why a claim was not tested, what a verdict rests on.
NOTES: dict[str, dict[str, str]] = {
    "zh": {
        "both_groups": "{n}名受访者同属两组，未计入",
        "base_below": "样本量低于{min_base}（{n}对{n_other}）",
        "base_below_one": "样本量低于{min_base}（{n}）",
        "every_option": "该结论列出了全部选项，无从比较",
        "top": "所列选项中最弱的“{weakest}”对比其余选项中最强的“{strongest}”；前{k}名：{top}",
        "trend": "按{by}的线性趋势（{order}）：每组斜率{slope}；各组均值{means}",
        "group_small": "有一组少于{min_base}人（{counts}）",
        "anchor": "对照公布值：{source}",
        "controls": "控制变量：{controls}",
        "design": "{error}",
    },
    "en": {
        "both_groups": "{n} respondents in both groups left out",
        "base_below": "base below {min_base} ({n} vs {n_other})",
        "base_below_one": "base below {min_base} ({n})",
        "every_option": "the claim lists every option",
        "top": "weakest claimed option “{weakest}” vs strongest other “{strongest}”; "
               "top {k}: {top}",
        "trend": "linear trend over {by} ({order}): slope {slope} per group; means {means}",
        "group_small": "a group has fewer than {min_base} ({counts})",
        "anchor": "anchor: {source}",
        "controls": "adjusted for {controls}",
        "design": "{error}",
    },
}  # fmt: skip

# Codes the outputs keep for machines (JSON, CSV) and show people as words: tests, corrections,
# verdicts, measures, directions.
NAMES: dict[str, dict[str, str]] = {
    "zh": {
        "design-column-proportions-t": "基于设计的列比例t检验",
        "adjusted-wald-F": "基于设计的调整Wald F检验", "wald-F": "基于设计的Wald F检验",
        "design-median-t": "基于设计的中位数差t检验（Woodruff线性化）",
        "design-median-t vs published value": "基于设计的中位数t检验（对照公布值）",
        "median": "中位数",
        "design-wald-F": "基于设计的Wald F检验", "rao-scott-F": "Rao-Scott校正F检验",
        "rao-scott-chisq": "Rao-Scott校正卡方检验", "pearson-chisq": "Pearson卡方检验",
        "anova-F": "方差分析F检验", "srs-column-proportions-z": "列比例z检验（简单随机样本）",
        "design-t": "基于设计的t检验",
        "design-t (svyttest)": "基于设计的t检验",
        "design-t vs published value": "基于设计的t检验（对照公布值）",
        "design linear-trend t": "基于设计的线性趋势t检验",
        "design-t (paired options)": "基于设计的t检验（同一受访者的两个选项）",
        "holm": "按Holm法校正", "bh": "按Benjamini-Hochberg法校正",
        "bonferroni": "按Bonferroni法校正", "none": "不作校正",
        "supported": "支持", "not_supported": "不支持", "contradicted": "相反",
        "insufficient_data": "数据不足",
        "share": "比例", "mean": "均值", "ranked_first": "排第一的比例",
        "rest": "其余受访者", "over": "高于其余", "under": "低于其余",
        "true": "是", "false": "否", "design-glm (controls)": "控制变量后的回归系数检验（svyglm）",
    },
    "en": {
        "design-column-proportions-t": "design-based column-proportion t tests",
        "adjusted-wald-F": "design-based adjusted Wald F test",
        "wald-F": "design-based Wald F test",
        "design-median-t": "design-based t test of medians (Woodruff linearisation)",
        "design-median-t vs published value": "design-based t test of a median against a "
                                               "published value",
        "median": "median",
        "design-wald-F": "design-based Wald F test", "rao-scott-F": "Rao-Scott corrected F test",
        "rao-scott-chisq": "Rao-Scott corrected chi-square test",
        "pearson-chisq": "Pearson chi-square test", "anova-F": "ANOVA F test",
        "srs-column-proportions-z": "column-proportion z tests (simple random sample)",
        "design-t": "design-based t test",
        "design-t (svyttest)": "design-based t test",
        "design-t vs published value": "design-based t test against a published value",
        "design linear-trend t": "design-based linear-trend t test",
        "design-t (paired options)": "design-based t test of two options (same respondents)",
        "holm": "Holm correction", "bh": "Benjamini-Hochberg correction",
        "bonferroni": "Bonferroni correction", "none": "no correction",
        "supported": "supported", "not_supported": "not supported",
        "contradicted": "contradicted", "insufficient_data": "insufficient data",
        "share": "share", "mean": "mean", "ranked_first": "share ranked first",
        "rest": "the rest", "over": "above the rest", "under": "below the rest",
        "true": "yes", "false": "no", "design-glm (controls)": "svyglm coefficient with controls",
    },
}  # fmt: skip

# Column headers of the tables people open (findings, profiles, reliability sheets).
HEADERS: dict[str, dict[str, str]] = {
    "zh": {
        "id": "编号", "measure": "指标", "statement": "检验的结论", "segment": "群体",
        "finding": "研究发现", "operationalisation": "工具的操作化（非报告原话）",
        "claims": "结论数", "supported": "支持", "contradicted": "相反", "not_supported": "不支持",
        "insufficient_data": "数据不足", "strongest": "最强的差异", "weakest": "最弱的差异",
        "operationalised": "操作化的结论",
        "segment_label": "群体", "comparison_group": "对照组", "estimate": "估计值",
        "comparison": "对照值", "difference": "差值", "ci_low": "95%置信区间下限",
        "ci_high": "95%置信区间上限", "p": "p值", "p_adjusted": "校正p值", "n": "样本量",
        "n_comparison": "对照组样本量", "min_difference": "最小差异", "verdict": "判定",
        "test": "检验", "adjusted_coefficient": "控制变量后的系数",
        "adjusted_p": "控制变量后的p值", "adjusted_n": "控制变量模型的样本量",
        "slope": "趋势斜率（每组）", "narrative": "解读",
        "note": "说明",
        "question": "题目", "option": "选项代码", "option_label": "选项", "share": "群体比例",
        "rest_share": "其余受访者比例", "index": "指数", "n_rest": "其余样本量",
        "significant": "显著（校正后）", "direction": "方向", "question_label": "题目",
        "scale": "量表", "items": "题数",
        "cronbach_alpha": "Cronbach α", "below_0.70": "低于0.70", "item_rest": "题项-其余相关",
        "min_answered": "计分所需题数", "n_scored": "有得分人数", "n_complete": "完整作答人数（α）",
        "variable": "变量", "number": "题号", "label": "标签", "type": "题型", "values": "取值",
        "relevant": "显示条件", "skip_rule": "跳题规则", "constraint": "取值限制",
        "missing": "缺失代码", "formula": "计算公式",
    },
    "en": {
        "id": "id", "measure": "measure", "statement": "claim as tested",
        "finding": "finding", "operationalisation": "toolkit's operationalisation",
        "claims": "claims", "supported": "supported", "contradicted": "contradicted",
        "not_supported": "not supported", "insufficient_data": "insufficient data",
        "strongest": "strongest difference", "weakest": "weakest difference",
        "operationalised": "operationalised claims",
        "segment": "segment", "segment_label": "segment", "comparison_group": "compared with",
        "estimate": "estimate", "comparison": "comparison", "difference": "difference",
        "ci_low": "95% CI low", "ci_high": "95% CI high", "p": "p", "p_adjusted": "p adjusted",
        "n": "n", "n_comparison": "n compared", "min_difference": "minimum difference",
        "verdict": "verdict", "test": "test", "adjusted_coefficient": "coefficient with controls",
        "adjusted_p": "p with controls", "adjusted_n": "n of the model with controls",
        "slope": "trend slope (per group)",
        "narrative": "reading", "note": "note",
        "question": "question", "option": "option code", "option_label": "option",
        "share": "share in segment", "rest_share": "share of the rest", "index": "index",
        "n_rest": "n of the rest", "significant": "significant (adjusted)",
        "direction": "direction", "question_label": "question",
        "scale": "scale", "items": "items", "cronbach_alpha": "Cronbach's alpha",
        "below_0.70": "below 0.70", "item_rest": "item-rest correlations",
        "min_answered": "items needed for a score", "n_scored": "respondents with a score",
        "n_complete": "complete cases (alpha)",
        "variable": "variable", "number": "number", "label": "label", "type": "type",
        "values": "values", "relevant": "shown when", "skip_rule": "skip rule",
        "constraint": "constraint", "missing": "missing codes", "formula": "formula",
    },
}  # fmt: skip


def name_of(code: object, lang: str | None) -> str:
    """How people read one of the outputs' codes (a test, correction, verdict, measure) in
    `lang`; a code the catalogue does not know is shown as it is."""
    from survey.messages import words

    return words(NAMES, lang).get(str(code), str(code))
