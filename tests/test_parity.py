"""DOCX and PDF of the same input say the same thing, in the same order."""

from __future__ import annotations

from readers import assert_in_order, docx_paragraphs, pdf_body_text, pdf_pages

from conftest import rendered


def test_every_docx_paragraph_is_in_the_pdf_in_order(sample):
    _, path = sample
    result = rendered(path)
    paragraphs = docx_paragraphs(result.files["docx"])
    assert len(paragraphs) > 10
    assert_in_order(paragraphs, pdf_body_text(result.files["pdf"]))


def test_long_sample_spans_three_pages_or_more(doctype):
    longest = max(len(pdf_pages(rendered(p).files["pdf"])) for p in doctype.samples)
    assert longest >= 3


def test_no_template_tags_survive(sample):
    _, path = sample
    result = rendered(path)
    text = "".join(docx_paragraphs(result.files["docx"]))
    for tag in ("{{", "}}", "{%", "%}"):
        assert tag not in text
