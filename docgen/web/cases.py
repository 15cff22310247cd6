"""Supervision cases over HTTP: the list by urgency (JSON or XLSX), one case, drafts that carry its facts, the 复查."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from flask import Blueprint, Response, jsonify, request, send_file

from docgen.cases import status
from docgen.errors import BadParameter, InvalidData, Issue
from docgen.web.api import json_body, settings
from docgen.web.auth import current_actor, current_caller
from docgen.web.params import text_parameter
from docgen.web.problems import only_query

bp = Blueprint("cases", __name__, url_prefix="/api/v1/cases")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.url_value_preprocessor
def _check_path(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values and "case_id" in values:
        text_parameter("case_id", values["case_id"])


def _listed() -> list[status.CaseOverview]:
    caller = current_caller()
    items = status.overviews(settings(), caller)
    wanted = request.args.get("state")
    if wanted is not None:
        if wanted not in status.STATE_TEXT and wanted != "due_soon":
            raise BadParameter(f"state 应为 {'、'.join([*status.STATE_TEXT, 'due_soon'])} 之一", code="bad_state")
        items = [i for i in items if (i.due_soon if wanted == "due_soon" else i.state == wanted)]
    return items


@bp.get("")
@only_query("state")
def index() -> Response:
    """Cases most urgent first (a unit sees its own), and units by open cases."""
    items = _listed()
    by_unit = status.by_unit(items) if current_caller().role == "judicial" else []
    return jsonify({"items": [i.as_dict() for i in items], "by_unit": by_unit, "due_soon_days": status.DUE_SOON_DAYS})


@bp.get("/export.xlsx")
@only_query("state")
def export() -> Response:
    """The same list as an XLSX."""
    from docgen.cases.export import cases_xlsx
    return send_file(io.BytesIO(cases_xlsx(_listed())), mimetype=XLSX, as_attachment=True,
                     download_name="监督案件.xlsx")


@bp.get("/<case_id>")
@only_query()
def show(case_id: str) -> Response:
    """One case: state, working days left, its documents, the 复查."""
    return jsonify(status.overview(settings(), case_id, current_caller()).as_dict())


@bp.post("/<case_id>/drafts/report")
@only_query()
def draft_report(case_id: str) -> Response:
    """整改报告 data pre-filled from the case (issue it with POST /api/v1/documents and this case_id)."""
    from docgen.cases.drafts import draft_report as draft
    return jsonify({"type": "rectification", "case_id": case_id, "data": draft(settings(), case_id, current_caller())})


@bp.post("/<case_id>/drafts/decision")
@only_query()
def draft_decision(case_id: str) -> Response:
    """监督决定书 data pre-filled from the case; 409 while the deadline has not passed or a report came in time."""
    from docgen.cases.drafts import draft_decision as draft
    from docgen.web.auth import require_judicial
    return jsonify({"type": "decision", "case_id": case_id, "data": draft(settings(), case_id, require_judicial())})


@bp.post("/<case_id>/review")
@only_query()
def review(case_id: str) -> Response:
    """Record the 复查 result ({"result": text, "reviewed_on": "YYYY-MM-DD"}); the case is then closed."""
    from docgen.cases.registry import record_review
    body = json_body()
    if not isinstance(body, dict) or not isinstance(body.get("result"), str):
        raise InvalidData([Issue("/result", "required", "请填写复查结果")])
    try:
        reviewed_on = date.fromisoformat(body.get("reviewed_on") or "") if body.get("reviewed_on") else None
    except (TypeError, ValueError):
        raise InvalidData([Issue("/reviewed_on", "invalid_date", "复查日期应为 YYYY-MM-DD")]) from None
    from docgen.clock import today
    record_review(settings(), case_id, current_caller(), current_actor(), body["result"], reviewed_on or today())
    return jsonify(status.overview(settings(), case_id, current_caller()).as_dict())
