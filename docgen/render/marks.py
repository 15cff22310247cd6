"""Optional marks on a rendered document: the 样稿 preview watermark and the verification block."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import segno
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm
from markupsafe import escape as html_escape
from PIL import Image

from docgen.render.jinja_env import png_data_uri

WATERMARK_TEXT = "样稿"
QR_MM = 20
QR_PX = 236  # 20 mm at 300 dpi: sharp in print, small in the file
QR_DPI = 300
FANGSONG_DOCX = "仿宋_GB2312"


@dataclass(frozen=True)
class Verification:
    """An issued document's verification code and the public URL of its verification page."""

    code: str
    url: str

    def lines(self) -> tuple[str, str]:
        """The two text lines printed under the QR code (identical in DOCX and PDF)."""
        return f"核验码：{self.code}", f"扫码或访问 {self.url} 核验真伪"


@dataclass(frozen=True)
class Marks:
    """What to add to a document: the preview watermark, the verification block, or both."""

    preview: bool = False
    verification: Verification | None = None

    @property
    def active(self) -> bool:
        """Whether any mark is requested (if not, the renderers skip this module entirely)."""
        return self.preview or self.verification is not None


def qr_png(text: str, size_px: int = QR_PX) -> bytes:
    """A QR code of ``text`` as a square PNG of exactly ``size_px`` pixels."""
    qr = segno.make(text, error="m", micro=False)
    modules = qr.symbol_size(scale=1, border=4)[0]
    scale = size_px // modules
    if scale < 1:
        raise ValueError(f"{size_px} px is too small for a {modules}-module QR code")
    raw = io.BytesIO()
    qr.save(raw, kind="png", scale=scale, border=4)
    raw.seek(0)
    # Whole-pixel modules keep the code crisp; the remainder becomes extra quiet zone.
    symbol = Image.open(raw).convert("L")
    canvas = Image.new("L", (size_px, size_px), 255)
    offset = (size_px - symbol.width) // 2
    canvas.paste(symbol, (offset, offset))
    out = io.BytesIO()
    canvas.save(out, format="PNG", dpi=(QR_DPI, QR_DPI), optimize=True)
    return out.getvalue()


# ---------------------------------------------------------------- HTML / PDF

# Injected with the marks, so documents without marks keep the shared stylesheet untouched.
# The watermark is position: fixed, which WeasyPrint repeats on every page; being out of flow
# and only transformed (not resized), it cannot move a single line of the document.
_HTML_CSS = """<style>
.docgen-preview { position: fixed; top: 50%; left: 0; right: 0; height: 150pt; margin-top: -75pt;
  z-index: -1; font: 150pt/150pt "黑体", DocgenHei, DocgenRareA, DocgenRareB; letter-spacing: 0.2em;
  text-indent: 0.2em; text-align: center; color: #c8c8c8; opacity: 0.5; transform: rotate(-30deg); }
.docgen-verify { margin-top: var(--pitch); break-inside: avoid; text-align: left; letter-spacing: 0;
  font: 10.5pt/14pt "仿宋_GB2312", "仿宋", DocgenFangSong, DocgenRareA, DocgenRareB; }
.docgen-verify img { display: block; width: 20mm; height: 20mm; }
.docgen-verify p { text-indent: 0; overflow-wrap: anywhere; }
.docgen-verify .imprint { footnote-policy: block; }
</style>"""
_IMPRINT = '<div class="imprint">'


def _verify_html(verification: Verification) -> tuple[str, str]:
    """The block's opening (QR and text lines) and its closing tag."""
    lines = "".join(f"<p>{html_escape(line)}</p>" for line in verification.lines())
    src = png_data_uri(qr_png(verification.url))
    return f'<div class="docgen-verify"><img alt="核验二维码" src="{src}">{lines}', "</div>\n"


