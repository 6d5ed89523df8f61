"""How long the report's banner workbook and its people tables take, on the bundled sample.

    python bench/bench_workbook.py [--repeat 5]

Builds the inputs once as `survey report` does for the README's command (a banner of every
question by the questionnaire's banner columns, quartiles on number rows; the segment profiles
sheet, the largest table; the codebook), then times, best of --repeat, CPU and wall:
- `write_workbook` of all of it, against the floor in the same run: xlsxwriter and openpyxl
  writing the same cell values with no style, format, merge or width (what the library itself
  costs);
- the people tables (`people_table`, `chart_columns`, `drawn_marks` for every banner the report
  charts), against one `chart_cells` pass over the same banners.
The load average is printed beside the figures: the machine is shared.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the command does (cli/__init__.py)

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import io  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402
import xlsxwriter  # noqa: E402
from openpyxl import Workbook, load_workbook  # noqa: E402

from analysis.banner.build import BannerOptions, banner  # noqa: E402
from analysis.banner.render import chart_cells  # noqa: E402
from analysis.design.choice import choose_design  # noqa: E402
from analysis.findings.people import for_people  # noqa: E402
from analysis.findings.profiles import segment_profiles  # noqa: E402
from analysis.report.build import CHART_COLUMNS, QUARTILES, ROW_TYPES  # noqa: E402
from analysis.report.shown import chart_columns, drawn_marks, people_table  # noqa: E402
from analysis.report.workbook import SheetTable, write_workbook  # noqa: E402
from survey.forms.codebook import codebook_csv  # noqa: E402
from survey.readers import read_responses  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def inputs(lang: str = "zh"):
    """The report's banners and the sheets after them (profiles, codebook), made once."""
    r = read_responses(ROOT / "data_samples" / "industrial_workers.sav",
                       ROOT / "questionnaires" / "industrial_workers.yaml")
    q = r.questionnaire
    design = choose_design(r).design
    options = BannerOptions(lang=lang)
    banners = [banner(r, name, q.banner_columns(), design=design,
                      options=dataclasses.replace(options, quantiles=QUARTILES)
                      if item.type == "number" else options)
               for name, item in q.items.items() if item.type in ROW_TYPES]
    profiles = segment_profiles(r, design, lang=lang)
    segments = {name: q.label(s.label, lang) for name, s in q.segments.items()}
    questions = {name: q.label(item.label, lang) for name, item in q.items.items()}
    codebook = pd.read_csv(io.StringIO(codebook_csv(q, lang).lstrip("\ufeff")), dtype=str)
    tables = [SheetTable("群体特征", for_people(profiles, lang, segments=segments,
                                            questions=questions), "",
                         ("群体比例", "其余受访者比例", "差值")),
              SheetTable("编码簿", codebook)]
    return q, banners, tables


def best(work, repeat: int) -> tuple[float, float]:
    """The shortest (CPU, wall) seconds of `repeat` runs."""
    runs = []
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        work()
        runs.append((time.process_time() - cpu, time.perf_counter() - wall))
    return min(r[0] for r in runs), min(r[1] for r in runs)


def values_only(path: Path) -> list[tuple[str, list[list]]]:
    book = load_workbook(path)
    return [(name, [list(row) for row in book[name].iter_rows(values_only=True)])
            for name in book.sheetnames]


def floor_xlsxwriter(sheets, path: Path) -> None:
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    for name, rows in sheets:
        sheet = book.add_worksheet(name)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if isinstance(value, str):
                    sheet.write_string(i, j, value)
                elif value is not None:
                    sheet.write_number(i, j, value)
    book.close()


def floor_openpyxl(sheets, path: Path) -> None:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    t = time.perf_counter()
    q, banners, tables = inputs()
    print(f"inputs: {len(banners)} banners, {sum(len(t.table) for t in tables)} table rows "
          f"({time.perf_counter() - t:.1f} s)")
    charted = [b for b in banners if b.row_type in ("single", "multi", "rank")]
    cells = {id(b): chart_cells(b) for b in charted}
    with tempfile.TemporaryDirectory() as folder:
        book = Path(folder) / "banner.xlsx"
        workbook = best(lambda: write_workbook(book, banners, title="t", tables=tables),
                        args.repeat)
        sheets = values_only(book)
        floor = best(lambda: floor_xlsxwriter(sheets, Path(folder) / "x.xlsx"), args.repeat)
        plain = best(lambda: floor_openpyxl(sheets, Path(folder) / "o.xlsx"), args.repeat)

    def shown() -> None:
        for b in banners:
            people_table(b, q, "zh")
        for b in charted:
            part = cells[id(b)]
            drawn_marks(b, q, part[part["column_label"].isin(chart_columns(b, q)[:CHART_COLUMNS])])

    people = best(shown, args.repeat)
    baseline = best(lambda: [chart_cells(b) for b in charted], args.repeat)
    count = sum(v is not None for _, rows in sheets for row in rows for v in row)
    print(f"load average {os.getloadavg()[0]:.1f} (2 cores); best of {args.repeat}, CPU / wall")
    print(f"write_workbook: {workbook[0]:.2f} / {workbook[1]:.2f} s for {len(sheets)} sheets, "
          f"{count:,} cells; floor, the same values unstyled: xlsxwriter {floor[0]:.2f} / "
          f"{floor[1]:.2f} s, openpyxl {plain[0]:.2f} / {plain[1]:.2f} s; "
          f"workbook / xlsxwriter floor = {workbook[0] / floor[0]:.1f}x (CPU)")
    print(f"people tables and chart marks: {people[0]:.2f} / {people[1]:.2f} s for "
          f"{len(banners)} banners; one chart_cells pass {baseline[0]:.2f} / {baseline[1]:.2f} s "
          f"({people[0] / baseline[0]:.1f}x)")


if __name__ == "__main__":
    main()
