"""Supervision cases in the workspace (no browser): the dashboard for both roles, drafting from a case, the rule, XLSX."""

from __future__ import annotations

import copy
import io
import json
import re

from docgen.store.db import db_session
from docgen.store.models import Draft

from conftest import issuable, make_token
from test_ui import people, sign_in  # noqa: F401  (people is a fixture)
from webforms import csrf_token, post_form, read_form

MARKET = "昌吉市市场监督管理局"
TRANSPORT = "昌吉市交通运输局"
THIRD = {"category": "执法决定", "description": "处罚决定书未载明罚款的履行方式和期限",
         "case_numbers": ["昌市监罚〔2025〕18号"]}
CASE_LINK = re.compile(r'href="(/ui/cases/[0-9a-f]{32})">([^<]+)</a>')


def issue_opinion(people, settings, monkeypatch, recipient: str = MARKET,  # type: ignore[no-untyped-def]
                  deadline: dict | None = None, issue_date: str = "2025-06-05") -> str:
    """An 意见书 with three problems issued through the API (on 2025-06-05 unless told); returns its 文号."""
    monkeypatch.setenv("DOCGEN_TODAY", issue_date)
    data = issuable("opinion")
    data.update(recipient=recipient, issue_date=issue_date, problems=[*data["problems"], copy.deepcopy(THIRD)])
    data["doc_number"]["year"] = int(issue_date[:4])
    if deadline:
        data["deadline"] = deadline
    issued = people.test_client().post("/api/v1/documents", json={"type": "opinion", "data": data},
                                       headers=make_token(settings, "judicial"))
    assert issued.status_code == 201, issued.get_json()
    return issued.get_json()["number"]


def case_path(client, number: str) -> str:  # type: ignore[no-untyped-def]
    """The case page's path, found on the dashboard by the 意见书's 文号."""
    links = {text: path for path, text in CASE_LINK.findall(client.get("/ui/cases").get_data(as_text=True))}
    return links[number]


def section(html: str, key: str) -> str:
    """The markup of one dashboard section (overdue, due_soon, rest)."""
    found = re.search(rf'<section aria-labelledby="h-{key}">(.*?)</section>', html, re.S)
    return found.group(1) if found else ""


def press(client, path: str, button: str):  # type: ignore[no-untyped-def]
    """Press one of the case page's buttons (a form of its own, with the page's CSRF token)."""
    token = csrf_token(client.get(path).get_data(as_text=True))
    return client.post(f"{path}/{button}", data={"csrf_token": token})


def test_the_dashboard_for_the_judicial_and_for_a_unit(people, settings, monkeypatch):
    market_number = issue_opinion(people, settings, monkeypatch)
    transport_number = issue_opinion(people, settings, monkeypatch, TRANSPORT, {"kind": "date", "date": "2025-06-20"})
    monkeypatch.setenv("DOCGEN_TODAY", "2025-06-16")
    clerk = sign_in(people, "clerk")
    home = clerk.get("/ui/").get_data(as_text=True)
    assert 'href="/ui/cases">监督案件</a>' in home, "the menu leads to the cases"
    page = clerk.get("/ui/cases").get_data(as_text=True)
    assert transport_number in section(page, "due_soon") and "剩 4 个工作日" in section(page, "due_soon")
    assert market_number in section(page, "rest") and "整改中" in section(page, "rest")
    assert "暂无此类案件" in section(page, "overdue") and "2025年6月16日" in page
    units = section(page, "units")
    assert MARKET in units and TRANSPORT in units and "各单位未结案件" in units
    only = clerk.get("/ui/cases?show=due_soon").get_data(as_text=True)
    assert transport_number in only and market_number not in only
    assert clerk.get("/ui/cases?show=everything").status_code == 400
    market = sign_in(people, "market")
    own = market.get("/ui/cases").get_data(as_text=True)
    assert market_number in own and transport_number not in own and "各单位未结案件" not in own
    assert sign_in(people, "transport").get(case_path(clerk, market_number)).status_code == 404
    monkeypatch.setenv("DOCGEN_TODAY", "2025-07-20")
    late = clerk.get("/ui/cases").get_data(as_text=True)
    overdue = section(late, "overdue")
    assert market_number in overdue and transport_number in overdue and "逾期未报告" in overdue
    assert re.search(r"已逾期 \d+ 个工作日", overdue)


