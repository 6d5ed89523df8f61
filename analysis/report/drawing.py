"""The report's charts drawn in worker processes while the main process computes the tables.

Laying out and rasterising a chart costs more than computing its table (matplotlib's text layout
is pure Python), and every chart is independent: a `ChartJob` is plain data (the chart's name in
`analysis.report.charts`, its tidy frame and its texts), drawn where a worker is free. Workers
start from a fork server that has imported matplotlib once, so none inherits the main process's
threads; a report with few charts draws them in the main process instead. The jobs reach the
pool through a thread of their own: the first job starts the workers, and they are forked only
once the server has imported matplotlib, which the main process need not wait for. The page's
font, cut from the CJK font once the page's text is known, is queued there too, after the charts,
while the main process writes the workbook.
"""

from __future__ import annotations

import io
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd

from analysis.report.workers import POOL_FROM, context, cores, start

if TYPE_CHECKING:
    from PIL import Image

_T = TypeVar("_T")
WEB_WIDTH = 800  # pixels: the page's column; the PNG files beside it keep their 150 dpi
WEB_COLOURS = 24  # charts are flat colours and anti-aliased text: 24 keep both legible
FORMATS = ("png", "svg")  # the files a chart can be written as


@dataclass(frozen=True)
class ChartJob:
    """One chart to draw: `kind` names a function of `analysis.report.charts` called with
    (`data`, `title`, **`options`); the files are `stem` with each of `formats` as suffix."""

    kind: str
    data: pd.DataFrame
    title: str
    stem: Path
    options: dict[str, Any] = field(default_factory=dict)
    formats: tuple[str, ...] = ("png",)


@dataclass(frozen=True)
class Drawn:
    """A drawn chart: the files written and the PNG the HTML page carries."""

    paths: tuple[Path, ...]
    web_png: bytes


def draw(job: ChartJob) -> Drawn:
    """Draw `job`, write its files and make the page's copy of the PNG."""
    from analysis.report import chart_files, charts

    figure = getattr(charts, job.kind)(job.data, job.title, **job.options)
    raster = chart_files.rasterise(figure)
    paths = chart_files.write(figure, raster, job.stem, job.formats)
    return Drawn(tuple(paths), web_png(raster.image))


def web_png(image: Image.Image) -> bytes:
    """A chart as the page carries it: at most WEB_WIDTH wide, in a palette of WEB_COLOURS
    (a tenth of the file, still legible; the PNG and SVG files keep full quality)."""
    from PIL import Image

    if image.mode in ("RGBA", "LA", "P"):  # a transparent chart, on the page's white
        image = Image.alpha_composite(Image.new("RGBA", image.size, "white"),
                                      image.convert("RGBA"))
    image = image.convert("RGB")
    if image.width > WEB_WIDTH:
        # a box filter, each pixel the mean of those it covers: as legible as bicubic, in 3/5
        height = round(image.height * WEB_WIDTH / image.width)
        image = image.resize((WEB_WIDTH, height), Image.Resampling.BOX)
    out = io.BytesIO()  # zlib's level 7: 8% larger than its best, in half the time
    image.quantize(WEB_COLOURS, method=Image.Quantize.FASTOCTREE).save(out, "PNG",
                                                                       compress_level=7)
    return out.getvalue()


class Drawing:
    """Charts drawn as they are submitted: by a pool of worker processes when there are at least
    POOL_FROM of them and more than one core, else at once in this process. Leaving the block
    waits for the charts being drawn and cancels the rest, so that nothing writes into a report
    folder after its owner has removed it."""

    def __init__(self, expected: int, workers: int | None = None):
        workers = min(4, cores()) if workers is None else workers
        self._pool = (ProcessPoolExecutor(workers, mp_context=context(),
                                          initializer=_ignore_interrupts)
                      if workers > 1 and expected >= POOL_FROM else None)
        # a pool's submit waits until the fork server has forked a worker, which is after its
        # imports: seconds in which this process can compute tables instead of waiting
        self._feeder = ThreadPoolExecutor(1, "chart-jobs") if self._pool is not None else None
        self._submitted: list[Future] = []

    @property
    def pooled(self) -> bool:
        return self._pool is not None

    def __enter__(self) -> Drawing:
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._feeder.shutdown(wait=True, cancel_futures=True)
            self._pool.shutdown(wait=True, cancel_futures=True)
            for future in self._submitted:  # those the feeder had not passed on yet
                future.cancel()

    def submit(self, job: ChartJob) -> Future[Drawn]:
        return self.call(draw, job)

    def call(self, function: Callable[..., _T], *args: Any) -> Future[_T]:
        """`function(*args)` where a chart would be drawn, after the calls before it: another of
        the report's independent pieces of work (a module's function; with a pool, its arguments
        and result are pickled). Cancelling the future drops a call that no worker has started;
        one started runs to its end, its outcome dropped."""
        done: Future[_T] = Future()
        if self._pool is None:
            done.set_result(function(*args))
            return done
        self._submitted.append(done)
        self._feeder.submit(self._pass_on, function, args, done)
        return done

    def _pass_on(self, function: Callable[..., _T], args: tuple, done: Future[_T]) -> None:
        """In the feeder's thread: hand the call to the pool and settle `done` with its
        outcome (a cancel of `done` is passed on to the pool's future)."""
        if done.cancelled():
            return
        try:
            running = self._pool.submit(function, *args)
        except BaseException as error:  # a broken pool: the caller's result() raises it
            done.set_exception(error)
        else:
            done.add_done_callback(lambda ours: ours.cancelled() and running.cancel())
            running.add_done_callback(partial(_settle, done))


def warm_up(expected: int) -> None:
    """Start the fork server now when `expected` charts will be drawn by a pool, so that it
    imports matplotlib while this process reads the data (a second of a core that is otherwise
    idle); `survey report` has started it already."""
    if expected >= POOL_FROM:
        start()


def results(futures: Sequence[Future[Drawn]]) -> list[Drawn]:
    """The drawn charts in the order they were submitted (a worker's error is raised here)."""
    return [future.result() for future in futures]


def _settle(done: Future, running: Future) -> None:
    """Give `done` the outcome of the pool's future `running`, unless it was cancelled."""
    if done.cancelled():
        return
    if running.cancelled():
        done.cancel()
    elif running.exception() is not None:
        done.set_exception(running.exception())
    else:
        done.set_result(running.result())


def _ignore_interrupts() -> None:
    """Ctrl-C reaches the whole process group: the main process alone decides what stops."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
