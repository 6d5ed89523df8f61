"""Shared by the collection tests and the benchmark: a real server on loopback, valid answers."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx

from survey.collect.validation import other_key
from survey.expressions import evaluate_row, parse
from survey.questionnaire.model import Questionnaire

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "fixtures" / "questionnaires" / "small.yaml"
REFERENCE = ROOT / "questionnaires" / "industrial_workers.yaml"
TOKEN = "test-token-0123456789abcdef"
# A valid set of answers to SMALL, with text that must be kept as text.
GOOD = {"birth_year": 1990, "workplace": 6, "workplace__6_text": "合资企业",
        "concerns": ["housing", "income"], "insurance": ["pension"], "identity_1": 4,
        "start_date": "2020-01-02", "comments": "=1+1 <script>alert('x')</script>"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`survey serve` in a subprocess on a free loopback port."""

    def __init__(self, questionnaire: Path, db: Path | str, token: str = TOKEN,
                 log: Path | None = None, extra: tuple[str, ...] = ()) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = db
        self.log = (log or Path(db).with_suffix(".log")).open("w+b")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", str(questionnaire), "--db", str(db),
             "--port", str(self.port), "--token", token, *extra],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.output()}")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"the server did not start: {self.output()}")
            time.sleep(0.1)

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, sig)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@contextlib.contextmanager
def running(questionnaire: Path, db: Path | str, log: Path | None = None) -> Iterator[Server]:
    server = Server(questionnaire, db, log=log)
    try:
        yield server
    finally:
        server.stop()


def envelope(questionnaire: Questionnaire, answers: dict, submission_id: str | None = None,
             language: str = "zh") -> dict:
    return {"submission_id": submission_id or str(uuid.uuid4()),
            "questionnaire_id": questionnaire.survey.id,
            "questionnaire_version": questionnaire.survey.version,
            "language": language, "answers": answers}


def sample_answers(questionnaire: Questionnaire, rng: random.Random,
                   fixed: dict[str, object] | None = None) -> dict[str, object]:
    """A valid set of answers: random where `fixed` says nothing, skipped questions left out."""
    fixed = fixed or {}
    values: dict[str, object] = {n: None for n, q in questionnaire.items.items() if not q.is_set}
    multi: dict[str, object] = {n: None for n, q in questionnaire.items.items() if q.is_set}
    answers: dict[str, object] = {}
    for name, q in questionnaire.items.items():
        if q.relevant and not evaluate_row(parse(q.relevant).as_condition(), values, multi):
            continue
        if name in fixed:
            value = fixed[name]
        elif q.type in ("single", "scale"):
            value = rng.choice(q.codes)
        elif q.is_set:
            plain = [c for c in q.codes if c not in q.exclusive]
            low = max(q.min_choices or 1, 1)
            high = min(q.max_choices or len(plain), len(plain))
            value = rng.sample(plain, rng.randint(low, high))
            if q.type == "multi":
                value = [c for c in q.codes if c in value]
        elif q.type == "number":
            low, high = int(q.min if q.min is not None else 0), int(q.max or 100)
            value = rng.randint(low, high) if q.integer else rng.randint(low * 2, high * 2) / 2
        elif q.type == "date":
            value = (date(2015, 1, 1) + timedelta(days=rng.randint(0, 3000))).isoformat()
        else:
            value = rng.choice(["很好", "工资太低，希望涨工资", "No comment"])
        if value is None:
            continue
        answers[name] = value
        (multi if q.is_set else values)[name] = value
        chosen = value if isinstance(value, list) else [value]
        if q.other is not None and q.other in chosen:
            answers[other_key(name, q.other)] = fixed.get(other_key(name, q.other), "其他原因")
    return answers
