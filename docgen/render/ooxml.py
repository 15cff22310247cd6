"""Small OOXML helpers shared by the DOCX renderer and its marks."""

from __future__ import annotations

from typing import Any

from lxml import etree

WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"


def float_inline(inline: Any, h_from: str, x_emu: int, v_from: str, y_emu: int, behind: bool = False) -> Any:
    """Turn a wp:inline picture into a wp:anchor at (x, y) from the given references, not wrapping text."""
    anchor = etree.Element(f"{{{WP}}}anchor", nsmap={"wp": WP})
    for name, value in (("distT", "0"), ("distB", "0"), ("distL", "0"), ("distR", "0"), ("simplePos", "0"),
                        ("relativeHeight", "251659264"), ("behindDoc", "1" if behind else "0"), ("locked", "0"),
                        ("layoutInCell", "1"), ("allowOverlap", "1")):
        anchor.set(name, value)
    etree.SubElement(anchor, f"{{{WP}}}simplePos", x="0", y="0")
    for axis, reference, offset in (("positionH", h_from, x_emu), ("positionV", v_from, y_emu)):
        position = etree.SubElement(anchor, f"{{{WP}}}{axis}", relativeFrom=reference)
        etree.SubElement(position, f"{{{WP}}}posOffset").text = str(int(offset))
    anchor.append(inline.find(f"{{{WP}}}extent"))
    etree.SubElement(anchor, f"{{{WP}}}effectExtent", l="0", t="0", r="0", b="0")
    etree.SubElement(anchor, f"{{{WP}}}wrapNone")
    for child in (inline.find(f"{{{WP}}}docPr"), inline.find(f"{{{WP}}}cNvGraphicFramePr"), inline.find(f"{{{A}}}graphic")):
        anchor.append(child)
    return anchor
