"""Issued documents: issue (numbered, archived), list, read, download, void."""

from __future__ import annotations

import io
import json
from typing import Any

from flask import Blueprint, Response, jsonify, request, send_file, url_for

from docgen.errors import BadParameter, InvalidData, Issue
from docgen.generate import MEDIA_TYPES
from docgen.store import documents as registry
from docgen.store.models import Document
from docgen.web.api import json_body, settings
from docgen.text import clean_text
from docgen.web.auth import current_caller
from docgen.web.problems import only_query

bp = Blueprint("documents", __name__, url_prefix="/api/v1/documents")


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
@only_query()
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
    document, created = registry.issue_document(settings(), caller, body["type"], body["data"], key)
    response = jsonify(describe(document))
    response.headers["Location"] = url_for("documents.show", document_id=document.id)
    return response, 201 if created else 200


@bp.get("")
@only_query("type", "unit", "year", "q", "page")
def index() -> Response:
    """A page of the documents this token may see: ?type=&unit=&year=&q=&page=."""
    caller = current_caller()
    args = {key: _text_parameter(key, value) for key, value in request.args.items()}
    page = _int_parameter(args, "page", 1, 1, 100_000)
    year = _int_parameter(args, "year", None, 2000, 2100)
    filters = registry.Filters(doc_type=args.get("type") or None, unit=args.get("unit") or None, year=year,
                               q=(args.get("q") or None))
    rows, total = registry.list_documents(settings(), caller, filters, page)
    return jsonify({"items": [describe(row) for row in rows], "page": page,
                    "page_size": settings().page_size, "total": total})


def _text_parameter(name: str, value: str) -> str:
    """A query or path parameter: bounded, and free of characters no database should see."""
    if len(value) > 200 or clean_text(value) != value:
        raise BadParameter(f"参数 {name} 过长或含有控制字符", code="bad_parameter")
    return value


def _int_parameter(args: dict[str, str], name: str, default: int | None, low: int, high: int) -> int | None:
    raw = args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise BadParameter(f"参数 {name} 应为 {low} 到 {high} 之间的整数", code="bad_parameter")
    return int(raw)


@bp.url_value_preprocessor
def _check_path(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values and "document_id" in values:
        _text_parameter("document_id", values["document_id"])


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
    return jsonify(describe(registry.void_document(settings(), caller, document_id, reason.strip())))
