"""The PostgreSQL store under crashes and bad rows, and `survey import postgresql://...`.

SIGKILL of `survey serve`, and SIGKILL of PostgreSQL itself (postmaster and backends at once),
mid-load: no acknowledged submission is lost, and the server answers 503 (never hangs, never a
traceback) while the database is down, then stores again once it is back. A submission the
database refuses fails alone in its batch. `survey import` reads the store by its URL.
"""

from __future__ import annotations

import json
import random
import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pandas as pd
import pytest
from cli_helpers import invoke
from collect_helpers import GOOD, SMALL, Server, envelope, sample_answers
from pg_helpers import PASSWORD, throwaway_cluster

from survey.collect.postgres import PostgresStore
from survey.collect.reader import read_store
from survey.collect.store import Submission, Unstorable, now
from survey.questionnaire.loader import load_questionnaire

psycopg = pytest.importorskip("psycopg")
small = load_questionnaire(SMALL)


@pytest.fixture(scope="module")
def cluster():
    yield from throwaway_cluster()


def stored_ids(url: str) -> set[str]:
    with psycopg.connect(url) as connection:
        return {r[0] for r in connection.execute("SELECT submission_id FROM submissions")}


class Load:
    """20 clients posting new submissions; each retries a 503 with the same id, as the form
    does, and records what was acknowledged and every status seen."""

    def __init__(self, url: str, clients: int = 20) -> None:
        self.url, self.stop = url, threading.Event()
        self.acknowledged: list[str] = []
        self.statuses: list[int] = []
        self.lock = threading.Lock()
        self.pool = ThreadPoolExecutor(clients)
        self.running = [self.pool.submit(self.client, n) for n in range(clients)]

    def client(self, number: int) -> None:
        rng = random.Random(number)
        with httpx.Client(timeout=30) as http:
            while not self.stop.is_set():
                body = envelope(small, sample_answers(small, rng), str(uuid.uuid4()))
                while not self.stop.is_set():
                    try:
                        response = http.post(self.url + "/submissions", json=body)
                    except httpx.HTTPError:
                        return  # the server was killed
                    with self.lock:
                        self.statuses.append(response.status_code)
                        if response.status_code == 201:
                            self.acknowledged.append(response.json()["submission_id"])
                    if response.status_code != 503:
                        break
                    time.sleep(0.05)

    def wait_for(self, count: int, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while len(self.acknowledged) < count:
            assert time.monotonic() < deadline, f"only {len(self.acknowledged)} acknowledged"
            assert not any(f.done() and f.exception() for f in self.running), \
                [f.exception() for f in self.running if f.done()]
            time.sleep(0.02)

    def end(self) -> None:
        self.stop.set()
        self.pool.shutdown()
        for future in self.running:
            future.result()


def test_sigkill_of_the_server_mid_load_loses_no_acknowledged_submission(cluster, tmp_path):
    url = cluster.database("killserver")
    server = Server(SMALL, url, log=tmp_path / "server.log")
    load = Load(server.url)
    try:
        load.wait_for(300)
        server.kill(signal.SIGKILL)
    finally:
        load.end()
        server.stop()
    assert server.process.returncode == -signal.SIGKILL
    missing = set(load.acknowledged) - stored_ids(url)
    assert not missing, f"{len(missing)} of {len(load.acknowledged)} acknowledged lost"


def test_postgres_killed_mid_load_loses_nothing_and_the_server_recovers(cluster, tmp_path):
    url = cluster.database("killdb")
    server = Server(SMALL, url, log=tmp_path / "server.log")
    load = Load(server.url)
    try:
        load.wait_for(300)
        cluster.crash()
        at_crash = len(load.acknowledged)
        time.sleep(1.0)  # clients meet the dead database meanwhile
        during = len(load.statuses)
        cluster.start()  # replays its WAL
        load.wait_for(at_crash + 300, seconds=60)  # the writer reconnected by itself
    finally:
        load.end()
        log = server.output()
        server.stop()
    assert 503 in load.statuses[:during], "the outage was never seen"
    assert set(load.statuses) <= {201, 503}
    assert "Traceback" not in log
    rows = stored_ids(url)
    missing = set(load.acknowledged) - rows
    assert not missing, f"{len(missing)} of {len(load.acknowledged)} acknowledged lost"
    print(f"\n{len(load.acknowledged)} acknowledged ({at_crash} before the crash), "
          f"{load.statuses.count(503)} answers 503 while PostgreSQL was down, none lost")


class HeldPostgresStore(PostgresStore):
    """Its writer holds its first batch until released, so the rest arrive as one batch."""

    def __init__(self, url: str) -> None:
        self.gate, self.entered, self.writes = threading.Event(), threading.Event(), []
        super().__init__(url)

    def _write(self, batch):
        self.entered.set()
        self.gate.wait(10)
        self.writes.append(len(batch))
        return super()._write(batch)


def submission(comments: str, answers: str | None = None) -> Submission:
    answers = answers or json.dumps({**GOOD, "comments": comments}, ensure_ascii=False)
    return Submission(str(uuid.uuid4()), small.survey.id, small.survey.version, now(), "zh",
                      answers)


def test_a_row_postgresql_refuses_fails_alone_in_its_batch(cluster):
    url = cluster.database("isolation")
    store = HeldPostgresStore(url)
    bad = {10: "{not json", 70: None}  # refused by PostgreSQL's json type; by psycopg's UTF-8
    try:
        first = store.submit(submission("first"))
        assert store.entered.wait(10)  # the writer holds it: the rest queue up
        batch = [submission("lone \ud800", bad[i]) if i in bad else submission(f"honest {i}")
                 for i in range(100)]
        futures = [store.submit(s) for s in batch]
        store.gate.set()
        assert first.result(30).created
        outcomes = []
        for future in futures:
            try:
                outcomes.append(future.result(30))
            except Unstorable as error:
                outcomes.append(error)
    finally:
        store.close()
    assert store.writes[:2] == [1, 100]
    assert [i for i, o in enumerate(outcomes) if isinstance(o, Unstorable)] == sorted(bad)
    assert stored_ids(url) == {first.result().stored.submission_id} | {
        s.submission_id for i, s in enumerate(batch) if i not in bad}


def test_survey_import_reads_a_postgresql_store(cluster, tmp_path):
    url = cluster.database("importing")
    store = PostgresStore(url)
    try:
        posted = [sample_answers(small, random.Random(seed)) for seed in range(12)]
        for answers in posted:
            store.save(Submission(str(uuid.uuid4()), small.survey.id, small.survey.version,
                                  now(), "zh", json.dumps(answers, ensure_ascii=False)))
    finally:
        store.close()
    out = tmp_path / "clean.parquet"
    done = invoke("import", url, "-q", SMALL, "-o", out)
    assert done.exit_code == 0, done.output
    shown = url.replace(f":{PASSWORD}@", ":***@")
    assert done.stdout.startswith(f"read {shown} as postgresql: 12 respondents")
    assert PASSWORD not in done.output
    frame = pd.read_parquet(out)
    assert len(frame) == 12
    assert read_store(url, small).frame["respondent_id"].tolist() == frame["respondent_id"].tolist()
    as_json = invoke("import", url, "-q", SMALL, "-o", tmp_path / "again.csv", "--json")
    assert json.loads(as_json.stdout)["format"] == "postgresql"
    assert PASSWORD not in as_json.stdout


@pytest.mark.parametrize(("where", "message"), [
    ("nobody", "cannot read the store: connection failed"),
    ("wrong-password", "password authentication failed"),
    ("not-a-store", 'relation "submissions" does not exist'),
])
def test_survey_import_of_an_unusable_store_is_one_line(cluster, tmp_path, where, message):
    url = {"nobody": "postgresql://x:secret-pw@127.0.0.1:1/x",
           "wrong-password": f"postgresql://postgres:secret-pw@127.0.0.1:{cluster.port}/postgres",
           }.get(where) or cluster.database("nostore")
    done = invoke("import", url, "-q", SMALL, "-o", tmp_path / "x.parquet")
    assert done.exit_code == 2, done.output
    assert len(done.stderr.splitlines()) == 1 and message in done.stderr, done.stderr
    assert "secret-pw" not in done.stderr and PASSWORD not in done.stderr
