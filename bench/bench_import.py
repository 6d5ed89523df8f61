"""Loading 1,000,000 respondents x 60 variables from .sav: pyreadstat alone vs read_responses.

    python bench/bench_import.py [--rows 1000000] [--file PATH]

Target (issue 15, item 5): read_responses takes no longer than pyreadstat.read_sav alone, in the
same run. read_responses reads a large file in row ranges over the machine's cores
(survey.readers.spss_rows); it is also timed in one process, to show what the split gives. Wall
seconds, with CPU seconds (this process + its children) in brackets, and the load average: on
a busy machine the split gains less, or nothing.
`--file` keeps the generated file there (made when absent) for the next run.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from survey.questionnaire.loader import parse_questionnaire
from survey.readers import read_responses, spss_rows

SINGLES, SCALES, NUMBERS = 40, 12, 8  # 60 variables


def questionnaire_text() -> str:
    lines = ['survey: {id: bench, version: "1", title: Bench, languages: [zh]}', "questions:"]
    for i in range(SINGLES):
        lines.append(f"  - {{name: s{i}, type: single, label: 单选{i}, "
                     "options: {1: 一, 2: 二, 3: 三, 4: 四, 5: 五}}")
    for i in range(SCALES):
        lines.append(f"  - {{name: l{i}, type: scale, label: 量表{i}, "
                     "options: {1: 一, 2: 二, 3: 三, 4: 四, 5: 五}}")
    for i in range(NUMBERS):
        lines.append(f"  - {{name: n{i}, type: number, label: 数字{i}, min: 0, max: 1000}}")
    return "\n".join(lines) + "\n"


def make_file(path: Path, rows: int, rng: np.random.Generator) -> None:
    data = {}
    for i in range(SINGLES):
        values = rng.integers(1, 6, rows).astype("float64")
        values[rng.random(rows) < 0.03] = -1  # left empty
        data[f"s{i}"] = values
    for i in range(SCALES):
        data[f"l{i}"] = rng.integers(1, 6, rows).astype("float64")
    for i in range(NUMBERS):
        data[f"n{i}"] = np.round(rng.gamma(2.0, 50.0, rows))
    frame = pd.DataFrame(data)
    pyreadstat.write_sav(frame, str(path), missing_ranges={c: [{"lo": -3.0, "hi": -1.0}]
                                                           for c in frame.columns})


def timed(work) -> tuple[object, float, str]:
    """(result, wall seconds, CPU seconds of this process + of the children it waited for)."""
    before, start = os.times(), time.perf_counter()
    result = work()
    wall, after = time.perf_counter() - start, os.times()
    mine = after.user + after.system - before.user - before.system
    children = sum(after[2:4]) - sum(before[2:4])
    return result, wall, f"{mine:.2f}" + (f" + {children:.2f}" if children else "")


def one_process(path: Path, questionnaire):
    """read_responses with the split turned off."""
    shipped, spss_rows.SPLIT_CELLS = spss_rows.SPLIT_CELLS, 10**15
    try:
        return timed(lambda: read_responses(path, questionnaire))
    finally:
        spss_rows.SPLIT_CELLS = shipped


def measure(path: Path) -> None:
    questionnaire = parse_questionnaire(questionnaire_text())
    rows = pyreadstat.read_sav(str(path), metadataonly=True)[1].number_rows
    columns = SINGLES + SCALES + NUMBERS
    load = os.getloadavg()[0]
    split = len(spss_rows.row_ranges(rows, columns, spss_rows.processes()))
    _, alone, alone_cpu = timed(lambda: pyreadstat.read_sav(str(path)))
    responses, ours, ours_cpu = timed(lambda: read_responses(path, questionnaire))
    _, one, one_cpu = one_process(path, questionnaire)
    print(f"{rows:,} respondents x {columns} variables (.sav); load average {load:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after, {os.cpu_count()} cores")
    print(f"pyreadstat.read_sav alone:          {alone:6.2f} s ({alone_cpu})")
    print(f"read_responses, {split} process(es):     {ours:6.2f} s ({ours_cpu})  "
          f"{ours / alone:.2f}x pyreadstat (target <= 1.0)")
    print(f"read_responses, one process:        {one:6.2f} s ({one_cpu})  {one / alone:.2f}x")
    assert len(responses) == rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--file", type=Path, help="keep the generated file here (made if absent)")
    options = parser.parse_args()
    if options.file is not None:
        if not options.file.exists():
            make_file(options.file, options.rows, np.random.default_rng(1))
        measure(options.file)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sav"
        make_file(path, options.rows, np.random.default_rng(1))
        measure(path)


if __name__ == "__main__":
    main()
