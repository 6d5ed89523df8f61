"""The wording of the forms in both languages: the codebook, the web form's interface, and what
a Wenjuanxing import text cannot carry. Placeholders in braces are filled by the form writers."""

from __future__ import annotations

CODEBOOK: dict[str, dict[str, str]] = {
    "zh": {
        "single": "单选（分类）", "scale": "量表（有序分类）", "multi": "多选项（0/1）",
        "rank": "排序项（名次）", "number": "数值", "integer": "整数", "text": "文本",
        "date": "日期", "other": "“其他”的注明文字", "derived": "派生变量",
        "selected": "1 = 选中；0 = 未选", "ranked": "1–{n} = 名次；0 = 未选入排序",
        "range": "{low}–{high}", "min": "≥ {low}", "max": "≤ {high}",
        "max_choices": "最多选{n}项", "min_choices": "至少选{n}项",
        "exclusive": "{option}不能与其他选项同选", "max_length": "不超过{n}个字",
        "dont_know": "{code} = {label}（不知道，按缺失处理）", "skipped": "跳过（逻辑）",
        "ordered": "有序", "reverse": "反向计分", "title": "编码手册", "variables": "变量",
        "missing_note": "缺失值分为：跳过（题目不适用）、未显示、空答、不知道（见“缺失”列）；"
                        "多选、排序题未作答时整组为缺失，不按“未选”计。",
    },
    "en": {
        "single": "single choice (categorical)", "scale": "scale (ordered categorical)",
        "multi": "multi-select option (0/1)", "rank": "rank option (position)",
        "number": "number", "integer": "integer", "text": "text", "date": "date",
        "other": "“other” free text", "derived": "derived",
        "selected": "1 = selected; 0 = not selected",
        "ranked": "1–{n} = rank position; 0 = not ranked",
        "range": "{low}–{high}", "min": "≥ {low}", "max": "≤ {high}",
        "max_choices": "at most {n} options", "min_choices": "at least {n} options",
        "exclusive": "{option} cannot be combined with others",
        "max_length": "at most {n} characters", "reverse": "reverse-keyed",
        "dont_know": "{code} = {label} (don't know, treated as missing)",
        "skipped": "skipped by logic", "ordered": "ordered", "title": "Codebook",
        "variables": "Variables",
        "missing_note": "Missing answers are kept apart: skipped by logic, not shown, left empty "
                        "and don't know (column “missing”). An unanswered multi-select or rank "
                        "question is missing in every column of its block, never “not selected”.",
    },
}  # fmt: skip

WEB_FORM: dict[str, dict[str, str]] = {
    "zh": {
        "language": "语言", "submit": "提交", "save": "保存答案文件", "new": "开始新的问卷",
        "required_mark": "必答", "choose_rank": "—",
        "rank_hint": "为选中的项目选择名次（1 = 最重要）。",
        "specify": "请注明", "sending": "正在提交……",
        "required": "请回答此题。", "number": "请输入数字。", "integer": "请输入整数。",
        "range": "请输入 {min} 到 {max} 之间的数。", "min": "请输入不小于 {min} 的数。",
        "max": "请输入不大于 {max} 的数。", "date": "请按 年-月-日 输入日期。",
        "date_range": "日期应在 {min} 到 {max} 之间。", "date_min": "日期不能早于 {min}。",
        "date_max": "日期不能晚于 {max}。", "too_many": "最多选择 {n} 项。",
        "too_few": "至少选择 {n} 项。", "exclusive": "此选项不能与其他选项同时选择。",
        "rank_gap": "请按 1、2、3…… 的顺序排名，不要跳号。", "too_long": "最多 {n} 个字。",
        "constraint": "答案不符合要求，请检查。", "fix": "有 {n} 道题需要检查，请查看标红的提示。",
        "sent": "提交成功，谢谢您的参与！", "failed": "提交失败（网络或服务器问题）。请稍后再试，"
        "或点“保存答案文件”保存到本机。", "saved": "答案已保存为文件。",
        "refused": "服务器未接受这份答卷：", "max_hint": "最多选择 {n} 项",
    },
    "en": {
        "language": "Language", "submit": "Submit", "save": "Save answers as a file",
        "new": "Start a new response", "required_mark": "required", "choose_rank": "—",
        "rank_hint": "Give each option you choose a position (1 = most important).",
        "specify": "Please specify", "sending": "Sending…",
        "required": "Please answer this question.", "number": "Please enter a number.",
        "integer": "Please enter a whole number.", "range": "Please enter a number from {min} "
        "to {max}.", "min": "Please enter a number of at least {min}.",
        "max": "Please enter a number of at most {max}.", "date": "Please enter a date.",
        "date_range": "The date must be from {min} to {max}.",
        "date_min": "The date cannot be before {min}.", "date_max": "The date cannot be after "
        "{max}.", "too_many": "Choose at most {n}.", "too_few": "Choose at least {n}.",
        "exclusive": "This option cannot be combined with others.",
        "rank_gap": "Number your choices 1, 2, 3… without gaps.",
        "too_long": "At most {n} characters.", "constraint": "This answer is not valid; please "
        "check it.", "fix": "{n} question(s) need attention: see the messages in red.",
        "sent": "Thank you! Your answers have been submitted.", "failed": "Sending failed "
        "(network or server). Try again later, or use “Save answers as a file”.",
        "saved": "Your answers were saved as a file.",
        "refused": "The server did not accept these answers:", "max_hint": "Choose at most {n}",
    },
}  # fmt: skip

