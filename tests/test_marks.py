"""Marks: the 样稿 preview watermark and the verification block (QR + code), in DOCX and PDF."""

from __future__ import annotations

import functools
import io
import math
import zipfile

import pdfplumber
import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
import segno
from PIL import Image, ImageOps

import docgen.render.docx as docx_render
from docgen.doctypes.registry import load_registry
from docgen.generate import Generated, generate, prepare
from docgen.render import render_docx
from docgen.render.marks import QR_MM, QR_PX, Marks, Verification, mark_html, qr_png

from readers import MM, assert_same_content, docx_paragraphs, squash

from conftest import rendered

REGISTRY = load_registry()
SLUGS = list(REGISTRY)
CODE = "ABCD2345EF"
URL = f"http://127.0.0.1:8000/verify/{CODE}"
VERIFICATION = Verification(CODE, URL)
PREVIEW = Marks(preview=True)
VERIFY = Marks(verification=VERIFICATION)
VML = "urn:schemas-microsoft-com:vml"
WATERMARK_MIN_PT = 100  # body text is at most 36 pt (the issuer mark); the watermark is far larger


@functools.cache
def marked(slug: str, marks: Marks, index: int = 0) -> Generated:
    """A sample rendered once per session with the given marks."""
    return generate(slug, REGISTRY[slug].load_sample(index), marks=marks)


def plain(slug: str) -> Generated:
    return rendered(REGISTRY[slug].samples[0])


def _is_watermark(obj: dict) -> bool:
    return obj.get("object_type") == "char" and obj.get("size", 0) > WATERMARK_MIN_PT


def _page_texts(pdf: bytes, drop_watermark: bool = False) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        pages = [p.filter(lambda o: not _is_watermark(o)) if drop_watermark else p for p in doc.pages]
        return [page.extract_text() or "" for page in pages]


# ---------------------------------------------------------------- preview watermark


@pytest.mark.parametrize("slug", SLUGS)
def test_preview_pdf_keeps_the_layout(slug):
    """Same pages, and with the two watermark glyphs left out, the same text line for line."""
    assert _page_texts(marked(slug, PREVIEW).files["pdf"], drop_watermark=True) == _page_texts(plain(slug).files["pdf"])


@pytest.mark.parametrize("slug", SLUGS)
def test_preview_pdf_marks_every_page(slug):
    with pdfplumber.open(io.BytesIO(marked(slug, PREVIEW).files["pdf"])) as doc:
        for page in doc.pages:
            # The glyphs sit on a -30° line, so a reader sorting by position puts 样 and 稿 on
            # different lines; in content order (use_text_flow) the watermark reads as one word.
            assert "样稿" in squash(page.extract_text(use_text_flow=True) or ""), f"page {page.page_number}"
            glyphs = [c for c in page.chars if _is_watermark(c)]
            assert [c["text"] for c in glyphs] == ["样", "稿"]
            a, b = glyphs[0]["matrix"][:2]
            assert math.degrees(math.atan2(b, a)) == pytest.approx(30, abs=0.5)  # rising left to right
            middle_x = (glyphs[0]["matrix"][4] + glyphs[1]["matrix"][4]) / 2
            assert abs(middle_x - page.width / 2) < 40 * MM


@pytest.mark.parametrize("slug", SLUGS)
def test_preview_docx_has_the_watermark_in_every_header(slug):
    document = Document(io.BytesIO(marked(slug, PREVIEW).files["docx"]))
    for section in document.sections:
        for header in (section.header, section.even_page_header):
            assert not header.is_linked_to_previous
            paths = header._element.findall(f".//{{{VML}}}shape/{{{VML}}}textpath")  # not the shapetype's
            assert [p.get("string") for p in paths] == ["样稿"]
            shape = paths[0].getparent()
            assert shape.get("type") == "#_x0000_t136" and shape.get("fillcolor") == "silver"
            assert "rotation:315" in shape.get("style") and "z-index:-" in shape.get("style")


@pytest.mark.parametrize("slug", SLUGS)
def test_preview_docx_body_is_untouched(slug):
    assert docx_paragraphs(marked(slug, PREVIEW).files["docx"]) == docx_paragraphs(plain(slug).files["docx"])


# ---------------------------------------------------------------- verification block


@pytest.mark.parametrize("slug", SLUGS)
def test_verification_on_the_last_pdf_page(slug):
    pdf = marked(slug, VERIFY).files["pdf"]
    last = squash(_page_texts(pdf)[-1])
    assert squash(f"核验码：{CODE}") in last and URL in last
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        widths = [image["width"] for image in doc.pages[-1].images]
    assert any(w == pytest.approx(QR_MM * MM, abs=0.5) for w in widths), widths


