"""A long table laid out in two processes at once, split where a page starts.

A 200-case monthly notice is ~30 landscape pages of one table: WeasyPrint lays it
out page after page on one core. Here the rows are cut in two at a page that the
row heights predict to start with row k after an even number of pages N:

- a forked child lays out the rest — rows k… with the note, signature and 版记 —
  numbering its pages from N + 1 (``@page :first { counter-reset: page N+1 }``; when
  N + 1 is even a page numbered N comes first and is dropped, so even pages stay
  left-hand ones);
- meanwhile this process lays out the head — letterhead, title, rows …k — with
  every row anchored, checks that row k really opens page N + 1 and writes its
  pages while the child is still at work. Layout runs
  from the top down, so the head's pages are those of a single pass. If the
  prediction was off, the rest is laid out again here from the last page start
  the head shows; if anything fails, the caller
  renders in one pass.

The two PDFs are joined with pypdf. Text and positions equal a single pass's
(tests/test_performance.py compares every page's text and characters).
"""

from __future__ import annotations

import io
import logging
import os
import pickle
import select
import signal
import time
from typing import Any, Callable

from docgen.doctypes.column_widths import lines_needed
from docgen.doctypes.table_fit import CHAR_MM, PAD_MM, pieces
from docgen.doctypes.tables import CELL_LINE_MM, CELL_PADDING_MM

LOG = logging.getLogger(__name__)
MIN_ROWS = 80  # below this one pass is as quick
BLOCK_MM = 156.0  # the landscape text block's height
HEADER_ROW_MM = 12.0  # the repeated header row, about
ROW_RULE_MM = 0.18
FIRST_PAGE_MM = 90.0  # letterhead, title and introduction take about this much of page 1
HEAD_SHARE = 0.48  # of the rows laid out here, which also has the letterhead and title; the child has the note,
#                   signature and 版记 (both write their pages at the same time: measured, this balances them)

Layout = Callable[[dict[str, Any]], Any]  # context → laid-out WeasyPrint document


def splittable(context: dict[str, Any]) -> bool:
    """A wholly landscape table notice with enough rows to be worth two processes."""
    return bool(context.get("columns")) and len(context.get("cases") or ()) >= MIN_ROWS and _cores() > 1


def _cores() -> int:
    """Cores this process may run on (affinity and cpusets, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def row_heights_mm(context: dict[str, Any]) -> list[float]:
    """Each row's height as the column fitter sees it: its tallest cell's lines."""
    heights = []
    for row in context["cases"]:
        lines = 1
        for column in context["columns"]:
            capacity = (column.width_mm - PAD_MM) / CHAR_MM
            lines = max(lines, lines_needed(pieces(str(row.get(column.key) or "")), capacity))
        heights.append(lines * CELL_LINE_MM + CELL_PADDING_MM[1] + ROW_RULE_MM)
    return heights


def predicted_split(context: dict[str, Any]) -> tuple[int, int] | None:
    """(k, N): row k predicted to open page N + 1, near HEAD_SHARE of the rows."""
    starts: list[tuple[int, int]] = []
    used, page = FIRST_PAGE_MM + HEADER_ROW_MM, 1
    for index, height in enumerate(row_heights_mm(context)):
        if used + height > BLOCK_MM and used > HEADER_ROW_MM:
            page, used = page + 1, HEADER_ROW_MM
            starts.append((index, page - 1))
        used += height
    if not starts:
        return None
    middle = len(context["cases"]) * HEAD_SHARE
    return min(starts, key=lambda start: abs(start[0] - middle))


def _head(context: dict[str, Any], k: int) -> dict[str, Any]:
    return {**context, "cases": context["cases"][:k + 1], "split": {"part": "first", "first_page": 1, "blank_first": False}}


def _rest(context: dict[str, Any], k: int, pages_before: int) -> dict[str, Any]:
    """Rows k… numbered from page N + 1. WeasyPrint's first page is a right-hand one: when N + 1 is even, the
    rest starts with a page numbered N that is left out of the join, so page N + 1 is a left-hand page."""
    blank = pages_before % 2 == 1
    return {**context, "cases": context["cases"][k:],
            "split": {"part": "rest", "first_page": pages_before + (0 if blank else 1), "blank_first": blank}}


def _page_rows(document: Any) -> list[set[int]]:
    """The anchored rows on each page of the head's layout (a row cut by a page is on both)."""
    return [{int(name.rsplit("-", 1)[1]) for name in page.anchors if name.startswith("docgen-row-")}
            for page in document.pages]


def _true_starts(rows: list[set[int]]) -> list[tuple[int, int]]:
    """(row, pages before it) for each page that opens with a new row, not with the rest of a cut one."""
    return [(min(here), n) for n, here in enumerate(rows)
            if n > 0 and here and min(here) not in rows[n - 1]]


