"""GB/T 9704 geometry measured from the PDF itself, and the page set-up of the DOCX."""

from __future__ import annotations

import io
import json
from collections import Counter
from dataclasses import dataclass

import pytest
from docx import Document
from docx.oxml.ns import qn

from readers import MM, pdf_pages, squash

from conftest import REGISTRY, rendered

TOL = 1 * MM


@dataclass(frozen=True)
class Frame:
    """Where GB/T 9704 puts things on a portrait page, and on a landscape (table) page."""

    width: float
    height: float
    top: float
    left: float
    right: float
    bottom: float

    @classmethod
    def of(cls, page) -> "Frame":
        if page.width > page.height:
            return cls(297, 210, top=28, left=37, right=35, bottom=26)
        return cls(210, 297, top=37, left=28, right=26, bottom=35)


def _pages(sample):
    _, path = sample
    return pdf_pages(rendered(path).files["pdf"])


def test_every_page_is_a4(sample):
    for page in _pages(sample):
        frame = Frame.of(page)
        assert (page.width, page.height) == (pytest.approx(frame.width * MM, abs=1), pytest.approx(frame.height * MM, abs=1))


def test_text_block_position_and_body_size(sample):
    pages = _pages(sample)
    first = pages[0]
    frame = Frame.of(first)
    chars = first.chars
    if len(pages) > 1 and Frame.of(pages[1]) == frame:  # page 1 starts with the letterhead (test_fidelity)
        # the first line box starts on the block's top; its glyphs sit in the middle of the 28.95 pt line
        offset = min(c["top"] for c in pages[1].chars) - frame.top * MM
        assert -0.5 <= offset <= (28.95 - 16) / 2 + 0.5, "page 2's first line at the top of the block"
    body = [c for c in chars if round(c["size"], 1) == 16.0]
    size, _ = Counter(round(c["size"], 1) for c in chars if c["text"].strip()).most_common(1)[0]
    assert size == 16.0 or Frame.of(first).width > 210, "body glyphs are 3号 (16 pt)"
    assert min(c["x0"] for c in body) == pytest.approx(frame.left * MM, abs=TOL), "body's left edge"
    for page in _pages(sample):
        right = (Frame.of(page).width - Frame.of(page).right) * MM
        assert max(c["x1"] for c in page.chars) <= right + TOL, "nothing crosses the right margin"


def _footer(page):
    chars = [c for c in page.chars if c["top"] > page.height - Frame.of(page).bottom * MM]
    return squash("".join(c["text"] for c in chars)), chars


def test_page_numbers_alternate_sides(sample):
    """Every page numbered at its foot, but a 信函格式 first page and a 版记 page of its own (with the blank
    page before it); turned landscape pages are measured in test_fidelity."""
    _, path = sample
    data = json.loads(path.read_text("utf-8"))
    slug = sample[0]
    letter = data.get("letterhead", REGISTRY[slug].letterhead) == "letter"
    pages = _pages(sample)
    portrait = pages[0].height > pages[0].width
    imprint_alone = not any(abs(c["size"] - 16) < 0.3 for c in pages[-1].chars)  # 版记 in 4号, no body
    for number, page in enumerate(pages, 1):
        frame = Frame.of(page)
        if portrait and page.width > page.height:
            continue
        text, chars = _footer(page)
        if number == 1 and letter or not text and number >= len(pages) - 1 and imprint_alone:
            assert "—" not in text, f"page {number} carries no number"
            continue
        assert text == f"—{number}—"
        top = (frame.height - frame.bottom + 7) * MM
        assert min(c["top"] for c in chars) == pytest.approx(top, abs=1.5 * MM), "7 mm under the block"
        if number % 2:
            right = (frame.width - frame.right) * MM - 14
            assert max(c["x1"] for c in chars) == pytest.approx(right, abs=TOL), "odd: right, 1 char in"
        else:
            assert min(c["x0"] for c in chars) == pytest.approx(frame.left * MM + 14, abs=TOL), "even: left, 1 char in"


def test_long_sample_has_an_even_page(doctype):
    pages = max((pdf_pages(rendered(p).files["pdf"]) for p in doctype.samples), key=len)
    assert len(pages) >= 2 and _footer(pages[1])[0] == "—2—"


def test_docx_page_setup(doctype):
    document = Document(io.BytesIO(rendered(doctype.samples[0]).files["docx"]))
    for section in document.sections:
        landscape = section.page_width > section.page_height
        frame = Frame(297, 210, 28, 37, 35, 26) if landscape else Frame(210, 297, 37, 28, 26, 35)
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (frame.width, frame.height)
        margins = (section.top_margin, section.left_margin, section.bottom_margin, section.right_margin)
        assert [round(m.mm) for m in margins] == [frame.top, frame.left, frame.bottom, frame.right]
    section = document.sections[0]
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
    assert 'E60012' in xml.split("发文机关标志")[-1] or xml.count("E60012") >= 1, "red rules"
    assert '<a:srgbClr val="E60012"/>' in xml or 'w:color="E60012"' in xml, "red rule under the 文号"
