"""Outputs are written whole or not at all: into a temporary file beside the target, then moved.

A reader never sees half a file, and a failure (bad input found late, a full disk, Ctrl-C)
leaves the previous file, or none, in place. Every writer of the project goes through here.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from survey.errors import SurveyError


class OutputError(SurveyError):
    """An output that cannot be written (no such folder, no permission, a full disk)."""

    code = "cannot-write"


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `target` (same suffix, for writers that look at it); it
    replaces `target` when the block ends without an error, and is removed otherwise."""
    target = Path(target)
    if not target.parent.is_dir():
        raise OutputError(f"the folder {target.parent} does not exist", location=str(target))
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".part{target.suffix}",
                                    dir=target.parent)
    except OSError as error:
        raise OutputError(f"cannot write: {error.strerror or error}",
                          location=str(target)) from None
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        os.replace(temporary, target)
    except OSError as error:
        raise OutputError(f"cannot write: {error.strerror or error}",
                          location=str(target)) from error
    finally:
        temporary.unlink(missing_ok=True)


def write_atomic(path: str | Path, data: bytes | str, encoding: str = "utf-8") -> Path:
    """Write bytes or text to `path` whole or not at all, flushed to the disk."""
    payload = data.encode(encoding) if isinstance(data, str) else data
    with atomic_path(path) as temporary:
        with open(temporary, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
    return Path(path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
