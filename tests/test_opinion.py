"""Rules specific to the 行政执法监督意见书."""

from __future__ import annotations

import base64
import io
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn

from docgen.doctypes.common import self_reference
from docgen.errors import InvalidData
from docgen.generate import generate, prepare

from readers import docx_paragraphs, pdf_body_text, squash

from conftest import REGISTRY


@pytest.fixture()
def data():
    return REGISTRY["opinion"].load_sample()


@pytest.mark.parametrize("deadline, due, phrase", [
    ({"kind": "date", "date": "2025-07-01"}, date(2025, 7, 1), "于2025年7月1日前完成整改"),
    # 30 days from 2025-09-08 end on Wed 10/8, inside the 国庆 holiday: moved to Thu 10/9.
    ({"kind": "days", "days": 30, "start_date": "2025-09-08"}, date(2025, 10, 9), "自收到本意见书之日起30日内（即2025年10月9日前）"),
    # 20 working days from Mon 6/9: 6/9–6/10 are 古尔邦节 in Xinjiang, so the count starts on 6/11.
    ({"kind": "working_days", "days": 20, "start_date": "2025-06-09"}, date(2025, 7, 8), "20个工作日内（即2025年7月8日前）"),
    # From the issue date Thu 6/5: 6/6–6/10 is 古尔邦节, so 6/11, 12, 13, 16, 17.
    ({"kind": "working_days", "days": 5}, date(2025, 6, 17), "5个工作日内（即2025年6月17日前）"),
])
def test_deadline_kinds(data, deadline, due, phrase):
    data["deadline"] = deadline
    _, context = prepare("opinion", data)
    assert context["deadline_due"] == due
    assert phrase in context["deadline_text"]
    assert context["warnings"] == []


def test_deadline_into_2027_is_computed_and_flagged(data):
    data.update(issue_date="2026-12-18", deadline={"kind": "working_days", "days": 10})
    data["doc_number"]["year"] = 2026
    result = generate("opinion", data)
    # 12/21–12/31 gives 9 working days; 2027 has no data, so Fri 1/1 counts as a working day.
    assert "即2027年1月1日前" in squash(pdf_body_text(result.files["pdf"]))
    assert any("2027年节假日数据缺失" in w for w in result.warnings)


@pytest.mark.parametrize("field, value, path, code", [
    ("deadline", {"kind": "days"}, "/deadline/days", "required"),
    ("deadline", {"kind": "date"}, "/deadline/date", "required"),
    ("deadline", {"kind": "weeks", "days": 3}, "/deadline/kind", "not_allowed"),
    ("deadline", {"kind": "date", "date": "2025-02-30"}, "/deadline/date", "bad_date"),
    ("deadline", {"kind": "date", "date": "2025-06-01"}, "/deadline/date", "date_order"),
    ("issue_date", "2026-01-05", "/doc_number/year", "year_mismatch"),
    ("problems", [], "/problems", "too_few"),
])
def test_business_rules(data, field, value, path, code):
    data[field] = value
    with pytest.raises(InvalidData) as info:
        prepare("opinion", data)
    assert (path, code) in {(i.path, i.code) for i in info.value.issues}


def test_problems_grouped_in_statutory_order(data):
    data["problems"] = [
        {"category": "三项制度", "description": "甲", "case_numbers": ["A1"]},
        {"category": "执法主体", "description": "乙", "case_numbers": ["B1", "B2"], "provisions": ["《X法》第一条"]},
        {"category": "三项制度", "description": "丙。", "case_numbers": ["C1"]},
    ]
    _, context = prepare("opinion", data)
    groups = context["problem_groups"]
    assert [g["ordinal"] + g["heading"] for g in groups] == ["（一）执法主体不合法", "（二）未落实行政执法“三项制度”"]
    assert groups[0]["entries"] == ["1.乙（涉及案卷：B1、B2；不符合《X法》第一条的规定）。"]
    assert groups[1]["entries"] == ["1.甲（涉及案卷：A1）。", "2.丙（涉及案卷：C1）。"]


@pytest.mark.parametrize("issuer, expected", [("昌吉市司法局", "我局"), ("某某委员会", "本机关"), ("城管执法队", "我队")])
def test_self_reference(issuer, expected):
    assert self_reference(issuer) == expected


def test_seal_floats_over_signature_in_docx_and_sits_in_pdf(data):
    seal = (REGISTRY["opinion"].samples[0].parent / "assets" / "sample-seal.png").read_bytes()
    data["signature"] = {"sealed": True, "seal_image": base64.b64encode(seal).decode()}
    result = generate("opinion", data)
    xml = Document(io.BytesIO(result.files["docx"])).element.xml
    assert "<wp:anchor" in xml and "<wp:inline" not in xml, "the seal floats, it does not push text"
    assert b"/Subtype /Image" in result.files["pdf"]


@pytest.mark.parametrize("payload, code", [("not base64!", "bad_base64"),
                                           (base64.b64encode(b"GIF89a" + b"\0" * 50).decode(), "bad_image")])
def test_bad_seal_image(data, payload, code):
    data["signature"] = {"seal_image": payload}
    with pytest.raises(InvalidData) as info:
        prepare("opinion", data)
    assert [(i.path, i.code) for i in info.value.issues] == [("/signature/seal_image", code)]


def test_unsealed_signature_geometry(data):
    data["signature"] = {"sealed": False}
    _, context = prepare("opinion", data)
    signature = context["signature"]
    # 昌吉市司法局 (6) and 2025年6月5日 (4 + 4 × 0.5 = 6): date is 右空二字, name starts two characters left of it.
    assert (signature["name_right"], signature["date_right"]) == (4.0, 2.0)
    sealed = prepare("opinion", {**data, "signature": {"sealed": True}})[1]["signature"]
    assert (sealed["name_right"], sealed["date_right"]) == (4.0, 4.0)


def test_attachments_and_imprint_lines(data):
    data["attachments"] = ["问题清单", "整改台账（样表）"]
    data["imprint"] = {"cc": ["昌吉市人民政府办公室"], "printer": "昌吉市司法局办公室"}
    result = generate("opinion", data)
    paragraphs = docx_paragraphs(result.files["docx"])
    assert "附件：1. 问题清单" in paragraphs and "\u3000\u3000\u30002. 整改台账（样表）" in paragraphs
    xml_text = "".join(t.text or "" for t in Document(io.BytesIO(result.files["docx"])).element.iter(qn("w:t")))
    assert "抄送：昌吉市人民政府办公室。" in xml_text  # in the 版记's text box
    pdf = squash(pdf_body_text(result.files["pdf"]))
    # 信函格式 (the 意见书's default): the 版记 has no 印发机关 and 印发日期 (GB/T 9704 10.1)
    assert "附件：1.问题清单" in pdf and "抄送：昌吉市人民政府办公室。" in pdf and "印发" not in pdf
    data["letterhead"] = "file"
    assert "2025年6月5日印发" in squash(pdf_body_text(generate("opinion", data).files["pdf"]))