def test_the_unit_drafts_its_report_from_the_case_and_issues_it_there(people, settings, monkeypatch):
    number = issue_opinion(people, settings, monkeypatch)
    monkeypatch.setenv("DOCGEN_TODAY", "2025-06-20")
    market = sign_in(people, "market")
    path = case_path(market, number)
    case_page = market.get(path).get_data(as_text=True)
    assert "起草整改报告" in case_page and "起草监督决定书" not in case_page and "登记复查结果" not in case_page
    drafted = press(market, path, "report")
    assert drafted.status_code == 303 and re.fullmatch(r"/ui/drafts/[0-9a-f]{32}", drafted.headers["Location"])
    editor = market.get(drafted.headers["Location"]).get_data(as_text=True)
    fields = dict(read_form(editor).fields)
    assert fields["opinion.doc_number"] == number and f'class="fixed">{MARKET}</output>' in editor
    descriptions = [fields[f"ledger.{n}.description"] for n in range(3)]
    assert descriptions[2] == THIRD["description"] and "ledger.3.description" not in fields, "one row per problem"
    with db_session(settings) as db:
        draft = db.get(Draft, drafted.headers["Location"].rsplit("/", 1)[1])
        assert draft.case_id == path.rsplit("/", 1)[1] and draft.doc_type == "rectification"
    completed = {"signer": "李明", "mechanisms.0": "建立案卷评查长效机制", "doc_number.seq": ""}
    for n in range(3):
        completed.update({f"ledger.{n}.measures": "逐卷复查并补正", f"ledger.{n}.owner": "法制科 张伟",
                          f"ledger.{n}.progress": "已完成（附复查记录）", f"ledger.{n}.status": "已完成"})
    issued = post_form(market, editor, "issue", changes=completed)
    assert issued.status_code == 302, issued.get_data(as_text=True)[:800]
    shown = market.get(path).get_data(as_text=True)
    assert "已报告" in shown and "已按期报告" in shown and "整改报告</td>" in shown, "the report joined the case"
    monkeypatch.setenv("DOCGEN_TODAY", "2025-08-01")
    refused = press(sign_in(people, "clerk"), path, "decision")
    assert refused.status_code == 409 and "reported_in_time" in refused.get_data(as_text=True)


def test_the_decision_is_drafted_only_once_the_deadline_has_passed(people, settings, monkeypatch):
    number = issue_opinion(people, settings, monkeypatch)
    monkeypatch.setenv("DOCGEN_TODAY", "2025-06-20")
    clerk = sign_in(people, "clerk")
    path = case_path(clerk, number)
    early = press(clerk, path, "decision")
    html = early.get_data(as_text=True)
    assert early.status_code == 409 and "尚未届满，不能制发监督决定书" in html and "deadline_not_passed" in html
    assert 'role="alert"' in html and "整改中" in html, "the refusal is shown on the case's page"
    assert press(sign_in(people, "market"), path, "decision").status_code == 403
    monkeypatch.setenv("DOCGEN_TODAY", "2025-07-20")
    assert "逾期未报告" in clerk.get(path).get_data(as_text=True)
    drafted = press(clerk, path, "decision")
    assert drafted.status_code == 303, drafted.get_data(as_text=True)[:500]
    fields = dict(read_form(clerk.get(drafted.headers["Location"]).get_data(as_text=True)).fields)
    assert fields["issuer.name"] == "昌吉市人民政府" and fields["recipient"] == MARKET
    assert fields["opinion.doc_number"] == number and fields["opinion.outcome"] == "未整改"
    assert fields["opinion.deadline_date"] and number in fields["facts.0"] and "逾期未报告" in fields["facts.0"]
    assert any(THIRD["description"] in value for key, value in fields.items() if key.startswith("facts."))