WJX_LOSSES: dict[str, dict[str, str]] = {
    "zh": {
        "relevant": "跳题逻辑未导入（{detail}），请在问卷星“逻辑设置”中手工设置",
        "constraint": "答案校验未导入（{detail}）",
        "max_choices": "选项数量限制未导入（最多选{n}项）",
        "min_choices": "选项数量限制未导入（至少选{n}项）",
        "exclusive": "互斥选项未导入（{option}不能与其他选项同选）",
        "rank_limit": "问卷星要求对全部选项排序；只有前{n}名计入分析",
        "number": "数值校验未导入（{detail}）；问卷星填空题接受任何文字",
        "date": "日期格式与范围未导入（{detail}）；问卷星填空题接受任何文字",
        "max_length": "字数限制未导入（不超过{n}个字）",
        "other": "“{option}”的注明填空框未导入，请在问卷星中为该选项打开“允许填空”",
        "scale_labels": "量表选项文字未导入，问卷星显示{low}~{high}（{labels}）",
        "dont_know": "“{option}”（代码{code}）不在量表中，未导入",
        "not_scale": "选项编码不是连续整数，改用单选题",
        "codes": "选项编码未导入：问卷星按位置编号1–{n}（本题编码为 {codes}）",
        "letter": "选项“{text}”以单个字母加空格开头，问卷星会把字母当作序号删去",
    },
    "en": {
        "relevant": "skip logic not imported ({detail}); set it in wjx's logic settings",
        "constraint": "validation not imported ({detail})",
        "max_choices": "choice limit not imported (at most {n})",
        "min_choices": "choice limit not imported (at least {n})",
        "exclusive": "exclusive option not imported ({option} cannot be combined with others)",
        "rank_limit": "wjx ranks every option; only the first {n} count in analysis",
        "number": "number check not imported ({detail}); a wjx fill-in accepts any text",
        "date": "date format and range not imported ({detail}); a wjx fill-in accepts any text",
        "max_length": "length limit not imported (at most {n} characters)",
        "other": "the free-text box of “{option}” is not imported; enable it for that option "
                 "in wjx",
        "scale_labels": "scale option labels not imported; wjx shows {low}~{high} ({labels})",
        "dont_know": "“{option}” (code {code}) is not part of the scale and was left out",
        "not_scale": "option codes are not consecutive integers, written as a single choice",
        "codes": "option codes not imported: wjx numbers options 1–{n} by position "
                 "(codes here: {codes})",
        "letter": "option “{text}” starts with a single letter and a space, which wjx strips "
                  "as a list letter",
    },
}  # fmt: skip

XLSFORM: dict[str, dict[str, str]] = {
    "zh": {"list_separator": "；", "rank_order": "请将所选的项目按重要程度排序",
           "specify": "{option}：",
           "range": "请填写{low}到{high}之间的数",
           "min": "不能小于{low}",
           "max": "不能大于{high}",
           "date_min": "日期不能早于{low}",
           "date_max": "日期不能晚于{high}",
           "max_choices": "最多选{high}项",
           "min_choices": "至少选{low}项",
           "exclusive": "“{option}”不能与其他选项同时选择",
           "max_length": "最多{high}个字",
           "invalid": "回答不符合要求",
           },
    "en": {"list_separator": "; ",
           "rank_order": "Put the options you chose in order, the most important first",
           "specify": "{option}:",
           "range": "Enter a number from {low} to {high}",
           "min": "Must be at least {low}",
           "max": "Must be at most {high}",
           "date_min": "The date cannot be before {low}",
           "date_max": "The date cannot be after {high}",
           "max_choices": "Choose at most {high}",
           "min_choices": "Choose at least {low}",
           "exclusive": "“{option}” cannot be combined with other options",
           "max_length": "At most {high} characters",
           "invalid": "This answer is not allowed",
           },
}

PAPER: dict[str, dict[str, str]] = {
    "zh": {
        "instructions": "填写说明：请在所选答案前的方框内打“✓”。方框旁的数字或字母是选项编码，"
                        "供数据录入使用。没有特别说明的题目只选一项。",
        "respondent": "问卷编号",
        "single": "单选",
        "multi": "可多选",
        "max": "最多选{n}项",
        "min": "至少选{n}项",
        "rank": "请在所选项前的方框内填写名次（1 = 最重要），最多选{n}项",
        "exclusive": "选了{option}就不要再选其他项",
        "number": "请填写数字",
        "decimal": "可以有小数",
        "range": "（{low}–{high}）",
        "date": "____年____月____日",
        "specify": "请注明",
        "max_length": "不超过{n}个字",
        "version": "问卷 {id}，版本 {version}",
        "end": "问卷到此结束，谢谢您的参与！",
        "specify_suffix": "（{specify}）",
        "limits_separator": "，",
    },
    "en": {
        "instructions": "Tick the box in front of your answer. The number or word beside each "
                        "box is the option's code, for data entry. Choose one answer unless "
                        "told otherwise.",
        "respondent": "Questionnaire no.",
        "single": "choose one",
        "multi": "choose all that apply",
        "max": "choose at most {n}",
        "min": "choose at least {n}",
        "rank": "write the rank (1 = most important) in the boxes of up to {n} options",
        "exclusive": "if you choose {option}, choose nothing else",
        "number": "Write a number",
        "decimal": "decimals allowed",
        "range": " ({low}–{high})",
        "date": "____-____-____ (year-month-day)",
        "specify": "please specify",
        "max_length": "at most {n} characters",
        "version": "Questionnaire {id}, version {version}",
        "end": "Thank you for taking part!",
        "specify_suffix": " ({specify})",
        "limits_separator": "; ",
    },
}  # fmt: skip
