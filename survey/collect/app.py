"""The collection server: an ASGI app (Starlette) that serves the form and stores submissions.

Routes: ``GET /`` the web form (``?lang=en``); ``POST /submissions`` one submission as JSON;
``GET /monitor`` counts by day (token); ``GET /export.csv|.parquet|.sav`` the data (token);
``GET /health``. A submission is checked again here with the form's rules
(`survey.collect.validation`), and answered only after its row is committed. Nothing about the
respondent's device or network is stored or logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import secrets
import tempfile
import uuid
from base64 import b64encode
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from survey.collect.intake import (
    BODY_SECONDS,
    COMMON_HEADERS,
    MAX_BODY,
    problems_response,
    refuse,
    submitted_json,
)
from survey.collect.reader import frame_of
from survey.collect.store import (
    StoreUnavailable,
    Submission,
    SubmissionStore,
    Unstorable,
    now,
    open_store,
)
from survey.collect.validation import Problem, given_answers, shown, validate_answers
from survey.errors import SurveyError
from survey.questionnaire.model import Questionnaire
from survey.responses.dataset import Responses

PRIVATE_HEADERS = {**COMMON_HEADERS, "Cache-Control": "no-store"}
_TEMPLATES = Environment(loader=PackageLoader("survey.collect", "templates"),
                         autoescape=select_autoescape(default=True, default_for_string=True))


def _problems(status: int, problems: list[Problem]) -> JSONResponse:
    return problems_response(status, problems)


def _refuse(status: int, code: str, message: str) -> JSONResponse:
    return refuse(status, code, message)


def content_security_policy(html: str) -> str:
    """A CSP allowing exactly the page's own inline scripts and styles (by hash), nothing else."""
    def hashes(tag: str) -> str:
        bodies = re.findall(rf"<{tag}>(.*?)</{tag}>", html, flags=re.S)
        return " ".join(f"'sha256-{b64encode(hashlib.sha256(b.encode()).digest()).decode()}'"
                        for b in bodies)
    return (f"default-src 'none'; script-src {hashes('script')}; style-src {hashes('style')}; "
            "connect-src 'self'; img-src data:; form-action 'none'; base-uri 'none'; "
            "frame-ancestors 'none'")


def create_app(questionnaire: Questionnaire, db: str | Path, token: str,
               max_body: int = MAX_BODY, body_seconds: float = BODY_SECONDS) -> Starlette:
    """The ASGI app collecting `questionnaire` into the store at `db` (an SQLite file, or a
    PostgreSQL URL); a body must arrive within `body_seconds` (`survey.collect.intake`)."""
    survey = questionnaire.survey
    forms = _forms(questionnaire)
    state: dict[str, SubmissionStore] = {}

    async def form(request: Request) -> Response:
        return _form_page(request, forms, survey.languages[0])

    async def submit(request: Request) -> Response:
        return await _submit(request, questionnaire, state, max_body, body_seconds)

    async def monitor(request: Request) -> Response:
        if not _authorised(request, token):
            return _unauthorised()
        return await _monitor(questionnaire, state)

    async def export(request: Request) -> Response:
        if not _authorised(request, token):
            return _unauthorised()
        return await _export_response(questionnaire, state, request.path_params["kind"])

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True, "questionnaire": survey.id, "version": survey.version},
                            headers=COMMON_HEADERS)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        state["store"] = open_store(db)
        try:
            yield
        finally:
            state.pop("store").close()

    return Starlette(routes=[
        Route("/", form), Route("/submissions", submit, methods=["POST"]),
        Route("/monitor", monitor), Route("/export.{kind:str}", export),
        Route("/health", health),
    ], lifespan=lifespan)


def _forms(questionnaire: Questionnaire) -> dict[str, tuple[str, str]]:
    """The web form in each language with its CSP, rendered once when the app is made."""
    from survey.forms.html import render_html

    forms: dict[str, tuple[str, str]] = {}
    for lang in questionnaire.survey.languages:
        html = render_html(questionnaire, lang, post_url="submissions")
        forms[lang] = (html, content_security_policy(html))
    return forms


def _form_page(request: Request, forms: dict[str, tuple[str, str]], default: str) -> Response:
    """The web form in the language asked for (``?lang=``), or else in the first language."""
    html, csp = forms.get(request.query_params.get("lang", ""), forms[default])
    return HTMLResponse(html, headers={**COMMON_HEADERS, "Content-Security-Policy": csp})


def _authorised(request: Request, token: str) -> bool:
    """Whether the request carries the token, as a bearer header or a ``?token=`` parameter."""
    given = request.query_params.get("token") or ""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        given = header[7:].strip()
    return secrets.compare_digest(given.encode(), token.encode())


def _unauthorised() -> Response:
    """The 401 answer to a request for the monitor or the data without a valid token."""
    return JSONResponse({"problems": [{"code": "unauthorised", "question": None,
                                       "message": "a valid token is needed"}]},
                        status_code=401, headers={**PRIVATE_HEADERS,
                                                  "WWW-Authenticate": "Bearer"})


