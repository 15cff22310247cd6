"""The document registry over HTTP: numbering, archive, void, idempotency, token scoping, problem+json."""

from __future__ import annotations

import hashlib

import pytest

from conftest import REGISTRY, issuable, make_token

OPINION_UNIT = "昌吉市司法局"
REPORT_UNIT = "昌吉市市场监督管理局"


def _opinion(seq: int | None = None) -> dict:
    data = REGISTRY["opinion"].load_sample()
    data["doc_number"].pop("seq", None)
    if seq is not None:
        data["doc_number"]["seq"] = seq
    return {"type": "opinion", "data": data}


def test_numbers_are_allocated_in_order(client, judicial):
    numbers = [client.post("/api/v1/documents", json=_opinion(), headers=judicial).get_json()["number"] for _ in range(3)]
    assert numbers == [f"昌司执监意〔2025〕{n}号" for n in (1, 2, 3)]


def allow_numbers(settings, organ_code: str, year: int, low: int, high: int) -> None:
    from docgen.store.db import db_session
    from docgen.store.numbering import open_window
    with db_session(settings) as session:
        open_window(session, organ_code, year, low, high, None, "test")


def test_a_given_number_is_used_and_never_given_twice(client, settings, judicial):
    closed = client.post("/api/v1/documents", json=_opinion(seq=2), headers=judicial)
    assert closed.status_code == 403 and closed.get_json()["code"] == "manual_number_closed"
    allow_numbers(settings, "昌司执监意", 2025, 1, 6)
    given = client.post("/api/v1/documents", json=_opinion(seq=2), headers=judicial)
    assert given.status_code == 201 and given.get_json()["number"] == "昌司执监意〔2025〕2号"
    again = client.post("/api/v1/documents", json=_opinion(seq=2), headers=judicial)
    assert again.status_code == 409 and again.get_json()["code"] == "number_taken"
    assert again.content_type == "application/problem+json"
    auto = [client.post("/api/v1/documents", json=_opinion(), headers=judicial).get_json()["number"] for _ in range(2)]
    assert auto == ["昌司执监意〔2025〕3号", "昌司执监意〔2025〕4号"], "never below the highest number used"


def test_archived_files_come_back_byte_identical(client, judicial):
    document = client.post("/api/v1/documents", json=_opinion(), headers=judicial).get_json()
    for fmt, magic in (("pdf", b"%PDF-"), ("docx", b"PK")):
        first = client.get(document["links"][fmt], headers=judicial)
        second = client.get(document["links"][fmt], headers=judicial)
        assert first.data.startswith(magic) and first.data == second.data
        assert hashlib.sha256(first.data).hexdigest() == document["sha256"][fmt] == first.headers["ETag"].strip('"')
        assert len(first.data) == document["size"][fmt]


def test_issued_pdf_prints_number_and_verification_code(client, judicial):
    from readers import pdf_full_text, squash
    document = client.post("/api/v1/documents", json=_opinion(), headers=judicial).get_json()
    text = squash(pdf_full_text(client.get(document["links"]["pdf"], headers=judicial).data))
    assert "昌司执监意〔2025〕1号" in text and "样稿" not in text
    assert text.count(f"核验码：{document['verify_code']}") == 2, "on both pages"


def test_void_keeps_the_number_used(client, judicial):
    document = client.post("/api/v1/documents", json=_opinion(), headers=judicial).get_json()
    voided = client.post(f"/api/v1/documents/{document['id']}/void", json={"reason": "文号填写错误"}, headers=judicial)
    body = voided.get_json()
    assert body["status"] == "void" and body["void"]["reason"] == "文号填写错误" and body["void"]["by"] and body["void"]["at"]
    assert client.post(f"/api/v1/documents/{document['id']}/void", json={"reason": "再次"}, headers=judicial).status_code == 409
    allow_numbers(client.application.config["DOCGEN_SETTINGS"], "昌司执监意", 2025, 1, 1)
    assert client.post("/api/v1/documents", json=_opinion(seq=1), headers=judicial).status_code == 409
    assert client.post("/api/v1/documents", json=_opinion(), headers=judicial).get_json()["number"].endswith("〔2025〕2号")
    page = client.get(f"/verify/{document['verify_code']}").get_data(as_text=True)
    assert "已作废" in page and "文号填写错误" not in page, "the reason is for signed-in users only"
    assert client.get(document["links"]["pdf"], headers=judicial).status_code == 200, "a void document stays readable"


def test_idempotency_key(client, judicial):
    headers = {**judicial, "Idempotency-Key": "case-42"}
    first = client.post("/api/v1/documents", json=_opinion(), headers=headers)
    retry = client.post("/api/v1/documents", json=_opinion(), headers=headers)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.get_json()["id"] == first.get_json()["id"] and retry.get_json()["number"] == first.get_json()["number"]
    other = _opinion()
    other["data"]["recipient"] = "昌吉市交通运输局"
    clash = client.post("/api/v1/documents", json=other, headers=headers)
    assert clash.status_code == 409 and clash.get_json()["code"] == "idempotency_mismatch"
    assert client.get("/api/v1/documents", headers=judicial).get_json()["total"] == 1


