"""How long `survey report` takes on a realistic and on a large dataset.

    python bench/bench_report.py [--n 1000000] [--by state_owned,small_micro,migrant,...]

Simulates N respondents of the reference questionnaire (findings planted), writes them to
Parquet, then times the whole report (banners of every question by the segments, charts,
workbook, findings, HTML) and, as the baseline in the same run, reading the Parquet file with
pandas alone and a weighted pandas.crosstab of every single-choice question by one segment.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import pandas as pd

from analysis.design.choice import choose_design
from analysis.findings.claims import load_claims
from analysis.report.build import make_report
from survey.questionnaire.loader import load_questionnaire
from survey.readers import read_responses
from survey.simulation.effects import load_effects
from survey.simulation.generate import simulate
from survey.writers import write_responses

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--by", default="state_owned,small_micro,migrant,new_employment,young")
    args = parser.parse_args()
    q = load_questionnaire(ROOT / "questionnaires" / "industrial_workers.yaml")
    effects = load_effects(ROOT / "questionnaires" / "industrial_workers.effects.yaml", q)
    claims = load_claims(ROOT / "questionnaires" / "industrial_workers.claims.yaml", q)
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "sample.parquet"
        t = time.perf_counter()
        write_responses(simulate(q, args.n, seed=1, effects=effects), data)
        print(f"simulate + write {args.n:,} respondents: {time.perf_counter() - t:.1f} s")

        t = time.perf_counter()
        frame = pd.read_parquet(data)
        read_pandas = time.perf_counter() - t
        t = time.perf_counter()
        singles = [name for name, item in q.items.items() if item.type == "single"]
        for name in singles:
            pd.crosstab(frame[name], frame["workplace"], values=frame["weight"], aggfunc="sum")
        crosstabs = time.perf_counter() - t

        t = time.perf_counter()
        responses = read_responses(data, q)
        choice = choose_design(responses)
        read_ours = time.perf_counter() - t
        steps: dict[str, float] = {}
        clock = {"step": "", "since": time.perf_counter()}

        def progress(step: str, done: int, total: int) -> None:  # time spent per step
            now = time.perf_counter()
            steps[clock["step"]] = steps.get(clock["step"], 0.0) + now - clock["since"]
            clock.update(step=step, since=now)

        t = time.perf_counter()
        files = make_report(responses, choice, Path(folder) / "report", claims=claims,
                            by=args.by.split(","), progress=progress)
        report = time.perf_counter() - t
        progress("", 0, 0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"read: pandas {read_pandas:.1f} s, ours (Responses + design) {read_ours:.1f} s "
          f"({read_ours / read_pandas:.1f}x)")
    print(f"report: {report:.1f} s for {files.banners} banner tables by {len(args.by.split(','))}"
          f" segments, {files.claims} claims, {len(files.files)} files "
          f"(target: 60 s at 1,000,000)")
    print("steps: " + "; ".join(f"{step} {seconds:.1f} s" for step, seconds in steps.items()
                                if step))
    print(f"baseline: {len(singles)} weighted pandas.crosstab (counts only) {crosstabs:.1f} s; "
          f"report / crosstabs = {report / crosstabs:.0f}x")
    print(f"peak memory {peak:,.0f} MB")


if __name__ == "__main__":
    main()
