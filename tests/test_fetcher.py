"""WeasyPrint reads only the project's own assets: no local files, no network, whatever a template says."""

from __future__ import annotations

import shutil
import socket
import threading
from pathlib import Path

import pytest

from docgen.config import Settings
from docgen.generate import prepare
from docgen.render.fetcher import AssetFetcher, RefusedURL
from docgen.render.pdf import render_pdf

from conftest import REGISTRY
from readers import open_pdf


class CountingServer:
    """A TCP listener on loopback that counts the connections it is offered."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture()
def server():
    s = CountingServer()
    yield s
    s.close()


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "http://127.0.0.1:9/", "https://example.org/a.png", "ftp://127.0.0.1/x",
    "docgen-asset:fonts/../../../../etc/passwd", "docgen-asset:css/../../docgen/config.py", "docgen-asset:nope/x",
    "data:text/html,<script>1</script>", "/etc/passwd",
])
def test_fetcher_refuses(url: str):
    fetcher = AssetFetcher(Settings().template_dir / "html")
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)


def test_fetcher_serves_assets_and_inline_images():
    fetcher = AssetFetcher(Settings().template_dir / "html")
    assert fetcher.fetch("docgen-asset:fonts/FandolFang-Regular.otf").read()[:4] == b"OTTO"
    assert fetcher.fetch("docgen-asset:css/gbt9704.css").read().startswith(b"/*")
    assert fetcher.fetch("data:image/png;base64,iVBORw0KGgo=").read() == b"\x89PNG\r\n\x1a\n"


def test_hostile_template_and_data_fetch_nothing(tmp_path: Path, server: CountingServer):
    shutil.copytree(Settings().template_dir, tmp_path / "templates")
    base = f"http://127.0.0.1:{server.port}"
    hostile = tmp_path / "templates" / "html" / "opinion.html"
    hostile.write_text(hostile.read_text(encoding="utf-8").replace("{% block content %}", f"""{{% block content %}}
<link rel="stylesheet" href="{base}/a.css"><link rel="stylesheet" href="file:///etc/passwd">
<style>@import url("{base}/b.css"); @font-face {{ font-family: X; src: url("{base}/f.otf"); }}
.recipient {{ background: url("file:///etc/passwd"); font-family: X; }}</style>
<img src="file:///etc/passwd"><img src="{base}/c.png"><img src="http://127.0.0.1:9/d.png">
<img src="{{{{ recipient }}}}"><iframe src="file:///etc/hostname"></iframe>
<object data="file:///etc/passwd"></object>"""), encoding="utf-8")
    settings = Settings(template_dir=tmp_path / "templates")
    data = REGISTRY["opinion"].load_sample()
    data["recipient"] = f"{base}/from-data.png"
    _, context = prepare("opinion", data, settings)
    pdf = render_pdf("opinion.html", context, settings)
    assert server.connections == 0
    with open_pdf(pdf) as document:
        text = "".join(page.extract_text() or "" for page in document.pages)
    assert "root:" not in text
    _, clean_context = prepare("opinion", REGISTRY["opinion"].load_sample())
    clean = render_pdf("opinion.html", clean_context)
    assert pdf.count(b"/Subtype /Image") == clean.count(b"/Subtype /Image"), "no image came from outside"
