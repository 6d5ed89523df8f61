"""Concurrency and durability on a real loopback server: 50 clients, and SIGKILL mid-load."""

from __future__ import annotations

import random
import signal
import sqlite3
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
from collect_helpers import SMALL, Server, envelope, running, sample_answers

from survey.questionnaire.loader import load_questionnaire

small = load_questionnaire(SMALL)
CLIENTS, EACH = 50, 100


def stored_ids(db) -> set[str]:
    connection = sqlite3.connect(db)
    try:
        return {row[0] for row in connection.execute("SELECT submission_id FROM submissions")}
    finally:
        connection.close()


def test_50_clients_posting_100_each_leave_exactly_5000_rows(tmp_path):
    def client(number: int) -> list[tuple[str, int]]:
        rng = random.Random(number)
        results = []
        with httpx.Client(timeout=60) as http:
            for _ in range(EACH):
                body = envelope(small, sample_answers(small, rng))
                status = http.post(url, json=body).status_code
                results.append((body["submission_id"], status))
        return results

    started = time.monotonic()
    with running(SMALL, tmp_path / "load.sqlite") as server:
        url = server.url + "/submissions"
        with ThreadPoolExecutor(CLIENTS) as pool:
            results = [r for batch in pool.map(client, range(CLIENTS)) for r in batch]
    assert time.monotonic() - started < 60
    assert {status for _, status in results} == {201}
    ids = stored_ids(tmp_path / "load.sqlite")
    assert len(ids) == CLIENTS * EACH
    assert ids == {sid for sid, _ in results}


def test_sigkill_mid_load_loses_no_acknowledged_submission(tmp_path):
    db = tmp_path / "kill.sqlite"
    server = Server(SMALL, db)
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(number: int) -> None:
        rng = random.Random(number)
        with httpx.Client(timeout=10) as http:
            for _ in range(400):  # bounded; the kill ends it much sooner
                if stop.is_set():
                    return
                body = envelope(small, sample_answers(small, rng), str(uuid.uuid4()))
                try:
                    response = http.post(server.url + "/submissions", json=body)
                except httpx.HTTPError:
                    return
                if response.status_code == 201:
                    with lock:
                        acknowledged.append(response.json()["submission_id"])

    try:
        with ThreadPoolExecutor(20) as pool:
            for number in range(20):
                pool.submit(client, number)
            deadline = time.monotonic() + 20
            while len(acknowledged) < 300 and time.monotonic() < deadline:
                time.sleep(0.02)
            server.kill(signal.SIGKILL)
            stop.set()
    finally:
        server.stop()
    assert server.process.returncode == -signal.SIGKILL
    assert len(acknowledged) >= 300
    missing = set(acknowledged) - stored_ids(db)
    assert not missing, f"{len(missing)} acknowledged submissions lost"
