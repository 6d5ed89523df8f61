"""Benchmark: `survey crosstab --json` end to end against a plain numpy process, same data.

1,000,000 respondents, 50 strata, 2,000 PSUs, unequal weights; a 16-option multi-select by 3
segment variables (12 columns), written with our Parquet writer beside 40 other questions a
crosstab does not need (a real file holds the whole questionnaire). Timed in the same run, each
beside its baseline:
- `python -m cli crosstab DATA --row concerns --by workplace,size,cohort --json`, a fresh process
  with its bytecode cached (as a user's every run after the first), against a plain numpy
  process that reads the Parquet file (pyarrow, the 22 columns it needs) and computes the same
  column proportions and Taylor SEs (no letters, tests or intervals), the two in turn;
- the library's design + banner on the data in memory, against that sketch's statistics alone;
- the command on the bundled sample (data_samples/, 2,000 respondents), against the bare
  interpreter importing numpy + pandas (the floor of any Python command): with the bytecode
  cached (a user's every run after the first), and as run here, where PYTHONDONTWRITEBYTECODE
  makes every run compile this project's modules;
- a banner per question of the bundled sample, against weighted pandas.crosstab of the same.
Run: python bench/bench_crosstab.py [--n 1000000] [--repeat 3]
"""

from __future__ import annotations

import os

# As the command does (cli/__init__.py): one BLAS thread, set before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from survey.questionnaire.loader import parse_questionnaire  # noqa: E402
from survey.responses.dataset import Responses  # noqa: E402
from survey.writers import write_responses  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
N_OPTIONS = 16
SEGMENTS = {"workplace": 5, "size": 4, "cohort": 3}  # 12 banner columns
OTHERS = 40  # questions the crosstab does not read


def questionnaire_text() -> str:
    opts = ", ".join(f"o{j}: Option {j}" for j in range(1, N_OPTIONS + 1))
    lines = ["survey: {id: bench, version: '1', title: Bench, languages: [en]}", "questions:"]
    for name, k in SEGMENTS.items():
        codes = ", ".join(f"{c}: L{c}" for c in range(1, k + 1))
        lines.append(f"  - {{name: {name}, type: single, label: {name}, options: {{{codes}}}}}")
    lines.append(f"  - {{name: concerns, type: multi, label: Concerns, options: {{{opts}}}}}")
    for i in range(OTHERS):
        lines.append(f"  - {{name: s{i}, type: single, label: S{i}, "
                     "options: {1: a, 2: b, 3: c, 4: d, 5: e}}")
    lines.append("design: {weight: weight, strata: stratum, cluster: cluster}")
    return "\n".join(lines) + "\n"


def make_data(n: int, seed: int = 7) -> Responses:
    """Answers in the layout: categorical singles, an Int8 multi block, design columns."""
    q = parse_questionnaire(questionnaire_text())
    rng = np.random.default_rng(seed)
    cluster = rng.integers(0, 2000, n).astype(np.int32)
    raw: dict[str, object] = {}
    for name, k in SEGMENTS.items():
        raw[name] = ((rng.integers(0, k, n) + (cluster % 3 == 0)) % k + 1).astype(np.int8)
    unanswered = rng.random(n) < 0.03
    popularity = np.linspace(0.05, 0.6, N_OPTIONS)
    for j in range(N_OPTIONS):
        chosen = (rng.random(n) < popularity[j]).astype(np.float64)
        chosen[unanswered] = np.nan
        raw[f"concerns__o{j + 1}"] = chosen
    for i in range(OTHERS):
        raw[f"s{i}"] = rng.integers(1, 6, n).astype(np.int8)
    raw["stratum"] = (cluster % 50).astype(np.int16)
    raw["cluster"] = cluster
    raw["weight"] = rng.uniform(0.5, 4.0, n)
    return Responses.from_raw(q, pd.DataFrame(raw))


