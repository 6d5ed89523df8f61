"""Run the collection app with uvicorn: no access log, no Server header, one process."""

from __future__ import annotations

import secrets
import socket
import sqlite3
import string
from collections.abc import Callable
from pathlib import Path

from survey.collect.store import StoreURLError, prepare
from survey.errors import SurveyError
from survey.questionnaire.model import Questionnaire

HEADER_SECONDS = 10.0  # for a request's line and headers (slowloris); the body has its own


class AddressError(SurveyError):
    """A host and port the server cannot listen on (in use, or no such address)."""

    code = "cannot-listen"


TOKEN_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-._~")


def token_problem(token: str) -> str | None:
    """What is wrong with a token chosen by the user (it is part of the printed URLs), if
    anything: at least 16 characters, all of them letters, digits or - . _ ~."""
    if len(token) < 16:
        return "must be at least 16 characters"
    if not set(token) <= TOKEN_CHARACTERS:
        return "may hold only letters, digits and - . _ ~ (it is part of a URL)"
    return None


def store_path(db: str) -> Path | str:
    """Where a --db value stores: the SQLite file, or the PostgreSQL URL, once it is known to
    be usable (its tables are created then); anything else is refused with a one-line message,
    before the server prints any address."""
    if "://" in db:
        scheme = db.split("://", 1)[0].lower()
        if scheme in ("postgres", "postgresql"):
            return _postgres(db)
        if scheme != "sqlite":
            raise StoreURLError(f"unknown database URL scheme '{scheme}': use an SQLite file or "
                                "postgresql://user:password@host:port/database")
        db = db.split("://", 1)[1]
    path = Path(db)
    if path.is_dir():
        raise StoreURLError(f"{db} is a folder: name the SQLite file, such as "
                            f"{db}/responses.sqlite")
    if not path.parent.exists():
        raise StoreURLError(f"the folder {path.parent} does not exist")
    try:
        prepare(path)
    except sqlite3.Error as error:
        reason = "not an SQLite database" if isinstance(error, sqlite3.DatabaseError) and \
            "not a database" in str(error) else f"cannot use it as an SQLite store: {error}"
        raise StoreURLError(reason, location=str(path)) from None
    except ValueError as error:
        raise StoreURLError(str(error), location=str(path)) from None
    return path


def _postgres(url: str) -> str:
    try:
        import psycopg
    except ImportError:
        raise StoreURLError("PostgreSQL needs psycopg: pip install 'psycopg[binary]'") from None
    from survey.collect.postgres import prepare

    try:
        prepare(url)
    except (psycopg.Error, ValueError) as error:  # ValueError: psycopg's URL parsing
        reason = " ".join(str(error).split()) or type(error).__name__
        raise StoreURLError(f"cannot use this PostgreSQL database: {reason}") from None
    return url


def check_address(host: str, port: int) -> None:
    """Bind `host`:`port` once (as uvicorn will) so that an address in use or unknown is a
    one-line error before any URL is printed, not a traceback after them."""
    where = f"{host} port {port}"
    if not 0 < port < 65536:
        raise AddressError("cannot listen: a port is a number from 1 to 65535", location=where)
    try:
        family, kind, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                        flags=socket.AI_PASSIVE)[0]
        with socket.socket(family, kind) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
    except OSError as error:
        raise AddressError(f"cannot listen: {error.strerror or error}", location=where) from None


def new_token() -> str:
    """A token for the monitoring and export pages (128 bits, URL-safe)."""
    return secrets.token_urlsafe(16)


def serve(questionnaire: Questionnaire, db: Path | str, host: str, port: int, token: str,
          announce: Callable[[str], None] = print, header_seconds: float = HEADER_SECONDS
          ) -> None:
    """Serve until interrupted. IP addresses are neither logged nor stored; a client has
    `header_seconds` to send a request's line and headers."""
    import uvicorn

    from survey.collect.app import create_app
    from survey.collect.deadline import header_deadline

    app = create_app(questionnaire, db, token)
    check_address(host, port)
    where = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
    announce(f"Form:    {where}/")
    announce(f"Monitor: {where}/monitor?token={token}")
    announce(f"Export:  {where}/export.csv?token={token}  (also .parquet, .sav)")
    uvicorn.run(app, host=host, port=port, access_log=False, server_header=False,
                log_level="warning", proxy_headers=False, http=header_deadline(header_seconds))
