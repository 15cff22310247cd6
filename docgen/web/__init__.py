"""The web layer: JSON API blueprints, problem+json errors, rate limits, the public verification page."""

from __future__ import annotations

from flask import Flask

from docgen.config import Settings


def register(app: Flask, settings: Settings) -> None:
    """Attach every blueprint, error handler and the rate limiter to ``app``."""
    from docgen.web import admin, api, batches, cases, documents, health, jobs, problems, verify
    from docgen.web.limits import init_limits

    for blueprint in (api.bp, documents.bp, jobs.bp, batches.bp, cases.bp, admin.bp, verify.bp, health.bp):
        app.register_blueprint(blueprint)
    problems.register(app)
    init_limits(app, settings)
    from docgen.web.ui import init_ui
    init_ui(app, settings)
    _collect_after_responses(app)
    _check_prefer_header(app)


def _check_prefer_header(app: Flask) -> None:
    """The description bounds ``Prefer`` (RFC 7240); a longer one is refused, not ignored."""
    from flask import request

    from docgen.errors import RequestProblem
    from docgen.web.openapi import PREFER_MAX_LENGTH

    @app.before_request
    def bounded_prefer() -> None:
        if len(request.headers.get("Prefer", "")) > PREFER_MAX_LENGTH:
            raise RequestProblem(f"请求头 Prefer 过长（至多 {PREFER_MAX_LENGTH} 个字符）", code="invalid_header")


def _collect_after_responses(app: Flask) -> None:
    """Renders run with the garbage collector paused (docgen.render.gc_pause); what they left is collected
    once the response has gone out, not while the client waits."""
    from werkzeug.wsgi import ClosingIterator

    from docgen.render.gc_pause import collect_if_idle, defer_collections, owed

    @app.before_request
    def defer_collections_to_the_response() -> None:
        defer_collections(True)

    @app.teardown_request
    def stop_deferring_collections(_: BaseException | None) -> None:
        defer_collections(False)

    @app.after_request
    def collect_later(response):  # type: ignore[no-untyped-def]
        if owed():
            if response.direct_passthrough:  # send_file: the server closes this iterable, not the response
                response.response = ClosingIterator(response.response, collect_if_idle)
            else:
                response.call_on_close(collect_if_idle)
        return response
