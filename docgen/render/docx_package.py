"""Open and save DOCX packages quickly, for a template rendered again and again.

python-docx reads a package by unzipping every part, parsing every XML part and
walking the relationships; it saves by serialising every part again and deflating
it at level 6. For a template that is opened on every render this is most of the
DOCX time. Here:

- the template's package is read once per process (and again when the file
  changes): its parts, content types and relationships are kept as a
  ``PackageReader`` and each render builds its parts from it;
- parts docgen never edits (styles, settings, fonts, theme, numbering, app
  properties) stay opaque: their bytes are carried, not parsed, and written back
  as they were;
- the ZIP is written at deflate level 1, pictures stored as they are, and the
  parts carried unchanged are deflated once per process (docgen.render.zip_writer).

The result is the same document: tests/test_performance.py compares every part's
XML with python-docx's own reading and writing for every sample.
"""

from __future__ import annotations

import functools
import io
import zipfile
from pathlib import Path
from typing import Any

from docx.document import Document as DocumentObject
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.package import Unmarshaller
from docx.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI
from docx.opc.part import Part, PartFactory
from docx.opc.pkgreader import PackageReader, _ContentTypeMap
from docx.opc.pkgwriter import _ContentTypesItem
from docx.package import Package

from docgen.render.zip_writer import ZipWriter

OPAQUE = frozenset({CT.WML_STYLES, CT.WML_SETTINGS, CT.WML_FONT_TABLE, CT.WML_WEB_SETTINGS, CT.OFC_THEME,
                    CT.WML_NUMBERING, CT.OFC_EXTENDED_PROPERTIES})
STORED = frozenset({"image/png", "image/jpeg", "image/gif"})  # already compressed


class _Blobs:
    """python-docx's physical-package reader interface over a dict of ZIP members."""

    def __init__(self, blobs: dict[str, bytes]) -> None:
        self._blobs = blobs

    def blob_for(self, pack_uri: Any) -> bytes:
        return self._blobs[pack_uri.membername]

    @property
    def content_types_xml(self) -> bytes:
        return self._blobs[CONTENT_TYPES_URI.membername]

    def rels_xml_for(self, source_uri: Any) -> bytes | None:
        return self._blobs.get(source_uri.rels_uri.membername)

    def close(self) -> None:
        pass


@functools.lru_cache(maxsize=16)
def _reader(path: Path, version: tuple[int, int, int]) -> PackageReader:
    with zipfile.ZipFile(path) as archive:
        blobs = _Blobs({name: archive.read(name) for name in archive.namelist()})
    content_types = _ContentTypeMap.from_xml(blobs.content_types_xml)
    package_rels = PackageReader._srels_for(blobs, PACKAGE_URI)
    parts = PackageReader._load_serialized_parts(blobs, package_rels, content_types)
    return PackageReader(content_types, package_rels, parts)


def _part(partname: Any, content_type: str, reltype: str, blob: bytes, package: Any) -> Part:
    if content_type in OPAQUE:
        return Part(partname, content_type, blob, package)
    return PartFactory(partname, content_type, reltype, blob, package)


def open_document(path: Path) -> DocumentObject:
    """A fresh python-docx Document of the template at ``path`` (read from disk only when it changed)."""
    package = Package()
    stat = path.stat()  # a replaced file, even with the same mtime (cp -p, rsync -t), is read again
    Unmarshaller.unmarshal(_reader(path, (stat.st_mtime_ns, stat.st_size, stat.st_ino)), package, _part)
    return package.main_document_part.document


def save_document(document: DocumentObject, stream: io.BytesIO) -> None:
    """Write the document's package as a DOCX into ``stream``."""
    package = document.part.package
    parts = package.parts
    for part in parts:
        part.before_marshal()
    archive = ZipWriter(stream)
    archive.add(CONTENT_TYPES_URI.membername, _ContentTypesItem.from_parts(parts).blob)
    archive.add(PACKAGE_URI.rels_uri.membername, package.rels.xml)
    for part in parts:
        carried = type(part) is Part  # not parsed: its blob is the template's own bytes object, every time
        archive.add(part.partname.membername, part.blob, compress=part.content_type not in STORED, remember=carried)
        if len(part.rels):
            archive.add(part.partname.rels_uri.membername, part.rels.xml)
    archive.close()
