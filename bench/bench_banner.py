"""Benchmark: a design-based banner of a 16-option rank question by 3 segment variables.

1,000,000 respondents, 50 strata, 2,000 clusters, unequal weights; the banner has column shares
with SEs and intervals, ranked-first shares and 3-2-1 scores, letters (Holm over the banner)
and one Rao-Scott F test per option and segment variable. In the same run, the peers:
- a weighted pandas.crosstab per option and segment variable (counts only, no SEs);
- svy (PyPI, Rust-backed): `estimation.mean(flags, by=seg)` per segment variable (shares + SEs);
- R's survey: svyby(~flags, ~seg, design, svymean) per segment variable, on a subsample (R is
  too slow and memory-hungry for 1M here), scaled linearly to 1M for the ratio.
Peak memory (getrusage) is reported against the data's own size.
Run: python bench/bench_banner.py [--n 1000000] [--r-n 100000] [--no-peers]
"""

from __future__ import annotations

import os

# The banner's matrices are small (a few hundred columns): one BLAS thread is fastest, and on a
# shared 2-core machine OpenBLAS threads contend badly (8x slower under load). Set before numpy.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.banner.build import BannerOptions, banner  # noqa: E402
from analysis.design.sample_design import Design  # noqa: E402
from survey.questionnaire.loader import parse_questionnaire  # noqa: E402
from survey.responses.dataset import Responses  # noqa: E402

N_OPTIONS, MAX_RANK = 16, 3
SEGMENTS = {"workplace": 5, "size": 4, "cohort": 6}


def questionnaire_text() -> str:
    opts = "\n".join(f"      o{j}: Option {j}" for j in range(1, N_OPTIONS + 1))
    segs = "".join(
        f"  - name: {name}\n    type: single\n    label: {name}\n    options: {{"
        + ", ".join(f"{c}: L{c}" for c in range(1, k + 1)) + "}\n"
        for name, k in SEGMENTS.items())
    return (f"survey: {{id: bench, version: '1', title: Bench, languages: [en]}}\n"
            f"questions:\n{segs}  - name: concerns\n    type: rank\n    max_choices: {MAX_RANK}\n"
            f"    label: Concerns\n    options:\n{opts}\n"
            "design: {weight: weight, strata: stratum, cluster: cluster}\n")


def make_data(n: int, seed: int = 7) -> Responses:
    """Responses in the documented layout: Int8 rank block, categorical segments, design."""
    q = parse_questionnaire(questionnaire_text())
    rng = np.random.default_rng(seed)
    cluster = rng.integers(0, 2000, n).astype(np.int32)
    cols: dict[str, object] = {}
    for name, k in SEGMENTS.items():
        codes = (rng.integers(0, k, n) + (cluster % 3 == 0)) % k
        cols[name] = pd.Categorical.from_codes(codes.astype(np.int8), categories=range(1, k + 1))
    # three distinct options per respondent, ranked 1..3, popularity varying by option
    popularity = (1 / np.linspace(2.0, 0.5, N_OPTIONS)).astype(np.float32)
    top = np.empty((n, MAX_RANK), np.int8)
    for start in range(0, n, 100_000):  # in chunks, so generation does not set the peak
        keys = rng.random((min(100_000, n - start), N_OPTIONS), dtype=np.float32) ** popularity
        top[start:start + len(keys)] = np.argsort(-keys, axis=1)[:, :MAX_RANK]
    unanswered = rng.random(n) < 0.03
    for j in range(N_OPTIONS):
        rank = np.zeros(n, np.int8)
        for r in range(MAX_RANK):
            rank[top[:, r] == j] = r + 1
        cols[f"concerns__o{j + 1}"] = pd.arrays.IntegerArray(rank, unanswered.copy())
    del top
    cols["stratum"] = (cluster % 50).astype(np.int16)
    cols["cluster"] = cluster
    cols["weight"] = rng.uniform(0.5, 4.0, n)
    frame = pd.DataFrame(cols)
    missing = pd.DataFrame({name: np.zeros(n, np.int8) for name in SEGMENTS}
                           | {"concerns": np.where(unanswered, 3, 0).astype(np.int8)})
    return Responses(frame, missing, q)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (Linux), so a phase's own peak can be read."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def phase_peak_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_ours(data: Responses) -> tuple[float, float, object]:
    t0 = time.perf_counter()
    design = Design.build(data.frame, weight="weight", strata="stratum", cluster="cluster")
    t1 = time.perf_counter()
    table = banner(data, "concerns", list(SEGMENTS), design=design,
                   options=BannerOptions(correction="holm"))
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, table


def run_pandas(data: Responses) -> float:
    frame = data.frame
    t0 = time.perf_counter()
    for seg in SEGMENTS:
        for j in range(1, N_OPTIONS + 1):
            pd.crosstab(frame[seg], frame[f"concerns__o{j}"] > 0, values=frame["weight"],
                        aggfunc="sum")
    return time.perf_counter() - t0


