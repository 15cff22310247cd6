"""docgen's per-user cache folder: work a later start can reuse (parsed C declarations, compiled templates,
word frequencies).

Its files are read back as code (compiled templates) or as data that drives C calls, so only folders and files
the current user owns and nobody else may write are used: the base folder and each sub-folder are checked, and
each file is opened without following a symbolic link and checked on the open file. Anything else is ignored
and the work is done afresh. A failure of the cache (no home folder, a full disk) never fails a render.

DOCGEN_CACHE_DIR names the folder (default: $XDG_CACHE_HOME/docgen, else ~/.cache/docgen).
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def cache_dir(part: str = "") -> Path:
    """The cache folder (or its sub-folder ``part``), created private (0700) if missing; OSError if unusable."""
    configured = os.environ.get("DOCGEN_CACHE_DIR")
    if configured:
        base = Path(configured)
    else:
        try:
            base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "docgen"
        except RuntimeError as exc:  # no HOME and no passwd entry
            raise OSError(f"no cache folder: {exc}") from exc
    if not base.is_absolute():  # e.g. HOME set but empty: never a folder relative to wherever we run
        raise OSError(f"no cache folder: {base} is not an absolute path")
    folders = [base, base / part] if part else [base]
    for folder in folders:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if folder.is_symlink() or not private(folder):
            raise PermissionError(f"{folder} may be written by another user")
    return folders[-1]


def private(path: Path) -> bool:
    """Whether ``path`` belongs to this user and no one else may write it."""
    return _private(path.lstat())


def _private(info: os.stat_result) -> bool:
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def read_private(path: Path) -> bytes:
    """The bytes of a cache file, if it is a regular file of this user that no one else may write (else OSError)."""
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(handle, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode) or not _private(info):
            raise PermissionError(f"{path} may be written by another user")
        return stream.read()


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
