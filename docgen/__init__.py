"""docgen: official documents for administrative law-enforcement supervision, as DOCX and PDF."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from docgen.config import Settings

if TYPE_CHECKING:
    from flask import Flask

__version__ = "0.3.0"
LOG = logging.getLogger("docgen")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Flask application factory (Flask is imported here, so the CLI's render path never loads it)."""
    from flask import Flask

    settings = Settings.from_env()
    if test_config and "DOCGEN_SETTINGS" in test_config:
        settings = test_config["DOCGEN_SETTINGS"]
    app = Flask(__name__, instance_path=str(settings.instance_dir))
    app.config.from_mapping(DOCGEN_SETTINGS=settings, MAX_CONTENT_LENGTH=settings.max_content_length,
                            JSON_AS_ASCII=False)
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    if settings.proxy_count:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_count, x_proto=settings.proxy_count)  # type: ignore[method-assign]

    from docgen import web

    web.register(app, settings)

    from docgen.generate import load_calendar
    load_calendar(settings)  # malformed holiday data stops start-up with its file and line, not every request
    _check_harfbuzz()
    if not app.testing:
        from docgen.sweeper import start_background
        from docgen.web.ui.auth import announce_first_run
        start_background(settings)  # settle what a killed worker left behind, now and every minute
        announce_first_run(settings)
        from docgen.warmup import serving_from_flask_cli, warm_up_in_background
        if serving_from_flask_cli():  # make serve: the first request is not a cold one (gunicorn: its own hook)
            warm_up_in_background(settings)
    return app


def _check_harfbuzz() -> None:
    """Say loudly when PDFs will be slow because HarfBuzz subsetting is missing."""
    from docgen.render.pdf import HARFBUZZ_HINT, harfbuzz_subset_available
    if not harfbuzz_subset_available():
        LOG.warning("!" * 60)
        LOG.warning(HARFBUZZ_HINT)
        LOG.warning("!" * 60)
