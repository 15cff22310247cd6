"""Warm a worker up before its first request: fonts, stylesheet, templates and one render of each format.

gunicorn calls ``warm_up`` after loading the application in each worker (gunicorn.conf.py), ``flask run``
(``make serve``) in a thread as it starts (``warm_up_in_background``); what is alive
afterwards (modules, fonts, parsed CSS, compiled templates) is then frozen out of the garbage collector's
sight, so later collections only walk what requests create.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time

from docgen.config import Settings
from docgen.render.gc_pause import freeze_after_warm_up

LOG = logging.getLogger(__name__)
WARM_UP_TYPE = "opinion"


def warm_up(settings: Settings | None = None) -> float:
    """Render the typical sample of one type as DOCX and PDF, then freeze; return the seconds it took."""
    from docgen.doctypes.registry import load_registry
    from docgen.generate import generate

    started = time.perf_counter()
    settings = settings or Settings.from_env()
    try:
        registry = load_registry(settings)
        for doctype in registry.values():
            doctype.validator  # noqa: B018  (compile every schema now, not on a request)
        from docgen.titles import title_lines
        title_lines("关于落实行政执法监督意见书整改情况的报告，以及下一步工作的安排")  # loads jieba's dictionary
        doctype = registry.get(WARM_UP_TYPE) or next(iter(registry.values()))
        generate(doctype.slug, doctype.load_sample(), ("docx", "pdf"), settings)
    except Exception:  # a broken sample must not keep a worker from serving
        LOG.warning("warm-up render failed; the first request will be a cold one", exc_info=True)
    freeze_after_warm_up()
    seconds = time.perf_counter() - started
    LOG.info("worker warmed up in %.2f s", seconds)
    return seconds


def serving_from_flask_cli() -> bool:
    """Whether this process is the one ``flask run`` (``make serve``) serves from: not a test, not gunicorn,
    not the reloader's watching parent (under ``--debug`` the serving child has WERKZEUG_RUN_MAIN)."""
    if os.environ.get("FLASK_RUN_FROM_CLI") != "true" or os.environ.get("DOCGEN_WARM_UP", "1") == "0":
        return False
    debug = os.environ.get("FLASK_DEBUG", "").lower() in {"1", "true", "yes", "on"}
    return not debug or os.environ.get("WERKZEUG_RUN_MAIN") == "true"


def warm_up_in_background(settings: Settings) -> threading.Thread:
    """The development server's warm-up: in a thread, so it starts listening at once (a request that comes
    early waits for the warm-up's render to finish, which is still sooner than a cold render of its own)."""

    def run() -> None:
        seconds = warm_up(settings)
        print(f" * docgen：预热完成（{seconds:.2f} 秒）：字体、样式表、模板已载入", file=sys.stderr, flush=True)

    thread = threading.Thread(target=run, name="docgen-warm-up", daemon=True)
    thread.start()
    return thread
