"""A DOCX's ZIP written directly, each unchanged template part deflated once per process.

``zipfile`` deflates every member on every save. A DOCX template carries parts
docgen never edits, and python-docx hands back the very ``bytes`` object it read
for them: the opinion template's styles.xml and stylesWithEffects.xml alone are
790 KB, ~2.3 ms of deflate per render out of ~3.4 ms. The caller marks such parts
(``remember=True``); their CRC and deflated bytes are remembered by identity
(docgen.render.identity_memo) and written as they are. Every other part is
deflated as zipfile does it (raw deflate, level 1). The archive is byte for byte
what ``zipfile`` writes for the same members (tests/test_performance.py), a plain
ZIP (no ZIP64: a DOCX is far below its limits) that Word, WPS and LibreOffice read.
"""

from __future__ import annotations

import struct
import time
import zlib
from typing import BinaryIO

from docgen.render.identity_memo import IdentityMemo

LEVEL = 1
REMEMBER_FROM = 16 * 1024  # smaller parts are cheap to deflate
_MEMO = IdentityMemo(32 * 1024 * 1024)  # a carried part's bytes → (crc, deflated)
_VERSION = 20  # 2.0: deflate
_MADE_BY = (3 << 8) | _VERSION  # Unix, as zipfile writes it
_PERMISSIONS = 0o600 << 16  # rw------- as zipfile gives a member written from bytes
_LIMIT = 0xFFFFFFFF


def _deflated(data: bytes) -> tuple[int, bytes]:
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return zlib.crc32(data), compressor.compress(data) + compressor.flush()


def _stored(data: bytes) -> tuple[int, bytes]:
    return zlib.crc32(data), data


class ZipWriter:
    """``add`` members, then ``close``: the central directory follows them."""

    def __init__(self, stream: BinaryIO, date_time: tuple[int, ...] | None = None) -> None:
        self._stream = stream
        self._start = stream.tell()
        self._entries: list[bytes] = []
        year, month, day, hour, minute, second = date_time or time.localtime()[:6]
        self._time = (hour << 11) | (minute << 5) | (second // 2)
        self._date = ((max(year, 1980) - 1980) << 9) | (month << 5) | day

    def add(self, name: str, data: bytes, *, compress: bool = True, remember: bool = False) -> None:
        """Append a member; ``remember``: ``data`` is an immutable part that will be written again as it is."""
        if len(data) >= _LIMIT or self._stream.tell() - self._start >= _LIMIT or len(self._entries) >= 0xFFFF:
            raise ValueError("a DOCX part too large for a plain ZIP")
        method = 8 if compress else 0
        if compress and remember and type(data) is bytes and len(data) >= REMEMBER_FROM:
            crc, body = _MEMO.get(data, _deflated)
        else:
            crc, body = (_deflated if compress else _stored)(data)
        encoded = name.encode("ascii") if name.isascii() else name.encode("utf-8")
        flags = 0 if name.isascii() else 0x800  # UTF-8 names flagged, as zipfile does
        offset = self._stream.tell() - self._start
        fields = (_VERSION, flags, method, self._time, self._date, crc, len(body), len(data), len(encoded))
        self._stream.write(struct.pack("<4s5HL2L2H", b"PK\x03\x04", *fields, 0) + encoded)
        self._stream.write(body)
        self._entries.append(struct.pack("<4s6HL2L5HLL", b"PK\x01\x02", _MADE_BY, *fields, 0, 0, 0, 0,
                                         _PERMISSIONS, offset) + encoded)

    def close(self) -> None:
        directory = b"".join(self._entries)
        offset = self._stream.tell() - self._start
        self._stream.write(directory)
        count = len(self._entries)
        self._stream.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), offset, 0))


def hits() -> int:
    """How many parts were written from memory in this process."""
    return _MEMO.hits


def clear() -> None:
    _MEMO.clear()
