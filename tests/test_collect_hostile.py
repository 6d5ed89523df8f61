"""A catalogue of hostile posts to /submissions: each gets its 4xx and code, nothing is stored,
and the answer stays small whatever was sent (issue 14, items 2 and 8).

In-process (Starlette's TestClient, which re-raises any exception of the app: a 500 cannot hide);
the stalled and abandoned bodies need a real socket, so they run against uvicorn in a thread.
"""

from __future__ import annotations

import json
import logging
import socket
import sqlite3
import threading
import time

import httpx
import pytest
import uvicorn
from collect_helpers import GOOD, SMALL, TOKEN, envelope, free_port
from starlette.testclient import TestClient

from survey.collect.app import create_app
from survey.questionnaire.loader import load_questionnaire

small = load_questionnaire(SMALL)
MAX_ANSWER = 8 * 1024  # bytes: any refusal's body, whatever the request


def body(answers: dict | None = None, **fields) -> bytes:
    """A submission of GOOD answers changed by `answers`, envelope fields by `fields`."""
    return json.dumps({**envelope(small, {**GOOD, **(answers or {})}), **fields}).encode()


def raw(text: str) -> bytes:
    """A body written by hand (to say what json.dumps would not: duplicates, escapes)."""
    return text.encode()


def template(answers: str) -> bytes:
    """A submission whose answers object is written by hand."""
    head = json.dumps({k: v for k, v in envelope(small, {}).items() if k != "answers"})
    return raw(head[:-1] + ', "answers": ' + answers + "}")


def nested(depth: int, leaf: object = 1) -> object:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


JSON = "application/json"
# (name, body, content type, status, a problem code the answer must hold)
CATALOGUE = [
    ("empty body", b"", JSON, 400, "bad-json"),
    ("not json", b"{birth_year: 1990", JSON, 400, "bad-json"),
    ("not utf-8", b'{"a": "\xff"}', JSON, 400, "bad-json"),
    ("utf-16", json.dumps(envelope(small, GOOD)).encode("utf-16"), JSON, 400, "bad-json"),
    ("byte order mark", b"\xef\xbb\xbf" + body(), JSON, 400, "bad-json"),
    ("NaN", raw('{"a": NaN}'), JSON, 400, "bad-json"),
    ("Infinity", raw('{"a": -Infinity}'), JSON, 400, "bad-json"),
    ("5,000-digit integer", template('{"birth_year": %s}' % ("9" * 5000)), JSON, 400,
     "bad-json"),
    ("100,000 open brackets", b"[" * 100_000, JSON, 400, "too-deep"),
    ("100,000 open objects", b'{"a":' * 50_000, JSON, 400, "too-deep"),
    ("an answer 40 deep", body({"comments": nested(40)}), JSON, 400, "too-deep"),
    ("lone surrogate in a text answer", template('{"comments": "\\ud800"}'), JSON, 400,
     "bad-unicode"),
    ("lone low surrogate in a key", template('{"\\udc80": 1}'), JSON, 400, "bad-unicode"),
    ("lone surrogate in the id", raw('{"submission_id": "\\ud83d"}'), JSON, 400, "bad-unicode"),
    ("surrogate pair split by a space", template('{"comments": "\\ud83d \\ude00"}'), JSON, 400,
     "bad-unicode"),
    ("oversized", body({"comments": "x" * 300_000}), JSON, 413, "too-large"),
    ("text/plain", body(), "text/plain", 415, "unsupported-media-type"),
    ("no content type", body(), "", 415, "unsupported-media-type"),
    ("form encoded", b"birth_year=1990", "application/x-www-form-urlencoded", 415,
     "unsupported-media-type"),
    ("json look-alike type", body(), "application/json-patch+json", 415,
     "unsupported-media-type"),
    ("null", b"null", JSON, 422, "bad-submission"),
    ("a list", b"[]", JSON, 422, "bad-submission"),
    ("a number", b"1e999", JSON, 422, "bad-submission"),
    ("answers null", raw(json.dumps({**envelope(small, GOOD), "answers": None})), JSON, 422,
     "bad-answers"),
    ("answers a list", raw(json.dumps({**envelope(small, GOOD), "answers": [GOOD]})), JSON, 422,
     "bad-answers"),
    ("400-digit integer", template('{"birth_year": %s}' % ("9" * 400)), JSON, 422,
     "out-of-range"),
    ("400-digit negative code", template('{"workplace": -%s}' % ("7" * 400)), JSON, 422,
     "unknown-code"),
    ("1e999 is infinity", template('{"birth_year": 1e999}'), JSON, 422, "out-of-range"),
    ("true as a code", body({"workplace": True}), JSON, 422, "unknown-code"),
    ("1.0 as a code", body({"identity_1": 4.0}), JSON, 422, "unknown-code"),
    ("a list inside a multi", body({"concerns": [["income"]]}), JSON, 422, "unknown-code"),
    ("a code listed twice", body({"concerns": ["income", "income"]}), JSON, 422,
     "duplicate-code"),
    ("20,000 codes in a multi", body({"concerns": ["income"] * 20_000}), JSON, 422,
     "duplicate-code"),
    ("200,000-character code", body({"workplace": "x" * 200_000}), JSON, 422, "unknown-code"),
    ("200,000-character key", body({"k" * 200_000: 1}), JSON, 422, "unknown-question"),
    ("18,000 unknown questions", body({f"{i:x}": 0 for i in range(18_000)}), JSON, 422,
     "unknown-question"),
    ("10,000 unknown fields", body(**{f"f{i}": 0 for i in range(10_000)}), JSON, 422,
     "unknown-field"),
    ("__proto__", body({"__proto__": {"admin": True}}), JSON, 422, "unknown-question"),
    ("a name with a trailing space", body({"birth_year ": 1990}), JSON, 422,
     "unknown-question"),
    ("duplicate key, the last one bad", template('{"birth_year": 1990, "birth_year": "x", '
                                                 '"workplace": 1, "identity_1": 4}'), JSON, 422,
     "bad-type"),
    ("30 February", body({"start_date": "2020-02-30"}), JSON, 422, "bad-type"),
    ("a date with a time", body({"start_date": "2020-01-02T00:00"}), JSON, 422, "bad-type"),
    ("year 1", body({"start_date": "0001-01-01"}), JSON, 422, "out-of-range"),
    ("year 9999", body({"start_date": "9999-12-31"}), JSON, 422, "out-of-range"),
    ("id as SQL", body(submission_id="'; DROP TABLE submissions; --"), JSON, 422,
     "bad-submission-id"),
    ("id as an object", body(submission_id={"$gt": ""}), JSON, 422, "bad-submission-id"),
    ("id of 100,000 characters", body(submission_id="a" * 100_000), JSON, 422,
     "bad-submission-id"),
    ("language a list", body(language=["zh"]), JSON, 422, "bad-language"),
    ("version a number", body(questionnaire_version=1), JSON, 422, "wrong-questionnaire"),
    ("other text, other not chosen", body({"workplace": 1}), JSON, 422,
     "other-without-option"),
    ("other text of 600 characters", body({"workplace__6_text": "x" * 600}), JSON, 422,
     "too-long"),
    ("a number as text", body({"comments": 12}), JSON, 422, "bad-type"),
]


