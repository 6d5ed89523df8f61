"""The page is rendered once, before its charts are drawn: the draft's markers take the charts
and the font afterwards, in order, and nothing a questionnaire says can pass for a marker."""

from __future__ import annotations

import base64
import dataclasses
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.report.fonts import font_face
from analysis.report.html import (
    STAND_IN,
    QuestionBlock,
    ReportContent,
    draft_report,
    render_report,
)


def _content(charts: tuple[bytes | None, ...]):
    bases = pd.DataFrame({"label": ["全部受访者"], "n": [20], "weighted_n": [20.0],
                          "effective_n": [18.5], "share": [1.0], "small": [False]})
    table = pd.DataFrame({"选项": ["工资", "医疗"], "合计": ["40.0%", "60.0%"]})
    # a label that looks like a marker of some other draft stays as it is
    blocks = tuple(QuestionBlock(f"q{k}", title, table, "列百分比", chart)
                   for k, (title, chart) in enumerate(zip(
                       ["最关心的问题", "worker-survey-0123456789abcdef0123456789abcdef-0",
                        "工作时间"],
                       charts, strict=True)))
    return ReportContent("职工需求调查", "n = 20", "zh", "样本", bases, (), ("方法",), blocks)


def _images(page: str) -> list[bytes]:
    return [base64.b64decode(data) for data in re.findall(r"base64,([A-Za-z0-9+/=]+)\"", page)]


def test_the_draft_takes_its_charts_and_font_in_order():
    draft = draft_report(_content((STAND_IN, None, STAND_IN)))
    assert "最关心的问题" in draft.text and draft.text.count("base64,") == 2
    font = font_face(draft.text)
    assert font.startswith("@font-face")
    page = draft.fill(_content((b"first", None, b"second")), font)
    assert _images(page) == [b"first", b"second"]
    assert draft.marker not in page and font in page
    assert "worker-survey-0123456789abcdef0123456789abcdef-0" in page
    assert page == render_report(_content((b"first", None, b"second")))


def test_a_draft_refuses_other_charts_than_it_marked():
    draft = draft_report(_content((STAND_IN, STAND_IN, None)))
    with pytest.raises(ValueError, match="2 charts, 1 were given"):
        draft.fill(_content((b"one", None, None)), "")


def test_a_table_is_escaped_and_empty_where_missing():
    """What pandas' to_html gave, read back by an HTML parser: the same cells, escaped, empty
    where a value is missing."""
    from html.parser import HTMLParser

    from analysis.report.html import table_html

    frame = pd.DataFrame({"": ["<script>x</script>", "不清楚 & 其他"],
                          "合计 (A)": ["40.0% B", None], "n": [12.0, float("nan")]})

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.rows, self.inside = [], False

        def handle_starttag(self, tag, attrs):
            if tag == "tr":
                self.rows.append([])
            elif tag in ("td", "th"):
                self.rows[-1].append("")
                self.inside = True

        def handle_endtag(self, tag):
            self.inside = self.inside and tag not in ("td", "th")

        def handle_data(self, data):
            if self.inside:
                self.rows[-1][-1] += data

    parsed = Cells()
    parsed.feed(table_html(frame, "banner"))
    assert parsed.rows == [["", "合计 (A)", "n"], ["<script>x</script>", "40.0% B", "12.0"],
                           ["不清楚 & 其他", "", ""]]
    assert "<script>" not in table_html(frame, "banner")


CHROMIUM = Path("/usr/bin/chromium")  # Debian's, as tests/test_report.py uses
SEGMENTS = ["国有企业职工", "小微企业职工", "大中型企业职工", "农民工", "非农民工", "外出农民工",
            "新就业形态劳动者", "技能人才", "管理人员和班组长", "青年职工（80后、90后、00后）",
            "60后", "70后", "80后", "90后", "00后"]
ROWS = ["样本量", "加权样本量", "有效样本量", "小学及以下", "高中/中专/技校/职高", "大学本科及以上"]


def test_a_banner_of_sixteen_columns_fits_the_page_with_its_labels_whole(tmp_path):
    """The README's report puts a total and 15 segments beside each row label: in Chromium the
    table stays within the page, and a label of up to seven characters keeps to one line (it
    was squeezed to a character a line, 样/本/量)."""
    playwright = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed")
    columns = {"": ROWS, "合计": ["2000", "2,000.0", "1,741.4", "13.7%", "17.9%", "5.8%"]}
    for k, name in enumerate(SEGMENTS):
        columns[f"{name} ({chr(65 + k)})"] = ["1291", "1,087.6", "1,130.5", "14.8%", "18.3%",
                                               "6.2%"]
    block = QuestionBlock("education", "文化程度", pd.DataFrame(columns), "列百分比", None)
    content = _content((None, None, None))
    page = tmp_path / "page.html"
    page.write_text(render_report(dataclasses.replace(content, questions=(block,))),
                    encoding="utf-8")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        view = browser.new_page(viewport={"width": 1400, "height": 900})
        view.goto(page.as_uri())
        width = view.eval_on_selector("table.banner", "t => t.getBoundingClientRect().width")
        room = view.eval_on_selector("body", "b => b.clientWidth - 2 * parseFloat("
                                     "getComputedStyle(b).paddingLeft)")
        lines = view.eval_on_selector_all("table.banner tr td:first-child", """cells =>
            cells.map(c => { const s = getComputedStyle(c);
                return [c.textContent, (c.getBoundingClientRect().height - parseFloat(
                    s.paddingTop) - parseFloat(s.paddingBottom)) / parseFloat(s.lineHeight)];
            })""")
        browser.close()
    assert width <= room + 0.5
    assert [label for label, _ in lines] == ROWS
    assert all(round(n) == 1 for label, n in lines if len(label) <= 7), lines
