"""Engine and sessions: SQLite (serialised writers, WAL) by default, PostgreSQL by URL.

Every connection has bounded waits (connect, statement, lock, pool), so a database
that stops answering costs a request a few seconds and a clear 503, never a worker.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections import OrderedDict
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from docgen.errors import ServiceUnavailable

if TYPE_CHECKING:
    from docgen.config import Settings

LOG = logging.getLogger(__name__)
DEFAULT_TIMEOUT_S = 10


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the service account only: it holds personal data."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o700)
    return path


_ENGINES: OrderedDict[tuple[str, int], Engine] = OrderedDict()
_ENGINES_LOCK = threading.Lock()
MAX_ENGINES = 16


def engine_for(url: str, timeout_s: int = DEFAULT_TIMEOUT_S) -> Engine:
    """One engine per URL, timeout and process (gunicorn workers each build their own after fork)."""
    key = (url, timeout_s)
    with _ENGINES_LOCK:
        if key in _ENGINES:
            _ENGINES.move_to_end(key)
            return _ENGINES[key]
        engine = _ENGINES[key] = _make_engine(url, timeout_s)
        while len(_ENGINES) > MAX_ENGINES:  # an engine pushed out closes its pooled connections
            _, oldest = _ENGINES.popitem(last=False)
            oldest.dispose()
        _factory.cache_clear()
        return engine


def dispose_engines(url: str) -> None:
    """Close every pooled connection to ``url`` (before its database is dropped, say)."""
    with _ENGINES_LOCK:
        for key in [key for key in _ENGINES if key[0] == url]:
            _ENGINES.pop(key).dispose()
        _factory.cache_clear()


def _make_engine(url: str, timeout_s: int) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            _private_sqlite_file(Path(path))
        engine = create_engine(url, connect_args={"timeout": timeout_s, "check_same_thread": False})
        _serialise_sqlite_writers(engine, timeout_s)
        return engine
    connect_args = {
        "connect_timeout": max(1, min(timeout_s, 5)),
        # Server-side limits, and TCP-level ones for a server that vanishes mid-query.
        "options": f"-c statement_timeout={timeout_s * 1000} -c lock_timeout={timeout_s * 1000} "
                   f"-c idle_in_transaction_session_timeout={timeout_s * 6000}",
        "keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3,
        "tcp_user_timeout": timeout_s * 1000,
    }
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, pool_timeout=timeout_s,
                         connect_args=connect_args)


def _private_sqlite_file(path: Path) -> None:
    """The SQLite file and its WAL companions are 0600 inside a 0700 folder."""
    private_dir(path.parent)
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
        candidate = path.parent / name
        if name == path.name and not candidate.exists():
            os.close(os.open(candidate, os.O_CREAT | os.O_WRONLY, 0o600))
        if candidate.exists() and candidate.stat().st_mode & 0o077:
            os.chmod(candidate, 0o600)


def _serialise_sqlite_writers(engine: Engine, timeout_s: int) -> None:
    """BEGIN IMMEDIATE: a writer waits for the lock up front instead of failing on upgrade (SQLAlchemy recipe)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # let SQLAlchemy, not pysqlite, emit BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={timeout_s * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        # Readers (token checks, lists, downloads) must not queue behind the one writer lock.
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


READ_ONLY = "docgen_read_only"


@functools.lru_cache(maxsize=16)
def _factory(url: str, timeout_s: int, read_only: bool = False) -> sessionmaker[Session]:
    engine = engine_for(url, timeout_s)
    return sessionmaker(engine.execution_options(**{READ_ONLY: True}) if read_only else engine, expire_on_commit=False)


def is_unavailable(exc: BaseException) -> bool:
    """Whether a database error means 'not answering' (down, locked, timed out) rather than bad data."""
    if isinstance(exc, IntegrityError):
        return False
    return isinstance(exc, (OperationalError, PoolTimeout)) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated)


@contextmanager
def session_scope(url: str, timeout_s: int = DEFAULT_TIMEOUT_S, read_only: bool = False) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error; an unreachable database is a 503.

    ``read_only`` sessions do not take SQLite's writer lock up front (BEGIN instead of BEGIN IMMEDIATE).
    """
    session = _factory(url, timeout_s, read_only)()
    try:
        yield session
        session.commit()
    except BaseException as exc:
        try:
            session.rollback()
        except Exception:  # the connection may be the thing that failed
            LOG.debug("rollback failed", exc_info=True)
        if is_unavailable(exc):
            raise ServiceUnavailable("数据库暂时无法访问，请稍后重试", code="database_unavailable",
                                     log_detail=f"{type(exc).__name__}: {exc}") from exc
        raise
    finally:
        session.close()


def ping(url: str, timeout_s: int = DEFAULT_TIMEOUT_S) -> None:
    """Run ``SELECT 1``; ServiceUnavailable if the database does not answer."""
    with session_scope(url, timeout_s, read_only=True) as session:
        session.execute(text("SELECT 1"))


def db_session(settings: Settings, read_only: bool = False) -> contextlib.AbstractContextManager[Session]:
    """The session scope of the configured database, with its configured timeouts."""
    return session_scope(settings.effective_database_url, settings.db_timeout_s, read_only)
