"""8 processes × 50 concurrent issue requests against gunicorn: 400 distinct, consecutive numbers."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from docgen.store.db import session_scope
from docgen.store.migrate import upgrade
from docgen.store.tokens import create_token
from docgen.store.units import add_unit

from servers import POSTGRES_ENV, gunicorn, postgres_database

from conftest import REGISTRY

PROCESSES, PER_PROCESS = 8, 50
pytestmark = pytest.mark.slow


def _body() -> bytes:
    data = REGISTRY["disclosure"].load_sample()
    data["doc_number"] = {"organ_code": "昌测试公示", "year": 2025}
    data["cases"] = data["cases"][:1]
    return json.dumps({"type": "disclosure", "data": data}, ensure_ascii=False).encode("utf-8")


def _issue(base: str, token: str, body: bytes) -> str:
    request = urllib.request.Request(f"{base}/api/v1/documents", data=body, method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return json.loads(response.read())["number"]
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}: {exc.read()[:300]!r}"


def _client(args: tuple[str, str, bytes]) -> list[str]:
    base, token, body = args
    with ThreadPoolExecutor(PER_PROCESS) as pool:
        return list(pool.map(lambda _: _issue(base, token, body), range(PER_PROCESS)))


def prepare_database(database_url: str) -> str:
    """Migrate, register the test unit and return a 司法局 token."""
    upgrade(database_url)
    with session_scope(database_url) as session:
        add_unit(session, "昌吉市市场监督管理局", None, "enforcement", ("昌测试公示",), None)
        return create_token(session, "judicial", None, "concurrency test")


def server_env(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    """The service's environment for these tests: the sample's date is 'today', no rate limits."""
    return {"DOCGEN_DATABASE_URL": database_url, "DOCGEN_INSTANCE_DIR": str(instance), "DOCGEN_TODAY": "2025-06-27",
            "DOCGEN_RATE_LIMITS": "off", **extra}


def _run(database_url: str, instance: Path) -> list[str]:
    token = prepare_database(database_url)
    env = server_env(database_url, instance)
    with gunicorn(env, workers=4) as base:
        with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
            results = pool.map(_client, [(base, token, _body())] * PROCESSES)
    return [number for chunk in results for number in chunk]


def _assert_consecutive(numbers: list[str]) -> None:
    failures = [n for n in numbers if n.startswith("HTTP")]
    assert not failures, failures[:3]
    assert len(numbers) == PROCESSES * PER_PROCESS
    assert sorted(numbers, key=lambda n: int(n.split("〕")[1][:-1])) == [
        f"昌测试公示〔2025〕{n}号" for n in range(1, PROCESSES * PER_PROCESS + 1)]


def test_sqlite(tmp_path: Path):
    instance = tmp_path / "instance"
    _assert_consecutive(_run(f"sqlite:///{instance / 'docgen.sqlite3'}", instance))


@pytest.mark.skipif(not os.environ.get(POSTGRES_ENV),
                    reason=f"{POSTGRES_ENV} 未设置：需要真实的 PostgreSQL（.ci/run 会设置为 127.0.0.1:5432）")
def test_postgresql(tmp_path: Path):
    with postgres_database() as url:
        _assert_consecutive(_run(url, tmp_path / "instance"))


def _same_key(args: tuple[str, str, bytes]) -> list[str]:
    base, token, body = args

    def once(_: int) -> str:
        while True:  # a client following the protocol: 409 in_progress means "retry after Retry-After"
            request = urllib.request.Request(f"{base}/api/v1/documents", data=body, method="POST", headers={
                "Content-Type": "application/json", "Authorization": f"Bearer {token}", "Idempotency-Key": "retry-me"})
            try:
                with urllib.request.urlopen(request, timeout=300) as response:
                    payload = json.loads(response.read())
                    return f"{payload['id']} {payload['number']}"
            except urllib.error.HTTPError as exc:
                if exc.code != 409 or json.loads(exc.read())["code"] != "in_progress":
                    raise
                time.sleep(float(exc.headers["Retry-After"]))

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(once, range(8)))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_concurrent_retries_with_one_key_make_one_document(tmp_path: Path, backend: str):
    if backend == "postgresql" and not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"{POSTGRES_ENV} 未设置：需要真实的 PostgreSQL")
    instance = tmp_path / "instance"
    with (postgres_database() if backend == "postgresql" else _sqlite(instance)) as url:
        token = prepare_database(url)
        with gunicorn(server_env(url, instance), workers=4) as base:
            with multiprocessing.get_context("spawn").Pool(4) as pool:
                answers = [a for chunk in pool.map(_same_key, [(base, token, _body())] * 4) for a in chunk]
    assert len(answers) == 32 and len(set(answers)) == 1, set(answers)
    assert answers[0].endswith("〔2025〕1号")


@contextmanager
def _sqlite(instance: Path) -> Iterator[str]:
    yield f"sqlite:///{instance / 'docgen.sqlite3'}"
