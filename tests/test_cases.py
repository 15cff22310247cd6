"""Supervision cases through the API: 意见书 → 整改报告 or 逾期 → 决定书 → 复查, with the rules and the deadlines."""

from __future__ import annotations

import copy
import io
import json

import pytest

from conftest import issuable, make_token

UNIT = "昌吉市市场监督管理局"
THIRD = {"category": "执法决定", "description": "处罚决定书未载明罚款的履行方式和期限",
         "case_numbers": ["昌市监罚〔2025〕18号"]}


@pytest.fixture()
def unit_token(settings, app):
    return make_token(settings, "unit", UNIT)


def issue_opinion(client, judicial, monkeypatch, today: str = "2025-06-05", deadline: dict | None = None) -> dict:
    monkeypatch.setenv("DOCGEN_TODAY", today)
    data = issuable("opinion")
    data["problems"] = data["problems"] + [copy.deepcopy(THIRD)]
    data["issue_date"] = today
    data["doc_number"]["year"] = int(today[:4])
    if deadline:
        data["deadline"] = deadline
    response = client.post("/api/v1/documents", json={"type": "opinion", "data": data}, headers=judicial)
    assert response.status_code == 201, response.get_json()
    cases = client.get("/api/v1/cases", headers=judicial).get_json()["items"]
    return next(c for c in cases if c["opinion_document_id"] == response.get_json()["id"])


def completed_report(draft: dict) -> dict:
    data = copy.deepcopy(draft)
    data.update(signer="李明", mechanisms=["建立案卷评查长效机制"])
    for row in data["ledger"]:
        row.update(measures="逐卷复查并补正", owner="法制科 张伟", progress="已完成（附复查记录）", status="已完成")
    return data


def test_the_procedure_through_the_api(client, judicial, unit_token, settings, monkeypatch):
    case = issue_opinion(client, judicial, monkeypatch)
    assert case["state"] == "rectifying" and case["unit"] == UNIT and case["working_days_left"] > 0
    assert [c["id"] for c in client.get("/api/v1/cases", headers=unit_token).get_json()["items"]] == [case["id"]]
    other = make_token(settings, "unit", "昌吉市交通运输局")
    assert client.get("/api/v1/cases", headers=other).get_json()["items"] == []
    assert client.get(f"/api/v1/cases/{case['id']}", headers=other).status_code == 404
    early = client.post(f"/api/v1/cases/{case['id']}/drafts/decision", headers=judicial)
    assert early.status_code == 409 and early.get_json()["code"] == "deadline_not_passed"
    draft = client.post(f"/api/v1/cases/{case['id']}/drafts/report", headers=unit_token).get_json()
    assert draft["type"] == "rectification"
    ledger = draft["data"]["ledger"]
    assert [(row["category"], row["description"]) for row in ledger][-1] == (THIRD["category"], THIRD["description"])
    assert len(ledger) == 3 and draft["data"]["opinion"]["doc_number"] == case["opinion_number"]
    report = completed_report(draft["data"])
    short = copy.deepcopy(report)
    short["ledger"] = short["ledger"][:2]
    refused = client.post("/api/v1/documents", json={"type": "rectification", "data": short, "case_id": case["id"]},
                          headers=unit_token)
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["code"] == "ledger_incomplete"
    monkeypatch.setenv("DOCGEN_TODAY", "2025-06-20")
    report["issue_date"] = "2025-06-20"
    issued = client.post("/api/v1/documents", json={"type": "rectification", "data": report, "case_id": case["id"]},
                         headers=unit_token)
    assert issued.status_code == 201, issued.get_json()
    shown = client.get(f"/api/v1/cases/{case['id']}", headers=judicial).get_json()
    assert shown["state"] == "reported" and shown["report_in_time"] is True
    assert [d["role"] for d in shown["documents"]] == ["opinion", "report"]
    monkeypatch.setenv("DOCGEN_TODAY", "2025-08-01")
    in_time = client.post(f"/api/v1/cases/{case['id']}/drafts/decision", headers=judicial)
    assert in_time.status_code == 409 and in_time.get_json()["code"] == "reported_in_time"
    reviewed = client.post(f"/api/v1/cases/{case['id']}/review", json={"result": "经复查，整改到位"}, headers=judicial)
    assert reviewed.status_code == 200 and reviewed.get_json()["state"] == "reviewed"


