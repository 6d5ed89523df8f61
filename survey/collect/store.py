"""The collection store: one SQLite file, one row per submission, durable before acknowledged.

`SubmissionStore` is what the server needs of any store; `Store` is the SQLite one (the default)
and `survey.collect.postgres.PostgresStore` the PostgreSQL one, with the same semantics.

The database runs in WAL mode with ``synchronous=FULL``, so a committed row survives a crash of
the server or of the machine. One writer thread owns the only writing connection and commits the
submissions waiting for it together (group commit): under load, many submissions share one fsync,
and no caller is answered before the transaction holding its row has committed. Readers open
their own connections (WAL lets them read while the writer writes).

Nothing about the respondent's device or network (IP address, user agent) is stored.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from survey.collect.submissions import (  # noqa: F401  (the store's interface, re-exported)
    FORMAT_MARK,
    GroupCommitter,
    Outcome,
    StoreUnavailable,
    StoreURLError,
    Submission,
    SubmissionStore,
    Unstorable,
    now,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    submission_id TEXT PRIMARY KEY,
    questionnaire_id TEXT NOT NULL,
    questionnaire_version TEXT NOT NULL,
    received TEXT NOT NULL,
    language TEXT,
    answers TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO store_info VALUES ('format', 'worker-survey submissions 1');
"""
def connect(path: str | Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection with the store's settings (WAL, synchronous=FULL, busy timeout)."""
    if readonly and not Path(path).exists():
        raise FileNotFoundError(f"no such store: {path}")
    connection = sqlite3.connect(str(path), timeout=30, isolation_level=None,
                                 check_same_thread=False)
    if not readonly:  # a reader opens read-write so that it can recover a crashed writer's WAL
        connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    return connection


class Store(GroupCommitter):
    """The submissions table of one SQLite file, with a group-committing writer thread."""

    DATA_ERRORS = (*GroupCommitter.DATA_ERRORS, sqlite3.DataError, sqlite3.InterfaceError)

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._writer = connect(self.path)
        self._writer.executescript(SCHEMA)
        super().__init__()

    def submissions(self) -> Iterator[Submission]:
        return submissions(self.path)

    def counts_by_day(self) -> list[tuple[str, str, int]]:
        return counts_by_day(self.path)

    def recent(self, limit: int = 20) -> list[Submission]:
        return recent(self.path, limit)

    def _close_writer(self) -> None:
        self._writer.close()

    def _write(self, batch: list[Submission]) -> list[Outcome]:
        try:
            outcomes = []
            self._writer.execute("BEGIN IMMEDIATE")
            for submission in batch:
                cursor = self._writer.execute(
                    "INSERT OR IGNORE INTO submissions VALUES (?, ?, ?, ?, ?, ?)",
                    (submission.submission_id, submission.questionnaire_id,
                     submission.questionnaire_version, submission.received,
                     submission.language, submission.answers))
                created = cursor.rowcount == 1
                stored = submission if created else _get(self._writer, submission.submission_id)
                outcomes.append(Outcome(stored, created))
            self._writer.execute("COMMIT")
        except Exception:
            if self._writer.in_transaction:
                self._writer.execute("ROLLBACK")
            raise
        return outcomes


def prepare(path: str | Path) -> None:
    """Create the store's tables in `path` (a new or empty file is made a store), or raise
    sqlite3.Error for a file SQLite cannot open or write, and ValueError for an SQLite database
    that is not a store (another program's, or a store of another format), left untouched."""
    if Path(path).is_file() and Path(path).stat().st_size:
        connection = connect(path, readonly=True)  # looks only: no WAL switch, no tables
        try:
            tables = {row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            mark = connection.execute("SELECT value FROM store_info WHERE key = 'format'"
                                      ).fetchone() if "store_info" in tables else None
        finally:
            connection.close()
        if tables and mark is None:
            raise ValueError("an SQLite database of another program (tables: "
                             f"{', '.join(sorted(tables)[:5])}): name a new file for the store")
        if mark is not None and mark[0] != FORMAT_MARK:
            raise ValueError(f"a store of another format ('{mark[0]}'), not '{FORMAT_MARK}'")
    connection = connect(path)
    try:
        connection.executescript(SCHEMA)
    finally:
        connection.close()


def open_store(db: str | Path) -> SubmissionStore:
    """The store for a --db value checked by `survey.collect.server.store_location`: a
    PostgreSQL URL, or an SQLite file."""
    if isinstance(db, str) and "://" in db:
        from survey.collect.postgres import PostgresStore

        return PostgresStore(db)
    return Store(db)


def _get(connection: sqlite3.Connection, submission_id: str) -> Submission:
    row = connection.execute("SELECT * FROM submissions WHERE submission_id = ?",
                             (submission_id,)).fetchone()
    return Submission(*row)


def is_store(path: str | Path) -> bool:
    """Whether a file is a store written by `survey serve` (an SQLite file with our mark).

    The file is only ever opened through SQLite: opening and closing it with another descriptor
    would drop this process's POSIX locks on it, and another process could then delete the WAL
    under a live writer (see "How To Corrupt An SQLite Database File", section 2.2).
    """
    if not Path(path).is_file():
        return False
    try:
        connection = connect(path, readonly=True)
        try:
            row = connection.execute("SELECT value FROM store_info WHERE key = 'format'").fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return False
    return row is not None and row[0] == FORMAT_MARK


def submissions(path: str | Path) -> Iterator[Submission]:
    """Every stored submission, oldest first."""
    connection = connect(path, readonly=True)
    try:
        rows = connection.execute("SELECT * FROM submissions ORDER BY received, submission_id")
        for row in rows:
            yield Submission(*row)
    finally:
        connection.close()


def counts_by_day(path: str | Path) -> list[tuple[str, str, int]]:
    """(day, questionnaire version, number of submissions) for every day with submissions."""
    connection = connect(path, readonly=True)
    try:
        return connection.execute(
            "SELECT substr(received, 1, 10), questionnaire_version, count(*) FROM submissions "
            "GROUP BY 1, 2 ORDER BY 1, 2").fetchall()
    finally:
        connection.close()


def recent(path: str | Path, limit: int = 20) -> list[Submission]:
    """The latest submissions, newest first."""
    connection = connect(path, readonly=True)
    try:
        rows = connection.execute("SELECT * FROM submissions ORDER BY received DESC, "
                                  "submission_id DESC LIMIT ?", (limit,)).fetchall()
    finally:
        connection.close()
    return [Submission(*row) for row in rows]
