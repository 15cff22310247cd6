"""The minimal HTTP API: health, render, clear JSON errors."""

from __future__ import annotations

import json

import pytest

from readers import assert_same_content

from conftest import REGISTRY


def test_healthz(client):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and set(body["types"]) == set(REGISTRY)
    assert body["harfbuzz_subset"] is True, "libharfbuzz-subset0 must be installed (make setup)"


@pytest.mark.parametrize("fmt, magic, media", [("pdf", b"%PDF-", "application/pdf"),
                                                ("docx", b"PK", "wordprocessingml")])
def test_render_each_format(authed, doctype, fmt, magic, media):
    response = authed.post(f"/api/v1/render/{doctype.slug}?format={fmt}", json=doctype.load_sample())
    assert response.status_code == 200
    assert response.data.startswith(magic) and media in response.content_type


def test_api_output_matches_cli_pipeline(authed, doctype):
    data = doctype.load_sample()
    pdf = authed.post(f"/api/v1/render/{doctype.slug}", json=data).data
    docx = authed.post(f"/api/v1/render/{doctype.slug}?format=docx", json=data).data
    assert_same_content(docx, pdf)


def test_invalid_data_is_422_with_paths(authed, doctype):
    data = doctype.load_sample()
    data["bogus"] = 1
    response = authed.post(f"/api/v1/render/{doctype.slug}", json=data)
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "invalid_data"
    assert {"path": "/bogus", "code": "unknown_field"}.items() <= body["errors"][0].items()


def _sample_with(change) -> str:
    data = REGISTRY["opinion"].load_sample()
    change(data)
    return json.dumps(data, ensure_ascii=False)


HOSTILE_BODIES = [
    ("{not json", 400, "malformed_json"),
    ("[" * 100_000 + "]" * 100_000, 400, "malformed_json"),
    ('{"a":' * 40 + "1" + "}" * 40, 400, "malformed_json"),
    ('{"x": ' + "9" * 5000 + "}", 400, "malformed_json"),
    ('{"x": NaN}', 400, "malformed_json"),
    ('{"x": -Infinity}', 400, "malformed_json"),
    (b"\xff\xfe{}", 400, "malformed_json"),
    ('{"\\ud800": 1}', 422, "invalid_data"),
    ("[]", 422, "invalid_data"),
    ('"text"', 422, "invalid_data"),
    ("null", 422, "invalid_data"),
    (_sample_with(lambda d: d["deadline"].update(start_date="9999-12-30")), 422, "invalid_data"),
    (_sample_with(lambda d: d["supervision"].update(case_count=1e300)), 422, "invalid_data"),
    (_sample_with(lambda d: d["supervision"].update(case_count="12")), 422, "invalid_data"),
    (_sample_with(lambda d: d.update(problems=[{"category": "执法程序", "description": {"a": 1}, "case_numbers": [1]}])),
     422, "invalid_data"),
    (_sample_with(lambda d: d.update(signature={"seal_image": "iVBORw0KGgo" * 10})), 422, "invalid_data"),
]


@pytest.mark.parametrize("body, status, code", HOSTILE_BODIES, ids=range(len(HOSTILE_BODIES)))
def test_hostile_bodies_get_a_clear_4xx(authed, body, status, code):
    response = authed.post("/api/v1/render/opinion", data=body, content_type="application/json")
    assert response.status_code == status
    payload = response.get_json()
    assert payload["code"] == code and payload["detail"]


def test_whole_number_floats_count_as_integers(authed):
    body = _sample_with(lambda d: (d["supervision"].update(case_count=12.0), d["deadline"].update(days=20.0)))
    response = authed.post("/api/v1/render/opinion?format=docx", data=body, content_type="application/json")
    assert response.status_code == 200


def test_not_json_is_415(authed):
    response = authed.post("/api/v1/render/opinion", data="a=1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and response.get_json()["code"] == "unsupported_media_type"


def test_unknown_type_and_format(authed):
    assert authed.post("/api/v1/render/nope", json={}).status_code == 404
    response = authed.post("/api/v1/render/opinion?format=odt", json={})
    assert response.status_code == 400 and response.get_json()["code"] == "bad_format"


def test_wrong_method_and_oversized_body(app, authed):
    assert authed.get("/api/v1/render/opinion").status_code == 405
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = authed.post("/api/v1/render/opinion", data=json.dumps({"x": "长" * 2000}),
                           content_type="application/json")
    assert response.status_code == 413 and response.get_json()["code"] == "payload_too_large"


def test_calendar_warning_header(authed):
    data = REGISTRY["opinion"].load_sample()
    data["issue_date"], data["doc_number"]["year"] = "2026-12-20", 2026
    data["deadline"] = {"kind": "working_days", "days": 15}
    response = authed.post("/api/v1/render/opinion?format=docx", json=data)
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
                                  "--format", "pdf"])
    assert "libharfbuzz-subset0" in result.stderr
    result = runner.invoke(main, ["render", "opinion", str(REGISTRY["opinion"].samples[0]), "-o", str(tmp_path),
                                  "--format", "docx"])
    assert "libharfbuzz-subset0" not in result.stderr, "a DOCX needs no PDF engine"


def test_an_overlong_prefer_header_is_refused(authed):
    """The OpenAPI description bounds Prefer at 100 characters; the service holds to it."""
    response = authed.post("/api/v1/render/opinion?format=docx", json=REGISTRY["opinion"].load_sample(),
                           headers={"Prefer": "0" * 101})
    assert response.status_code == 400 and response.get_json()["code"] == "invalid_header"
    assert "Prefer" in response.get_json()["detail"]
    response = authed.post("/api/v1/render/opinion?format=docx", json=REGISTRY["opinion"].load_sample(),
                           headers={"Prefer": "0" * 100})
    assert response.status_code == 200
