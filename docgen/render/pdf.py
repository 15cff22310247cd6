"""PDF rendering: Jinja HTML + the GB/T 9704 stylesheet → WeasyPrint → bytes."""

from __future__ import annotations

import atexit
import logging
import shutil
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import TemplateError

from docgen.config import Settings
from docgen.fonts import needs_rare_fonts
from docgen.errors import ConfigurationProblem, DocgenError, RenderFailure, TemplateProblem
from docgen.render.weasy_import import weasyprint  # first: before anything else imports it
from docgen.render.fetcher import AssetFetcher  # noqa: E402  (isort: after weasy_import)
from docgen.render.gc_pause import paused
from docgen.render.jinja_env import html_environment
from docgen.render.marks import Marks, mark_html
from docgen.render.table_split import render_split, splittable

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # WeasyPrint warns about a missing HarfBuzz-subset; we report it ourselves
    from weasyprint.text import ffi as _weasy_ffi
    from weasyprint.text.fonts import FontConfiguration

    from docgen.render import cjk_justify  # noqa: F401  (full lines fill the block, as in Word)
    from docgen.render import face_bytes  # noqa: F401  (a font file copied out of HarfBuzz once, not per PDF)
    from docgen.render import fonts_in_place  # noqa: F401  (bundled fonts registered where they lie, not copied)
    from docgen.render import layout_reuse  # noqa: F401  (Pango shapes each line once, not twice)
    from docgen.render import stream_compression  # noqa: F401  (deflate level 1, not 9)
    from docgen.render import subset_cache  # noqa: F401  (a font subset once per glyph set)
    from docgen.render import weasy_fast_paths  # noqa: F401  (strut and used box sizes with less Python work)

LOG = logging.getLogger(__name__)
STYLESHEET = "gbt9704.css"
RARE_FONTS_STYLESHEET = "rare-fonts.css"


def harfbuzz_subset_available() -> bool:
    """Whether WeasyPrint can subset fonts with HarfBuzz (else CJK PDFs are ~10× slower)."""
    return getattr(_weasy_ffi, "harfbuzz_subset", None) is not None


HARFBUZZ_HINT = ("未找到 libharfbuzz-subset0：中文 PDF 生成将慢约 10 倍。"
                 "修复：apt-get install libharfbuzz-subset0（或运行 make setup）。")


