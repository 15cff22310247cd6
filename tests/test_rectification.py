"""整改报告: the upward header, the four sections, the ledger as a landscape attachment."""

from __future__ import annotations

import io

import pytest
from docx import Document

from docgen.errors import InvalidData
from docgen.generate import generate, prepare

from readers import MM, docx_content, pdf_all_text, squash, open_pdf

from conftest import REGISTRY


@pytest.fixture()
def data():
    return REGISTRY["rectification"].load_sample()


@pytest.mark.parametrize("missing", ["reason", "committed_date"])
def test_unfinished_item_needs_reason_and_date(data, missing):
    item = next(i for i in data["ledger"] if i["status"] == "整改中")
    del item[missing]
    index = data["ledger"].index(item)
    with pytest.raises(InvalidData) as info:
        REGISTRY["rectification"].validate(data)
    assert (f"/ledger/{index}/{missing}", "required") in {(i.path, i.code) for i in info.value.issues}


def test_finished_item_needs_neither(data):
    item = next(i for i in data["ledger"] if i["status"] == "已完成")
    assert "reason" not in item
    REGISTRY["rectification"].validate(data)


def test_sections_and_closing(data):
    _, context = prepare("rectification", data)
    assert context["title"] == "关于落实昌司执监意〔2025〕7号行政执法监督意见书整改情况的报告"
    assert context["unfinished"][0].startswith("1.处罚决定书未载明罚款的履行方式和期限：尚未完成，原因是当事人外出务工")
    assert context["ledger_summary"] == "共4项，其中已完成2项、整改中1项、长期坚持1项。"
    result = generate("rectification", data)
    text = pdf_all_text(result.files["pdf"])
    headings = ["一、整改工作总体情况", "二、逐项整改落实情况", "三、尚未完成事项及原因、完成时限", "四、长效机制和下一步工作",
                "特此报告。", "附件：整改台账"]
    positions = [text.find(squash(h)) for h in headings]
    assert -1 not in positions and positions == sorted(positions)


def test_upward_header_has_number_left_and_signer_right(data):
    result = generate("rectification", data)
    with open_pdf(result.files["pdf"]) as pdf:
        words = pdf.pages[0].extract_words()
    number = next(w for w in words if w["text"].startswith("昌市监"))
    signer = next(w for w in words if "签发人" in w["text"])
    assert abs(number["top"] - signer["top"]) < 2, "same line"
    assert number["x0"] == pytest.approx(28 * MM + 16, abs=1 * MM), "文号 one character in from the left"
    assert signer["x1"] > 150 * MM, "签发人 at the right"
    docx_number = docx_content(result.files["docx"])[0][1]
    assert docx_number.startswith("昌市监〔2025〕45号") and docx_number.endswith("签发人：李明")


def test_ledger_starts_a_landscape_page_with_its_heading(data):
    result = generate("rectification", data)
    with open_pdf(result.files["pdf"]) as pdf:
        landscape = [p for p in pdf.pages if p.width > p.height]
        assert landscape, "the ledger is on landscape pages"
        first = landscape[0]
        lines = (first.extract_text() or "").splitlines()
        assert lines[0] == "附件" and squash(lines[1]) == "整改台账"
        portrait_text = "".join(p.extract_text() or "" for p in pdf.pages if p.width < p.height)
    assert "问题来源" not in portrait_text
    document = Document(io.BytesIO(result.files["docx"]))
    assert document.sections[-1].page_width > document.sections[-1].page_height


def test_long_ledger_repeats_its_header_on_every_page():
    from docx.oxml.ns import qn

    from conftest import rendered
    from readers import pdf_pages

    long_report = next(p for p in REGISTRY["rectification"].samples if p.stem == "rectification-long")
    result = rendered(long_report)
    ledger = Document(io.BytesIO(result.files["docx"])).tables[0]
    assert ledger.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None, "DOCX header row repeats"
    pages = [p for p in pdf_pages(result.files["pdf"]) if p.width > p.height and p.find_tables()]
    assert len(pages) >= 3
    for page in pages:
        header = [squash(cell or "") for cell in page.find_tables()[0].extract()[0]]
        assert header[:4] == ["序号", "问题来源", "问题类别", "问题描述"], f"page {page.page_number}"
