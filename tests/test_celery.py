"""The scale-out path: Celery workers over the real Redis run the jobs the web processes queue."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import issuable
from servers import ROOT, gunicorn
from test_limits import REDIS_ENV, guard
from test_numbering_concurrency import prepare_database, server_env

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not os.environ.get(REDIS_ENV), reason=f"{REDIS_ENV} 未设置：需要真实的 Redis（.ci/run 会设置为 127.0.0.1:6379）")]


def _request(url: str, token: str, body: dict | None = None, headers: dict | None = None) -> tuple[int, dict, dict]:
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if body is not None else "GET", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read())


def test_jobs_run_in_celery_workers(tmp_path: Path):
    instance = tmp_path / "instance"
    url = f"sqlite:///{instance / 'docgen.sqlite3'}"
    token = prepare_database(url)
    broker = os.environ[REDIS_ENV]
    import redis
    redis.Redis.from_url(broker).flushdb()
    env = server_env(url, instance, DOCGEN_BROKER_URL=broker)
    log = tempfile.TemporaryFile()
    worker = subprocess.Popen([str(Path(sys.executable).parent / "docgen"), "worker", "--loglevel=INFO", "--concurrency=1",
                               "--pool=solo"], cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=log)
    try:
        with gunicorn(env, workers=2) as base:
            data = issuable("disclosure")
            data["doc_number"] = {"organ_code": "昌测试公示", "year": 2025}
            status, headers, accepted = _request(f"{base}/api/v1/documents", token, {"type": "disclosure", "data": data},
                                                 {"Prefer": "respond-async", "Idempotency-Key": "celery-1"})
            assert status == 202 and headers["Preference-Applied"] == "respond-async", accepted
            with guard(180):
                while True:
                    _, _, job = _request(base + headers["Location"], token)
                    if job["state"] in ("done", "failed"):
                        break
                    time.sleep(0.3)
            assert job["state"] == "done", job
            _, _, document = _request(base + job["links"]["document"], token)
            assert document["status"] == "issued" and document["number"] == "昌测试公示〔2025〕1号"
            _, _, health = _request(f"{base}/healthz", token)
            assert health["checks"]["broker"] == "ok"
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.seek(0)
        output = log.read().decode(errors="replace")
        log.close()
    assert "docgen.run_job" in output, output[-2000:]