def decide(people, settings, case_id: str) -> None:  # type: ignore[no-untyped-def]
    """The city government's decision in the case, through the API (the 复查 follows a report or a decision)."""
    api, judicial = people.test_client(), make_token(settings, "judicial")
    data = api.post(f"/api/v1/cases/{case_id}/drafts/decision", headers=judicial).get_json()["data"]
    data["reasons"] = ["逾期未整改，依法作出本决定"]
    issued = api.post("/api/v1/documents", json={"type": "decision", "data": data, "case_id": case_id}, headers=judicial)
    assert issued.status_code == 201, issued.get_json()


def test_the_review_closes_the_case(people, settings, monkeypatch):
    number = issue_opinion(people, settings, monkeypatch)
    monkeypatch.setenv("DOCGEN_TODAY", "2025-07-20")
    clerk = sign_in(people, "clerk")
    path = case_path(clerk, number)
    early = press(clerk, path, "review")  # before any report or decision there is nothing to review
    assert early.status_code in (400, 409)
    decide(people, settings, path.rsplit("/", 1)[1])
    token = csrf_token(clerk.get(path).get_data(as_text=True))
    empty = clerk.post(path + "/review", data={"csrf_token": token, "result": " ", "reviewed_on": "2025-07-20"})
    assert empty.status_code == 400 and "请填写复查结果" in empty.get_data(as_text=True)
    market = sign_in(people, "market")
    forbidden = market.post(path + "/review", data={"csrf_token": csrf_token(market.get(path).get_data(as_text=True)),
                                                    "result": "已整改", "reviewed_on": "2025-07-20"})
    assert forbidden.status_code == 403
    saved = clerk.post(path + "/review", data={"csrf_token": token, "result": "经复查，整改到位", "reviewed_on": "2025-07-20"})
    assert saved.status_code == 303
    page = clerk.get(saved.headers["Location"]).get_data(as_text=True)
    assert "复查结果已登记" in page and "经复查，整改到位（2025年7月20日）" in page and "已复查" in page
    assert 'id="review-form"' not in page and "起草监督决定书" not in page, "a reviewed case is closed"


def test_the_cases_download_as_xlsx(people, settings, monkeypatch):
    from openpyxl import load_workbook
    number = issue_opinion(people, settings, monkeypatch)
    monkeypatch.setenv("DOCGEN_TODAY", "2025-07-20")
    clerk = sign_in(people, "clerk")
    assert 'href="/ui/cases.xlsx"' in clerk.get("/ui/cases").get_data(as_text=True)
    answer = clerk.get("/ui/cases.xlsx")
    assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
    assert "2025-07-20.xlsx" in answer.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(answer.get_data())).worksheets[0].iter_rows(values_only=True))
    assert any(number in row and "逾期未报告" in row for row in rows), rows
    unit_rows = sign_in(people, "transport").get("/ui/cases.xlsx").get_data()
    assert number not in json.dumps([list(r) for r in load_workbook(io.BytesIO(unit_rows)).worksheets[0]
                                     .iter_rows(values_only=True)], ensure_ascii=False, default=str)


def test_a_deadline_in_a_year_without_holiday_data_is_warned_not_fatal(people, settings, monkeypatch):
    number = issue_opinion(people, settings, monkeypatch, deadline={"kind": "working_days", "days": 20},
                           issue_date="2026-12-21")
    clerk = sign_in(people, "clerk")
    page = clerk.get("/ui/cases").get_data(as_text=True)
    assert number in page and "日历提示" in page and "2027年节假日数据缺失" in page
    case = clerk.get(case_path(clerk, number)).get_data(as_text=True)
    assert "2027年节假日数据缺失" in case and "剩 " in case
