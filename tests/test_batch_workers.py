"""The batch on real workers: Celery over the real Redis gives the same notices as the in-process pool; a worker
killed mid-job loses nothing; memory does not grow with the number of units."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from docgen.batch.status import describe_batch
from docgen.store import batches as batch_store
from docgen.store.db import db_session

from proc_memory import PeakSampler
from month_data import jsonl_bytes, make_month, write_xlsx
from servers import ROOT
from test_batch import JUDICIAL, fresh_settings, pdf_text, docx_text, register, run_month
from test_limits import REDIS_ENV, guard

DOCGEN = str(Path(sys.executable).parent / "docgen")
needs_redis = pytest.mark.skipif(not os.environ.get(REDIS_ENV),
                                 reason=f"{REDIS_ENV} 未设置：需要真实的 Redis（.ci/run 会设置为 127.0.0.1:6379）")


def service_env(settings, **extra: str) -> dict[str, str]:
    return {**os.environ, "DOCGEN_INSTANCE_DIR": str(settings.instance_dir), "DOCGEN_DATABASE_URL": settings.database_url,
            "DOCGEN_RATE_LIMITS": "off", "DOCGEN_TODAY": "2025-06-28", **extra}


def unit_files(settings, batch_id: str) -> dict[str, tuple[str, str]]:
    """Each unit's notice as text (PDF, DOCX)."""
    from docgen.batch.package import unit_file_name, zip_chunks
    import io
    import zipfile
    with zipfile.ZipFile(io.BytesIO(b"".join(zip_chunks(settings, batch_id)))) as archive:
        names = archive.namelist()
        assert len(names) == len(set(names))
        units = {name.split("/")[0] for name in names if "/" in name}
        return {unit: (pdf_text(archive.read(unit_file_name(unit, "2025-06", "pdf"))),
                       docx_text(archive.read(unit_file_name(unit, "2025-06", "docx")))) for unit in units}


