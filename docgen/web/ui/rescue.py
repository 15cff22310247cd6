"""Nothing typed is lost when a session ends: a form posted into an ended session is kept, and returned after sign-in."""

from __future__ import annotations

import secrets

from flask import Flask, Response, jsonify, redirect, request, session, url_for

from docgen.doctypes.registry import get_doctype
from docgen.errors import UnknownDocType
from docgen.store.db import db_session
from docgen.store.drafts import claim_rescued, rescue_form
from docgen.web.ui import bp, current_user, login_required, settings
from docgen.web.ui.editor import CARRIED, label_of
from docgen.web.ui.schema_form import FormOptions, parse_form

EDITOR = "ui.workspace.edit"


def register(app: Flask) -> None:
    """Run before the CSRF check (an ended session's form carries a token that can no longer be checked)."""
    app.before_request(_rescue_ended_session)


def _rescue_ended_session() -> Response | None:
    if request.method != "POST" or request.endpoint != EDITOR or current_user() is not None:
        return None
    try:
        doctype = get_doctype((request.view_args or {}).get("slug", ""), settings())
    except UnknownDocType:
        return None
    data = parse_form(doctype.schema, request.form.lists(), FormOptions(carried=CARRIED))
    token = secrets.token_urlsafe(24)
    with db_session(settings()) as db:
        rescue_form(db, token, doctype.slug, request.form.get("draft_id"), data)
    session["rescued"] = token
    login = url_for("ui.auth.login", next=url_for("ui.rescued"))
    if request.headers.get("X-Docgen-Fetch") == "1":
        return jsonify({"code": "signed_out", "login": login,
                        "message": "登录已过期；已保存的内容会在重新登录后恢复"}), 401  # type: ignore[return-value]
    return redirect(login)


@bp.get("/rescued")
@login_required
def rescued() -> Response:
    """After signing in again: the rescued form as the user's draft, opened where they left it."""
    token = session.pop("rescued", None)
    if not token:
        return redirect(url_for("ui.workspace.home"))
    user = current_user()
    with db_session(settings()) as db:
        draft = claim_rescued(db, token, user.id, lambda slug, data: label_of(get_doctype(slug, settings()), data))
    if draft is None:
        return redirect(url_for("ui.workspace.home"))
    return redirect(url_for("ui.workspace.draft", draft_id=draft.id, rescued=1))
