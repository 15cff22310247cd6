"""行政执法公示: the monthly notice, what it withholds, and a 200-case month."""

from __future__ import annotations

import io
import json

import pytest
from docx import Document
from docx.oxml.ns import qn

from docgen.errors import InvalidData
from docgen.generate import generate, prepare

from readers import docx_content, pdf_all_text, pdf_content, squash, without_repeated_headers, open_pdf

from conftest import REGISTRY, rendered

DISCLOSURE = REGISTRY["disclosure"]
LONG = next(p for p in DISCLOSURE.samples if p.stem == "disclosure-long")
# The long sample has one 执法机关 and no 公示期限 or 备注: those fold into the note under the table.
HEADER = ["序号", "决定书文号", "当事人", "统一社会信用代码", "法定代表人", "主要违法事实", "执法依据", "决定类别",
          "决定内容/罚没金额", "作出决定日期"]
MAX_PAGES_200_CASES = 34


@pytest.fixture()
def data():
    return DISCLOSURE.load_sample()


def test_empty_month_states_that_nothing_was_decided():
    empty = next(p for p in DISCLOSURE.samples if p.stem == "disclosure-empty")
    result = rendered(empty)
    expected = "2025年6月，昌吉市林业和草原综合行政执法大队未作出应当公示的行政执法决定。"
    assert expected in "".join(docx_content(result.files["docx"])[0])
    assert squash(expected) in pdf_all_text(result.files["pdf"])
    assert docx_content(result.files["docx"])[1] == [], "no empty table"


def test_restricted_cases_are_withheld_and_counted(data):
    result = generate("disclosure", data)
    assert "昌市监罚〔2025〕37号" not in pdf_all_text(result.files["pdf"])
    assert "昌市监罚〔2025〕37号" not in squash("".join(map("".join, docx_content(result.files["docx"])[1])))
    summary = result.summary
    assert summary["total"] == 6 and summary["published"] == 5
    assert summary["withheld"] == [{"index": 4, "decision_number": "昌市监罚〔2025〕37号", "reasons": ["当事人为未成年人"]}]
    assert summary["withheld_by_reason"] == {"当事人为未成年人": 1}


def test_late_cases_are_listed_internally_only(data):
    result = generate("disclosure", data)
    late = {row["decision_number"]: row for row in result.summary["late"]}
    # Decided Thu 6/5; 6/6–6/10 is 古尔邦节 in Xinjiang; 7 working days end on 6/19; published 6/27.
    assert late["昌市监罚〔2025〕31号"]["due"] == "2025-06-19" and late["昌市监罚〔2025〕31号"]["days_late"] == 8
    assert "昌市监罚〔2025〕36号" not in late, "decided 6/20, due 7/1: on time"
    assert "逾期" not in pdf_all_text(result.files["pdf"])


def test_other_decisions_have_twenty_working_days(data):
    data["cases"] = [dict(data["cases"][0], decision_type="行政强制", decision_date="2025-06-03")]
    assert generate("disclosure", data, ("docx",)).summary["late"] == []


def test_masking_in_every_column(data):
    _, context = prepare("disclosure", data)
    rows = {row["decision_number"]: row for row in context["cases"]}
    person = rows["昌市监罚〔2025〕33号"]
    assert person["party"] == "张某" and person["credit_code"] == "" and "张伟强" not in json.dumps(person, ensure_ascii=False)
    assert "652301198507152316" not in person["facts"] and "宁边西路" not in person["facts"]
    assert "经营场所位于昌吉市北京南路7号" in person["facts"]
    shop = rows["昌市监罚〔2025〕35号"]
    assert shop["legal_representative"] == "买某" and "6222" not in shop["facts"] and "买买提" not in shop["facts"]
    company = rows["昌市监罚〔2025〕31号"]
    assert company["party"] == "昌吉市某某商贸有限公司" and company["legal_representative"] == "王建国"
    assert company["credit_code"] == "91652301MA78XK2Q3T" and "13899912345" not in company["facts"]
    witness = rows["昌市监罚〔2025〕36号"]
    assert witness["party"] == "阿某" and "他人" in witness["facts"] and "欧阳" not in witness["facts"], "no trace of others"
    assert company["content"].endswith("罚没金额51,280.00元")


def test_masking_rules_are_configurable(data):
    data["masking"] = {"given_name": "某某", "transliterated": "first_part"}
    _, context = prepare("disclosure", data)
    parties = [row["party"] for row in context["cases"]]
    assert "张某某" in parties and "阿依古丽某某" in parties


def test_case_outside_the_month_is_refused(data):
    data["cases"][0]["decision_date"] = "2025-05-30"
    with pytest.raises(InvalidData) as info:
        prepare("disclosure", data)
    assert ("/cases/0/decision_date", "outside_period") in {(i.path, i.code) for i in info.value.issues}


def test_summary_through_api_and_cli(authed, runner, tmp_path, data):
    from docgen.cli import main

    response = authed.post("/api/v1/render/disclosure?format=summary", json=data)
    assert response.status_code == 200 and response.get_json()["summary"]["published"] == 5
    result = runner.invoke(main, ["render", "disclosure", str(DISCLOSURE.samples[0]), "-o", str(tmp_path), "--format", "pdf"])
    assert result.exit_code == 0
    summary = json.loads((tmp_path / "disclosure.summary.json").read_text(encoding="utf-8"))
    assert summary["withheld_by_reason"] == {"当事人为未成年人": 1}


@pytest.mark.slow
def test_two_hundred_cases_in_both_formats_with_the_header_on_every_page():
    result = rendered(LONG)
    data = json.loads(LONG.read_text(encoding="utf-8"))
    numbers = [c["decision_number"] for c in data["cases"] if not c.get("restrictions")]
    assert len(numbers) == 200
    docx = Document(io.BytesIO(result.files["docx"]))
    table = docx.tables[0]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None, "DOCX header row repeats"
    docx_rows = docx_content(result.files["docx"])[1]
    assert [row[1] for row in docx_rows[1:]] == [squash(n) for n in numbers]
    assert docx_rows[0] == HEADER
    _, pdf_rows = pdf_content(result.files["pdf"])
    assert [row[1] for row in without_repeated_headers(pdf_rows)[1:]] == [squash(n) for n in numbers]
    assert squash("注：执法机关均为昌吉市市场监督管理局；公示期限、备注栏均无内容，未列出。") in pdf_all_text(result.files["pdf"])
    with open_pdf(result.files["pdf"]) as pdf:
        table_pages = [page for page in pdf.pages if page.find_tables()]
        assert table_pages[0].page_number == 1, "the table starts on page 1"
        assert len(pdf.pages) <= MAX_PAGES_200_CASES
        for page in table_pages:
            header = [squash(cell or "") for cell in page.find_tables()[0].extract()[0]]
            assert header == HEADER, f"header missing on page {page.page_number}"