SKETCH = r"""
import sys, time
import numpy as np


def proportions(w, stratum, cluster, ok, flags, segments):
    # per segment variable (and the whole sample): shares of each flag and their Taylor SEs
    _, psu = np.unique(cluster, return_inverse=True)
    n_psu = psu.max() + 1
    psu_s = np.zeros(n_psu, np.int64)
    psu_s[psu] = stratum
    n_h = np.bincount(psu_s).astype(float)
    wd = np.where(ok, w, 0.0)
    out = []
    for d in [np.zeros(len(w), np.int64)] + segments:
        k = int(d.max()) + 1
        key = psu * k + d
        size = n_psu * k
        zw = np.bincount(key, wd, minlength=size).reshape(n_psu, k)
        zy = np.stack([np.bincount(key, wd * y, minlength=size) for y in flags], 1)
        zy = zy.reshape(n_psu, k, -1)
        p = zy.sum(0) / zw.sum(0)[:, None]
        z = ((zy - p[None] * zw[:, :, None]) / zw.sum(0)[None, :, None]).reshape(n_psu, -1)
        mean = np.stack([np.bincount(psu_s, z[:, c], minlength=len(n_h))
                         for c in range(z.shape[1])], 1) / n_h[:, None]
        dev = z - mean[psu_s]
        var = ((dev ** 2) * (n_h / (n_h - 1))[psu_s][:, None]).sum(0)
        out.append((p, np.sqrt(var).reshape(k, -1)))
    return out


if __name__ == "__main__":
    import pyarrow.parquet as pq
    names = [f"concerns__o{j}" for j in range(1, 17)]
    segs = ["workplace", "size", "cohort"]
    t = pq.read_table(sys.argv[1], columns=names + segs + ["stratum", "cluster", "weight"])
    col = lambda c: t.column(c).to_numpy()
    ok = t.column(names[0]).is_valid().to_numpy(zero_copy_only=False)
    flags = [t.column(c).fill_null(0).to_numpy() for c in names]
    found = proportions(col("weight"), col("stratum").astype(np.int64), col("cluster"), ok,
                        flags, [col(s) - 1 for s in segs])
    print(len(found))
"""


def run(command: list[str], repeat: int, env: dict[str, str] | None = None,
        warm: bool = False) -> tuple[float, float]:
    """The fastest wall time and the least CPU time (user + system) of `repeat` fresh processes
    (after one untimed run when `warm`). On a shared machine CPU time moves less with the load
    than wall time does."""
    return in_turn([(command, env)], repeat, warm)[0]


def in_turn(commands: list[tuple[list[str], dict[str, str] | None]], repeat: int,
            warm: bool = False) -> list[tuple[float, float]]:
    """`run` for several commands taken in turn, so that each meets the machine's same minutes:
    the fastest wall time and least CPU time of each."""
    best = [(float("inf"), float("inf")) for _ in commands]
    envs = [dict(env or os.environ, OPENBLAS_NUM_THREADS="1") for _, env in commands]
    if warm:
        for (command, _), env in zip(commands, envs, strict=True):
            subprocess.run(command, capture_output=True, cwd=ROOT, env=env, check=False)
    for _ in range(repeat):
        for k, ((command, _), env) in enumerate(zip(commands, envs, strict=True)):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env,
                                  check=False)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            if done.returncode != 0:
                raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
            best[k] = (min(best[k][0], wall), min(best[k][1], cpu))
    return best


def cached_bytecode(folder: str) -> dict[str, str]:
    """The environment of a user's every run after the first: this project's modules read from
    bytecode kept in `folder` (this machine's shell sets PYTHONDONTWRITEBYTECODE, under which
    every run compiles them, 0.3 s)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return dict(env, PYTHONPYCACHEPREFIX=folder)


def clocked(work, repeat: int) -> tuple[float, float]:
    """The fastest wall time and the least CPU time of `repeat` calls of `work`."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        start, used = time.perf_counter(), time.process_time()
        work()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - used)
    return wall, cpu


