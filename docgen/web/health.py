"""/healthz: the service and what it depends on (the database; Redis and the broker when configured).

Each check has a short deadline, so a hung database makes /healthz answer 503
within a couple of seconds instead of hanging like the requests it guards.
"""

from __future__ import annotations

import concurrent.futures
from typing import Callable

from flask import Blueprint, Response, current_app, jsonify

from docgen import __version__
from docgen.config import Settings
from docgen.doctypes.registry import load_registry
from docgen.store.db import ping

bp = Blueprint("health", __name__)
CHECK_DEADLINE_S = 2.0
_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="docgen-health")


def _redis_ping(url: str) -> None:
    import redis
    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    finally:
        client.close()


def _checks(settings: Settings) -> dict[str, Callable[[], None]]:
    checks: dict[str, Callable[[], None]] = {"database": lambda: ping(settings.effective_database_url, 2)}
    if settings.redis_url:
        checks["redis"] = lambda: _redis_ping(settings.redis_url)
    if settings.broker_url.startswith(("redis://", "rediss://")) and settings.broker_url != settings.redis_url:
        checks["broker"] = lambda: _redis_ping(settings.broker_url)
    return checks


def run_checks(settings: Settings) -> dict[str, str]:
    """'ok' or what is wrong, per dependency, each within CHECK_DEADLINE_S."""
    futures = {name: _POOL.submit(check) for name, check in _checks(settings).items()}
    results = {}
    for name, future in futures.items():
        try:
            future.result(timeout=CHECK_DEADLINE_S)
            results[name] = "ok"
        except concurrent.futures.TimeoutError:
            results[name] = f"无响应（超过 {CHECK_DEADLINE_S:g} 秒）"
        except Exception as exc:  # any failure of a dependency is reported, not raised
            results[name] = f"不可用（{type(exc).__name__}）"
    return results


def _job_backlog(settings: Settings) -> dict[str, object]:
    """Queued jobs and how long the oldest has waited: a growing wait means no runner is taking them."""
    from sqlalchemy import func, select

    from docgen.clock import aware, utcnow
    from docgen.store.db import db_session
    from docgen.store.models import Job
    with db_session(settings, read_only=True) as session:
        count, oldest = session.execute(select(func.count(), func.min(Job.created_at)).where(Job.state == "queued")).one()
    waited = int((utcnow() - aware(oldest)).total_seconds()) if oldest else 0
    return {"queued": int(count), "oldest_wait_s": waited,
            "runner": "celery" if settings.broker_url else f"embedded×{settings.job_threads}"}


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 when every dependency answers, 503 otherwise; the body says which."""
    from docgen.render.pdf import harfbuzz_subset_available
    settings: Settings = current_app.config["DOCGEN_SETTINGS"]
    checks = run_checks(settings)
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "unavailable", "checks": checks, "version": __version__,
            "types": sorted(load_registry(settings)), "harfbuzz_subset": harfbuzz_subset_available()}
    if healthy:
        body["jobs"] = _job_backlog(settings)
    response = jsonify(body)
    if not healthy:
        response.headers["Retry-After"] = "5"
    return response, 200 if healthy else 503
