"""JSON API blueprint: render a document from a JSON body."""

from __future__ import annotations

import io
import json
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, send_file
from werkzeug.exceptions import HTTPException

from docgen.errors import BadParameter, DocgenError, UnsupportedMediaType
from docgen.generate import MEDIA_TYPES, generate, prepare
from docgen.jsonio import parse_json_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _json_body() -> Any:
    """The request's JSON body; a clear 400/415 instead of Flask's HTML errors."""
    if not request.is_json:
        raise UnsupportedMediaType()
    return parse_json_document(request.get_data(cache=False))


@bp.post("/render/<slug>")
def render(slug: str) -> Response:
    """Render ``slug`` from the JSON body as ?format=pdf (default), docx, or the internal summary."""
    fmt = request.args.get("format", "pdf")
    if fmt not in (*MEDIA_TYPES, "summary"):
        raise BadParameter("format 参数只能是 pdf、docx 或 summary", code="bad_format")
    settings = current_app.config["DOCGEN_SETTINGS"]
    if fmt == "summary":
        _, context = prepare(slug, _json_body(), settings)
        return jsonify({"summary": context.get("internal_summary"), "warnings": context["warnings"]})
    result = generate(slug, _json_body(), (fmt,), settings)
    response = send_file(io.BytesIO(result.files[fmt]), mimetype=MEDIA_TYPES[fmt],
                         download_name=f"{slug}.{fmt}", as_attachment=False)
    if result.warnings:
        response.headers["X-Docgen-Warnings"] = json.dumps(result.warnings, ensure_ascii=True)
    return response


def error_response(error: DocgenError) -> tuple[Response, int]:
    """JSON body for a docgen error, with its HTTP status."""
    return jsonify(error.as_dict()), error.http_status


def http_error_response(error: HTTPException) -> tuple[Response, int]:
    """JSON body for Werkzeug's HTTP errors (404, 405, 413 …) under /api."""
    codes = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "payload_too_large",
             500: "internal_error"}
    messages = {400: "请求有误", 404: "没有这个地址", 405: "不支持该请求方法", 413: "请求体过大", 500: "服务内部错误"}
    status = error.code or 500
    return jsonify({"code": codes.get(status, "http_error"), "message": messages.get(status, error.name)}), status
