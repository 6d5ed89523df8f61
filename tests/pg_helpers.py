"""A throwaway PostgreSQL cluster for the collection tests, and its pytest fixture.

initdb in a temporary folder, a free port, its socket in that folder, password authentication
over TCP; run as the postgres user when the tests run as root; removed afterwards. The fixture
skips only when PostgreSQL's server programs are not installed (CI installs them).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from collect_helpers import free_port

psycopg = pytest.importorskip("psycopg")

PASSWORD = "s3cret-Pw"


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class Cluster:
    """A PostgreSQL cluster of its own in a temporary folder, on a free loopback port."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="survey-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # the server refuses to run as root
            shutil.chown(self.folder, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        pwfile = self.folder / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if self.as_user:
            shutil.chown(pwfile, "postgres", "postgres")
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth-local=trust",
                 "--auth-host=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8",
                 "--locale=C.UTF-8")
        self.start()

    def run(self, program: str, *args: str) -> None:
        done = subprocess.run([*self.as_user, str(self.bindir / program), *args],
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = self.folder / "log"
            raise RuntimeError(f"{program} failed: {done.stderr}"
                               + (log.read_text() if log.exists() else ""))

    def admin(self):
        return psycopg.connect(host=str(self.folder), port=self.port, user="postgres",
                               dbname="postgres", autocommit=True)

    def database(self, name: str) -> str:
        """A new database owned by a password-protected role; its URL over TCP loopback."""
        with self.admin() as connection:
            connection.execute(f"CREATE ROLE {name} LOGIN PASSWORD '{PASSWORD}'")
            connection.execute(f"CREATE DATABASE {name} OWNER {name}")
        return f"postgresql://{name}:{PASSWORD}@127.0.0.1:{self.port}/{name}"

    def crash(self) -> None:
        """SIGKILL the postmaster and every backend at once, as a power cut would."""
        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                                  text=True).stdout.split()
        for process in [pid, *map(int, children)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while any(map(_alive, [pid, *map(int, children)])):
            assert time.monotonic() < deadline, "the postmaster outlived SIGKILL"
            time.sleep(0.05)
        # Its lock files stay behind, naming a pid that may linger as a zombie until init reaps
        # it, which a new postmaster would take for a live server: they are stale, remove them.
        for lock in (self.data / "postmaster.pid", self.folder / f".s.PGSQL.{self.port}.lock"):
            lock.unlink(missing_ok=True)

    def start(self) -> None:
        """Start (again, after a crash: the server replays its WAL first)."""
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-w", "-t", "60",
                 "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                 "-c max_connections=100", "start")

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def throwaway_cluster() -> Iterator[Cluster]:
    """A cluster for one test module (the body of its fixture), removed afterwards."""
    bindir = _bindir()
    if bindir is None:
        pytest.skip("PostgreSQL's server programs (initdb, pg_ctl) are not installed: "
                    "apt-get install postgresql")
    cluster = Cluster(bindir)
    try:
        yield cluster
    finally:
        cluster.stop()


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie waiting to be reaped does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False
