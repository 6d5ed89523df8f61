"""Run the collection app with uvicorn: no access log, no Server header, one process."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

from survey.errors import SurveyError
from survey.questionnaire.model import Questionnaire


class StoreURLError(SurveyError):
    """A store address naming a database the server cannot use."""

    code = "bad-store"


def store_path(db: str) -> Path | str:
    """Where a --db value stores: the SQLite file, or the PostgreSQL URL once it is known to
    connect (its tables are created then); anything else is refused with a clear message."""
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


def new_token() -> str:
    """A token for the monitoring and export pages (128 bits, URL-safe)."""
    return secrets.token_urlsafe(16)


def serve(questionnaire: Questionnaire, db: Path | str, host: str, port: int, token: str,
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