def _drop_row_anchors(document: Any) -> None:
    """The head's row anchors served the check; the one-pass PDF has no such destinations."""
    for page in document.pages:
        for name in [name for name in page.anchors if name.startswith("docgen-row-")]:
            del page.anchors[name]


def render_split(context: dict[str, Any], lay_out: Layout, write: Callable[[Any], bytes],
                 lay_out_rest: Callable[[dict[str, Any]], tuple[bytes, Any]]) -> tuple[bytes, Any] | None:
    """The PDF (and the rest's 版记 placement) made in two processes, or None to render in one pass.

    ``lay_out`` lays out a context; ``write`` writes a document's pages to PDF bytes; ``lay_out_rest`` makes
    the rest's PDF and 版记 placement from its context (in the child)."""
    planned = predicted_split(context)
    if planned is None:
        return None
    k, pages_before = planned
    child = _fork(lambda: lay_out_rest(_rest(context, k, pages_before)))
    try:
        head = lay_out(_head(context, k))
        starts = _true_starts(_page_rows(head))
        if (k, pages_before) in starts and child is not None:
            head_pdf = _head_pdf(head, pages_before, write)  # while the child still works on the rest
            rest = _collect(child)
            child = None
        else:  # the prediction was off (or no child): split at the last real page start the head shows
            if child is not None:
                LOG.info("table split: row %d does not open page %d; splitting where the layout says", k,
                         pages_before + 1)
                _discard(child)
                child = None
            if not starts:
                return None
            k, pages_before = starts[-1]
            rest = lay_out_rest(_rest(context, k, pages_before))
            head_pdf = _head_pdf(head, pages_before, write)
        if rest is None:
            return None
        return _join(head_pdf, rest[0], skip=pages_before % 2), rest[1]
    except Exception:  # noqa: BLE001  (whatever went wrong, one pass will do it or say what is wrong)
        LOG.warning("table split failed; rendering in one pass", exc_info=True)
        return None
    finally:
        if child is not None:
            _discard(child)


def _head_pdf(head: Any, pages: int, write: Callable[[Any], bytes]) -> bytes:
    """The head's first ``pages`` pages as PDF, without the row anchors that served the check."""
    _drop_row_anchors(head)
    return write(head.copy(head.pages[:pages]))


def _join(first: bytes, second: bytes, skip: int = 0) -> bytes:
    """The pages of ``first``, then those of ``second`` but its first ``skip``."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(first)))
    rest = PdfReader(io.BytesIO(second))
    writer.append(rest, pages=(skip, len(rest.pages)))
    head = PdfReader(io.BytesIO(first))
    if head.metadata:
        writer.add_metadata(dict(head.metadata))
    for key in ("/Lang", "/ViewerPreferences", "/MarkInfo"):  # what WeasyPrint puts in the catalog
        if key in head.trailer["/Root"]:
            writer._root_object[NameObject(key)] = head.trailer["/Root"][key]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


CHILD_TIMEOUT_S = 120.0  # a child that has not answered by then is killed; the rest is laid out here
_CHILD_SIGNALS = ("SIGINT", "SIGQUIT", "SIGABRT", "SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGCHLD")


def _fork(work: Callable[[], Any]) -> tuple[int, int] | None:
    """Run ``work`` in a forked child; its pickled result comes back through a pipe. None if fork fails.

    The child never returns into the parent's code: whatever happens it leaves with ``os._exit``, with the
    server's signal handlers reset to the defaults (a TERM ends it, it does not start a graceful shutdown)."""
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child: no logging, no atexit, no cleanup of the parent's resources
        code = 1
        try:
            for name in _CHILD_SIGNALS:
                if hasattr(signal, name):
                    signal.signal(getattr(signal, name), signal.SIG_DFL)
            os.close(read_end)
            try:
                payload = pickle.dumps(work())
            except BaseException:  # noqa: BLE001  (anything: the parent falls back)
                payload = pickle.dumps(None)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    return pid, read_end


def _collect(child: tuple[int, int], timeout_s: float = CHILD_TIMEOUT_S) -> Any:
    """The child's result, or None when it failed, died or took longer than ``timeout_s``."""
    pid, read_end = child
    chunks, deadline = [], time.monotonic() + timeout_s
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([read_end], [], [], left)[0]:
                LOG.warning("table split: the child did not answer within %.0f s", timeout_s)
                return None
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        _discard(child)
    try:
        return pickle.loads(b"".join(chunks))
    except Exception:  # noqa: BLE001  (a child that died mid-write)
        return None


def _discard(child: tuple[int, int]) -> None:
    """Kill the child if it still runs, reap it and close its pipe."""
    pid, read_end = child
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    try:
        os.close(read_end)
    except OSError:
        pass
