"""`survey report` on the bundled sample: every file written, the workbook opens in LibreOffice,
the HTML renders in a real Chromium without console errors, and a second run is identical.

The report is built once per test run (the `report` fixture in conftest.py) and only read here;
under `-n` the tests that only read it are in one xdist group, so that one worker builds it first.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import invoke
from openpyxl import load_workbook

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data_samples" / "industrial_workers.sav"
QUESTIONNAIRE = ROOT / "questionnaires" / "industrial_workers.yaml"
CLAIMS = ROOT / "questionnaires" / "industrial_workers.claims.yaml"
SHOTS = ROOT / "tests" / "output" / "report"
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHARED = pytest.mark.xdist_group("report")  # the tests that only read the one report
LONG = pytest.mark.long  # a report build of its own: scheduled first (conftest.py)


@SHARED
def test_every_output_is_written(report):
    names = {p.name for p in report.iterdir()}
    assert {"report.html", "banner.xlsx", "findings.csv", "findings.xlsx", "charts"} <= names
    charts = {p.name for p in (report / "charts").iterdir()}
    assert {"concerns.png", "concerns.svg", "findings_shares.png", "findings_means.png",
            "identity_grid.png"} <= charts
    assert {p.stem for p in (report / "charts").glob("*.svg")} == \
           {p.stem for p in (report / "charts").glob("*.png")}  # --svg: every chart twice
    assert not [p for p in report.parent.iterdir() if p.name.startswith(".report")]


@SHARED
def test_workbook_layout(report):
    book = load_workbook(report / "banner.xlsx")
    assert book.sheetnames[0] == "目录"
    assert "concerns" in book.sheetnames and "结论检验" in book.sheetnames
    sheet = book["concerns"]
    assert sheet.freeze_panes == "B4"
    shares = [c for row in sheet.iter_rows(min_row=7) for c in row
              if isinstance(c.value, float) and c.number_format == "0.0%"]
    assert shares and all(0 <= c.value <= 1 for c in shares)
    footnote = [r[0].value for r in sheet.iter_rows() if r[0].value and "α" in str(r[0].value)]
    assert footnote, "the sheet names its test, alpha and correction"


@SHARED
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_workbook_opens_in_libreoffice(report, tmp_path):
    result = subprocess.run(["soffice", "--headless", "--norestore", "--convert-to", "pdf",
                             "--outdir", str(tmp_path), str(report / "banner.xlsx")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "banner.pdf"
    assert pdf.exists() and pdf.stat().st_size > 10_000


@SHARED
def test_findings_on_the_sample(report):
    table = pd.read_csv(report / "findings.csv", encoding="utf-8-sig")
    verdicts = dict(zip(table["id"], table["verdict"], strict=True))
    assert verdicts.pop("F3-safety") == "not_supported"
    assert verdicts.pop("F8-wechat") == "not_supported"  # not planted: data_samples/README.md
    assert set(verdicts.values()) == {"supported"}


@SHARED
def test_html_is_self_contained_and_renders(report):
    html = (report / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html
    assert "http://" not in html and "https://" not in html
    assert "国有企业职工选择“职业成长与发展”的比例为" in html
    assert not re.search(r"worker-survey-[0-9a-f]{32}-", html)  # every draft marker filled
    assert "@font-face" in html
    playwright = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto((report / "report.html").as_uri())
        page.wait_for_load_state("load")
        images = page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
        page.screenshot(path=str(SHOTS / "report.png"), full_page=False)
        browser.close()
    assert not errors
    assert images and all(width > 0 for width in images)
    assert all(url.startswith(("file:", "data:")) for url in requests)


@LONG
def test_second_run_gives_identical_tables(build_report, request, tmp_path):
    again = tmp_path / "again"
    assert build_report(again).exit_code == 0  # without --svg: the charts as PNG alone
    pngs = {p.stem for p in (again / "charts").glob("*.png")}
    assert len(pngs) > 30 and not list((again / "charts").glob("*.svg"))
    # the first run only now: under xdist another worker may be building it meanwhile
    report = request.getfixturevalue("report")
    for name in ("findings.csv",):
        assert (again / name).read_bytes() == (report / name).read_bytes()
    first, second = load_workbook(report / "banner.xlsx"), load_workbook(again / "banner.xlsx")
    for name in first.sheetnames:
        assert [[c.value for c in r] for r in first[name].iter_rows()] == \
               [[c.value for c in r] for r in second[name].iter_rows()], name


def test_bad_by_column_exits_two(tmp_path):
    result = invoke("report", SAMPLE, "-q", QUESTIONNAIRE, "-o", tmp_path / "r", "--by",
                    "state_ownd", "--quiet")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr and "state_ownd" in result.stderr
    assert not (tmp_path / "r").exists()


@LONG
@pytest.mark.filterwarnings("error::UserWarning")  # missing glyphs, labels that do not fit
def test_english_report_uses_english_labels(tmp_path):
    from analysis.design.choice import choose_design
    from analysis.findings.claims import load_claims
    from analysis.report.build import make_report
    from survey.questionnaire.loader import load_questionnaire
    from survey.simulation.effects import load_effects
    from survey.simulation.generate import simulate

    q = load_questionnaire(QUESTIONNAIRE)
    effects = load_effects(ROOT / "questionnaires" / "industrial_workers.effects.yaml", q)
    responses = simulate(q, 600, seed=3, effects=effects)
    steps: list[str] = []
    written = make_report(responses, choose_design(responses), tmp_path / "en",
                          claims=load_claims(CLAIMS, q)[:3], by=["state_owned", "migrant"],
                          lang="en", chart_formats=("png", "svg"),
                          progress=lambda step, done, total: steps.append(step))
    html = (tmp_path / "en" / "report.html").read_text(encoding="utf-8")
    assert "Industrial Worker Needs Survey" in html and "SOE workers" in html
    assert "国有企业职工" not in html
    assert "<th>Total</th>" in html or "Total" in html
    assert {"banner tables and charts", "findings", "workbook", "html report"} <= set(steps)
    assert written.banners > 50 and written.claims == 3
    book = load_workbook(tmp_path / "en" / "banner.xlsx")
    assert book.sheetnames[0] == "Contents" and "Findings" in book.sheetnames
    from report_text import chinese, visible_texts

    shown = {f"{where}: {text[:60]!r}" for where, texts in visible_texts(tmp_path / "en").items()
             for text in texts if chinese(text)}
    assert not shown, sorted(shown)[:20]


@SHARED
def test_a_chinese_report_shows_no_english(report):
    """Every sentence, header, legend and footnote of the zh report comes from the catalogue in
    Chinese; what stays Latin is the user's own names, ids and method names (report_text.py)."""
    from report_text import english_words, user_words, visible_texts

    from survey.questionnaire.loader import load_questionnaire

    exempt = user_words(load_questionnaire(QUESTIONNAIRE))
    found = {f"{where}: {word} (in {text[:60]!r})"
             for where, texts in visible_texts(report).items() for text in texts
             for word in english_words(text, exempt)}
    assert not found, sorted(found)[:20]


