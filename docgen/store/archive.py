"""Content-addressed file archive: a file is stored once, under its SHA-256, and never changes."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from docgen.errors import ConfigurationProblem


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
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temp, path)
        except OSError as exc:
            raise ConfigurationProblem(f"无法写入文件存档目录 {self.root}：{exc.strerror or exc}") from exc
        return digest

    def get(self, digest: str) -> bytes:
        """The stored bytes, checked against their digest."""
        data = self._path(digest).read_bytes()
        if hashlib.sha256(data).hexdigest() != digest:
            raise ConfigurationProblem(f"存档文件 {digest} 已损坏（哈希不符）")
        return data
