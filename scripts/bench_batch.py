"""Benchmark: a generated month (default 10,000 cases over 60 units) end to end, as `docgen batch disclosure` runs it.

Usage: python scripts/bench_batch.py [--cases N] [--units N] [--celery-workers N] [--broker URL] [--json FILE]

End to end: parse the XLSX, account for every row, mask, render every unit's DOCX + PDF, write the ZIP.
In-process: the command's own process pool (one process per core). Celery: the same command with
DOCGEN_BROKER_URL set and N `docgen worker` processes (skipped when no broker answers).
Peak memory is summed over the command and every process it or the workers start, sampled every 50 ms: as PSS
(shared pages divided among the processes that share them: the memory really used) and as RSS (each process whole).
Prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from month_data import make_month, write_xlsx  # noqa: E402
from proc_memory import PeakSampler  # noqa: E402

DOCGEN = str(Path(sys.executable).parent / "docgen")


def prepare(workdir: Path, cases: int, units: int) -> tuple[dict[str, str], Path]:
    """A fresh instance with the month's units registered, and the month as XLSX."""
    from docgen.store.db import session_scope
    from docgen.store.migrate import upgrade
    from docgen.store.units import add_unit
    instance = workdir / "instance"
    url = f"sqlite:///{instance / 'docgen.sqlite3'}"
    instance.mkdir(parents=True)
    upgrade(url)
    month = make_month(cases, units, empty=max(1, units // 15), seed=42)
    with session_scope(url) as session:
        for name in month.units:
            add_unit(session, name, None, "enforcement", (), None)
    write_xlsx(month, workdir / "cases.xlsx")
    env = {**os.environ, "DOCGEN_INSTANCE_DIR": str(instance), "DOCGEN_DATABASE_URL": url, "DOCGEN_TODAY": "2025-06-28"}
    return env, workdir / "cases.xlsx"


def run_command(env: dict[str, str], cases: Path, out: Path, extra_roots: list[int]) -> dict[str, Any]:
    command = subprocess.Popen([DOCGEN, "batch", "disclosure", str(cases), "--month", "2025-06", "--issue-date",
                                "2025-06-28", "-o", str(out), "--quiet"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    start = time.perf_counter()
    with PeakSampler([command.pid, *extra_roots]) as sampler:
        output = command.communicate()[0].decode()
    wall = time.perf_counter() - start
    if command.returncode != 0:
        raise SystemExit(f"batch failed:\n{output}")
    return {"wall_s": round(wall, 1), "peak_rss_mib": round(sampler.peak / 1024), "peak_pss_mib": round(sampler.pss / 1024),
            "largest_process_mib":
            round(sampler.largest / 1024), "zip_mb": round(out.stat().st_size / 1e6, 1), "output": output.strip()}


def broker_answers(url: str) -> bool:
    try:
        import redis
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        return True
    except Exception:  # any failure means: no broker to benchmark with
        return False


def run_celery(workdir: Path, args: argparse.Namespace) -> dict[str, Any] | None:
    if not broker_answers(args.broker):
        print(f"Celery: skipped (no broker at {args.broker})")
        return None
    import redis
    redis.Redis.from_url(args.broker).flushdb()
    env, cases = prepare(workdir / "celery", args.cases, args.units)
    env = {**env, "DOCGEN_BROKER_URL": args.broker}
    workers = [subprocess.Popen([DOCGEN, "worker", "--loglevel=WARNING", "--concurrency=1", "--pool=solo"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
               for _ in range(args.celery_workers)]
    try:
        time.sleep(3)  # the workers connect and load docgen before the clock starts
        return run_command(env, cases, workdir / "celery.zip", [w.pid for w in workers])
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10000)
    parser.add_argument("--units", type=int, default=60)
    parser.add_argument("--celery-workers", type=int, default=2)
    parser.add_argument("--broker", default=os.environ.get("DOCGEN_BENCH_BROKER", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--json")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="docgen-bench-batch-"))
    try:
        env, cases = prepare(workdir / "local", args.cases, args.units)
        local = run_command(env, cases, workdir / "local.zip", [])
        print(f"batch {args.cases} cases / {args.units} units, in-process: {local['wall_s']} s, peak PSS "
              f"{local['peak_pss_mib']} MiB, RSS {local['peak_rss_mib']} MiB (largest process "
              f"{local['largest_process_mib']} MiB), ZIP {local['zip_mb']} MB")
        celery = run_celery(workdir, args)
        if celery:
            print(f"batch {args.cases} cases / {args.units} units, {args.celery_workers} Celery workers: "
                  f"{celery['wall_s']} s, peak PSS {celery['peak_pss_mib']} MiB, RSS {celery['peak_rss_mib']} MiB "
                  f"(largest process {celery['largest_process_mib']} MiB)")
        if args.json:
            Path(args.json).write_text(json.dumps({"cases": args.cases, "units": args.units, "in_process": local,
                                                   "celery": celery}, ensure_ascii=False, indent=2))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
