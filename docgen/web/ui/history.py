"""History: find documents, open one (data, files, verify link), void it, start a new draft from it; job progress."""

from __future__ import annotations

import io
import json
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, send_file, url_for

from docgen.doctypes.registry import get_doctype, load_registry
from docgen.errors import BadParameter, DocgenError, NotFound
from docgen.generate import MEDIA_TYPES
from docgen.store import documents as registry
from docgen.store import jobs as job_store
from docgen.store.db import db_session
from docgen.store.drafts import save_draft
from docgen.store.models import Job
from docgen.text import clean_text
from docgen.web.params import date_parameter, int_parameter, text_parameter
from docgen.web.ui import current_actor, current_user, login_required, settings
from docgen.web.ui.editor import label_of
from docgen.web.ui.schema_form import build_form

bp = Blueprint("history", __name__)
FILTERS = ("q", "type", "unit", "recipient", "from", "to", "status", "page")


@bp.get("/documents")
@login_required
def index() -> str:
    """Search by 文号 or title, type, unit, recipient, date range and status."""
    # A search form sends its empty boxes too: an empty box is no filter.
    args = {key: text_parameter(key, value) for key, value in request.args.items() if key in FILTERS and value != ""}
    status = args.get("status") or None
    if status is not None and status not in registry.STATUSES:
        raise BadParameter("状态参数有误")
    try:
        filters = registry.Filters(doc_type=args.get("type") or None, unit=args.get("unit") or None,
                                   q=args.get("q") or None, status=status, recipient=args.get("recipient") or None,
                                   date_from=date_parameter(args, "from"), date_to=date_parameter(args, "to"))
        page = int_parameter(args, "page", 1, 1, 100_000) or 1
    except BadParameter as error:
        return render_template("ui/documents.html", rows=[], total=0, page=1, pages=1, args=args,
                               types=load_registry(settings()), error=error.message), 400  # type: ignore[return-value]
    rows, total = registry.list_documents(settings(), current_user().caller(), filters, page)
    pages = max(1, -(-total // settings().page_size))
    return render_template("ui/documents.html", rows=rows, total=total, page=page, pages=pages, args=args,
                           types=load_registry(settings()), error=None)


@bp.get("/documents/<document_id>")
@login_required
def show(document_id: str) -> str:
    """A document: its number, status and files, its data read-only, void and 以此为模板新建."""
    document = registry.get_document(settings(), current_user().caller(), text_parameter("id", document_id))
    doctype = get_doctype(document.doc_type, settings())
    data = json.loads(document.data_json)
    if document.seq is not None and isinstance(data.get("doc_number"), dict):
        data["doc_number"]["seq"] = document.seq
    user = current_user()
    may_void = document.status == "issued" and (user.caller().role == "judicial" or user.unit == document.unit)
    return render_template("ui/document.html", document=document, doctype=doctype, form=build_form(doctype.schema, data),
                           may_void=may_void, issued=request.args.get("issued") == "1",
                           error=request.args.get("error"))


@bp.get("/documents/<document_id>/<any(pdf, docx):fmt>")
@login_required
def download(document_id: str, fmt: str) -> Response:
    document = registry.get_document(settings(), current_user().caller(), text_parameter("id", document_id))
    data = registry.read_file(settings(), document, fmt)
    name = f"{document.number or document.title}.{fmt}"
    return send_file(io.BytesIO(data), mimetype=MEDIA_TYPES[fmt], download_name=name, as_attachment=True)


@bp.post("/documents/<document_id>/void")
@login_required
def void(document_id: str) -> Response:
    reason = clean_text(request.form.get("reason", "")).strip()
    if not reason or len(reason) > 500:
        return redirect(url_for("ui.history.show", document_id=document_id, error="请填写作废原因（不超过 500 字）"))
    try:
        registry.void_document(settings(), current_user().caller(), current_actor(), document_id, reason)
    except DocgenError as error:
        if isinstance(error, NotFound):
            raise
        return redirect(url_for("ui.history.show", document_id=document_id, error=error.message))
    return redirect(url_for("ui.history.show", document_id=document_id))


@bp.post("/documents/<document_id>/copy")
@login_required
def copy(document_id: str) -> Response:
    """以此为模板新建: the document's data as a new draft (without its number, so the new one gets its own)."""
    user = current_user()
    document = registry.get_document(settings(), user.caller(), text_parameter("id", document_id))
    doctype = get_doctype(document.doc_type, settings())
    data = json.loads(document.data_json)
    if isinstance(data.get("doc_number"), dict):
        data["doc_number"].pop("seq", None)
    with db_session(settings()) as db:
        draft = save_draft(db, user.id, document.doc_type, None, data, label_of(doctype, data), document.id)
    return redirect(url_for("ui.workspace.draft", draft_id=draft.id))


def _job(job_id: str) -> Job:
    with db_session(settings(), read_only=True) as db:
        job = db.get(Job, text_parameter("id", job_id))
    if job is None or not job_store.visible(job, current_user().caller()):
        raise NotFound("没有找到该后台任务")
    return job


@bp.get("/jobs/<job_id>")
@login_required
def job(job_id: str) -> Any:
    """A background job's progress; a finished issue goes straight to its document."""
    found = _job(job_id)
    result = json.loads(found.result_json or "null")
    if found.state == "done" and result and "document_id" in result:
        return redirect(url_for("ui.history.show", document_id=result["document_id"], issued=1))
    error = json.loads(found.error_json or "null")
    return render_template("ui/job.html", job=found, result=result, error=error)


@bp.get("/jobs/<job_id>/result")
@login_required
def job_result(job_id: str) -> Response:
    from docgen.jobs.handlers import result_dir
    found = _job(job_id)
    result = json.loads(found.result_json or "null") or {}
    path = result_dir(settings()) / result.get("file", "-")
    if found.state != "done" or not path.is_file():
        raise NotFound("预览文件尚未生成或已过期")
    return send_file(path, mimetype=result["media_type"], download_name=f"样稿.{result['format']}", max_age=0)
