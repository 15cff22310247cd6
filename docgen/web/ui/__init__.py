"""The clerks' workspace: sign in, fill a form built from the schema, preview, issue, find documents.

Every document action goes through the same code as the JSON API (docgen.issuing,
docgen.store.documents) with the signed-in user's own caller, so the scoping and the
rules are the API's. Server-rendered HTML; a little JavaScript makes it quicker
(adding rows, live preview, autosave) but every form also works without it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, redirect, request, session, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect

from docgen.clock import beijing_text
from docgen.config import Settings
from docgen.dates import format_date_cn
from docgen.store.audit import Actor
from docgen.store.db import db_session
from docgen.store.users import UserInfo, get_user
from docgen.web.ui.sessions import DatabaseSessions, secret_key

STATUS_TEXT = {"pending": "处理中", "issued": "有效", "void": "已作废", "failed": "制发失败"}
bp = Blueprint("ui", __name__, url_prefix="/ui", template_folder="templates", static_folder="static",
               static_url_path="/static")
csrf = CSRFProtect()


def settings() -> Settings:
    return current_app.config["DOCGEN_SETTINGS"]


def current_user() -> UserInfo | None:
    """The signed-in user of this request, if any (a disabled user is signed out at once)."""
    if "user" not in g:
        user_id = session.get("user_id")
        g.user = None
        if isinstance(user_id, int):
            with db_session(settings(), read_only=True) as db:
                g.user = get_user(db, user_id)
    return g.user


def current_actor() -> Actor:
    user = current_user()
    assert user is not None
    return Actor(name=f"{user.display_name}（{user.username}）", source=request.remote_addr or "unknown",
                 token_id=user.token_id)


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send visitors who are not signed in to the sign-in page (coming back here afterwards)."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return redirect(url_for("ui.auth.login", next=request.full_path.rstrip("?") if request.method == "GET" else None))
        return view(*args, **kwargs)

    return checked


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only administrators (others get the 403 page)."""

    @functools.wraps(view)
    @login_required
    def checked(*args: Any, **kwargs: Any) -> Any:
        from docgen.errors import Forbidden
        if not current_user().is_admin:  # type: ignore[union-attr]
            raise Forbidden("只有管理员可以访问此页面")
        return view(*args, **kwargs)

    return checked


def init_ui(app: Flask, settings: Settings) -> None:
    """Sessions, CSRF protection and the workspace's blueprints."""
    from docgen.web.ui import admin, auth, batches, cases, history, rescue, workspace

    app.session_interface = DatabaseSessions(settings)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(settings)
    app.config.update(WTF_CSRF_TIME_LIMIT=None, WTF_CSRF_SSL_STRICT=False)  # the session's own end limits the token
    rescue.register(app)  # before CSRF: a form posted into an ended session is kept, not refused
    csrf.init_app(app)
    for name in ("api", "documents", "jobs", "batches", "cases", "admin", "health", "verify"):
        csrf.exempt(app.blueprints[name])  # bearer tokens, not cookies: no cross-site forgery possible
    if not bp._blueprints:  # nested once per process; the parent then registers on every app
        for child in (auth.bp, workspace.bp, history.bp, admin.bp, batches.bp, cases.bp):
            bp.register_blueprint(child)
    app.register_blueprint(bp)

    @app.get("/")
    def root() -> Response:
        return redirect(url_for("ui.workspace.home"))

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> tuple[str, int]:
        from flask import render_template
        return render_template("error.html", status=400, title="请求已失效",
                               detail="表单已过期或不是从本系统提交的，请返回后重新提交。"), 400

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"user": current_user() if request.path.startswith("/ui") else None}

    app.add_template_filter(lambda moment: beijing_text(moment) if moment else "", "beijing")
    app.add_template_filter(lambda day: format_date_cn(day) if day else "", "cn_date")
    app.add_template_filter(lambda status: STATUS_TEXT.get(status, status), "status_text")
