"""docgen: official documents for administrative law-enforcement supervision, as DOCX and PDF."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from docgen.config import Settings

LOG = logging.getLogger("docgen")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Flask application factory."""
    app = Flask(__name__, instance_relative_config=True)
    settings = Settings.from_env()
    app.config.from_mapping(DOCGEN_SETTINGS=settings, MAX_CONTENT_LENGTH=settings.max_content_length,
                            JSON_AS_ASCII=False)
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    from docgen import api
    from docgen.errors import DocgenError

    app.register_blueprint(api.bp)
    app.register_error_handler(DocgenError, api.error_response)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Any:
        if request.path.startswith("/api/"):
            return api.http_error_response(error)
        return error

    @app.get("/healthz")
    def healthz() -> Response:
        from docgen.doctypes.registry import load_registry
        from docgen.render.pdf import harfbuzz_subset_available
        return jsonify({"status": "ok", "types": sorted(load_registry(app.config["DOCGEN_SETTINGS"])),
                        "harfbuzz_subset": harfbuzz_subset_available()})

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        LOG.exception("unexpected error")
        if request.path.startswith("/api/"):
            return jsonify({"code": "internal_error", "message": "服务内部错误，请联系管理员"}), 500
        return "服务内部错误", 500

    from docgen.generate import load_calendar
    load_calendar(settings)  # malformed holiday data stops start-up with its file and line, not every request
    _check_harfbuzz()
    return app


def _check_harfbuzz() -> None:
    """Say loudly when PDFs will be slow because HarfBuzz subsetting is missing."""
    from docgen.render.pdf import HARFBUZZ_HINT, harfbuzz_subset_available
    if not harfbuzz_subset_available():
        LOG.warning("!" * 60)
        LOG.warning(HARFBUZZ_HINT)
        LOG.warning("!" * 60)
