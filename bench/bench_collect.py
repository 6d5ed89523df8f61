"""Collection server throughput and latency: N concurrent clients posting to a loopback server.

    python bench/bench_collect.py [--clients 50] [--requests 5000] [--questionnaire reference]

Starts `survey serve` in a subprocess on a free loopback port with a new SQLite file, posts valid
random submissions (made before timing starts) from `--clients` threads, each with its own
keep-alive httpx connection, and reports requests per second and the p50/p99 latency of
acknowledged posts (each acknowledged only after its row is committed with synchronous=FULL).
The client runs on the same 2 cores as the server, so the figures are a floor.
"""

from __future__ import annotations

import argparse
import json
import queue
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from collect_helpers import REFERENCE, SMALL, Server, envelope, sample_answers  # noqa: E402

from survey.questionnaire.loader import load_questionnaire  # noqa: E402


def run(url: str, bodies: list[bytes], clients: int) -> tuple[list[float], list[int]]:
    """Post every body from `clients` threads, each with its own keep-alive connection."""
    work: queue.SimpleQueue[bytes] = queue.SimpleQueue()
    for body in bodies:
        work.put(body)
    latencies: list[float] = []
    statuses: list[int] = []

    def client() -> None:
        with httpx.Client(timeout=60, headers={"content-type": "application/json"}) as http:
            while True:
                try:
                    body = work.get_nowait()
                except queue.Empty:
                    return
                started = time.perf_counter()
                status = http.post(url, content=body).status_code
                latencies.append(time.perf_counter() - started)
                statuses.append(status)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--questionnaire", choices=["reference", "small"], default="reference")
    args = parser.parse_args()
    path = REFERENCE if args.questionnaire == "reference" else SMALL
    questionnaire = load_questionnaire(path)
    rng = random.Random(1)
    bodies = [json.dumps(envelope(questionnaire, sample_answers(questionnaire, rng))).encode()
              for _ in range(args.requests)]
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.sqlite"
        server = Server(path, db)
        try:
            started = time.perf_counter()
            latencies, statuses = run(server.url + "/submissions", bodies, args.clients)
            elapsed = time.perf_counter() - started
        finally:
            server.stop()
        connection = sqlite3.connect(db)
        stored = connection.execute("SELECT count(*) FROM submissions").fetchone()[0]
        connection.close()
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    size = sum(map(len, bodies)) / len(bodies)
    print(f"questionnaire {questionnaire.survey.id} ({len(questionnaire.items)} variables), "
          f"mean body {size:.0f} bytes")
    print(f"{args.clients} clients, {len(bodies)} posts in {elapsed:.2f} s: "
          f"{len(bodies) / elapsed:.0f} submissions/s")
    print(f"latency p50 {cuts[49] * 1000:.1f} ms, p99 {cuts[98] * 1000:.1f} ms, "
          f"max {max(latencies) * 1000:.1f} ms")
    print(f"statuses {sorted(set(statuses))}, rows stored {stored}")
    if set(statuses) != {201} or stored != len(bodies):
        raise SystemExit("some posts were not stored")


if __name__ == "__main__":
    main()
