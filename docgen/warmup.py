"""Warm a worker up before its first request: fonts, stylesheet, templates and one render of each format.

gunicorn calls ``warm_up`` after loading the application in each worker (gunicorn.conf.py); what is alive
afterwards (modules, fonts, parsed CSS, compiled templates) is then frozen out of the garbage collector's
sight, so later collections only walk what requests create.
"""

from __future__ import annotations

import logging
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
