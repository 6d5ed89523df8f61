"""Benchmark: `survey crosstab --engine duckdb` on a Parquet file larger than memory would allow.

The data are those of bench_banner.py (a 16-option rank question by 3 segment variables, 50
strata, 2,000 clusters, unequal weights) in our Parquet layout, written in chunks of 1,000,000
respondents with pyarrow so that generating them never holds the whole file (default 50,000,000
respondents, in /tmp; never committed). Measured in the same run:
- the whole command, `survey crosstab DATA --engine duckdb --json` (shares, SEs, intervals,
  letters, Rao-Scott tests), under /usr/bin/time -v: wall time and peak memory;
- the baseline: DuckDB's own GROUP BY of the same weighted sums (unit x level x answer), the
  floor of any out-of-core engine that reads the file once per `by` variable;
- on a file that fits (--memory-n, default 1,000,000), the in-memory command beside the DuckDB
  one, with the largest difference of their figures.
Run: python bench/bench_out_of_core.py [--n 50000000] [--memory-n 1000000] [--keep]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
from bench_banner import SEGMENTS, make_data, questionnaire_text  # noqa: E402

from survey.writers.parquet import parquet_table  # noqa: E402

CHUNK = 1_000_000
ROW = ["--row", "concerns", "--by", ",".join(SEGMENTS)]


def generate(path: Path, n: int) -> None:
    """n respondents in chunks (each its own seed), appended to one Parquet file."""
    writer = None
    try:
        for i, start in enumerate(range(0, n, CHUNK)):
            table = parquet_table(make_data(min(CHUNK, n - start), seed=1000 + i))
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="zstd")
            writer.write_table(table, row_group_size=CHUNK)
    finally:
        if writer is not None:
            writer.close()


def timed_command(data: Path, questionnaire: Path, engine: str) -> tuple[float, float, dict]:
    """Wall seconds, peak MB and the JSON of one `survey crosstab` run."""
    command = ["/usr/bin/time", "-v", sys.executable, "-m", "cli", "crosstab", str(data),
               "-q", str(questionnaire), *ROW, "--engine", engine, "--json"]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(done.stderr[-2000:])
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)[1]) / 1024
    return wall, peak, json.loads(done.stdout)


def duckdb_floor(data: Path) -> float:
    """DuckDB's own GROUP BY of the banner's sums, one query per segment variable."""
    import duckdb

    con = duckdb.connect()
    flags = [f'"concerns__o{j}"' for j in range(1, 17)]
    sums = ", ".join([f"SUM(weight * CAST({f} > 0 AS DOUBLE)), SUM(CAST({f} > 0 AS INT))"
                      for f in flags] + ["SUM(weight)", "SUM(weight * weight)", "COUNT(*)"])
    start = time.perf_counter()
    for by in SEGMENTS:
        con.execute(f"SELECT stratum, cluster, {by}, concerns__o1 IS NULL, {sums} "
                    f"FROM read_parquet('{data}') GROUP BY ALL").fetchall()
    return time.perf_counter() - start


def largest_difference(a: dict, b: dict) -> float:
    worst = 0.0
    for x, y in zip(a["cells"], b["cells"], strict=True):
        for key in ("proportion", "se"):
            if x[key] is not None:
                worst = max(worst, abs(x[key] - y[key]) / max(abs(x[key]), 1e-300))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50_000_000)
    parser.add_argument("--memory-n", type=int, default=1_000_000)
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()
    questionnaire = args.folder / "bench_out_of_core.yaml"
    questionnaire.write_text(questionnaire_text(), encoding="utf-8")
    made = []
    for n in (args.memory_n, args.n):
        path = args.folder / f"bench_out_of_core_{n}.parquet"
        if not path.exists():
            start = time.perf_counter()
            generate(path, n)
            print(f"generated {n:,} respondents: {path.stat().st_size / 2**30:.2f} GiB in "
                  f"{time.perf_counter() - start:.0f} s", flush=True)
            made.append(path)
    small = args.folder / f"bench_out_of_core_{args.memory_n}.parquet"
    big = args.folder / f"bench_out_of_core_{args.n}.parquet"
    t_mem, p_mem, j_mem = timed_command(small, questionnaire, "memory")
    t_duck, p_duck, j_duck = timed_command(small, questionnaire, "duckdb")
    print(f"{args.memory_n:>11,} respondents: memory {t_mem:6.1f} s {p_mem:7.0f} MB | duckdb "
          f"{t_duck:6.1f} s {p_duck:7.0f} MB | largest relative difference "
          f"{largest_difference(j_mem, j_duck):.1e}")
    floor = duckdb_floor(big)
    t_big, p_big, _ = timed_command(big, questionnaire, "duckdb")
    print(f"{args.n:>11,} respondents ({big.stat().st_size / 2**30:.2f} GiB Parquet): "
          f"survey crosstab --engine duckdb {t_big:6.1f} s, peak {p_big:.0f} MB | DuckDB's own "
          f"GROUP BY of the same sums {floor:6.1f} s | ratio {t_big / floor:.2f}")
    if not args.keep:
        for path in made:
            path.unlink()


if __name__ == "__main__":
    main()
