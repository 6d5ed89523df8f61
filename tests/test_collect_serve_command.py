"""`survey serve` refuses what it cannot use in one located line, exit 2, before printing any
URL: a --db that is no SQLite store, a bad --token, an address it cannot listen on."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys

import pytest
from cli_helpers import invoke
from collect_helpers import ROOT, SMALL, free_port


@pytest.fixture
def no_server(monkeypatch):
    """In-process: a server started by mistake would never end."""
    def started(*args, **kwargs):
        raise AssertionError("the server started")

    monkeypatch.setattr("uvicorn.run", started)


def refused(*args: object) -> str:
    """The one line `survey serve SMALL ARGS` printed; it exited 2 and printed no URL."""
    done = invoke("serve", SMALL, *args)
    assert done.exit_code == 2, done.output
    assert done.stdout == ""  # no "Form: http://..." before the error
    assert done.stderr.endswith("\n") and done.stderr.count("\n") == 1, repr(done.stderr)
    assert "Traceback" not in done.stderr
    return done.stderr.rstrip("\n")


def test_a_file_that_is_not_sqlite_is_one_line_before_any_url(tmp_path, no_server):
    db = tmp_path / "notes.sqlite"
    db.write_text("hello, not a database\n")
    assert refused("--db", db, "--port", free_port()) == f"{db}: not an SQLite database"
    assert refused("--db", f"sqlite://{db}") == f"{db}: not an SQLite database"
    assert db.read_text() == "hello, not a database\n"


def test_another_programs_database_is_refused_and_left_untouched(tmp_path, no_server):
    db = tmp_path / "crm.db"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE people (name TEXT)")
    before = db.read_bytes()
    line = refused("--db", db)
    assert line == (f"{db}: an SQLite database of another program (tables: people): name a new "
                    "file for the store")
    assert db.read_bytes() == before  # no tables added, no switch to WAL


def test_a_store_of_another_format_is_refused(tmp_path, no_server):
    db = tmp_path / "old.sqlite"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE store_info (key TEXT PRIMARY KEY, value TEXT)")
        connection.execute("INSERT INTO store_info VALUES ('format', 'worker-survey 0')")
    assert "a store of another format ('worker-survey 0')" in refused("--db", db)


def test_an_empty_file_becomes_a_store(tmp_path, monkeypatch):
    db = tmp_path / "new.sqlite"
    db.write_bytes(b"")
    served = []
    monkeypatch.setattr("uvicorn.run", lambda app, **options: served.append(options["port"]))
    port = free_port()
    done = invoke("serve", SMALL, "--db", db, "--port", port, "--token", "a" * 16)
    assert done.exit_code == 0, done.output
    assert served == [port] and f"http://127.0.0.1:{port}/" in done.stdout
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT value FROM store_info").fetchone()[0] \
            == "worker-survey submissions 1"


@pytest.mark.parametrize(("token", "problem"), [
    ("short", "must be at least 16 characters"),
    ("a" * 16 + "&admin=1", "may hold only letters, digits and - . _ ~ (it is part of a URL)"),
    ("a" * 16 + " b", "may hold only letters, digits and - . _ ~ (it is part of a URL)"),
])
def test_token_errors_are_one_line_ending_in_a_newline(tmp_path, no_server, token, problem):
    assert refused("--db", tmp_path / "s.sqlite", "--token", token) == f"--token {problem}"


def test_an_address_in_use_is_one_line_before_any_url(tmp_path, no_server):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = refused("--db", tmp_path / "s.sqlite", "--port", port)
    assert line == f"127.0.0.1 port {port}: cannot listen: Address already in use"
    assert refused("--db", tmp_path / "s.sqlite", "--port", 99999) == (
        "127.0.0.1 port 99999: cannot listen: a port is a number from 1 to 65535")


def test_the_real_command_on_a_file_that_is_not_sqlite(tmp_path):
    """End to end, as the issue saw it: it printed the URLs, then a traceback."""
    db = tmp_path / "notes.sqlite"
    db.write_bytes(b"\x00" * 4096)
    done = subprocess.run([sys.executable, "-m", "cli", "serve", str(SMALL), "--db",
                           str(db), "--port", str(free_port())], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"{db}: not an SQLite database\n"
