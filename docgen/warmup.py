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
from docgen.render.gc_pause import freeze_after_warm_up, freeze_when_idle

LOG = logging.getLogger(__name__)
WARM_UP_TYPE = "opinion"


def warm_up(settings: Settings | None = None, freeze: bool = True) -> float:
    """Render the typical sample of one type as DOCX and PDF, then freeze (unless told not to); return the
    seconds it took."""
    from docgen.doctypes.registry import load_registry
    from docgen.generate import generate

    started = time.perf_counter()
    settings = settings or Settings.from_env()
    try:
        registry = load_registry(settings)
        for doctype in registry.values():
            doctype.validator.detailed  # noqa: B018  (compile every schema now, jsonschema's too: not on a request)
        from docgen.titles import title_lines
        title_lines("关于落实行政执法监督意见书整改情况的报告，以及下一步工作的安排")  # loads jieba's dictionary
        doctype = registry.get(WARM_UP_TYPE) or next(iter(registry.values()))
        generate(doctype.slug, doctype.load_sample(), ("docx", "pdf"), settings)
    except Exception:  # a broken sample must not keep a worker from serving
        LOG.warning("warm-up render failed; the first request will be a cold one", exc_info=True)
    if freeze:
        freeze_after_warm_up()
    seconds = time.perf_counter() - started
    LOG.info("worker warmed up in %.2f s", seconds)
    return seconds


def serving_from_flask_cli() -> bool:
    """Whether this process is the one ``flask run`` (``make serve``) serves from: the application is being
    loaded by the ``run`` command (not ``flask shell`` or ``routes``, not a test, not gunicorn), and by the
    process that serves (under the reloader, the child it starts, not the parent that watches the files)."""
    if os.environ.get("FLASK_RUN_FROM_CLI") != "true" or os.environ.get("DOCGEN_WARM_UP", "1") == "0":
        return False
    import click
    from flask.helpers import get_debug_flag
    from werkzeug.serving import is_running_from_reloader

    context = click.get_current_context(silent=True)
    if context is None or context.info_name != "run":
        return False
    reload = context.params.get("reload")
    if reload is None:  # flask run's own default: the reloader runs in debug mode
        reload = get_debug_flag()
    return not reload or is_running_from_reloader()


def warm_up_in_background(settings: Settings) -> threading.Thread:
    """The development server's warm-up: in a thread, so it listens at once (an early request renders beside
    the warm-up, after the fonts and stylesheet it loads). It freezes only while no render runs: a render's
    boxes frozen half-way would never be collected."""

    def run() -> None:
        seconds = warm_up(settings, freeze=False)
        freeze_when_idle()
        print(f" * docgen：预热完成（{seconds:.2f} 秒）：字体、样式表、模板已载入", file=sys.stderr, flush=True)

    thread = threading.Thread(target=run, name="docgen-warm-up", daemon=True)
    thread.start()
    return thread
