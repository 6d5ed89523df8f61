"""Zip archives (xlsx workbooks, ODK Central's downloads) checked before anything is unpacked.

A zip bomb posing as an export packs gigabytes of repeated bytes into a few megabytes; openpyxl
and our CSV reader would inflate it all. Each member's declared size is checked first: Python's
zipfile never inflates a member past the size it declares (it stops there, and a member that
claims less than it holds fails its CRC), so the check bounds what any reader unpacks.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from survey.files.source import Problem, SourceError

MAX_RATIO = 200  # unpacked per packed byte; honest sheets and CSVs pack 5 to 20 times
SMALL_MEMBER = 10_000_000  # members that unpack to less are never refused


def check_archive(path: str | Path, file: str, code: str, member: str | None = None) -> None:
    """Raise a SourceError (`code`) when a member (or `member` only) would unpack to more than
    SMALL_MEMBER bytes at more than MAX_RATIO times its packed size. A file that is no zip
    archive is left to the reader, which says so in its own words."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist() if member is None else [archive.getinfo(member)]
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError):
        return
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > SMALL_MEMBER and ratio > MAX_RATIO:
            raise SourceError([Problem(file, 1, 1, code, f"the archive member '{info.filename}' "
                                       f"would unpack {info.compress_size:,} bytes into "
                                       f"{info.file_size:,} ({ratio:,.0f} times; honest exports "
                                       "pack 5 to 20 times): a zip bomb, not an export")])
