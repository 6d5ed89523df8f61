"""Outputs are written whole or not at all: into a temporary file beside the target, then moved.

A reader never sees half a file, and a failure (bad input found late, a full disk, Ctrl-C,
SIGTERM) leaves the previous file, or none, in place, and no temporary file: Ctrl-C raises
KeyboardInterrupt, and while an output is staged SIGTERM does too (`cleanup_on_sigterm`), so the
cleanups run; the process then still ends by SIGTERM, as its sender expects. Every writer of the
project goes through here. Outputs get the mode the user's umask gives, not mkstemp's 0600 or
mkdtemp's 0700.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from survey.errors import SurveyError


class OutputError(SurveyError):
    """An output that cannot be written (no such folder, no permission, a full disk)."""

    code = "cannot-write"


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the process was so that cleanups run as for Ctrl-C."""


@contextmanager
def cleanup_on_sigterm() -> Iterator[None]:
    """Within the block, SIGTERM raises Terminated instead of ending the process at once; once
    the block has unwound (its cleanups done), the process ends by SIGTERM after all. Only where
    SIGTERM would have killed the process anyway (its default action, in the main thread): an
    application's own handler is left alone, and so is an outer block of this kind."""
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def terminate(number, frame):
        raise Terminated()

    signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    except Terminated:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)  # delivered now: the default action ends us
        raise
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `target` (same suffix, for writers that look at it); it
    replaces `target` when the block ends without an error, and is removed otherwise."""
    target = Path(target)
    if not target.parent.is_dir():
        raise OutputError(f"the folder {target.parent} does not exist", location=str(target))
    with cleanup_on_sigterm():
        try:
            fd, name = tempfile.mkstemp(prefix=f".{target.stem}.",
                                        suffix=f".part{target.suffix}", dir=target.parent)
        except OSError as error:
            raise OutputError(f"cannot write: {error.strerror or error}",
                              location=str(target)) from None
        os.close(fd)
        temporary = Path(name)
        try:
            yield temporary
            os.chmod(temporary, 0o666 & ~umask())  # mkstemp makes 0600; give the usual mode
            os.replace(temporary, target)
        except OSError as error:
            raise OutputError(f"cannot write: {error.strerror or error}",
                              location=str(target)) from error
        finally:
            temporary.unlink(missing_ok=True)


@contextmanager
def staging_folder(target: str | Path) -> Iterator[Path]:
    """Yield a hidden folder beside `target`, with the mode the umask gives; it is removed when
    the block ends, whatever happened (the caller moves what it wants to keep out of it)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with cleanup_on_sigterm():
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            os.chmod(staging, 0o777 & ~umask())  # mkdtemp makes 0700
            yield staging
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def write_atomic(path: str | Path, data: bytes | str, encoding: str = "utf-8") -> Path:
    """Write bytes or text to `path` whole or not at all, flushed to the disk."""
    payload = data.encode(encoding) if isinstance(data, str) else data
    with atomic_path(path) as temporary:
        with open(temporary, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
    return Path(path)


def umask() -> int:
    """The process's umask (read without changing it where Linux says it, else set back)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0)
    os.umask(mask)
    return mask
