"""The column mapping of an import as a user sees it: a terminal table, a CSV, and its warnings.

Readers that match columns (the platform exports, and CSV, xlsx, .sav, .dta and SAS through
`survey.readers.named`) attach their mapping table to the Responses (`export_table.attach`); our
own Parquet and the collection server's SQLite are read by our layout's names and have none.
"""

from __future__ import annotations

import inspect

import pandas as pd

from survey.files.source import Problem
from survey.readers import READERS
from survey.readers.export_table import import_notes
from survey.responses.dataset import Responses

SHOWN = ["position", "column", "variable", "option", "matched_by", "warning"]


def accepts(format: str, option: str) -> bool:
    """Whether the reader registered as `format` takes the keyword option `option`."""
    parameters = inspect.signature(READERS[format].reader()).parameters
    return option in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


def mapping_readers() -> list[str]:
    """The formats whose reader takes a mapping file."""
    return [name for name in sorted(READERS) if accepts(name, "mapping")]


def mapping_table(responses: Responses) -> pd.DataFrame | None:
    """source column -> variable/option, how it was matched, and any warning; None if the
    reader matched no columns (our own files)."""
    notes = import_notes(responses.frame)
    return None if notes is None else notes.mapping


def mapping_warnings(responses: Responses, file: str, header_line: int = 1) -> list[Problem]:
    """The mapping's warnings, located at the file's header row and the column's position."""
    table = mapping_table(responses)
    if table is None or "warning" not in table:
        return []
    flagged = table[table["warning"] != ""]
    return [Problem(file, header_line, int(row.position), "stem-differs", row.warning)
            for row in flagged.itertuples()]


def mapping_text(table: pd.DataFrame) -> str:
    """The table as aligned text, one source column a line (wide cells are not cut)."""
    shown = table[SHOWN].copy()
    shown["variable"] = shown["variable"].fillna("-")
    shown["option"] = shown["option"].map(lambda v: "" if v is None or v != v else str(v))
    shown["warning"] = shown["warning"].map(lambda w: f"! {w}" if w else "")
    shown = shown.astype(str)
    widths = {c: max(len(c), *(shown[c].map(len))) if len(shown) else len(c)
              for c in SHOWN[:-1]}
    lines = ["  ".join(c.ljust(widths.get(c, 0)) for c in SHOWN).rstrip()]
    for row in shown.itertuples(index=False):
        cells = [str(getattr(row, c)).ljust(widths.get(c, 0)) for c in SHOWN]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
