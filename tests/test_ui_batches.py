"""The monthly disclosure batch in the workspace (no browser): upload, progress, ZIP, errors, who may, who has published."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from urllib.parse import unquote

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from docgen.jobs.runner import run_queued

from readers import pdf_all_text, squash
from test_ui import people, sign_in  # noqa: F401  (people is a fixture)
from webforms import csrf_token

HEADERS = "执法单位,决定书文号,决定类别,当事人,当事人类型,违法事实,决定日期"
CASES = [
    "昌吉市市场监督管理局,昌市监罚〔2025〕12号,行政处罚,昌吉市天山商贸有限公司,法人,未按规定明码标价,2025-06-05",
    "昌吉市市场监督管理局,昌市监罚〔2025〕13号,行政处罚,张三丰,自然人,销售超过保质期的食品,2025-06-09",
    "昌吉市交通运输局,昌交罚〔2025〕3号,行政处罚,昌吉市庭州物流有限公司,法人,车辆超限运输,2025-06-10",
    "昌吉市交通运输局,,行政处罚,昌吉市北庭物流有限公司,法人,车辆超限运输,2025-06-11",
    "昌吉市交通运输局,<img src=x onerror=alert(1)>,行政处罚,,法人,车辆超限运输,2025-06-12",
]
MARKET = "昌吉市市场监督管理局"
ENFORCEMENT_UNITS = ["昌吉市市场监督管理局", "昌吉市城市管理综合行政执法局", "昌吉市林业和草原综合行政执法大队", "昌吉市交通运输局"]


@pytest.fixture()
def settings(settings):  # type: ignore[no-untyped-def]
    """No job threads: the test runs the queued batch itself, when it wants to."""
    return dataclasses.replace(settings, job_threads=0, batch_processes=1)


def month_csv(encoding: str = "utf-8") -> bytes:
    return ("\n".join([HEADERS, *CASES]) + "\n").encode(encoding)


def upload(client, content: bytes, name: str = "六月案件.csv", month: str = "2025-06", issue: bool = False,  # type: ignore[no-untyped-def]
           issue_date: str = ""):
    """Post the upload form as a browser does (multipart, with the page's CSRF token)."""
    token = csrf_token(client.get("/ui/batches").get_data(as_text=True))
    data = {"csrf_token": token, "month": month, "issue_date": issue_date,
            "file": FileStorage(io.BytesIO(content), filename=name, content_type="application/octet-stream")}
    if issue:
        data["issue"] = "1"
    # Encoded here: the test client would spool a large body to a temporary file it never closes.
    boundary, body = encode_multipart(data)
    return client.post("/ui/batches", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def finish(client, settings, batch_path: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """Run the queued job and poll status.json as the page's script does, until the batch has ended."""
    for _ in range(30):
        body = client.get(batch_path + "/status.json").get_json()
        if body["finished"]:
            return body
        run_queued(settings)
    raise AssertionError(f"the batch did not finish: {body['state']}")


def test_a_clerk_uploads_a_month_watches_it_and_downloads_the_zip(people, settings):
    clerk = sign_in(people, "clerk")
    form = clerk.get("/ui/batches").get_data(as_text=True)
    assert 'type="month"' in form and 'accept=".xlsx,.csv,.jsonl,.json"' in form and "同时发布到文书登记" in form
    assert "/ui/batches/template.xlsx" in form and "GBK" in form and "月度公示" in form
    started = upload(clerk, month_csv("gbk"))
    assert started.status_code == 303, started.get_data(as_text=True)[:500]
    path = started.headers["Location"]
    assert re.fullmatch(r"/ui/batches/[0-9a-f]{32}", path)
    waiting = clerk.get(path).get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh"' in waiting and "解析中" in waiting, "without JavaScript it refreshes"
    early = clerk.get(path + "/status.json")
    assert early.headers["Cache-Control"] == "no-store" and early.get_json()["finished"] is False
    body = finish(clerk, settings, path)
    assert body["state"] == "done", body["error"]
    assert body["progress"]["done"] == body["progress"]["total"] == 4 and "完成" in body["html"]
    assert body["counts"]["rows"] == 5 and body["counts"]["rejected"] == 2
    assert "<img src=x" not in body["html"] and "&lt;img src=x" in body["html"], "an export's text is escaped"
    page = clerk.get(path).get_data(as_text=True)
    assert "http-equiv" not in page and "下载全部公示（ZIP）" in page
    for text in ("输入行数", "拒收", "重复", "不予公示", "决定书文号", "缺少必填项", MARKET):
        assert text in page, text
    assert clerk.get("/ui/batches").get_data(as_text=True).count(path) == 1, "the run is listed"
    result = clerk.get(path + "/result.zip")
    disposition = result.headers["Content-Disposition"]
    assert result.status_code == 200 and result.mimetype == "application/zip"
    assert "2025年6月-行政执法公示.zip" in unquote(disposition.split("filename*=UTF-8''")[1])
    archive = zipfile.ZipFile(io.BytesIO(result.get_data()))
    pdfs = [name for name in archive.namelist() if name.startswith(MARKET + "/") and name.endswith(".pdf")]
    assert pdfs, archive.namelist()
    text = squash(pdf_all_text(archive.read(pdfs[0])))
    assert "昌市监罚〔2025〕12号" in text and "张某" in text and "张三丰" not in text


def test_an_issued_month_shows_who_has_published(people, settings, monkeypatch):
    monkeypatch.setenv("DOCGEN_TODAY", "2025-06-20")
    clerk = sign_in(people, "clerk")
    path = upload(clerk, month_csv(), issue=True, issue_date="2025-06-20").headers["Location"]
    body = finish(clerk, settings, path)
    assert body["state"] == "done", body["error"]
    status = clerk.get("/ui/disclosure-status?month=2025-06").get_data(as_text=True)
    assert status.count("已公示") >= 4 and "逾期未公示" in status
    assert re.search(r'href="/ui/documents/[0-9a-f]{32}">查看公示', status), "a published notice links to its document"
    assert "没有需要催办的单位" in status


def test_refused_uploads_keep_the_month_and_options(people, settings):
    clerk = sign_in(people, "clerk")
    bad_month = upload(clerk, month_csv(), month="2025-13", issue=True, issue_date="2025-07-03")
    html = bad_month.get_data(as_text=True)
    assert bad_month.status_code == 400 and "invalid_month" in html and "公示月份" in html
    assert 'value="2025-13"' in html and 'name="issue" type="checkbox" value="1" checked' in html
    assert 'value="2025-07-03"' in html and "请重新选择文件" in html
    wrong_kind = upload(clerk, b"hello", name="cases.txt")
    assert wrong_kind.status_code in (400, 422) and "（" in wrong_kind.get_data(as_text=True)
    no_file = upload(clerk, b"", name="")
    assert no_file.status_code == 400 and "missing_file" in no_file.get_data(as_text=True)
    assert upload(clerk, month_csv()).status_code == 303
    again = upload(clerk, month_csv())
    assert again.status_code == 409 and "batch_running" in again.get_data(as_text=True), "one run per month at a time"
    assert "查看正在运行的批次" in again.get_data(as_text=True)


def test_the_upload_needs_its_csrf_token_and_may_be_larger_than_a_form(people, settings):
    clerk = sign_in(people, "clerk")
    refused = clerk.post("/ui/batches", data={"month": "2025-06", "file": (io.BytesIO(month_csv()), "a.csv")},
                         content_type="multipart/form-data")
    assert refused.status_code == 400 and "表单已过期" in refused.get_data(as_text=True)
    padding = "".join(f"\n{CASES[0].replace('12号', f'{n}号')}" for n in range(100, 40_000))  # ≈ 5 MB
    large = month_csv() + padding.encode("utf-8")
    assert len(large) > settings.max_content_length
    assert upload(clerk, large).status_code == 303, "a month's export may exceed the 4 MB of an ordinary form"
    people.config["DOCGEN_SETTINGS"] = dataclasses.replace(settings, batch_max_upload=2_000)
    too_large = upload(clerk, large, month="2025-05")
    assert too_large.status_code == 413 and "file_too_large" in too_large.get_data(as_text=True)


def test_only_the_judicial_side_runs_batches(people, settings):
    clerk, market = sign_in(people, "clerk"), sign_in(people, "market")
    assert "月度公示" in clerk.get("/ui/").get_data(as_text=True)
    assert "月度公示" not in market.get("/ui/").get_data(as_text=True)
    path = upload(clerk, month_csv()).headers["Location"]
    for url in ("/ui/batches", path, path + "/status.json", path + "/result.zip"):
        answer = market.get(url)
        assert answer.status_code == 403 and "无权访问" in answer.get_data(as_text=True), url
    assert market.post("/ui/batches", data={"month": "2025-06"}).status_code == 403
    assert clerk.get(path + "/result.zip").status_code == 409, "no ZIP before the batch is done"
    assert clerk.get("/ui/batches/" + "0" * 32).status_code == 404


def test_the_blank_template_downloads(people):
    clerk = sign_in(people, "clerk")
    answer = clerk.get("/ui/batches/template.xlsx")
    assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
    assert zipfile.ZipFile(io.BytesIO(answer.get_data())).namelist(), "an XLSX is a zip"


def test_the_status_page_lists_units_and_reminders(people, monkeypatch):
    monkeypatch.setenv("DOCGEN_TODAY", "2025-06-20")
    clerk, market = sign_in(people, "clerk"), sign_in(people, "market")
    page = clerk.get("/ui/disclosure-status?month=2025-06").get_data(as_text=True)
    for unit in ENFORCEMENT_UNITS:
        assert page.count(unit) == 2, f"{unit}: its line and its place in 催办名单"
    assert "还有 10 天" in page and "催办名单" in page and "复制名单" in page and "昌吉市司法局" not in page.split("<main")[1]
    own = market.get("/ui/disclosure-status?month=2025-06").get_data(as_text=True)
    assert MARKET in own and all(unit not in own for unit in ENFORCEMENT_UNITS if unit != MARKET)
    assert clerk.get("/ui/disclosure-status").status_code == 200, "this month by default"
    wrong = clerk.get("/ui/disclosure-status?month=2025-13")
    assert wrong.status_code == 400 and "invalid_month" in wrong.get_data(as_text=True)
