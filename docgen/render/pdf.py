"""PDF rendering: Jinja HTML + the GB/T 9704 stylesheet → WeasyPrint → bytes."""

from __future__ import annotations

import atexit
import logging
import shutil
import threading
import warnings
from typing import Any

from jinja2 import TemplateError

from docgen.config import Settings
from docgen.errors import ConfigurationProblem, RenderFailure, TemplateProblem
from docgen.render.fetcher import AssetFetcher
from docgen.render.jinja_env import html_environment
from docgen.render.marks import Marks, mark_html

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # WeasyPrint warns about a missing HarfBuzz-subset; we report it ourselves
    import weasyprint
    from weasyprint.text import ffi as _weasy_ffi
    from weasyprint.text.fonts import FontConfiguration

    from docgen.render import cjk_justify  # noqa: F401  (full lines fill the block, as in Word)

LOG = logging.getLogger(__name__)
STYLESHEET = "gbt9704.css"


def harfbuzz_subset_available() -> bool:
    """Whether WeasyPrint can subset fonts with HarfBuzz (else CJK PDFs are ~10× slower)."""
    return getattr(_weasy_ffi, "harfbuzz_subset", None) is not None


HARFBUZZ_HINT = ("未找到 libharfbuzz-subset0：中文 PDF 生成将慢约 10 倍。"
                 "修复：apt-get install libharfbuzz-subset0（或运行 make setup）。")


class _Styles:
    """Fonts and the parsed stylesheet, loaded once per process and template directory.

    WeasyPrint copies every @font-face font into a temporary folder when a
    FontConfiguration first meets it; one shared configuration means that happens
    once, not per thread or request. Rendering holds a lock because fontconfig and
    Pango objects are not documented as thread-safe.
    """

    def __init__(self, settings: Settings) -> None:
        css_dir = settings.template_dir / "html"
        css_path = css_dir / STYLESHEET
        if not css_path.is_file():
            raise ConfigurationProblem(f"缺少样式表 {css_path}")
        self.fetcher = AssetFetcher(css_dir)
        self.font_config = FontConfiguration()
        self.css = weasyprint.CSS(string=css_path.read_text(encoding="utf-8"), base_url="docgen-asset:css/",
                                  font_config=self.font_config, url_fetcher=self.fetcher)
        self.lock = threading.Lock()

    def close(self) -> None:
        """Remove the font copies WeasyPrint made."""
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


def render_pdf(template_name: str, context: dict[str, Any], settings: Settings | None = None,
               marks: Marks | None = None) -> bytes:
    """Render a document's HTML template, with any marks, to PDF bytes."""
    settings = settings or Settings.from_env()
    html = mark_html(render_html(template_name, context, settings), marks)
    styles = _styles(settings)
    try:
        with styles.lock:
            document = weasyprint.HTML(string=html, base_url="docgen-asset:css/", url_fetcher=styles.fetcher)
            return document.write_pdf(stylesheets=[styles.css], font_config=styles.font_config)
    except Exception as exc:  # WeasyPrint raises many unrelated types; map them once, here
        raise RenderFailure(f"PDF 生成失败：{type(exc).__name__}: {exc}") from exc
