"""PDF rendering: Jinja HTML + the GB/T 9704 stylesheet → WeasyPrint → bytes."""

from __future__ import annotations

import logging
import threading
import warnings
from typing import Any

from jinja2 import TemplateError

from docgen.config import Settings
from docgen.errors import ConfigurationProblem, RenderFailure, TemplateProblem
from docgen.render.fetcher import AssetFetcher
from docgen.render.jinja_env import html_environment

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # WeasyPrint warns about a missing HarfBuzz-subset; we report it ourselves
    import weasyprint
    from weasyprint.text import ffi as _weasy_ffi
    from weasyprint.text.fonts import FontConfiguration

LOG = logging.getLogger(__name__)
STYLESHEET = "gbt9704.css"
_local = threading.local()


def harfbuzz_subset_available() -> bool:
    """Whether WeasyPrint can subset fonts with HarfBuzz (else CJK PDFs are ~10× slower)."""
    return getattr(_weasy_ffi, "harfbuzz_subset", None) is not None


HARFBUZZ_HINT = ("未找到 libharfbuzz-subset0：中文 PDF 生成将慢约 10 倍。"
                 "修复：apt-get install libharfbuzz-subset0（或运行 make setup）。")


def _styles(settings: Settings) -> tuple[FontConfiguration, weasyprint.CSS, AssetFetcher]:
    """Per-thread font configuration and parsed stylesheet: fonts load once per thread, not per page."""
    key = str(settings.template_dir)
    cache = getattr(_local, "styles", None)
    if cache is None or cache[0] != key:
        css_dir = settings.template_dir / "html"
        fetcher = AssetFetcher(css_dir)
        font_config = FontConfiguration()
        css_path = css_dir / STYLESHEET
        if not css_path.is_file():
            raise ConfigurationProblem(f"缺少样式表 {css_path}")
        css = weasyprint.CSS(string=css_path.read_text(encoding="utf-8"), base_url="docgen-asset:css/",
                             font_config=font_config, url_fetcher=fetcher)
        cache = _local.styles = (key, font_config, css, fetcher)
    return cache[1], cache[2], cache[3]


def render_html(template_name: str, context: dict[str, Any], settings: Settings) -> str:
    """The filled HTML of a document (also useful for previews)."""
    env = html_environment(settings.template_dir / "html")
    try:
        return env.get_template(template_name).render(context)
    except TemplateError as exc:
        raise TemplateProblem(f"HTML 模板 {template_name} 有误：{exc}") from exc


def render_pdf(template_name: str, context: dict[str, Any], settings: Settings | None = None) -> bytes:
    """Render a document's HTML template to PDF bytes."""
    settings = settings or Settings.from_env()
    html = render_html(template_name, context, settings)
    font_config, css, fetcher = _styles(settings)
    try:
        document = weasyprint.HTML(string=html, base_url="docgen-asset:css/", url_fetcher=fetcher)
        return document.write_pdf(stylesheets=[css], font_config=font_config, uncompressed_pdf=False)
    except Exception as exc:  # WeasyPrint raises many unrelated types; map them once, here
        raise RenderFailure(f"PDF 生成失败：{type(exc).__name__}: {exc}") from exc
