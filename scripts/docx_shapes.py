"""Floating DrawingML shapes for the DOCX templates: rules and text boxes placed by the letterhead's numbers.

A shape floats (wp:anchor, no wrapping), so it takes no line of the 28.95 pt grid and
Word, WPS and LibreOffice put it at the same place. Positions and sizes are Jinja
expressions over the context (docgen.doctypes.letterhead), rendered by docxtpl.
"""

from __future__ import annotations

import itertools

from docx.oxml import parse_xml

NAMESPACES = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
)
_ids = itertools.count(101)


def _anchor(name: str, h_from: str, x: str, v_from: str, y: str | None, cx: str, cy: str, shape: str,
            behind: bool = False) -> str:
    """x, y, cx and cy are Jinja expressions giving EMU."""
    shape_id = next(_ids)
    x, cx, cy = (f"{{{{ ({value})|int }}}}" for value in (x, cx, cy))
    # y None: the shape's bottom on the bottom of the reference (the text block, for the 版记)
    vertical = "<wp:align>bottom</wp:align>" if y is None else f"<wp:posOffset>{{{{ ({y})|int }}}}</wp:posOffset>"
    return (
        f'<w:r {NAMESPACES}><w:drawing><wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" '
        f'relativeHeight="{251658240 + shape_id}" behindDoc="{1 if behind else 0}" locked="1" layoutInCell="1" '
        f'allowOverlap="1"><wp:simplePos x="0" y="0"/>'
        f'<wp:positionH relativeFrom="{h_from}"><wp:posOffset>{x}</wp:posOffset></wp:positionH>'
        f'<wp:positionV relativeFrom="{v_from}">{vertical}</wp:positionV>'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
        f'<wp:docPr id="{shape_id}" name="{name}"/><wp:cNvGraphicFramePr/>'
        f'<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f'{shape}</a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>'
    )


def rule(name: str, h_from: str, x: str, v_from: str, y: str, width: str, weight: str, color: str = "E60012"):
    """A horizontal line ``width`` EMU long, ``weight`` EMU thick, its top edge at ``y`` (all Jinja expressions)."""
    shape = (
        f'<wps:wsp><wps:cNvCnPr/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{{{{ ({width})|int }}}}" cy="0"/>'
        f'</a:xfrm><a:prstGeom prst="line"><a:avLst/></a:prstGeom><a:ln w="{{{{ ({weight})|int }}}}"><a:solidFill>'
        f'<a:srgbClr val="{color}"/>'
        f'</a:solidFill></a:ln></wps:spPr><wps:bodyPr/></wps:wsp>'
    )
    # A line is drawn centred on its path: move the path down by half the weight so ``y`` is the top edge.
    return parse_xml(_anchor(name, h_from, x, v_from, f"({y}) + ({weight}) / 2", width, "0", shape))


def text_box(name: str, h_from: str, x: str, v_from: str, y: str | None, width: str, height: str, content_xml: str):
    """A borderless text box without insets holding ``content_xml`` (w:p elements, Jinja allowed between them)."""
    shape = (
        f'<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/>'
        f'<a:ext cx="{{{{ ({width})|int }}}}" cy="{{{{ ({height})|int }}}}"/>'
        f'</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>'
        f'<wps:txbx><w:txbxContent>{content_xml}</w:txbxContent></wps:txbx>'
        f'<wps:bodyPr rot="0" vert="horz" wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" anchor="t" '
        f'anchorCtr="0"><a:noAutofit/></wps:bodyPr></wps:wsp>'
    )
    return parse_xml(_anchor(name, h_from, x, v_from, y, width, height, shape))
