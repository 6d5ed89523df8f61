"""Benchmark: rake 1,000,000 respondents to 3 margins (2, 6 and 10 categories) from unequal design
weights, against a plain pandas groupby-transform IPF and R's survey::rake in the same run.

    python bench/bench_weighting.py [--n 1000000] [--repeat 5] [--no-r]

Target (issue 4): under 0.3 s for our raking on this 2-core machine.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.weighting.raking import rake

TOLERANCE = 1e-8
TARGETS = {
    "sex": {1: 0.624, 2: 0.376},
    "workplace": {1: 0.18, 2: 0.12, 3: 0.35, 4: 0.15, 5: 0.12, 6: 0.08},
    "cohort": {k: s for k, s in zip(range(1, 11), [0.04, 0.07, 0.10, 0.12, 0.14, 0.14, 0.13,
                                                   0.11, 0.09, 0.06], strict=True)},
}


def make_data(n: int, seed: int = 2026) -> pd.DataFrame:
    """Respondents whose categories are correlated and whose design weights are unequal."""
    rng = np.random.default_rng(seed)
    sex = rng.integers(1, 3, n)
    workplace = np.clip(rng.integers(1, 7, n) + (sex == 2) * rng.integers(0, 2, n), 1, 6)
    cohort = np.clip(np.rint(rng.normal(5.5 + workplace / 3, 2.2, n)), 1, 10).astype(np.int64)
    weight = rng.lognormal(0.0, 0.6, n)
    return pd.DataFrame({"sex": sex, "workplace": workplace, "cohort": cohort, "weight": weight})


def pandas_ipf(frame: pd.DataFrame, targets: dict, weights: str,
               tolerance: float = TOLERANCE, max_iterations: int = 100) -> tuple[pd.Series, int]:
    """The same IPF written plainly with pandas: one groupby-transform per margin per sweep."""
    w = frame[weights].astype(float)
    total = w.sum()
    for iteration in range(1, max_iterations + 1):
        worst = 0.0
        for name, margin in targets.items():
            current = w.groupby(frame[name]).transform("sum")
            wanted = frame[name].map(margin) * total
            worst = max(worst, float(((current - wanted).abs() / total).max()))
            w = w * wanted / current
        if worst < tolerance:
            return w, iteration
    return w, max_iterations


R_SCRIPT = r"""
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
d$sex <- factor(d$sex); d$workplace <- factor(d$workplace); d$cohort <- factor(d$cohort)
des <- svydesign(ids = ~1, weights = ~weight, data = d)
N <- sum(d$weight)
m <- read.csv(args[2])
pop <- lapply(c("sex", "workplace", "cohort"), function(v) {
  s <- m[m$variable == v, ]
  f <- data.frame(factor(s$category), s$share * N); names(f) <- c(v, "Freq"); f })
t <- system.time(r <- rake(des, list(~sex, ~workplace, ~cohort), pop,
                           control = list(epsilon = as.numeric(args[3]), maxit = 100)))
w <- weights(r)
cat(t[["elapsed"]], "\n")
writeLines(format(w[1:5], digits = 15))
"""


def time_r(frame: pd.DataFrame) -> tuple[float, np.ndarray] | None:
    """R's rake timed inside R (system.time), on the same data; None when R is not installed."""
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        data, margins, script = (Path(tmp) / name for name in ("d.csv", "m.csv", "r.R"))
        frame.to_csv(data, index=False)
        pd.DataFrame([(v, k, s) for v, m in TARGETS.items() for k, s in m.items()],
                     columns=["variable", "category", "share"]).to_csv(margins, index=False)
        script.write_text(R_SCRIPT)
        run = subprocess.run(["Rscript", str(script), str(data), str(margins), str(TOLERANCE)],
                             capture_output=True, text=True, check=False)
        if run.returncode != 0:
            print("R failed:", run.stderr.strip()[-500:])
            return None
        lines = run.stdout.split()
        return float(lines[0]), np.array([float(x) for x in lines[1:6]])


def best_of(repeat: int, work) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-r", action="store_true", help="skip R's rake")
    options = parser.parse_args()
    frame = make_data(options.n)
    print(f"{options.n:,} respondents; margins of 2, 6 and 10 categories; tolerance {TOLERANCE:g}")

    ours, result = best_of(options.repeat,
                           lambda: rake(frame, TARGETS, weights="weight", tolerance=TOLERANCE))
    print(f"analysis rake  {ours:8.3f} s  {result.report.iterations:3d} sweeps  "
          f"max deviation {result.report.max_abs_deviation:.1e}  "
          f"(target < 0.3 s: {'met' if ours < 0.3 else 'NOT met'})")
    categorical = frame.astype({v: "category" for v in TARGETS})
    cat_time, _ = best_of(options.repeat,
                          lambda: rake(categorical, TARGETS, weights="weight", tolerance=TOLERANCE))
    print(f"  same, Categorical cols {cat_time:8.3f} s")
    low, high = result.report.factor_range
    bounds = (low + 0.1 * (1 - low), high - 0.1 * (high - 1))  # bounds that bind
    bounded_time, bounded = best_of(options.repeat, lambda: rake(
        frame, TARGETS, weights="weight", tolerance=TOLERANCE, bounds=bounds, max_iterations=1000))
    print(f"  same, bounds ({bounds[0]:.2f}, {bounds[1]:.2f})  {bounded_time:6.3f} s  "
          f"{bounded.report.iterations:3d} sweeps")
    trim_time, trimmed = best_of(options.repeat, lambda: rake(
        frame, TARGETS, weights="weight", tolerance=TOLERANCE, trim=5))
    print(f"  same, trim at 5x median {trim_time:8.3f} s  {trimmed.report.trimmed} capped")

    base_time, (w, sweeps) = best_of(1, lambda: pandas_ipf(frame, TARGETS, "weight"))
    agree = float(np.max(np.abs(w.to_numpy() / result.weights - 1)))
    print(f"pandas groupby-transform {base_time:8.3f} s  {sweeps:3d} sweeps  "
          f"ratio {base_time / ours:6.1f}x  (weights agree to {agree:.1e} relative)")

    if not options.no_r:
        r = time_r(frame)
        if r is None:
            print("R survey::rake           not run (Rscript or r-cran-survey missing)")
        else:
            seconds, first = r
            agree = float(np.max(np.abs(first / result.weights[:5] - 1)))
            print(f"R survey::rake           {seconds:8.3f} s  (system.time in R)  "
                  f"ratio {seconds / ours:6.1f}x  (first weights agree to {agree:.1e})")


if __name__ == "__main__":
    main()
