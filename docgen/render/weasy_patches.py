"""The one version gate for docgen's patches to WeasyPrint's private code (justification, layout reuse,
font subset cache): a patch is applied only on the WeasyPrint versions it was checked on; on any other
version WeasyPrint's own behaviour stays and a warning says what is lost."""

from __future__ import annotations

import logging

import weasyprint

LOG = logging.getLogger(__name__)


def checked(versions: tuple[str, ...], patch: str, without: str) -> bool:
    """Whether the running WeasyPrint is one of ``versions`` (prefixes); if not, warn that ``patch`` is off."""
    if weasyprint.__version__.startswith(versions):
        return True
    LOG.warning("WeasyPrint %s is not a version docgen's %s was checked on (%s): %s",
                weasyprint.__version__, patch, ", ".join(versions), without)
    return False
