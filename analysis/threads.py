"""Threads for the aggregation passes over a large sample.

numpy's bincount and matrix products release the GIL, so the passes of one banner over a
million respondents (a weighted bincount per `by` variable and plane) can run on every core of
the machine at once; their results are the same to the bit, since each pass is computed whole by
one thread. Small samples stay in line: there a pass takes microseconds and a thread's hand-off
costs more. The standard library only, so that `workers` may import it cheaply.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_FROM = 200_000  # respondents: from here a pass takes milliseconds
PREFIX = "survey-pass"

_pool: ThreadPoolExecutor | None = None


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
        else os.cpu_count() or 1


def passes(work: Callable[[T], R], items: Iterable[T], respondents: int) -> list[R]:
    """[work(x) for x in items], on a thread per core when `respondents` make the passes worth
    it; in line in a pass's own thread (no pool waits on itself) and on one core."""
    items = list(items)
    if (respondents < PARALLEL_FROM or len(items) < 2 or cores() < 2
            or threading.current_thread().name.startswith(PREFIX)):
        return [work(x) for x in items]
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(cores(), thread_name_prefix=PREFIX)
    return list(_pool.map(work, items))


def _forget_pool() -> None:
    """A forked child has none of its parent's threads: it starts its own pool if it needs one."""
    global _pool
    _pool = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)