def run_svy(data: Responses) -> float | None:
    try:
        import polars as pl
        import svy
    except ImportError:
        return None
    frame = data.frame
    flags = {f"f{j}": (frame[f"concerns__o{j}"] > 0).astype("float64").to_numpy(na_value=np.nan)
             for j in range(1, N_OPTIONS + 1)}
    pl_frame = pl.DataFrame({"stratum": frame["stratum"].to_numpy(),
                             "cluster": frame["cluster"].to_numpy(),
                             "weight": frame["weight"].to_numpy()}
                            | {s: frame[s].cat.codes.to_numpy() for s in SEGMENTS} | flags)
    sample = svy.Sample(pl_frame, svy.Design(stratum="stratum", psu="cluster", wgt="weight"))
    t0 = time.perf_counter()
    for seg in SEGMENTS:
        sample.estimation.mean(list(flags), by=seg, drop_nulls=True)
    return time.perf_counter() - t0


R_SCRIPT = """
suppressMessages(library(survey))
d <- read.csv(commandArgs(TRUE)[1])
flags <- grep("^f", names(d), value = TRUE)
des <- svydesign(id = ~cluster, strata = ~stratum, weights = ~weight, data = d)
des <- subset(des, !is.na(f1))
t <- system.time(for (s in c("workplace", "size", "cohort"))
  svyby(as.formula(paste("~", paste(flags, collapse = "+"))), as.formula(paste("~", s)), des,
        svymean, covmat = TRUE))
cat(t[["elapsed"]], "\\n")
"""


def run_r(data: Responses, n_sub: int) -> float | None:
    if shutil.which("Rscript") is None:
        return None
    frame = data.frame.iloc[:n_sub]
    sub = pd.DataFrame({"stratum": frame["stratum"], "cluster": frame["cluster"],
                        "weight": frame["weight"]}
                       | {s: frame[s].cat.codes for s in SEGMENTS}
                       | {f"f{j}": (frame[f"concerns__o{j}"] > 0).astype("Int8")
                          for j in range(1, N_OPTIONS + 1)})
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "sub.csv")
        sub.to_csv(path, index=False)
        script = os.path.join(tmp, "bench.R")
        with open(script, "w") as f:
            f.write(R_SCRIPT)
        done = subprocess.run(["Rscript", script, path], capture_output=True, text=True,
                              check=False)
    if done.returncode != 0:
        print("R failed:", done.stderr.strip().splitlines()[-1:])
        return None
    return float(done.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--r-n", type=int, default=100_000)
    parser.add_argument("--no-peers", action="store_true")
    args = parser.parse_args()
    base = rss_mb()
    data = make_data(args.n)
    size = (data.frame.memory_usage(deep=True).sum()
            + data.missing.memory_usage(deep=True).sum()) / 2**20
    before = rss_mb()
    phase = reset_peak()
    cpu = time.process_time()
    build, seconds, table = run_ours(data)
    cpu = time.process_time() - cpu
    banner_peak = phase_peak_mb() if phase else peak_mb()
    peak = peak_mb()
    print(f"respondents {args.n:,}; strata 50; clusters 2,000; rank question of {N_OPTIONS} "
          f"options by {len(SEGMENTS)} segment variables ({table.columns.shape[0]} columns)")
    print(f"design built once:              {build:.3f} s")
    print(f"banner (SEs, CIs, first, score, letters, {len(table.tests)} Rao-Scott F): "
          f"{seconds:.3f} s wall ({cpu:.3f} s CPU for design + banner; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"memory: data {size:.0f} MB; RSS before data {base:.0f} MB, with data {before:.0f} MB;"
          f" peak while building the banner {banner_peak:.0f} MB, so the banner's working memory"
          f" is {(banner_peak - before) / size:.2f}x the data and data + banner "
          f"{(banner_peak - before + size) / size:.2f}x; process peak (getrusage, includes "
          f"generating the data) {peak:.0f} MB")
    if args.no_peers:
        return
    t_pandas = run_pandas(data)
    print(f"pandas.crosstab weighted counts: {t_pandas:.3f} s (counts only)"
          f"  -> ours is {t_pandas / seconds:.1f}x faster")
    t_svy = run_svy(data)
    if t_svy is None:
        print("svy: not installed (pip install svy)")
    else:
        print(f"svy estimation.mean(16 flags, by=seg) x3: {t_svy:.3f} s (shares + SEs)"
              f"  -> ours is {t_svy / seconds:.1f}x faster")
    t_r = run_r(data, args.r_n)
    if t_r is None:
        print("R survey: not available")
    else:
        scaled = t_r * args.n / args.r_n
        print(f"R svyby(~16 flags, ~seg, svymean, covmat=TRUE) x3 on {args.r_n:,} rows: "
              f"{t_r:.2f} s (~{scaled:.0f} s scaled to {args.n:,})"
              f"  -> ours is ~{scaled / seconds:.0f}x faster")


if __name__ == "__main__":
    main()
