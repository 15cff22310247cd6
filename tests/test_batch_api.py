"""The batch over HTTP: upload → 202 + batch, progress, the streamed ZIP; who has published the month."""

from __future__ import annotations

import dataclasses
import io
import zipfile

import pytest

from docgen import create_app
from docgen.jobs.runner import run_queued

from conftest import issuable, make_token

HEADERS = "执法单位,决定书文号,决定类别,当事人,当事人类型,违法事实,决定日期,罚没金额,限制公开情形,身份证号\n"
ROWS = [
    "昌吉市市场监督管理局,昌市监罚〔2025〕40号,行政处罚,张伟强,自然人,当事人张伟强无证经营。,2025-06-05,2000,,652301198507152316",
    "昌吉市市场监督管理局,昌市监罚〔2025〕41号,行政处罚,李某某,自然人,当事人系未成年人。,2025-06-06,,未成年人,",
    "昌吉市交通运输局,昌交罚〔2025〕7号,行政处罚,昌吉市某某物流有限公司,法人,超限运输。,2025/6/9,500,,",
    "昌吉市交通运输局,昌交罚〔2025〕7号,行政处罚,昌吉市某某物流有限公司,法人,超限运输。,2025/6/9,500,,",
    "昌吉市不存在局,昌不罚〔2025〕1号,行政处罚,王某,自然人,事实。,2025-06-09,,,",
    "昌吉市交通运输局,昌交罚〔2025〕8号,行政处罚,,法人,事实。,2025-06-31,,,",
]


def gbk_csv(rows: list[str] = ROWS) -> bytes:
    return (HEADERS + "\n".join(rows) + "\n").encode("gbk")


@pytest.fixture()
def quiet_app(settings, app):
    """The app with no job threads: the test runs the queued batch itself, then polls."""
    return create_app({"TESTING": True, "DOCGEN_SETTINGS": dataclasses.replace(settings, job_threads=0, batch_processes=1)})


def upload(client, headers, content: bytes = b"", name: str = "cases.csv", **form):
    data = {"month": "2025-06", **form}
    if content or name:
        data["file"] = (io.BytesIO(content), name)
    return client.post("/api/v1/batches/disclosure", data=data, headers=headers, content_type="multipart/form-data")


def test_an_upload_becomes_a_batch_whose_zip_accounts_for_every_row(quiet_app, settings, judicial):
    client = quiet_app.test_client()
    response = upload(client, judicial, gbk_csv())
    assert response.status_code == 202, response.get_json()
    batch = response.get_json()
    assert response.headers["Location"] == f"/api/v1/batches/{batch['id']}"
    assert batch["state"] == "planning" and batch["period"] == "2025-06"
    early = client.get(batch["links"]["result"], headers=judicial)
    assert early.status_code == 409 and early.get_json()["code"] == "batch_not_done"
    run_queued(quiet_app.config["DOCGEN_SETTINGS"])
    shown = client.get(response.headers["Location"], headers=judicial).get_json()
    assert shown["state"] == "done", shown["error"]
    assert {k: shown["counts"][k] for k in ("rows", "published", "withheld", "rejected", "duplicate")} == {
        "rows": 6, "published": 2, "withheld": 1, "rejected": 2, "duplicate": 1}
    assert {r["row"]: r["code"] for r in shown["rejected"]} == {6: "unknown_unit", 7: "invalid_date"}
    assert shown["progress"]["done"] == shown["progress"]["total"] == 4  # every enforcement unit of the registry
    result = client.get(batch["links"]["result"], headers=judicial)
    assert result.status_code == 200 and result.mimetype == "application/zip"
    assert "filename*=UTF-8''2025" in result.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(result.data)) as archive:
        names = archive.namelist()
        csv_text = archive.read("公示数据.csv").decode("utf-8-sig")
    assert "昌吉市交通运输局/昌吉市交通运输局-2025年6月-行政执法公示.pdf" in names
    assert "昌吉市林业和草原综合行政执法大队/昌吉市林业和草原综合行政执法大队-2025年6月-行政执法公示.docx" in names
    assert "张某" in csv_text and "张伟强" not in csv_text and "652301198507152316" not in csv_text
    assert "昌市监罚〔2025〕41号" not in csv_text  # a minor's case is withheld


