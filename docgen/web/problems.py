"""Errors as application/problem+json (RFC 9457) under /api, with docgen's stable codes."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from docgen.errors import BadParameter, DocgenError

LOG = logging.getLogger("docgen")
TITLES = {400: "请求有误", 401: "未认证", 403: "无权访问", 404: "未找到", 405: "不支持的请求方法", 409: "冲突",
          413: "请求体过大", 415: "不支持的媒体类型", 422: "数据有误", 500: "服务内部错误"}
HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "payload_too_large",
              415: "unsupported_media_type", 500: "internal_error"}


def problem(status: int, code: str, detail: str, errors: list[dict[str, str]] | None = None,
            headers: dict[str, str] | None = None) -> Response:
    """A problem+json response."""
    body: dict[str, Any] = {"type": f"/problems/{code}", "title": TITLES.get(status, "错误"), "status": status,
                            "code": code, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json")
    response.headers.update(headers or {})
    return response


def error_response(error: DocgenError) -> Response:
    """problem+json for a docgen error (its own status, code, message and issues)."""
    errors = [issue.as_dict() for issue in getattr(error, "issues", [])] or None
    headers = {"WWW-Authenticate": 'Bearer realm="docgen"'} if error.http_status == 401 else None
    return problem(error.http_status, error.code, error.message, errors, headers)


def only_query(*allowed: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Refuse query parameters a view does not know (a typo should not be ignored silently)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            unknown = sorted(set(request.args) - set(allowed))
            if unknown:
                known = "、".join(allowed) or "无"
                raise BadParameter(f"不认识的查询参数“{unknown[0]}”（可用：{known}）", code="unknown_parameter")
            return view(*args, **kwargs)

        return checked

    return decorate


def register(app: Flask) -> None:
    """Route docgen errors, HTTP errors and unexpected exceptions to problem+json under /api."""
    app.register_error_handler(DocgenError, error_response)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Any:
        if not request.path.startswith("/api/"):
            return error
        status = error.code or 500
        return problem(status, HTTP_CODES.get(status, "http_error"), TITLES.get(status, error.name))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        LOG.exception("unexpected error")
        if request.path.startswith("/api/"):
            return problem(500, "internal_error", "服务内部错误，请联系管理员")
        return Response("服务内部错误", status=500, mimetype="text/plain")
