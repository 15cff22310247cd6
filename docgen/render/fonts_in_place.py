"""Bundled fonts registered with fontconfig where they lie, not copied to a temporary folder.

For every ``@font-face`` rule WeasyPrint reads the font file into memory, writes a
copy into a temporary folder and registers the copy with fontconfig. For the five
Fandol faces of the stylesheet that is 31 MB read and 31 MB written to disk on
every process start (measured: loading the fonts and stylesheet took 86–125 ms with
the copies, 47–49 ms without, in a slow phase of this VM; the two rare-hanzi faces add
53 MB more), and a process killed before its exit handler leaves the copies behind.

A face whose only source is one of docgen's own bundled font files
(``docgen-asset:fonts/…``, nothing but a family name described) is registered here
from its bundled path instead, with the rule WeasyPrint writes for its copy: at
scan time the face's family names get the ``@font-face`` name in front. Every other
rule — another source, a weight, style, range or feature descriptor — goes
WeasyPrint's way. The glyphs, the embedded font programs and the page streams are
the same (tests/test_performance.py compares every sample's PDF with and without).

It replaces a method of WeasyPrint's ``FontConfiguration``, so it is installed only
on the WeasyPrint versions it was checked on (docgen.render.weasy_patches).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from docgen.render.weasy_patches import checked
from weasyprint.text import fonts
from weasyprint.text.ffi import ffi, fontconfig, pangoft2

LOG = logging.getLogger(__name__)
CHECKED_VERSIONS = ("70.",)
ORIGINAL = fonts.FontConfiguration.add_font_face
_HEADER = b'<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
FONT_SUFFIXES = (".otf", ".ttf", ".ttc")  # what fontconfig reads as it is (WeasyPrint decodes WOFF first)
STATS = {"in_place": 0, "copied": 0}


def in_place_path(rule_descriptors: dict[str, Any], url_fetcher: Any) -> Path | None:
    """The bundled font file a rule names as its only source, if it describes nothing but its family."""
    if set(rule_descriptors) != {"font_family", "src"} or len(rule_descriptors["src"]) != 1:
        return None
    font_type, url = rule_descriptors["src"][0]
    bundled_font = getattr(url_fetcher, "bundled_font", None)
    if font_type != "external" or not url or bundled_font is None:
        return None
    path = bundled_font(url)
    return path if path is not None and path.suffix.lower() in FONT_SUFFIXES else None


def family_rule(path: Path, family: str) -> bytes:
    """Fontconfig: when ``path`` is scanned, put ``family`` before the family names the file declares."""
    root = Element("fontconfig")
    match = SubElement(root, "match", target="scan")
    test = SubElement(match, "test", name="file", compare="eq")
    SubElement(test, "string").text = path.as_posix()
    edit = SubElement(match, "edit", name="family", mode="prepend")
    SubElement(edit, "string").text = family
    return _HEADER + tostring(root, encoding="utf-8", xml_declaration=False)


def add_font_face(self: Any, rule_descriptors: dict[str, Any], url_fetcher: Any) -> Any:
    """``FontConfiguration.add_font_face``: a bundled face in place, anything else as WeasyPrint does it."""
    path = in_place_path(rule_descriptors, url_fetcher)
    if path is None:
        STATS["copied"] += 1
        return ORIGINAL(self, rule_descriptors, url_fetcher)
    registered = self.__dict__.setdefault("_docgen_in_place", set())
    key = (rule_descriptors["font_family"], str(path))
    if key in registered:
        return None
    fontconfig.FcConfigParseAndLoadFromMemory(self._config, family_rule(path, key[0]), True)
    if not fontconfig.FcConfigAppFontAddFile(self._config, os.fsencode(path)):
        LOG.warning("fontconfig refused the bundled font %s; copying it as WeasyPrint does", path)
        STATS["copied"] += 1  # (the scan rule left behind names this file only: harmless)
        return ORIGINAL(self, rule_descriptors, url_fetcher)
    registered.add(key)
    STATS["in_place"] += 1
    return pangoft2.pango_fc_font_map_config_changed(ffi.cast("PangoFcFontMap *", self.font_map))


def install() -> bool:
    if not checked(CHECKED_VERSIONS, "in-place font registration", "bundled fonts are copied to a temporary folder"):
        return False
    fonts.FontConfiguration.add_font_face = add_font_face
    return True


def uninstall() -> None:
    fonts.FontConfiguration.add_font_face = ORIGINAL


INSTALLED = install()
