"""Issuing rules: units registry (标志, seal, codes), number windows, leases, failures with reasons, background jobs."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from datetime import date, timedelta

import pytest

from docgen.clock import utcnow
from docgen.store.db import db_session
from docgen.store.models import AuditEvent, Document
from docgen.store.numbering import open_window, set_next
from docgen.store.units import UnitChange, update_unit
from docgen.sweeper import ABANDONED, sweep

from conftest import REGISTRY, issuable, make_token
from test_limits import guard, heavy_month
from readers import open_pdf

MARKET = "昌吉市市场监督管理局"


def _issue(client, headers, slug="opinion", data=None, **extra_headers):
    body = {"type": slug, "data": data if data is not None else issuable(slug)}
    return client.post("/api/v1/documents", json=body, headers={**headers, **extra_headers})


# ---------------------------------------------------------------- the 标志 and seal come from the registry (row 5)

def test_a_unit_cannot_claim_another_authoritys_mark(client, settings):
    market = make_token(settings, "unit", MARKET)
    data = issuable("rectification")
    data["issuer"]["mark"] = "昌吉市人民政府"
    response = _issue(client, market, "rectification", data)
    assert response.status_code == 403 and response.get_json()["code"] == "mark_mismatch"


def test_a_unit_cannot_issue_as_another_unit(client, settings):
    market = make_token(settings, "unit", MARKET)
    response = _issue(client, market, "opinion")  # issuer: 昌吉市司法局
    assert response.status_code == 403


def _seal_b64() -> str:
    import base64
    return base64.b64encode(_seal_png()).decode("ascii")


@pytest.mark.parametrize("signature, code", [
    ({"sealed": True, "seal_image": "SEAL"}, "seal_from_registry"),
    ({"sealed": True, "demo_seal": True}, "demo_seal_not_allowed"),
    ({"sealed": True, "seal_diameter_mm": 50}, "seal_from_registry"),
])
def test_the_request_cannot_bring_its_own_seal(client, judicial, signature, code):
    data = issuable("opinion")
    data["signature"] = {k: (_seal_b64() if v == "SEAL" else v) for k, v in signature.items()}
    response = _issue(client, judicial, data=data)
    assert response.status_code == 422 and response.get_json()["errors"][0]["code"] == code


def test_an_unregistered_issuer_or_code_is_refused(client, judicial):
    data = issuable("opinion")
    data["issuer"]["name"] = "昌吉市某某局"
    assert _issue(client, judicial, data=data).get_json()["errors"][0]["code"] == "unknown_unit"
    data = issuable("opinion")
    data["doc_number"]["organ_code"] = "昌市监"  # registered, but to another unit
    response = _issue(client, judicial, data=data)
    assert response.status_code == 403 and response.get_json()["code"] == "organ_code_not_registered"


def test_a_disabled_unit_cannot_issue(client, settings, judicial):
    with db_session(settings) as session:
        update_unit(session, "昌吉市司法局", UnitChange(active=False))
    assert _issue(client, judicial).get_json()["code"] == "unit_disabled"


def _seal_png() -> bytes:
    from docgen.seal import demo_seal_png
    return demo_seal_png("昌吉市司法局")


def test_the_registered_mark_and_seal_are_printed(client, settings, judicial):
    with db_session(settings) as session:
        update_unit(session, "昌吉市司法局", UnitChange(mark="昌吉市司法局文件", seal_png=_seal_png(), seal_mm=40))
    document = _issue(client, judicial).get_json()
    pdf = client.get(document["links"]["pdf"], headers=judicial).data
    with open_pdf(pdf) as opened:
        text = "".join(page.extract_text() or "" for page in opened.pages)
        seals = [image for page in opened.pages for image in page.images if image["width"] > 100]
    assert "昌吉市司法局文件" in text.replace(" ", "")
    assert len(seals) == 1 and abs(seals[0]["width"] / 72 * 25.4 - 40) < 0.5, "the registry's seal at its size"


def test_a_sealed_document_without_a_registered_seal_leaves_room_for_the_stamp(client, judicial):
    document = _issue(client, judicial).get_json()
    pdf = client.get(document["links"]["pdf"], headers=judicial).data
    with open_pdf(pdf) as opened:
        assert not [image for page in opened.pages for image in page.images if image["width"] > 100]


# ---------------------------------------------------------------- numbers and dates (rows 6 and 7)

def test_backdated_and_future_documents_are_refused(client, settings, judicial):
    from docgen import create_app
    strict = create_app({"TESTING": True, "DOCGEN_SETTINGS": dataclasses.replace(
        settings, issue_date_past_days=30, issue_date_future_days=7)}).test_client()
    for day in ("2099-01-01", "2003-05-01", (date.today() + timedelta(days=9)).isoformat()):
        data = issuable("opinion")
        data["issue_date"], data["doc_number"]["year"] = day, int(day[:4])
        data["deadline"] = {"kind": "days", "days": 20}
        response = _issue(strict, judicial, data=data)
        assert response.status_code == 422 and response.get_json()["errors"][0]["code"] == "issue_date_out_of_window", day


def test_a_hand_picked_number_needs_an_open_window(client, settings, judicial):
    data = issuable("opinion")
    data["doc_number"]["seq"] = 5
    assert _issue(client, judicial, data=data).get_json()["code"] == "manual_number_closed"
    with db_session(settings) as session:
        open_window(session, "昌司执监意", 2025, 1, 6, date.today() - timedelta(days=1), "test")  # expired
    assert _issue(client, judicial, data=data).get_json()["code"] == "manual_number_closed"
    with db_session(settings) as session:
        open_window(session, "昌司执监意", 2025, 1, 6, None, "test")
    assert _issue(client, judicial, data=data).status_code == 201
    data["doc_number"]["seq"] = 7
    assert _issue(client, judicial, data=data).get_json()["code"] == "manual_number_closed", "only inside the window"


def test_automatic_numbers_follow_the_highest_used(client, settings, judicial):
    with db_session(settings) as session:
        open_window(session, "昌司执监意", 2025, 7, 7, None, "test")
    data = issuable("opinion")
    data["doc_number"]["seq"] = 7
    assert _issue(client, judicial, data=data).get_json()["number"].endswith("〔2025〕7号")
    assert _issue(client, judicial).get_json()["number"].endswith("〔2025〕8号")


def test_numbering_set_moves_the_counter_and_is_audited(client, settings, judicial, runner, monkeypatch):
    from docgen.cli import main
    monkeypatch.setenv("DOCGEN_INSTANCE_DIR", str(settings.instance_dir))
    result = runner.invoke(main, ["numbering", "set", "昌司执监意", "2025", "--next", "7"])
    assert result.exit_code == 0, result.output
    assert _issue(client, judicial).get_json()["number"].endswith("〔2025〕7号")
    below = runner.invoke(main, ["numbering", "set", "昌司执监意", "2025", "--next", "5"])
    assert below.exit_code != 0 and "已用到 7 号" in below.output
    shown = runner.invoke(main, ["numbering", "show"]).stdout
    assert "昌司执监意〔2025〕" in shown and "下一个：8号" in shown
    with db_session(settings) as session:
        events = [(e.action, e.target) for e in session.query(AuditEvent).order_by(AuditEvent.id)]
    assert ("numbering.set", "昌司执监意〔2025〕") in events and ("document.issue", "昌司执监意〔2025〕7号") in events
    with db_session(settings) as session, pytest.raises(ValueError):
        set_next(session, "昌司执监意", 2025, 3)


# ---------------------------------------------------------------- the verify page (rows 6, 8, 11)

def test_the_public_page_says_void_and_when_never_why(client, judicial):
    document = _issue(client, judicial).get_json()
    reason = "张伟强（身份证号652301198507152316）的案卷编号有误"
    client.post(document["links"]["self"] + "/void", json={"reason": reason}, headers=judicial)
    page = client.get(document["links"]["verify"])
    text = page.get_data(as_text=True)
    assert "已作废" in text and "张伟强" not in text and "652301" not in text and "登记时间" in text
    assert client.get(document["links"]["self"], headers=judicial).get_json()["void"]["reason"] == reason


def test_the_verify_page_is_small_has_no_web_font_and_security_headers(client, judicial):
    document = _issue(client, judicial).get_json()
    page = client.get(document["links"]["verify"])
    assert len(page.data) < 6000 and "url(" not in page.get_data(as_text=True) and "@font-face" not in page.get_data(as_text=True)
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]


def test_a_failed_document_cannot_be_voided_and_is_not_public(client, settings, judicial, monkeypatch):
    import docgen.issuing
    monkeypatch.setattr(docgen.issuing, "generate", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("x")))
    assert _issue(client, judicial).status_code == 500
    monkeypatch.undo()
    failed = client.get("/api/v1/documents?status=failed", headers=judicial).get_json()["items"][0]
    voided = client.post(failed["links"]["self"] + "/void", json={"reason": "x"}, headers=judicial)
    assert voided.status_code == 409 and voided.get_json()["code"] == "not_issued"
    assert client.get(failed["links"]["verify"]).status_code == 404


# ---------------------------------------------------------------- failures end failed, with a reason (row 4, 11)

def test_an_unwritable_archive_fails_the_document_with_a_reason_and_no_leftovers(app, settings, judicial):
    from docgen import create_app
    blocked = settings.instance_dir / "not-a-folder"
    blocked.write_bytes(b"")  # the archive's folder cannot be made: as real a fault as a read-only or full disk
    broken = create_app({"TESTING": True, "DOCGEN_SETTINGS": dataclasses.replace(settings, archive_dir=blocked / "archive")})
    response = _issue(broken.test_client(), judicial, **{"Idempotency-Key": "disk"})
    body = response.get_json()
    assert response.status_code == 500 and body["code"] == "storage_error" and "错误编号" in body["detail"]
    assert str(settings.instance_dir) not in json.dumps(body, ensure_ascii=False), "no server paths to clients"
    client = app.test_client()
    failed = client.get("/api/v1/documents?status=failed", headers=judicial).get_json()["items"]
    assert len(failed) == 1 and failed[0]["failure_reason"].startswith("文件存档写入失败")
    retried = _issue(client, judicial, **{"Idempotency-Key": "disk"}).get_json()
    assert retried["status"] == "issued" and retried["number"] == failed[0]["number"], "the key finishes it, same number"


def test_a_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    from docgen.errors import StorageFailure
    from docgen.store import archive

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(archive.os, "replace", full_disk)
    with pytest.raises(StorageFailure):
        archive.Archive(tmp_path / "archive").put(b"data")
    assert [p.name for p in (tmp_path / "archive").rglob("*") if p.is_file()] == []


def _abandon(settings, document_id: str) -> None:
    """What a killed worker leaves: pending, its lease in the past."""
    with db_session(settings) as session:
        row = session.get(Document, document_id)
        row.status, row.lease_until = "pending", utcnow() - timedelta(seconds=1)


def test_an_abandoned_document_is_taken_over_by_its_key(client, settings, judicial):
    first = _issue(client, judicial, **{"Idempotency-Key": "kill-me"}).get_json()
    _abandon(settings, first["id"])
    retry = _issue(client, judicial, **{"Idempotency-Key": "kill-me"})
    body = retry.get_json()
    assert retry.status_code == 200 and body["id"] == first["id"] and body["number"] == first["number"]
    assert body["status"] == "issued" and body["attempts"] == 2


def test_a_retry_while_the_first_still_renders_gets_409_with_retry_after(client, settings, judicial):
    first = _issue(client, judicial, **{"Idempotency-Key": "busy"}).get_json()
    with db_session(settings) as session:
        row = session.get(Document, first["id"])
        row.status, row.lease_until = "pending", utcnow() + timedelta(seconds=60)
    busy = _issue(client, judicial, **{"Idempotency-Key": "busy"})
    assert busy.status_code == 409 and busy.get_json()["code"] == "in_progress"
    assert 1 <= int(busy.headers["Retry-After"]) <= 5


def test_the_sweeper_fails_abandoned_documents_with_the_reason(client, settings, judicial):
    first = _issue(client, judicial).get_json()
    _abandon(settings, first["id"])
    part = settings.effective_archive_dir / "ab" / ".part-left-by-a-killed-worker"
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(b"half")
    os.utime(part, (0, 0))
    report = sweep(settings)
    assert report.failed_documents == [first["id"]] and report.stale_parts == 1 and not part.exists()
    listed = client.get("/api/v1/documents?status=failed", headers=judicial).get_json()["items"]
    assert [(d["id"], d["failure_reason"]) for d in listed] == [(first["id"], ABANDONED)]
    assert sweep(settings).failed_documents == [], "a second sweep finds nothing"


# ---------------------------------------------------------------- large documents go to a job (row 12)

def test_a_document_over_the_budget_is_issued_by_a_job(client, settings, judicial):
    from docgen import create_app
    small = create_app({"TESTING": True, "DOCGEN_SETTINGS": dataclasses.replace(settings, sync_max_pages=3)}).test_client()
    response = _issue(small, judicial, "opinion", issuable("opinion", 1), **{"Idempotency-Key": "big"})
    assert response.status_code == 202, response.get_json()
    accepted = response.get_json()
    assert accepted["document"]["status"] == "pending" and accepted["document"]["number"].endswith("号")
    again = _issue(small, judicial, "opinion", issuable("opinion", 1), **{"Idempotency-Key": "big"})
    assert again.status_code in (200, 202) and again.get_json().get("id") in (accepted["id"], accepted["document"]["id"])
    job = _poll(small, response.headers["Location"], judicial)
    assert job["state"] == "done" and job["result"]["document_id"] == accepted["document"]["id"]
    redirect = small.get(job["links"]["result"], headers=judicial)
    assert redirect.status_code == 303
    document = small.get(redirect.headers["Location"], headers=judicial).get_json()
    assert document["status"] == "issued" and document["sha256"]["pdf"]


def _poll(client, location: str, headers) -> dict:
    import time
    with guard(600):
        while True:
            job = client.get(location, headers=headers).get_json()
            if job["state"] in ("done", "failed"):
                return job
            time.sleep(0.2)


@pytest.mark.slow
def test_a_600_case_month_can_be_issued(client, judicial):
    data = heavy_month(600, 120)
    data["cases"] = [{**case, "decision_date": "2025-06-10"} for case in data["cases"]]
    response = _issue(client, judicial, "disclosure", data)
    assert response.status_code == 202
    job = _poll(client, response.headers["Location"], judicial)
    assert job["state"] == "done", job
    document = client.get(job["links"]["document"], headers=judicial).get_json()
    pdf = client.get(document["links"]["pdf"], headers=judicial)
    with open_pdf(pdf.data) as opened:
        tail = "".join((page.extract_text() or "").replace(" ", "") for page in opened.pages[-3:])
        assert len(opened.pages) > 80 and "600昌市监罚" in tail, "the 600th case is printed"


# ---------------------------------------------------------------- files are private (row 11)

def test_database_and_archive_are_private(client, settings, judicial):
    _issue(client, judicial)
    database = settings.instance_dir / "docgen.sqlite3"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.instance_dir.stat().st_mode) == 0o700
    files = [p for p in settings.effective_archive_dir.rglob("*") if p.is_file()]
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)


def test_audit_log_over_the_api(client, settings, judicial):
    document = _issue(client, judicial).get_json()
    client.post(document["links"]["self"] + "/void", json={"reason": "重复"}, headers=judicial)
    log = client.get("/api/v1/audit", headers=judicial).get_json()
    actions = [(e["action"], e["target"], e["source"]) for e in log["items"]]
    assert actions[:2] == [("document.void", document["number"], "127.0.0.1"), ("document.issue", document["number"], "127.0.0.1")]
    assert client.get("/api/v1/audit?action=document.void", headers=judicial).get_json()["total"] == 1
    market = make_token(settings, "unit", MARKET)
    assert client.get("/api/v1/audit", headers=market).status_code == 403
    units = client.get("/api/v1/units", headers=market).get_json()["units"]
    assert [u["name"] for u in units] == [MARKET] and units[0]["organ_codes"] == ["昌市监"]


# ---------------------------------------------------------------- review findings (races, leaks, quotas)

def _job(settings, state="running", attempts=1, lease=-5, kind="preview"):
    import uuid
    from docgen.store.models import Job
    with db_session(settings) as session:
        job = Job(id=uuid.uuid4().hex, kind=kind, state=state, payload_json='{"data": "个人信息"}', owner="t",
                  progress_done=0, progress_total=0, attempts=attempts, lease_until=utcnow() + timedelta(seconds=lease))
        session.add(job)
    return job.id


def test_a_sweeper_does_not_requeue_a_job_another_process_took_meanwhile(app, settings):
    from docgen.store import jobs as job_store
    from docgen.store.models import Job
    job_id = _job(settings)
    with db_session(settings) as session:
        [seen] = job_store.expired(session, utcnow())
    with db_session(settings) as session:  # meanwhile: another sweeper requeued it and a runner claimed it
        assert job_store.requeue(session, seen, utcnow())
        assert job_store.claim(session, job_id, 300) == 2
    with db_session(settings) as session:
        assert not job_store.requeue(session, seen, utcnow()), "a stale snapshot changes nothing"
        assert session.get(Job, job_id).state == "running"
    with db_session(settings) as session:  # and the first claim's late writes do not count either
        job_store.finish(session, job_id, 1, {"stale": True})
        assert session.get(Job, job_id).state == "running"
        job_store.finish(session, job_id, 2, {"ok": True})
        assert session.get(Job, job_id).state == "done" and session.get(Job, job_id).payload_json == "{}"


def test_failure_reasons_never_carry_server_detail(client, judicial, monkeypatch):
    import docgen.issuing
    from docgen.errors import ConfigurationProblem

    def broken(*args, **kwargs):
        raise ConfigurationProblem("缺少 DOCX 模板 /srv/secret/templates/docx/opinion.docx")

    monkeypatch.setattr(docgen.issuing, "generate", broken)
    assert _issue(client, judicial).status_code == 500
    [failed] = client.get("/api/v1/documents?status=failed", headers=judicial).get_json()["items"]
    assert "/srv/secret" not in failed["failure_reason"] and failed["failure_reason"] == "生成失败：系统配置有误"


def test_failed_attempts_leave_no_archived_files(client, settings, judicial, monkeypatch):
    import docgen.issuing

    def lost(*args, **kwargs):
        raise RuntimeError("database went away after the files were written")

    monkeypatch.setattr(docgen.issuing, "_settle", lost)
    assert _issue(client, judicial).status_code == 500
    assert [p for p in settings.effective_archive_dir.rglob("*") if p.is_file()] == []


def test_background_issues_count_against_the_job_quota(app, settings, judicial):
    from docgen import create_app
    quota = create_app({"TESTING": True, "DOCGEN_SETTINGS": dataclasses.replace(settings, job_quota=2, job_threads=0)})
    client = quota.test_client()
    answers = [_issue(client, judicial, Prefer="respond-async").status_code for _ in range(3)]
    assert answers == [202, 202, 429]
    numbers = client.get("/api/v1/documents", headers=judicial).get_json()["items"]
    assert len(numbers) == 2, "the refused request took no number"


def test_a_redelivered_issue_job_returns_the_issued_document(app, settings, judicial):
    from docgen.jobs.execute import JobContext
    from docgen.jobs.handlers import run_issue
    from docgen.store.models import Job
    client = app.test_client()
    document = _issue(client, judicial).get_json()
    job_id = _job(settings, kind="issue")
    with db_session(settings) as session:
        job = session.get(Job, job_id)
        job.payload_json = json.dumps({"document_id": document["id"]})
        session.get(Document, document["id"]).job_id = job_id
    with db_session(settings, read_only=True) as session:
        job = session.get(Job, job_id)
    assert run_issue(JobContext(settings, job, 1)) == {"document_id": document["id"], "number": document["number"]}


def test_issues_are_capped_everywhere():
    data = REGISTRY["disclosure"].load_sample()
    case = {**data["cases"][0], "facts": "事实\ue000"}
    case.pop("restrictions", None)
    data["cases"] = [case] * 300
    from docgen.errors import InvalidData
    with pytest.raises(InvalidData) as info:
        REGISTRY["disclosure"].validate(data)
    assert len(info.value.issues) == 51 and "至少" in info.value.message


def test_the_audit_filter_counts_days_in_beijing(client, settings, judicial):
    from docgen.store.models import AuditEvent
    from datetime import datetime, timezone
    with db_session(settings) as session:  # 04:00 in Beijing on 5 June is 20:00 UTC on 4 June
        session.add(AuditEvent(at=datetime(2024, 6, 4, 20, 0, tzinfo=timezone.utc), actor="a", source="cli",
                               action="unit.add", target="x", detail_json="{}"))
    found = client.get("/api/v1/audit?since=2024-06-05", headers=judicial).get_json()
    assert found["total"] == 1 and found["items"][0]["at"].endswith("+00:00")
    assert client.get("/api/v1/audit?since=2024-06-06", headers=judicial).get_json()["total"] == 0


def test_automatic_numbers_pass_numbers_written_without_a_counter(client, settings, judicial):
    import uuid
    with db_session(settings) as session:  # a document from before counters kept up with hand-given numbers
        session.add(Document(id=uuid.uuid4().hex, doc_type="opinion", unit="昌吉市司法局", title="旧", organ_code="昌司执监意",
                             year=2025, seq=50, number="昌司执监意〔2025〕50号", issue_date=date(2025, 6, 5), status="issued",
                             verify_code="OLDDOC5000", data_json="{}", created_by="old"))
    assert _issue(client, judicial).get_json()["number"].endswith("〔2025〕51号")


def test_a_nul_in_a_job_id_is_a_400(client, judicial):
    assert client.get("/api/v1/jobs/ab%00cd", headers=judicial).status_code == 400


def test_queued_jobs_are_resent_once_per_lease(app, settings, monkeypatch):
    import docgen.jobs
    from docgen.sweeper import _resubmit_queued
    sent: list[str] = []
    monkeypatch.setattr(docgen.jobs, "submit", lambda _settings, job_id: sent.append(job_id))
    broker = dataclasses.replace(settings, broker_url="redis://127.0.0.1:1/0")
    due, fresh = _job(settings, state="queued", lease=-1), _job(settings, state="queued", lease=300)
    _resubmit_queued(broker, utcnow())
    _resubmit_queued(broker, utcnow())
    assert sent == [due], "the due job once, the fresh one not yet"