def test_unit_tokens_see_only_their_unit(client, settings, judicial):
    market = make_token(settings, "unit", REPORT_UNIT)
    transport = make_token(settings, "unit", "昌吉市交通运输局")
    opinion = client.post("/api/v1/documents", json=_opinion(), headers=judicial).get_json()  # to 市场监督管理局
    report = issuable("rectification")
    mine = client.post("/api/v1/documents", json={"type": "rectification", "data": report}, headers=market)
    assert mine.status_code == 201
    assert client.post("/api/v1/documents", json={"type": "rectification", "data": report}, headers=transport).status_code == 403
    for doc in (opinion, mine.get_json()):
        assert client.get(doc["links"]["self"], headers=market).status_code == 200
        for url in (doc["links"]["self"], doc["links"]["pdf"], doc["links"]["docx"]):
            assert client.get(url, headers=transport).status_code == 404
        assert client.post(doc["links"]["self"] + "/void", json={"reason": "x"}, headers=transport).status_code == 404
    assert client.get("/api/v1/documents", headers=transport).get_json()["total"] == 0
    assert client.get("/api/v1/documents", headers=market).get_json()["total"] == 2
    assert client.get("/api/v1/documents", headers=judicial).get_json()["total"] == 2
    assert client.post(opinion["links"]["self"] + "/void", json={"reason": "x"}, headers=market).status_code == 403


def test_list_filters_and_paging(client, settings, judicial):
    settings_page = settings.page_size
    for _ in range(3):
        client.post("/api/v1/documents", json=_opinion(), headers=judicial)
    listing = client.get("/api/v1/documents?type=opinion&year=2025&q=〔2025〕2&page=1", headers=judicial).get_json()
    assert [d["number"] for d in listing["items"]] == ["昌司执监意〔2025〕2号"] and listing["page_size"] == settings_page
    assert client.get("/api/v1/documents?type=decision", headers=judicial).get_json()["total"] == 0
    assert client.get(f"/api/v1/documents?unit={REPORT_UNIT}", headers=judicial).get_json()["total"] == 3
    assert client.get("/api/v1/documents?q=%25_", headers=judicial).get_json()["total"] == 0
    assert client.get("/api/v1/documents?page=0", headers=judicial).status_code == 400


def test_tokens_are_required_and_stored_hashed(client, settings):
    headers = make_token(settings, "judicial")
    secret = headers["Authorization"].split()[1]
    from docgen.store.db import session_scope
    from docgen.store.models import ApiToken
    with session_scope(settings.effective_database_url) as session:
        stored = [row.token_hash for row in session.query(ApiToken)]
    assert secret not in stored and hashlib.sha256(secret.encode()).hexdigest() in stored
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/documents", headers=headers)
        assert response.status_code == 401 and response.content_type == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("method, path, kwargs, status, code", [
    ("post", "/api/v1/documents", {"data": "{", "content_type": "application/json"}, 400, "malformed_json"),
    ("post", "/api/v1/documents", {"data": "x", "content_type": "text/plain"}, 415, "unsupported_media_type"),
    ("post", "/api/v1/documents", {"json": {"type": "opinion"}}, 422, "invalid_data"),
    ("post", "/api/v1/documents", {"json": {"type": "opinion", "data": {}, "extra": 1}}, 422, "invalid_data"),
    ("post", "/api/v1/documents", {"json": {"type": "nope", "data": {}}}, 404, "unknown_type"),
    ("get", "/api/v1/documents/0123456789abcdef0123456789abcdef", {}, 404, "not_found"),
    ("delete", "/api/v1/documents", {}, 405, "method_not_allowed"),
    ("get", "/api/v1/nowhere", {}, 404, "not_found"),
])
def test_problem_json_for_each_error_class(client, judicial, method, path, kwargs, status, code):
    response = getattr(client, method)(path, headers=judicial, **kwargs)
    body = response.get_json(force=True)
    assert response.status_code == status and response.content_type == "application/problem+json"
    assert body["code"] == code and body["status"] == status and body["title"] and body["detail"]


def test_oversized_body_is_413(app, client, judicial):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/api/v1/documents", data="{" + " " * 2000 + "}", content_type="application/json", headers=judicial)
    assert response.status_code == 413 and response.get_json(force=True)["code"] == "payload_too_large"


