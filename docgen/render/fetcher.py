"""The only URL fetcher WeasyPrint gets: project assets by name, inline images, nothing else."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse

from docgen.fonts import FONT_DIR
from docgen.render.raster_images import prepared

ASSET_SCHEME = "docgen-asset:"
LOG = logging.getLogger(__name__)


class RefusedURL(ValueError):
    """A template or data value named a URL outside the project's own assets."""


class AssetFetcher(URLFetcher):
    """Serve ``docgen-asset:fonts/…`` and ``docgen-asset:css/…``; refuse file:, http: and the rest."""

    def __init__(self, css_dir: Path) -> None:
        super().__init__(timeout=1, allowed_protocols=(), allow_redirects=False)
        self._roots = {"fonts": FONT_DIR.resolve(), "css": css_dir.resolve()}

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        """Return the asset's bytes, or raise RefusedURL without touching disk or network."""
        if url.startswith("data:image/"):
            return self._data(url)
        if url.startswith(ASSET_SCHEME):
            return URLFetcherResponse(url, self._asset_path(url).read_bytes())
        LOG.warning("refused to fetch %s", url[:200])
        raise RefusedURL(f"只允许读取本项目模板资源，已拒绝：{url[:200]}")

    def bundled_font(self, url: str) -> Path | None:
        """The bundled font file a ``docgen-asset:fonts/…`` URL names, or None for any other URL."""
        if not url.startswith(ASSET_SCHEME + "fonts/"):
            return None
        try:
            return self._asset_path(url)
        except RefusedURL:
            return None

    def _asset_path(self, url: str) -> Path:
        root_name, _, name = url[len(ASSET_SCHEME):].partition("/")
        root = self._roots.get(root_name)
        path = (root / name).resolve() if root else None
        if path is None or not path.is_relative_to(root) or not path.is_file():
            raise RefusedURL(f"模板资源不存在或越界：{url[:200]}")
        return path

    @staticmethod
    def _data(url: str) -> URLFetcherResponse:
        header, _, payload = url.partition(",")
        if not header.endswith(";base64"):
            raise RefusedURL("内嵌图片必须是 Base64 编码")
        mime = header[len("data:"):-len(";base64")]
        data = base64.b64decode(payload)
        if mime == "image/png":
            data = prepared(data)  # in the form WeasyPrint keeps (docgen.render.raster_images)
        return URLFetcherResponse(url, data, headers={"Content-Type": mime})
