"""The collection server on real loopback uvicorn: round trip, refusals, idempotency, tokens."""

from __future__ import annotations

import json
import random
import sqlite3
import uuid

import httpx
import pytest
from collect_helpers import REFERENCE, SMALL, TOKEN, envelope, running, sample_answers

from survey.collect.reader import answers_of
from survey.questionnaire.loader import load_questionnaire
from survey.readers import read_responses

small = load_questionnaire(SMALL)
reference = load_questionnaire(REFERENCE)
GOOD = {"birth_year": 1990, "workplace": 6, "workplace__6_text": "合资企业",
        "concerns": ["housing", "income"], "insurance": ["pension"], "identity_1": 4,
        "start_date": "2020-01-02", "comments": "=1+1 <script>alert('x')</script>"}


def rows(db) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT count(*) FROM submissions").fetchone()[0]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running(SMALL, tmp_path_factory.mktemp("collect") / "responses.sqlite") as server:
        yield server


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def test_round_trip_through_survey_import(tmp_path):
    posted = [sample_answers(reference, random.Random(seed)) for seed in range(20)]
    with running(REFERENCE, tmp_path / "r.sqlite") as server:
        for answers in posted:
            response = httpx.post(server.url + "/submissions", json=envelope(reference, answers))
            assert response.status_code == 201, response.text
    responses = read_responses(tmp_path / "r.sqlite", reference)  # format detected: sqlite
    assert len(responses) == 20
    assert [answers_of(responses, i) for i in range(20)] == posted
    assert responses.frame["questionnaire_version"].eq("2026.1").all()


