"""The marks of docgen.render.marks in a DOCX: Word's own watermark in every header, the verification
block (QR code and 核验码) in every footer."""

from __future__ import annotations

import io
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm
from markupsafe import Markup, escape

from docgen.render.marks import QR_MM, WATERMARK_TEXT, Verification, qr_png
from docgen.render.ooxml import float_inline

FANGSONG_DOCX = "仿宋_GB2312"

# Word's own text watermark: a VML WordArt shape (type 136) in the header, behind the text.
_SHAPETYPE = (
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800"'
    ' path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas>'
    + "".join(f'<v:f eqn="{e}"/>' for e in (
        "sum #0 0 10800", "prod #0 2 1", "sum 21600 0 @1", "sum 0 0 @2", "sum 21600 0 @3",
        "if @0 @3 0", "if @0 21600 @1", "if @0 0 @2", "if @0 @4 21600", "mid @5 @6", "mid @8 @5",
        "mid @7 @8", "mid @6 @7", "sum @6 0 @5"))
    + '</v:formulas><v:path textpathok="t" o:connecttype="custom"'
    ' o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/>'
    '<v:textpath on="t" fitshape="t"/><v:handles><v:h position="#0,bottomRight" xrange="6629,14971"/>'
    '</v:handles><o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>')
_WATERMARK_RUN = (
    '<w:r {ns}><w:rPr><w:noProof/></w:rPr><w:pict>{shapetype}'
    '<v:shape id="PowerPlusWaterMarkObject{n}" o:spid="_x0000_s{spid}" type="#_x0000_t136"'
    ' style="position:absolute;margin-left:0;margin-top:0;width:400pt;height:200pt;rotation:315;'
    'z-index:-251657216;mso-position-horizontal:center;mso-position-horizontal-relative:page;'
    'mso-position-vertical:center;mso-position-vertical-relative:page"'
    ' o:allowincell="f" fillcolor="silver" stroked="f"><v:fill opacity=".5"/>'
    '<v:textpath style="font-family:&quot;黑体&quot;;font-size:1pt" string="{text}"/>'
    '<w10:wrap anchorx="page" anchory="page"/></v:shape></w:pict></w:r>')
_VML_NS = (nsdecls("w") + ' xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
           ' xmlns:w10="urn:schemas-microsoft-com:office:word"')  # python-docx's nsmap lacks the VML ones


def _headers(section: Any) -> list[Any]:
    """The headers a section shows: default (odd) and even, plus the first page's if it has one."""
    headers = [section.header, section.even_page_header]
    if section.different_first_page_header_footer:
        headers.append(section.first_page_header)
    return headers


def add_watermark(document: Any) -> None:
    """Put the 样稿 watermark into every header of every section (own parts, not linked)."""
    n = 0
    for section in document.sections:
        for header in _headers(section):
            # Unlinking gives the section its own, empty header part: the templates have none to inherit.
            header.is_linked_to_previous = False
            paragraph = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
            n += 1
            paragraph._p.append(parse_xml(_WATERMARK_RUN.format(
                ns=_VML_NS, shapetype=_SHAPETYPE, n=n, spid=2048 + n, text=WATERMARK_TEXT)))


def _footers(section: Any) -> list[tuple[Any, bool]]:
    """A section's footers with whether the page number stands at the right (odd pages)."""
    footers = [(section.footer, True), (section.even_page_footer, False)]
    if section.different_first_page_header_footer:
        footers.append((section.first_page_footer, True))
    return footers


# The footers are templates too (docxtpl renders them after this): the code goes in as a placeholder, so a
# footer's source is the same for every issued document and compiles once (docgen.render.jinja_env).
CODE_KEY = "docgen_verification_line"
CODE_PLACEHOLDER = "{{ %s }}" % CODE_KEY


def verification_context(verification: Verification) -> dict[str, Markup]:
    """What the footers' placeholder prints: the code line, escaped once here (never rewritten by finalize)."""
    return {CODE_KEY: escape(verification.lines()[0])}


def add_verification(document: Any, verification: Verification) -> None:
    """Print the QR code (floating, in the margin) and the code beside the page number, on every page.
    The code itself comes from ``verification_context`` when the footers are rendered."""
    png = qr_png(verification.url)
    marked: set[str] = set()
    for section in document.sections:
        text_width = section.page_width - section.left_margin - section.right_margin
        for footer, number_right in _footers(section):
            if str(footer.part.partname) in marked:  # a footer linked to the previous section's: marked once
                continue
            marked.add(str(footer.part.partname))
            paragraph = footer.paragraphs[0]
            inline = footer.part.new_pic_inline(io.BytesIO(png), Mm(QR_MM), Mm(QR_MM))
            x = 0 if number_right else int(text_width) - int(Mm(QR_MM))
            drawing = parse_xml(f'<w:r {nsdecls("w")}><w:drawing/></w:r>')
            drawing[0].append(float_inline(inline, "margin", x, "paragraph", 0))
            code = parse_xml(_CODE_RUN.format(ns=nsdecls("w"), font=FANGSONG_DOCX, text=CODE_PLACEHOLDER))
            gap = parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve">\u3000\u3000</w:t></w:r>')
            runs = paragraph._p.findall(qn("w:r"))
            if not runs:  # a page without a number (first page of a letter, the 版记 page): the mark alone
                paragraph._p.append(drawing)
                paragraph._p.append(code)
                paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if number_right else WD_ALIGN_PARAGRAPH.RIGHT
                continue
            paragraph._p.insert(paragraph._p.index(runs[0]), drawing)
            if number_right:  # 核验码 then the number, at the right
                runs[0].addprevious(code)
                runs[0].addprevious(gap)
            else:  # the number, then 核验码, at the left
                runs[-1].addnext(code)
                runs[-1].addnext(gap)


_CODE_RUN = ('<w:r {ns}><w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" w:cs="{font}"/>'
             '<w:sz w:val="18"/></w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>')
