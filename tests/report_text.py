"""The visible text of a report folder (the HTML page, both workbooks, the charts' SVG text), to
check that a report in one language shows nothing in the other."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from openpyxl import load_workbook

# Words that are the same in both reports: names of people and methods, units, the ids users gave
# (claims, variables, segments in the design line), and what the questionnaire's labels hold.
ALLOWED = re.compile(r"^(?:F\d+(?:-[a-z-]+)?|Rao-Scott|Wald|Holm|Benjamini-Hochberg|Bonferroni|"
                     r"Cronbach|Taylor|Woodruff|svyttest|svyglm|svyquantile|survey|App|[A-Z]{1,4}|[a-z_]+=\S+|n|p|t|F|r|"
                     r"α|df)$")


EXPRESSION_WORDS = {"and", "or", "not", "in", "selected", "count_selected", "is_missing"}


def user_words(questionnaire) -> set[str]:
    """The names a questionnaire gives (variables, segments, scales, codes): shown as written."""
    return (set(questionnaire.items) | set(questionnaire.segments)
            | {s.name for s in questionnaire.scales} | {d.name for d in questionnaire.derived}
            | {str(c) for item in questionnaire.items.values() for c in item.codes}
            | {questionnaire.survey.id}
            | {v for v in questionnaire.design.model_dump().values() if isinstance(v, str)})


class _Visible(HTMLParser):
    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style")

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.texts.append(data.strip())


def visible_texts(folder: Path) -> dict[str, list[str]]:
    """{where: texts} for report.html, each workbook sheet and each chart."""
    found: dict[str, list[str]] = {}
    page = _Visible()
    page.feed((folder / "report.html").read_text(encoding="utf-8"))
    found["report.html"] = page.texts
    for book in ("banner.xlsx", "findings.xlsx"):
        workbook = load_workbook(folder / book, read_only=True)
        for sheet in workbook.worksheets:
            cells = [v for row in sheet.iter_rows(values_only=True) for v in row
                     if isinstance(v, str)]
            found[f"{book}:{sheet.title}"] = [sheet.title, *cells]
        workbook.close()
    for chart in sorted((folder / "charts").glob("*.svg")):
        found[f"charts/{chart.name}"] = re.findall(r"<!-- (.*?) -->",
                                                   chart.read_text(encoding="utf-8"))
    return found


def english_words(text: str, exempt: set[str]) -> list[str]:
    """Latin words of three letters or more that are neither allowed nor the user's own: a
    name with '_' or a digit (a variable, an option code, a claim id) is the user's."""
    words = re.findall(r"[A-Za-z][A-Za-z0-9_.-]*[A-Za-z0-9]", text)
    return [w for w in words if len(w) >= 3 and not ALLOWED.match(w) and w not in exempt
            and not re.search(r"[_0-9]", w) and w not in EXPRESSION_WORDS]


def chinese(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))
