"""Loaded once by the batch pool's fork server, before it forks the rendering processes.

What every unit needs and never changes — the rendering modules, jieba's dictionary
(53 MB of Python objects, for breaking titles), the fonts and stylesheets a first render
loads — is loaded here and frozen out of the collector's sight, so the processes forked
from the server share those pages instead of each building its own copy, and none of
them starts cold.
"""

from __future__ import annotations

import gc
import logging

import docgen.batch.unit_work  # noqa: F401  (what the pool's tasks run)
from docgen.config import Settings
from docgen.generate import generate

try:  # an empty month with a long title: fonts, stylesheets, templates and jieba, loaded
    generate("disclosure", {"issuer": {"name": "昌吉市城市管理综合行政执法局"}, "issue_date": "2025-07-01",
                            "period": {"year": 2025, "month": 6}, "cases": []}, settings=Settings.from_env())
except Exception:  # a server that cannot warm up still forks workers; they load what they need themselves
    logging.getLogger(__name__).warning("the batch pool could not warm up", exc_info=True)
gc.collect()
gc.freeze()
