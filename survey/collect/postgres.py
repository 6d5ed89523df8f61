"""The collection store in PostgreSQL: the SQLite store's table and semantics, for a team server.

One row per submission in ``submissions`` (submission id primary key, questionnaire id and
version, received time as ``timestamptz``, language, answers as ``json``). ``json`` rather than
``jsonb`` keeps the answers' canonical text byte for byte, so a resubmission is compared exactly as
in SQLite (same id and same text: the same 201; other text: 409); cast to ``jsonb`` to query it.
One writer thread commits the waiting submissions in one transaction (group commit) with the
server's default ``synchronous_commit = on``: no one is answered before their row is durable.
Readers (monitor, export) open their own connections. Needs psycopg 3.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from survey.collect.submissions import FORMAT_MARK, GroupCommitter, Outcome, Submission

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS submissions (
        submission_id text PRIMARY KEY,
        questionnaire_id text NOT NULL,
        questionnaire_version text NOT NULL,
        received timestamptz NOT NULL,
        language text,
        answers json NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS submissions_received ON submissions (received)",
    "CREATE TABLE IF NOT EXISTS store_info (key text PRIMARY KEY, value text NOT NULL)",
]
# The received time as the SQLite store writes it: UTC, ISO 8601 with milliseconds.
_RECEIVED = """to_char(received AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"""
_COLUMNS = ("submission_id, questionnaire_id, questionnaire_version, "
            f"{_RECEIVED}, language, answers::text")


def is_postgres_url(db: str) -> bool:
    return db.split("://", 1)[0].lower() in ("postgres", "postgresql") and "://" in db


def describe(url: str) -> str:
    """The URL without its password, to name the database in messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def _connect(url: str, **options: Any):
    import psycopg

    return psycopg.connect(url, connect_timeout=10, application_name="survey serve", **options)


def prepare(url: str) -> None:
    """Connect once and create the tables if needed: raises psycopg.Error (or ImportError)."""
    with _connect(url, autocommit=True) as connection:
        _create(connection)


def _create(connection) -> None:
    import psycopg

    with connection.transaction():
        # Two servers starting at once may both try to create the tables: serialise them.
        connection.execute("SELECT pg_advisory_xact_lock(hashtext('worker-survey store'))")
        for statement in SCHEMA:
            connection.execute(statement)
        connection.execute("INSERT INTO store_info VALUES ('format', %s) ON CONFLICT DO NOTHING",
                           (FORMAT_MARK,))
    row = connection.execute("SELECT value FROM store_info WHERE key = 'format'").fetchone()
    if row[0] != FORMAT_MARK:
        raise psycopg.DataError(f"store_info says '{row[0]}': this database holds something "
                                "other than worker-survey submissions")


class PostgresStore(GroupCommitter):
    """The submissions table of one PostgreSQL database, with a group-committing writer thread."""

    def __init__(self, url: str) -> None:
        import psycopg

        # NUL in text, a value out of range: this submission's fault, not the database's
        self.DATA_ERRORS = (*GroupCommitter.DATA_ERRORS, psycopg.DataError)
        self.url = url
        self._writer = _connect(url, autocommit=True)
        _create(self._writer)
        super().__init__()

    def _close_writer(self) -> None:
        self._writer.close()

    def _write(self, batch: list[Submission]) -> list[Outcome]:
        if self._writer.closed or self._writer.broken:  # the server restarted: try again
            self._writer = _connect(self.url, autocommit=True)
        outcomes = []
        with self._writer.transaction():
            for submission in batch:
                created = self._writer.execute(
                    "INSERT INTO submissions VALUES (%s, %s, %s, %s, %s, %s) "
                    "ON CONFLICT (submission_id) DO NOTHING",
                    (submission.submission_id, submission.questionnaire_id,
                     submission.questionnaire_version,
                     datetime.fromisoformat(submission.received), submission.language,
                     submission.answers)).rowcount == 1
                if created:
                    outcomes.append(Outcome(submission, True))
                else:
                    row = self._writer.execute(
                        f"SELECT {_COLUMNS} FROM submissions WHERE submission_id = %s",
                        (submission.submission_id,)).fetchone()
                    outcomes.append(Outcome(Submission(*row), False))
        return outcomes

    def submissions(self) -> Iterator[Submission]:
        return submissions(self.url)

    def counts_by_day(self) -> list[tuple[str, str, int]]:
        return counts_by_day(self.url)

    def recent(self, limit: int = 20) -> list[Submission]:
        return recent(self.url, limit)


def submissions(url: str) -> Iterator[Submission]:
    """Every stored submission, oldest first."""
    with _connect(url) as connection:
        cursor = connection.cursor(name="submissions")  # server-side: rows in batches
        cursor.execute(f"SELECT {_COLUMNS} FROM submissions ORDER BY received, submission_id")
        for row in cursor:
            yield Submission(*row)


def counts_by_day(url: str) -> list[tuple[str, str, int]]:
    """(UTC day, questionnaire version, number of submissions) for every day with submissions."""
    with _connect(url) as connection:
        rows = connection.execute(
            "SELECT to_char(received AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, "
            "questionnaire_version, count(*) FROM submissions "
            "GROUP BY 1, 2 ORDER BY 1, 2").fetchall()
    return [(day, version, int(n)) for day, version, n in rows]


def recent(url: str, limit: int = 20) -> list[Submission]:
    """The latest submissions, newest first."""
    with _connect(url) as connection:
        rows = connection.execute(f"SELECT {_COLUMNS} FROM submissions ORDER BY received DESC, "
                                  "submission_id DESC LIMIT %s", (limit,)).fetchall()
    return [Submission(*row) for row in rows]
