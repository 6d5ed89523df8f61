"""A catalogue of hostile exports: sparse and bombed workbooks, huge cells, NUL bytes, absurd
widths, garbage posing as a known format. Each is refused with its code at FILE:LINE:COLUMN (its
real row and column) in at most two seconds, and by `survey import` with exit 2, that one line
and nothing written; a workbook that is only sparse, not wrong, is read in proportion to what
it holds.
"""

from __future__ import annotations

import csv
import re
import tempfile
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from cli_helpers import invoke
from export_samples import SMALL, edit_csv, header_index, questionnaire, responses

from survey.files.source import SourceError
from survey.readers import read_responses
from survey.readers.export_table import first_rows, sheet_headers
from survey.simulation.exports import write_kobo, write_wjx
from survey.writers import write_responses

Q = questionnaire()
HUGE = "9" * 5_000_000  # a 5 MB cell
WJX_BIRTH = 6  # 0-based column of 1、出生年份 in the 按序号 CSV of export_samples.responses()


def wjx_csv(tmp: Path, edits: dict | None = None) -> Path:
    path = write_wjx(responses(), tmp / "123_按序号_小问卷_4_4.csv", encoding="utf-8-sig")
    return edit_csv(path, edits or {})


def csv_rows(path: Path, encoding: str = "utf-8-sig") -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as handle:
        return list(csv.reader(handle))


def as_xlsx(rows: list[list[object]], path: Path, far: dict[tuple[int, int], str] | None = None
            ) -> Path:
    """A workbook of `rows` (sheet row 1 first) and of cells written far out, by (row, column)."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for (row, column), value in (far or {}).items():
        sheet.cell(row=row, column=column, value=value)
    book.save(path)
    return path


def wjx_xlsx(tmp: Path, edits: dict | None = None, far: dict | None = None) -> Path:
    rows = csv_rows(wjx_csv(tmp, edits))
    return as_xlsx(rows, tmp / "123_按序号_小问卷_4_4.xlsx", far)


def ours_csv(tmp: Path) -> Path:
    return write_responses(responses(), tmp / "ours.csv")


def ours_xlsx(tmp: Path, edits: dict | None = None, far: dict | None = None) -> Path:
    rows: list[list[object]] = [list(r) for r in csv_rows(ours_csv(tmp))]
    for (row, column), value in (edits or {}).items():
        rows[row][column] = value
    return as_xlsx(rows, tmp / "ours.xlsx", far)


def rewrite_sheet(path: Path, change) -> Path:
    """`path` with its first sheet's XML passed through `change(text) -> text`."""
    out = path.with_name("edited_" + path.name)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as to:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = change(data.decode("utf-8")).encode("utf-8")
            to.writestr(info.filename, data)
    return out


def bogus_dimension(text: str) -> str:
    return re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', text)


def entity_bomb(text: str) -> str:
    """The billion laughs in XML: ten entities of ten, the last used in a cell."""
    lines = ['<!ENTITY a0 "lol">'] + [f'<!ENTITY a{i} "' + f"&a{i - 1};" * 10 + '">'
                                      for i in range(1, 10)]
    doctype = "<!DOCTYPE worksheet [" + "".join(lines) + "]>"
    return doctype + re.sub(r"<t>[^<]*</t>", "<t>&a9;</t>", text, count=1)


def zip_bomb(path: Path, member: str, megabytes: int = 200, prefix: bytes = b"") -> Path:
    """A zip whose `member` unpacks `megabytes` MB of spaces from a few hundred KB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        if path.suffix == ".xlsx":
            archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(member, "w", force_zip64=True) as handle:
            handle.write(prefix)
            chunk = b" " * 1_000_000
            for _ in range(megabytes):
                handle.write(chunk)
    return path


def garbage(path: Path, head: bytes) -> Path:
    path.write_bytes(head + bytes(range(256)) * 64)
    return path


def header_cell(rows: list[list[str]], column: int, value: str) -> list[list[str]]:
    rows[0][column] = value
    return rows


def write_text(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def ours_column(name: str) -> int:
    """The 1-based column of `name` in our layout's CSV."""
    with tempfile.TemporaryDirectory() as folder:
        return csv_rows(ours_csv(Path(folder)))[0].index(name) + 1