def test_an_overdue_case_gets_its_decision_once(client, judicial, unit_token, monkeypatch):
    case = issue_opinion(client, judicial, monkeypatch)
    monkeypatch.setenv("DOCGEN_TODAY", "2025-08-01")
    overdue = client.get("/api/v1/cases?state=overdue", headers=judicial).get_json()
    assert [c["id"] for c in overdue["items"]] == [case["id"]]
    assert overdue["items"][0]["state_text"] == "逾期未报告" and overdue["items"][0]["working_days_left"] < 0
    assert overdue["by_unit"][0] == {"unit": UNIT, "open": 1, "overdue": 1, "due_soon": 0}
    draft = client.post(f"/api/v1/cases/{case['id']}/drafts/decision", headers=judicial).get_json()["data"]
    assert draft["recipient"] == UNIT and draft["opinion"]["doc_number"] == case["opinion_number"]
    assert draft["opinion"]["deadline_date"] == case["deadline"] and draft["opinion"]["outcome"] == "未整改"
    assert case["opinion_number"] in draft["facts"][0] and len(draft["facts"]) == 1 + 3
    assert len(draft["decisions"]) == 3
    draft["reasons"] = ["逾期未整改，依法作出本决定"]
    draft["issue_date"] = "2025-08-01"
    issued = client.post("/api/v1/documents", json={"type": "decision", "data": draft, "case_id": case["id"]},
                         headers=judicial)
    assert issued.status_code == 201, issued.get_json()
    assert client.get(f"/api/v1/cases/{case['id']}", headers=judicial).get_json()["state"] == "decided"
    again = client.post("/api/v1/documents", json={"type": "decision", "data": draft, "case_id": case["id"]},
                        headers=judicial)
    assert again.status_code == 409 and again.get_json()["code"] == "already_decided"
    wrong = copy.deepcopy(draft)
    wrong["opinion"]["deadline_date"] = "2025-07-30"
    assert client.post(f"/api/v1/cases/{case['id']}/drafts/report", headers=unit_token).status_code == 200


def test_a_decision_before_the_deadline_is_refused(client, judicial, monkeypatch):
    case = issue_opinion(client, judicial, monkeypatch)
    data = issuable("decision")
    data["recipient"] = UNIT
    data["opinion"].update(doc_number=case["opinion_number"], deadline_date=case["deadline"])
    refused = client.post("/api/v1/documents", json={"type": "decision", "data": data, "case_id": case["id"]},
                          headers=judicial)
    assert refused.status_code == 409 and refused.get_json()["code"] == "deadline_not_passed"


def test_working_days_across_a_holiday_and_into_a_year_without_data(client, judicial, monkeypatch):
    national_day = issue_opinion(client, judicial, monkeypatch, today="2025-09-26",
                                 deadline={"kind": "date", "date": "2025-10-10"})
    # After 2025-09-26 up to 2025-10-10: 28 Sep (a make-up working Sunday), 29, 30 Sep, then 国庆中秋 1–8 Oct
    # are rest days, then 9 and 10 Oct: five working days (a weekday count would say ten).
    assert national_day["working_days_left"] == 5, national_day
    case = issue_opinion(client, judicial, monkeypatch, today="2026-12-21", deadline={"kind": "date", "date": "2027-01-15"})
    assert case["working_days_left"] > 0
    assert any("2027" in warning for warning in case["warnings"])  # no 2027 data: warned, not crashed


def test_the_case_list_as_xlsx(client, judicial, monkeypatch):
    from openpyxl import load_workbook
    issue_opinion(client, judicial, monkeypatch)
    response = client.get("/api/v1/cases/export.xlsx", headers=judicial)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book["监督案件"]["B2"].value.startswith("昌司执监意") and book["各单位"]["A2"].value == UNIT


