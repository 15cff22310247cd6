"""Read rendered documents back the way a person's software would: python-docx and pdfplumber."""

from __future__ import annotations

import io
import re

import pdfplumber
from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

MM = 72 / 25.4  # points per millimetre
_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """Text without any whitespace, for comparing wrapped with unwrapped text."""
    return _SPACE.sub("", text)


def docx_paragraphs(data: bytes) -> list[str]:
    """Every non-empty paragraph of the body in reading order, table cells included."""
    document = Document(io.BytesIO(data))
    out: list[str] = []

    def walk(container) -> None:
        for block in container.iter_inner_content():
            if isinstance(block, Paragraph):
                if block.text.strip():
                    out.append(block.text)
            elif isinstance(block, Table):
                for row in block.rows:
                    seen = set()
                    for cell in row.cells:
                        if id(cell._tc) not in seen:
                            seen.add(id(cell._tc))
                            walk(cell)

    walk(document)
    return out


def pdf_pages(data: bytes) -> list[pdfplumber.page.Page]:
    return list(pdfplumber.open(io.BytesIO(data)).pages)


def pdf_body_text(data: bytes, bottom_margin_mm: float = 35) -> str:
    """Text of every page inside the text block: page numbers below it are left out."""
    texts = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            limit = page.height - bottom_margin_mm * MM + 2
            body = page.crop((0, 0, page.width, limit))
            texts.append(body.extract_text() or "")
    return "\n".join(texts)


def pdf_full_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def assert_in_order(paragraphs: list[str], text: str) -> None:
    """Each paragraph occurs in ``text`` after the previous one (whitespace ignored)."""
    haystack = squash(text)
    position = 0
    for paragraph in paragraphs:
        needle = squash(paragraph)
        found = haystack.find(needle, position)
        assert found >= 0, f"not found in PDF text after position {position}: {paragraph!r}"
        position = found + len(needle)
