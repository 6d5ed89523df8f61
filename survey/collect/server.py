"""Run the collection app with uvicorn: no access log, no Server header, one process."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

from survey.questionnaire import Questionnaire


class StoreURLError(ValueError):
    """A --db value naming a database the server cannot use."""


def store_path(db: str) -> Path:
    """The SQLite file of a --db value; other database URLs are refused with a clear message."""
    if "://" in db:
        scheme = db.split("://", 1)[0].lower()
        if scheme.startswith("postgres"):
            raise StoreURLError("PostgreSQL is not supported yet: use an SQLite file, such as "
                                "--db responses.sqlite")
        if scheme != "sqlite":
            raise StoreURLError(f"unknown database URL scheme '{scheme}': use an SQLite file")
        db = db.split("://", 1)[1]
    path = Path(db)
    if path.is_dir():
        raise StoreURLError(f"{db} is a folder: name the SQLite file, such as "
                            f"{db}/responses.sqlite")
    if not path.parent.exists():
        raise StoreURLError(f"the folder {path.parent} does not exist")
    return path


def new_token() -> str:
    """A token for the monitoring and export pages (128 bits, URL-safe)."""
    return secrets.token_urlsafe(16)


def serve(questionnaire: Questionnaire, db: Path, host: str, port: int, token: str,
          announce: Callable[[str], None] = print) -> None:
    """Serve until interrupted. IP addresses are neither logged nor stored."""
    import uvicorn

    from survey.collect.app import create_app

    app = create_app(questionnaire, db, token)
    where = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
    announce(f"Form:    {where}/")
    announce(f"Monitor: {where}/monitor?token={token}")
    announce(f"Export:  {where}/export.csv?token={token}  (also .parquet, .sav)")
    uvicorn.run(app, host=host, port=port, access_log=False, server_header=False,
                log_level="warning", proxy_headers=False)