def test_batches_are_the_judicial_side_s(quiet_app, settings):
    client = quiet_app.test_client()
    unit = make_token(settings, "unit", "昌吉市交通运输局")
    assert upload(client, unit, gbk_csv()).status_code == 403
    assert client.get("/api/v1/batches", headers=unit).status_code == 403


@pytest.mark.parametrize("form, content, name, status, code", [
    ({}, b"", "", 400, "missing_file"),
    ({"month": "2025-13"}, HEADERS.encode(), "cases.csv", 400, "invalid_month"),
    ({}, b"PK\x03\x04", "cases.xls", 422, "unsupported_format"),
    ({}, "决定书文号,当事人\n".encode(), "cases.csv", 422, "missing_columns"),
    ({}, b"\x00\x01garbage", "cases.xlsx", 422, "unreadable_file"),
])
def test_a_bad_upload_is_refused_at_once_with_the_reason(quiet_app, judicial, form, content, name, status, code):
    response = upload(quiet_app.test_client(), judicial, content, name, **form)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["code"] == code or code in {i["code"] for i in response.get_json().get("errors", [])}


def test_a_month_that_runs_cannot_be_started_again(quiet_app, judicial):
    client = quiet_app.test_client()
    assert upload(client, judicial, gbk_csv()).status_code == 202
    again = upload(client, judicial, gbk_csv())
    assert again.status_code == 409 and again.get_json()["code"] == "batch_running"
    assert upload(client, judicial, gbk_csv(), month="2025-07").status_code == 202


def test_the_blank_template_is_served(client, judicial):
    from openpyxl import load_workbook
    response = client.get("/api/v1/batches/disclosure/template.xlsx", headers=judicial)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    headers = [cell.value for cell in book["案件"][1]]
    assert {"执法单位", "决定书文号", "当事人", "决定日期"} <= {h.rstrip("*") for h in headers if h}


def test_who_has_published_the_month(client, judicial, settings, monkeypatch):
    monkeypatch.setenv("DOCGEN_TODAY", "2025-06-27")
    issued = client.post("/api/v1/documents", json={"type": "disclosure", "data": issuable("disclosure")}, headers=judicial)
    assert issued.status_code == 201, issued.get_json()
    status = client.get("/api/v1/disclosure/status?month=2025-06", headers=judicial).get_json()
    states = {u["unit"]: u["state"] for u in status["units"]}
    assert states["昌吉市市场监督管理局"] == "published"
    assert states["昌吉市交通运输局"] == "missing"
    assert status["deadline"] == "2025-06-30" and status["days_left"] == 3
    assert "昌吉市交通运输局" in status["reminders"] and "昌吉市市场监督管理局" not in status["reminders"]
    market = next(u for u in status["units"] if u["unit"] == "昌吉市市场监督管理局")
    assert all(case["days_late"] > 0 for case in market["late_cases"])
    monkeypatch.setenv("DOCGEN_TODAY", "2025-07-02")
    later = client.get("/api/v1/disclosure/status?month=2025-06", headers=judicial).get_json()
    assert {u["unit"]: u["state"] for u in later["units"]}["昌吉市交通运输局"] == "overdue"
    assert "昌吉市交通运输局" in later["reminders"] and "昌吉市市场监督管理局" not in later["reminders"]
    unit = make_token(settings, "unit", "昌吉市交通运输局")
    own = client.get("/api/v1/disclosure/status?month=2025-06", headers=unit).get_json()
    assert [u["unit"] for u in own["units"]] == ["昌吉市交通运输局"]


def test_february_s_deadline_is_its_last_day():
    from datetime import date

    from docgen.batch.status import month_deadline
    assert month_deadline(2026, 2) == date(2026, 2, 28) and month_deadline(2028, 2) == date(2028, 2, 29)
    assert month_deadline(2026, 12) == date(2026, 12, 30)

