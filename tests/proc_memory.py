"""Memory of a process tree, sampled from /proc while it runs (RSS; shared pages count once per process)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path


def tree_rss(roots: list[int]) -> tuple[int, int]:
    """(sum, largest single process) of resident memory in KiB of ``roots`` and all their descendants now."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        children.setdefault(int(fields["PPid"]), []).append(int(entry))
        rss[int(entry)] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, largest, stack, seen = 0, 0, list(roots), set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += rss.get(pid, 0)
        largest = max(largest, rss.get(pid, 0))
        stack.extend(children.get(pid, []))
    return total, largest


class PeakSampler:
    """Samples the tree every 50 ms in a thread; ``peak`` and ``largest`` hold the highest figures seen (KiB)."""

    def __init__(self, roots: list[int]) -> None:
        self.roots, self.peak, self.largest = roots, 0, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._done.is_set():
            total, largest = tree_rss(self.roots)
            self.peak, self.largest = max(self.peak, total), max(self.largest, largest)
            time.sleep(0.05)

    def __enter__(self) -> "PeakSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()
