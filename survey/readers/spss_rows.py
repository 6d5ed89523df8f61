"""A .sav file's cells read by pyreadstat, split by rows over two or more processes when large.

pyreadstat makes a Python object of every cell (about 0.2 microseconds each, in one process): a
million respondents by sixty variables take it 10 s of one core, more than all our casting. A file
of more than SPLIT_CELLS cells is therefore read in row ranges, the first in this process and the
others at the same time in forked ones, one per core. Numeric columns are written by each process
into one block of memory shared with its children, text and dates sent back; the frame is made as
pyreadstat makes its own (a DataFrame of a dict of arrays), so it is the one a single read gives,
values and dtypes alike. Smaller files, systems without a safe `fork` (none on Windows, unsafe on
macOS; a spawned child would import the caller's script again) and daemonic processes (which may
not start children) read in one process, as does a file whose header does not say how many rows
it has.
"""

from __future__ import annotations

import mmap
import multiprocessing
import os
import sys

import numpy as np
import pandas as pd
import pyreadstat

# Each process reads at least this many cells: on 2 idle cores a split of 300,000 cells ends in
# about 0.7 of one read's time, of 120,000 no sooner, forking costing 10-15 ms
# (docs/reference/performance.md).
SPLIT_CELLS = 150_000
MAX_PROCESSES = 4
# what a file can make pyreadstat raise: damage or a foreign format (ReadstatError), a file that
# cannot be opened (PyreadstatError, OSError)
UNREADABLE = (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, OSError)


def read_sav(path: str, meta=None) -> tuple[pd.DataFrame, object]:
    """(frame, metadata) as `pyreadstat.read_sav(path, user_missing=True)` gives them; `meta`:
    the file's metadata when read already.

    A split read that fails (a process that cannot start or was killed, a range pyreadstat
    cannot read) is done again in one process, whose error, if the file is the cause, is the
    one raised; an error of this module's own is not hidden behind that second read."""
    if meta is None:
        _, meta = pyreadstat.read_sav(path, metadataonly=True, user_missing=True)
    ranges = row_ranges(meta.number_rows, len(meta.column_names), processes())
    if len(ranges) > 1:
        types = getattr(meta, "readstat_variable_types", None) or {}
        numbers = [name for name, kind in types.items() if kind == "double"]
        try:
            return read_ranges(path, ranges, numbers), meta
        except (RuntimeError, *UNREADABLE):  # a child that could not start or was killed
            pass  # read again below, in one process
    frame, _ = pyreadstat.read_sav(path, user_missing=True)
    return frame, meta


def processes() -> int:
    """How many processes may read: the cores this one may run on, when it may fork. (Busy
    cores are counted too: on a loaded machine a split gained as often as it lost, measured in
    docs/reference/performance.md, and on idle ones it saves a third.)"""
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


def read_ranges(path: str, ranges: list[tuple[int, int]],
                numbers: list[str] | None = None) -> pd.DataFrame:
    """The rows of every range, the first read here and the others in forked processes.

    The columns named in `numbers` (the file's numeric variables; pyreadstat gives float64 for
    all but dates) are written by every process straight into one block of memory shared with
    its children, which is the frame's own: nothing to send back, join or copy again. Other
    columns (text, dates) are sent back and joined."""
    rows = ranges[-1][0] + ranges[-1][1]
    numbers = numbers or []
    shared = mmap.mmap(-1, max(1, len(numbers) * rows * 8))  # anonymous, shared with children
    block = np.frombuffer(shared, np.float64, len(numbers) * rows).reshape(len(numbers), rows)
    slots = {name: i for i, name in enumerate(numbers)}
    context = multiprocessing.get_context("fork")
    children = []
    try:
        for first, count in ranges[1:]:
            receive, send = context.Pipe(duplex=False)
            child = context.Process(target=_send_columns, daemon=True,
                                    args=(send, path, (first, count), block, slots))
            child.start()
            send.close()
            children.append((child, receive))
        parts = [_columns(path, ranges[0], block, slots)]
        for _child, receive in children:
            parts.append(_received(receive))
    finally:
        for child, receive in children:
            receive.close()
            child.join(timeout=1)
            if child.is_alive():
                child.kill()
                child.join()
    columns = {}
    for name in parts[0]:
        found = [part[name] for part in parts]
        if all(f is None for f in found):
            columns[name] = block[slots[name]]  # a view: the frame is the shared block
        else:  # text and dates, or (never in a .sav) a column placed in one range only
            columns[name] = np.concatenate([
                block[slots[name], first:first + count] if f is None else f
                for f, (first, count) in zip(found, ranges, strict=True)])
    return pd.DataFrame(columns, copy=False)  # as pyreadstat's DataFrame.from_dict, unjoined


def _columns(path: str, rows: tuple[int, int], block: np.ndarray,
             slots: dict[str, int]) -> dict[str, np.ndarray | None]:
    """{column: its values} of the range `rows` (first, count) (None for a numeric column
    written into `block`), in the file's order; text and dates as objects, as pyreadstat holds
    them."""
    first, count = rows
    frame, _ = pyreadstat.read_sav(path, user_missing=True, row_offset=first, row_limit=count)
    found: dict[str, np.ndarray | None] = {}
    for name in frame.columns:
        values = frame[name]
        if name in slots and values.dtype == np.float64:
            block[slots[name], first:first + count] = values.to_numpy()
            found[str(name)] = None  # in the block
        else:
            found[str(name)] = values.to_numpy(dtype=np.float64 if values.dtype == np.float64
                                               else object)
    return found


def _send_columns(send, path: str, rows: tuple[int, int], block: np.ndarray,
                  slots: dict[str, int]) -> None:
    """The child's work: its range's columns, or the error that stopped it, sent back."""
    try:
        send.send(_columns(path, rows, block, slots))
    except Exception as error:  # sent back and raised there, where it is reported
        send.send(RuntimeError(str(error)))
    finally:
        send.close()


def _received(receive) -> dict[str, np.ndarray | None]:
    try:
        found = receive.recv()
    except EOFError:  # the child died without a word (killed, out of memory)
        raise RuntimeError("a process reading part of the file stopped") from None
    if isinstance(found, Exception):
        raise found
    return found
