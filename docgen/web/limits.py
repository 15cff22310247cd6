"""Rate limits per API token (per client address where there is no token), with Flask-Limiter.

Counters live in Redis when DOCGEN_REDIS_URL is set, so every gunicorn worker
shares them; otherwise in each process's memory. A breach is a 429 problem+json
with Retry-After. Limits are read from the settings at request time.
"""

from __future__ import annotations

import math
import time

from flask import Flask, current_app, request
from flask_limiter import HeaderNames, Limiter

from docgen.config import Settings
from docgen.web.auth import bearer_token

EXEMPT = {"health.healthz", "static", "verify.font", "ui.static"}
PUBLIC = ("verify.",)  # pages anyone may open: always counted per address


def _settings() -> Settings:
    return current_app.config["DOCGEN_SETTINGS"]


def rate_key() -> str:
    """Whose budget a request spends: a valid token's, else the client address's.

    A made-up token must not open a fresh budget, so the token is checked first (the view
    reuses the result); public pages are always counted per address.
    """
    address = "addr:" + (request.remote_addr or "unknown")
    if request.path.startswith("/ui/") and request.endpoint != "ui.auth.login":
        from docgen.web.ui import current_user
        user = current_user()
        return f"user:{user.id}" if user is not None else address
    if (request.endpoint or "").startswith(PUBLIC) or bearer_token() is None:
        return address
    from docgen.errors import DocgenError
    from docgen.web.auth import current_caller
    try:
        return f"token:{current_caller().token_id}"
    except DocgenError:  # unknown or revoked token, or the database is away: the address pays
        return address


def limit_for_request() -> str:
    """The configured limit of the endpoint being called."""
    settings = _settings()
    endpoint = request.endpoint or ""
    if endpoint == "api.render":
        return settings.rate_limit_preview
    if endpoint == "documents.issue":
        return settings.rate_limit_issue
    if endpoint.startswith("verify."):
        return settings.rate_limit_public
    if endpoint == "ui.auth.login":
        return settings.rate_limit_login
    return settings.rate_limit_default


def init_limits(app: Flask, settings: Settings) -> Limiter:
    """Attach a limiter to ``app`` (disabled when DOCGEN_RATE_LIMITS=off)."""
    storage = settings.redis_url or "memory://"
    options = {"socket_timeout": 1, "socket_connect_timeout": 1} if settings.redis_url else {}
    limiter = Limiter(
        rate_key, app=app, default_limits=[limit_for_request], default_limits_exempt_when=lambda: request.endpoint in EXEMPT,
        storage_uri=storage, storage_options=options, headers_enabled=True, retry_after="delta-seconds",
        # Flask-Limiter would put its window's reset into Retry-After on every answer, overriding ours
        # (a job still running says "poll again in 1 s"); a 429 gets Retry-After from retry_after_seconds().
        header_name_mapping={HeaderNames.RETRY_AFTER: "X-RateLimit-Retry-After"},
        in_memory_fallback_enabled=True, key_prefix="docgen", enabled=settings.rate_limits, strategy="moving-window",
    )
    app.extensions["docgen_limiter"] = limiter
    return limiter


def retry_after_seconds() -> int:
    """Seconds until the limit this request broke lets the caller in again."""
    limiter = current_app.extensions.get("docgen_limiter")
    current = limiter.current_limit if limiter is not None else None
    if current is None:
        return 60
    return max(1, math.ceil(current.reset_at - time.time()))