@SHARED
def test_means_carry_their_letters_and_each_sheet_lists_its_tests(report):
    """A scale's sheet prints the letters of its means, as the terminal does, and its overall
    tests (statistic, df, p) under the table; the footnote names the means' test too."""
    from analysis.banner.build import banner
    from analysis.design.choice import choose_design
    from survey.readers import read_responses

    book = load_workbook(report / "banner.xlsx", read_only=True)
    name = next(n for n in book.sheetnames if n == "reform_follow")
    rows = [list(r) for r in book[name].iter_rows(values_only=True)]
    r = read_responses(SAMPLE, QUESTIONNAIRE)
    from conftest import REPORT_BY

    b = banner(r, "reform_follow", REPORT_BY.split(","), design=choose_design(r).design)
    mean_row = next(row for row in rows if row[0] == "均值")
    assert mean_row[2::2][:len(b.means)] == ["".join(h) or None for h in b.means["higher_than"]]
    assert any(h for h in b.means["higher_than"])
    tests = [row for row in rows if isinstance(row[1], str) and row[1].endswith("检验")]
    expected = [t.p for t in b.tests] + [t.wald.p for t in b.tests if t.wald]  # adjusted Wald
    assert len(tests) == len(expected) > len(b.tests)
    assert sorted(t[4] for t in tests) == pytest.approx(sorted(expected), rel=1e-9)
    assert any("均值的字母标记" in str(row[0]) for row in rows)


def test_findings_charts_put_yuan_and_scale_points_on_one_relative_axis():
    """F5 (yuan against the NBS figure) is drawn with the other means, each difference as a
    percentage of what it is compared with; shares stay in percentage points."""
    from analysis.report.build import findings_dots

    table = pd.DataFrame({
        "id": ["F5-income-mean", "F9-identity", "F2-career"],
        "measure": ["mean", "mean", "share"],
        "estimate": [4500.0, 3.2, 0.30], "comparison": [4961.0, 2.9, 0.20],
        "difference": [-461.0, 0.3, 0.10], "ci_low": [-600.0, 0.1, 0.05],
        "ci_high": [-322.0, 0.5, 0.15], "verdict": ["supported"] * 3})
    charts = {name: dots for name, dots, _, _ in findings_dots(table, "zh")}
    means = charts["findings_means"].set_index("label")
    assert means.loc["F5-income-mean", "difference"] == pytest.approx(-461 / 4961 * 100)
    assert means.loc["F5-income-mean", "ci_low"] == pytest.approx(-600 / 4961 * 100)
    assert means.loc["F9-identity", "difference"] == pytest.approx(0.3 / 2.9 * 100)
    assert charts["findings_shares"]["difference"].tolist() == pytest.approx([10.0])


