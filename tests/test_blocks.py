"""Blocks every type shares: signature and seal, 附件说明, 版记 — checked on every sample."""

from __future__ import annotations

import io
import json

import pytest
from docx import Document

from docgen.generate import generate

from readers import MM, docx_content, pdf_pages, squash, open_pdf

from conftest import REGISTRY, SAMPLES, rendered


def _signature_page(pdf: bytes, name: str, date_text: str):
    for page in reversed(pdf_pages(pdf)):
        text = squash(page.extract_text() or "")
        if squash(name + date_text) in text:
            return page, text
    raise AssertionError("signature not found")


def _assert_not_alone(pdf: bytes, name: str, date_text: str) -> None:
    page, text = _signature_page(pdf, name, date_text)
    before = text[: text.rfind(squash(name + date_text))]
    assert before.strip(), f"page {page.page_number} holds only the signature"


@pytest.mark.parametrize("sample_path", [p for _, p in SAMPLES], ids=[p.stem for _, p in SAMPLES])
def test_signature_never_alone_on_a_page(sample_path):
    result = rendered(sample_path)
    data = json.loads(sample_path.read_text(encoding="utf-8"))
    from docgen.dates import format_date_cn, parse_iso_date
    _assert_not_alone(result.files["pdf"], data["issuer"]["name"], format_date_cn(parse_iso_date(data["issue_date"])))


@pytest.mark.slow
@pytest.mark.parametrize("extra", range(0, 40, 3))
def test_signature_never_alone_whatever_the_length(extra):
    data = REGISTRY["opinion"].load_sample()
    data["opinions"] += [f"补充意见第{n}条：加强案卷管理，规范执法文书制作。" for n in range(extra)]
    result = generate("opinion", data, ("pdf",))
    _assert_not_alone(result.files["pdf"], "昌吉市司法局", "2025年6月5日")


def test_unsealed_signature_and_demo_seal(doctype):
    data = doctype.load_sample()
    data["signature"] = {"sealed": False}
    plain = generate(doctype.slug, data)
    assert b"/Subtype /Image" not in plain.files["pdf"]
    data["signature"] = {"sealed": True, "demo_seal": True}
    sealed = generate(doctype.slug, data)
    assert b"/Subtype /Image" in sealed.files["pdf"]
    xml = Document(io.BytesIO(sealed.files["docx"])).element.xml
    assert "<wp:anchor" in xml, "the seal floats over the signature"


@pytest.mark.parametrize("sample_path", [p for _, p in SAMPLES if "imprint" in json.loads(p.read_text("utf-8"))],
                         ids=[p.stem for _, p in SAMPLES if "imprint" in json.loads(p.read_text("utf-8"))])
def test_imprint_sits_on_the_bottom_of_the_last_page(sample_path):
    pdf = rendered(sample_path).files["pdf"]
    slug = next(s for s, p in SAMPLES if p == sample_path)
    letter = json.loads(sample_path.read_text("utf-8")).get("letterhead", REGISTRY[slug].letterhead) == "letter"
    with open_pdf(pdf) as document:
        last = document.pages[-1]
        bottom = last.height - (35 if last.height > last.width else 26) * MM
        rules = [r for r in last.rects + last.lines if r["width"] > 100 * MM]
        if letter:  # 信函格式: no rules, no 印发机关 and date (GB/T 9704 10.1); still at the foot of the block
            lines = last.extract_text_lines()
            assert not rules and "印发" not in (last.extract_text() or "")
            assert lines[-1]["text"].startswith("抄送") and lines[-1]["bottom"] == pytest.approx(bottom, abs=28.95)
            return
        assert rules, "版记 rules"
        assert max(r["bottom"] for r in rules) == pytest.approx(bottom, abs=1.5 * MM), "last rule on the block's bottom"
        assert "印发" in (last.extract_text() or "")


def test_attachment_note_lists_every_attachment(doctype):
    data = doctype.load_sample()
    if "attachments" not in doctype.schema["properties"]:
        pytest.skip("no attachments")
    data["attachments"] = ["甲表", "乙表"]
    paragraphs = docx_content(generate(doctype.slug, data, ("docx",)).files["docx"])[0]
    start = next(n for n, p in enumerate(paragraphs) if p.startswith("附件："))
    block = paragraphs[start:start + 4]
    numbered = [p.lstrip("\u3000").removeprefix("附件：") for p in block if "甲表" in p or "乙表" in p]
    assert len(numbered) == 2 and int(numbered[1][0]) == int(numbered[0][0]) + 1
