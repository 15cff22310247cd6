"""DOCX and PDF of the same input say the same thing, in the same order."""

from __future__ import annotations

from readers import assert_same_content, docx_paragraphs, pdf_pages

from conftest import rendered


def test_every_docx_paragraph_is_in_the_pdf_in_order(sample):
    _, path = sample
    result = rendered(path)
    assert len(docx_paragraphs(result.files["docx"])) > 3
    assert_same_content(result.files["docx"], result.files["pdf"])


def test_long_sample_spans_three_pages_or_more(doctype):
    longest = max(len(pdf_pages(rendered(p).files["pdf"])) for p in doctype.samples)
    assert longest >= 3


def test_no_template_tags_survive(sample):
    _, path = sample
    result = rendered(path)
    text = "".join(docx_paragraphs(result.files["docx"]))
    for tag in ("{{", "}}", "{%", "%}"):
        assert tag not in text
