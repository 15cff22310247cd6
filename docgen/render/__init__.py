"""Rendering: context in, bytes out. Never imports Flask; raises only docgen errors.

The PDF engine (WeasyPrint, ~0.4 s to import) loads on first use of ``render_pdf``: a DOCX-only
process never pays for it.
"""

from typing import Any

from docgen.render.docx import render_docx

__all__ = ["render_docx", "render_pdf"]


def __getattr__(name: str) -> Any:
    if name == "render_pdf":
        from docgen.render.pdf import render_pdf
        return render_pdf
    raise AttributeError(name)
