"""The web layer: JSON API blueprints, problem+json errors, rate limits, the public verification page."""

from __future__ import annotations

from flask import Flask

from docgen.config import Settings


def register(app: Flask, settings: Settings) -> None:
    """Attach every blueprint, error handler and the rate limiter to ``app``."""
    from docgen.web import admin, api, documents, health, jobs, problems, verify
    from docgen.web.limits import init_limits

    for blueprint in (api.bp, documents.bp, jobs.bp, admin.bp, verify.bp, health.bp):
        app.register_blueprint(blueprint)
    problems.register(app)
    init_limits(app, settings)
    from docgen.web.ui import init_ui
    init_ui(app, settings)
