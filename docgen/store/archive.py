"""Content-addressed file archive: a file is stored once, under its SHA-256, and never changes.

Files are written to a temporary name and renamed, so a reader never sees half a
file; a failed write leaves nothing behind, and temporary files of a killed
process are removed by the sweeper. Files and folders are private to the service.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from docgen.errors import StorageFailure
from docgen.store.db import private_dir

PART_PREFIX = ".part-"


class Archive:
    """Files on disk at <root>/<first two hex digits>/<sha256>."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, digest: str) -> Path:
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise ValueError(f"not a SHA-256 digest: {digest!r}")
        return self.root / digest[:2] / digest

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
        if hashlib.sha256(data).hexdigest() != digest:
            raise StorageFailure("存档文件已损坏（哈希不符），请联系管理员", log_detail=f"archived file {digest} is corrupt")
        return data

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