@pytest.mark.parametrize("slug", SLUGS)
def test_verification_ends_the_docx_body(slug):
    document = Document(io.BytesIO(marked(slug, VERIFY).files["docx"]))
    paragraphs = [p for p in document.paragraphs if p.text.strip() or p._p.findall(f".//{qn('w:drawing')}")]
    picture, *lines = paragraphs[-3:]
    assert [p.text for p in lines] == [f"核验码：{CODE}", f"扫码或访问 {URL} 核验真伪"]
    extent = picture._p.find(f".//{qn('wp:extent')}")
    assert int(extent.get("cx")) == int(extent.get("cy")) == Mm(QR_MM)
    for paragraph in paragraphs[-3:]:
        assert paragraph.paragraph_format.first_line_indent == 0
        assert paragraph.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.LEFT
    for run in (r for p in lines for r in p.runs):
        assert run.font.size == Pt(10.5) and run.font.name == "仿宋_GB2312"
        assert run._r.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"


@pytest.mark.parametrize("slug", SLUGS)
def test_verification_says_the_same_in_both_formats(slug):
    result = marked(slug, VERIFY)
    assert_same_content(result.files["docx"], result.files["pdf"])


def test_verification_keeps_the_imprint_on_the_last_page():
    """The long decision fills its last page: block and 版记 move to a new page together."""
    result = marked("decision", VERIFY, 1)
    last = squash(_page_texts(result.files["pdf"])[-1])
    assert CODE in last and "印发" in last
    assert_same_content(result.files["docx"], result.files["pdf"])


def test_both_marks_together():
    result = marked("opinion", Marks(preview=True, verification=VERIFICATION))
    texts = _page_texts(result.files["pdf"], drop_watermark=True)
    assert texts[:-1] == _page_texts(marked("opinion", VERIFY).files["pdf"])[:-1]
    assert CODE in squash(texts[-1])
    assert b"PowerPlusWaterMarkObject" in _docx_parts(result.files["docx"])["word/header1.xml"]


@pytest.mark.parametrize("size", [120, QR_PX, 400])
def test_qr_png_is_the_size_asked(size):
    image = Image.open(io.BytesIO(qr_png(URL, size)))
    assert image.format == "PNG" and image.size == (size, size)
    assert image.getpixel((0, 0)) == 255 and image.getextrema() == (0, 255)  # white quiet zone, black modules


def test_qr_png_holds_the_symbol_of_the_url():
    """Read the modules back off the bitmap: they are segno's symbol for the URL, whole-pixel sized."""
    image = Image.open(io.BytesIO(qr_png(URL))).convert("L")
    left, top, right, bottom = ImageOps.invert(image).getbbox()  # the dark modules' extent
    matrix = segno.make(URL, error="m", micro=False).matrix
    step = (right - left) / len(matrix)
    assert step == int(step) and (bottom - top) / len(matrix) == step
    read = [[image.getpixel((int(left + (x + 0.5) * step), int(top + (y + 0.5) * step))) < 128
             for x in range(len(matrix))] for y in range(len(matrix))]
    assert read == [[bool(module) for module in row] for row in matrix]


def test_qr_png_refuses_a_size_too_small():
    with pytest.raises(ValueError):
        qr_png(URL, 20)


def test_markup_in_code_and_url_is_escaped():
    tricky = Verification("A<B&C", "http://127.0.0.1:8000/verify/x?a=1&b=<2>")
    html = mark_html('<body><p>x</p><div class="imprint"><p>版记</p></div></body>', Marks(verification=tricky))
    assert "核验码：A&lt;B&amp;C" in html and "a=1&amp;b=&lt;2&gt;" in html
    assert html.index("核验码") < html.index("版记") < html.index("</body>")
    doctype, context = prepare("opinion", REGISTRY["opinion"].load_sample())
    paragraphs = docx_paragraphs(render_docx(doctype.docx_template, context, Marks(verification=tricky)))
    assert paragraphs[-2:] == [f"核验码：{tricky.code}", f"扫码或访问 {tricky.url} 核验真伪"]


# ---------------------------------------------------------------- no marks, no cost


def _docx_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize("slug", SLUGS)
def test_without_marks_the_docx_is_unchanged(slug, monkeypatch):
    doctype, context = prepare(slug, REGISTRY[slug].load_sample())
    before = render_docx(doctype.docx_template, context)

    def refuse(*args, **kwargs):
        raise AssertionError("marks code ran although no mark was asked for")

    monkeypatch.setattr(docx_render, "mark_docx", refuse)
    for marks in (None, Marks()):
        after = render_docx(doctype.docx_template, context, marks)
        # Zip entries carry the time of writing (2 s steps), so compare every part's bytes.
        assert _docx_parts(after) == _docx_parts(before)
    assert _docx_parts(generate(slug, REGISTRY[slug].load_sample(), formats=["docx"]).files["docx"]) \
        == _docx_parts(before)


def test_without_marks_the_html_is_unchanged():
    html = "<html><body><p>正文</p></body></html>"
    assert mark_html(html, None) is html and mark_html(html, Marks()) is html