def test_the_rules_hold_without_a_case_id_and_for_retries(client, judicial, unit_token, monkeypatch):
    case = issue_opinion(client, judicial, monkeypatch)
    data = issuable("decision")
    data["recipient"] = UNIT
    data["opinion"]["doc_number"] = case["opinion_number"]  # its other dates as typed (valid on their own)
    early = client.post("/api/v1/documents", json={"type": "decision", "data": data}, headers=judicial)
    assert early.status_code == 409 and early.get_json()["code"] == "deadline_not_passed"  # found by its 意见书
    monkeypatch.setenv("DOCGEN_TODAY", "2025-07-20")
    late = completed_report(client.post(f"/api/v1/cases/{case['id']}/drafts/report", headers=unit_token).get_json()["data"])
    late["issue_date"] = case["deadline"]  # dated on the deadline, received after it
    late["ledger"][2].update(status="整改中", reason="当事人外出，尚未重新送达", committed_date="2025-08-15")
    assert client.post("/api/v1/documents", json={"type": "rectification", "data": late},
                       headers=unit_token).status_code == 201
    shown = client.get(f"/api/v1/cases/{case['id']}", headers=judicial).get_json()
    assert shown["state"] == "reported" and shown["report_in_time"] is False
    draft = client.post(f"/api/v1/cases/{case['id']}/drafts/decision", headers=judicial).get_json()["data"]
    assert len(draft["decisions"]) == 1 and draft["opinion"]["outcome"] == "整改不到位"  # the one still 整改中
    draft.update(reasons=["整改不到位"], issue_date="2025-07-20")
    body = {"type": "decision", "data": draft, "case_id": case["id"]}
    first = client.post("/api/v1/documents", json=body, headers={**judicial, "Idempotency-Key": "d-1"})
    again = client.post("/api/v1/documents", json=body, headers={**judicial, "Idempotency-Key": "d-1"})
    assert (first.status_code, again.status_code) == (201, 200), (first.get_json()["errors"], again.get_json())
    assert first.get_json()["id"] == again.get_json()["id"]
    assert client.post(f"/api/v1/cases/{case['id']}/drafts/decision", headers=unit_token).status_code == 403


def test_only_the_judicial_side_s_opinions_open_cases_and_a_void_one_closes_its_case(client, judicial, unit_token,
                                                                                      monkeypatch):
    case = issue_opinion(client, judicial, monkeypatch)
    void = client.post(f"/api/v1/documents/{case['opinion_document_id']}/void", json={"reason": "文号有误，重新制发"},
                       headers=judicial)
    assert void.status_code == 200, void.get_json()
    shown = client.get(f"/api/v1/cases/{case['id']}", headers=judicial).get_json()
    assert shown["state"] == "withdrawn" and shown["state_text"] == "已撤回"
    report = completed_report(client.post(f"/api/v1/cases/{case['id']}/drafts/report", headers=unit_token).get_json()["data"])
    refused = client.post("/api/v1/documents", json={"type": "rectification", "data": report, "case_id": case["id"]},
                          headers=unit_token)
    assert refused.status_code == 409 and refused.get_json()["code"] == "case_withdrawn"
    own = issuable("opinion")
    own.update(issuer={"name": UNIT}, recipient="昌吉市交通运输局")
    own["doc_number"] = {"organ_code": "昌市监", "year": 2025}
    assert client.post("/api/v1/documents", json={"type": "opinion", "data": own}, headers=unit_token).status_code == 201
    assert [c["id"] for c in client.get("/api/v1/cases", headers=judicial).get_json()["items"]] == [case["id"]]


def test_bad_case_ids_are_refused_with_a_reason(client, judicial):
    for case_id in ("\ud800", "x" * 33, 7, "a/b"):
        body = json.dumps({"type": "decision", "data": issuable("decision"), "case_id": case_id})  # \ud800 escaped
        response = client.post("/api/v1/documents", data=body, content_type="application/json", headers=judicial)
        assert response.status_code == 422 and response.get_json()["errors"][0]["path"] == "/case_id"