# (id, make(tmp) -> path, format, expected): ("error", code, line, column) or ("read", rows)
CATALOGUE = [
    ("xlsx-cell-at-XFD1048576", lambda t: wjx_xlsx(t, far={(1048576, 16384): "x"}), "wjx",
     ("error", "extra-cells", 1048576, 16384)),
    ("xlsx-header-cell-at-XFD1", lambda t: wjx_xlsx(t, far={(1, 16384): "备注"}), "wjx",
     ("error", "sparse-sheet", 1, 16384)),
    ("xlsx-bogus-dimension", lambda t: rewrite_sheet(wjx_xlsx(t), bogus_dimension), "wjx",
     ("read", 4)),
    ("xlsx-rows-a-million-apart", lambda t: wjx_xlsx(t, far={(1048576, 2): "2024/11/07"}),
     "wjx", ("error", "bad-time", 1048576, 2)),
    ("ours-xlsx-cell-at-XFD1048576", lambda t: ours_xlsx(t, far={(1048576, 16384): "x"}),
     "xlsx", ("error", "sparse-sheet", 1048576, 16384)),
    ("ours-xlsx-bogus-dimension", lambda t: rewrite_sheet(ours_xlsx(t), bogus_dimension),
     "xlsx", ("read", 4)),
    ("xlsx-huge-cell", lambda t: wjx_xlsx(t, {(1, WJX_BIRTH): HUGE[:32_000]}), "wjx",
     ("error", "not-a-number", 2, WJX_BIRTH + 1)),
    ("csv-5mb-cell", lambda t: wjx_csv(t, {(1, WJX_BIRTH): HUGE}), "wjx",
     ("error", "not-a-number", 2, WJX_BIRTH + 1)),
    ("csv-5mb-header", lambda t: wjx_csv(t, {(0, WJX_BIRTH): "1、" + "出" * 2_000_000}), "wjx",
     ("read", 4)),
    ("csv-nul-in-number", lambda t: wjx_csv(t, {(1, WJX_BIRTH): "19\x0080"}), "wjx",
     ("error", "not-a-number", 2, WJX_BIRTH + 1)),
    ("kobo-5mb-cell", lambda t: edit_csv(write_kobo(responses(), t / "kobo.csv"), {
        (1, header_index(t / "kobo.csv", "birth_year", "utf-8", ";")): HUGE},
        encoding="utf-8", delimiter=";"), "kobo", ("error", "not-a-number", 2, 3)),
    ("ours-csv-5mb-cell", lambda t: edit_csv(ours_csv(t), {(1, ours_column("birth_year") - 1):
                                                            HUGE}),
     "csv", ("error", "not-a-number", 2, "birth_year")),
    ("ours-xlsx-word-in-number", lambda t: ours_xlsx(t, {(2, ours_column("birth_year") - 1):
                                                         "nineteen-eighty"}),
     "xlsx", ("error", "not-a-number", 3, "birth_year")),
    ("csv-100000-empty-header-cells",
     lambda t: write_text(t / "w.csv", wjx_csv(t).read_text("utf-8-sig").replace(
         "\n", "," * 100_000 + "\n", 1)), "wjx", ("error", "missing-cells", 2, 23)),
    ("csv-row-of-a-million-cells",
     lambda t: write_text(t / "w.csv", re.sub("\n", "," + ",x" * 1_000_000 + "\n",
                                              wjx_csv(t).read_text("utf-8-sig"), count=2)
                          .replace(",x" * 1_000_000 + "\n", "\n", 1)),
     "wjx", ("error", "extra-cells", 2, 24)),
    ("xlsx-zip-bomb", lambda t: zip_bomb(t / "bomb.xlsx", "xl/worksheets/sheet1.xml"), "wjx",
     ("error", "bad-excel", 1, 1)),
    ("ours-xlsx-zip-bomb", lambda t: zip_bomb(t / "bomb.xlsx", "xl/sharedStrings.xml"), "xlsx",
     ("error", "bad-xlsx", 1, 1)),
    ("odk-zip-bomb", lambda t: zip_bomb(t / "form.zip", "form.csv", prefix=b"SubmissionDate,"
                                        b"KEY\n"), "kobo", ("error", "bad-zip", 1, 1)),
    ("xlsx-xml-entity-bomb", lambda t: rewrite_sheet(wjx_xlsx(t), entity_bomb), "wjx",
     ("error", "bad-excel", 1, 1)),
    ("xlsx-shared-string-out-of-range",
     lambda t: rewrite_sheet(write_wjx(responses(), t / "123_按序号_小问卷_4_4.xlsx"),
                             lambda x: re.sub(r'(<c r="B2"[^>]*t="s"[^>]*><v>)\d+', r"\g<1>99999",
                                              x)), "wjx", ("error", "bad-excel", 2, 1)),
    ("xlsx-cell-reference-out-of-range",
     lambda t: rewrite_sheet(wjx_xlsx(t), lambda x: x.replace('r="B2"', 'r="ZZZZ2"', 1)), "wjx",
     ("error", "bad-excel", 2, 1)),
    ("xlsx-not-a-workbook", lambda t: garbage(t / "g.xlsx", b"PK\x03\x04"), "wjx",
     ("error", "bad-excel", 1, 1)),
    ("ours-xlsx-empty-zip", lambda t: zip_bomb(t / "e.xlsx", "x.txt", megabytes=0), "xlsx",
     ("error", "bad-xlsx", 1, 1)),
    ("sav-garbage", lambda t: garbage(t / "g.sav", b"$FL2"), "sav", ("error", "bad-sav", 1, 1)),
    ("dta-garbage", lambda t: garbage(t / "g.dta", b"<stata_dta>"), "dta",
     ("error", "bad-dta", 1, 1)),
    ("parquet-garbage", lambda t: garbage(t / "g.parquet", b"PAR1"), "parquet",
     ("error", "bad-parquet", 1, 1)),
    ("xpt-garbage", lambda t: garbage(t / "g.xpt", b"HEADER RECORD*******LIBRARY"), "xpt",
     ("error", "bad-xpt", 1, 1)),
    ("utf16-without-bom", lambda t: write_text(
        t / "u.csv", wjx_csv(t).read_text("utf-8-sig").encode("utf-16-le")), "wjx",
     ("error", "encoding", 1, 1)),
    ("lone-surrogate-bytes", lambda t: write_text(
        t / "s.csv", wjx_csv(t).read_bytes().replace("好".encode(), b"\xed\xa0\x80", 1)), "wjx",
     ("error", "encoding", 2, 1)),
    ("a-folder", lambda t: (t / "folder.csv").mkdir() or t / "folder.csv", "wjx",
     ("error", "unreadable", 1, 1)),
]


