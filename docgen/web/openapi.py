"""OpenAPI 3.1 description of the API, generated from the document types' JSON Schemas."""

from __future__ import annotations

from typing import Any

from docgen import __version__
from docgen.doctypes.registry import DocType

PROBLEM = {"$ref": "#/components/schemas/Problem"}
AUTH = [{"bearer": []}]
PREFER_MAX_LENGTH = 100
PREFER = {"name": "Prefer", "in": "header", "description": "respond-async：改用后台任务，返回 202 和任务地址",
          "schema": {"type": "string", "maxLength": PREFER_MAX_LENGTH}}
JOB_ACCEPTED = {"description": "已转为后台任务；Location 为任务地址", "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/Job"}}}}


def _problem_responses(*statuses: int) -> dict[str, Any]:
    text = {400: "请求有误（JSON 语法、参数）", 401: "缺少或无效的令牌", 403: "无权执行", 404: "未找到",
            408: "请求体发送过慢，读取超时", 409: "冲突（文号已用、已作废、Idempotency-Key 内容不同、仍在处理中）",
            413: "请求体过大，或超出同步生成上限（改用 Prefer: respond-async）", 415: "请求体不是 JSON",
            422: "数据不符合文书类型的要求", 429: "请求过于频繁或后台任务过多（见 Retry-After）",
            500: "服务内部错误（附错误编号）", 503: "数据库等依赖暂时不可用（见 Retry-After）"}
    common = (429, 500, 503)
    return {str(s): {"description": text[s], "content": {"application/problem+json": {"schema": PROBLEM}}}
            for s in sorted(set(statuses) | set(common))}


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
                             "failure_reason", "attempts", "sha256", "size", "warnings", "created_at", "created_by", "void",
                             "links"],
                "properties": {
                    "id": text, "type": text, "number": text, "title": text, "unit": text, "recipient": nullable,
                    "issue_date": {"type": "string", "format": "date"},
                    "status": {"enum": ["pending", "issued", "void", "failed"]}, "verify_code": text,
                    "failure_reason": nullable, "attempts": {"type": "integer"},
                    "sha256": pair, "size": pair, "warnings": {"type": "array", "items": text},
                    "created_at": text, "created_by": text,
                    "void": {"type": ["object", "null"], "properties": {"at": text, "by": text, "reason": text}},
                    "links": {"type": "object", "required": ["self", "pdf", "docx", "verify"],
                              "properties": {k: text for k in ("self", "pdf", "docx", "verify", "job")}}}}
    job = {"type": "object", "title": "Job", "required": ["id", "kind", "state", "progress", "links"],
           "properties": {"id": text, "kind": text, "state": {"enum": ["queued", "running", "done", "failed"]},
                          "progress": {"type": "object", "properties": {"done": {"type": "integer"}, "total": {"type": "integer"}}},
                          "created_at": text, "started_at": nullable, "finished_at": nullable, "attempts": {"type": "integer"},
                          "document_id": nullable, "result": {"type": ["object", "null"]}, "error": {"type": ["object", "null"]},
                          "document": {"$ref": "#/components/schemas/Document"},
                          "links": {"type": "object", "properties": {k: text for k in ("self", "result", "document")}}}}
    page = {"type": "object", "title": "DocumentPage", "required": ["items", "page", "page_size", "total"],
            "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Document"}},
                           "page": {"type": "integer"}, "page_size": {"type": "integer"}, "total": {"type": "integer"}}}
    schemas = {slug: _type_schema(doctype) for slug, doctype in registry.items()}
    schemas.update(Issue=issue, Problem=problem, Document=document, DocumentPage=page, Job=job)
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
            "operationId": f"render_{slug}", "summary": f"预览{doctype.title}（样稿，无文号）", "security": AUTH,
            "parameters": [{"name": "format", "in": "query", "schema": {"enum": ["pdf", "docx", "summary"]}}, PREFER],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{slug}"}}}},
            "responses": {"200": {"description": "文书文件或内部汇总", "content": formats}, "202": JOB_ACCEPTED,
                          **_problem_responses(400, 401, 403, 404, 408, 413, 415, 422)},
        }}
    return paths