async def _submit(request: Request, questionnaire: Questionnaire,
                  state: dict[str, SubmissionStore], max_body: int,
                  body_seconds: float) -> Response:
    """Store one submission and answer 201 once its row is committed, or say why not: a
    submission the store cannot hold is refused alone (422), a failing store is a 503."""
    data, refusal = await submitted_json(request, max_body, body_seconds)
    if refusal is not None:
        return refusal
    submission, problems = _envelope(data, questionnaire)
    if submission is None:
        return _problems(422, problems)
    try:
        outcome = await asyncio.wrap_future(state["store"].submit(submission))
    except Unstorable as error:
        return _refuse(422, error.code, error.message)
    except StoreUnavailable as error:
        return refuse(503, error.code, f"{error.message}; send it again later",
                      {"Retry-After": "5"})
    stored = outcome.stored
    if not outcome.created and (stored.answers, stored.questionnaire_version) != (
            submission.answers, submission.questionnaire_version):
        return _refuse(409, "conflict", "another submission with this id is already "
                       "stored; a new response needs a new id")
    return JSONResponse({"submission_id": stored.submission_id, "received": stored.received},
                        status_code=201, headers=COMMON_HEADERS)


async def _monitor(questionnaire: Questionnaire, state: dict[str, SubmissionStore]) -> Response:
    """The monitor page: submissions per day and the latest ones with their text answers."""
    survey = questionnaire.survey
    days, latest = await asyncio.to_thread(
        lambda: (state["store"].counts_by_day(), state["store"].recent(20)))
    texts = [name for name, q in questionnaire.items.items() if q.type == "text"]
    rows = [(s.received, s.submission_id, s.questionnaire_version,
             [(n, str(s.answers_dict().get(n, ""))[:200]) for n in texts]) for s in latest]
    html = _TEMPLATES.get_template("monitor.html.jinja").render(
        title=questionnaire.label(survey.title), survey=survey, days=days, latest=rows,
        total=sum(n for _, _, n in days))
    return HTMLResponse(html, headers={**PRIVATE_HEADERS, "Content-Security-Policy":
                                       "default-src 'none'; style-src 'unsafe-inline'"})


async def _export_response(questionnaire: Questionnaire, state: dict[str, SubmissionStore],
                           kind: str) -> Response:
    """The data as a download named after the questionnaire, or 501 for a format not made, or
    422 saying why the stored data cannot be written in this format (never a traceback)."""
    survey = questionnaire.survey
    try:
        content, media = await asyncio.to_thread(_export, questionnaire, state["store"], kind)
    except SurveyError as error:
        return _refuse(422, error.code, " ".join(error.lines())[:500])
    if content is None:
        return _refuse(501, "not-supported", f"export to .{kind} is not supported yet")
    name = f"{survey.id}-{survey.version}.{kind}"
    return Response(content, media_type=media, headers={
        **PRIVATE_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'})


def _envelope(data: Any, questionnaire: Questionnaire) -> tuple[Submission | None, list[Problem]]:
    """The submission to store, or the problems of the envelope and of its answers."""
    if not isinstance(data, dict):
        return None, [Problem("bad-submission", None, "a submission is a JSON object")]
    survey = questionnaire.survey
    problems = [Problem("unknown-field", None, f"unknown field {shown(key)}") for key in data
                if key not in ("submission_id", "questionnaire_id", "questionnaire_version",
                               "language", "answers")]
    try:
        submission_id = str(uuid.UUID(str(data.get("submission_id"))))
    except ValueError:
        submission_id = ""
        problems.append(Problem("bad-submission-id", None, "submission_id must be a UUID made "
                                "by the form"))
    if (data.get("questionnaire_id"), data.get("questionnaire_version")) != (survey.id,
                                                                              survey.version):
        problems.append(Problem("wrong-questionnaire", None, f"this server collects "
                                f"{survey.id} version {survey.version}"))
    language = data.get("language")
    if language is not None and language not in survey.languages:
        problems.append(Problem("bad-language", None, f"language must be one of "
                                f"{survey.languages}"))
    problems.extend(validate_answers(questionnaire, data.get("answers")))
    if problems:
        return None, problems
    answers = json.dumps(given_answers(data["answers"]), ensure_ascii=False, sort_keys=True,
                         separators=(",", ":"))
    return Submission(submission_id, survey.id, survey.version, now(), language, answers), []


_MEDIA = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet",
          "sav": "application/x-spss-sav"}


def _export(questionnaire: Questionnaire, store: SubmissionStore,
            kind: str) -> tuple[bytes | None, str]:
    """The store's data as a file of `kind` (csv, parquet, sav), or None if not supported."""
    if kind not in _MEDIA:
        return None, ""
    from survey.writers import write_responses

    responses = Responses.from_raw(questionnaire, frame_of(store.submissions(), questionnaire),
                                   source=str(getattr(store, "path", "store")))
    if kind == "csv":  # text answers are defused for spreadsheets; the other formats keep them
        frame = responses.frame.copy()
        for column in frame.columns:
            if str(frame[column].dtype) == "string":
                frame[column] = frame[column].map(_defuse, na_action="ignore")
        responses = type(responses)(frame, responses.missing, questionnaire)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"export.{kind}"
        write_responses(responses, target, kind)
        return target.read_bytes(), _MEDIA[kind]


def _defuse(text: str) -> str:
    """Keep a spreadsheet from running a text answer as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
