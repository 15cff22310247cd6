"""JSON API: document types and their schemas, previews (样稿), the OpenAPI description and its docs page."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request, send_file

from docgen.config import Settings
from docgen.doctypes.registry import get_doctype, load_registry
from docgen.errors import BadParameter, UnsupportedMediaType
from docgen.generate import MEDIA_TYPES, generate, prepare
from docgen.jsonio import parse_json_document
from docgen.render.marks import Marks
from docgen.web.problems import only_query

bp = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates")


def json_body() -> Any:
    """The request's JSON body; a clear 400/415 instead of Flask's HTML errors."""
    if not request.is_json:
        raise UnsupportedMediaType()
    return parse_json_document(request.get_data(cache=False))


def settings() -> Settings:
    """The application's docgen settings."""
    return current_app.config["DOCGEN_SETTINGS"]


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
def render(slug: str) -> Response:
    """A 样稿 preview of ``slug`` as ?format=pdf (default) or docx, or the internal summary as JSON."""
    fmt = request.args.get("format", "pdf")
    if fmt not in (*MEDIA_TYPES, "summary"):
        raise BadParameter("format 参数只能是 pdf、docx 或 summary", code="bad_format")
    data = _unnumbered(json_body())
    if fmt == "summary":
        _, context = prepare(slug, data, settings())
        return jsonify({"summary": context.get("internal_summary"), "warnings": context["warnings"]})
    result = generate(slug, data, (fmt,), settings(), marks=Marks(preview=True))
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
