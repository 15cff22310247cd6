"""The one error hierarchy of docgen.

Every failure the engine, CLI or API reports is one of these::

    DocgenError                  base; carries code, message (简体中文), http_status
    ├── RequestProblem           the request itself is unusable (400)
    │   ├── MalformedJSON        not JSON, too deep, NaN/Infinity, absurd numbers (400)
    │   ├── UnsupportedMediaType the body is not declared as JSON (415)
    │   ├── BadParameter         a query or command-line parameter is wrong (400)
    │   ├── RequestTimeout       the client sent its request too slowly (408)
    │   └── OverBudget           valid, but too much work for a synchronous answer (413)
    ├── Unauthorized             no valid API token (401)
    ├── Forbidden                the token may not do this (403)
    ├── NotFound                 no such document, or not one this token may see (404)
    ├── Conflict                 the request clashes with the registry: number taken, already void (409)
    ├── InvalidData              input fails the schema or a business rule (422)
    ├── TooManyRequests          the caller's rate limit or job quota is used up (429)
    ├── UnknownDocType           no document type with that slug (404)
    ├── TemplateProblem          a template is broken: syntax, unknown variable (500)
    ├── RenderFailure            a rendering library failed on valid input (500)
    ├── ConfigurationProblem     the installation is incomplete or misconfigured (500)
    │   └── StorageFailure       the file archive cannot be written or read (500)
    └── ServiceUnavailable       the database or Redis does not answer in time (503)

An error may carry ``retry_after`` (seconds): the web layer sends it as Retry-After.
Messages go to clients; details that only an operator should see (paths, driver
messages) go to the log through ``log_detail``, never into ``message``.

Third-party exceptions (jsonschema, Jinja, docxtpl, WeasyPrint) are mapped to
these once, at the boundary where they are called, with ``raise … from exc``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Issue:
    """One problem with the input: JSON-pointer path, stable code, Chinese message."""

    path: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        """Return the issue as a plain JSON-ready dict."""
        return asdict(self)


class DocgenError(Exception):
    """Base of every docgen error."""

    code = "docgen_error"
    http_status = 500
    message = "文档生成失败"
    retry_after: int | None = None

    def __init__(self, message: str | None = None, *, code: str | None = None, retry_after: int | None = None,
                 log_detail: str | None = None) -> None:
        self.message = message or type(self).message
        if code:
            self.code = code
        if retry_after is not None:
            self.retry_after = retry_after
        self.log_detail = log_detail
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready description of the error."""
        return {"code": self.code, "message": self.message}

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with everything it carries (a batch's planner process sends its errors back this way); the
        default would call ``__init__`` again with the message alone, which InvalidData cannot take."""
        return _restore, (type(self), self.__dict__)


def _restore(cls: type[DocgenError], state: dict[str, Any]) -> DocgenError:
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("message", cls.message))
    error.__dict__.update(state)
    return error


class RequestProblem(DocgenError):
    """The request itself is unusable, whatever document it asks for."""

    code = "bad_request"
    http_status = 400
    message = "请求有误"


class MalformedJSON(RequestProblem):
    """The body is not acceptable JSON: syntax, encoding, depth, NaN or oversized numbers."""

    code = "malformed_json"
    message = "不是有效的 JSON"


class UnsupportedMediaType(RequestProblem):
    """The body is not declared as JSON."""

    code = "unsupported_media_type"
    http_status = 415
    message = "请求体必须是 JSON（Content-Type: application/json）"


class BadParameter(RequestProblem):
    """A query-string or command-line parameter has a value the service does not know."""

    code = "bad_parameter"
    message = "参数有误"


class RequestTimeout(RequestProblem):
    """The client did not finish sending its request in time (a slow or stalled connection)."""

    code = "request_timeout"
    http_status = 408
    message = "读取请求超时：请求体发送过慢或中断，请重试"


class OverBudget(RequestProblem):
    """Valid input that would cost more than a synchronous request may spend."""

    code = "over_sync_budget"
    http_status = 413
    message = "文书过大，超出同步生成的上限；请在请求头加 Prefer: respond-async 改用后台任务"


class Unauthorized(DocgenError):
    """The request carries no valid API token."""

    code = "unauthorized"
    http_status = 401
    message = "需要有效的 API 令牌（Authorization: Bearer …）"


class Forbidden(DocgenError):
    """The token is valid but may not do this."""

    code = "forbidden"
    http_status = 403
    message = "无权执行此操作"


class NotFound(DocgenError):
    """No such document, or one this token may not see (the two are not told apart)."""

    code = "not_found"
    http_status = 404
    message = "没有找到该文书"


class Conflict(DocgenError):
    """The request clashes with the registry's state."""

    code = "conflict"
    http_status = 409
    message = "与现有记录冲突"


class InvalidData(DocgenError):
    """The input data fails its schema or a business rule."""

    code = "invalid_data"
    http_status = 422
    message = "输入数据有误"

    MAX_ISSUES = 50  # a body with 20,000 wrong items gets the first 50, not a 5 MB answer

    def __init__(self, issues: list[Issue], message: str | None = None) -> None:
        kept = issues[:self.MAX_ISSUES]
        if len(issues) > self.MAX_ISSUES:
            kept.append(Issue("", "too_many_issues", f"问题过多，只列出前 {self.MAX_ISSUES} 处"))
        self.issues = sorted(kept, key=lambda issue: (issue.path, issue.code))
        counted = f"至少 {len(issues)} 处" if len(issues) > self.MAX_ISSUES else f"共 {len(issues)} 处"
        super().__init__(message or f"输入数据有误，{counted}问题")

    def as_dict(self) -> dict[str, Any]:
        """Return the error with its list of issues."""
        return {**super().as_dict(), "errors": [i.as_dict() for i in self.issues]}


class TooManyRequests(DocgenError):
    """The caller has used up its rate limit or its share of background jobs."""

    code = "rate_limited"
    http_status = 429
    message = "请求过于频繁，请稍后再试"
    retry_after = 60


class UnknownDocType(DocgenError):
    """No document type is registered under the requested slug."""

    code = "unknown_type"
    http_status = 404
    message = "未知的文书类型"


class TemplateProblem(DocgenError):
    """A template cannot be parsed or refers to something the context lacks."""

    code = "template_error"
    http_status = 500
    message = "文书模板有误"


class RenderFailure(DocgenError):
    """A rendering library failed on input that passed validation."""

    code = "render_failed"
    http_status = 500
    message = "文书渲染失败"


class ConfigurationProblem(DocgenError):
    """The installation is incomplete or misconfigured (fonts, templates, data)."""

    code = "configuration_error"
    http_status = 500
    message = "系统配置有误"


class StorageFailure(ConfigurationProblem):
    """The file archive cannot be written or read (disk full, read-only, corrupted file)."""

    code = "storage_error"
    message = "文件存档暂时无法写入或读取，请联系管理员"


class ServiceUnavailable(DocgenError):
    """A service docgen depends on (the database, Redis) does not answer in time."""

    code = "service_unavailable"
    http_status = 503
    message = "服务暂时不可用，请稍后重试"
    retry_after = 5
