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

def make_landscape(section) -> None:
    """A4 landscape with the portrait text block turned: 225 × 156 mm."""
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(28), Mm(26)
    section.left_margin, section.right_margin = Mm(37), Mm(35)
    section.footer_distance = Mm(14)

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
        '<w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="60" w:type="dxa"/>'
        '<w:bottom w:w="40" w:type="dxa"/><w:right w:w="60" w:type="dxa"/></w:tblCellMar>',
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
    """Swap sentinel numbers in document.xml for Jinja expressions; fix zip dates for reproducible bytes."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                for number, expression in sentinels.items():
                    text = text.replace(f'"{number}"', f'"{expression}"')
                data = text.encode("utf-8")
            info = copy.copy(item)
            info.date_time = (2024, 1, 1, 0, 0, 0)  # reproducible bytes
            target.writestr(info, data)
    return out.getvalue()
