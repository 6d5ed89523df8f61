"""How long the README's main command takes: `survey report` on the bundled sample.

    python bench/bench_readme.py [--runs 3]

Runs the command the README gives (read from README.md, after its `pip install` step) in a
fresh process, as a newcomer does, and as the baseline in the same run a plain pandas and
matplotlib process that reads the same .sav and draws and saves one bar chart per question of
the report (PNG): the least a report of these charts can cost. The machine is shared and its
speed moves from minute to minute, so the two run in turn, `--runs` times each, and the best and
the median of each are reported, with the load average beside them. Our command is timed twice:
compiling this project's modules (PYTHONDONTWRITEBYTECODE, as this machine's shell sets it: a
newcomer's first run), and with its bytecode cached (a user's every run after the first).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_crosstab import cached_bytecode  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BASELINE = """
import sys, pandas as pd, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
frame = pd.read_spss(sys.argv[1], convert_categoricals=False)
columns = [c for c in frame.columns if frame[c].nunique() < 20][:int(sys.argv[3])]
for k, column in enumerate(columns):
    fig, ax = plt.subplots(figsize=(8, 5), dpi=150)
    frame[column].value_counts(normalize=True).sort_index().plot.barh(ax=ax)
    fig.tight_layout()
    fig.savefig(f"{sys.argv[2]}/{k}.png")
    plt.close(fig)
"""


def readme_command() -> list[str]:
    """The README's first command after its install step, as arguments."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    line = next(s for s in re.findall(r"^(python3 -m pip install -e \. && .+)$", text, re.M))
    return shlex.split(line.split("&&", 1)[1])


def timed(command: list[str], output: Path, env: dict[str, str] | None = None) -> float:
    subprocess.run(["rm", "-rf", str(output)], check=True)
    output.mkdir(parents=True)
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    command = readme_command()
    ours: list[float] = []
    cached: list[float] = []
    theirs: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        out, base = Path(folder) / "report", Path(folder) / "baseline"
        command = [c if c != "report/" else f"{out}/" for c in command]
        env = cached_bytecode(str(Path(folder) / "bytecode"))
        timed(command, out, env)  # compiles into the cache once, untimed
        compiling = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")  # as a first run, always
        for _ in range(args.runs):  # in turn: this machine's speed moves from minute to minute
            ours.append(timed(command, out, compiling))
            cached.append(timed(command, out, env))
            charts = len(list((out / "charts").glob("*.png")))
            html = (out / "report.html").stat().st_size / 1e6
            theirs.append(timed([sys.executable, "-c", BASELINE,
                                 str(ROOT / "data_samples" / "industrial_workers.sav"),
                                 str(base), str(charts)], base))
    load = os.getloadavg()[0]
    print(f"README main command ({' '.join(command[:2])} ...): best {min(ours):.1f} s, median "
          f"{statistics.median(ours):.1f} s of {args.runs}; {charts} charts, report.html "
          f"{html:.2f} MB (targets: 10 s, 1.5 MB)")
    print(f"the same with its bytecode cached: best {min(cached):.1f} s, median "
          f"{statistics.median(cached):.1f} s")
    print(f"baseline, run in turn with it: pandas reads the .sav and matplotlib saves {charts} "
          f"bar charts: best {min(theirs):.1f} s, median {statistics.median(theirs):.1f} s; "
          f"ratio of the bests {min(ours) / min(theirs):.2f} ({min(cached) / min(theirs):.2f} "
          f"cached), of the medians {statistics.median(ours) / statistics.median(theirs):.2f} "
          f"({statistics.median(cached) / statistics.median(theirs):.2f} cached); "
          f"load average {load:.1f}")


if __name__ == "__main__":
    main()
