"""Rendering a batch's units in-process: a pool of fresh processes, one per core, until no unit is left.

A unit is handed to the pool once; a unit whose process died is claimed again
when its lease runs out, and a pool broken by a killed process is replaced.
The loop ends only when every unit is done or failed, so the batch always settles.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import os
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from docgen.clock import TODAY_ENV
from docgen.config import Settings
from docgen.errors import DocgenError
from docgen.jobs.execute import HandBack, JobContext
from docgen.store import batches as batch_store
from docgen.store.db import db_session
from docgen.store.models import Batch

LOG = logging.getLogger(__name__)
POLL_S = 2.0


def pool_processes(settings: Settings) -> int:
    """Processes rendering units in-process: the configured number, else one per core."""
    return settings.batch_processes or os.cpu_count() or 1


def pool_context() -> Any:
    """Fresh processes from a fork server: never a fork of this threaded process, and no re-run of its __main__."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["docgen.batch.pool_preload"])
    return context


def _new_pool(settings: Settings) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=pool_processes(settings), mp_context=pool_context())


def _submit(pool: ProcessPoolExecutor, *call: Any) -> Future[Any]:
    """``pool.submit``; HandBack once the interpreter is shutting down, so the job is resumed by another process
    instead of failing. The executor then refuses new work with a RuntimeError: "… after interpreter shutdown" for
    one made since, "… after shutdown" for one that was running (its manager thread shut it down). docgen never
    shuts a pool down before submitting to it, and a pool that lost a process raises BrokenProcessPool instead."""
    try:
        return pool.submit(*call)
    except RuntimeError as exc:
        if "shutdown" in str(exc):
            raise HandBack() from exc
        raise


def render_in_pool(ctx: JobContext, batch_id: str) -> None:
    """Render every waiting unit in the pool; return when no unit is queued or running."""
    settings = ctx.settings
    clock_override = os.environ.get(TODAY_ENV)
    # The pool already uses every core: no unit forks again to split its table.
    worker_settings = dataclasses.replace(settings, table_split=False)
    pool = _new_pool(settings)
    submitted: dict[int, Future[bool]] = {}
    # Two units per process in hand, no more: the processes never wait for work, and a process that is shutting
    # down (the interpreter waits for every unit already handed to the pool) waits only for those, then hands
    # the job back (HandBack) for another process to resume.
    in_flight = 2 * pool_processes(settings)
    try:
        while True:
            with db_session(settings, read_only=True) as session:
                if session.get(Batch, batch_id).state != "rendering":  # settled or failed elsewhere: stop
                    break
                waiting = batch_store.waiting_units(session, batch_id)
                unsettled = batch_store.unit_counts(session, batch_id)
            for unit_id in waiting:
                if len(submitted) >= in_flight:
                    break
                if unit_id not in submitted:
                    submitted[unit_id] = _submit(pool, render_with_clock, worker_settings, unit_id, clock_override)
            if not submitted and not (unsettled.get("queued") or unsettled.get("running")):
                break
            if not submitted:  # a unit still leased by a process that died: wait for its lease to run out
                time.sleep(POLL_S)
                continue
            finished, _ = wait(list(submitted.values()), timeout=5, return_when=FIRST_COMPLETED)
            submitted = {u: f for u, f in submitted.items() if f not in finished}
            if _broken(finished):
                pool.shutdown(wait=False, cancel_futures=True)
                pool, submitted = _new_pool(settings), {}
            report_progress(ctx, batch_id)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def render_with_clock(settings: Settings, unit_id: int, today: str | None) -> bool:
    """Render a unit in a pool process with the starting process's 'today' (the fork server keeps the environment
    it started with, and a test or training room may have fixed the date since)."""
    from docgen.batch.unit_work import render_unit
    _set_today(today)
    return render_unit(settings, unit_id)


def plan_apart(settings: Settings, batch_id: str) -> None:
    """Plan the batch (read every row, account for it, queue the units) in a process of its own from the pool's
    fork server, which this batch's rendering uses next anyway.

    Reading an export is the largest allocation a batch makes outside rendering (10,000 XLSX rows: ~47 MiB), and
    Python keeps the memory of the freed rows in its arenas: planned here, it would stay with this long-lived
    process (a web worker, or the command waiting for the pool) for as long as it lives. A planner that dies
    (killed, out of memory) fails the batch with that reason; its errors come back as they were raised."""
    with ProcessPoolExecutor(max_workers=1, mp_context=pool_context()) as planner:
        try:
            _submit(planner, plan_with_clock, settings, batch_id, os.environ.get(TODAY_ENV)).result()
        except BrokenProcessPool as exc:
            LOG.warning("the planner process of batch %s died", batch_id, exc_info=True)
            raise DocgenError("读取案件文件的进程意外退出（可能内存不足），请重新提交", code="planner_died",
                              log_detail=f"{type(exc).__name__}: {exc}") from exc


def plan_with_clock(settings: Settings, batch_id: str, today: str | None) -> None:
    """``plan_batch`` in a planner process, with the starting process's 'today'. Only docgen's own errors leave it
    (they pickle whole); anything else is logged here and sent back as one, so the batch fails with a reason."""
    from docgen.batch.run import plan_batch
    _set_today(today)
    try:
        with db_session(settings, read_only=True) as session:
            batch = session.get(Batch, batch_id)
            session.expunge_all()
        plan_batch(settings, batch)
    except DocgenError:
        raise
    except Exception as exc:
        LOG.exception("planning batch %s failed", batch_id)
        raise DocgenError("读取案件文件时发生内部错误，请联系管理员", code="planning_failed",
                          log_detail=f"{type(exc).__name__}: {exc}") from None


def _set_today(today: str | None) -> None:
    if today:
        os.environ[TODAY_ENV] = today
    else:
        os.environ.pop(TODAY_ENV, None)


def _broken(finished: set[Future[bool]]) -> bool:
    """Whether a finished future says the pool lost a process (killed, out of memory). Any other error of a unit
    (the database away for a moment) is the unit's: its lease or the queue brings it back."""
    broken = False
    for future in finished:
        try:
            future.result()
        except BrokenProcessPool:
            LOG.warning("a batch process died; its unit is rendered again once its lease runs out")
            broken = True
        except Exception:
            LOG.warning("a batch unit ended with an error; it is claimed again", exc_info=True)
    return broken


def report_progress(ctx: JobContext, batch_id: str) -> int:
    """Record units done (or failed) of all, on the job; the number of units."""
    with db_session(ctx.settings, read_only=True) as session:
        counts = batch_store.unit_counts(session, batch_id)
    total = sum(counts.values())
    ctx.progress(batch_store.settled(counts), total)
    return total
