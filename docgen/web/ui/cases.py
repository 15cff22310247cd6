"""Supervision cases in the workspace: the deadlines dashboard, a case's page, drafting its next document, the 复查.

The same engine as /api/v1/cases (docgen.cases), run with the signed-in user's caller:
a unit sees its own cases, the 司法局 sees all. Drafting only pre-fills a draft and
opens it in the editor; issuing it there links the document to the case.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, send_file, url_for

from docgen import clock
from docgen.cases import drafts as case_drafts
from docgen.cases import status as case_status
from docgen.cases.registry import record_review
from docgen.dates import format_date_cn
from docgen.doctypes.registry import get_doctype
from docgen.errors import BadParameter, DocgenError, Forbidden
from docgen.store.db import db_session
from docgen.store.drafts import save_draft
from docgen.store.tokens import Caller
from docgen.text import clean_text
from docgen.web.params import text_parameter
from docgen.web.ui import current_actor, current_user, login_required, settings
from docgen.web.ui.editor import label_of

bp = Blueprint("cases", __name__)
SECTIONS = {"overdue": "逾期未报告", "due_soon": f"{case_status.DUE_SOON_DAYS} 个工作日内到期", "rest": "其他案件"}
# Case states in the workspace's badge colours (ui.css): in progress amber, reported and reviewed green, overdue red;
# decided has no colour of its own (grey).
STATE_BADGE = {"rectifying": "running", "reported": "published", "overdue": "overdue", "decided": "decided",
               "reviewed": "done"}
ROLE_TEXT = {"opinion": "监督意见书", "report": "整改报告", "decision": "监督决定书"}
OPEN_STATES = ("rectifying", "overdue", "reported")  # a report or a decision can still be drafted
REVIEW_MAX = 1000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.app_template_filter("days_left")
def days_left(item: case_status.CaseOverview) -> str:
    """What the deadline means today: 剩 3 个工作日, 今天到期, 已逾期 2 个工作日, 按期报告…"""
    if item.state == "overdue":
        late = -item.working_days_left
        return f"已逾期 {late} 个工作日" if late > 0 else "已逾期"
    if item.state == "rectifying":
        return "今天到期" if item.working_days_left == 0 else f"剩 {item.working_days_left} 个工作日"
    if item.report_in_time is not None:
        return "按期报告" if item.report_in_time else "逾期报告"
    return ""


@bp.app_template_filter("case_date")
def case_date(value: date | str | None) -> str:
    """A date, or the ISO text of one, as 2025年6月5日."""
    if not value:
        return ""
    return format_date_cn(value if isinstance(value, date) else date.fromisoformat(value[:10]))


def section_of(item: case_status.CaseOverview) -> str:
    """Which part of the dashboard a case belongs to."""
    if item.state == "overdue":
        return "overdue"
    if item.due_soon:
        return "due_soon"
    return "rest"


def _caller() -> Caller:
    return current_user().caller()  # type: ignore[union-attr]


def _judicial() -> bool:
    return _caller().role == "judicial"


@bp.get("/cases")
@login_required
def index() -> str:
    """Cases by urgency (overdue, due within 5 working days, the rest), and for the 司法局 the units by open cases."""
    show = request.args.get("show", "")
    if show and show not in SECTIONS:
        raise BadParameter("筛选参数有误", code="bad_filter")
    today = clock.today()
    items = case_status.overviews(settings(), _caller(), today)
    grouped = {key: [item for item in items if section_of(item) == key] for key in SECTIONS}
    units = case_status.by_unit(items) if _judicial() else []
    warnings = list(dict.fromkeys(warning for item in items for warning in item.warnings))
    return render_template("ui/cases.html", grouped=grouped, sections=SECTIONS, show=show, units=units,
                           warnings=warnings, today=today, total=len(items), judicial=_judicial(),
                           state_badge=STATE_BADGE)


@bp.get("/cases.xlsx")
@login_required
def export() -> Response:
    """The dashboard's cases as a workbook."""
    from docgen.cases.export import cases_xlsx  # openpyxl, loaded when someone exports
    today = clock.today()
    workbook = cases_xlsx(case_status.overviews(settings(), _caller(), today))
    return send_file(io.BytesIO(workbook), mimetype=XLSX, as_attachment=True,
                     download_name=f"监督案件-{today.isoformat()}.xlsx")