def cell_of(expected: tuple) -> tuple:
    """The expected (line, column), a layout column's name resolved to its position."""
    _, code, line, column = expected
    return code, line, ours_column(column) if isinstance(column, str) else column


@pytest.mark.parametrize("make, format, expected", [c[1:] for c in CATALOGUE],
                         ids=[c[0] for c in CATALOGUE])
def test_hostile_export(tmp_path, make, format, expected):
    path = make(tmp_path)
    began = time.perf_counter()
    output = tmp_path / "out.parquet"
    if expected[0] == "read":
        assert len(read_responses(path, Q, format=format)) == expected[1]
        assert time.perf_counter() - began < 2.0
        result = invoke("import", path, "-q", SMALL, "--format", format, "-o", output)
        assert result.exit_code == 0 and output.exists(), result.output
        assert all(len(line) < 400 for line in result.stderr.splitlines())
        return
    with pytest.raises(SourceError) as raised:
        read_responses(path, Q, format=format)
    took = time.perf_counter() - began
    problem = raised.value.problems[0]
    assert (problem.code, problem.line, problem.column) == cell_of(expected), problem
    assert took < 2.0, f"{took:.2f}s"
    assert len(problem.message) < 400 and "\n" not in str(problem)
    result = invoke("import", path, "-q", SMALL, "--format", format, "-o", output)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[0] == str(problem)
    assert not output.exists()


def test_a_huge_cell_is_quoted_in_80_characters(tmp_path):
    with pytest.raises(SourceError) as raised:
        read_responses(wjx_csv(tmp_path, {(1, WJX_BIRTH): HUGE}), Q, format="wjx")
    assert f"'{'9' * 80}…' is not a number" in raised.value.problems[0].message


def test_the_catalogue_is_large():
    assert len(CATALOGUE) >= 25


def test_detection_reads_a_workbooks_first_rows(tmp_path):
    rows = first_rows(wjx_xlsx(tmp_path), b"PK\x03\x04", 2)
    assert rows[0][:2] == ["序号", "提交答卷时间"] and len(rows) == 2


def test_detection_reads_every_sheets_header(tmp_path):
    headers = sheet_headers(wjx_xlsx(tmp_path))
    assert list(headers.values())[0][:2] == ["序号", "提交答卷时间"]
