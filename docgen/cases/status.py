"""Where each case stands today: its state, the working days left to its deadline, by urgency.

    整改中      the deadline has not passed and no report has been issued
    已报告      the unit's 整改报告 is issued (in time or not: report_in_time says which)
    逾期未报告  the deadline passed without a report
    已决定      the city government's 监督决定书 is issued
    已复查      the 复查 is recorded
    已撤回      the 意见书 was voided: the case is closed
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from docgen.clock import today as clock_today
from docgen.config import Settings
from docgen.store.db import db_session
from docgen.store.models import SupervisionCase
from docgen.store.tokens import Caller

STATE_TEXT = {"rectifying": "整改中", "reported": "已报告", "overdue": "逾期未报告", "decided": "已决定",
              "reviewed": "已复查", "withdrawn": "已撤回"}
OPEN_STATES = ("rectifying", "overdue")
DUE_SOON_DAYS = 5


@dataclass(frozen=True)
class CaseOverview:
    """A case as the dashboard, the API and the reminders see it."""

    id: str
    unit: str
    opinion_number: str
    opinion_document_id: str
    issued_on: date
    deadline: date
    state: str
    state_text: str
    working_days_left: int
    report_in_time: bool | None
    documents: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    review: dict[str, Any] | None = None

    @property
    def due_soon(self) -> bool:
        return self.state == "rectifying" and self.working_days_left <= DUE_SOON_DAYS

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(issued_on=self.issued_on.isoformat(), deadline=self.deadline.isoformat(), due_soon=self.due_soon)
        return data


def _issued(documents: list[tuple[Any, Any]], role: str) -> list[tuple[Any, Any]]:
    return [(link, document) for link, document in documents if link.role == role and document.status == "issued"]


def describe(session: Any, case: SupervisionCase, on: date, calendar: Any) -> CaseOverview:
    """One case's overview on ``on``."""
    from docgen.cases.registry import documents_of
    documents = documents_of(session, case.id)
    reports, decisions = _issued(documents, "report"), _issued(documents, "decision")
    in_time = any(link.received_on <= case.deadline for link, _ in reports) if reports else None
    withdrawn = any(link.role == "opinion" and document.status == "void" for link, document in documents)
    if withdrawn:
        state = "withdrawn"
    elif case.reviewed_on is not None:
        state = "reviewed"
    elif decisions:
        state = "decided"
    elif reports:
        state = "reported"
    else:
        state = "overdue" if on > case.deadline else "rectifying"
    left, warnings = calendar.working_days_between(on, case.deadline)
    return CaseOverview(
        id=case.id, unit=case.unit, opinion_number=case.opinion_number, opinion_document_id=case.opinion_document_id,
        issued_on=case.issued_on, deadline=case.deadline, state=state, state_text=STATE_TEXT[state],
        working_days_left=left, report_in_time=in_time,
        documents=[{"id": d.id, "role": link.role, "number": d.number, "status": d.status, "title": d.title,
                    "issue_date": d.issue_date.isoformat()} for link, d in documents],
        warnings=[w.message for w in warnings],
        review={"result": case.review_result, "reviewed_on": case.reviewed_on.isoformat()} if case.reviewed_on else None)


def urgency(item: CaseOverview) -> tuple[int, int, str]:
    """Overdue first (longest overdue first), then by working days left; closed cases last."""
    rank = {"overdue": 0, "rectifying": 1, "reported": 2, "decided": 3, "reviewed": 4, "withdrawn": 5}[item.state]
    return rank, item.working_days_left, item.opinion_number


def overviews(settings: Settings, caller: Caller | None, today: date | None = None) -> list[CaseOverview]:
    """Every case this caller may see (None: all), most urgent first."""
    from docgen.generate import load_calendar
    on, calendar = today or clock_today(), load_calendar(settings)
    query = select(SupervisionCase)
    if caller is not None and caller.role != "judicial":
        query = query.where(SupervisionCase.unit == caller.unit)
    with db_session(settings, read_only=True) as session:
        items = [describe(session, case, on, calendar) for case in session.execute(query).scalars()]
    return sorted(items, key=urgency)


def overview(settings: Settings, case_id: str, caller: Caller, today: date | None = None) -> CaseOverview:
    """One case (NotFound when the caller may not see it)."""
    from docgen.cases.registry import visible_case
    from docgen.generate import load_calendar
    with db_session(settings, read_only=True) as session:
        case = visible_case(session, case_id, caller)
        return describe(session, case, today or clock_today(), load_calendar(settings))


def by_unit(items: list[CaseOverview]) -> list[dict[str, Any]]:
    """Units by open cases: how many open, overdue and due within DUE_SOON_DAYS working days."""
    units: dict[str, dict[str, Any]] = {}
    for item in items:
        line = units.setdefault(item.unit, {"unit": item.unit, "open": 0, "overdue": 0, "due_soon": 0})
        line["open"] += item.state in OPEN_STATES
        line["overdue"] += item.state == "overdue"
        line["due_soon"] += item.due_soon
    return sorted(units.values(), key=lambda line: (-line["overdue"], -line["open"], line["unit"]))
