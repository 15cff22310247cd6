"""GB/T 9704 geometry measured from the PDF itself, and the page set-up of the DOCX."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from docx import Document
from docx.oxml.ns import qn

from readers import MM, pdf_pages, squash

from conftest import rendered

PAGE_W, PAGE_H = 210 * MM, 297 * MM
TOL = 1 * MM


def _portrait_samples(sample):
    _, path = sample
    pages = pdf_pages(rendered(path).files["pdf"])
    if pages[0].width > pages[0].height:
        pytest.skip("landscape document: measured by its own test")
    return pages


def test_a4_pages(sample):
    for page in _portrait_samples(sample):
        assert page.width == pytest.approx(PAGE_W, abs=1) and page.height == pytest.approx(PAGE_H, abs=1)


def test_text_block_position_and_body_size(sample):
    first = _portrait_samples(sample)[0]
    chars = first.chars
    assert min(c["top"] for c in chars) == pytest.approx(37 * MM, abs=TOL), "first line 37 mm from the top"
    body = [c for c in chars if round(c["size"], 1) == 16.0]
    size, count = Counter(round(c["size"], 1) for c in chars).most_common(1)[0]
    assert size == 16.0, "body glyphs are 3号 (16 pt)"
    assert min(c["x0"] for c in body) == pytest.approx(28 * MM, abs=TOL), "body's left edge 28 mm"
    assert max(c["x1"] for c in body) <= (210 - 26) * MM + TOL, "nothing crosses the right margin"


def _footer(page):
    chars = [c for c in page.chars if c["top"] > page.height - 35 * MM]
    return squash("".join(c["text"] for c in chars)), chars


def test_page_numbers_alternate_sides(sample):
    pages = _portrait_samples(sample)
    for number, page in enumerate(pages, 1):
        text, chars = _footer(page)
        assert text == f"—{number}—"
        assert min(c["top"] for c in chars) == pytest.approx((297 - 35 + 7) * MM, abs=1.5 * MM), "7 mm under the block"
        if number % 2:
            assert max(c["x1"] for c in chars) == pytest.approx((210 - 26) * MM - 14, abs=TOL), "odd: right, 1 char in"
        else:
            assert min(c["x0"] for c in chars) == pytest.approx(28 * MM + 14, abs=TOL), "even: left, 1 char in"


def test_long_sample_has_an_even_page(doctype):
    pages = max((pdf_pages(rendered(p).files["pdf"]) for p in doctype.samples), key=len)
    assert len(pages) >= 2 and _footer(pages[1])[0] == "—2—"


def test_docx_page_setup(doctype):
    document = Document(io.BytesIO(rendered(doctype.samples[0]).files["docx"]))
    section = document.sections[0]
    if section.page_width > section.page_height:
        pytest.skip("landscape document")
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert [round(m.mm) for m in (section.top_margin, section.left_margin, section.bottom_margin, section.right_margin)] == [37, 28, 35, 26]
    assert document.settings.odd_and_even_pages_header_footer
    assert "PAGE" in section.footer._element.xml and "PAGE" in section.even_page_footer._element.xml
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"


@pytest.mark.parametrize("style, face", [("Normal", "仿宋_GB2312"), ("公文标题", "方正小标宋简体"),
                                         ("发文机关标志", "方正小标宋简体"), ("一级标题", "黑体"), ("二级标题", "楷体_GB2312")])
def test_docx_official_font_names(doctype, style, face):
    document = Document(io.BytesIO(rendered(doctype.samples[0]).files["docx"]))
    fonts = document.styles[style].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == face
    assert not [a for a in fonts.attrib if a.endswith("Theme")], "theme fonts would override the official face"


def test_docx_body_is_16pt_on_exact_pitch(doctype):
    document = Document(io.BytesIO(rendered(doctype.samples[0]).files["docx"]))
    normal = document.styles["Normal"]
    assert normal.font.size.pt == 16
    assert normal.paragraph_format.line_spacing.pt == pytest.approx(28.95)


def test_red_issuer_mark_and_rule(doctype):
    document = Document(io.BytesIO(rendered(doctype.samples[0]).files["docx"]))
    assert str(document.styles["发文机关标志"].font.color.rgb) == "E60012"
    xml = document.element.xml
    assert 'w:color="E60012"' in xml, "red rule under the 文号"
