"""Optional marks on a rendered document: the 样稿 preview watermark and the verification block.

What they are, and how they go into the HTML (PDF); docgen.render.docx_marks puts them into a DOCX.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

from docgen.render.jinja_env import png_data_uri

WATERMARK_TEXT = "样稿"
QR_MM = 15
QR_PX = 177  # 15 mm at 300 dpi: sharp in print, small in the file
QR_DPI = 300
QR_BORDER = 4  # modules of quiet zone, as ISO/IEC 18004 asks


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


@functools.lru_cache(maxsize=64)
def qr_png(text: str, size_px: int = QR_PX) -> bytes:
    """A QR code of ``text`` as a square PNG of exactly ``size_px`` pixels (made once for the PDF and the DOCX).

    Whole-pixel modules keep the code crisp; the remainder becomes extra quiet zone (4 modules at least)."""
    import segno  # only issued documents carry one
    from PIL import Image

    qr = segno.make(text, error="m", micro=False)
    side = len(qr.matrix)
    scale = size_px // (side + 2 * QR_BORDER)
    if scale < 1:
        raise ValueError(f"{size_px} px is too small for a {side + 2 * QR_BORDER}-module QR code")
    modules = Image.frombytes("L", (side, side), bytes(0 if dark else 255 for row in qr.matrix for dark in row))
    canvas = Image.new("L", (size_px, size_px), 255)
    offset = (size_px - (side + 2 * QR_BORDER) * scale) // 2 + QR_BORDER * scale
    canvas.paste(modules.resize((side * scale, side * scale), Image.NEAREST), (offset, offset))
    out = io.BytesIO()  # one bit per pixel: the same black and white, a fifth of the time to compress
    canvas.convert("1", dither=Image.Dither.NONE).save(out, format="PNG", dpi=(QR_DPI, QR_DPI), optimize=True)
    return out.getvalue()


# ---------------------------------------------------------------- HTML / PDF

# Injected with the marks, so documents without marks keep the shared stylesheet untouched.
# The watermark is position: fixed, which WeasyPrint repeats on every page; being out of flow
# and only transformed (not resized), it cannot move a single line of the document.
_HTML_CSS = """<style>
.docgen-preview { position: fixed; top: 50%; left: 0; right: 0; height: 150pt; margin-top: -75pt;
  z-index: -1; font: 150pt/150pt "黑体", DocgenHei, DocgenRareA, DocgenRareB; letter-spacing: 0.2em;
  text-indent: 0.2em; text-align: center; color: #c8c8c8; opacity: 0.5; transform: rotate(-30deg); }
</style>"""
# The verification mark sits in the bottom margin of EVERY page, opposite the page number (GB/T 9704
# puts the number right on odd pages, left on even ones), so it costs no line of the text block.
_VERIFY_CSS = """<style>
@page :right {{ @bottom-left {{ {qr} }} @bottom-center {{ {code} text-align: left; }} }}
@page :left {{ @bottom-right {{ {qr} }} @bottom-center {{ {code} text-align: right; }} }}
@page wide:right {{ @bottom-left {{ {qr} }} @bottom-center {{ {code} text-align: left; }} }}
@page wide:left {{ @bottom-right {{ {qr} }} @bottom-center {{ {code} text-align: right; }} }}
</style>"""
_QR_BOX = 'content: url("{src}"); image-resolution: {dpi}dpi; vertical-align: top; padding-top: 7mm; width: {mm}mm;'
_CODE_BOX = ('content: "{text}"; vertical-align: top; padding-top: 7mm; font: 9pt/12pt "仿宋_GB2312", "仿宋", '
             'DocgenFangSong; letter-spacing: 0; color: #333;')


def _verify_css(verification: Verification) -> str:
    """Margin-box rules that print the QR code and the code on every page."""
    qr = _QR_BOX.format(src=png_data_uri(qr_png(verification.url)), dpi=QR_DPI, mm=QR_MM)
    code = _CODE_BOX.format(text=css_string(verification.lines()[0]))
    return _VERIFY_CSS.format(qr=qr, code=code)


def css_string(text: str) -> str:
    """Text safe inside a double-quoted CSS string."""
    return "".join(c if c.isalnum() or c in "：·- " else f"\\{ord(c):x} " for c in text)


def mark_html(html: str, marks: Marks | None) -> str:
    """The document's HTML with the requested marks injected (unchanged when there are none)."""
    if marks is None or not marks.active:
        return html
    end = _body_end(html)
    tail = _HTML_CSS + (_verify_css(marks.verification) if marks.verification is not None else "")
    tail += f'<div class="docgen-preview">{WATERMARK_TEXT}</div>' if marks.preview else ""
    return html[:end] + tail + html[end:]


def _body_end(html: str) -> int:
    """Where ``</body>`` starts (or the end, for a fragment)."""
    end = html.rfind("</body>")
    return end if end >= 0 else len(html)
