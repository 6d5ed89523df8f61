"""The report's charts drawn by worker processes are the charts drawn in the main process.

A pool of workers (started from a fork server) draws the report's charts while the tables are
computed; what they write must not depend on where a chart was drawn, a worker's error must reach
the caller, and the page's copy of each PNG is small and legible.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from analysis.report.drawing import WEB_COLOURS, WEB_WIDTH, ChartJob, Drawing, results


def _jobs(folder, n: int) -> list[ChartJob]:
    rng = np.random.default_rng(5)
    jobs = []
    for k in range(n):
        cells = pd.DataFrame([{"row_label": row, "column_label": column,
                               "proportion": float(rng.uniform(0.1, 0.6)), "base": 120}
                              for column in ("合计", "农民工", "非农民工")
                              for row in ("工资收入", "看病就医", "子女教育")])
        kind = "stacked_bars" if k % 2 else "grouped_bars"
        jobs.append(ChartJob(kind, cells, f"问题 {k}", folder / f"chart_{k}",
                             {"note": "列比较：基于设计的t检验，Holm法校正。"},
                             ("png", "svg")))
    return jobs


def test_workers_draw_the_same_files_as_the_main_process(tmp_path):
    (tmp_path / "pool").mkdir()
    (tmp_path / "inline").mkdir()
    with Drawing(expected=8, workers=2) as drawing:
        assert drawing.pooled
        pooled = results([drawing.submit(job) for job in _jobs(tmp_path / "pool", 8)])
    with Drawing(expected=8, workers=0) as drawing:
        assert not drawing.pooled
        inline = results([drawing.submit(job) for job in _jobs(tmp_path / "inline", 8)])
    assert len(pooled) == len(inline) == 8
    for a, b in zip(pooled, inline, strict=True):
        assert [p.name for p in a.paths] == [p.name for p in b.paths]
        assert [p.parent for p in a.paths] == [tmp_path / "pool"] * 2
        for pa, pb in zip(a.paths, b.paths, strict=True):
            assert pa.read_bytes() == pb.read_bytes(), pa.name
        assert a.web_png == b.web_png


def test_a_workers_error_reaches_the_caller(tmp_path):
    jobs = _jobs(tmp_path, 8)
    jobs[3] = ChartJob("no_such_chart", jobs[3].data, "x", tmp_path / "bad")
    with Drawing(expected=8, workers=2) as drawing, pytest.raises(AttributeError):
        results([drawing.submit(job) for job in jobs])
    assert not (tmp_path / "bad.png").exists()


def test_a_submit_does_not_wait_for_the_workers_to_start(tmp_path, monkeypatch):
    """The pool's workers are forked once the fork server has imported matplotlib (a second or
    more, longer when a notebook calls `survey.report`): the tables are computed meanwhile, so
    a chart's submit returns at once. Here the workers' start waits for the test to release it,
    after its submits: a submit that waited for the start would hold it for the whole timeout.
    The start is held in the standard library's `ProcessPoolExecutor._spawn_process` (CPython
    3.11 to 3.13), where a submit forks a worker."""
    import threading
    from concurrent.futures import ProcessPoolExecutor

    released = threading.Event()
    waited: list[bool] = []
    spawn = ProcessPoolExecutor._spawn_process

    def slow_spawn(pool):
        waited.append(released.wait(timeout=5))
        spawn(pool)

    monkeypatch.setattr(ProcessPoolExecutor, "_spawn_process", slow_spawn)
    jobs = _jobs(tmp_path, 8)
    with Drawing(expected=8, workers=2) as drawing:
        futures = [drawing.submit(job) for job in jobs]
        assert not any(future.done() for future in futures)
        released.set()
        drawn = results(futures)
    assert waited and all(waited)  # every start was released by the test, none timed out
    assert [d.paths[0] for d in drawn] == [job.stem.with_suffix(".png") for job in jobs]
    assert all(path.exists() for d in drawn for path in d.paths)


def test_leaving_early_cancels_the_charts_not_yet_drawn(tmp_path):
    """An error in the main process leaves the block at once: when it is left, every chart is
    drawn or cancelled (whether the pool had it or not), and the files written are those of the
    charts drawn."""
    jobs = _jobs(tmp_path, 24)
    with pytest.raises(KeyboardInterrupt), Drawing(expected=24, workers=2) as drawing:
        futures = [drawing.submit(job) for job in jobs]
        raise KeyboardInterrupt
    assert all(future.done() for future in futures)
    cancelled = [future.cancelled() for future in futures]
    assert any(cancelled)
    written = set(tmp_path.glob("*.png"))
    for job, future in zip(jobs, futures, strict=True):
        assert (job.stem.with_suffix(".png") in written) == (not future.cancelled())


def test_a_chart_cancelled_before_a_worker_starts_it_is_not_drawn(tmp_path):
    """Cancelling a chart's future drops the chart, whether the feeder had handed it to the
    pool or not; the others are drawn."""
    jobs = _jobs(tmp_path, 16)
    with Drawing(expected=16, workers=2) as drawing:
        futures = [drawing.submit(job) for job in jobs]
        assert futures[-1].cancel()
        drawn = results(futures[:-1])
    assert futures[-1].cancelled()
    assert not jobs[-1].stem.with_suffix(".png").exists()
    assert all(path.exists() for d in drawn for path in d.paths)


def test_the_pages_copy_is_narrow_and_few_coloured(tmp_path):
    with Drawing(expected=1) as drawing:
        drawn = results([drawing.submit(_jobs(tmp_path, 1)[0])])[0]
    full = Image.open(drawn.paths[0])
    web = Image.open(io.BytesIO(drawn.web_png))
    assert full.width > WEB_WIDTH and web.width == WEB_WIDTH
    assert abs(web.height / web.width - full.height / full.width) < 0.01
    assert len(web.getcolors(256)) <= WEB_COLOURS
    assert len(drawn.web_png) < full.size[0] * full.size[1] // 20


def test_the_fork_server_is_started_early_only_for_a_pool():
    """`warm_up` starts the fork server only when the charts will be drawn by a pool (a report
    with fewer draws them in its own process), in a fresh interpreter as a command is."""
    import subprocess
    import sys

    code = """
from multiprocessing import forkserver
from analysis.report.drawing import POOL_FROM, warm_up
warm_up(POOL_FROM - 1)
few = forkserver._forkserver._forkserver_pid
warm_up(POOL_FROM)
print(few is None, forkserver._forkserver._forkserver_pid is not None)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]


def test_a_report_starts_its_fork_server_before_the_app_loads():
    """`survey report` starts the chart workers' fork server first, so that it imports matplotlib
    while the command imports the app (started later, the first chart waited 0.4 to 0.8 s for
    it); another command starts none, and the module that starts it loads no third-party
    package."""
    import subprocess
    import sys

    code = """
import sys
from multiprocessing import forkserver
import analysis.report.workers
light = not {"numpy", "pandas", "matplotlib"} & set(sys.modules)
from cli import main
sys.argv = ["survey", sys.argv[1], "--help"]
try:
    main()
except SystemExit:
    pass
print(light, forkserver._forkserver._forkserver_pid is not None)
"""
    found = {}
    for command in ("report", "crosstab"):
        done = subprocess.run([sys.executable, "-c", code, command], capture_output=True,
                              text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        found[command] = done.stdout.split()[-2:]
    import multiprocessing

    from analysis.report.workers import cores

    server = str(cores() > 1 and "forkserver" in multiprocessing.get_all_start_methods())
    assert found == {"report": ["True", server], "crosstab": ["True", "False"]}
