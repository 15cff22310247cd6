"""docgen: official documents for administrative law-enforcement supervision, as DOCX and PDF."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify

from docgen.config import Settings

__version__ = "0.2.0"
LOG = logging.getLogger("docgen")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Flask application factory."""
    settings = Settings.from_env()
    app = Flask(__name__, instance_path=str(settings.instance_dir))
    app.config.from_mapping(DOCGEN_SETTINGS=settings, MAX_CONTENT_LENGTH=settings.max_content_length,
                            JSON_AS_ASCII=False)
    if test_config:
        app.config.update(test_config)
        if "DOCGEN_SETTINGS" in test_config and "MAX_CONTENT_LENGTH" not in test_config:
            app.config["MAX_CONTENT_LENGTH"] = test_config["DOCGEN_SETTINGS"].max_content_length
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    from docgen import web

    web.register(app)

    @app.get("/healthz")
    def healthz() -> Response:
        from docgen.doctypes.registry import load_registry
        from docgen.render.pdf import harfbuzz_subset_available
        return jsonify({"status": "ok", "types": sorted(load_registry(app.config["DOCGEN_SETTINGS"])),
                        "harfbuzz_subset": harfbuzz_subset_available()})

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
