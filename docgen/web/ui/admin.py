"""Administration in the browser: users and the registry of units (the same rules as `docgen user` / `docgen unit`)."""

from __future__ import annotations

import re

from flask import Blueprint, Response, redirect, render_template, request, url_for

from docgen.doctypes.signature import normalise_seal
from docgen.errors import InvalidData
from docgen.store import audit
from docgen.store.db import db_session
from docgen.store.units import KINDS, UnitChange, add_unit, describe_unit, list_units, update_unit
from docgen.store.users import ROLES, create_user, list_users, reset_password, set_active
from docgen.web.ui import admin_required, current_actor, settings
from docgen.web.ui.sessions import end_sessions_of

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _codes(value: str) -> tuple[str, ...]:
    return tuple(code for code in re.split(r"[\s,，、;；]+", value.strip()) if code)


def _seal() -> bytes | None:
    upload = request.files.get("seal")
    if upload is None or not upload.filename:
        return None
    return normalise_seal(upload.read(1_000_001), "seal")


@bp.get("/users")
@admin_required
def users() -> str:
    with db_session(settings(), read_only=True) as db:
        rows, units = list_users(db), list_units(db)
    return render_template("ui/admin_users.html", rows=rows, units=units, roles=ROLES,
                           message=request.args.get("message"), error=request.args.get("error"))


@bp.post("/users")
@admin_required
def create() -> Response:
    form = request.form
    try:
        with db_session(settings()) as db:
            user = create_user(db, form.get("username", "").strip(), form.get("password", ""), form.get("role", ""),
                               form.get("unit") or None, form.get("display_name", ""))
            audit.record(db, current_actor(), "user.create", user.username, role=user.role, unit=user.unit)
    except ValueError as exc:
        return redirect(url_for("ui.admin.users", error=str(exc)))
    return redirect(url_for("ui.admin.users", message=f"已创建用户 {user.username}"))


@bp.post("/users/<username>/<any(disable, enable):change>")
@admin_required
def activate(username: str, change: str) -> Response:
    try:
        with db_session(settings()) as db:
            user = set_active(db, username, change == "enable")
            audit.record(db, current_actor(), f"user.{change}", username)
    except KeyError:
        return redirect(url_for("ui.admin.users", error=f"没有用户 {username}"))
    if change == "disable":
        end_sessions_of(settings(), user.id)
    return redirect(url_for("ui.admin.users", message=f"已{'启用' if change == 'enable' else '停用'} {username}"))


@bp.post("/users/<username>/password")
@admin_required
def password(username: str) -> Response:
    try:
        with db_session(settings()) as db:
            user = reset_password(db, username, request.form.get("password", ""))
            audit.record(db, current_actor(), "user.password", username)
    except KeyError:
        return redirect(url_for("ui.admin.users", error=f"没有用户 {username}"))
    except ValueError as exc:
        return redirect(url_for("ui.admin.users", error=str(exc)))
    end_sessions_of(settings(), user.id)
    return redirect(url_for("ui.admin.users", message=f"已重置 {username} 的密码，其登录已全部失效"))


@bp.get("/units")
@admin_required
def units() -> str:
    with db_session(settings(), read_only=True) as db:
        rows = [describe_unit(u) for u in list_units(db)]
    return render_template("ui/admin_units.html", rows=rows, kinds=KINDS, message=request.args.get("message"),
                           error=request.args.get("error"))


@bp.post("/units")
@admin_required
def add() -> Response:
    form = request.form
    try:
        seal = _seal()
        with db_session(settings()) as db:
            info = add_unit(db, form.get("name", ""), form.get("mark") or None, form.get("kind", "enforcement"),
                            _codes(form.get("organ_codes", "")), seal, float(form.get("seal_mm") or 42))
            audit.record(db, current_actor(), "unit.add", info.name, mark=info.mark, organ_codes=list(info.organ_codes),
                         seal=bool(seal))
    except InvalidData as exc:
        return redirect(url_for("ui.admin.units", error=exc.issues[0].message))
    except ValueError as exc:
        return redirect(url_for("ui.admin.units", error=str(exc)))
    return redirect(url_for("ui.admin.units", message=f"已登记 {info.name}"))


@bp.post("/units/edit")
@admin_required
def edit_unit() -> Response:
    form = request.form
    name = form.get("name", "")
    try:
        change = UnitChange(mark=form.get("mark") or None, kind=form.get("kind") or None,
                            add_codes=_codes(form.get("add_codes", "")), remove_codes=_codes(form.get("remove_codes", "")),
                            seal_png=_seal(), remove_seal=form.get("remove_seal") == "1",
                            seal_mm=float(form["seal_mm"]) if form.get("seal_mm") else None,
                            active={"1": True, "0": False}.get(form.get("active", "")))
        with db_session(settings()) as db:
            before, after = update_unit(db, name, change)
            audit.record(db, current_actor(), "unit.update", after.name, before=describe_unit(before),
                         after=describe_unit(after))
    except KeyError:
        return redirect(url_for("ui.admin.units", error=f"没有登记名为“{name}”的单位"))
    except InvalidData as exc:
        return redirect(url_for("ui.admin.units", error=exc.issues[0].message))
    except ValueError as exc:
        return redirect(url_for("ui.admin.units", error=str(exc)))
    return redirect(url_for("ui.admin.units", message=f"已修改 {after.name}"))
