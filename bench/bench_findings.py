"""How long the report's two statistical steps take alone: segment profiles and the findings.

    python bench/bench_findings.py [--n 1000000] [--data cache.parquet] [--dump out.pkl]
    python bench/bench_findings.py --sample        # the bundled sample (2,000 respondents)

Builds the inputs as bench/bench_report.py does (the reference questionnaire simulated with its
findings planted, written to Parquet and read back, the questionnaire's design), then times
`segment_profiles` and `assess_claims` (with ClaimData.from_responses, as the report calls it).
The baseline in the same run: a weighted pandas.crosstab of every single-choice question by
`workplace` (counts only, no variance). `--data` keeps the simulated file between runs;
`--dump` pickles both results, so that two versions of the code can be compared figure by figure.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the command does

import argparse  # noqa: E402
import pickle  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402

from analysis.design.choice import choose_design  # noqa: E402
from analysis.findings.claims import load_claims  # noqa: E402
from analysis.findings.profiles import segment_profiles  # noqa: E402
from analysis.findings.verdicts import ClaimData, assess_claims  # noqa: E402
from survey.questionnaire.loader import load_questionnaire  # noqa: E402
from survey.readers import read_responses  # noqa: E402
from survey.simulation.effects import load_effects  # noqa: E402
from survey.simulation.generate import simulate  # noqa: E402
from survey.writers import write_responses  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
QUESTIONNAIRE = ROOT / "questionnaires" / "industrial_workers.yaml"


def _data(q, n: int, cache: Path | None, folder: Path) -> Path:
    """The simulated Parquet file: `cache` when it exists, else simulated (and kept there)."""
    if cache is not None and cache.exists():
        return cache
    path = cache or folder / "sample.parquet"
    effects = load_effects(ROOT / "questionnaires" / "industrial_workers.effects.yaml", q)
    write_responses(simulate(q, n, seed=1, effects=effects), path)
    return path


def _timed(step, repeat: int) -> tuple[tuple[float, float], object]:
    """The best wall and CPU seconds of `repeat` runs (CPU: user + system, which a busy
    machine moves less than wall time), and the result."""
    wall, cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        result = step()
        wall, cpu = min(wall, time.perf_counter() - t), min(cpu, time.process_time() - c)
    return (wall, cpu), result


def _s(seconds: tuple[float, float]) -> str:
    return f"{seconds[0]:.2f} s ({seconds[1]:.2f} CPU)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--sample", action="store_true", help="the bundled .sav (2,000)")
    parser.add_argument("--data", type=Path, help="a Parquet file kept between runs")
    parser.add_argument("--dump", type=Path, help="pickle the profiles and findings here")
    parser.add_argument("--repeat", type=int, default=1,
                        help="best of this many runs (segments are evaluated in the first only)")
    args = parser.parse_args()
    q = load_questionnaire(QUESTIONNAIRE)
    claims = load_claims(ROOT / "questionnaires" / "industrial_workers.claims.yaml", q)
    with tempfile.TemporaryDirectory() as folder:
        data = (ROOT / "data_samples" / "industrial_workers.sav" if args.sample
                else _data(q, args.n, args.data, Path(folder)))
        responses = read_responses(data, q)
        design = choose_design(responses).design
        frame = responses.frame
        singles = [name for name, item in q.items.items() if item.type == "single"]

        def crosstabs() -> None:
            for name in singles:
                pd.crosstab(frame[name], frame["workplace"], values=frame["weight"],
                            aggfunc="sum")

        baseline, _ = _timed(crosstabs, args.repeat)
        load = os.getloadavg()[0]
        profiles_s, profiles = _timed(lambda: segment_profiles(responses, design), args.repeat)
        findings_s, findings = _timed(
            lambda: assess_claims(claims, ClaimData.from_responses(responses), design),
            args.repeat)
    load = max(load, os.getloadavg()[0])
    n = len(frame)
    print(f"{n:,} respondents, load average {load:.1f} (1 min, highest of start and end)")
    both = (profiles_s[0] + findings_s[0], profiles_s[1] + findings_s[1])
    print(f"segment_profiles: {_s(profiles_s)}, {len(profiles)} rows; "
          f"assess_claims: {_s(findings_s)}, {len(findings.findings)} claims; "
          f"together {_s(both)}")
    print(f"baseline: {len(singles)} weighted pandas.crosstab by workplace (counts only) "
          f"{_s(baseline)}; profiles / baseline {profiles_s[0] / baseline[0]:.1f}, "
          f"findings / baseline {findings_s[0] / baseline[0]:.1f}")
    if args.dump:
        args.dump.write_bytes(pickle.dumps({"profiles": profiles,
                                            "findings": findings.to_frame()}))


if __name__ == "__main__":
    main()
