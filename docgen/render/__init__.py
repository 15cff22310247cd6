"""Rendering: context in, bytes out. Never imports Flask; raises only docgen errors.

Each engine loads on first use: a DOCX-only process never imports the PDF engine (WeasyPrint,
~0.3 s), and a PDF-only one never imports python-docx and docxtpl.
"""

from typing import Any

__all__ = ["render_docx", "render_pdf"]


def __getattr__(name: str) -> Any:
    if name == "render_pdf":
        from docgen.render.pdf import render_pdf
        return render_pdf
    if name == "render_docx":
        from docgen.render.docx import render_docx
        return render_docx
    raise AttributeError(name)
