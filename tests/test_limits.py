"""One request must never take the service down: bounded schemas, linear validation, tokens, rate limits, budgets."""

from __future__ import annotations

import copy
import json
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from docgen.budget import estimate_pages
from docgen.doctypes.registry import DocType
from docgen.errors import InvalidData

from conftest import REGISTRY, issuable, make_token


def unbounded(node: Any, path: str = "") -> Iterator[str]:
    """Every array without maxItems and every string without maxLength (or enum/const) in a schema."""
    if isinstance(node, dict):
        kinds = node.get("type") if isinstance(node.get("type"), list) else [node.get("type")]
        if ("array" in kinds or "items" in node) and "maxItems" not in node:
            yield f"{path} (array)"
        if "string" in kinds and not {"maxLength", "enum", "const"} & set(node):
            yield f"{path} (string)"
        for key, value in node.items():
            yield from unbounded(value, f"{path}/{key}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from unbounded(value, f"{path}/{n}")


def test_every_array_and_string_of_every_type_is_bounded(doctype: DocType):
    assert list(unbounded(doctype.schema)) == []


def test_the_walker_finds_an_unbounded_field():
    assert list(unbounded({"type": "object", "properties": {"a": {"type": "array", "items": {"type": "string"}}}})) == [
        "/properties/a (array)", "/properties/a/items (string)"]


@contextmanager
def guard(seconds: int) -> Iterator[None]:
    """Turn a hang into a failure (quadratic work on these sizes would take minutes to hours)."""
    def expired(*_: Any) -> None:
        raise TimeoutError(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("size", [20_000, 200_000])
def test_a_hostile_list_is_refused_in_linear_time(size):
    data = REGISTRY["disclosure"].load_sample()
    data["cases"][0]["restrictions"] = list(range(size)) + ["minor"]
    with guard(20), pytest.raises(InvalidData) as info:
        REGISTRY["disclosure"].validate(data)
    codes = {issue.code for issue in info.value.issues}
    assert "too_many" in codes and "too_many_issues" in codes and len(info.value.issues) <= 51


def test_duplicates_are_still_found():
    data = REGISTRY["disclosure"].load_sample()
    data["cases"][0]["restrictions"] = ["minor", "privacy", "minor"]
    with pytest.raises(InvalidData) as info:
        REGISTRY["disclosure"].validate(data)
    assert [(i.path, i.code) for i in info.value.issues] == [("/cases/0/restrictions", "duplicate")]


def test_the_hostile_request_is_a_422_over_http(authed):
    data = REGISTRY["disclosure"].load_sample()
    data["cases"][0]["restrictions"] = list(range(20_000)) + ["minor"]
    with guard(20):
        response = authed.post("/api/v1/render/disclosure?format=summary", json=data)
    assert response.status_code == 422 and response.get_json()["code"] == "invalid_data"


# ---------------------------------------------------------------- tokens, budget, rate limits

@pytest.mark.parametrize("fmt", ["pdf", "docx", "summary"])
def test_previews_need_a_token(client, fmt):
    response = client.post(f"/api/v1/render/opinion?format={fmt}", json=REGISTRY["opinion"].load_sample())
    assert response.status_code == 401 and response.content_type == "application/problem+json"


def test_a_unit_previews_only_as_itself(client, settings):
    transport = make_token(settings, "unit", "昌吉市交通运输局")
    response = client.post("/api/v1/render/opinion", json=REGISTRY["opinion"].load_sample(), headers=transport)
    assert response.status_code == 403


def heavy_month(cases: int = 200, length: int = 600) -> dict[str, Any]:
    """The finding's body: 200 cases with 600-character facts (≈ 400 KB)."""
    data = REGISTRY["disclosure"].load_sample()
    template = data["cases"][0]
    data["cases"] = []
    for n in range(cases):
        case = copy.deepcopy(template)
        case.update(decision_number=f"昌市监罚〔2025〕{n + 1}号", facts=("经查，当事人销售超过保质期的食品。" * 40)[:length])
        case.pop("restrictions", None)
        data["cases"].append(case)
    return data


def test_work_over_the_budget_is_refused_with_a_pointer_to_the_job_path(authed):
    data = heavy_month()
    assert estimate_pages(REGISTRY["disclosure"], data) > 80
    response = authed.post("/api/v1/render/disclosure", json=data)
    body = response.get_json()
    assert response.status_code == 413 and body["code"] == "over_sync_budget" and "Prefer: respond-async" in body["detail"]
    assert authed.post("/api/v1/render/disclosure?format=docx", json=data).status_code == 200, "DOCX is cheap"


def test_every_sample_fits_the_default_budget(sample):
    from docgen.config import Settings
    slug, path = sample
    assert estimate_pages(REGISTRY[slug], json.loads(path.read_text(encoding="utf-8"))) <= Settings().sync_max_pages


def test_narrow_columns_count_in_the_estimate():
    """Long text in one column costs a page per case or so: the estimate lays the table out with the fitted
    column widths, as the renderer does, and lands near the real page count."""
    import pypdfium2
    from docgen.budget import generic_pages
    from docgen.generate import generate
    data = REGISTRY["disclosure"].load_sample()
    data["cases"] = [{**case, "remark": "备" * 500} for case in data["cases"] * 2 if not case.get("restrictions")]
    pages = estimate_pages(REGISTRY["disclosure"], data)
    real = len(pypdfium2.PdfDocument(generate("disclosure", data, ("pdf",)).files["pdf"]))
    assert generic_pages(data) < 20 < pages and abs(pages - real) <= 0.15 * real, (pages, real, generic_pages(data))


def test_an_async_preview_runs_as_a_job(authed):
    response = authed.post("/api/v1/render/opinion?format=pdf", json=REGISTRY["opinion"].load_sample(),
                           headers={"Prefer": "respond-async"})
    assert response.status_code == 202 and response.headers["Preference-Applied"] == "respond-async"
    job = wait_for_job(authed, response.headers["Location"])
    assert job["state"] == "done" and job["progress"] == {"done": 1, "total": 1}
    pdf = authed.get(job["links"]["result"])
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-") and pdf.mimetype == "application/pdf"
    pdf.close()


def wait_for_job(client, location: str, seconds: int = 600) -> dict[str, Any]:
    """Poll a job until it is finished, as a client would (Retry-After between polls)."""
    import time
    with guard(seconds):
        while True:
            job = client.get(location).get_json()
            if job["state"] in ("done", "failed"):
                return job
            time.sleep(0.2)


def test_job_quota(app, settings):
    import dataclasses
    from docgen import create_app
    quota = create_app({"TESTING": True, "DOCGEN_SETTINGS": dataclasses.replace(settings, job_quota=1, job_threads=0)})
    client = quota.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = make_token(settings)["Authorization"]
    body = REGISTRY["opinion"].load_sample()
    assert client.post("/api/v1/render/opinion", json=body, headers={"Prefer": "respond-async"}).status_code == 202
    refused = client.post("/api/v1/render/opinion", json=body, headers={"Prefer": "respond-async"})
    assert refused.status_code == 429 and refused.get_json()["code"] == "job_quota" and refused.headers["Retry-After"]


def limited_app(settings, **limits: str):
    import dataclasses
    from docgen import create_app
    return create_app({"TESTING": True, "DOCGEN_SETTINGS": dataclasses.replace(settings, rate_limits=True, **limits)})


def test_rate_limit_per_token_is_429_problem_json_with_retry_after(app, settings):
    client = limited_app(settings, rate_limit_preview="3/minute").test_client()
    first, second = make_token(settings), make_token(settings)
    body = REGISTRY["opinion"].load_sample()
    answers = [client.post("/api/v1/render/opinion?format=summary", json=body, headers=first).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = client.post("/api/v1/render/opinion?format=summary", json=body, headers=first)
    assert refused.content_type == "application/problem+json" and refused.get_json()["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 61  # the moving window counts whole seconds
    assert client.post("/api/v1/render/opinion?format=summary", json=body, headers=second).status_code == 200, \
        "each token has its own budget"


def test_the_public_page_is_limited_per_address(app, settings):
    client = limited_app(settings, rate_limit_public="2/minute").test_client()
    assert [client.get("/verify/ABCDEFGHJK").status_code for _ in range(3)] == [404, 404, 429]


REDIS_ENV = "DOCGEN_TEST_REDIS_URL"


@pytest.mark.skipif(not os.environ.get(REDIS_ENV), reason=f"{REDIS_ENV} 未设置：需要真实的 Redis（.ci/run 会设置为 127.0.0.1:6379）")
def test_rate_limits_are_shared_through_redis(app, settings):
    import redis
    url = os.environ[REDIS_ENV]
    redis.Redis.from_url(url).flushdb()
    one = limited_app(settings, rate_limit_preview="3/minute", redis_url=url).test_client()
    two = limited_app(settings, rate_limit_preview="3/minute", redis_url=url).test_client()  # another worker
    token = make_token(settings)
    body = REGISTRY["opinion"].load_sample()
    answers = [(one if n % 2 else two).post("/api/v1/render/opinion?format=summary", json=body, headers=token).status_code
               for n in range(4)]
    assert answers == [200, 200, 200, 429]
    assert any(key.startswith(b"LIMITS") for key in redis.Redis.from_url(url).keys("*"))


def test_issuing_is_also_limited(app, settings):
    client = limited_app(settings, rate_limit_issue="1/minute").test_client()
    token = make_token(settings)
    body = {"type": "opinion", "data": issuable("opinion")}
    assert client.post("/api/v1/documents", json=body, headers=token).status_code == 201
    assert client.post("/api/v1/documents", json=body, headers=token).status_code == 429


def test_made_up_tokens_do_not_open_fresh_budgets(app, settings):
    import secrets
    client = limited_app(settings, rate_limit_public="3/minute", rate_limit_default="3/minute").test_client()
    for path in ("/verify/ABCDEFGHJK", "/api/v1/documents"):
        answers = [client.get(path, headers={"Authorization": f"Bearer dg_{secrets.token_hex(8)}"}).status_code
                   for _ in range(5)]
        assert answers[-1] == 429, (path, answers)


def test_healthz_is_never_rate_limited(app, settings):
    client = limited_app(settings, rate_limit_default="2/minute").test_client()
    assert {client.get("/healthz").status_code for _ in range(6)} == {200}
