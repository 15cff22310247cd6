"""XML helpers for the DOCX template writer: fonts, spacing, landscape pages, ruled tables, schema order."""

from __future__ import annotations

import copy
import io
import re
import zipfile

from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm

# Child order of w:pPr and w:rPr in the OOXML schema (ECMA-376 CT_PPr, CT_RPr); Word rejects other orders.
PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
    "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd "
    "snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange").split()
RPR_ORDER = (
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
    "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl cs "
    "em lang eastAsianLayout specVanish oMath").split()

def set_fonts(rpr_owner, name: str) -> None:
    """Set every script slot to one face and drop theme fonts, which would override it."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme"):
            del fonts.attrib[attr]
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), name)

def set_char_spacing(rpr_owner, twentieths: int) -> None:
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(twentieths))
    rpr_owner.get_or_add_rPr().append(spacing)

def off_grid(paragraph, *, before: str, after: str, line: str | None = None) -> None:
    """Space before/after (and an exact line height) from Jinja expressions in points, off the line grid:
    the paragraph keeps its own height, padded by the context to whole grid lines."""
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:snapToGrid {nsdecls("w")} w:val="0"/>'))
    spacing = ppr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        ppr.append(spacing)
    spacing.set(qn("w:before"), f"{{{{ ({before} * 20)|int }}}}")
    spacing.set(qn("w:after"), f"{{{{ ({after} * 20)|int }}}}")
    if line is not None:
        spacing.set(qn("w:line"), f"{{{{ ({line} * 20)|int }}}}")
        spacing.set(qn("w:lineRule"), "exact")


def _page(section, orientation, size_mm: tuple[int, int], margins_mm: tuple[int, int, int, int], footer_mm: int) -> None:
    """Page size, margins (top, bottom, left, right) and footer distance of a section, in millimetres."""
    section.orientation = orientation
    section.page_width, section.page_height = (Mm(v) for v in size_mm)
    top, bottom, left, right = (Mm(v) for v in margins_mm)
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = top, bottom, left, right
    section.footer_distance = Mm(footer_mm)


def make_portrait(section) -> None:
    """A4 portrait with the GB/T 9704 text block: 天头 37, 订口 28, 156 × 225 mm."""
    _page(section, WD_ORIENT.PORTRAIT, (210, 297), (37, 35, 28, 26), 23)


def make_landscape(section) -> None:
    """A4 landscape with the portrait text block turned: 225 × 156 mm."""
    _page(section, WD_ORIENT.LANDSCAPE, (297, 210), (28, 26, 37, 35), 14)


def rule_table(table, widths: list) -> None:
    """Fixed-width table with 0.5 pt rules all round."""
    tbl_pr = table._tbl.tblPr
    for child in list(tbl_pr):
        tbl_pr.remove(child)
    total = sum(w.twips for w in widths)
    for xml in (
        f'<w:tblW w:w="{total}" w:type="dxa"/>',
        '<w:jc w:val="center"/>',
        '<w:tblBorders>' + "".join(f'<w:{edge} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                                    for edge in ("top", "left", "bottom", "right", "insideH", "insideV")) + '</w:tblBorders>',
        '<w:tblLayout w:type="fixed"/>',
        '<w:tblCellMar><w:top w:w="34" w:type="dxa"/><w:left w:w="60" w:type="dxa"/>'
        '<w:bottom w:w="34" w:type="dxa"/><w:right w:w="60" w:type="dxa"/></w:tblCellMar>',
    ):
        tbl_pr.append(parse_xml(with_w_namespace(xml)))
    for column, width in zip(table._tbl.tblGrid.gridCol_lst, widths):
        column.w = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width

def schema_order(root) -> None:
    """Put pPr and rPr children in schema order: python-docx appends some of ours last."""
    for tag, sequence in ((qn("w:pPr"), PPR_ORDER), (qn("w:rPr"), RPR_ORDER)):
        rank = {qn(f"w:{name}"): n for n, name in enumerate(sequence)}
        for props in root.iter(tag):
            children = list(props)
            ordered = sorted(children, key=lambda child: rank.get(child.tag, len(rank)))
            if ordered != children:
                for child in children:
                    props.remove(child)
                props.extend(ordered)

def with_w_namespace(xml: str) -> str:
    """Declare the w: namespace on the outermost element of an XML snippet."""
    return re.sub(r"^<([\w:]+)", lambda m: f"<{m.group(1)} {nsdecls('w')}", xml, count=1)

def replace_sentinels(docx: bytes, sentinels: dict[str, str]) -> bytes:
    """Swap sentinel numbers (attribute values) and sentinel elements (keys starting with ``<``) in document.xml
    for Jinja; fix zip dates for reproducible bytes."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                for key, expression in sentinels.items():
                    if key.startswith("<"):
                        assert key in text, key
                        text = text.replace(key, expression)
                    else:
                        text = text.replace(f'"{key}"', f'"{expression}"')
                data = text.encode("utf-8")
            info = copy.copy(item)
            info.date_time = (2024, 1, 1, 0, 0, 0)  # reproducible bytes
            target.writestr(info, data)
    return out.getvalue()
