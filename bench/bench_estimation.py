"""Benchmark: design-based means, SEs and covariance of 16 flags by a 5-level segment.

1,000,000 respondents, 50 strata, 2,000 clusters, unequal weights. Prints seconds and the ratio
to a weighted pandas groupby mean (no standard errors) computed in the same run.
Run: python bench/bench_estimation.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from analysis.design import estimation
from analysis.design.sample_design import Design


def main(n: int = 1_000_000, n_strata: int = 50, n_clusters: int = 2_000, n_flags: int = 16,
         seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    cluster = rng.integers(0, n_clusters, n)
    flags = {f"q__{j}": (rng.random(n) < 0.1 + 0.04 * j).astype(np.int8) for j in range(n_flags)}
    data = pd.DataFrame({"stratum": cluster % n_strata, "cluster": cluster,
                         "weight": rng.uniform(0.5, 4, n),
                         "segment": rng.integers(0, 5, n)} | flags)
    names = list(flags)

    t0 = time.perf_counter()
    design = Design.build(data, strata="stratum", cluster="cluster", weight="weight")
    t1 = time.perf_counter()
    m = estimation.mean(design, data[names], by="segment", covariance=True)
    t2 = time.perf_counter()
    w = data["weight"]
    weighted = data[names].mul(w, axis=0).groupby(data["segment"]).sum()
    reference = weighted.div(w.groupby(data["segment"]).sum(), axis=0)
    t3 = time.perf_counter()
    assert np.allclose(reference.to_numpy(), m.estimate)
    print(f"design built once:            {t1 - t0:.3f} s")
    print(f"mean + SE + covariance:       {t2 - t1:.3f} s  ({m.vcov.shape[0]}x{m.vcov.shape[0]})")
    print(f"pandas weighted groupby mean: {t3 - t2:.3f} s (estimates only)")
    print(f"ratio to pandas:              {(t2 - t1) / (t3 - t2):.1f}x")


if __name__ == "__main__":
    main()
