"""The document archive: content-addressed storage where a file is stored once, under its SHA-256, and never changes.

Two backends behind one ``Storage`` interface, chosen by DOCGEN_ARCHIVE_BACKEND:

- ``local`` (``LocalArchive``): files in a folder. Files are written to a temporary
  name and renamed, so a reader never sees half a file; a failed write leaves
  nothing behind, and temporary files of a killed process are removed by the
  sweeper. Files and folders are private to the service.
- ``database`` (``docgen.store.blobs.DatabaseArchive``): rows of the service's own
  database, so workers on several machines share one archive with no shared disk.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from docgen.errors import ConfigurationProblem, StorageFailure
from docgen.store.db import private_dir

if TYPE_CHECKING:
    from docgen.config import Settings

PART_PREFIX = ".part-"
CORRUPT_MESSAGE = "存档文件已损坏（哈希不符），请联系管理员"


class Storage(Protocol):
    """What the service needs of an archive; every backend checks what it returns against the digest."""

    def put(self, data: bytes) -> str:
        """Store ``data`` (atomically, once; safe when several processes store the same bytes) and return its SHA-256."""

    def get(self, digest: str) -> bytes:
        """The stored bytes, checked against their digest; StorageFailure if missing or corrupt."""

    def exists(self, digest: str) -> bool:
        """Whether bytes with this digest are stored."""

    def discard(self, digests: Iterable[str]) -> None:
        """Delete stored files no record refers to (the caller has checked that)."""

    def remove_stale_parts(self, older_than_s: float = 3600) -> int:
        """Delete what killed writers left behind; return how many."""


def check_digest(digest: str) -> str:
    """``digest`` if it is a lower-case hex SHA-256; ValueError otherwise (a caller's bug, not a storage fault)."""
    if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
        raise ValueError(f"not a SHA-256 digest: {digest!r}")
    return digest


def verified(digest: str, data: bytes) -> bytes:
    """``data`` if it hashes to ``digest``; StorageFailure (corrupt) otherwise."""
    if hashlib.sha256(data).hexdigest() != digest:
        raise StorageFailure(CORRUPT_MESSAGE, log_detail=f"archived file {digest} is corrupt")
    return data


class LocalArchive:
    """Files on disk at <root>/<first two hex digits>/<sha256>."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, digest: str) -> Path:
        return self.root / check_digest(digest)[:2] / digest

    def put(self, data: bytes) -> str:
        """Store ``data`` (atomically, once) and return its SHA-256."""
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if path.exists():
            return digest
        temp: str | None = None
        try:
            private_dir(path.parent)
            handle, temp = tempfile.mkstemp(dir=path.parent, prefix=PART_PREFIX)  # mode 0600
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temp, path)
            temp = None
        except OSError as exc:
            raise StorageFailure(log_detail=f"cannot write archive {self.root}: {exc}") from exc
        finally:
            if temp is not None:
                try:
                    os.unlink(temp)
                except OSError:
                    pass
        return digest

    def get(self, digest: str) -> bytes:
        """The stored bytes, checked against their digest."""
        try:
            data = self._path(digest).read_bytes()
        except OSError as exc:
            raise StorageFailure(log_detail=f"cannot read archived file {digest}: {exc}") from exc
        return verified(digest, data)

    def exists(self, digest: str) -> bool:
        """Whether a file with this digest is stored."""
        return self._path(digest).is_file()

    def discard(self, digests: Iterable[str]) -> None:
        """Delete stored files no record refers to (the caller has checked that)."""
        for digest in digests:
            try:
                self._path(digest).unlink(missing_ok=True)
            except OSError:
                continue

    def remove_stale_parts(self, older_than_s: float = 3600) -> int:
        """Delete temporary files a killed process left behind; return how many."""
        return remove_older_than(self.root.glob(f"*/{PART_PREFIX}*"), older_than_s) if self.root.is_dir() else 0


Archive = LocalArchive  # the name older code and tests use


def open_storage(settings: Settings) -> Storage:
    """The archive DOCGEN_ARCHIVE_BACKEND names: ``local`` (a folder) or ``database`` (the service's database)."""
    if settings.archive_backend == "local":
        return LocalArchive(settings.effective_archive_dir)
    if settings.archive_backend == "database":
        from docgen.store.blobs import DatabaseArchive  # blobs imports this module
        return DatabaseArchive(settings.effective_database_url, settings.db_timeout_s)
    raise ConfigurationProblem(f"存档方式应为 local 或 database，现为“{settings.archive_backend}”")


def remove_older_than(paths: Iterable[Path], seconds: float) -> int:
    """Delete the files among ``paths`` last changed more than ``seconds`` ago; return how many."""
    removed, cutoff = 0, time.time() - seconds
    for path in paths:
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:  # gone meanwhile, or not ours to delete: nothing to clean
            continue
    return removed
