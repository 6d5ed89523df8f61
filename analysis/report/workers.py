"""The processes that draw a report's charts: a fork server's children, where the platform has
a fork server, else fresh interpreters.

Light on purpose (the standard library only): `survey report` starts the fork server before it
imports the rest of the command line, so that the server imports matplotlib while the command
imports pandas; started later, the command waited for it at its first chart (half a second).
"""

from __future__ import annotations

import multiprocessing
import os

POOL_FROM = 8  # charts: fewer are drawn in the main process (a pool's start costs about 1 s)
# the server imports the main script once (else each worker would run it again) and the charts
PRELOAD = ["__main__", "analysis.report.charts"]


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
        else os.cpu_count() or 1


def context():
    """A fork server where the platform has one (workers share its imports and none of this
    process's threads), else fresh interpreters."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        server = multiprocessing.get_context("forkserver")
        server.set_forkserver_preload(PRELOAD)
        return server
    return multiprocessing.get_context("spawn")


def start() -> None:
    """Start the fork server now, where there is one and more than one core to use it."""
    if cores() > 1 and "forkserver" in multiprocessing.get_all_start_methods():
        from multiprocessing import forkserver

        context()
        forkserver.ensure_running()
