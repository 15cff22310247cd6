"""The archive in the service's own database: one row per file in ``blobs``, keyed by its SHA-256.

Workers on several machines then share one archive with nothing but the database URL.
Storing is idempotent and race-free: two processes storing the same bytes at once both
succeed (``INSERT … ON CONFLICT DO NOTHING`` on PostgreSQL and SQLite; elsewhere a plain
INSERT in a savepoint whose unique violation means "already there"). Reads are checked
against the digest like the files of the local archive.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import Insert, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from docgen.errors import StorageFailure
from docgen.store.archive import check_digest, verified
from docgen.store.db import DEFAULT_TIMEOUT_S, session_scope
from docgen.store.models import Blob, utcnow

# Dialects whose INSERT can skip a row that exists; the others rely on the savepoint.
UPSERT_DIALECTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class DatabaseArchive:
    """Files as rows of the ``blobs`` table of the database at ``url``."""

    def __init__(self, url: str, timeout_s: int = DEFAULT_TIMEOUT_S) -> None:
        self.url = url
        self.timeout_s = timeout_s

    @contextmanager
    def _session(self, action: str, read_only: bool = False) -> Iterator[Session]:
        """A session whose database errors are StorageFailure (an unreachable database stays a 503)."""
        try:
            with session_scope(self.url, self.timeout_s, read_only) as session:
                yield session
        except SQLAlchemyError as exc:  # session_scope has already turned 'not answering' into ServiceUnavailable
            raise StorageFailure(log_detail=f"cannot {action} the database archive: {type(exc).__name__}: {exc}") from exc

    def put(self, data: bytes) -> str:
        """Store ``data`` once and return its SHA-256; a concurrent put of the same bytes is no error."""
        digest = hashlib.sha256(data).hexdigest()
        with self._session("write") as session:
            statement = _insert_once(session.get_bind().dialect.name).values(
                sha256=digest, size=len(data), data=data, created_at=utcnow())
            try:
                with session.begin_nested():
                    session.execute(statement)
            except IntegrityError:
                pass  # another process stored the same bytes first: they are there, which is all put promises
        return digest

    def get(self, digest: str) -> bytes:
        """The stored bytes, checked against their digest."""
        with self._session("read", read_only=True) as session:
            data = session.execute(select(Blob.data).where(Blob.sha256 == check_digest(digest))).scalar_one_or_none()
        if data is None:
            raise StorageFailure(log_detail=f"archived file {digest} is not in the database archive")
        return verified(digest, bytes(data))

    def exists(self, digest: str) -> bool:
        """Whether a row with this digest is stored."""
        with self._session("read", read_only=True) as session:
            return session.execute(select(Blob.sha256).where(Blob.sha256 == check_digest(digest))).first() is not None

    def discard(self, digests: Iterable[str]) -> None:
        """Delete stored files no record refers to (the caller has checked that)."""
        doomed = sorted({check_digest(digest) for digest in digests})
        if doomed:
            with self._session("delete from") as session:
                session.execute(delete(Blob).where(Blob.sha256.in_(doomed)))

    def remove_stale_parts(self, older_than_s: float = 3600) -> int:
        """Nothing to clean: a row is written in one transaction or not at all."""
        return 0


def _insert_once(dialect: str) -> Insert:
    """An INSERT into ``blobs`` that skips an existing row where the dialect can say so."""
    if dialect in UPSERT_DIALECTS:
        return UPSERT_DIALECTS[dialect](Blob).on_conflict_do_nothing(index_elements=[Blob.sha256])
    return insert(Blob)
