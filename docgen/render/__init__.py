"""Rendering: context in, bytes out. Never imports Flask; raises only docgen errors."""

from docgen.render.docx import render_docx
from docgen.render.pdf import render_pdf

__all__ = ["render_docx", "render_pdf"]
