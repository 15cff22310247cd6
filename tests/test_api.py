"""The minimal HTTP API: health, render, clear JSON errors."""

from __future__ import annotations

import json

import pytest

from readers import docx_paragraphs, pdf_body_text, assert_in_order

from conftest import REGISTRY


def test_healthz(client):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and set(body["types"]) == set(REGISTRY)
    assert body["harfbuzz_subset"] is True, "libharfbuzz-subset0 must be installed (make setup)"


@pytest.mark.parametrize("fmt, magic, media", [("pdf", b"%PDF-", "application/pdf"),
                                                ("docx", b"PK", "wordprocessingml")])
def test_render_each_format(client, doctype, fmt, magic, media):
    response = client.post(f"/api/v1/render/{doctype.slug}?format={fmt}", json=doctype.load_sample())
    assert response.status_code == 200
    assert response.data.startswith(magic) and media in response.content_type


def test_api_output_matches_cli_pipeline(client, doctype):
    data = doctype.load_sample()
    pdf = client.post(f"/api/v1/render/{doctype.slug}", json=data).data
    docx = client.post(f"/api/v1/render/{doctype.slug}?format=docx", json=data).data
    assert_in_order(docx_paragraphs(docx), pdf_body_text(pdf))


def test_invalid_data_is_422_with_paths(client, doctype):
    data = doctype.load_sample()
    data["bogus"] = 1
    response = client.post(f"/api/v1/render/{doctype.slug}", json=data)
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "invalid_data"
    assert {"path": "/bogus", "code": "unknown_field"}.items() <= body["errors"][0].items()


@pytest.mark.parametrize("body, content_type, status, code", [
    ("{not json", "application/json", 400, "malformed_json"),
    ("a=1", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
])
def test_request_errors(client, body, content_type, status, code):
    response = client.post("/api/v1/render/opinion", data=body, content_type=content_type)
    assert response.status_code == status
    assert response.get_json()["code"] == code


def test_unknown_type_and_format(client):
    assert client.post("/api/v1/render/nope", json={}).status_code == 404
    response = client.post("/api/v1/render/opinion?format=odt", json={})
    assert response.status_code == 422 and response.get_json()["errors"][0]["code"] == "bad_format"


def test_wrong_method_and_oversized_body(app, client):
    assert client.get("/api/v1/render/opinion").status_code == 405
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/api/v1/render/opinion", data=json.dumps({"x": "长" * 2000}),
                           content_type="application/json")
    assert response.status_code == 413 and response.get_json()["code"] == "payload_too_large"


def test_calendar_warning_header(client):
    data = REGISTRY["opinion"].load_sample()
    data["issue_date"], data["doc_number"]["year"] = "2026-12-20", 2026
    data["deadline"] = {"kind": "working_days", "days": 15}
    response = client.post("/api/v1/render/opinion?format=docx", json=data)
    assert response.status_code == 200
    warnings = json.loads(response.headers["X-Docgen-Warnings"])
    assert any("2027年节假日数据缺失" in w for w in warnings)


def test_missing_harfbuzz_subset_is_loud(monkeypatch, caplog, runner, tmp_path):
    import docgen.render.pdf
    from docgen import create_app
    from docgen.cli import main

    monkeypatch.setattr(docgen.render.pdf, "harfbuzz_subset_available", lambda: False)
    with caplog.at_level("WARNING", logger="docgen"):
        create_app({"TESTING": True})
    assert "apt-get install libharfbuzz-subset0" in caplog.text
    result = runner.invoke(main, ["render", "opinion", str(REGISTRY["opinion"].samples[0]), "-o", str(tmp_path),
                                  "--format", "docx"])
    assert "libharfbuzz-subset0" in result.stderr
