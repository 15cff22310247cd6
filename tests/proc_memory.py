"""Memory of a process tree, sampled from /proc while it runs (RSS; shared pages count once per process)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path


def descendants(root: int) -> list[int]:
    """The process ids below ``root``, at every depth."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        try:
            status = Path(f"/proc/{entry}/status").read_text() if entry.isdigit() else ""
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("PPid:"):
                children.setdefault(int(line.split()[1]), []).append(int(entry))
    found, stack = [], list(children.get(root, []))
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def tree_memory(roots: list[int], with_pss: bool = True) -> tuple[int, int, int]:
    """(RSS sum, largest RSS, PSS sum) in KiB of ``roots`` and all their descendants now. PSS shares a page among
    the processes that map it, so its sum is the memory the tree really uses (RSS counts shared pages in each)."""
    pids = set(roots)
    for root in roots:
        pids.update(descendants(root))
    total = largest = pss = 0
    for pid in pids:
        try:
            rss = int(next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                           if line.startswith("VmRSS:")).split()[1])
            if with_pss:  # smaps_rollup walks the page tables: dearer than status, so asked for less often
                pss += int(next(line for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
                                if line.startswith("Pss:")).split()[1])
        except (OSError, StopIteration):  # gone meanwhile, or a kernel thread
            continue
        total, largest = total + rss, max(largest, rss)
    return total, largest, pss


class PeakSampler:
    """Samples the tree in a thread (RSS every 50 ms, PSS every 400 ms); ``peak`` (RSS sum), ``largest`` and ``pss``
    hold the highest figures seen (KiB)."""

    def __init__(self, roots: list[int]) -> None:
        self.roots, self.peak, self.largest, self.pss = roots, 0, 0, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        rounds = 0
        while not self._done.is_set():
            total, largest, pss = tree_memory(self.roots, with_pss=rounds % 8 == 0)
            self.peak, self.largest, self.pss = max(self.peak, total), max(self.largest, largest), max(self.pss, pss)
            rounds += 1
            time.sleep(0.05)

    def __enter__(self) -> "PeakSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()