@SHARED
def test_the_page_carries_small_charts_and_stays_light(report):
    """Charts are embedded at the page's width in a small palette (6.4 MB of page before, for
    the sample); the PNG files beside the page keep their full size."""
    import base64
    import io

    from PIL import Image

    html = (report / "report.html").read_text(encoding="utf-8")
    embedded = [Image.open(io.BytesIO(base64.b64decode(data))) for data in
                re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html)]
    assert embedded and all(image.width <= 800 and image.mode == "P" for image in embedded)
    assert max(Image.open(p).width for p in (report / "charts").glob("*.png")) > 800
    assert len(html.encode("utf-8")) < 2_000_000
    assert html.index('id="findings"') < html.index('id="sample"')  # the summary comes first


FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>{fonts}</dir><cachedir>{cache}</cachedir></fontconfig>
"""


def _without_cjk_fonts(page: Path, shot: str, tmp_path: Path) -> dict:
    """Open `page` in a Chromium that sees only the DejaVu fonts (a fresh Debian without CJK
    fonts), save a screenshot as `shot` and say which CJK faces loaded and whether the page's
    own face covers its h1."""
    playwright = pytest.importorskip("playwright.sync_api")
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    if not CHROMIUM.exists() or not dejavu.is_dir():
        pytest.skip("Debian chromium or the DejaVu fonts are not installed")
    conf = tmp_path / "fonts.conf"
    conf.write_text(FONTS_CONF.format(fonts=dejavu, cache=tmp_path / "cache"), encoding="utf-8")
    env = {"FONTCONFIG_FILE": str(conf), "HOME": str(tmp_path)}
    if shutil.which("fc-list"):  # the stand-in machine really has no Chinese font
        listed = subprocess.run(["fc-list", ":lang=zh"], env=env, capture_output=True, text=True)
        assert listed.stdout.strip() == ""
    SHOTS.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS,
                                    env=env)
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.goto(page.as_uri())
        tab.evaluate("document.fonts.ready")
        loaded = tab.evaluate("""[...document.fonts].filter(f => f.family.includes('Report CJK'))
                                 .map(f => f.status)""")
        heading = tab.inner_text("h1")
        covered = tab.evaluate("t => document.fonts.check('16px \"Report CJK\"', t)", heading)
        tab.screenshot(path=str(SHOTS / shot), full_page=False)
        browser.close()
    return {"loaded": loaded, "heading": heading, "covered": covered}


@SHARED
def test_chinese_shows_where_no_cjk_font_is_installed(report, tmp_path):
    """The page's own @font-face subset loads and covers its Chinese text, so no character
    shows as a box."""
    seen = _without_cjk_fonts(report / "report.html", "report_without_cjk_fonts.png", tmp_path)
    assert seen["loaded"] == ["loaded"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in seen["heading"]) and seen["covered"]


@LONG
def test_an_english_report_needs_no_cjk_font(tmp_path):
    """An English report carries no CJK face (nothing to draw with it) and shows in a browser
    without CJK fonts: the screenshot beside the Chinese one."""
    from analysis.design.choice import choose_design
    from analysis.report.build import make_report
    from survey.questionnaire.loader import load_questionnaire
    from survey.simulation.generate import simulate

    q = load_questionnaire(QUESTIONNAIRE)
    responses = simulate(q, 400, seed=4)
    make_report(responses, choose_design(responses), tmp_path / "en", by=["migrant"], lang="en")
    seen = _without_cjk_fonts(tmp_path / "en" / "report.html", "report_en_without_cjk_fonts.png",
                              tmp_path)
    assert seen["loaded"] == [] and seen["heading"].startswith("Industrial Worker Needs Survey")
    assert (SHOTS / "report_en_without_cjk_fonts.png").stat().st_size > 20_000


def test_an_unknown_chart_format_is_refused_before_any_work(tmp_path):
    from analysis.design.choice import choose_design
    from analysis.report.build import make_report
    from survey.questionnaire.loader import load_questionnaire
    from survey.simulation.generate import simulate

    responses = simulate(load_questionnaire(QUESTIONNAIRE), 50, seed=1)
    with pytest.raises(ValueError, match="png, svg, not jpeg"):
        make_report(responses, choose_design(responses), tmp_path / "r", chart_formats=("jpeg",))
    assert not (tmp_path / "r").exists()
