"""Benchmark: the report's banners on the bundled sample, called as `survey report` calls them.

data_samples/industrial_workers.sav (2,000 respondents in 80 enterprises of 6 districts, weighted:
the questionnaire's design): a banner of every single, multi, rank, scale and number question by
the report's default columns (every segment of the questionnaire, in its segment groups,
letters within each group; number questions with their quartiles), exactly as
analysis/report/build.py calls `banner`. Beside it in the same run, the baseline: one weighted
pandas.crosstab per question (its first column by the first segment: counts only, no SEs,
tests or letters), a yardstick of the machine's speed at the time.

Each is timed as the least CPU time of --repeat runs of all banners, and as the sum over the
banners of each one's least CPU time (the least contended runs on a busy machine).
Run: python bench/bench_report_banners.py [--repeat 5]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the command does (cli/__init__.py)

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402

from analysis.banner.build import BannerOptions, banner  # noqa: E402
from analysis.design.choice import choose_design  # noqa: E402
from analysis.report.build import QUARTILES, ROW_TYPES  # noqa: E402
from survey.questionnaire.loader import load_questionnaire  # noqa: E402
from survey.readers import read_responses  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    q = load_questionnaire(ROOT / "questionnaires" / "industrial_workers.yaml")
    data = read_responses(ROOT / "data_samples" / "industrial_workers.sav", q)
    design = choose_design(data).design
    options = BannerOptions(lang=q.survey.default_language)
    by = list(q.banner_columns())
    rows = [name for name, item in q.items.items() if item.type in ROW_TYPES]
    segment = data.segment(by[0])
    weight = data.frame["weight"]

    def ours(name: str) -> None:
        asked = dataclasses.replace(options, quantiles=QUARTILES) \
            if q.items[name].type == "number" else options
        banner(data, name, by, design=design, options=asked)

    def theirs(name: str) -> None:
        pd.crosstab(data.frame[data.columns_of(name)[0]], segment, values=weight, aggfunc="sum")

    found = {}
    for label, work in (("ours", ours), ("crosstab", theirs)):
        each = {name: float("inf") for name in rows}
        whole = float("inf")
        for name in rows:  # once before timing: first calls import and cache
            work(name)
        for _ in range(args.repeat):
            start = time.process_time()
            for name in rows:
                one = time.process_time()
                work(name)
                each[name] = min(each[name], time.process_time() - one)
            whole = min(whole, time.process_time() - start)
        found[label] = (whole, sum(each.values()))
    (ours_all, ours_each), (pandas_all, pandas_each) = found["ours"], found["crosstab"]
    print(f"{len(rows)} banners by {len(by)} columns variables ({', '.join(by)}), "
          f"{len(data)} respondents; CPU s, best of {args.repeat}; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"banners as the report calls them: {ours_all:.3f} s ({ours_all / len(rows) * 1e3:.1f}"
          f" ms each; sum of each one's best {ours_each:.3f} s) | a weighted pandas.crosstab per "
          f"question, counts only: {pandas_all:.3f} s (sum of bests {pandas_each:.3f} s) | "
          f"ratio {ours_all / pandas_all:.2f} ({ours_each / pandas_each:.2f}) | target < 15 ms "
          "a banner")


if __name__ == "__main__":
    main()
