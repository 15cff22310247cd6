"""JSON API blueprint: render a document from a JSON body."""

from __future__ import annotations

import io
import json
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, send_file
from werkzeug.exceptions import HTTPException

from docgen.errors import DocgenError, InvalidData, Issue
from docgen.generate import MEDIA_TYPES, generate

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _json_body() -> Any:
    """The request's JSON body; a clear 400/415 instead of Flask's HTML errors."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "请求体必须是 JSON（Content-Type: application/json）")
    try:
        return json.loads(request.get_data(cache=False).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, "malformed_json", f"请求体不是有效的 JSON：{exc}") from exc


class ApiError(DocgenError):
    """An HTTP-level problem with the request itself (not its data)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message, code=code)
        self.http_status = status


@bp.post("/render/<slug>")
def render(slug: str) -> Response:
    """Render ``slug`` from the JSON body as ?format=pdf (default) or docx."""
    fmt = request.args.get("format", "pdf")
    if fmt not in MEDIA_TYPES:
        raise InvalidData([Issue("", "bad_format", "format 参数只能是 docx 或 pdf")], "查询参数有误")
    result = generate(slug, _json_body(), (fmt,), current_app.config["DOCGEN_SETTINGS"])
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
    codes = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}
    messages = {404: "没有这个地址", 405: "不支持该请求方法", 413: "请求体过大"}
    status = error.code or 500
    return jsonify({"code": codes.get(status, "http_error"), "message": messages.get(status, error.name)}), status
