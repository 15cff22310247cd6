"""The workspace: home, the editor of each document type, drafts, preview and issue."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, url_for

from docgen import clock, issuing
from docgen.budget import over_sync_budget
from docgen.doctypes.registry import DocType, get_doctype, load_registry
from docgen.errors import DocgenError, Forbidden, InvalidData, NotFound
from docgen.generate import prepare_cleaned, render_prepared
from docgen.render.marks import Marks
from docgen.store import documents as registry
from docgen.store.db import db_session
from docgen.store.drafts import delete_draft, get_draft, mark_issued, open_drafts, save_draft
from docgen.store.units import list_units
from docgen.store.users import UserInfo
from docgen.web.ui import current_actor, current_user, login_required, settings
from docgen.web.ui.editor import codes_by_unit, complete, form_options, label_of, new_data, page_images, sample_for
from docgen.web.ui.schema_form import apply_array_action, build_form, errors_by_field, parse_form

bp = Blueprint("workspace", __name__)
ARRAY_ACTIONS = ("add:", "remove:", "up:", "down:")


def is_fetch() -> bool:
    """A request from the page's script (it wants a fragment or JSON, not a whole page)."""
    return request.headers.get("X-Docgen-Fetch") == "1"


@bp.get("/")
@login_required
def home() -> str:
    """New documents by type, the user's drafts, and the latest documents they may see."""
    user = current_user()
    with db_session(settings(), read_only=True) as db:
        drafts = open_drafts(db, user.id)
    recent, _ = registry.list_documents(settings(), user.caller(), registry.Filters(), 1)
    return render_template("ui/home.html", types=load_registry(settings()), drafts=drafts, recent=recent[:8])


@bp.get("/new/<slug>")
@login_required
def new(slug: str) -> str:
    doctype = get_doctype(slug, settings())
    user = current_user()
    units = _units()
    return _editor(doctype, new_data(doctype, user, units), None, units)


@bp.get("/drafts/<draft_id>")
@login_required
def draft(draft_id: str) -> str:
    user = current_user()
    with db_session(settings(), read_only=True) as db:
        row = get_draft(db, user.id, draft_id)
    if row is None:
        raise NotFound("没有找到该草稿")
    if row.document_id:
        return redirect(url_for("ui.history.show", document_id=row.document_id))  # type: ignore[return-value]
    notice = "已恢复登录过期前未保存的内容" if request.args.get("rescued") else None
    return _editor(get_doctype(row.doc_type, settings()), json.loads(row.data_json), row.id, _units(), notice=notice)


@bp.post("/drafts/<draft_id>/delete")
@login_required
def remove(draft_id: str) -> Response:
    with db_session(settings()) as db:
        delete_draft(db, current_user().id, draft_id)
    return redirect(url_for("ui.workspace.home"))


def _units() -> list[Any]:
    with db_session(settings(), read_only=True) as db:
        return list_units(db)


@bp.post("/edit/<slug>")
@login_required
def edit(slug: str) -> Any:
    """Every button of the editor: save, autosave, sample, rows, preview, issue. The draft is saved first, always."""
    doctype = get_doctype(slug, settings())
    user = current_user()
    units = _units()
    options = form_options(doctype, user, units, {})
    data = complete(parse_form(doctype.schema, request.form.lists(), options))
    action = request.form.get("action", "save")
    posted = request.form.get("draft_id", "")
    if action == "issue" and posted:
        with db_session(settings(), read_only=True) as db:
            earlier = get_draft(db, user.id, posted)
        if earlier is not None and earlier.document_id:  # 制发 pressed again (double click, back button)
            return redirect(url_for("ui.history.show", document_id=earlier.document_id, issued=1))
    if action == "sample":
        data = sample_for(doctype, user, units)
    elif action.startswith(ARRAY_ACTIONS):
        data = apply_array_action(doctype.schema, data, action)
    with db_session(settings()) as db:
        row = save_draft(db, user.id, slug, request.form.get("draft_id"), data, label_of(doctype, data))
    if action == "autosave":
        answer: Any = jsonify({"draft_id": row.id, "saved_at": clock.beijing_text(row.updated_at)[-5:]})
    elif action == "preview":
        answer = _preview(doctype, user, data, row.id, units)
    elif action == "issue":
        answer = _issue(doctype, user, data, row.id, units, row.case_id)
    else:
        notice = "草稿已保存" if action == "save" else None
        answer = _editor(doctype, data, row.id, units, notice=notice, anchor=action.partition(":")[2])
    response = current_app.make_response(answer)
    response.headers["X-Docgen-Draft"] = row.id  # the page's script learns the new draft's id
    return response


