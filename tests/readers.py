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


def unturned(data: bytes) -> bytes:
    """The PDF with every page shown as laid out: landscape pages of a portrait document carry /Rotate 270,
    and pdfplumber would read their lines sideways, character by character."""
    import pypdfium2
    document = pypdfium2.PdfDocument(data)
    try:
        turned = [page for page in document if page.get_rotation()]
        if not turned:
            return data
        for page in turned:
            page.set_rotation(0)
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()
    finally:
        document.close()


def open_pdf(data: bytes) -> pdfplumber.PDF:
    """pdfplumber on the PDF as laid out (see ``unturned``)."""
    return pdfplumber.open(io.BytesIO(unturned(data)))


def visible(text: str) -> str:
    """What a reader sees: without the word joiners the DOCX keeps 文号 and dates together with."""
    return text.replace("\u2060", "")


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
                    out.append(visible(block.text))
            elif isinstance(block, Table):
                for row in block.rows:
                    seen = set()
                    for cell in row.cells:
                        if id(cell._tc) not in seen:
                            seen.add(id(cell._tc))
                            walk(cell)

    walk(document)
    return out


def docx_text_blocks(data: bytes) -> list[str]:
    """Every non-empty paragraph and every table row (cells joined), in document order."""
    document = Document(io.BytesIO(data))
    blocks: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            if block.text.strip():
                blocks.append(visible(block.text))
        else:
            blocks.extend(visible("".join(cell.text for cell in row.cells)) for row in block.rows)
    return [b for b in blocks if b.strip()]


def docx_content(data: bytes) -> tuple[list[str], list[list[str]]]:
    """Paragraphs outside data tables, and the rows of data tables (more than one column)."""
    document = Document(io.BytesIO(data))
    paragraphs: list[str] = []
    rows: list[list[str]] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            if block.text.strip():
                paragraphs.append(visible(block.text))
        elif len(block.columns) > 1:
            rows.extend([squash(visible(cell.text)) for cell in row.cells] for row in block.rows)
        else:
            paragraphs.extend(visible(p.text) for row in block.rows for cell in row.cells for p in cell.paragraphs if p.text.strip())
    return paragraphs, rows


def pdf_content(data: bytes, bottom_margin_mm: float = 35) -> tuple[str, list[list[str]]]:
    """Text outside ruled tables (page numbers left out), and the rows of those tables."""
    texts, rows, _ = _pdf_parts(data, bottom_margin_mm)
    return "\n".join(texts), rows


def _pdf_parts(data: bytes, bottom_margin_mm: float = 35) -> tuple[list[str], list[list[str]], list[str]]:
    """Per page: outside text; all table rows; and per page, outside text followed by its cells."""
    texts: list[str] = []
    rows: list[list[str]] = []
    pages: list[str] = []
    with open_pdf(data) as pdf:
        for page in pdf.pages:
            # The diagonal 样稿 preview watermark is drawn in glyphs far larger than any text: leave them out.
            page = page.filter(lambda obj: not (obj.get("object_type") == "char" and obj.get("size", 0) > 100))
            margin = bottom_margin_mm if page.height > page.width else 26
            body = page.crop((0, 0, page.width, page.height - margin * MM + 2))
            # Ruled tables with columns are data tables; a one-column "table" is the ruled 版记.
            tables = [t for t in body.find_tables() if len(t.columns) > 1]
            page_rows = [[squash(cell or "") for cell in row] for table in tables for row in table.extract()]
            rows.extend(page_rows)
            boxes = [t.bbox for t in tables]
            outside = body.filter(lambda obj: not any(_inside(obj, box) for box in boxes))
            texts.append(outside.extract_text() or "")
            pages.append(squash(texts[-1]) + "".join(cell for row in page_rows for cell in row))
    return texts, rows, pages


def _inside(obj: dict, box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    return obj.get("x0", -1) >= x0 - 1 and obj.get("x1", 1e9) <= x1 + 1 and obj.get("top", -1) >= top - 1 \
        and obj.get("bottom", 1e9) <= bottom + 1


def pdf_all_text(data: bytes) -> str:
    """All text of the PDF body page by page, table cells kept whole (whitespace removed)."""
    return "".join(_pdf_parts(data)[2])


def is_subsequence(needle: str, haystack: str) -> bool:
    """Whether the characters of ``needle`` occur in ``haystack`` in order (gaps allowed)."""
    chars = iter(haystack)
    return all(char in chars for char in needle)


def without_repeated_headers(rows: list[list[str]]) -> list[list[str]]:
    """Table rows with the header rows that repeat on later pages removed."""
    return rows[:1] + [row for row in rows[1:] if row != rows[0]] if rows else rows


def assert_same_content(docx: bytes, pdf: bytes) -> None:
    """The DOCX and the PDF say the same thing: paragraphs in order, table rows equal."""
    paragraphs, docx_rows = docx_content(docx)
    text, pdf_rows = pdf_content(pdf)
    assert_in_order(paragraphs, text)
    assert without_repeated_headers(pdf_rows) == docx_rows


def pdf_pages(data: bytes) -> list[pdfplumber.page.Page]:
    return list(open_pdf(data).pages)


def pdf_body_text(data: bytes, bottom_margin_mm: float = 35) -> str:
    """Text of every page inside the text block: page numbers below it are left out."""
    texts = []
    with open_pdf(data) as pdf:
        for page in pdf.pages:
            limit = page.height - bottom_margin_mm * MM + 2
            body = page.crop((0, 0, page.width, limit))
            texts.append(body.extract_text() or "")
    return "\n".join(texts)


def pdf_full_text(data: bytes) -> str:
    with open_pdf(data) as pdf:
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
