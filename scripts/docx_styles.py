"""Paragraph styles and page constants of the GB/T 9704 DOCX templates."""

from __future__ import annotations

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor, Twips

from docx_xml import set_char_spacing, set_fonts

FANGSONG, XIAOBIAOSONG, HEITI, KAITI, SONGTI = "仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体"
RED = RGBColor(0xE6, 0x00, 0x12)
PITCH = Twips(579)  # 28.95 pt: 22 lines in the 225 mm text block
BODY_PT = 16  # 3号
CHAR = Twips(320)  # one 3号 character
TEXT_WIDTH = Mm(156)


def add_styles(doc) -> None:
    """The GB/T 9704 paragraph styles, with official face names and the 28.95 pt grid."""
    _normal_style(doc)
    _style(doc, "发文机关标志", XIAOBIAOSONG, size=36, color=RED, align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(36))
    _style(doc, "发文字号", FANGSONG, align=WD_ALIGN_PARAGRAPH.CENTER)
    _style(doc, "上行文号", FANGSONG, align=WD_ALIGN_PARAGRAPH.LEFT)
    _style(doc, "公文标题", XIAOBIAOSONG, size=22, align=WD_ALIGN_PARAGRAPH.CENTER)
    _style(doc, "主送机关", FANGSONG, indent=0)
    _style(doc, "一级标题", HEITI)
    _style(doc, "二级标题", KAITI)
    _style(doc, "署名", FANGSONG, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=0)
    _style(doc, "附注", FANGSONG)
    _style(doc, "版记", FANGSONG, size=14, indent=0, spacing=0)
    _style(doc, "页码", SONGTI, size=14, indent=0, line=Pt(14), spacing=0)
    _style(doc, "红色分隔线", FANGSONG, size=8, indent=0, line=Pt(11))  # its bottom border: 4 mm under the 文号
    _style(doc, "附件标识", HEITI, indent=0, align=WD_ALIGN_PARAGRAPH.LEFT)
    note = _style(doc, "表注", FANGSONG, size=12, indent=0, line=Pt(18), spacing=0)
    note.element.get_or_add_pPr().append(parse_xml(f'<w:snapToGrid {nsdecls("w")} w:val="0"/>'))
    for name, face, align in (("表格", FANGSONG, WD_ALIGN_PARAGRAPH.LEFT), ("表头", HEITI, WD_ALIGN_PARAGRAPH.CENTER)):
        style = _style(doc, name, face, size=10.5, indent=0, line=Pt(12.5), spacing=0, align=align)
        # Table text keeps its own 14 pt lines instead of snapping to the 28.95 pt body grid.
        style.element.get_or_add_pPr().append(parse_xml(f'<w:snapToGrid {nsdecls("w")} w:val="0"/>'))


def _normal_style(doc) -> None:
    """Normal: 3号 仿宋 on exact 28.95 pt lines, two-character first-line indent, justified."""
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for fonts in defaults.iterfind(qn("w:rFonts")):
        defaults.remove(fonts)
    lang = defaults.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
    normal = styles["Normal"]
    set_fonts(normal.element, FANGSONG)
    normal.font.size = Pt(BODY_PT)
    set_char_spacing(normal.element, -5)  # −0.25 pt: 28 characters on a 156 mm line
    fmt = normal.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, PITCH
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = CHAR * 2
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.widow_control = True  # two lines at least on either side of a page break, as the PDF (orphans/widows: 2)
    # No automatic gaps between hanzi and Latin/digits: GB/T 9704 text is set solid.
    ppr = normal.element.get_or_add_pPr()
    # …and no hanging punctuation: LibreOffice drops a comma that would hang into the margin.
    for tag in ("w:overflowPunct", "w:autoSpaceDE", "w:autoSpaceDN"):
        flag = OxmlElement(tag)
        flag.set(qn("w:val"), "0")
        ppr.append(flag)


def _style(doc, name: str, face: str, *, size: float = BODY_PT, color: RGBColor | None = None,
           align=None, indent: int | None = None, line=None, spacing: int | None = None):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    set_fonts(style.element, face)
    style.font.size = Pt(size)
    if color is not None:
        style.font.color.rgb = color
    if spacing is not None:
        set_char_spacing(style.element, spacing)
    fmt = style.paragraph_format
    if align is not None:
        fmt.alignment = align
    if indent is not None:
        fmt.first_line_indent = Twips(indent)
    if line is not None:
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, line
    return style
