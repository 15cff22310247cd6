"""docgen's per-user cache folder: work a later start can reuse (parsed C declarations, compiled templates).

Its files are read back as code or data that drives C calls, so only a folder and files the current
user owns, and nobody else may write, are used; anything else is ignored and the work is done afresh.

DOCGEN_CACHE_DIR names the folder (default: $XDG_CACHE_HOME/docgen, else ~/.cache/docgen).
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def cache_dir(part: str = "") -> Path:
    """The cache folder (or its sub-folder ``part``), created private (0700) if missing."""
    configured = os.environ.get("DOCGEN_CACHE_DIR")
    base = Path(configured) if configured else Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "docgen"
    folder = base / part if part else base
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not private(folder):
        raise PermissionError(f"{folder} may be written by another user")
    return folder


def private(path: Path) -> bool:
    """Whether ``path`` belongs to this user and no one else may write it."""
    info = path.stat()
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``path`` through a private temporary file renamed into place (readers see all or nothing)."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".docgen-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
