"""Signing in and out, and the first run: a one-time link to create the first administrator."""

from __future__ import annotations

import hashlib
import hmac
import logging
import sys
from urllib.parse import urlsplit

from flask import Blueprint, Response, redirect, render_template, request, session, url_for

from docgen.config import Settings
from docgen.errors import ServiceUnavailable
from docgen.store import audit
from docgen.store.audit import Actor
from docgen.store.db import db_session
from docgen.store.users import create_user, has_users, is_locked, sign_in
from docgen.web.ui import current_user, settings
from docgen.web.ui.sessions import secret_key

LOG = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never another host) after signing in."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("ui.workspace.home")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """The sign-in form; five wrong passwords lock the account for a quarter of an hour."""
    with db_session(settings(), read_only=True) as db:
        first_run = not has_users(db)
    error = None
    username = request.form.get("username", "").strip()[:40]
    if request.method == "POST":
        with db_session(settings()) as db:
            user = sign_in(db, username, request.form.get("password", ""))
            locked = user is None and is_locked(db, username)
        if user is not None:
            rescued = session.get("rescued")
            session.clear()
            session.regenerate()
            session["user_id"] = user.id
            if rescued:
                session["rescued"] = rescued
            return redirect(_safe_next(request.form.get("next")))
        error = ("该账号因多次密码错误已暂时锁定，请 15 分钟后再试或联系管理员" if locked else "用户名或密码不正确")
    return render_template("ui/login.html", error=error, username=username, first_run=first_run,
                           next=request.values.get("next", "")), 401 if error else 200  # type: ignore[return-value]


@bp.post("/logout")
def logout() -> Response:
    session.clear()
    return redirect(url_for("ui.auth.login"))


def setup_token(settings: Settings) -> str:
    """The first-run token: derived from the secret key, so every worker prints the same one; dead once a user exists."""
    return hmac.new(secret_key(settings).encode(), b"docgen first administrator", hashlib.sha256).hexdigest()[:32]


def setup_link(settings: Settings) -> str | None:
    """The one-time link to create the first administrator, while there is none."""
    with db_session(settings, read_only=True) as db:
        if has_users(db):
            return None
    return f"{settings.public_url}/ui/setup?token={setup_token(settings)}"


def announce_first_run(settings: Settings) -> None:
    """On a fresh installation, say on the console how to get in (the README's serve command shows this).

    A database that is down at start-up is no reason not to start: /healthz and every request say so."""
    try:
        link = setup_link(settings)
    except ServiceUnavailable:
        LOG.warning("first-run check skipped: the database is unavailable")
        return
    if link:
        print("\n" + "=" * 72 + "\n docgen 首次运行：尚无用户。用浏览器打开以下一次性链接创建第一个管理员：\n\n  "
              + link + "\n\n 或在命令行运行：.venv/bin/docgen user create admin --role admin\n" + "=" * 72 + "\n",
              file=sys.stderr, flush=True)


@bp.route("/setup", methods=["GET", "POST"])
def setup() -> str | Response:
    """Create the first administrator with the token printed on the console."""
    token = request.values.get("token", "")
    valid = hmac.compare_digest(token, setup_token(settings()))
    with db_session(settings(), read_only=True) as db:
        done = has_users(db)
    if done or not valid:
        return render_template("error.html", status=403, title="链接无效",
                               detail="一次性设置链接无效或已使用。请用已有账号登录，或运行 docgen user create。"), 403
    error = None
    if request.method == "POST":
        password = request.form.get("password", "")
        if password != request.form.get("password2", ""):
            error = "两次输入的密码不一致"
        else:
            try:
                with db_session(settings()) as db:
                    user = create_user(db, request.form.get("username", "").strip(), password, "admin", None,
                                       request.form.get("display_name", ""))
                    audit.record(db, Actor(user.username, request.remote_addr or "unknown"), "user.create",
                                 user.username, role="admin", via="setup")
            except ValueError as exc:
                error = str(exc)
            else:
                session.clear()
                session.regenerate()
                session["user_id"] = user.id
                return redirect(url_for("ui.admin.units"))
    return render_template("ui/setup.html", token=token, error=error, form=request.form), 400 if error else 200  # type: ignore[return-value]


def signed_in() -> bool:
    return current_user() is not None
