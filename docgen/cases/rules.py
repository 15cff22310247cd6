"""What a document must be to join a case: the case's unit and 意见书, and the procedure's order.

- An 整改报告 comes from the supervised unit, reports on the case's 意见书, and its ledger
  covers every problem the 意见书 raised (each 已完成 / 整改中 with reason and date, as the
  report's schema requires).
- A 监督决定书 concerns the supervised unit and the case's 意见书 and its deadline; it may be
  issued only once the deadline has passed without a report in time, and only once.
- A case whose 复查 is recorded is closed.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from docgen.cases.registry import documents_of, opinion_data, visible_case
from docgen.dates import format_date_cn
from docgen.errors import Conflict, InvalidData, Issue
from docgen.store.models import SupervisionCase
from docgen.store.tokens import Caller

JOINING = ("rectification", "decision")


def _same(a: str, b: str) -> bool:
    return "".join(unicodedata.normalize("NFKC", a).split()) == "".join(unicodedata.normalize("NFKC", b).split())


def check_joins(session: Session, caller: Caller, case_id: str, slug: str, data: dict[str, Any], on: date) -> None:
    """Refuse a document that may not join the case (InvalidData for its data, Conflict for the procedure)."""
    case = visible_case(session, case_id, caller)
    if slug not in JOINING:
        raise InvalidData([Issue("/case_id", "not_in_case", "只有整改报告和监督决定书可以在监督案件中制发")])
    if case.reviewed_on is not None:
        raise Conflict("该案件已复查结案", code="case_closed")
    if slug == "rectification":
        _check_report(session, case, data)
    else:
        decision_allowed(session, case, on)
        _check_decision(case, data)


def _check_report(session: Session, case: SupervisionCase, data: dict[str, Any]) -> None:
    issues = []
    if data["issuer"]["name"] != case.unit:
        issues.append(Issue("/issuer/name", "not_case_unit", f"整改报告应由被监督单位“{case.unit}”制发"))
    if not _same(data["opinion"]["doc_number"], case.opinion_number):
        issues.append(Issue("/opinion/doc_number", "wrong_opinion", f"整改报告应针对本案意见书“{case.opinion_number}”"))
    missing = uncovered_problems(opinion_data(session, case)["problems"], data.get("ledger", []))
    if missing:
        shown = "；".join(p["description"][:30] for p in missing[:3])
        issues.append(Issue("/ledger", "ledger_incomplete",
                            f"整改台账未涵盖意见书所列问题 {len(missing)} 项（{shown}{'等' if len(missing) > 3 else ''}）"))
    if issues:
        raise InvalidData(issues)


def uncovered_problems(problems: list[dict[str, Any]], ledger: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The 意见书's problems no ledger row reports on (same category and description)."""
    return [p for p in problems if not any(
        _same(item.get("description", ""), p["description"]) and item.get("category", "").startswith(p["category"])
        for item in ledger)]


def decision_allowed(session: Session, case: SupervisionCase, on: date) -> None:
    """Conflict unless the deadline has passed without a report in time and no decision was issued."""
    if case.reviewed_on is not None:
        raise Conflict("该案件已复查结案", code="case_closed")
    documents = [(link.role, document) for link, document in documents_of(session, case.id)
                 if document.status in ("issued", "pending")]
    if any(role == "decision" for role, _ in documents):
        raise Conflict("本案已制发监督决定书", code="already_decided")
    if on <= case.deadline:
        raise Conflict(f"整改期限（{format_date_cn(case.deadline)}）尚未届满，不能制发监督决定书", code="deadline_not_passed")
    if any(role == "report" and d.issue_date <= case.deadline for role, d in documents):
        raise Conflict("被监督单位已在整改期限内报告整改情况，不能制发监督决定书", code="reported_in_time")


def _check_decision(case: SupervisionCase, data: dict[str, Any]) -> None:
    issues = []
    if data["recipient"] != case.unit:
        issues.append(Issue("/recipient", "not_case_unit", f"监督决定书的主送机关应为被监督单位“{case.unit}”"))
    if not _same(data["opinion"]["doc_number"], case.opinion_number):
        issues.append(Issue("/opinion/doc_number", "wrong_opinion", f"应为本案意见书“{case.opinion_number}”"))
    if data["opinion"].get("deadline_date") != case.deadline.isoformat():
        issues.append(Issue("/opinion/deadline_date", "deadline_mismatch",
                            f"整改期限应与意见书一致（{format_date_cn(case.deadline)}）"))
    if issues:
        raise InvalidData(issues)
