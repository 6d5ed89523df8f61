"""Loading 1,000,000 respondents x 60 variables from .sav: pyreadstat alone vs read_responses.

    python bench/bench_import.py [--rows 1000000]

Target (issue 3): read_responses takes no more than 1.5x pyreadstat.read_sav's own time.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from survey.questionnaire.loader import parse_questionnaire
from survey.readers import read_responses

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    rows = parser.parse_args().rows
    questionnaire = parse_questionnaire(questionnaire_text())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sav"
        make_file(path, rows, np.random.default_rng(1))
        start = time.perf_counter()
        pyreadstat.read_sav(str(path))
        alone = time.perf_counter() - start
        start = time.perf_counter()
        responses = read_responses(path, questionnaire)
        ours = time.perf_counter() - start
    print(f"{rows:,} respondents x {SINGLES + SCALES + NUMBERS} variables (.sav)")
    print(f"pyreadstat.read_sav: {alone:6.2f} s")
    print(f"read_responses:      {ours:6.2f} s  ({ours / alone:.2f}x; target <= 1.5x)")
    assert len(responses) == rows


if __name__ == "__main__":
    main()