def _overview(case_id: str) -> case_status.CaseOverview:
    return case_status.overview(settings(), text_parameter("id", case_id), _caller(), clock.today())


def _problem(error: DocgenError) -> dict[str, str]:
    """An error as the page shows it: the first issue of refused data, else the error's own message."""
    issues = getattr(error, "issues", None)
    if issues:
        return {"message": issues[0].message, "code": issues[0].code}
    return {"message": error.message, "code": error.code}


def _case_page(case_id: str, *, error: DocgenError | None = None, review: dict[str, str] | None = None,
               status: int = 200) -> tuple[str, int]:
    """case.html for one case, with an error shown (a refused draft, a refused 复查) and the 复查 form as posted."""
    item = _overview(case_id)
    judicial = _judicial()
    page = render_template("ui/case.html", case=item, section=section_of(item), judicial=judicial,
                           may_report=item.state in OPEN_STATES, may_decide=judicial and item.state in OPEN_STATES,
                           error=_problem(error) if error else None, saved=request.args.get("saved") == "1",
                           review_form=review or {"result": "", "reviewed_on": clock.today().isoformat()},
                           role_text=ROLE_TEXT, state_badge=STATE_BADGE)
    return page, status


@bp.get("/cases/<case_id>")
@login_required
def show(case_id: str) -> tuple[str, int]:
    """A case: its state and deadline, its documents, its 复查, and what can be drafted next."""
    return _case_page(case_id)


def _open_draft(slug: str, data: dict[str, Any], item: case_status.CaseOverview) -> Response:
    """Keep the pre-filled data as a draft of this case and open it in the editor."""
    doctype = get_doctype(slug, settings())
    with db_session(settings()) as db:
        draft = save_draft(db, current_user().id, slug, None, data, label_of(doctype, data),  # type: ignore[union-attr]
                           item.opinion_document_id, item.id)
    return redirect(url_for("ui.workspace.draft", draft_id=draft.id), code=303)


@bp.post("/cases/<case_id>/report")
@login_required
def draft_report(case_id: str) -> Any:
    """起草整改报告: the 意见书's header, 文号 and one ledger row per problem, for the addressed unit to complete."""
    item = _overview(case_id)  # a unit sees only the cases addressed to it
    try:
        data = case_drafts.draft_report(settings(), item.id, _caller())
    except DocgenError as error:
        if error.http_status >= 500:
            raise
        return _case_page(case_id, error=error, status=error.http_status)
    return _open_draft("rectification", data, item)


@bp.post("/cases/<case_id>/decision")
@login_required
def draft_decision(case_id: str) -> Any:
    """起草监督决定书 (昌吉市人民政府, drafted by the 司法局): the letter's history and the problems not rectified."""
    if not _judicial():
        raise Forbidden("监督决定书由司法局起草", code="judicial_only")
    item = _overview(case_id)
    try:
        data = case_drafts.draft_decision(settings(), item.id, _caller(), clock.today())
    except DocgenError as error:  # the rule: not before the deadline, not after a report in time
        if error.http_status >= 500:
            raise
        return _case_page(case_id, error=error, status=error.http_status)
    return _open_draft("decision", data, item)


@bp.post("/cases/<case_id>/review")
@login_required
def review(case_id: str) -> Any:
    """登记复查结果 (司法局): what the 复查 found, and when."""
    if not _judicial():
        raise Forbidden("复查结果由司法局登记", code="judicial_only")
    form = {"result": clean_text(request.form.get("result", "")).strip()[:REVIEW_MAX + 1],
            "reviewed_on": request.form.get("reviewed_on", "").strip()[:20]}
    try:
        if not form["result"] or len(form["result"]) > REVIEW_MAX:
            raise BadParameter(f"请填写复查结果（不超过 {REVIEW_MAX} 字）", code="missing_result")
        reviewed_on = _posted_date(form["reviewed_on"])
        record_review(settings(), text_parameter("id", case_id), _caller(), current_actor(), form["result"],
                      reviewed_on)
    except DocgenError as error:
        if error.http_status >= 500 or error.http_status == 404:
            raise
        return _case_page(case_id, error=error, review=form, status=error.http_status)
    return redirect(url_for("ui.cases.show", case_id=case_id, saved=1), code=303)


def _posted_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadParameter("复查日期应为 YYYY-MM-DD", code="invalid_date") from None