def test_form_page_is_served_with_a_strict_policy(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert '"post": "submissions"' in page.text
    assert 'lang="en"' in client.get("/?lang=en").text


def test_idempotent_resubmission(server, client):
    before = rows(server.db)
    body = envelope(small, GOOD)
    first = client.post("/submissions", json=body)
    again = client.post("/submissions", json=body)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert rows(server.db) == before + 1
    changed = client.post("/submissions", json={**body, "answers": {**GOOD, "birth_year": 1991}})
    assert changed.status_code == 409
    assert rows(server.db) == before + 1


BAD_ANSWERS = [
    ({"birth_year": "nineteen"}, "bad-type"),
    ({"birth_year": 3000}, "out-of-range"),
    ({"workplace": 99}, "unknown-code"),
    ({"concerns": ["income", "medical", "housing", "career_growth"]}, "too-many"),
    ({"insurance": ["none", "pension"]}, "exclusive"),
    ({"pension_worry": 2}, "not-relevant"),   # skipped: pension is selected
    ({"birth_year": None}, "required"),
    ({"salary": 1}, "unknown-question"),
]


@pytest.mark.parametrize(("change", "code"), BAD_ANSWERS, ids=[c for _, c in BAD_ANSWERS])
def test_bad_answers_get_422_and_nothing_is_stored(server, client, change, code):
    before = rows(server.db)
    response = client.post("/submissions", json=envelope(small, {**GOOD, **change}))
    assert response.status_code == 422
    assert code in [p["code"] for p in response.json()["problems"]]
    assert rows(server.db) == before


def _raw(client, body: bytes, content_type: str = "application/json") -> httpx.Response:
    return client.post("/submissions", content=body, headers={"content-type": content_type})


BAD_REQUESTS = [
    ("oversized", lambda: json.dumps(envelope(small, {**GOOD, "comments": "x" * 300_000})).encode(),
     "application/json", 413),
    ("wrong content type", lambda: json.dumps(envelope(small, GOOD)).encode(), "text/plain", 415),
    ("form encoded", lambda: b"birth_year=1990", "application/x-www-form-urlencoded", 415),
    ("not json", lambda: b"{birth_year: 1990", "application/json", 400),
    ("not utf-8", lambda: b'{"a": "\xff"}', "application/json", 400),
    ("NaN", lambda: json.dumps(envelope(small, {**GOOD, "birth_year": float("nan")})).encode(),
     "application/json", 400),
    ("a list", lambda: b"[]", "application/json", 422),
    ("no id", lambda: json.dumps({**envelope(small, GOOD), "submission_id": "1"}).encode(),
     "application/json", 422),
    ("other questionnaire", lambda: json.dumps({**envelope(small, GOOD),
                                                "questionnaire_version": "0"}).encode(),
     "application/json", 422),
    ("extra field", lambda: json.dumps({**envelope(small, GOOD), "ip": "10.0.0.1"}).encode(),
     "application/json", 422),
]


@pytest.mark.parametrize(("what", "body", "content_type", "status"), BAD_REQUESTS,
                         ids=[b[0] for b in BAD_REQUESTS])
def test_malformed_requests_are_refused(server, client, what, body, content_type, status):
    before = rows(server.db)
    response = _raw(client, body(), content_type)
    assert response.status_code == status, response.text
    assert response.json()["problems"]
    assert rows(server.db) == before


def test_a_lying_content_length_is_refused_before_reading(server):
    import socket

    before = rows(server.db)
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"POST /submissions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                     b"\r\nContent-Length: 10000000\r\n\r\n{")
        assert b" 413 " in sock.recv(4096).split(b"\r\n")[0] + b" "
    assert rows(server.db) == before


def test_tokens_protect_monitor_and_export(client):
    for path in ("/monitor", "/export.csv", "/export.parquet"):
        assert client.get(path).status_code == 401
        assert client.get(path, params={"token": "wrong"}).status_code == 401
        near = {"authorization": "Bearer " + TOKEN[:-1]}
        assert client.get(path, headers=near).status_code == 401
        assert client.get(path, params={"token": TOKEN}).status_code == 200
        assert client.get(path, headers={"authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert client.get("/export.exe", params={"token": TOKEN}).status_code == 501


def test_script_in_a_text_answer_is_stored_as_text_and_escaped(server, client):
    body = envelope(small, {**GOOD, "comments": "<script>alert('pwned')</script><img src=x>"})
    posted = client.post("/submissions", json=body)
    assert posted.status_code == 201
    with sqlite3.connect(server.db) as connection:
        stored = connection.execute("SELECT answers FROM submissions WHERE submission_id = ?",
                                    (body["submission_id"],)).fetchone()[0]
    assert json.loads(stored)["comments"] == "<script>alert('pwned')</script><img src=x>"
    page = client.get("/monitor", params={"token": TOKEN}).text
    assert "&lt;script&gt;alert(" in page
    assert "<script>" not in page and "<img src=x>" not in page


def test_csv_export_defuses_formulas(client):
    client.post("/submissions", json=envelope(small, {**GOOD, "comments": "=HYPERLINK(1)"}))
    text = client.get("/export.csv", params={"token": TOKEN}).content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text
    assert text.splitlines()[0].startswith("respondent_id,birth_year")


def test_no_ip_address_is_stored_or_logged(server, client):
    client.post("/submissions", json=envelope(small, GOOD))
    with sqlite3.connect(server.db) as connection:
        columns = [r[1] for r in connection.execute("PRAGMA table_info(submissions)")]
        dump = "\n".join(connection.iterdump())
    assert columns == ["submission_id", "questionnaire_id", "questionnaire_version", "received",
                       "language", "answers"]
    assert "127.0.0.1" not in dump
    logged = [line for line in server.output().splitlines()
              if not line.startswith(("Form:", "Monitor:", "Export:"))]
    assert not [line for line in logged if "127.0.0.1" in line]


def test_store_settings(server):
    with sqlite3.connect(server.db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_unreachable_postgres_url_is_a_clear_error(tmp_path, monkeypatch):
    from cli_helpers import invoke
    from collect_helpers import free_port

    def no_server(*args, **kwargs):  # in-process: a server started by mistake would never end
        raise AssertionError("the server started")

    monkeypatch.setattr("uvicorn.run", no_server)
    done = invoke("serve", SMALL, "--db", f"postgresql://127.0.0.1:{free_port()}/survey")
    assert done.exit_code == 2
    assert "cannot use this PostgreSQL database" in done.stderr
    assert "Traceback" not in done.stderr


def test_submission_ids_are_normalised(server, client):
    sid = uuid.uuid4()
    upper = client.post("/submissions", json=envelope(small, GOOD, str(sid).upper()))
    lower = client.post("/submissions", json=envelope(small, GOOD, str(sid)))
    assert upper.json() == lower.json()
    assert upper.json()["submission_id"] == str(sid)
