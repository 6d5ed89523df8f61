"""The page is rendered once, before its charts are drawn: the draft's markers take the charts
and the font afterwards, in order, and nothing a questionnaire says can pass for a marker."""

from __future__ import annotations

import base64
import re

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
