"""The web layer: JSON API blueprints, problem+json errors, the public verification page."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach every blueprint and error handler to ``app``."""
    from docgen.web import api, documents, problems, verify

    app.register_blueprint(api.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(verify.bp)
    problems.register(app)