def test_verify_page(client, judicial):
    document = client.post("/api/v1/documents", json=_opinion(), headers=judicial).get_json()
    page = client.get(f"/verify/{document['verify_code']}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "昌司执监意〔2025〕1号" in text and "有效" in text and document["sha256"]["pdf"] in text
    assert client.get("/verify/NOSUCHCODE").status_code == 404
    assert client.get("/verify/<script>").status_code == 404


def test_types_endpoints(client):
    types = client.get("/api/v1/types").get_json()["types"]
    assert {t["type"] for t in types} == set(REGISTRY)
    detail = client.get("/api/v1/types/opinion").get_json()
    assert detail["schema"]["title"] == "行政执法监督意见书" and detail["sample"]["recipient"]
    assert client.get("/api/v1/types/nope").status_code == 404


def test_preview_has_no_number_and_a_watermark(client, judicial):
    from readers import pdf_all_text, pdf_pages, squash
    data = REGISTRY["opinion"].load_sample()
    pdf = client.post("/api/v1/render/opinion", json=data, headers=judicial).data
    for page in pdf_pages(pdf):
        assert "样稿" in squash(page.extract_text(use_text_flow=True)), "the diagonal watermark on every page"
    text = pdf_all_text(pdf)
    assert "昌司执监意〔2025〕7号" not in text and "昌司执监意〔2025〕" in text


def test_a_unit_numbers_only_under_its_own_organ_codes(client, settings, judicial):
    market = make_token(settings, "unit", REPORT_UNIT)
    report = REGISTRY["rectification"].load_sample()
    report["doc_number"] = {"organ_code": "昌司执监意", "year": 2025, "seq": 1}
    refused = client.post("/api/v1/documents", json={"type": "rectification", "data": report}, headers=market)
    assert refused.status_code == 403 and "昌司执监意" in refused.get_json()["detail"]
    assert client.post("/api/v1/documents", json=_opinion(), headers=judicial).get_json()["number"].endswith("〔2025〕1号")


def test_a_recipient_named_by_another_unit_sees_nothing(client, settings):
    market = make_token(settings, "unit", REPORT_UNIT)
    transport = make_token(settings, "unit", "昌吉市交通运输局")
    report = issuable("rectification")
    report["recipient"] = "昌吉市交通运输局"
    document = client.post("/api/v1/documents", json={"type": "rectification", "data": report}, headers=market).get_json()
    assert client.get(document["links"]["self"], headers=transport).status_code == 404
    assert client.get("/api/v1/documents?unit=昌吉市市场监督管理局", headers=transport).get_json()["total"] == 0


def test_a_failed_render_is_failed_with_a_reason_and_its_key_retries_it(client, judicial, monkeypatch):
    import docgen.issuing

    def broken(*args, **kwargs):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(docgen.issuing, "generate", broken)
    headers = {**judicial, "Idempotency-Key": "k1"}
    first = client.post("/api/v1/documents", json=_opinion(), headers=headers)
    assert first.status_code == 500 and "RuntimeError" not in first.get_json()["detail"], "no internals to clients"
    failed = client.get("/api/v1/documents?status=failed", headers=judicial).get_json()["items"]
    assert len(failed) == 1 and failed[0]["failure_reason"] == "内部错误（RuntimeError）" and failed[0]["number"].endswith("1号")
    monkeypatch.undo()
    retry = client.post("/api/v1/documents", json=_opinion(), headers=headers)
    body = retry.get_json()
    assert retry.status_code == 200 and body["status"] == "issued" and body["number"].endswith("〔2025〕1号")
    assert body["id"] == failed[0]["id"] and body["attempts"] == 2 and body["failure_reason"] is None
    fresh = client.post("/api/v1/documents", json=_opinion(), headers={**judicial, "Idempotency-Key": "k2"}).get_json()
    assert fresh["number"].endswith("〔2025〕2号")


@pytest.mark.parametrize("query", ["year=99999999999999999999", "year=", "page=-1", "q=%00", "unit=a%00b", "bogus=1",
                                   "page=%C2%B2", "year=%D9%A2%D9%A0%D9%A2%D9%A5", "page=%EF%BC%91", "status=gone"])
def test_bad_query_parameters_are_400(client, judicial, query):
    response = client.get(f"/api/v1/documents?{query}", headers=judicial)
    assert response.status_code == 400 and response.content_type == "application/problem+json"


def test_nul_in_path_and_reason(client, judicial):
    assert client.get("/api/v1/documents/a%00b", headers=judicial).status_code == 400
    document = client.post("/api/v1/documents", json=_opinion(), headers=judicial).get_json()
    voided = client.post(document["links"]["self"] + "/void", json={"reason": "错\u0000号"}, headers=judicial)
    assert voided.status_code == 200 and voided.get_json()["void"]["reason"] == "错号"


def test_compatibility_ideographs_in_an_organ_code_are_refused(client, judicial):
    body = _opinion()
    body["data"]["doc_number"]["organ_code"] = "昌\U0002f852"
    response = client.post("/api/v1/documents", json=body, headers=judicial)
    assert response.status_code == 422 and response.get_json()["errors"][0]["code"] == "compatibility_ideograph"


def test_pages_bring_their_own_fonts(client):
    response = client.get("/assets/fonts/FandolFang-Regular.otf")
    assert response.data[:4] == b"OTTO"
    response.close()
    for name in ("HanaMinB.ttf", "..%2F..%2Fconfig.py", "fonts.conf", "coverage.txt"):
        assert client.get(f"/assets/fonts/{name}").status_code == 404
    assert "/assets/fonts/FandolFang-Regular.otf" in client.get("/api/v1/docs").get_data(as_text=True)
