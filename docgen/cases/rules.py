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

from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.cases.registry import documents_of, opinion_data, visible_case
from docgen.dates import format_date_cn
from docgen.errors import Conflict, InvalidData, Issue
from docgen.store.models import CaseDocument, Document, SupervisionCase
from docgen.store.tokens import Caller

JOINING = ("rectification", "decision")


def _same(a: str, b: str) -> bool:
    return "".join(unicodedata.normalize("NFKC", a).split()) == "".join(unicodedata.normalize("NFKC", b).split())


def case_of(session: Session, slug: str, data: dict[str, Any]) -> str | None:
    """The case of the 意见书 a report or decision names, if that 意见书 opened one."""
    if slug not in JOINING:
        return None
    number = "".join(unicodedata.normalize("NFKC", data["opinion"]["doc_number"]).split())
    for case_id, opinion_number in session.execute(select(SupervisionCase.id, SupervisionCase.opinion_number)):
        if "".join(unicodedata.normalize("NFKC", opinion_number).split()) == number:
            return case_id
    return None


def join_case(session: Session, caller: Caller, case_id: str, slug: str, data: dict[str, Any], on: date) -> None:
    """check_joins inside the reserving transaction, the case row locked first (two clerks at once: one wins)."""
    session.execute(select(SupervisionCase.id).where(SupervisionCase.id == case_id).with_for_update())
    check_joins(session, caller, case_id, slug, data, on)


def one_decision_per_case(session: Session, document_id: str) -> None:
    """Refuse to settle a second issued decision in a case (a revived or redelivered render included)."""
    link = session.execute(select(CaseDocument).where(CaseDocument.document_id == document_id)).scalar_one_or_none()
    if link is None:
        return
    others = session.execute(select(Document.id).join(CaseDocument, CaseDocument.document_id == Document.id).where(
        CaseDocument.case_id == link.case_id, CaseDocument.role == "decision", Document.status == "issued",
        Document.id != document_id)).first()
    if others is not None:
        raise Conflict("本案已制发监督决定书", code="already_decided")


def check_joins(session: Session, caller: Caller, case_id: str, slug: str, data: dict[str, Any], on: date) -> None:
    """Refuse a document that may not join the case (InvalidData for its data, Conflict for the procedure)."""
    case = visible_case(session, case_id, caller)
    if slug not in JOINING:
        raise InvalidData([Issue("/case_id", "not_in_case", "只有整改报告和监督决定书可以在监督案件中制发")])
    if case.reviewed_on is not None:
        raise Conflict("该案件已复查结案", code="case_closed")
    if session.get(Document, case.opinion_document_id).status == "void":
        raise Conflict("该案件的监督意见书已作废", code="case_withdrawn")
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
    documents = [(link, document) for link, document in documents_of(session, case.id)
                 if document.status in ("issued", "pending")]
    if any(link.role == "decision" for link, _ in documents):
        raise Conflict("本案已制发监督决定书", code="already_decided")
    if on <= case.deadline:
        raise Conflict(f"整改期限（{format_date_cn(case.deadline)}）尚未届满，不能制发监督决定书", code="deadline_not_passed")
    if any(link.role == "report" and d.status == "issued" and received_in_time(link, case) for link, d in documents):
        raise Conflict("被监督单位已在整改期限内报告整改情况，不能制发监督决定书", code="reported_in_time")


def received_in_time(link: CaseDocument, case: SupervisionCase) -> bool:
    """Whether the registry received the report by the deadline (its typed date may be earlier than that)."""
    return link.received_on <= case.deadline


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
