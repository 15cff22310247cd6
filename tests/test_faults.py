"""Faults against the real server (the shipped gunicorn.conf.py) on SQLite and PostgreSQL.

Killed workers lose no number and leave nothing pending; slow clients cannot starve the
workers; a database that stops answering makes requests fail fast and clearly.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from docgen.store.db import session_scope
from docgen.store.models import Document
from docgen.sweeper import sweep

from conftest import issuable
from servers import POSTGRES_ENV, gunicorn, postgres_database, worker_pids
from test_numbering_concurrency import prepare_database, server_env

pytestmark = pytest.mark.slow
KEYS = 30
KILLS = 8
MAX_KEYS = 600  # a machine too fast for the killer still ends


@contextmanager
def database(backend: str, instance: Path) -> Iterator[str]:
    if backend == "postgresql":
        if not os.environ.get(POSTGRES_ENV):
            pytest.skip(f"{POSTGRES_ENV} 未设置：需要真实的 PostgreSQL（.ci/run 会设置为 127.0.0.1:5432）")
        with postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{instance / 'docgen.sqlite3'}"


def _body() -> bytes:
    data = issuable("disclosure")
    data["doc_number"] = {"organ_code": "昌测试公示", "year": 2025}
    data["cases"] = data["cases"][:2]
    return json.dumps({"type": "disclosure", "data": data}, ensure_ascii=False).encode("utf-8")


def _issue_until_done(base: str, token: str, key: str, body: bytes, log: list[str]) -> dict:
    """Retry one key as a careful client would, through resets, 5xx and 409 in_progress."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        request = urllib.request.Request(f"{base}/api/v1/documents", data=body, method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {token}", "Idempotency-Key": key})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            payload = exc.read()
            log.append(f"{key}: HTTP {exc.code} {payload[:120]!r}")
            if exc.code == 409 and json.loads(payload)["code"] == "in_progress":
                time.sleep(float(exc.headers.get("Retry-After", "1")))
                continue
            if exc.code >= 500:
                time.sleep(0.5)
                continue
            raise
        except OSError as exc:  # the worker died under the request
            log.append(f"{key}: {type(exc).__name__}")
            time.sleep(0.3)
    raise AssertionError(f"key {key} never settled: {log[-5:]}")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_killed_workers_lose_no_number_and_leave_nothing_pending(tmp_path: Path, backend: str):
    instance = tmp_path / "instance"
    with database(backend, instance) as url:
        token = prepare_database(url)
        env = server_env(url, instance, DOCGEN_PENDING_TIMEOUT_S="3")
        with gunicorn(env, workers=3) as base:
            log: list[str] = []
            stop = threading.Event()
            kills: list[int] = []

            def killer() -> None:
                while not stop.is_set() and len(kills) < KILLS:
                    time.sleep(random.uniform(0.8, 1.6))
                    pids = worker_pids(base.pid)
                    if pids:
                        victim = random.choice(pids)
                        os.kill(victim, signal.SIGKILL)
                        kills.append(victim)

            thread = threading.Thread(target=killer, daemon=True)
            thread.start()
            keys = itertools.count()
            issued: dict[int, dict] = {}

            def client() -> None:
                # At least KEYS keys, and more until the killer is done: on a fast machine 30 issues end before
                # a worker could be killed mid-issue. Each key is taken once; keys end as a prefix 0 … n-1.
                while True:
                    n = next(keys)
                    if n >= KEYS and (len(kills) >= KILLS or n >= MAX_KEYS):
                        return
                    issued[n] = _issue_until_done(base, token, f"key-{n}", _body(), log)

            with ThreadPoolExecutor(6) as pool:
                for future in [pool.submit(client) for _ in range(6)]:
                    future.result()
            results = [issued[n] for n in sorted(issued)]
            stop.set()
            thread.join()
            time.sleep(4)  # one lease
            sweep(_settings(url, instance))
        with session_scope(url) as session:
            rows = session.query(Document).all()
            states = sorted((row.status, row.seq) for row in rows)
    numbers = [r["number"] for r in results]
    print(f"\n{backend}: {len(kills)} kills survived, {len(log)} failed attempts retried, "
          f"{len(numbers) - len(set(numbers))} duplicates, {sum(1 for s, _ in states if s == 'pending')} pending")
    assert len(kills) >= KILLS // 2, "the run was long enough to kill workers mid-issue"
    assert all(r["status"] == "issued" for r in results)
    assert sorted(issued) == list(range(len(issued))) and len(issued) >= KEYS
    assert len(set(numbers)) == len(issued), "no number twice"
    assert states == [("issued", n) for n in range(1, len(issued) + 1)], "every key one document; no gap, nothing pending"


def _settings(url: str, instance: Path):  # type: ignore[no-untyped-def]
    import dataclasses
    from docgen.config import Settings
    return dataclasses.replace(Settings.from_env(), database_url=url, instance_dir=instance, pending_timeout_s=3)


# ---------------------------------------------------------------- slow clients (row 3)

