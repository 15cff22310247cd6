"""Read-only views for the 司法局 and units: the audit log and the registry of units."""

from __future__ import annotations

from datetime import datetime, time, timezone

from flask import Blueprint, Response, jsonify, request

from docgen.clock import BEIJING
from docgen.errors import BadParameter
from docgen.store.audit import ACTIONS, describe_event, list_events
from docgen.store.db import db_session
from docgen.store.units import describe_unit, list_units
from docgen.web.api import settings
from docgen.web.auth import current_caller, require_judicial
from docgen.web.params import date_parameter, int_parameter, text_parameter
from docgen.web.problems import only_query

bp = Blueprint("admin", __name__, url_prefix="/api/v1")


@bp.get("/audit")
@only_query("action", "since", "page")
def audit_log() -> Response:
    """Who issued, voided, renumbered or changed a unit or token, when and from where (司法局 only)."""
    require_judicial()
    args = {key: text_parameter(key, value) for key, value in request.args.items()}
    action = args.get("action") or None
    if action is not None and action not in ACTIONS:
        raise BadParameter(f"参数 action 只能是 {'、'.join(ACTIONS)} 之一", code="bad_parameter")
    since_day = date_parameter(args, "since")
    # Midnight in Beijing, as UTC: SQLite compares the stored UTC text and would ignore an offset.
    since = datetime.combine(since_day, time.min, BEIJING).astimezone(timezone.utc) if since_day else None
    page = int_parameter(args, "page", 1, 1, 100_000) or 1
    with db_session(settings(), read_only=True) as session:
        rows, total = list_events(session, action, since, page, settings().page_size)
        items = [describe_event(row) for row in rows]
    return jsonify({"items": items, "page": page, "page_size": settings().page_size, "total": total})


@bp.get("/units")
@only_query()
def units() -> Response:
    """The registered units (a unit's token sees its own): names, 标志, 机关代字, whether a seal is on file."""
    caller = current_caller()
    with db_session(settings(), read_only=True) as session:
        rows = [describe_unit(u) for u in list_units(session) if caller.role == "judicial" or u.name == caller.unit]
    return jsonify({"units": rows})
