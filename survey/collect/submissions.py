"""What every submission store shares: the stored row, the outcome of storing it, the protocol
the server needs, and the group-committing writer thread (SQLite and PostgreSQL alike).

No store module imports another: `survey.collect.store` (SQLite, with `open_store`) and
`survey.collect.postgres` both build on this one.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from survey.errors import SurveyError

FORMAT_MARK = "worker-survey submissions 1"
_BATCH = 256


@dataclass(frozen=True)
class Submission:
    """One stored submission; ``answers`` is the JSON text exactly as stored."""

    submission_id: str
    questionnaire_id: str
    questionnaire_version: str
    received: str
    language: str | None
    answers: str

    def answers_dict(self) -> dict[str, Any]:
        return json.loads(self.answers)


@dataclass(frozen=True)
class Outcome:
    """What storing gave: the submission as stored, and whether this call created it."""

    stored: Submission
    created: bool


class SubmissionStore(Protocol):
    """What the server needs of a store: queue a submission and hear once its row is committed
    (or was already there: the first stored submission with that id wins), and read back."""

    def submit(self, submission: Submission) -> Future[Outcome]: ...

    def save(self, submission: Submission) -> Outcome: ...

    def close(self) -> None: ...

    def submissions(self) -> Iterator[Submission]:
        """Every stored submission, oldest first."""
        ...

    def counts_by_day(self) -> list[tuple[str, str, int]]:
        """(UTC day, questionnaire version, number of submissions), by day and version."""
        ...

    def recent(self, limit: int = 20) -> list[Submission]:
        """The latest submissions, newest first."""
        ...


def now() -> str:
    """The received time: UTC, ISO 8601 with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class StoreURLError(SurveyError):
    """A store address naming a database that cannot be used (served or read)."""

    code = "bad-store"


class Unstorable(SurveyError):
    """A submission the store cannot hold (its text cannot be encoded, say): refused alone."""

    code = "unstorable"


class StoreUnavailable(SurveyError):
    """The store failed for a reason of its own (disk, connection): the client may retry."""

    code = "store-unavailable"


class GroupCommitter:
    """A writer thread that commits the submissions waiting for it together (group commit).

    Subclasses write one batch in one transaction (`_write`), close their connection
    (`_close_writer`) and name the errors that mean a submission's own data cannot be stored
    (`DATA_ERRORS`); no future resolves before the transaction holding its row has committed.
    When a batch fails on such an error it is split and retried, so the one bad submission fails
    alone (`Unstorable`) and the others are stored; any other error fails the batch
    (`StoreUnavailable`: retrying the same rows apart would only fail again, slower).
    """

    DATA_ERRORS: tuple[type[BaseException], ...] = (UnicodeError, ValueError, TypeError,
                                                    OverflowError)

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[Submission, Future[Outcome]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="store-writer", daemon=True)
        self._thread.start()

    def submit(self, submission: Submission) -> Future[Outcome]:
        """Queue a submission; the future resolves once its row is committed (or was there).
        It cannot be cancelled: a caller that stops waiting leaves the write to finish."""
        future: Future[Outcome] = Future()
        future.set_running_or_notify_cancel()
        self._queue.put((submission, future))
        return future

    def save(self, submission: Submission) -> Outcome:
        """Store a submission and wait for the commit."""
        return self.submit(submission).result()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        self._close_writer()

    def _write(self, batch: list[Submission]) -> list[Outcome]:
        raise NotImplementedError

    def _close_writer(self) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < _BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)
                    break
                batch.append(more)
            try:
                self._commit(batch)
            except BaseException as error:  # the thread must live: every caller still hears
                for _, future in batch:
                    if not future.done():
                        future.set_exception(StoreUnavailable(f"the store failed: {error!r}"))

    def _commit(self, batch: list[tuple[Submission, Future[Outcome]]]) -> None:
        """Write `batch` in one transaction; on a data error, halves apart until it is found."""
        try:
            outcomes = self._write([submission for submission, _ in batch])
        except self.DATA_ERRORS as error:
            if len(batch) > 1:
                self._commit(batch[:len(batch) // 2])
                self._commit(batch[len(batch) // 2:])
            else:
                batch[0][1].set_exception(Unstorable(f"the store cannot hold this submission: "
                                                     f"{type(error).__name__}: {error}"))
            return
        except Exception as error:  # every waiting caller hears of the failure
            for _, future in batch:
                future.set_exception(StoreUnavailable(f"the store failed: {error}"))
            return
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            future.set_result(outcome)