def batch_command(cases: Path, out: Path, env: dict[str, str], **popen: object) -> subprocess.Popen:
    """`docgen batch disclosure` of June 2025 running in the background, its output piped."""
    return subprocess.Popen([DOCGEN, "batch", "disclosure", str(cases), "--month", "2025-06", "--issue-date",
                             "2025-06-28", "-o", str(out), "--quiet"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, **popen)  # type: ignore[call-overload]


def start_worker(env: dict[str, str], log, *args: str) -> subprocess.Popen:
    return subprocess.Popen([DOCGEN, "worker", "--loglevel=INFO", *args], cwd=ROOT, env=env, stdout=log, stderr=log,
                            start_new_session=True)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(settings, batch_id: str, seconds: int = 240, sweep: bool = False) -> dict:
    """Poll the batch until it ends (running the sweeper, as the web processes do, when asked)."""
    from docgen.sweeper import sweep as run_sweep
    with guard(seconds):
        while True:
            info = describe_batch(settings, batch_id)
            if info["state"] in ("done", "failed"):
                return info
            if sweep:
                run_sweep(settings)
            time.sleep(0.5)


def sqlite_settings(tmp_path: Path, name: str, **changes):
    """A fresh registry whose URL the subprocesses get; no job threads here (the test's sweeps must not run jobs)."""
    settings = fresh_settings(tmp_path / name, **{"job_threads": 0, **changes})
    import dataclasses
    return dataclasses.replace(settings, database_url=settings.effective_database_url)


@pytest.mark.slow
@needs_redis
def test_celery_workers_and_the_in_process_pool_make_the_same_notices(tmp_path):
    import dataclasses
    import redis
    month = make_month(80, 5, empty=1, seed=21)
    content = jsonl_bytes(month)
    local = sqlite_settings(tmp_path, "local")
    register(local, month)
    expected = unit_files(local, run_month(local, content, "cases.jsonl"))
    broker = os.environ[REDIS_ENV]
    redis.Redis.from_url(broker).flushdb()
    remote = dataclasses.replace(sqlite_settings(tmp_path, "celery"), broker_url=broker)
    register(remote, month)
    log = tempfile.NamedTemporaryFile(prefix="celery-", suffix=".log", delete=False)
    worker = start_worker(service_env(remote, DOCGEN_BROKER_URL=broker), log, "--concurrency=2")
    try:
        from docgen.batch.run import start_batch
        batch, _ = start_batch(remote, JUDICIAL, content, "cases.jsonl", "2025-06", issue_date=local_issue_date())
        info = wait_for(remote, batch.id)
        assert info["state"] == "done", (info["error"], Path(log.name).read_text()[-3000:])
        assert unit_files(remote, batch.id) == expected
    finally:
        stop(worker)
        log.close()


def local_issue_date():
    from test_batch import ISSUED_ON
    return ISSUED_ON


@pytest.mark.slow
@needs_redis
def test_a_celery_worker_killed_mid_batch_loses_no_unit(tmp_path):
    import dataclasses
    import redis
    month = make_month(120, 8, empty=1, seed=23)
    broker = os.environ[REDIS_ENV]
    redis.Redis.from_url(broker).flushdb()
    settings = dataclasses.replace(sqlite_settings(tmp_path, "kill"), broker_url=broker, pending_timeout_s=8)
    register(settings, month)
    env = service_env(settings, DOCGEN_BROKER_URL=broker, DOCGEN_PENDING_TIMEOUT_S="8")
    log = tempfile.NamedTemporaryFile(prefix="celery-kill-", suffix=".log", delete=False)
    first = start_worker(env, log, "--concurrency=1", "--pool=solo")
    second = None
    try:
        from docgen.batch.run import start_batch
        batch, _ = start_batch(settings, JUDICIAL, jsonl_bytes(month), "cases.jsonl", "2025-06",
                               issue_date=local_issue_date())
        with guard(120):
            while not _some_done_some_left(settings, batch.id):
                time.sleep(0.1)
        stop(first, signal.SIGKILL)  # mid-batch: its unit's lease runs out, nothing acknowledges its message
        second = start_worker(env, log, "--concurrency=1", "--pool=solo")
        info = wait_for(settings, batch.id, sweep=True)
        assert info["state"] == "done", (info["error"], Path(log.name).read_text()[-3000:])
        assert sorted(unit_files(settings, batch.id)) == sorted(month.units)
        assert info["progress"] == {"done": 8, "total": 8}
    finally:
        stop(first, signal.SIGKILL)
        if second is not None:
            stop(second)
        log.close()


def _some_done_some_left(settings, batch_id: str) -> bool:
    with db_session(settings, read_only=True) as session:
        counts = batch_store.unit_counts(session, batch_id)
    return counts.get("done", 0) >= 1 and counts.get("queued", 0) + counts.get("running", 0) >= 2


@pytest.mark.slow
def test_a_killed_batch_command_resumes_and_completes(tmp_path):
    """`docgen batch disclosure` killed mid-month: the sweeper requeues the job, `docgen jobs run` finishes it, the
    units done before the kill are not rendered again, and the ZIP holds every unit once."""
    month = make_month(120, 8, empty=1, seed=29)
    settings = sqlite_settings(tmp_path, "cli", pending_timeout_s=5)
    register(settings, month)
    write_xlsx(month, tmp_path / "cases.xlsx")
    env = service_env(settings, DOCGEN_PENDING_TIMEOUT_S="5", DOCGEN_BATCH_PROCESSES="1")
    command = batch_command(tmp_path / "cases.xlsx", tmp_path / "out.zip", env, start_new_session=True)
    try:
        batch_id = _mid_batch(settings, command)
    finally:
        stop(command, signal.SIGKILL)
        command.stdout.close()
    before = _attempts(settings, batch_id)  # as the kill left them (nothing runs now)
    assert not (tmp_path / "out.zip").exists()
    _wait_until_requeued(settings, batch_id)  # the leases of the killed job and units run out; the sweeper acts
    resumed = subprocess.run([DOCGEN, "jobs", "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    info = describe_batch(settings, batch_id)
    assert info["state"] == "done", (info["error"], _attempts(settings, batch_id), resumed.stdout, resumed.stderr[-2000:])
    after = _attempts(settings, batch_id)
    done_before = {unit: attempts for unit, (state, attempts) in before.items() if state == "done"}
    assert done_before and all(after[unit] == ("done", attempts) for unit, attempts in done_before.items())
    rendering = [unit for unit, (state, _) in before.items() if state == "running"]
    assert all(after[unit][1] > 1 for unit in rendering)  # a unit being rendered at the kill: claimed again
    fetched = subprocess.run([DOCGEN, "batch", "result", batch_id, "-o", str(tmp_path / "out.zip")], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    assert fetched.returncode == 0, fetched.stderr
    assert sorted(unit_files(settings, batch_id)) == sorted(month.units)


def _wait_until_requeued(settings, batch_id: str) -> None:
    from docgen.store.models import Batch, Job
    from docgen.sweeper import sweep
    with guard(60):
        while True:
            sweep(settings)
            with db_session(settings, read_only=True) as session:
                if session.get(Job, session.get(Batch, batch_id).job_id).state == "queued":
                    return
            time.sleep(0.5)


def _mid_batch(settings, command: subprocess.Popen) -> str:  # type: ignore[no-untyped-def]
    """Wait until the command's batch has a unit done and at least two to go; its id."""
    with guard(120):
        while True:
            batch_id = _only_batch(settings)
            if batch_id and _some_done_some_left(settings, batch_id):
                return batch_id
            assert command.poll() is None, command.stdout.read().decode()
            time.sleep(0.1)


def _only_batch(settings) -> str | None:
    from sqlalchemy import select
    from docgen.store.models import Batch
    with db_session(settings, read_only=True) as session:
        return session.execute(select(Batch.id)).scalar()


def _attempts(settings, batch_id: str) -> dict[str, tuple[str, int]]:
    with db_session(settings, read_only=True) as session:
        return {u.unit: (u.state, u.attempts) for u in batch_store.units_of(session, batch_id)}


def peak_rss_of_batch(tmp_path: Path, units: int, cases_per_unit: int) -> int:
    """Peak memory (PSS, KiB) of `docgen batch disclosure` and every process it starts, for ``units`` units."""
    month = make_month(units * cases_per_unit, units, empty=0, seed=31)
    settings = sqlite_settings(tmp_path, f"rss{units}")
    register(settings, month)
    write_xlsx(month, tmp_path / f"cases{units}.xlsx")
    env = service_env(settings)
    command = batch_command(tmp_path / f"cases{units}.xlsx", tmp_path / f"out{units}.zip", env)
    with PeakSampler([command.pid]) as sampler:
        output = command.communicate(timeout=600)[0].decode()
    assert command.returncode == 0, output
    return sampler.pss


@pytest.mark.slow
def test_memory_does_not_grow_with_the_number_of_units(tmp_path):
    small = peak_rss_of_batch(tmp_path, 10, 4)
    large = peak_rss_of_batch(tmp_path, 60, 4)
    print(f"peak PSS of the batch command and its processes: 10 units {small / 1024:.0f} MiB, "
          f"60 units {large / 1024:.0f} MiB")
    assert large <= small * 1.2 + 30 * 1024, (small, large)


@pytest.mark.slow
def test_a_pool_process_killed_mid_unit_is_replaced_and_its_unit_rendered_again(tmp_path):
    """In-process: one of the pool's processes is killed while it renders; the command still writes every unit."""
    month = make_month(160, 8, empty=1, seed=37)
    settings = sqlite_settings(tmp_path, "pool", pending_timeout_s=4)
    register(settings, month)
    write_xlsx(month, tmp_path / "cases.xlsx")
    env = service_env(settings, DOCGEN_PENDING_TIMEOUT_S="4")
    command = batch_command(tmp_path / "cases.xlsx", tmp_path / "out.zip", env)
    try:
        batch_id = _mid_batch(settings, command)
        victim = _rendering_process(command.pid)
        os.kill(victim, signal.SIGKILL)
        output = command.communicate(timeout=300)[0].decode()
    finally:
        stop(command, signal.SIGKILL)
        command.stdout.close()
    assert command.returncode == 0, output
    assert sorted(unit_files(settings, batch_id)) == sorted(month.units)


def _rendering_process(root: int) -> int:
    """A pool process of the command (a grandchild through the fork server) that is using the CPU."""
    from proc_memory import descendants
    candidates = [pid for pid in descendants(root) if "forkserver" in Path(f"/proc/{pid}/cmdline").read_text()]
    assert len(candidates) >= 2, candidates  # the server and its workers
    return max(candidates)  # forked last: a worker, not the server


def test_a_planner_process_that_dies_fails_the_batch_with_the_reason(tmp_path):
    """The rows are read in a process of its own; killed there (as the kernel would when memory runs out), the batch
    ends failed and says why, and the job is not left running."""
    import threading

    from proc_memory import descendants

    month = make_month(6000, 4, empty=0, seed=43)
    settings = sqlite_settings(tmp_path, "planner")
    register(settings, month)
    write_xlsx(month, tmp_path / "cases.xlsx")
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["batch_id"] = run_month(settings, (tmp_path / "cases.xlsx").read_bytes(), "cases.xlsx")
        except BaseException as exc:  # reported by the assertion below
            outcome["error"] = exc

    runner = threading.Thread(target=run)
    before = set(descendants(os.getpid()))
    runner.start()
    deadline = time.monotonic() + 60
    planner = None
    while planner is None and time.monotonic() < deadline and runner.is_alive():
        # The planner is the fork server's child: a grandchild of this process, and the only one until it ends
        # (the rendering pool starts after it).
        children = set(descendants(os.getpid())) - before
        forked = [pid for pid in children if _parent(pid) in children | before and _parent(pid) != os.getpid()]
        assert len(forked) <= 1, forked
        planner = forked[0] if forked else None
        time.sleep(0.01)
    assert planner is not None, f"no planner process appeared: {outcome}"
    assert "forkserver" in Path(f"/proc/{planner}/cmdline").read_text()
    os.kill(planner, signal.SIGKILL)
    runner.join(120)
    assert not runner.is_alive() and "error" not in outcome, outcome
    info = describe_batch(settings, outcome["batch_id"])
    assert info["state"] == "failed" and info["error"]["code"] == "planner_died", info
    assert "读取案件文件的进程意外退出" in info["error"]["message"]


def _parent(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return -1
    return int(next(line for line in status.splitlines() if line.startswith("PPid:")).split()[1])


EXIT_MID_BATCH = '''
import sys, threading, time

def main():
    from docgen.config import Settings
    from docgen.jobs.execute import execute
    from docgen.store.db import db_session
    from docgen.store.models import Job
    settings, job_id = Settings.from_env(), sys.argv[1]
    threading.Thread(target=execute, args=(settings, job_id), daemon=True).start()  # as the embedded runner does
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with db_session(settings, read_only=True) as session:
            if (session.get(Job, job_id).progress_done or 0) >= 1:
                break
        time.sleep(0.05)
    print("leaving mid-batch", flush=True)  # the main thread ends: the interpreter shuts down, as a recycled worker's

if __name__ == "__main__":
    main()
'''


def test_a_process_that_exits_mid_batch_hands_the_job_back(tmp_path):
    """A real interpreter shutdown while the pool renders (a gunicorn worker recycled): the job goes back to the
    queue, its attempt not counted, and the next process finishes every unit."""
    from docgen.jobs.execute import execute
    from docgen.store.models import Job

    month = make_month(300, 12, empty=0, seed=47)
    settings = sqlite_settings(tmp_path, "exit")
    register(settings, month)
    from docgen.batch.run import start_batch
    from test_batch import ISSUED_ON, csv_bytes
    batch, job = start_batch(settings, JUDICIAL, csv_bytes(month), "cases.csv", "2025-06", False, ISSUED_ON,
                             run_here=True)
    script = tmp_path / "exit_mid_batch.py"
    script.write_text(EXIT_MID_BATCH, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), job.id], cwd=ROOT, env=service_env(settings),
                          capture_output=True, text=True, timeout=300)
    assert "leaving mid-batch" in done.stdout, done.stdout + done.stderr
    with db_session(settings, read_only=True) as session:
        row = session.get(Job, job.id)
        assert (row.state, row.attempts, row.error_json) == ("queued", 0, None), done.stderr[-3000:]
        units = {u.unit: u.state for u in batch_store.units_of(session, batch.id)}
    assert "queued" in units.values(), units  # it did leave mid-batch
    assert execute(settings, job.id)
    info = describe_batch(settings, batch.id)
    assert info["state"] == "done" and sorted(unit_files(settings, batch.id)) == sorted(month.units), info
