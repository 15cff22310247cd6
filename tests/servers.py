"""Real servers for tests: gunicorn or `flask run` serving docgen, and throw-away PostgreSQL databases."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ENV = "DOCGEN_TEST_POSTGRES_URL"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Running(str):
    """A running server's base URL, with its master's pid and its log file."""

    pid: int
    log: object

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (str, (str(self),))  # crosses to other processes as its URL

    def log_text(self) -> str:
        self.log.seek(0)  # type: ignore[attr-defined]
        return self.log.read().decode(errors="replace")  # type: ignore[attr-defined]


@contextmanager
def gunicorn(env: dict[str, str], workers: int = 4, healthy: bool = True, warm: bool = False) -> Iterator[Running]:
    """Run gunicorn with the shipped gunicorn.conf.py on a free loopback port; yield its base URL.

    ``healthy=False`` waits only for an answer from /healthz (for a service whose database is down).
    Workers skip their warm-up render unless ``warm`` (then every worker has warmed up before this yields):
    a warm-up racing a test's measurements would only add noise.
    """
    env = {"DOCGEN_WARM_UP": "1" if warm else "0", **env}
    port = free_port()
    command = [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    log = tempfile.TemporaryFile()  # a file, not a pipe: a full pipe would stall gunicorn
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=log)
    base = Running(f"http://127.0.0.1:{port}")
    base.pid, base.log = process.pid, log
    try:
        _wait_healthy(base, process, log, healthy)
        if warm:
            _wait_warm(base, workers)
        yield base
    finally:
        _stop(process, log)


@contextmanager
def flask_run(env: dict[str, str]) -> Iterator[Running]:
    """``make serve``'s server (``flask run``, no reloader) on a free loopback port; yield its base URL once it
    has said that it warmed up."""
    port = free_port()
    environ = {**os.environ, **env}
    for name in ("DOCGEN_WARM_UP", "FLASK_DEBUG"):  # the defaults make serve runs with
        environ.pop(name, None)
    log = tempfile.TemporaryFile()
    process = subprocess.Popen([str(Path(sys.executable).parent / "flask"), "--app", "docgen", "run", "--no-reload",
                                "--port", str(port)], cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT)
    base = Running(f"http://127.0.0.1:{port}")
    base.pid, base.log = process.pid, log
    try:
        deadline = time.monotonic() + 120
        while "预热完成" not in base.log_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"flask run did not warm up: {base.log_text()[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        _stop(process, log)


def _stop(process: subprocess.Popen, log) -> None:  # type: ignore[no-untyped-def]
    """Stop a server (TERM, then KILL after 20 s) and close its log."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


def _wait_warm(base: Running, workers: int) -> None:
    deadline = time.monotonic() + 120
    while base.log_text().count("warmed up in") < workers:
        if time.monotonic() > deadline:
            raise RuntimeError(f"workers did not warm up: {base.log_text()[-2000:]}")
        time.sleep(0.2)


def _wait_healthy(base: str, process: subprocess.Popen, log, healthy: bool = True) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"gunicorn exited: {log.read().decode(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            exc.close()
            if not healthy:
                return
            time.sleep(0.2)
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not become healthy in 60 s")


def worker_pids(master: int) -> list[int]:
    """The worker processes of a gunicorn master (its children)."""
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh database on the server named by DOCGEN_TEST_POSTGRES_URL, dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(os.environ[POSTGRES_ENV])
    name = f"docgen_test_{uuid.uuid4().hex[:10]}"
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        from docgen.store.db import dispose_engines
        dispose_engines(admin.set(database=name).render_as_string(hide_password=False))
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
