"""Property-based fuzzing of POST /submissions (hypothesis): whatever is sent, the answer is never
a 5xx, a 4xx stores nothing, a 201 is stored as sent, and the store still exports afterwards.

Bodies are valid submissions bent by a few mutations (any JSON value put anywhere, including
lone surrogates, 400-digit integers, deep nesting, thousands of keys, long keys), valid JSON of
any shape, and arbitrary bytes. In-process: the TestClient re-raises any exception of the app.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
import uuid

from collect_helpers import SMALL, TOKEN, envelope, sample_answers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from survey.collect.app import create_app
from survey.collect.validation import given_answers
from survey.questionnaire.loader import load_questionnaire

small = load_questionnaire(SMALL)
EXAMPLES = int(os.environ.get("SURVEY_FUZZ_EXAMPLES", "800"))  # more for a long hunt
FIELDS = ["submission_id", "questionnaire_id", "questionnaire_version", "language", "answers"]

any_text = st.text(st.characters(exclude_categories=()), max_size=20)  # surrogates too
names = st.sampled_from([*small.items, "workplace__6_text", "__proto__", ""]) | any_text
leaves = (st.none() | st.booleans() | st.integers() | st.integers(10**399, 10**400)
          | st.integers(2**53 - 2, 2**53 + 2) | st.floats(allow_nan=False) | any_text
          | st.sampled_from(["income", "pension", "none", "2020-02-29", "0001-01-01", 6, 99])
          | st.integers(1, 50).map(lambda n: "x" * (n * 1000)))
json_values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(names, inner, max_size=4), max_leaves=12)


def deep(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


hostile = (json_values | st.integers(1, 200).map(deep)
           | st.integers(0, 20_000).map(lambda n: {f"{i:x}": 0 for i in range(n)})
           | st.integers(1, 200_000).map(lambda n: {"k" * n: 1}))


@st.composite
def mutation(draw) -> tuple[str, object, object]:
    """One change: (where, key, value); where is answers, envelope, or delete from either."""
    where = draw(st.sampled_from(["answers", "answers", "envelope", "drop-answer", "drop-field"]))
    key = draw(names if where in ("answers", "drop-answer") else
               st.sampled_from(FIELDS) | any_text)
    return where, key, draw(hostile if where in ("answers", "envelope") else st.none())


@st.composite
def submissions(draw) -> tuple[str, bytes]:
    """(how it was made, the body)."""
    kind = draw(st.sampled_from(["mutated", "mutated", "mutated", "valid", "any-json", "bytes",
                                 "deep"]))
    if kind == "bytes":
        return kind, draw(st.binary(max_size=300))
    if kind == "deep":  # deeper than json.dumps itself can write
        depth = draw(st.integers(900, 130_000))
        return kind, b'{"a":' * depth + b"1" + b"}" * depth
    if kind == "any-json":
        data = draw(hostile)
    else:
        data = envelope(small, sample_answers(small, random.Random(draw(st.integers(0, 10**6)))),
                        submission_id=str(uuid.uuid4()))
        for where, key, value in draw(st.lists(mutation(), max_size=3 if kind == "mutated"
                                               else 0)):
            target = data.get("answers") if "answer" in where else data
            if not isinstance(target, dict):
                continue
            if where.startswith("drop"):
                target.pop(key, None)
            else:
                target[key] = value
    # ASCII JSON writes lone surrogates as \ud800 escapes; some bodies raw UTF-8 (surrogatepass)
    raw = draw(st.booleans())
    text = json.dumps(data, ensure_ascii=not raw)
    return kind, text.encode("utf-8", "surrogatepass" if raw else "strict")


def stored(db, submission_id: str) -> str | None:
    with sqlite3.connect(db) as connection:
        row = connection.execute("SELECT answers FROM submissions WHERE submission_id = ?",
                                 (submission_id,)).fetchone()
    return row[0] if row else None


def count(db) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT count(*) FROM submissions").fetchone()[0]


def posted_id(content: bytes) -> str | None:
    """The normalised id of a body that has one (to look it up after a refusal)."""
    try:
        return str(uuid.UUID(str(json.loads(content)["submission_id"])))
    except Exception:
        return None


def test_no_input_gets_a_5xx_and_the_store_holds_exactly_the_201s(tmp_path):
    db = tmp_path / "fuzz.sqlite"
    seen: dict[str, list[int]] = {}
    started = time.monotonic()
    with TestClient(create_app(small, db, TOKEN)) as client:

        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                         HealthCheck.large_base_example])
        @given(submissions())
        def post(made: tuple[str, bytes]) -> None:
            kind, content = made
            before = count(db)
            response = client.post("/submissions", content=content,
                                   headers={"content-type": "application/json"})
            seen.setdefault(kind, []).append(response.status_code)
            assert response.status_code < 500, response.text[:300]
            assert response.status_code in (201, 400, 413, 422), response.text[:300]
            if response.status_code == 201:
                answers = given_answers(json.loads(content)["answers"])
                canonical = json.dumps(answers, ensure_ascii=False, sort_keys=True,
                                       separators=(",", ":"))
                assert stored(db, response.json()["submission_id"]) == canonical
                assert count(db) == before + 1
            else:
                assert len(response.content) <= 8192
                assert count(db) == before
                sid = posted_id(content)
                assert sid is None or stored(db, sid) is None

        post()
        for kind in ("csv", "parquet"):  # what was stored can still be exported
            assert client.get(f"/export.{kind}", params={"token": TOKEN}).status_code == 200
    elapsed = time.monotonic() - started
    total = sum(map(len, seen.values()))
    statuses = sorted({s for v in seen.values() for s in v})
    print(f"\n{total} examples in {elapsed:.1f} s; statuses {statuses}; by kind "
          + ", ".join(f"{k} {len(v)} ({sum(s == 201 for s in v)} stored)"
                      for k, v in sorted(seen.items())))
    assert total >= EXAMPLES  # hypothesis ran them all
    assert sum(s == 201 for v in seen.values() for s in v) >= 20  # honest posts were among them
    assert elapsed < EXAMPLES * 0.075  # 60 s for the 800 of a normal run: about 12 s here
