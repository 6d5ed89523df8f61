"""Paper form, codebook and Wenjuanxing text: content, Chinese labels, escaping, losses."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from survey.forms.codebook import codebook_csv, codebook_markdown, codebook_rows, write_codebook
from survey.forms.paper import paper_html
from survey.forms.wjx import PAGE_BREAK, wjx_text
from survey.forms.wording import Wording
from survey.questionnaire.loader import load_questionnaire, parse_questionnaire

ROOT = Path(__file__).parent.parent
SMALL = ROOT / "tests/fixtures/questionnaires/small.yaml"
REFERENCE = ROOT / "questionnaires/industrial_workers.yaml"
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def reference():
    return load_questionnaire(REFERENCE)


@pytest.fixture(scope="module")
def small():
    return load_questionnaire(SMALL)


@pytest.fixture(scope="module")
def hostile():
    text = SMALL.read_text(encoding="utf-8").replace("单位性质", SCRIPT).replace("私营", "A&B|<b>")
    return parse_questionnaire(text)


# Conditions in words


def test_conditions_read_as_sentences(reference) -> None:
    zh, en = Wording(reference, "zh"), Wording(reference, "en")
    assert zh.only_if("union_member == 1") == "只在第41题选1「是」时回答"
    assert en.only_if("union_member == 1") == "Answer only if Q41 = 1 (Yes)"
    assert zh.condition("hukou_type != 6") == "第4题已回答且未选6「没有户口」"
    assert zh.condition("job_changes_3y > 0") == "第28题大于0"
    assert zh.condition("migrant") == "属于「农民工」"
    assert "第4题选1「农业户口」或3" in zh.condition("hukou_type in [1, 3] and nonfarm_6m == 1")


# Paper


def test_paper_has_codes_skip_rules_and_page_breaks(reference) -> None:
    html = paper_html(reference)
    assert html.startswith("<!DOCTYPE html>") and "@page { size: A4" in html
    assert "break-before: page" in html
    assert html.count('<div class="section">') == 8  # sections A-H
    assert "产业工人需求调查问卷" in html and "您的性别" in html
    assert '<span class="code">1</span>男' in html
    assert "只在第41题选1「是」时回答" in html
    assert "跳到第43题" in html and "跳到第45题" in html  # union_member: 2 -> 43, 3 -> 45
    assert "最多选3项" in html and "请注明" in html
    assert "http" not in html.replace("http-equiv", "")  # self-contained: no links


def test_paper_in_english(reference) -> None:
    html = paper_html(reference, "en")
    assert "Answer only if Q41 = 1 (Yes)" in html and '<html lang="en">' in html


def test_paper_escapes_labels(hostile) -> None:
    html = paper_html(hostile)
    assert SCRIPT not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>" not in html and "A&amp;B|&lt;b&gt;" in html


# Codebook


def test_codebook_follows_the_dataset_layout(small) -> None:
    rows = {row.variable: row for row in codebook_rows(small)}
    assert list(rows)[:4] == ["birth_year", "workplace", "workplace__6_text", "concerns__income"]
    assert {"identity_1", "insurance__none", "age", "cohort"} <= set(rows)
    assert "identity" not in rows and "intro" not in rows
    assert rows["workplace"].values == "1 = 国有；3 = 私营；6 = 其他"
    assert rows["pension_worry"].relevant == "not selected(insurance, 'pension')"
    assert rows["pension_worry"].skip_rule == "只在第4题没有选pension「养老保险」时回答"
    assert rows["insurance__pension"].constraint == "none「都没有」不能与其他选项同选"
    assert rows["concerns__income"].values == "1–3 = 名次；0 = 未选入排序"
    assert rows["identity_3"].type.endswith("(反向计分)")
    assert rows["birth_year"].constraint == "1950–2010；整数"


def test_codebook_missing_codes(reference) -> None:
    rows = {row.variable: row for row in codebook_rows(reference, "en")}
    assert rows["pay_relative"].missing == "9 = Don't know (don't know, treated as missing)"
    assert "skipped by logic" in rows["union_how"].missing


def test_codebook_markdown_and_csv(small, tmp_path: Path) -> None:
    markdown = codebook_markdown(small)
    assert markdown.startswith("# 小问卷 — 编码手册")
    assert "| `workplace` | 2 | workplace | 单位性质 |" in markdown
    table = list(csv.DictReader(io.StringIO(codebook_csv(small, "en"))))
    assert table[1]["label"] == "Workplace ownership"
    paths = write_codebook(small, tmp_path / "codebook.md")
    assert [p.name for p in paths] == ["codebook.md", "codebook.csv"]
    assert paths[1].read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads Chinese


def test_codebook_escapes_table_cells(hostile) -> None:
    line = next(x for x in codebook_markdown(hostile).splitlines() if "`workplace`" in x)
    assert "A&B\\|<b>" in line and line.count(" | ") == 10


# Wenjuanxing


Q_LINE = re.compile(r"^(\d+)\.\s*(.+?)\s*(\[([^\]]+)\])(\s*（选填）)?\s*$")  # wjx's own parser


def test_wjx_text_follows_the_dsl(small) -> None:
    text = wjx_text(small).text
    blocks = text.split("\n\n")
    assert blocks[0] == "小问卷"
    assert blocks[1] == "1. 本问卷匿名。[段落说明]"
    assert blocks[2] == "2. 出生年份[填空题]"
    assert blocks[3] == "3. 单位性质[单选题]（选填）\n国有\n私营\n其他"
    assert blocks[4].startswith("4. 最关心的问题[排序题]（选填）\n工资收入")
    assert blocks[5].startswith("5. 参加的保险[多选题]（选填）")
    assert blocks[6] == "6. 担心养老[量表题]（选填）\n1~5"
    assert blocks[7].startswith("7. 职业认同[矩阵量表题]（选填）\n行：\n- 我为我的职业自豪\n")
    assert "列：\n- 非常不同意" in blocks[7]


def test_wjx_every_block_parses_as_a_question(reference) -> None:
    text = wjx_text(reference).text
    lines = text.splitlines()
    assert lines[0] == "产业工人需求调查问卷"
    heads = [block.split("\n")[0] for block in text.split("\n\n")[2:] if block != PAGE_BREAK]
    assert all(Q_LINE.match(head) for head in heads), [h for h in heads if not Q_LINE.match(h)]
    numbers = [int(Q_LINE.match(h).group(1)) for h in heads]
    assert numbers == list(range(1, len(numbers) + 1))
    assert text.count(PAGE_BREAK) == 7
    assert all("[" not in line for line in lines if not Q_LINE.match(line))


def test_wjx_losses_say_what_is_lost_per_question(reference) -> None:
    losses = wjx_text(reference).losses
    kinds = {(loss.name, loss.code) for loss in losses}
    assert ("hukou_location", "relevant") in kinds
    assert ("expense_pressure", "max_choices") in kinds
    assert ("expense_pressure", "exclusive") in kinds
    assert ("birth_year", "number") in kinds
    assert ("concerns", "rank_limit") in kinds
    assert ("satisfaction_grid", "dont_know") in kinds
    union_how = next(x for x in losses if x.name == "union_how" and x.code == "relevant")
    assert "只在第" in union_how.message and "选1「是」时回答" in union_how.message
    assert str(union_how).startswith(f"{union_how.number}. union_how: ")


def test_wjx_keeps_markup_as_text(hostile) -> None:
    text = wjx_text(hostile).text
    assert "3. <script>alert(1)</script>[单选题]（选填）" in text  # plain text, never HTML
