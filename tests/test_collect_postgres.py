"""The collection server storing into a real PostgreSQL server on loopback.

The throwaway cluster is tests/pg_helpers.py's. Skipped only when PostgreSQL's server programs
are not installed (CI installs them).
"""

from __future__ import annotations

import json
import random
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from collect_helpers import (
    GOOD,
    REFERENCE,
    SMALL,
    TOKEN,
    envelope,
    free_port,
    running,
    sample_answers,
)
from pg_helpers import throwaway_cluster

from survey.collect.reader import answers_of, read_store
from survey.questionnaire.loader import load_questionnaire

psycopg = pytest.importorskip("psycopg")

small = load_questionnaire(SMALL)
reference = load_questionnaire(REFERENCE)


@pytest.fixture(scope="module")
def cluster():
    yield from throwaway_cluster()


@pytest.fixture(scope="module")
def db(cluster) -> str:
    return cluster.database("collect")


@pytest.fixture(scope="module")
def server(db, tmp_path_factory):
    with running(SMALL, db, log=tmp_path_factory.mktemp("pg") / "server.log") as server:
        yield server


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def rows(url: str) -> int:
    with psycopg.connect(url) as connection:
        return connection.execute("SELECT count(*) FROM submissions").fetchone()[0]


def test_table_has_one_row_per_submission_and_no_device_data(db, client):
    posted = client.post("/submissions", json=envelope(small, GOOD))
    assert posted.status_code == 201
    with psycopg.connect(db) as connection:
        columns = connection.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'submissions' ORDER BY ordinal_position").fetchall()
        key = connection.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'submissions'::regclass "
            "AND i.indisprimary").fetchall()
        stored = connection.execute(
            "SELECT answers ->> 'comments', received, questionnaire_version FROM submissions "
            "WHERE submission_id = %s", (posted.json()["submission_id"],)).fetchone()
        setting = connection.execute("SHOW synchronous_commit").fetchone()[0]
    assert columns == [("submission_id", "text"), ("questionnaire_id", "text"),
                       ("questionnaire_version", "text"),
                       ("received", "timestamp with time zone"), ("language", "text"),
                       ("answers", "json")]
    assert key == [("submission_id",)]
    assert stored[0] == GOOD["comments"] and stored[2] == small.survey.version
    assert stored[1].isoformat(timespec="milliseconds").replace("+00:00", "Z") \
        == posted.json()["received"]
    assert setting == "on"


def test_round_trip_through_export_and_read_store(cluster, tmp_path):
    url = cluster.database("roundtrip")
    posted = [sample_answers(reference, random.Random(seed)) for seed in range(20)]
    with running(REFERENCE, url, log=tmp_path / "server.log") as server:
        for answers in posted:
            response = httpx.post(server.url + "/submissions", json=envelope(reference, answers))
            assert response.status_code == 201, response.text
        exported = httpx.get(server.url + "/export.parquet", params={"token": TOKEN})
        csv = httpx.get(server.url + "/export.csv", params={"token": TOKEN})
        monitor = httpx.get(server.url + "/monitor", params={"token": TOKEN})
    responses = read_store(url, reference)
    assert len(responses) == 20
    assert [answers_of(responses, i) for i in range(20)] == posted
    assert responses.frame["questionnaire_version"].eq("2026.1").all()
    assert exported.status_code == 200 and exported.content.startswith(b"PAR1")
    (tmp_path / "export.parquet").write_bytes(exported.content)
    from survey.readers import read_responses

    again = read_responses(tmp_path / "export.parquet", reference)
    assert again.same_answers(responses), again.differences(responses)
    assert csv.status_code == 200 and len(csv.content.decode("utf-8-sig").splitlines()) == 21
    assert monitor.status_code == 200 and ">20<" in monitor.text.replace(" ", "")


def test_idempotent_resubmission(db, client):
    before = rows(db)
    body = envelope(small, GOOD)
    first = client.post("/submissions", json=body)
    again = client.post("/submissions", json=body)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert rows(db) == before + 1
    changed = client.post("/submissions", json={**body, "answers": {**GOOD, "birth_year": 1991}})
    assert changed.status_code == 409
    assert rows(db) == before + 1
    with psycopg.connect(db) as connection:
        stored = connection.execute("SELECT answers::text FROM submissions WHERE "
                                    "submission_id = %s", (body["submission_id"],)).fetchone()[0]
    assert json.loads(stored)["birth_year"] == 1990


