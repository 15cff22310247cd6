"""Marks: the 样稿 preview watermark and the verification mark (QR + code on every page), in DOCX and PDF."""

from __future__ import annotations

import functools
import io
import math
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm
import segno
from PIL import Image, ImageOps

import docgen.render.docx as docx_render
from docgen.doctypes.registry import load_registry
from docgen.generate import Generated, generate, prepare
from docgen.render import render_docx
from docgen.render.marks import QR_MM, QR_PX, Marks, Verification, mark_html, qr_png

from readers import MM, assert_same_content, docx_paragraphs, squash, open_pdf

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
    with open_pdf(pdf) as doc:
        pages = [p.filter(lambda o: not _is_watermark(o)) if drop_watermark else p for p in doc.pages]
        return [page.extract_text() or "" for page in pages]


# ---------------------------------------------------------------- preview watermark


@pytest.mark.parametrize("slug", SLUGS)
def test_preview_pdf_keeps_the_layout(slug):
    """Same pages, and with the two watermark glyphs left out, the same text line for line."""
    assert _page_texts(marked(slug, PREVIEW).files["pdf"], drop_watermark=True) == _page_texts(plain(slug).files["pdf"])


@pytest.mark.parametrize("slug", SLUGS)
def test_preview_pdf_marks_every_page(slug):
    with open_pdf(marked(slug, PREVIEW).files["pdf"]) as doc:
        for page in doc.pages:
            # The glyphs sit on a -30° line, so a reader sorting by position puts 样 and 稿 on
            # different lines; in content order (use_text_flow) the watermark reads as one word.
            assert "样稿" in squash(page.extract_text(use_text_flow=True) or ""), f"page {page.page_number}"
            glyphs = [c for c in page.chars if _is_watermark(c)]
            assert [c["text"] for c in glyphs] == ["样", "稿"]
            a, b = glyphs[0]["matrix"][:2]
            assert math.degrees(math.atan2(b, a)) == pytest.approx(30, abs=0.5)  # rising left to right as laid out
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


# ---------------------------------------------------------------- verification mark (every page)


def _footer_chars(page) -> str:  # type: ignore[no-untyped-def]
    bottom = (26 if page.width > page.height else 35) * MM
    return squash("".join(c["text"] for c in page.chars if c["top"] > page.height - bottom))


@pytest.mark.parametrize("slug", SLUGS)
def test_verification_on_every_pdf_page_opposite_the_number(slug):
    """Every page, numbered or not (a letter's first page, the 版记 page), carries the QR and the code;
    on numbered pages the QR stands opposite the number."""
    pdf = marked(slug, VERIFY, len(REGISTRY[slug].samples) - 1).files["pdf"]
    with open_pdf(pdf) as doc:
        for number, page in enumerate(doc.pages, 1):
            assert squash(f"核验码：{CODE}") in _footer_chars(page), f"page {number}"
            [image] = [i for i in page.images if i["top"] > page.height / 2]
            assert image["width"] == pytest.approx(QR_MM * MM, abs=0.5)
            numbers = [c for c in page.chars if c["text"] == "—" and c["top"] > image["top"] - 5]
            qr_left = image["x0"] < page.width / 2
            assert qr_left == (number % 2 == 1), "the QR stands opposite the page number"
            assert all((c["x0"] > page.width / 2) == qr_left for c in numbers)


@pytest.mark.parametrize("slug", SLUGS)
def test_verification_costs_no_line(slug):
    """The mark lives in the bottom margin: the text block is exactly the unmarked one."""
    def body(pdf: bytes) -> list[str]:
        with open_pdf(pdf) as doc:
            return [squash(p.crop((0, 0, p.width, p.height - (26 if p.width > p.height else 35) * MM)).extract_text() or "")
                    for p in doc.pages]
    assert body(marked(slug, VERIFY).files["pdf"]) == body(plain(slug).files["pdf"])


@pytest.mark.parametrize("slug", SLUGS)
def test_verification_in_every_docx_footer(slug):
    document = Document(io.BytesIO(marked(slug, VERIFY).files["docx"]))
    for index, section in enumerate(document.sections):
        numbered = any("PAGE" in f._element.xml for f in (section.footer, section.even_page_footer))
        footers = [section.footer, section.even_page_footer]
        if section.different_first_page_header_footer:
            footers.append(section.first_page_footer)
            letter = REGISTRY[slug].letterhead == "letter"  # a letter's first page has no number (GB/T 9704 10.1)
            assert ("PAGE" in section.first_page_footer._element.xml) != letter
        for footer in footers:
            xml = footer._element.xml
            # once: a footer linked to the previous section's is that section's footer, not a second mark
            assert xml.count(f"核验码：{CODE}") == 1 and xml.count("<wp:anchor") == 1
            extent = footer._element.find(f".//{qn('wp:extent')}")
            assert int(extent.get("cx")) == int(extent.get("cy")) == Mm(QR_MM)
        assert numbered or index == len(document.sections) - 1, "only the 版记 page goes without a number"
    assert_same_content(marked(slug, VERIFY).files["docx"], marked(slug, VERIFY).files["pdf"])


def test_both_marks_together():
    result = marked("opinion", Marks(preview=True, verification=VERIFICATION))
    texts = _page_texts(result.files["pdf"], drop_watermark=True)
    assert texts == _page_texts(marked("opinion", VERIFY).files["pdf"])
    assert b"PowerPlusWaterMarkObject" in _docx_parts(result.files["docx"])["word/header1.xml"]
    assert f"核验码：{CODE}".encode() in _docx_parts(result.files["docx"])["word/footer1.xml"]


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


def test_markup_in_code_is_escaped():
    tricky = Verification('A<B&C"\\', "http://127.0.0.1:8000/verify/x?a=1&b=<2>")
    html = mark_html("<body><p>x</p></body>", Marks(verification=tricky))
    assert "A<B" not in html and '"\\' not in html.split("核验码")[1][:20]
    doctype, context = prepare("opinion", REGISTRY["opinion"].load_sample())
    document = Document(io.BytesIO(render_docx(doctype.docx_template, context, Marks(verification=tricky))))
    assert "核验码：A&lt;B&amp;C" in document.sections[0].footer._element.xml


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

    monkeypatch.setattr(docx_render, "add_verification", refuse)
    monkeypatch.setattr(docx_render, "add_watermark", refuse)
    for marks in (None, Marks()):
        after = render_docx(doctype.docx_template, context, marks)
        # Zip entries carry the time of writing (2 s steps), so compare every part's bytes.
        assert _docx_parts(after) == _docx_parts(before)
    # generate() places the 版记 from a layout of the PDF: compare it with itself, marks asked for or not.
    alone = generate(slug, REGISTRY[slug].load_sample(), formats=["docx"]).files["docx"]
    assert _docx_parts(generate(slug, REGISTRY[slug].load_sample(), formats=["docx"], marks=Marks()).files["docx"]) \
        == _docx_parts(alone)


def test_without_marks_the_html_is_unchanged():
    html = "<html><body><p>正文</p></body></html>"
    assert mark_html(html, None) is html and mark_html(html, Marks()) is html