def _editor(doctype: DocType, data: dict[str, Any], draft_id: str | None, units: list[Any], *,
            issues: list[Any] | None = None, general: list[str] | None = None, notice: str | None = None,
            preview: dict[str, Any] | None = None, status: int = 200, anchor: str = "") -> Any:
    user = current_user()
    errors, general_issues = errors_by_field(issues or [])
    tree = build_form(doctype.schema, data, errors, form_options(doctype, user, units, data))
    body = render_template("ui/editor.html", doctype=doctype, form=tree, draft_id=draft_id, errors=errors,
                           general=(general or []) + general_issues, notice=notice, preview=preview,
                           codes=codes_by_unit(units), anchor=anchor, error_count=len(issues or []))
    return body, status


def _preview(doctype: DocType, user: UserInfo, data: dict[str, Any], draft_id: str, units: list[Any]) -> Any:
    """The 样稿 as page images (the same preview the API renders), or the form with its errors."""
    try:
        unnumbered = json.loads(json.dumps(data))
        if isinstance(unnumbered.get("doc_number"), dict):
            unnumbered["doc_number"].pop("seq", None)
        _, cleaned, context = prepare_cleaned(doctype.slug, unnumbered, settings())
        if not user.caller().may_act_as(cleaned["issuer"]["name"]):
            raise Forbidden(f"只能以“{user.unit}”名义预览文书")
        if over_sync_budget(doctype, cleaned, settings()):
            from docgen.web.jobs import start_job
            job = start_job(user.caller(), "preview", {"type": doctype.slug, "format": "pdf", "data": cleaned})
            preview = {"job": url_for("ui.history.job", job_id=job.id), "warnings": context["warnings"]}
        else:
            result = render_prepared(doctype, context, ("pdf",), settings(), marks=Marks(preview=True))
            images, total = page_images(result.files["pdf"])
            preview = {"pages": [{"number": i.number, "width": i.width, "height": i.height,
                                  "src": "data:image/png;base64," + base64.b64encode(i.png).decode("ascii")}
                                 for i in images], "total": total, "warnings": result.warnings}
    except InvalidData as error:
        if is_fetch():
            return render_template("ui/preview.html", preview=None, error_count=len(error.issues)), 422
        return _editor(doctype, data, draft_id, units, issues=error.issues, status=422)
    except DocgenError as error:
        if is_fetch():
            return render_template("ui/preview.html", preview=None, message=error.message), error.http_status
        return _editor(doctype, data, draft_id, units, general=[error.message], status=error.http_status)
    if is_fetch():
        return render_template("ui/preview.html", preview=preview)
    return _editor(doctype, data, draft_id, units, preview=preview, anchor="preview")


def _issue(doctype: DocType, user: UserInfo, data: dict[str, Any], draft_id: str, units: list[Any],
           case_id: str | None = None) -> Any:
    """Number and issue through the same procedure as the API (within the draft's case); a double click issues once."""
    content = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]
    try:
        outcome = issuing.issue(settings(), user.caller(), current_actor(), doctype.slug, data,
                                key=f"draft-{draft_id}-{content}", case_id=case_id)
    except InvalidData as error:
        return _editor(doctype, data, draft_id, units, issues=error.issues, status=422)
    except DocgenError as error:
        return _editor(doctype, data, draft_id, units, general=[error.message], status=error.http_status)
    with db_session(settings()) as db:
        mark_issued(db, draft_id, outcome.document.id)
    if outcome.job is not None:
        return redirect(url_for("ui.history.job", job_id=outcome.job.id))
    return redirect(url_for("ui.history.show", document_id=outcome.document.id, issued=1))