def _document_paths(registry: dict[str, DocType]) -> dict[str, Any]:
    doc = {"application/json": {"schema": {"$ref": "#/components/schemas/Document"}}}
    envelope = {"oneOf": [{"type": "object", "required": ["type", "data"], "additionalProperties": False,
                           "properties": {"type": {"const": slug}, "data": {"$ref": f"#/components/schemas/{slug}"},
                                          "case_id": {"type": "string", "minLength": 1, "maxLength": 32,
                                                      "description": "在该监督案件中制发（整改报告、监督决定书）"}}}
                          for slug in registry]}
    auth = AUTH
    item = [{"name": "document_id", "in": "path", "required": True, "schema": {"type": "string"}}]
    return {
        "/api/v1/documents": {
            "post": {"operationId": "issue_document", "summary": "制发文书：编号、生成、存档", "security": auth,
                     "parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 200}},
                                    PREFER],
                     "requestBody": {"required": True, "content": {"application/json": {"schema": envelope}}},
                     "responses": {"201": {"description": "已制发", "content": doc}, "200": {"description": "重复请求，返回原文书", "content": doc},
                                   "202": {"description": "超出同步上限或要求异步：文号已分配，由后台任务生成", "content": {
                                       "application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
                                   **_problem_responses(400, 401, 403, 404, 408, 409, 413, 415, 422)}},
            "get": {"operationId": "list_documents", "summary": "文书列表", "security": auth,
                    "parameters": [{"name": n, "in": "query", "schema": s} for n, s in (
                        ("type", {"type": "string"}), ("unit", {"type": "string"}), ("recipient", {"type": "string"}),
                        ("from", {"type": "string", "format": "date"}), ("to", {"type": "string", "format": "date"}),
                        ("year", {"type": "integer", "minimum": 2000, "maximum": 2100}), ("q", {"type": "string"}),
                        ("status", {"enum": ["pending", "issued", "void", "failed"]}),
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
                          **_problem_responses(400, 401, 403, 404, 408, 409, 413, 415, 422)}}},
        **_admin_paths(),
        **_batch_paths(),
        **_case_paths(),
    }


def _admin_paths() -> dict[str, Any]:
    job = [{"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}]
    any_json = {"application/json": {"schema": {"type": "object"}}}
    return {
        "/api/v1/jobs/{job_id}": {"get": {
            "operationId": "get_job", "summary": "后台任务状态与进度", "security": AUTH, "parameters": job,
            "responses": {"200": {"description": "任务", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Job"}}}}, **_problem_responses(400, 401, 404)}}},
        "/api/v1/jobs/{job_id}/result": {"get": {
            "operationId": "get_job_result", "summary": "后台任务结果：预览文件，或 303 转到制发的文书", "security": AUTH,
            "parameters": job,
            "responses": {"200": {"description": "预览文件", "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
                    {"schema": {"type": "string", "format": "binary"}}}},
                "303": {"description": "任务制发的文书"}, **_problem_responses(400, 401, 404, 409)}}},
        "/api/v1/audit": {"get": {
            "operationId": "audit_log", "summary": "审计日志（仅市司法局）", "security": AUTH,
            "parameters": [{"name": "action", "in": "query", "schema": {"type": "string"}},
                           {"name": "since", "in": "query", "schema": {"type": "string", "format": "date"}},
                           {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100000}}],
            "responses": {"200": {"description": "一页审计记录", "content": any_json},
                          **_problem_responses(400, 401, 403)}}},
        "/api/v1/units": {"get": {
            "operationId": "list_units", "summary": "已登记的单位（单位令牌只看到本单位）", "security": AUTH,
            "responses": {"200": {"description": "单位列表", "content": any_json}, **_problem_responses(400, 401)}}},
    }


def _batch_paths() -> dict[str, Any]:
    batch = [{"name": "batch_id", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 200}}]
    any_json = {"application/json": {"schema": {"type": "object"}}}
    month = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "maxLength": 7}
    upload = {"type": "object", "required": ["file", "month"], "properties": {
        "file": {"type": "string", "format": "binary", "description": "案件文件：.xlsx、.csv（UTF-8 或 GBK）、.jsonl、.json"},
        "month": {**month, "description": "公示月份，如 2025-06"},
        "issue": {"type": "boolean", "description": "同时发布到文书登记"},
        "issue_date": {"type": "string", "format": "date", "description": "公示日期，默认今天"}}}
    return {
        "/api/v1/batches/disclosure": {"post": {
            "operationId": "start_disclosure_batch", "summary": "月度公示批量生成（仅市司法局）：上传当月案件文件", "security": AUTH,
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": upload}}},
            "responses": {"202": {"description": "已受理；Location 为批次地址", "content": any_json},
                          **_problem_responses(400, 401, 403, 408, 409, 413, 415, 422, 429)}}},
        "/api/v1/batches": {"get": {
            "operationId": "list_batches", "summary": "最近的批次", "security": AUTH,
            "parameters": [{"name": "month", "in": "query", "schema": month}],
            "responses": {"200": {"description": "批次列表", "content": any_json}, **_problem_responses(400, 401, 403)}}},
        "/api/v1/batches/{batch_id}": {"get": {
            "operationId": "get_batch", "summary": "批次状态：各单位进度、行数统计、拒收的行", "security": AUTH,
            "parameters": batch,
            "responses": {"200": {"description": "批次", "content": any_json}, **_problem_responses(400, 401, 403, 404)}}},
        "/api/v1/batches/{batch_id}/result": {"get": {
            "operationId": "get_batch_result", "summary": "批次结果 ZIP（各单位 PDF、DOCX，汇总.xlsx，公示数据.csv）",
            "security": AUTH, "parameters": batch,
            "responses": {"200": {"description": "ZIP", "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}},
                          **_problem_responses(400, 401, 403, 404, 409)}}},
        "/api/v1/disclosure/status": {"get": {
            "operationId": "disclosure_status", "summary": "当月公示情况：已公示、未公示、逾期；逾期公示的案件；催办名单",
            "security": AUTH, "parameters": [{"name": "month", "in": "query", "required": True, "schema": month}],
            "responses": {"200": {"description": "各单位情况", "content": any_json}, **_problem_responses(400, 401)}}},
    }


def _case_paths() -> dict[str, Any]:
    case = [{"name": "case_id", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 200}}]
    any_json = {"application/json": {"schema": {"type": "object"}}}
    state = {"name": "state", "in": "query", "schema": {
        "enum": ["rectifying", "reported", "overdue", "decided", "reviewed", "due_soon"]}}
    draft = {"200": {"description": "预填的文书数据（type、case_id、data）", "content": any_json},
             **_problem_responses(400, 401, 404, 409)}
    return {
        "/api/v1/cases": {"get": {"operationId": "list_cases", "summary": "监督案件（按紧迫程度；单位令牌只看到本单位）",
                                  "security": AUTH, "parameters": [state],
                                  "responses": {"200": {"description": "案件与各单位未结案件", "content": any_json},
                                                **_problem_responses(400, 401)}}},
        "/api/v1/cases/export.xlsx": {"get": {
            "operationId": "export_cases", "summary": "监督案件 XLSX", "security": AUTH, "parameters": [state],
            "responses": {"200": {"description": "XLSX", "content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}}}}, **_problem_responses(400, 401)}}},
        "/api/v1/cases/{case_id}": {"get": {
            "operationId": "get_case", "summary": "监督案件：状态、剩余工作日、文书、复查", "security": AUTH, "parameters": case,
            "responses": {"200": {"description": "案件", "content": any_json}, **_problem_responses(400, 401, 404)}}},
        "/api/v1/cases/{case_id}/drafts/report": {"post": {
            "operationId": "draft_case_report", "summary": "起草整改报告（预填）", "security": AUTH, "parameters": case,
            "responses": draft}},
        "/api/v1/cases/{case_id}/drafts/decision": {"post": {
            "operationId": "draft_case_decision", "summary": "起草监督决定书（预填；期限未满或已按期报告时 409）",
            "security": AUTH, "parameters": case, "responses": draft}},
        "/api/v1/cases/{case_id}/review": {"post": {
            "operationId": "review_case", "summary": "登记复查结果（仅市司法局）", "security": AUTH, "parameters": case,
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["result"], "properties": {
                    "result": {"type": "string", "minLength": 1, "maxLength": 1000},
                    "reviewed_on": {"type": "string", "format": "date"}}}}}},
            "responses": {"200": {"description": "案件", "content": any_json},
                          **_problem_responses(400, 401, 403, 404, 408, 409, 413, 415, 422)}}},
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
