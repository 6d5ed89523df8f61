"""Benchmark: the banner of bench_banner.py on a replicate-weight design beside the Taylor one.

The same 1,000,000 respondents, 16-option rank question and 3 segment variables; the data also
carry 80 successive-difference replicate weights built as the ACS's (each respondent gets two rows
of a Hadamard matrix: factor 1 + 2^(-3/2) (H[a, r] - H[b, r])). Both banners are timed in the same
run and the replicate one is reported as a ratio to the Taylor one, with the replicate design's
build (reading 80 columns) apart.
Run: python bench/bench_replicate.py [--n 1000000] [--replicates 80]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as bench_banner.py: one BLAS thread

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy.linalg import hadamard  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from bench_banner import SEGMENTS, make_data, peak_mb  # noqa: E402

from analysis.banner.build import BannerOptions, banner  # noqa: E402
from analysis.design.replicate_design import ReplicateDesign  # noqa: E402
from analysis.design.sample_design import Design  # noqa: E402
from survey.responses.dataset import Responses  # noqa: E402


def with_replicates(data: Responses, replicates: int, seed: int = 11) -> Responses:
    """The data with `replicates` successive-difference replicate weights repw1..repwR."""
    n = len(data.frame)
    order = 1 << int(np.ceil(np.log2(replicates + 1)))
    h = hadamard(order).astype(np.int8)[:, :replicates]
    rows = np.random.default_rng(seed).permutation(n) % (order - 1) + 1  # a sort order
    a, b = rows, rows % (order - 1) + 1
    w = data.frame["weight"].to_numpy()
    columns = {}
    for r in range(replicates):
        factor = 1 + 2 ** -1.5 * (h[a, r] - h[b, r]).astype(float)
        columns[f"repw{r + 1}"] = w * factor
    frame = pd.concat([data.frame, pd.DataFrame(columns, index=data.frame.index)], axis=1)
    return Responses(frame, data.missing, data.questionnaire)


def timed(data: Responses, design) -> tuple[float, float, object]:
    """Wall and CPU seconds of the banner (CPU is steadier on a shared machine), and it."""
    t0, c0 = time.perf_counter(), time.process_time()
    table = banner(data, "concerns", list(SEGMENTS), design=design,
                   options=BannerOptions(correction="holm"))
    return time.perf_counter() - t0, time.process_time() - c0, table


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--replicates", type=int, default=80)
    args = parser.parse_args()
    data = with_replicates(make_data(args.n), args.replicates)
    t0 = time.perf_counter()
    taylor = Design.build(data.frame, weight="weight", strata="stratum", cluster="cluster")
    t1 = time.perf_counter()
    replicated = ReplicateDesign.build(data.frame, weight="weight", replicates="repw*",
                                       type="SDR", mse=True)
    t2 = time.perf_counter()
    degf = replicated.degf
    t3 = time.perf_counter()
    seconds_taylor, cpu_taylor, table = timed(data, taylor)
    seconds_replicate, cpu_replicate, table_r = timed(data, replicated)
    print(f"respondents {args.n:,}; rank question of 16 options by {len(SEGMENTS)} segment "
          f"variables ({table.columns.shape[0]} columns); {args.replicates} SDR replicates "
          f"(degf {degf})")
    print(f"design built once: Taylor {t1 - t0:.3f} s; replicate {t2 - t1:.3f} s (reading "
          f"{args.replicates} columns) + {t3 - t2:.3f} s for its degf (rank of the weights)")
    print(f"banner, Taylor design:    {seconds_taylor:.3f} s wall, {cpu_taylor:.3f} s CPU")
    print(f"banner, replicate design: {seconds_replicate:.3f} s wall, {cpu_replicate:.3f} s CPU"
          f"  -> {seconds_replicate / seconds_taylor:.1f}x the Taylor banner's wall time, "
          f"{cpu_replicate / cpu_taylor:.1f}x its CPU time ({len(table_r.tests)} Rao-Scott F "
          "tests, letters, intervals each)")
    print(f"process peak memory {peak_mb():.0f} MB (load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
