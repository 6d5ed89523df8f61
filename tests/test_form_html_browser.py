"""A real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) fills the web form.

No browser is downloaded: Playwright only drives the system Chromium, with the flags this machine
needs (no sandbox as root, no GPU, no background networking on a closed network).
"""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest
from collect_helpers import REFERENCE, ROOT, SMALL, running, sample_answers

from survey.collect.reader import answers_of
from survey.collect.validation import other_key, validate_answers
from survey.forms.html import write_html
from survey.questionnaire.loader import load_questionnaire
from survey.readers import read_responses

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "tests" / "output" / "form"
playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")

reference = load_questionnaire(REFERENCE)
small = load_questionnaire(SMALL)
# Answers that open some branches and close others: no hukou (hukou_location and hukou_move are
# skipped), self-employed (no contract), a manager (the manager-only item is asked), changed jobs
# (reasons asked), not a union member (the non-member items are asked), "other" with its text.
BRANCHES = {"hukou_type": 6, "employment": 6, "occupation": 4, "job_changes_3y": 2,
            "union_member": 2, "concerns": ["other", "income", "housing"],
            other_key("concerns", "other"): "加班太多 <b>&</b>", "expense_pressure": ["none"],
            "hours_online": 2.5}


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 420, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, errors


def fill(page, questionnaire, answers: dict) -> None:
    """Answer like a person: in questionnaire order, only questions that are shown."""
    for name, q in questionnaire.items.items():
        if name not in answers:
            continue
        value = answers[name]
        if q.type == "rank":
            for position, code in enumerate(value, start=1):
                page.select_option(f"#q-{name}-{code}", str(position))
        elif q.type == "multi":
            for code in value:
                page.check(f"#q-{name}-{code}")
        elif q.type in ("single", "scale"):
            page.check(f"#q-{name}-{value}")
        else:
            page.fill(f"#q-{name}", str(value))
        key = other_key(name, q.other) if q.other is not None else None
        if key in answers:
            page.fill(f"#{key}", answers[key])


def test_reference_form_filled_in_chromium_comes_back_equal(page, tmp_path):
    answers = sample_answers(reference, random.Random(7), BRANCHES)
    assert "hukou_location" not in answers and "manager_worry" in answers
    assert validate_answers(reference, answers) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running(REFERENCE, tmp_path / "responses.sqlite") as server:
        page.goto(server.url + "/")
        assert page.locator("#block-hukou_location").is_hidden()  # "hukou_type != 6": unanswered
        page.check("#q-hukou_type-1")
        assert page.locator("#block-hukou_location").is_visible()
        fill(page, reference, answers)
        assert page.locator("#block-hukou_location").is_hidden()       # skipped by logic
        assert page.locator("#block-manager_worry").is_visible()
        assert page.locator("#block-contract").is_hidden()
        page.screenshot(path=str(SHOTS / "reference-filled.png"), full_page=True)
        page.click("#submit")
        page.locator("#done").wait_for(state="visible", timeout=15000)
        page.screenshot(path=str(SHOTS / "reference-sent.png"))
    responses = read_responses(tmp_path / "responses.sqlite", reference)
    assert len(responses) == 1
    assert answers_of(responses, 0) == answers
    assert responses.frame.at[0, "language"] == "zh"


def test_out_of_range_number_shows_a_message_and_blocks_submission(page, tmp_path):
    with running(SMALL, tmp_path / "responses.sqlite") as server:
        page.goto(server.url + "/?lang=en")
        page.fill("#q-birth_year", "1900")
        page.press("#q-birth_year", "Tab")                    # leaving the field checks it
        assert page.locator("#error-birth_year").is_visible()
        page.check("#q-workplace-1")
        page.click("#submit")
        error = page.locator("#error-birth_year")
        assert error.is_visible()
        assert "1950" in error.inner_text() and "2010" in error.inner_text()
        assert page.get_attribute("#q-birth_year", "aria-invalid") == "true"
        assert page.evaluate("document.activeElement.id") == "q-birth_year"
        page.screenshot(path=str(SHOTS / "out-of-range.png"), full_page=True)
        page.wait_for_timeout(300)
        assert page.locator("#done").is_hidden()
    connection = sqlite3.connect(tmp_path / "responses.sqlite")
    try:
        assert connection.execute("SELECT count(*) FROM submissions").fetchone()[0] == 0
    finally:
        connection.close()


def test_offline_file_enforces_choice_rules_and_saves_a_valid_json_file(page, tmp_path):
    form = write_html(small, tmp_path / "form.html", "zh")
    page.goto(form.as_uri())
    page.select_option("#language-switch", "en")
    assert page.locator("h1").inner_text() == "Small survey"
    page.check("#q-insurance-pension")
    page.check("#q-insurance-injury")
    page.check("#q-insurance-none")                           # exclusive: clears the others
    assert not page.is_checked("#q-insurance-pension")
    assert page.locator("#block-pension_worry").is_visible()  # shown: pension not selected
    page.select_option("#q-concerns-income", "1")
    page.select_option("#q-concerns-housing", "2")
    page.select_option("#q-concerns-medical", "1")            # takes position 1: swap
    assert page.input_value("#q-concerns-income") == ""
    page.select_option("#q-concerns-income", "2")
    assert page.input_value("#q-concerns-housing") == ""
    page.fill("#q-birth_year", "1988")
    page.check("#q-workplace-6")
    page.fill("#workplace__6_text", "</script><script>alert(1)</script>")
    page.check("#q-identity_1-4")
    page.fill("#q-comments", "<img src=x onerror=alert(1)>")
    with page.expect_download() as download:
        page.click("#submit")                                 # offline: submit saves a file
    saved = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    page.screenshot(path=str(SHOTS / "offline-en.png"), full_page=True)
    assert saved["questionnaire_id"] == "small_test" and saved["language"] == "en"
    assert saved["answers"] == {
        "birth_year": 1988, "workplace": 6,
        "workplace__6_text": "</script><script>alert(1)</script>",
        "concerns": ["medical", "income"], "insurance": ["none"], "identity_1": 4,
        "comments": "<img src=x onerror=alert(1)>"}
    assert validate_answers(small, saved["answers"]) == []


def test_max_choices_disables_further_options(page, tmp_path):
    form = write_html(reference, tmp_path / "form.html", "zh")
    page.goto(form.as_uri())
    for code in ("medical", "children_education", "housing"):
        page.check(f"#q-expense_pressure-{code}")
    assert page.is_disabled("#q-expense_pressure-elder_care")
    assert not page.is_disabled("#q-expense_pressure-none")
    page.uncheck("#q-expense_pressure-housing")
    assert not page.is_disabled("#q-expense_pressure-elder_care")
