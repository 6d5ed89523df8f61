"""A .sav file's cells read by pyreadstat, split by rows over two or more processes when large.

pyreadstat makes a Python object of every cell (about 0.2 microseconds each, in one process): a
million respondents by sixty variables take it 10 s of one core, more than all our casting. A file
of more than SPLIT_CELLS cells is therefore read in row ranges, the first in this process and the
others at the same time in forked ones, each sending its columns back as arrays; the ranges'
columns are joined and made a frame as pyreadstat makes its own (`DataFrame.from_dict`), so the
frame is the one a single read gives, dtypes included. Smaller files, systems without `fork`
(Windows, macOS, where a child process would import the caller's script again) and daemonic
processes (which may not start children) read in one process, as does a file whose number of rows
its header does not give.
"""

from __future__ import annotations

import multiprocessing
import os
import sys

import numpy as np
import pandas as pd
import pyreadstat

# Below about 150,000 cells a split saves less than forking and sending the arrays back cost
# (measured on a 2-core machine: docs/reference/performance.md).
SPLIT_CELLS = 150_000
MAX_PROCESSES = 4


def read_sav(path: str) -> tuple[pd.DataFrame, object]:
    """(frame, metadata) as `pyreadstat.read_sav(path, user_missing=True)` gives them.

    A split read that fails for any reason (a process that cannot start or was killed) is done
    again in one process, whose error, if the file is the cause, is the one raised."""
    _, meta = pyreadstat.read_sav(path, metadataonly=True, user_missing=True)
    ranges = row_ranges(meta.number_rows, len(meta.column_names), processes())
    if len(ranges) > 1:
        try:
            return read_ranges(path, ranges), meta
        except Exception:  # read again below, in one process
            pass
    frame, _ = pyreadstat.read_sav(path, user_missing=True)
    return frame, meta


def processes() -> int:
    """How many processes may read: the cores this one may run on, when it may fork."""
    forks = "fork" in multiprocessing.get_all_start_methods()
    if sys.platform in ("win32", "darwin") or not forks or multiprocessing.current_process().daemon:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, MAX_PROCESSES))


def row_ranges(rows: int | None, columns: int, processes: int) -> list[tuple[int, int]]:
    """(first row, number of rows) of each process's share: one range below SPLIT_CELLS cells
    per process, or when the header does not say how many rows there are."""
    if rows is None or rows <= 0:
        return [(0, 0)]
    parts = max(1, min(processes, rows * max(columns, 1) // SPLIT_CELLS, rows))
    bounds = [rows * i // parts for i in range(parts + 1)]
    return [(bounds[i], bounds[i + 1] - bounds[i]) for i in range(parts)]


def read_ranges(path: str, ranges: list[tuple[int, int]]) -> pd.DataFrame:
    """The rows of every range, the first read here and the others in forked processes."""
    context = multiprocessing.get_context("fork")
    children = []
    try:
        for first, count in ranges[1:]:
            receive, send = context.Pipe(duplex=False)
            child = context.Process(target=_send_columns, args=(send, path, first, count),
                                    daemon=True)
            child.start()
            send.close()
            children.append((child, receive))
        parts = [_columns(path, *ranges[0])]
        for _child, receive in children:
            parts.append(_received(receive))
    finally:
        for child, receive in children:
            receive.close()
            child.join(timeout=1)
            if child.is_alive():
                child.kill()
                child.join()
    names = list(parts[0])
    return pd.DataFrame.from_dict({name: np.concatenate([part.pop(name) for part in parts])
                                   for name in names})


def _columns(path: str, first: int, count: int) -> dict[str, np.ndarray]:
    """{column: its values} of `count` rows from `first`, as pyreadstat holds them (float64 for
    numbers, objects for text and dates)."""
    frame, _ = pyreadstat.read_sav(path, user_missing=True, row_offset=first, row_limit=count)
    return {str(name): frame[name].to_numpy(dtype=object if frame[name].dtype != np.float64
                                            else np.float64)
            for name in frame.columns}


def _send_columns(send, path: str, first: int, count: int) -> None:
    """The child's work: its range's columns, or the error that stopped it, sent back."""
    try:
        send.send(_columns(path, first, count))
    except Exception as error:  # sent back and raised there, where it is reported
        send.send(RuntimeError(str(error)))
    finally:
        send.close()


def _received(receive) -> dict[str, np.ndarray]:
    try:
        found = receive.recv()
    except EOFError:  # the child died without a word (killed, out of memory)
        raise RuntimeError("a process reading part of the file stopped") from None
    if isinstance(found, Exception):
        raise found
    return found