def library(data: Responses, repeat: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """In one process, data in memory: our design + banner (letters, tests, intervals) and the
    numpy sketch's shares and SEs; the fastest of `repeat` runs of each."""
    from analysis.banner.build import banner
    from analysis.design.sample_design import Design

    space: dict = {"__name__": "sketch"}
    exec(SKETCH, space)  # noqa: S102 - our own text above, the baseline's statistics
    frame = data.frame
    names = [f"concerns__o{j}" for j in range(1, N_OPTIONS + 1)]
    flags = [frame[c].to_numpy(dtype=np.int8, na_value=0) for c in names]
    ok = frame[names[0]].notna().to_numpy()
    segments = [frame[s].cat.codes.to_numpy().astype(np.int64) for s in SEGMENTS]

    def ours() -> None:
        design = Design.build(frame, weight="weight", strata="stratum", cluster="cluster")
        banner(data, "concerns", list(SEGMENTS), design=design)

    def theirs() -> None:
        space["proportions"](frame["weight"].to_numpy(), frame["stratum"].to_numpy(np.int64),
                             frame["cluster"].to_numpy(), ok, flags, segments)

    ours()  # once before timing: first calls import and cache
    return clocked(ours, repeat), clocked(theirs, repeat)


def per_table(repeat: int) -> tuple[tuple[float, float], tuple[float, float], int]:
    """Per table on the bundled sample (2,000 respondents): a banner of each single and set
    question by two segments, against a weighted pandas.crosstab of the same (counts only)."""
    from analysis.banner.build import banner
    from analysis.design.choice import choose_design
    from survey.questionnaire.loader import load_questionnaire
    from survey.readers import read_responses

    q = load_questionnaire(ROOT / "questionnaires" / "industrial_workers.yaml")
    data = read_responses(ROOT / "data_samples" / "industrial_workers.parquet", q)
    design = choose_design(data).design
    rows = [n for n, item in q.items.items() if item.type in ("single", "multi", "rank")]
    by = ["state_owned", "migrant"]
    segments = [data.segment(b) for b in by]
    weight = data.frame["weight"]

    def ours() -> None:
        for row in rows:
            banner(data, row, by, design=design)

    def theirs() -> None:
        for row in rows:
            for column in data.columns_of(row):
                for segment in segments:
                    pd.crosstab(data.frame[column], segment, values=weight, aggfunc="sum")

    ours()
    theirs()
    mine, pandas = (clocked(f, repeat) for f in (ours, theirs))
    return (mine[0] / len(rows), mine[1] / len(rows)), \
        (pandas[0] / len(rows), pandas[1] / len(rows)), len(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    py = sys.executable
    crosstab = [py, "-m", "cli", "crosstab"]
    data = make_data(args.n)
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as cache:
        path, questionnaire = Path(folder) / "bench.parquet", Path(folder) / "bench.yaml"
        questionnaire.write_text(questionnaire_text())
        write_responses(data, path)
        ours, sketch = in_turn([
            ([*crosstab, str(path), "-q", str(questionnaire), "--row", "concerns", "--by",
              ",".join(SEGMENTS), "--json"], cached_bytecode(cache)),
            ([py, "-c", SKETCH, str(path)], cached_bytecode(cache))], args.repeat, warm=True)
    banner_s, sketch_s = library(data, args.repeat)
    del data
    sample = ROOT / "data_samples" / "industrial_workers.parquet"
    sample_q = ROOT / "questionnaires" / "industrial_workers.yaml"
    small_command = [*crosstab, str(sample), "-q", str(sample_q), "--row", "concerns", "--by",
                     "state_owned,migrant", "--json"]
    small = run(small_command, args.repeat)
    # every run after a user's first reads its modules' bytecode; where PYTHONDONTWRITEBYTECODE
    # is set (this machine's shell sets it), every run compiles this project's ~100 modules
    with tempfile.TemporaryDirectory() as cache:
        small_cached = run(small_command, args.repeat, cached_bytecode(cache), warm=True)
    floor = run([py, "-c", "import numpy, pandas"], args.repeat)
    table, crosstabs, n_rows = per_table(args.repeat)
    print(f"{args.n:,} respondents, 16-option multi-select by {len(SEGMENTS)} segment variables "
          f"(12 columns), 50 strata, 2,000 PSUs, weights; best of {args.repeat}; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; wall s (CPU s)")
    figures = [
        ("survey crosstab --json, a fresh process (bytecode cached)", ours,
         "plain numpy process: read the Parquet, shares + SEs", sketch, "ratio <= 1.5"),
        ("library design + banner, data in memory", banner_s,
         "the numpy sketch's shares + SEs", sketch_s, "< 0.25 s"),
        ("bundled sample (2,000): survey crosstab --json, bytecode cached", small_cached,
         "python -c 'import numpy, pandas'", floor, "< 1 s"),
        (f"the same, compiling this project's modules (PYTHONDONTWRITEBYTECODE="
         f"{os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r})", small,
         "python -c 'import numpy, pandas'", floor, "< 1 s"),
        (f"per table at 2,000 respondents ({n_rows} questions by 2 segments)", table,
         "weighted pandas.crosstab of the same, counts only", crosstabs, "< 0.010 s"),
    ]
    for what, (wall, cpu), baseline, (b_wall, b_cpu), target in figures:
        print(f"{what}: {wall:.3f} ({cpu:.3f}) | {baseline}: {b_wall:.3f} ({b_cpu:.3f}) | "
              f"ratio {wall / b_wall:.2f} ({cpu / b_cpu:.2f}) | target {target}")


if __name__ == "__main__":
    main()
