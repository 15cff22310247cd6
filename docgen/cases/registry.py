"""Cases as rows: opened when an 意见书 is issued, documents linked by role, the 复查 recorded.

The store keeps the rows; the rules that decide whether a document may join a
case live in docgen.cases.rules, and the states in docgen.cases.status.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.config import Settings
from docgen.errors import Conflict, Forbidden, NotFound
from docgen.store import audit
from docgen.store.audit import Actor
from docgen.store.db import db_session
from docgen.store.models import CaseDocument, Document, SupervisionCase
from docgen.store.tokens import Caller

ROLES = {"opinion": "opinion", "rectification": "report", "decision": "decision"}


def open_case(session: Session, document: Document, deadline: date) -> SupervisionCase:
    """The case an issued 意见书 opens (once: a retried settle finds it)."""
    found = session.execute(select(SupervisionCase).where(
        SupervisionCase.opinion_document_id == document.id)).scalar_one_or_none()
    if found is not None:
        return found
    case = SupervisionCase(id=uuid.uuid4().hex, unit=document.recipient or "", opinion_document_id=document.id,
                           opinion_number=document.number, opinion_issuer=document.unit, issued_on=document.issue_date,
                           deadline=deadline)
    session.add(case)
    session.flush()  # the case before the link that refers to it
    session.add(CaseDocument(case_id=case.id, document_id=document.id, role="opinion", received_on=document.issue_date))
    session.flush()
    return case


def link(session: Session, case_id: str, document_id: str, slug: str, received_on: date) -> None:
    """Record that a document (reserved now, issued later) belongs to the case, received by the registry today."""
    session.add(CaseDocument(case_id=case_id, document_id=document_id, role=ROLES[slug], received_on=received_on))
    session.flush()


def visible_case(session: Session, case_id: str, caller: Caller) -> SupervisionCase:
    """The case, if this caller may see it (the 司法局 all, a unit its own); NotFound otherwise."""
    case = session.get(SupervisionCase, case_id) if len(case_id) <= 32 else None
    if case is None or not (caller.role == "judicial" or caller.unit == case.unit):
        raise NotFound("没有找到该监督案件")
    return case


def documents_of(session: Session, case_id: str) -> list[tuple[CaseDocument, Document]]:
    """The case's documents, oldest first, with their registry rows."""
    rows = session.execute(select(CaseDocument, Document).join(Document, Document.id == CaseDocument.document_id)
                           .where(CaseDocument.case_id == case_id).order_by(Document.created_at)).all()
    return [(link_row, document) for link_row, document in rows]


def opinion_data(session: Session, case: SupervisionCase) -> dict[str, Any]:
    """The data the 意见书 was issued with."""
    return json.loads(session.get(Document, case.opinion_document_id).data_json)


def record_review(settings: Settings, case_id: str, caller: Caller, actor: Actor, result: str,
                  reviewed_on: date) -> None:
    """The 复查 closes the case (the 司法局 records it, once)."""
    if caller.role != "judicial":
        raise Forbidden("复查结果由市司法局登记", code="judicial_only")
    result = result.strip()
    if not result or len(result) > 1000:
        from docgen.errors import InvalidData, Issue
        raise InvalidData([Issue("/result", "invalid_value", "复查结果不能为空，且不超过 1000 字")])
    from docgen.cases.status import describe
    from docgen.clock import today
    from docgen.generate import load_calendar
    from docgen.text import clean_text
    result = clean_text(result)
    with db_session(settings) as session:
        case = visible_case(session, case_id, caller)
        if case.reviewed_on is not None:
            raise Conflict("该案件已登记复查结果", code="already_reviewed")
        state = describe(session, case, today(), load_calendar(settings)).state
        if state not in ("reported", "decided"):
            raise Conflict("复查在单位报告整改情况或作出监督决定之后进行", code="not_reviewable")
        if not case.issued_on <= reviewed_on <= today():
            from docgen.errors import InvalidData, Issue
            raise InvalidData([Issue("/reviewed_on", "date_order", "复查日期应在意见书制发之后、今天或之前")])
        case.review_result, case.reviewed_on, case.reviewed_by = result, reviewed_on, actor.name
        audit.record(session, actor, "case.review", case.opinion_number, case_id=case.id, result=result)