class _Styles:
    """Fonts and the parsed stylesheet, loaded once per process and template directory.

    A FontConfiguration registers every @font-face font when it first meets it (the
    bundled ones where they lie, docgen.render.fonts_in_place; any other one WeasyPrint
    copies into a temporary folder); one shared configuration means that happens once,
    not per thread or request. Rendering holds a lock because fontconfig and Pango
    objects are not documented as thread-safe.
    """

    def __init__(self, settings: Settings) -> None:
        css_dir = settings.template_dir / "html"
        css_path = css_dir / STYLESHEET
        if not css_path.is_file():
            raise ConfigurationProblem(f"缺少样式表 {css_path}")
        self.fetcher = AssetFetcher(css_dir)
        self.font_config = FontConfiguration()
        self.css = self._stylesheet(css_path)
        self._rare_path = css_dir / RARE_FONTS_STYLESHEET
        if not self._rare_path.is_file():
            raise ConfigurationProblem(f"缺少样式表 {self._rare_path}")
        self._rare: Any = None
        self.lock = threading.Lock()

    def _stylesheet(self, path: Path) -> Any:
        return weasyprint.CSS(string=path.read_text(encoding="utf-8"), base_url="docgen-asset:css/",
                              font_config=self.font_config, url_fetcher=self.fetcher)

    def for_html(self, html: str) -> list[Any]:
        """The stylesheets of a document: the rare-hanzi faces only when its text has such a character."""
        if not needs_rare_fonts(html):
            return [self.css]
        return [self.css, self.rare()]

    def rare(self) -> Any:
        """The rare-hanzi faces, registered once in this process (before a fork: what a child registers stays
        in the child, and when WeasyPrint copies fonts it skips those already in the shared folder, so the
        parent would never register them)."""
        if self._rare is None:
            self._rare = self._stylesheet(self._rare_path)
        return self._rare

    def close(self) -> None:
        """Remove the font copies WeasyPrint made (none when every face is a bundled one)."""
        folder = getattr(self.font_config, "_folder", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


_STYLES: dict[str, _Styles] = {}
_STYLES_LOCK = threading.Lock()


def _styles(settings: Settings) -> _Styles:
    key = str(settings.template_dir)
    with _STYLES_LOCK:
        if key not in _STYLES:
            _STYLES[key] = _Styles(settings)
        return _STYLES[key]


@atexit.register
def _remove_font_copies() -> None:
    for styles in _STYLES.values():
        styles.close()


def render_html(template_name: str, context: dict[str, Any], settings: Settings) -> str:
    """The filled HTML of a document (also useful for previews)."""
    env = html_environment(settings.template_dir / "html")
    try:
        return env.get_template(template_name).render(context)
    except TemplateError as exc:
        raise TemplateProblem(f"HTML 模板 {template_name} 有误：{exc}") from exc


@dataclass(frozen=True)
class ImprintPlacement:
    """Where the 版记 goes (GB/T 9704 7.4, 7.5): on the last page if that is an even portrait page with room,
    otherwise alone at the foot of the next even page — both without a page number, as is the blank page
    that may come before it."""

    alone: bool
    blank_before: bool

    def as_context(self) -> dict[str, bool]:
        return {"alone": self.alone, "blank_before": self.blank_before}


IMPRINT_ID, BODY_END_ID = "docgen-imprint", "docgen-body-end"


def render_pdf(template_name: str, context: dict[str, Any], settings: Settings | None = None,
               marks: Marks | None = None) -> bytes:
    """Render a document's HTML template, with any marks, to PDF bytes."""
    return render_pdf_placed(template_name, context, settings, marks)[0]


def render_pdf_placed(template_name: str, context: dict[str, Any], settings: Settings | None = None,
                      marks: Marks | None = None) -> tuple[bytes, ImprintPlacement | None]:
    """PDF bytes and where its 版记 went (the DOCX puts it in the same place)."""
    settings = settings or Settings.from_env()
    styles = _styles(settings)
    try:
        with styles.lock, paused():
            if settings.table_split and splittable(context) and _supports_split(template_name, settings):
                styles.rare()  # fonts are registered here, never in the child
                split = render_split(
                    context,
                    lay_out=lambda part: _layout(mark_html(render_html(template_name, part, settings), marks), styles),
                    write=lambda document: document.write_pdf(finisher=_turn_landscape_pages),
                    lay_out_rest=lambda part: _written(*_laid_out(template_name, part, settings, styles, marks)))
                if split is not None:
                    return split
            return _written(*_laid_out(template_name, context, settings, styles, marks))
    except DocgenError:
        raise
    except Exception as exc:  # WeasyPrint raises many unrelated types; map them once, here
        raise RenderFailure(f"PDF 生成失败：{type(exc).__name__}: {exc}") from exc


def _supports_split(template_name: str, settings: Settings) -> bool:
    """Whether the document's templates know the two halves of a split (a custom template directory may not)."""
    env = html_environment(settings.template_dir / "html")
    try:
        return all("split.part" in env.loader.get_source(env, name)[0] for name in (template_name, "base.html"))
    except Exception:  # noqa: BLE001  (a missing template is reported by the one-pass render)
        return False


def _written(document: Any, placement: ImprintPlacement | None) -> tuple[bytes, ImprintPlacement | None]:
    return document.write_pdf(finisher=_turn_landscape_pages), placement


def imprint_placement(template_name: str, context: dict[str, Any], settings: Settings | None = None
                      ) -> ImprintPlacement | None:
    """Where the 版记 goes, from the PDF's layout, for a DOCX rendered without its PDF."""
    if not context.get("imprint"):
        return None
    settings = settings or Settings.from_env()
    styles = _styles(settings)
    try:
        with styles.lock, paused():
            return _placement(_layout(render_html(template_name, {**context, "imprint_page": None}, settings), styles))
    except DocgenError:
        raise
    except Exception as exc:
        raise RenderFailure(f"PDF 排版失败：{type(exc).__name__}: {exc}") from exc


def _laid_out(template_name: str, context: dict[str, Any], settings: Settings, styles: _Styles,
              marks: Marks | None) -> tuple[Any, ImprintPlacement | None]:
    """Lay the document out; when the 版记 landed on an odd or landscape page, again with it on an even page."""
    context = {**context, "imprint_page": None}
    document = _layout(mark_html(render_html(template_name, context, settings), marks), styles)
    placement = _placement(document) if context.get("imprint") else None
    if placement is not None and placement.alone:
        context["imprint_page"] = placement.as_context()
        document = _layout(mark_html(render_html(template_name, context, settings), marks), styles)
    return document, placement


def _layout(html: str, styles: _Styles) -> Any:
    return weasyprint.HTML(string=html, base_url="docgen-asset:css/", url_fetcher=styles.fetcher).render(
        stylesheets=styles.for_html(html), font_config=styles.font_config)


def _placement(document: Any) -> ImprintPlacement:
    """Read the first layout: which page holds the 版记, and on which the body ends."""
    imprint_page = body_end = None
    for number, page in enumerate(document.pages, 1):
        if IMPRINT_ID in page.anchors:
            imprint_page = (number, page.width > page.height)
        if BODY_END_ID in page.anchors:
            body_end = number
    if imprint_page is None or body_end is None:
        raise RenderFailure("PDF 排版失败：找不到版记的位置")
    number, landscape = imprint_page
    alone = landscape or number % 2 == 1
    return ImprintPlacement(alone=alone, blank_before=alone and body_end % 2 == 0)


def _turn_landscape_pages(document: Any, pdf: Any) -> None:
    """GB/T 9704 10.2: in a portrait document a landscape table page is shown and printed turned (/Rotate 270),
    its head on the binding side of odd pages; a wholly landscape document (the monthly notice) stays as it is."""
    landscape = [page.width > page.height for page in document.pages]
    if all(landscape):
        return
    for turned, number in zip(landscape, pdf.pages["Kids"][::3]):
        if turned:
            pdf.objects[number]["Rotate"] = 270