@pytest.fixture(scope="module")
def collect(tmp_path_factory):
    db = tmp_path_factory.mktemp("hostile") / "responses.sqlite"
    with TestClient(create_app(small, db, TOKEN)) as client:
        yield client, db


def rows(db) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT count(*) FROM submissions").fetchone()[0]


def test_the_catalogue_is_large_and_its_names_unique():
    assert len(CATALOGUE) >= 50
    assert len({name for name, *_ in CATALOGUE}) == len(CATALOGUE)


@pytest.mark.parametrize(("name", "content", "kind", "status", "code"), CATALOGUE,
                         ids=[c[0] for c in CATALOGUE])
def test_hostile_post_is_refused_with_its_code_and_nothing_is_stored(collect, name, content, kind,
                                                                    status, code):
    client, db = collect
    before = rows(db)
    response = client.post("/submissions", content=content, headers={"content-type": kind})
    assert response.status_code == status, response.text[:500]
    problems = response.json()["problems"]
    assert code in [p["code"] for p in problems], problems[:3]
    assert len(response.content) <= MAX_ANSWER
    assert all(len(p["message"]) <= 200 for p in problems)
    assert rows(db) == before


def test_thousands_of_problems_are_capped_with_a_count(collect):
    client, _ = collect
    response = client.post("/submissions", content=body({f"{i:x}": 0 for i in range(18_000)}),
                           headers={"content-type": JSON})
    problems = response.json()["problems"]
    assert len(problems) == 21 and problems[-1]["code"] == "more-problems"
    assert problems[-1]["message"] == "and 17980 more problems"
    assert len(response.content) < 3000  # was 1.78 MB for a 189 KB request


