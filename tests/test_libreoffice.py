"""LibreOffice, a real DOCX reader, opens every rendered DOCX and reads the same content.

LibreOffice exports each DOCX as XHTML: its text export drops floating tables (the 版记),
and its PDF export drops a full-width comma that would hang at a line end.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import lxml.html
import pytest

from docgen.fonts import FONT_DIR

from readers import assert_in_order, docx_text_blocks, open_pdf, squash, visible

from conftest import SAMPLES, rendered

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
MISSING = "未安装 LibreOffice（soffice）：以 root 运行 make test 会自动安装 libreoffice-writer-nogui"
if SOFFICE is None and os.environ.get("DOCGEN_REQUIRE_SOFFICE"):
    raise RuntimeError(MISSING)  # CI sets DOCGEN_REQUIRE_SOFFICE: there a missing reader is a failure, not a skip
pytestmark = [pytest.mark.slow, pytest.mark.skipif(SOFFICE is None, reason=MISSING)]


def convert(files: list[Path], target: str, outdir: Path) -> None:
    """One soffice run for all files, with its own profile and the bundled fonts."""
    profile = outdir / "profile"
    env = {**os.environ, "FONTCONFIG_FILE": str(FONT_DIR / "fonts.conf"), "HOME": str(outdir)}
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", target, "--outdir", str(outdir), *map(str, files)],
        check=True, capture_output=True, timeout=300, env=env,
    )


def convert_samples(outdir: Path, target: str) -> Path:
    """Every sample's DOCX written to ``outdir`` and converted there by one soffice run."""
    files = []
    for _, path in SAMPLES:
        docx = outdir / f"{path.stem}.docx"
        docx.write_bytes(rendered(path).files["docx"])
        files.append(docx)
    convert(files, target, outdir)
    return outdir


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> Path:
    return convert_samples(tmp_path_factory.mktemp("lo"), "html:XHTML Writer File:UTF8")


@pytest.mark.parametrize("sample_path", [p for _, p in SAMPLES], ids=[p.stem for _, p in SAMPLES])
def test_libreoffice_reads_the_same_content(converted: Path, sample_path: Path):
    html_file = converted / f"{sample_path.stem}.html"
    assert html_file.is_file(), "LibreOffice could not convert the DOCX"
    text = visible("".join(lxml.html.fromstring(html_file.read_bytes()).body.itertext()))
    assert_in_order(docx_text_blocks(rendered(sample_path).files["docx"]), text)


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory) -> Path:
    """Every sample's DOCX laid out by LibreOffice into a PDF (with the bundled fonts)."""
    return convert_samples(tmp_path_factory.mktemp("lo-pdf"), "pdf")


TYPICAL = [(slug, path) for slug, path in SAMPLES if "-long" not in path.stem]


@pytest.mark.parametrize("sample", TYPICAL, ids=[p.stem for _, p in TYPICAL])
def test_docx_and_pdf_have_the_same_pages(laid_out: Path, sample):
    """Lines break alike (28 characters, the same tokens kept whole), so the typical samples paginate alike.

    The long samples may differ by a page: LibreOffice 7.4 adds space around digits (it ignores
    w:autoSpaceDE/DN) and reads the document grid differently; Word and WPS do not."""
    _, path = sample
    with open_pdf((laid_out / f"{path.stem}.pdf").read_bytes()) as lo, open_pdf(rendered(path).files["pdf"]) as ours:
        assert len(lo.pages) == len(ours.pages)


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for _, p in SAMPLES])
def test_no_page_holds_only_the_signature_in_libreoffice(laid_out: Path, sample):
    """GB/T 9704 7.3.5 in the DOCX too: the page with 署名 and 日期 holds text of the body above them."""
    from docgen.dates import format_date_cn, parse_iso_date
    _, path = sample
    data = json.loads(path.read_text("utf-8"))
    signature = squash(data["issuer"]["name"] + format_date_cn(parse_iso_date(data["issue_date"])))
    with open_pdf((laid_out / f"{path.stem}.pdf").read_bytes()) as lo:
        pages = [squash(page.extract_text() or "") for page in lo.pages]
    [page] = [text for text in pages if signature in text][-1:]
    before = page[: page.rfind(signature)]
    assert len(before) > 10, f"the signature's page holds only {before!r}"
