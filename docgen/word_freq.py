"""jieba's word frequencies looked up on disk, not loaded whole: titles are segmented without a 0.7 s start.

jieba keeps its dictionary as a Python dict of ~500,000 words and prefixes; a new
process spends ~0.7 s unmarshalling it (and ~90 ms importing pkg_resources) before
it can cut one title, and holds ~100 MB for it. A title needs a few hundred
lookups. Here the same prefix dictionary (jieba's own ``gen_pfdict`` of its own
dictionary file) is written once into docgen's cache folder as sorted keys with
their frequencies, mapped into memory, and searched by bisection; results are
remembered. jieba's Tokenizer gets it as its ``FREQ``: the segmentation is the
same (tests/test_titles_words.py compares it with jieba's own on many titles).
"""

from __future__ import annotations

import functools
import hashlib
import mmap
import struct
import sys
from pathlib import Path
from typing import Any

from docgen.cache_dir import cache_dir, private, write_atomically

MAGIC = b"DGWFREQ1"
HEADER = struct.Struct("=8sQI4x")  # magic, total, count; native order, like memoryview.cast("I")
MAX_REMEMBERED = 200_000


class DiskFreq:
    """A read-only mapping word → frequency over a file made by ``write_freq`` (what jieba's FREQ offers)."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as stream:
            self._map = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
        magic, self.total, self.count = HEADER.unpack_from(self._map, 0)
        if magic != MAGIC or HEADER.size + 8 * self.count + 4 > len(self._map):
            raise ValueError(f"{path} is not a word-frequency file, or is truncated")
        view = memoryview(self._map)
        start = HEADER.size
        self._offsets = view[start:start + 4 * (self.count + 1)].cast("I")
        start += 4 * (self.count + 1)
        self._freqs = view[start:start + 4 * self.count].cast("I")
        self._keys = start + 4 * self.count
        if len(self._map) != self._keys + self._offsets[self.count] or any(
                self._offsets[i] > self._offsets[i + 1] for i in (0, self.count // 2, self.count - 1) if self.count):
            raise ValueError(f"{path} is truncated or damaged")
        self._lookup = functools.lru_cache(maxsize=MAX_REMEMBERED)(self._search)

    def _key(self, index: int) -> bytes:
        return self._map[self._keys + self._offsets[index]:self._keys + self._offsets[index + 1]]

    def _search(self, word: str) -> int | None:
        target = word.encode("utf-8")
        low, high = 0, self.count
        while low < high:
            middle = (low + high) // 2
            if self._key(middle) < target:
                low = middle + 1
            else:
                high = middle
        if low < self.count and self._key(low) == target:
            return self._freqs[low]
        return None

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._lookup(word) is not None

    def __getitem__(self, word: str) -> int:
        found = self._lookup(word)
        if found is None:
            raise KeyError(word)
        return found

    def get(self, word: str, default: Any = None) -> Any:
        found = self._lookup(word)
        return default if found is None else found

    def __len__(self) -> int:
        return self.count


def write_freq(path: Path, freq: dict[str, int], total: int) -> None:
    """Write jieba's prefix dictionary (word → frequency, 0 for a prefix) as a DiskFreq file."""
    words = sorted(freq, key=lambda word: word.encode("utf-8"))
    keys = [word.encode("utf-8") for word in words]
    offsets, position = [], 0
    for key in keys:
        offsets.append(position)
        position += len(key)
    offsets.append(position)
    values = [freq[word] for word in words]
    if any(not 0 <= value < 2 ** 32 for value in values) or position >= 2 ** 32:
        raise ValueError("dictionary too large for this format")
    data = b"".join((HEADER.pack(MAGIC, total, len(words)), struct.pack(f"={len(offsets)}I", *offsets),
                     struct.pack(f"={len(values)}I", *values), *keys))
    write_atomically(path, data)


def disk_freq(dictionary: Path) -> DiskFreq:
    """The DiskFreq of a jieba dictionary file, made (once, in the cache folder) when missing or damaged."""
    import jieba

    info = dictionary.stat()
    key = hashlib.sha256(f"{jieba.__version__}\0{dictionary.resolve()}\0{info.st_size}\0{info.st_mtime_ns}\0"
                         f"{sys.byteorder}".encode()).hexdigest()[:24]
    path = cache_dir("words") / f"freq-{key}.bin"
    if path.is_file() and private(path):
        try:
            return DiskFreq(path)
        except (ValueError, struct.error, TypeError, IndexError, OSError):
            pass  # damaged: written again
    with open(dictionary, "rb") as stream:
        freq, total = jieba.Tokenizer.gen_pfdict(stream)
    write_freq(path, freq, total)
    return DiskFreq(path)
