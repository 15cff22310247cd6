"""Errors as application/problem+json (RFC 9457) under /api, as a Chinese HTML page elsewhere; security headers.

A 5xx never sends its internal detail (paths, driver messages, exception text) to
the client: the client gets the class's generic message and a reference that is
also in the log, next to the detail.
"""

from __future__ import annotations

import functools
import json
import logging
import secrets
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from docgen.errors import BadParameter, DocgenError

LOG = logging.getLogger("docgen")
TITLES = {400: "请求有误", 401: "未认证", 403: "无权访问", 404: "未找到", 405: "不支持的请求方法", 408: "请求超时",
          409: "冲突", 413: "请求过大", 415: "不支持的媒体类型", 422: "数据有误", 429: "请求过于频繁", 500: "服务内部错误",
          503: "服务暂时不可用"}
HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 408: "request_timeout",
              413: "payload_too_large", 415: "unsupported_media_type", 429: "rate_limited", 500: "internal_error"}
HTTP_DETAILS = {404: "没有这个地址", 405: "该地址不支持此请求方法", 413: "请求体过大", 429: "请求过于频繁，请稍后再试",
                500: "服务内部错误，请联系管理员"}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",  # verification links carry their code in the path
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; font-src 'self'; form-action 'self'; base-uri 'none'; "
                               "frame-ancestors 'none'",
}


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


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _page(status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    """The Chinese HTML error page for pages people open in a browser."""
    html = render_template("error.html", status=status, title=TITLES.get(status, "错误"), detail=detail)
    response = Response(html, status=status, mimetype="text/html")
    response.headers.update(headers or {})
    return response


def error_response(error: DocgenError) -> Response:
    """A docgen error with its own status, code and issues; a 5xx keeps its detail in the log."""
    headers: dict[str, str] = {}
    if error.http_status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="docgen"'
    if error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    detail = error.message
    if error.http_status >= 500:
        reference = secrets.token_hex(4)
        LOG.error("%s [%s] %s: %s", reference, error.code, error.message, error.log_detail or "",
                  exc_info=error.__cause__ is not None and error.http_status != 503)
        detail = f"{type(error).message}（错误编号 {reference}）"
    if not _wants_json():
        return _page(error.http_status, detail, headers)
    errors = [issue.as_dict() for issue in getattr(error, "issues", [])] or None
    return problem(error.http_status, error.code, detail, errors, headers)


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
    """Route every error to problem+json (API) or the HTML error page (browser pages); add security headers."""
    app.register_error_handler(DocgenError, error_response)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        status = error.code or 500
        headers = {}
        if status == 429:
            from docgen.web.limits import retry_after_seconds
            headers["Retry-After"] = str(retry_after_seconds())
        detail = HTTP_DETAILS.get(status, TITLES.get(status, error.name))
        if not _wants_json():
            return _page(status, detail, headers)
        return problem(status, HTTP_CODES.get(status, "http_error"), detail, headers=headers)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        reference = secrets.token_hex(4)
        LOG.exception("%s unexpected error", reference)
        detail = f"服务内部错误，请联系管理员（错误编号 {reference}）"
        return problem(500, "internal_error", detail) if _wants_json() else _page(500, detail)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
