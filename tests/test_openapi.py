"""The OpenAPI 3.1 description: valid, generated from the type schemas, and honoured by the API."""

from __future__ import annotations

import itertools

import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from hypothesis import assume, HealthCheck, given, settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable

from conftest import REGISTRY, make_token


def test_spec_lists_every_type_and_endpoint(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    for slug, doctype in REGISTRY.items():
        assert spec["components"]["schemas"][slug]["title"] == doctype.title
        assert f"/api/v1/render/{slug}" in spec["paths"]
    for path in ("/api/v1/documents", "/api/v1/documents/{document_id}", "/api/v1/documents/{document_id}/void"):
        assert path in spec["paths"]


def test_docs_page_is_local(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "行政执法监督意见书" in page and "/api/v1/documents" in page
    assert "http://" not in page.replace("http://127.0.0.1", "") and "https://" not in page, "no CDN, no external links"


def _issue_one(app, headers) -> None:  # type: ignore[no-untyped-def]
    data = REGISTRY["opinion"].load_sample()
    data["doc_number"].pop("seq")
    response = app.test_client().post("/api/v1/documents", json={"type": "opinion", "data": data}, headers=headers)
    assert response.status_code == 201


@pytest.mark.slow
def test_api_honours_its_description(app, settings):
    """Random valid and invalid requests to every operation: no 5xx, no response the description does not allow."""
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # Every call below carries a valid token: a case "without Authorization" would be sent with one anyway.
    api.config.generation.update(with_security_parameters=False)
    headers = make_token(settings)
    _issue_one(app, headers)  # so the {document_id} operations meet a real document as well as random ids
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 10
    for operation, mode in itertools.product(operations, (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)):

        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case) -> None:  # type: ignore[no-untyped-def]
            # A path value with "?" or "#" is sent unencoded, and Werkzeug's test client refuses it before the
            # app sees it (a real HTTP client would encode it): nothing of the service is tested by such a case.
            assume(not any(isinstance(v, str) and ("?" in v or "#" in v) for v in (case.path_parameters or {}).values()))
            # 422 for schema-valid data that breaks a business rule (dates in order, 文号 year) is documented.
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        try:
            check()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, operation.label  # nothing to get wrong in a call without inputs
