"""OpenAPI 3.1 description of the API, generated from the document types' JSON Schemas."""

from __future__ import annotations

from typing import Any

from docgen import __version__
from docgen.doctypes.registry import DocType

PROBLEM = {"$ref": "#/components/schemas/Problem"}


def _problem_responses(*statuses: int) -> dict[str, Any]:
    text = {400: "请求有误（JSON 语法、参数）", 401: "缺少或无效的令牌", 403: "无权执行", 404: "未找到",
            409: "冲突（文号已用、已作废、Idempotency-Key 内容不同）", 413: "请求体过大", 415: "请求体不是 JSON",
            422: "数据不符合文书类型的要求"}
    return {str(s): {"description": text[s], "content": {"application/problem+json": {"schema": PROBLEM}}} for s in statuses}


def _type_schema(doctype: DocType) -> dict[str, Any]:
    return {k: v for k, v in doctype.schema.items() if k not in ("$schema", "$id")}


def _components(registry: dict[str, DocType]) -> dict[str, Any]:
    issue = {"type": "object", "title": "Issue", "required": ["path", "code", "message"],
             "properties": {"path": {"type": "string", "description": "JSON 指针"},
                            "code": {"type": "string"}, "message": {"type": "string"}}}
    problem = {"type": "object", "title": "Problem", "required": ["type", "title", "status", "code", "detail"],
               "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                              "code": {"type": "string"}, "detail": {"type": "string"},
                              "errors": {"type": "array", "items": {"$ref": "#/components/schemas/Issue"}}}}
    text, nullable = {"type": "string"}, {"type": ["string", "null"]}
    pair = {"type": "object", "required": ["pdf", "docx"],
            "properties": {"pdf": {"type": ["string", "integer", "null"]}, "docx": {"type": ["string", "integer", "null"]}}}
    document = {"type": "object", "title": "Document", "additionalProperties": False,
                "required": ["id", "type", "number", "title", "unit", "recipient", "issue_date", "status", "verify_code",
                             "sha256", "size", "warnings", "created_at", "created_by", "void", "links"],
                "properties": {
                    "id": text, "type": text, "number": text, "title": text, "unit": text, "recipient": nullable,
                    "issue_date": {"type": "string", "format": "date"},
                    "status": {"enum": ["pending", "issued", "void", "failed"]}, "verify_code": text,
                    "sha256": pair, "size": pair, "warnings": {"type": "array", "items": text},
                    "created_at": text, "created_by": text,
                    "void": {"type": ["object", "null"], "properties": {"at": text, "by": text, "reason": text}},
                    "links": {"type": "object", "required": ["self", "pdf", "docx", "verify"],
                              "properties": {k: text for k in ("self", "pdf", "docx", "verify")}}}}
    page = {"type": "object", "title": "DocumentPage", "required": ["items", "page", "page_size", "total"],
            "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Document"}},
                           "page": {"type": "integer"}, "page_size": {"type": "integer"}, "total": {"type": "integer"}}}
    schemas = {slug: _type_schema(doctype) for slug, doctype in registry.items()}
    schemas.update(Issue=issue, Problem=problem, Document=document, DocumentPage=page)
    return {"schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "docgen token create --unit 单位 --role unit|judicial"}}}


def _render_paths(registry: dict[str, DocType]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    formats = {"application/pdf": {"schema": {"type": "string", "format": "binary"}},
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
                   {"schema": {"type": "string", "format": "binary"}},
               "application/json": {"schema": {"type": "object"}}}
    for slug, doctype in registry.items():
        paths[f"/api/v1/render/{slug}"] = {"post": {
            "operationId": f"render_{slug}", "summary": f"预览{doctype.title}（样稿，无文号）",
            "parameters": [{"name": "format", "in": "query", "schema": {"enum": ["pdf", "docx", "summary"]}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{slug}"}}}},
            "responses": {"200": {"description": "文书文件或内部汇总", "content": formats},
                          **_problem_responses(400, 404, 413, 415, 422)},
        }}
    return paths


def _document_paths(registry: dict[str, DocType]) -> dict[str, Any]:
    doc = {"application/json": {"schema": {"$ref": "#/components/schemas/Document"}}}
    envelope = {"oneOf": [{"type": "object", "required": ["type", "data"], "additionalProperties": False,
                           "properties": {"type": {"const": slug}, "data": {"$ref": f"#/components/schemas/{slug}"}}}
                          for slug in registry]}
    auth = [{"bearer": []}]
    item = [{"name": "document_id", "in": "path", "required": True, "schema": {"type": "string"}}]
    return {
        "/api/v1/documents": {
            "post": {"operationId": "issue_document", "summary": "制发文书：编号、生成、存档", "security": auth,
                     "parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 200}}],
                     "requestBody": {"required": True, "content": {"application/json": {"schema": envelope}}},
                     "responses": {"201": {"description": "已制发", "content": doc}, "200": {"description": "重复请求，返回原文书", "content": doc},
                                   **_problem_responses(400, 401, 403, 404, 409, 413, 415, 422)}},
            "get": {"operationId": "list_documents", "summary": "文书列表", "security": auth,
                    "parameters": [{"name": n, "in": "query", "schema": s} for n, s in (
                        ("type", {"type": "string"}), ("unit", {"type": "string"}),
                        ("year", {"type": "integer", "minimum": 2000, "maximum": 2100}), ("q", {"type": "string"}),
                        ("page", {"type": "integer", "minimum": 1, "maximum": 100000}))],
                    "responses": {"200": {"description": "一页文书", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/DocumentPage"}}}}, **_problem_responses(400, 401)}},
        },
        "/api/v1/documents/{document_id}": {"get": {
            "operationId": "get_document", "summary": "文书详情", "security": auth, "parameters": item,
            "responses": {"200": {"description": "文书", "content": doc}, **_problem_responses(400, 401, 404)}}},
        **{f"/api/v1/documents/{{document_id}}/{fmt}": {"get": {
            "operationId": f"download_{fmt}", "summary": f"下载存档的 {fmt.upper()}", "security": auth, "parameters": item,
            "responses": {"200": {"description": "原样存档的文件", "content": {media: {"schema": {"type": "string", "format": "binary"}}}},
                          **_problem_responses(400, 401, 404)}}}
           for fmt, media in (("pdf", "application/pdf"),
                              ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))},
        "/api/v1/documents/{document_id}/void": {"post": {
            "operationId": "void_document", "summary": "作废（文号仍视为已用）", "security": auth, "parameters": item,
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 500}}}}}},
            "responses": {"200": {"description": "已作废", "content": doc},
                          **_problem_responses(400, 401, 403, 404, 409, 413, 415, 422)}}},
    }


def build_spec(registry: dict[str, DocType]) -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    json_ok = {"200": {"description": "成功", "content": {"application/json": {"schema": {"type": "object"}}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "docgen 行政执法监督文书生成服务", "version": __version__,
                 "description": "把结构化 JSON 生成为符合 GB/T 9704-2012 的 DOCX 和 PDF；制发的文书统一编号、存档、可核验。"},
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": {
            "/api/v1/types": {"get": {"operationId": "list_types", "summary": "文书类型列表",
                                      "responses": {**json_ok, **_problem_responses(400)}}},
            "/api/v1/types/{slug}": {"get": {"operationId": "get_type", "summary": "文书类型的 JSON Schema 和样例",
                                             "parameters": [{"name": "slug", "in": "path", "required": True,
                                                             "schema": {"enum": sorted(registry)}}],
                                             "responses": {**json_ok, **_problem_responses(400, 404)}}},
            **_render_paths(registry),
            **_document_paths(registry),
        },
        "components": _components(registry),
    }