LEGAL = [  # hostile-looking but valid: stored exactly as sent
    ("NUL and controls", "nul\u0000 bell\u0007 esc\u001b"),
    ("right-to-left override", "\u202eevil.exe"),
    ("emoji and astral", "🙂 𝕏 \U0010fffd"),
    ("script", "<script>alert(1)</script>"),
    ("formula", "=HYPERLINK(\"http://x\")"),
    ("SQL", "'); DROP TABLE submissions; --"),
]


@pytest.mark.parametrize(("name", "text"), LEGAL, ids=[n for n, _ in LEGAL])
def test_hostile_looking_text_is_stored_as_sent(collect, name, text):
    client, db = collect
    posted = envelope(small, {**GOOD, "comments": text})
    response = client.post("/submissions", json=posted)
    assert response.status_code == 201, response.text
    with sqlite3.connect(db) as connection:
        stored = connection.execute("SELECT answers FROM submissions WHERE submission_id = ?",
                                    (posted["submission_id"],)).fetchone()[0]
    assert json.loads(stored)["comments"] == text


def test_the_store_still_exports_after_the_catalogue(collect):
    client, _ = collect
    for kind in ("csv", "parquet"):
        assert client.get(f"/export.{kind}", params={"token": TOKEN}).status_code == 200


def test_data_a_format_cannot_hold_is_a_422_not_a_traceback(collect, monkeypatch):
    from survey.errors import SurveyError

    def refuses(*args, **kwargs):
        raise SurveyError("text of 40,000 bytes: .sav holds 32,767", code="text-too-long",
                          location="export.sav")

    monkeypatch.setattr("survey.writers.write_responses", refuses)
    client, _ = collect
    response = client.get("/export.sav", params={"token": TOKEN})
    assert response.status_code == 422
    assert response.json()["problems"][0] == {
        "code": "text-too-long", "question": None,
        "message": "export.sav: text of 40,000 bytes: .sav holds 32,767"}


class Uvicorn:
    """The app under a real uvicorn in this process, with a short body deadline."""

    def __init__(self, db, seconds: float) -> None:
        self.port = free_port()
        config = uvicorn.Config(create_app(small, db, TOKEN, body_seconds=seconds),
                                host="127.0.0.1", port=self.port, log_level="warning",
                                access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "uvicorn did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(20)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    db = tmp_path_factory.mktemp("live") / "responses.sqlite"
    server = Uvicorn(db, seconds=1.0)
    yield server, db
    server.stop()


def request_head(length: int) -> bytes:
    return (b"POST /submissions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % length)


def status_line(sock: socket.socket) -> bytes:
    return sock.recv(65536).split(b"\r\n")[0]


def test_a_body_that_stalls_after_its_headers_gets_408_within_the_deadline(live):
    server, db = live
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        started = time.monotonic()
        sock.sendall(request_head(500) + b'{"submission_id": ')
        assert status_line(sock) == b"HTTP/1.1 408 Request Timeout"
        assert 0.9 < time.monotonic() - started < 5
    assert rows(db) == 0


def test_a_trickling_body_gets_408_however_steady(live):
    server, _ = live
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request_head(500))
        started = time.monotonic()
        sock.settimeout(0.2)
        answer = b""
        while not answer and time.monotonic() - started < 5:
            sock.sendall(b" ")  # a byte every 0.2 s: never idle, never done
            try:
                answer = sock.recv(65536)
            except TimeoutError:
                pass
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert time.monotonic() - started < 3


def test_stalled_and_abandoned_clients_cost_honest_ones_nothing(live, caplog):
    server, db = live
    stalled = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(50)]
    try:
        for sock in stalled:
            sock.sendall(request_head(1000) + b"{")
        for sock in stalled[:25]:  # half leave mid-body
            sock.close()
        with caplog.at_level(logging.WARNING):
            started = time.monotonic()
            answer = httpx.post(f"http://127.0.0.1:{server.port}/submissions",
                                json=envelope(small, GOOD), timeout=10)
            assert answer.status_code == 201
            assert time.monotonic() - started < 1
            time.sleep(1.5)  # past the deadline of the 25 still stalled
    finally:
        for sock in stalled:
            sock.close()
    assert rows(db) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.mark.parametrize("length", [b"abc", b"-1", b"\xc2\xb2", b"9" * 5000])
def test_a_content_length_that_is_no_number_is_refused(live, length):
    server, db = live
    before = rows(db)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"POST /submissions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                     b"\r\nContent-Length: " + length + b"\r\n\r\n{}")
        line = status_line(sock)
    assert line.startswith((b"HTTP/1.1 400 ", b"HTTP/1.1 413 ")), line
    assert rows(db) == before
