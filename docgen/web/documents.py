"""Issued documents: issue (numbered, archived), list, read, download, void."""

from __future__ import annotations

import io
import json
from typing import Any

from flask import Blueprint, Response, jsonify, request, send_file, url_for

from docgen import issuing
from docgen.clock import aware
from docgen.errors import BadParameter, InvalidData, Issue
from docgen.generate import MEDIA_TYPES
from docgen.store import documents as registry
from docgen.store.models import Document
from docgen.text import clean_text
from docgen.web.api import accepted, json_body, prefers_async, settings
from docgen.web.auth import current_actor, current_caller
from docgen.web.params import date_parameter, int_parameter, text_parameter
from docgen.web.problems import only_query

bp = Blueprint("documents", __name__, url_prefix="/api/v1/documents")


def describe(document: Document) -> dict[str, Any]:
    """The JSON description of a document: number, status, hashes and links."""
    return {
        "id": document.id, "type": document.doc_type, "number": document.number, "title": document.title,
        "unit": document.unit, "recipient": document.recipient, "issue_date": document.issue_date.isoformat(),
        "status": document.status, "verify_code": document.verify_code,
        "failure_reason": document.failure_reason, "attempts": document.attempts,
        "sha256": {"pdf": document.pdf_sha256, "docx": document.docx_sha256},
        "size": {"pdf": document.pdf_size, "docx": document.docx_size},
        "warnings": json.loads(document.warnings_json or "[]"),
        "created_at": aware(document.created_at).isoformat(), "created_by": document.created_by,
        "void": {"at": aware(document.voided_at).isoformat(), "by": document.voided_by, "reason": document.void_reason}
        if document.status == "void" else None,
        "links": {
            "self": url_for("documents.show", document_id=document.id),
            "pdf": url_for("documents.download", document_id=document.id, fmt="pdf"),
            "docx": url_for("documents.download", document_id=document.id, fmt="docx"),
            "verify": url_for("verify.page", code=document.verify_code),
            **({"job": url_for("jobs.show", job_id=document.job_id)} if document.job_id else {}),
        },
    }


@bp.post("")
@only_query()
def issue() -> tuple[Response, int]:
    """Issue a document from {type, data}; an Idempotency-Key makes a retry return the same document.

    201: issued now. 200: the key's earlier document. 202: rendering continues in a background
    job (the document is over the synchronous budget, or the client sent `Prefer: respond-async`).
    """
    caller = current_caller()
    body = json_body()
    if not isinstance(body, dict) or not isinstance(body.get("type"), str) or "data" not in body:
        raise InvalidData([Issue("", "bad_envelope", "请求体应为 {\"type\": 文书类型, \"data\": 文书数据}")])
    unknown = sorted(set(body) - {"type", "data", "case_id"})
    if unknown:
        raise InvalidData([Issue(f"/{name}", "unknown_field", f"不认识的字段“{name}”") for name in unknown])
    case_id = body.get("case_id")
    if case_id is not None and (not isinstance(case_id, str) or not 1 <= len(case_id) <= 32
                                or not case_id.isascii() or not case_id.isalnum()):
        raise InvalidData([Issue("/case_id", "invalid_value", "case_id 应为监督案件的编号")])
    key = request.headers.get("Idempotency-Key") or None
    if key is not None and not 1 <= len(key) <= 200:
        raise BadParameter("Idempotency-Key 长度应为 1–200 个字符", code="bad_idempotency_key")
    outcome = issuing.issue(settings(), caller, current_actor(), body["type"], body["data"], key, prefers_async(),
                            case_id=case_id)
    if outcome.job is not None:
        from docgen.web.jobs import describe as describe_job
        return accepted({**describe_job(outcome.job), "document": describe(outcome.document)},
                        url_for("jobs.show", job_id=outcome.job.id))
    response = jsonify(describe(outcome.document))
    response.headers["Location"] = url_for("documents.show", document_id=outcome.document.id)
    return response, 201 if outcome.created else 200


@bp.get("")
@only_query("type", "unit", "recipient", "year", "from", "to", "q", "page", "status")
def index() -> Response:
    """A page of the documents this token may see: ?type=&unit=&recipient=&year=&from=&to=&q=&status=&page=."""
    caller = current_caller()
    args = {key: text_parameter(key, value) for key, value in request.args.items()}
    page = int_parameter(args, "page", 1, 1, 100_000)
    year = int_parameter(args, "year", None, 2000, 2100)
    status = args.get("status")
    if status is not None and status not in registry.STATUSES:
        raise BadParameter(f"参数 status 只能是 {'、'.join(registry.STATUSES)} 之一", code="bad_parameter")
    filters = registry.Filters(doc_type=args.get("type") or None, unit=args.get("unit") or None, year=year,
                               q=(args.get("q") or None), status=status, recipient=args.get("recipient") or None,
                               date_from=date_parameter(args, "from"), date_to=date_parameter(args, "to"))
    rows, total = registry.list_documents(settings(), caller, filters, page)
    return jsonify({"items": [describe(row) for row in rows], "page": page,
                    "page_size": settings().page_size, "total": total})


@bp.url_value_preprocessor
def _check_path(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values and "document_id" in values:
        text_parameter("document_id", values["document_id"])


@bp.get("/<document_id>")
@only_query()
def show(document_id: str) -> Response:
    """One document's description."""
    return jsonify(describe(registry.get_document(settings(), current_caller(), document_id)))


@bp.get("/<document_id>/<any(pdf, docx):fmt>")
@only_query()
def download(document_id: str, fmt: str) -> Response:
    """The archived file, byte for byte as issued (ETag: its SHA-256)."""
    document = registry.get_document(settings(), current_caller(), document_id)
    data = registry.read_file(settings(), document, fmt)
    name = f"{document.number or document.id}.{fmt}"
    response = send_file(io.BytesIO(data), mimetype=MEDIA_TYPES[fmt], download_name=name, as_attachment=False)
    response.set_etag(document.pdf_sha256 if fmt == "pdf" else document.docx_sha256)
    return response


@bp.post("/<document_id>/void")
@only_query()
def void(document_id: str) -> Response:
    """Void a document with a reason; its number stays used."""
    caller = current_caller()
    body = json_body()
    reason = body.get("reason") if isinstance(body, dict) else None
    reason = clean_text(reason) if isinstance(reason, str) else None
    if not reason or not reason.strip() or len(reason) > 500:
        raise InvalidData([Issue("/reason", "required", "请填写作废原因（不超过 500 字）")])
    return jsonify(describe(registry.void_document(settings(), caller, current_actor(), document_id, reason.strip())))
