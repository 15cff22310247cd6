"""Issued documents: issue (numbered, archived), list, read, download, void."""

from __future__ import annotations

import io
import json
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, send_file, url_for

from docgen.errors import BadParameter, InvalidData, Issue
from docgen.generate import MEDIA_TYPES
from docgen.store import documents as registry
from docgen.store.models import Document
from docgen.web.api import json_body
from docgen.web.auth import current_caller

bp = Blueprint("documents", __name__, url_prefix="/api/v1/documents")


def _settings():  # type: ignore[no-untyped-def]
    return current_app.config["DOCGEN_SETTINGS"]


def describe(document: Document) -> dict[str, Any]:
    """The JSON description of a document: number, status, hashes and links."""
    return {
        "id": document.id, "type": document.doc_type, "number": document.number, "title": document.title,
        "unit": document.unit, "recipient": document.recipient, "issue_date": document.issue_date.isoformat(),
        "status": document.status, "verify_code": document.verify_code,
        "sha256": {"pdf": document.pdf_sha256, "docx": document.docx_sha256},
        "size": {"pdf": document.pdf_size, "docx": document.docx_size},
        "warnings": json.loads(document.warnings_json or "[]"),
        "created_at": document.created_at.isoformat(), "created_by": document.created_by,
        "void": {"at": document.voided_at.isoformat(), "by": document.voided_by, "reason": document.void_reason}
        if document.status == "void" else None,
        "links": {
            "self": url_for("documents.show", document_id=document.id),
            "pdf": url_for("documents.download", document_id=document.id, fmt="pdf"),
            "docx": url_for("documents.download", document_id=document.id, fmt="docx"),
            "verify": url_for("verify.page", code=document.verify_code),
        },
    }


@bp.post("")
def issue() -> tuple[Response, int]:
    """Issue a document from {type, data}; an Idempotency-Key makes a retry return the same document."""
    caller = current_caller()
    body = json_body()
    if not isinstance(body, dict) or not isinstance(body.get("type"), str) or "data" not in body:
        raise InvalidData([Issue("", "bad_envelope", "请求体应为 {\"type\": 文书类型, \"data\": 文书数据}")])
    unknown = sorted(set(body) - {"type", "data"})
    if unknown:
        raise InvalidData([Issue(f"/{name}", "unknown_field", f"不认识的字段“{name}”") for name in unknown])
    key = request.headers.get("Idempotency-Key") or None
    if key is not None and not 1 <= len(key) <= 200:
        raise BadParameter("Idempotency-Key 长度应为 1–200 个字符", code="bad_idempotency_key")
    document, created = registry.issue_document(_settings(), caller, body["type"], body["data"], key)
    response = jsonify(describe(document))
    response.headers["Location"] = url_for("documents.show", document_id=document.id)
    return response, 201 if created else 200


@bp.get("")
def index() -> Response:
    """A page of the documents this token may see: ?type=&unit=&year=&q=&page=."""
    caller = current_caller()
    args = request.args
    try:
        page = int(args.get("page", "1"))
        year = int(args["year"]) if args.get("year") else None
    except ValueError as exc:
        raise BadParameter("page 和 year 应为整数", code="bad_parameter") from exc
    if page < 1 or page > 100_000:
        raise BadParameter("page 应为 1 到 100000 之间的整数", code="bad_parameter")
    filters = registry.Filters(doc_type=args.get("type") or None, unit=args.get("unit") or None, year=year,
                               q=(args.get("q") or None))
    rows, total = registry.list_documents(_settings(), caller, filters, page)
    return jsonify({"items": [describe(row) for row in rows], "page": page,
                    "page_size": _settings().page_size, "total": total})


@bp.get("/<document_id>")
def show(document_id: str) -> Response:
    """One document's description."""
    return jsonify(describe(registry.get_document(_settings(), current_caller(), document_id)))


@bp.get("/<document_id>/<any(pdf, docx):fmt>")
def download(document_id: str, fmt: str) -> Response:
    """The archived file, byte for byte as issued (ETag: its SHA-256)."""
    document = registry.get_document(_settings(), current_caller(), document_id)
    data = registry.read_file(_settings(), document, fmt)
    name = f"{document.number or document.id}.{fmt}"
    response = send_file(io.BytesIO(data), mimetype=MEDIA_TYPES[fmt], download_name=name, as_attachment=False)
    response.set_etag(document.pdf_sha256 if fmt == "pdf" else document.docx_sha256)
    return response


@bp.post("/<document_id>/void")
def void(document_id: str) -> Response:
    """Void a document with a reason; its number stays used."""
    caller = current_caller()
    body = json_body()
    reason = body.get("reason") if isinstance(body, dict) else None
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
        raise InvalidData([Issue("/reason", "required", "请填写作废原因（不超过 500 字）")])
    return jsonify(describe(registry.void_document(_settings(), caller, document_id, reason.strip())))
