"""JSON API: document types and their schemas, previews (样稿), the OpenAPI description and its docs page."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request, send_file
from werkzeug.exceptions import ClientDisconnected

from docgen.budget import check_sync_budget
from docgen.config import Settings
from docgen.doctypes.registry import get_doctype, load_registry
from docgen.errors import BadParameter, Forbidden, RequestTimeout, UnsupportedMediaType
from docgen.generate import MEDIA_TYPES, prepare_cleaned, render_prepared
from docgen.jsonio import parse_json_document
from docgen.render.marks import Marks
from docgen.web.auth import current_caller
from docgen.web.problems import only_query

bp = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates")


def json_body() -> Any:
    """The request's JSON body; a clear 400/408/415 instead of Flask's HTML errors."""
    if not request.is_json:
        raise UnsupportedMediaType()
    try:
        raw = request.get_data(cache=False)
    except (OSError, ClientDisconnected) as exc:  # the server's read deadline passed (see docgen.serving)
        raise RequestTimeout() from exc
    return parse_json_document(raw)


def settings() -> Settings:
    """The application's docgen settings."""
    return current_app.config["DOCGEN_SETTINGS"]


def prefers_async() -> bool:
    """Whether the client asked for a background job (RFC 7240 `Prefer: respond-async`)."""
    return any(part.strip().split("=")[0].lower() == "respond-async"
               for part in request.headers.get("Prefer", "").split(","))


def accepted(payload: dict[str, Any], location: str) -> tuple[Response, int]:
    """A 202 answer pointing at the job that will do the work."""
    response = jsonify(payload)
    response.headers["Location"] = location
    if prefers_async():
        response.headers["Preference-Applied"] = "respond-async"
    return response, 202


@bp.get("/types")
@only_query()
def list_types() -> Response:
    """Every document type with its Chinese title."""
    return jsonify({"types": [{"type": slug, "title": t.title, "description": t.description}
                              for slug, t in load_registry(settings()).items()]})


@bp.get("/types/<slug>")
@only_query()
def show_type(slug: str) -> Response:
    """One type: its JSON Schema and its typical sample."""
    doctype = get_doctype(slug, settings())
    return jsonify({"type": slug, "title": doctype.title, "description": doctype.description,
                    "schema": doctype.schema, "sample": doctype.load_sample()})


def _unnumbered(data: Any) -> Any:
    """A preview never shows a 文号's number, whatever the data says."""
    if isinstance(data, dict) and isinstance(data.get("doc_number"), dict) and "seq" in data["doc_number"]:
        data = copy.deepcopy(data)
        del data["doc_number"]["seq"]
    return data


@bp.post("/render/<slug>")
@only_query("format")
def render(slug: str) -> Any:
    """A 样稿 preview of ``slug`` as ?format=pdf (default) or docx, or the internal summary as JSON."""
    caller = current_caller()
    fmt = request.args.get("format", "pdf")
    if fmt not in (*MEDIA_TYPES, "summary"):
        raise BadParameter("format 参数只能是 pdf、docx 或 summary", code="bad_format")
    data = _unnumbered(json_body())
    doctype, cleaned, context = prepare_cleaned(slug, data, settings())
    if not caller.may_act_as(cleaned["issuer"]["name"]):
        raise Forbidden(f"本令牌只能以“{caller.unit}”名义预览文书")
    if fmt == "summary":
        return jsonify({"summary": context.get("internal_summary"), "warnings": context["warnings"]})
    if prefers_async():
        from docgen.web.jobs import queue_job
        return queue_job(caller, "preview", {"type": slug, "format": fmt, "data": cleaned})
    if fmt == "pdf":
        check_sync_budget(doctype, cleaned, settings())
    result = render_prepared(doctype, context, (fmt,), settings(), marks=Marks(preview=True))
    response = send_file(io.BytesIO(result.files[fmt]), mimetype=MEDIA_TYPES[fmt],
                         download_name=f"{slug}-样稿.{fmt}", as_attachment=False)
    if result.warnings:
        response.headers["X-Docgen-Warnings"] = json.dumps(result.warnings, ensure_ascii=True)
    return response


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description, generated from the type schemas."""
    from docgen.web.openapi import build_spec
    return jsonify(build_spec(load_registry(settings())))


@bp.get("/docs")
def docs() -> str:
    """A readable page of the API, served from here (no CDN)."""
    from docgen.web.openapi import build_spec
    return render_template("docs.html", spec=build_spec(load_registry(settings())))
