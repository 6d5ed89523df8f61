"""Benchmark: the report's charts drawn one after another in one process, by kind.

    python bench/bench_charts.py [--repeat 3]

The bundled sample's report (the README's command: its questionnaire and claims) is built once
with its chart jobs recorded instead of drawn; the jobs (plain data) are then drawn here in
turn, `--repeat` times, each time beside the baseline: matplotlib saving as many plain bar charts
(a title, one bar per option, a PNG), the least a chart can cost. CPU seconds; the best of the
repeats, so that a busy minute of this shared machine counts less.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def chart_jobs(folder: Path) -> list:
    """The chart jobs of the README's report, recorded as the report submits them."""
    from concurrent.futures import Future

    from analysis.findings.claims import load_claims
    from analysis.report import build
    from analysis.report.build import report
    from analysis.report.drawing import Drawn
    from survey.questionnaire.loader import load_questionnaire
    from survey.readers import read_responses

    jobs = []

    class Recorder(build.Drawing):  # the report's own Drawing, keeping its jobs undrawn
        def __init__(self, expected: int, workers: int | None = None):
            super().__init__(expected, workers=1)

        def submit(self, job):
            jobs.append(job)
            done: Future = Future()
            done.set_result(Drawn((), b"-"))
            return done

    q = load_questionnaire(ROOT / "questionnaires" / "industrial_workers.yaml")
    responses = read_responses(ROOT / "data_samples" / "industrial_workers.sav", q)
    claims = load_claims(ROOT / "questionnaires" / "industrial_workers.claims.yaml", q)
    build.Drawing, drawing = Recorder, build.Drawing
    try:
        report(responses, folder / "report", claims=claims)
    finally:
        build.Drawing = drawing
    return jobs


def baseline(jobs: list, folder: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for k, job in enumerate(jobs):
        fig, ax = plt.subplots(figsize=(8, 4), dpi=150)
        labels = [str(x) for x in range(max(2, min(len(job.data), 16)))]
        ax.barh(labels, range(len(labels)))
        ax.set_title(job.title)
        fig.savefig(folder / f"plain{k}.png")
        plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from analysis.report.drawing import draw

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        jobs = chart_jobs(folder)
        (folder / "charts").mkdir(exist_ok=True)
        draw(dataclasses.replace(jobs[0], stem=folder / "charts" / "warm"))  # font, caches
        best: dict[str, float] = {}
        plain = float("inf")
        for _ in range(args.repeat):
            kinds: dict[str, float] = collections.defaultdict(float)
            for job in jobs:
                started = time.process_time()
                draw(dataclasses.replace(job, stem=folder / "charts" / job.stem.name))
                kinds[job.kind] += time.process_time() - started
            kinds["all"] = sum(kinds.values())
            best = {k: min(v, best.get(k, float("inf"))) for k, v in kinds.items()}
            started = time.process_time()
            baseline(jobs, folder)
            plain = min(plain, time.process_time() - started)
    count = collections.Counter(job.kind for job in jobs)
    for kind, seconds in sorted(best.items(), key=lambda kv: -kv[1]):
        many = len(jobs) if kind == "all" else count[kind]
        print(f"{kind}: {many} charts, {seconds:.2f} CPU s ({seconds / many:.3f} each)")
    print(f"baseline, matplotlib saving {len(jobs)} plain bar charts: {plain:.2f} CPU s; "
          f"ratio {best['all'] / plain:.2f}")


if __name__ == "__main__":
    main()