def _insert_verification(html: str, end: int, verification: Verification) -> str:
    """Put the block at the end of the body, wrapped around the 版记 if there is one.

    The 版记 is a footnote float; inside the unbreakable block (footnote-policy: block) it
    takes the block to the next page when it does not fit, so both stay on the last page.
    """
    opening, closing = _verify_html(verification)
    start = html.rfind(_IMPRINT, 0, end)
    close = html.find("</div>", start) if start >= 0 else -1  # the 版记 has no nested div
    if close < 0:
        return html[:end] + opening + closing + html[end:]
    close += len("</div>")
    return html[:start] + opening + html[start:close] + closing + html[close:]


def mark_html(html: str, marks: Marks | None) -> str:
    """The document's HTML with the requested marks injected (unchanged when there are none)."""
    if marks is None or not marks.active:
        return html
    if marks.verification is not None:
        html = _insert_verification(html, _body_end(html), marks.verification)
    end = _body_end(html)
    tail = _HTML_CSS + (f'<div class="docgen-preview">{WATERMARK_TEXT}</div>' if marks.preview else "")
    return html[:end] + tail + html[end:]


def _body_end(html: str) -> int:
    """Where ``</body>`` starts (or the end, for a fragment)."""
    end = html.rfind("</body>")
    return end if end >= 0 else len(html)


# ---------------------------------------------------------------- DOCX

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


# keepNext on every paragraph: the block stays together and with the 版记 anchored after it.
_BLOCK_P = ('<w:p {ns}><w:pPr><w:keepNext/><w:snapToGrid w:val="0"/>'
            '<w:spacing w:before="{before}" w:after="0" w:line="{line}" w:lineRule="{rule}"/>'
            '<w:ind w:left="0" w:right="0" w:firstLine="0"/><w:jc w:val="left"/></w:pPr>{runs}</w:p>')
_BLOCK_RUN = ('<w:r><w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" w:cs="{font}"/>'
              '<w:spacing w:val="0"/><w:sz w:val="21"/><w:szCs w:val="21"/></w:rPr>'
              '<w:t xml:space="preserve">{text}</w:t></w:r>')


def _verify_paragraphs(document: Any, verification: Verification) -> list[Any]:
    """The QR picture paragraph (one body line above it) and the two 10.5 pt text lines."""
    ns = nsdecls("w")
    picture = parse_xml(_BLOCK_P.format(ns=ns, before=579, line=240, rule="auto", runs="<w:r><w:drawing/></w:r>"))
    inline = document.part.new_pic_inline(io.BytesIO(qr_png(verification.url)), Mm(QR_MM), Mm(QR_MM))
    picture.find(f"{qn('w:r')}/{qn('w:drawing')}").append(inline)
    return [picture] + [
        parse_xml(_BLOCK_P.format(ns=ns, before=0, line=280, rule="exact",
                                  runs=_BLOCK_RUN.format(font=FANGSONG_DOCX, text=xml_escape(text))))
        for text in verification.lines()]


def _is_trailing(element: Any) -> bool:
    """An empty paragraph or a floating table (the 版记) at the end of the body."""
    if element.tag == qn("w:tbl"):
        return element.find(f"{qn('w:tblPr')}/{qn('w:tblpPr')}") is not None
    if element.tag != qn("w:p") or element.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
        return False
    has_text = any(t.text for t in element.iter(qn("w:t")))
    return not has_text and element.find(f".//{qn('w:drawing')}") is None


def add_verification(document: Any, verification: Verification) -> None:
    """Add the verification block after the last content, above the 版记 as in the PDF."""
    body = document.element.body
    children = [child for child in body if child.tag != qn("w:sectPr")]
    anchor = next((child for child in reversed(children) if not _is_trailing(child)), None)
    for paragraph in reversed(_verify_paragraphs(document, verification)):
        if anchor is None:
            body.insert(0, paragraph)
        else:
            anchor.addnext(paragraph)


def mark_docx(document: Any, marks: Marks) -> None:
    """Apply the marks to a rendered python-docx Document in place."""
    if marks.preview:
        add_watermark(document)
    if marks.verification is not None:
        add_verification(document, marks.verification)