def _slow_client(base: str, token: str, seconds: float, outcome: list[str]) -> None:
    """POST with Content-Length 1000, then one byte every 8 s."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall((f"POST /api/v1/render/opinion HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                      f"Authorization: Bearer {token}\r\nContent-Length: 1000\r\n\r\n{{").encode())
        sock.settimeout(0.5)
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            try:
                answer = sock.recv(4096)
            except socket.timeout:
                answer = None
            if answer is not None:
                outcome.append(f"{time.monotonic() - started:.1f}s {answer.split(b' ')[1].decode() if answer else 'closed'}")
                return
            if int(time.monotonic() - started) % 8 == 0:
                try:
                    sock.sendall(b" ")
                except OSError:
                    outcome.append(f"{time.monotonic() - started:.1f}s reset")
                    return
        outcome.append("still open")


def test_slow_clients_cannot_starve_the_workers(tmp_path: Path):
    instance = tmp_path / "instance"
    url = f"sqlite:///{instance / 'docgen.sqlite3'}"
    token = prepare_database(url)
    # Fewer threads than the shipped 16, still more than the attackers: the kernel may hand all four slow
    # sockets to one worker, which must keep a thread for /healthz (with 4 threads it would wait out the deadline).
    env = server_env(url, instance, DOCGEN_REQUEST_READ_TIMEOUT_S="4", DOCGEN_THREADS="6")
    with gunicorn(env, workers=2) as base:
        outcomes: list[str] = []
        attackers = [threading.Thread(target=_slow_client, args=(base, token, 20, outcomes)) for _ in range(4)]
        for attacker in attackers:
            attacker.start()
        latencies = []
        for _ in range(20):
            started = time.monotonic()
            with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:  # a timeout here fails the test
                assert response.status == 200
            latencies.append(time.monotonic() - started)
            time.sleep(0.4)
        for attacker in attackers:
            attacker.join()
    print(f"\n/healthz during the attack: max {max(latencies) * 1000:.0f} ms; slow clients: {outcomes}")
    assert len(outcomes) == 4 and all(o.endswith(("408", "closed", "reset")) for o in outcomes), outcomes
    assert all(float(o.split("s")[0]) < 10 for o in outcomes), "cut off at the read deadline, not kept"


# ---------------------------------------------------------------- a database that never answers (row 10)

@contextmanager
def silent_port() -> Iterator[int]:
    """A TCP port that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except socket.timeout:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for sock in held:
            sock.close()
        server.close()


def _status(url: str, data: bytes | None = None, headers: dict[str, str] | None = None, timeout: float = 15) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


@pytest.mark.parametrize("kind", ["silent", "closed"])
def test_a_database_that_does_not_answer_fails_fast_and_clearly(tmp_path: Path, kind: str):
    from servers import free_port
    with silent_port() as port:
        target = port if kind == "silent" else free_port()
        env = {"DOCGEN_DATABASE_URL": f"postgresql+psycopg://docgen@127.0.0.1:{target}/docgen",
               "DOCGEN_INSTANCE_DIR": str(tmp_path / "instance"), "DOCGEN_DB_TIMEOUT_S": "2", "DOCGEN_RATE_LIMITS": "off"}
        with gunicorn(env, workers=2, healthy=False) as base:
            status, media, body = _status(f"{base}/healthz", timeout=5)
            assert status == 503 and json.loads(body)["checks"]["database"] != "ok"
            sample = json.dumps(issuable("opinion"), ensure_ascii=False).encode()
            headers = {"Content-Type": "application/json", "Authorization": "Bearer dg_x"}
            with ThreadPoolExecutor(8) as pool:  # more requests than one worker's patience
                answers = list(pool.map(lambda _: _status(f"{base}/api/v1/render/opinion", sample, headers), range(8)))
            assert {(s, m) for s, m, _ in answers} == {(503, "application/problem+json")}
            assert {json.loads(b)["code"] for _, _, b in answers} == {"database_unavailable"}
            status, media, page = _status(f"{base}/verify/ABCDEFGHJK")
            assert status == 503 and media.startswith("text/html") and "服务暂时不可用" in page.decode()
            status, _, _ = _status(f"{base}/healthz", timeout=5)
            assert status == 503, "still answering after all that"


def test_errors_gunicorn_answers_itself_are_problem_json(tmp_path: Path):
    instance = tmp_path / "instance"
    url = f"sqlite:///{instance / 'docgen.sqlite3'}"
    prepare_database(url)
    with gunicorn(server_env(url, instance), workers=1) as base:
        host, port = base.removeprefix("http://").split(":")
        for request, status in ((f"GET /{'a' * 5000} HTTP/1.1\r\nHost: x\r\n\r\n", 414),
                                ("GET / HTTP/1.1\r\n" + "".join(f"X-{n}: y\r\n" for n in range(100)) + "\r\n", 431),
                                ("NOT A REQUEST\r\n\r\n", 400)):
            with socket.create_connection((host, int(port)), timeout=10) as sock:
                sock.sendall(request.encode())
                answer = b""
                while chunk := sock.recv(65536):
                    answer += chunk
            head, _, body = answer.partition(b"\r\n\r\n")
            assert head.split()[1] == str(status).encode(), head
            assert b"Content-Type: application/problem+json" in head and json.loads(body)["status"] == status


def test_clients_that_never_close_do_not_stall_the_worker(tmp_path: Path):
    """gunicorn closes finished connections on the worker's main loop, waiting up to 2 s for each client's FIN."""
    instance = tmp_path / "instance"
    url = f"sqlite:///{instance / 'docgen.sqlite3'}"
    prepare_database(url)
    with gunicorn(server_env(url, instance, DOCGEN_THREADS="4"), workers=1) as base:
        host, port = base.removeprefix("http://").split(":")
        holders = []
        for _ in range(40):  # 40 × 2 s of lingering would exceed the 60 s heartbeat and get the worker killed
            sock = socket.create_connection((host, int(port)))
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            holders.append(sock)
        time.sleep(1)
        for _ in range(5):
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # a timeout here fails the test
                assert response.status == 200
        for sock in holders:
            sock.close()
        assert "WORKER TIMEOUT" not in base.log_text()
