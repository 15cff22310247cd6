"""DOCX rendering: docxtpl over a real Word template, in a sandbox with autoescape on."""

from __future__ import annotations

import functools
import io
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from docx.oxml import parse_xml
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import TemplateError
from lxml import etree

from docgen.errors import ConfigurationProblem, RenderFailure, TemplateProblem
from docgen.render.jinja_env import docx_environment
from docgen.render.docx_package import open_document, save_document
from docgen.render.gc_pause import paused
from docgen.render.docx_tables import fit_table, keep_last_rows_with_next
from docgen.render.docx_marks import add_verification, add_watermark, verification_context
from docgen.render.marks import Marks
from docgen.render.ooxml import float_inline

EMU_PER_MM = 36000


@functools.lru_cache(maxsize=16)
def _template_bytes(path: Path, mtime: float) -> bytes:
    return path.read_bytes()


def template_bytes(path: Path) -> bytes:
    """A DOCX template's bytes, re-read only when the file changes."""
    try:
        return _template_bytes(path, path.stat().st_mtime)
    except FileNotFoundError as exc:
        raise ConfigurationProblem(f"缺少 DOCX 模板 {path}") from exc


_PARAGRAPH_START = re.compile(r"<w:p([ >])")
_SPLIT_PARAGRAPH = re.compile(r"\n<w:p([ >])")


class LiteralDocxTemplate(DocxTemplate):
    """docxtpl, faster and literal.

    - Without docxtpl's post-render unescaping of ``{_{`` → ``{{``, which would rewrite user text.
    - The package comes from docgen.render.docx_package (read once per process, unedited parts opaque)
      and is written back by it.
    - A part's XML is cleaned of Word's tag-splitting (``patch_xml``) once per distinct XML, not per render;
      the Jinja environment compiles each distinct source once (docgen.render.jinja_env).
    """

    def __init__(self, template_path: Path) -> None:
        super().__init__(template_path)
        self.template_path = template_path

    def init_docx(self, reload: bool = True) -> None:
        if not self.docx or (self.is_rendered and reload):
            self.docx = open_document(self.template_path)
            self.is_rendered = False

    def build_xml(self, context: dict[str, Any], jinja_env: Any = None) -> str:
        return self._fill(_prepared(self, self.get_xml()), self.docx._part, context, jinja_env)

    def build_headers_footers_xml(self, context: dict[str, Any], uri: str, jinja_env: Any = None) -> Any:
        for rel_key, part in self.get_headers_footers(uri):
            xml = self.get_part_xml(part)
            encoding = self.get_headers_footers_encoding(xml)
            yield rel_key, self._fill(_prepared(self, xml), part, context, jinja_env).encode(encoding)

    def render_xml_part(self, src_xml: str, part: Any, context: dict[str, Any], jinja_env: Any = None) -> str:
        return self._fill(_PARAGRAPH_START.sub(r"\n<w:p\1", src_xml), part, context, jinja_env)

    def _fill(self, source: str, part: Any, context: dict[str, Any], jinja_env: Any) -> str:
        self.current_rendering_part = part
        filled = jinja_env.from_string(source).render(context)
        return self.resolve_listing(_SPLIT_PARAGRAPH.sub(r"<w:p\1", filled))

    def save(self, filename: Any, *args: Any, **kwargs: Any) -> None:
        self.pre_processing()
        save_document(self.docx, filename)
        self.post_processing(filename)
        self.is_saved = True


_PREPARED: OrderedDict[str, str] = OrderedDict()
_PREPARED_MAX = 64
_PREPARED_LOCK = threading.Lock()


def _prepared(tpl: DocxTemplate, xml: str) -> str:
    """docxtpl's cleaned source of a part, one paragraph per line (for Jinja's line-based tags), cached.

    Least recently used first out: a footer carrying one document's verification code is used once, a
    template's body on every render."""
    with _PREPARED_LOCK:
        source = _PREPARED.get(xml)
        if source is not None:
            _PREPARED.move_to_end(xml)
            return source
    source = _PARAGRAPH_START.sub(r"\n<w:p\1", tpl.patch_xml(xml))
    with _PREPARED_LOCK:
        _PREPARED[xml] = source
        while len(_PREPARED) > _PREPARED_MAX:
            _PREPARED.popitem(last=False)
    return source


class FloatingSeal(InlineImage):
    """A seal image floating over the signature (wp:anchor), not an inline picture pushing text aside."""

    def __init__(self, tpl: DocxTemplate, png: bytes, signature: dict[str, Any]) -> None:
        diameter = Mm(signature["seal_mm"])
        super().__init__(tpl, io.BytesIO(png), width=diameter, height=diameter)
        self.right_mm = signature["seal_right_mm"]
        self.top_mm = signature["seal_top_mm"]

    def _insert_image(self) -> str:
        inline = parse_xml(self.tpl.current_rendering_part.new_pic_inline(
            self.image_descriptor, self.width, self.height).xml)
        x = -int((self.right_mm + self.width.mm) * EMU_PER_MM)
        anchor = float_inline(inline, "rightMargin", x, "paragraph", int(self.top_mm * EMU_PER_MM))
        xml = etree.tostring(anchor, encoding="unicode")
        return f'</w:t></w:r><w:r><w:drawing>{xml}</w:drawing></w:r><w:r><w:t xml:space="preserve">'


def render_docx(template_path: Path, context: dict[str, Any], marks: Marks | None = None) -> bytes:
    """Fill a DOCX template with the context, add any marks, and return the document's bytes."""
    with paused():  # no garbage collection mid-render (docgen.render.gc_pause)
        return _render_docx(template_path, context, marks)


def _render_docx(template_path: Path, context: dict[str, Any], marks: Marks | None) -> bytes:
    template_bytes(template_path)  # a clear error when the template is missing
    tpl = LiteralDocxTemplate(template_path)
    context = dict(context)
    signature = context.get("signature")
    if signature and signature.get("seal"):
        context["signature"] = {**signature, "seal": FloatingSeal(tpl, signature["seal"], signature)}
    try:
        if marks is not None and marks.verification is not None:
            # Footers are templates too: docxtpl renders them from these parts, keeping our QR and its relationship.
            tpl.init_docx()
            add_verification(tpl.docx, marks.verification)
            context.update(verification_context(marks.verification))
        tpl.render(context, jinja_env=docx_environment(), autoescape=True)
        if context.get("docx_table"):
            fit_table(tpl.docx, context["docx_table"])  # the same columns and widths as the PDF's table
        keep_last_rows_with_next(tpl.docx)
        if marks is not None and marks.preview:
            add_watermark(tpl.docx)  # new header parts, after rendering (docxtpl would not see them)
        out = io.BytesIO()
        tpl.save(out)
    except TemplateError as exc:
        raise TemplateProblem(f"DOCX 模板 {template_path.name} 有误：{exc}") from exc
    except (etree.LxmlError, ValueError, KeyError) as exc:
        raise RenderFailure(f"DOCX 生成失败：{type(exc).__name__}: {exc}") from exc
    return out.getvalue()