def test_same_id_posted_at_once_is_stored_once(db, server):
    body = envelope(small, GOOD)
    before = rows(db)
    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: httpx.post(server.url + "/submissions", json=body,
                                                     timeout=30), range(10)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["received"] for a in answers}) == 1
    assert rows(db) == before + 1


MALFORMED = [
    ("not json", b"{birth_year: 1990", 400),
    ("a list", b"[]", 422),
    ("unknown code", json.dumps(envelope(small, {**GOOD, "workplace": 99})).encode(), 422),
    ("wrong type", json.dumps(envelope(small, {**GOOD, "birth_year": "1990"})).encode(), 422),
    ("oversized", json.dumps(envelope(small, {**GOOD, "comments": "x" * 300_000})).encode(), 413),
]


@pytest.mark.parametrize(("what", "body", "status"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_posts_are_refused_and_nothing_stored(db, client, what, body, status):
    before = rows(db)
    response = client.post("/submissions", content=body,
                           headers={"content-type": "application/json"})
    assert response.status_code == status, response.text
    assert response.json()["problems"]
    assert rows(db) == before


def test_text_that_jsonb_would_refuse_is_stored_as_posted(db, client):
    """jsonb refuses \\u0000 in strings; the json column keeps any valid JSON text."""
    text = "nul\u0000 tab\t emoji 🙂 quote\" backslash\\ 中文"
    body = envelope(small, {**GOOD, "comments": text})
    response = client.post("/submissions", json=body)
    assert response.status_code == 201, response.text
    with psycopg.connect(db) as connection:
        stored = connection.execute("SELECT answers::text FROM submissions WHERE "
                                    "submission_id = %s", (body["submission_id"],)).fetchone()[0]
    assert json.loads(stored)["comments"] == text
    assert client.post("/submissions", json=body).status_code == 201


CLIENTS, EACH = 20, 50


def test_20_clients_posting_50_each_leave_exactly_1000_rows(cluster, tmp_path):
    url = cluster.database("load")

    def post_all(number: int) -> list[tuple[str, int]]:
        rng = random.Random(number)
        results = []
        with httpx.Client(timeout=60) as http:
            for _ in range(EACH):
                body = envelope(small, sample_answers(small, rng))
                results.append((body["submission_id"],
                                http.post(target, json=body).status_code))
        return results

    with running(SMALL, url, log=tmp_path / "server.log") as server:
        target = server.url + "/submissions"
        started = time.monotonic()
        with ThreadPoolExecutor(CLIENTS) as pool:
            results = [r for batch in pool.map(post_all, range(CLIENTS)) for r in batch]
        elapsed = time.monotonic() - started
    assert {status for _, status in results} == {201}
    with psycopg.connect(url) as connection:
        ids = {r[0] for r in connection.execute("SELECT submission_id FROM submissions")}
    assert len(ids) == CLIENTS * EACH
    assert ids == {sid for sid, _ in results}
    assert elapsed < 60
    print(f"\n{CLIENTS * EACH} posts in {elapsed:.2f} s ({CLIENTS * EACH / elapsed:.0f}/s)")


def _serve(db: str):
    """`survey serve` in-process: it must fail before serving (else the test would hang)."""
    from cli_helpers import invoke

    def no_server(*args, **kwargs):
        raise AssertionError("the server started")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("uvicorn.run", no_server)
        return invoke("serve", SMALL, "--db", db, "--port", free_port())


def test_unreachable_or_refusing_database_is_a_one_line_error(cluster, db):
    nobody = _serve(f"postgresql://survey:x@127.0.0.1:{free_port()}/survey")
    assert nobody.exit_code == 2
    assert "cannot use this PostgreSQL database" in nobody.stderr
    assert "Traceback" not in nobody.stderr
    wrong = _serve(f"postgresql://collect:wrong-pw@127.0.0.1:{cluster.port}/collect")
    assert wrong.exit_code == 2
    assert "password authentication failed" in wrong.stderr
    assert "Traceback" not in wrong.stderr
