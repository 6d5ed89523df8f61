"""The aggregation passes on threads (analysis/threads.py): the same figures to the bit as in
line, no pool waiting on itself, and a forked child that starts its own pool."""

from __future__ import annotations

import multiprocessing
import threading

import pandas as pd
import pytest

from analysis import threads
from analysis.banner.build import banner
from analysis.design.sample_design import Design
from survey.questionnaire.loader import parse_questionnaire
from survey.responses.dataset import Responses
from tests.test_banner_planes import DESIGNS, NETS, QUESTIONNAIRE, data


def _exactly_equal(a, b) -> None:
    for part in ("columns", "cells", "missing"):
        pd.testing.assert_frame_equal(getattr(a, part), getattr(b, part), check_exact=True)
    assert [(t.row, t.statistic, t.p) for t in a.tests] == \
        [(t.row, t.statistic, t.p) for t in b.tests]


@pytest.mark.parametrize("design", ["stratified clusters", "two stages with fpc"])
@pytest.mark.parametrize("row", ["m", "r"])
def test_banner_passes_on_threads_equal_those_in_line(monkeypatch, design: str,
                                                      row: str) -> None:
    """Each bincount is made whole by one thread, so the figures are the same to the last bit."""
    if threads.cores() < 2:
        pytest.skip("one core: the passes always run in line")
    responses = Responses.from_raw(parse_questionnaire(QUESTIONNAIRE), data(3000))
    ours = Design.build(responses.frame, **DESIGNS[design])
    args = dict(by=["g", "first"], nets=NETS[row])
    monkeypatch.setattr(threads, "PARALLEL_FROM", 10**12)
    in_line = banner(responses, row, design=ours, **args)
    seen: set[str] = set()
    real = threads.passes

    def watched(work, items, respondents):
        return real(lambda x: (seen.add(threading.current_thread().name), work(x))[1],
                    items, respondents)

    monkeypatch.setattr(threads, "PARALLEL_FROM", 0)
    monkeypatch.setattr(threads, "passes", watched)
    threaded = banner(responses, row, design=ours, **args)
    assert any(name.startswith(threads.PREFIX) for name in seen)
    _exactly_equal(in_line, threaded)


def test_passes_in_a_pass_run_in_line(monkeypatch) -> None:
    """A pass that asks for passes gets them in its own thread: no pool waits on itself."""
    monkeypatch.setattr(threads, "PARALLEL_FROM", 0)
    where = threads.passes(lambda i: threads.passes(
        lambda j: (i, j, threading.current_thread().name), range(3), 10), range(4), 10)
    for i, inner in enumerate(where):
        assert [(a, b) for a, b, _ in inner] == [(i, 0), (i, 1), (i, 2)]
        assert len({name for _, _, name in inner}) == 1  # all in the outer pass's thread


def _in_child(queue) -> None:
    threads.PARALLEL_FROM = 0
    queue.put(threads.passes(lambda x: x * x, range(5), 1))


def test_a_forked_child_starts_its_own_pool(monkeypatch) -> None:
    """The parent's pool threads are not in a forked child; the child's passes still run."""
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform")
    monkeypatch.setattr(threads, "PARALLEL_FROM", 0)
    assert threads.passes(lambda x: x + 1, range(3), 1) == [1, 2, 3]  # the parent's pool
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_in_child, args=(queue,))
    child.start()
    child.join(30)
    assert child.exitcode == 0
    assert queue.get(timeout=5) == [0, 1, 4, 9, 16]
