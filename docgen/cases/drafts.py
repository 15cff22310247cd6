"""Drafts that carry a case's facts forward: nothing the registry already holds is typed twice.

- 整改报告 (for the supervised unit): its header, the 意见书's 文号, one ledger row per problem
  (category, description with the case files it named) for the unit to complete.
- 监督决定书 (drafted by the 司法局 for the city government, once the rule allows it): the
  history of the 意见书 and the problems still not rectified.
Drafts are data for the workspace's editor: the unit still writes its measures and progress.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from docgen.cases.registry import documents_of, opinion_data, visible_case
from docgen.cases.rules import decision_allowed, uncovered_problems
from docgen.clock import today as clock_today
from docgen.config import Settings
from docgen.store.db import db_session
from docgen.store.tokens import Caller

GOVERNMENT = "昌吉市人民政府"


def _numbering(session: Any, unit: str, year: int) -> dict[str, Any]:
    """The unit's 机关代字 when the registry gives it exactly one (the number itself is allocated at issue)."""
    from docgen.store.units import find_unit
    info = find_unit(session, unit)
    return {"doc_number": {"organ_code": info.organ_codes[0], "year": year}} if info and len(info.organ_codes) == 1 else {}


def _problem_text(problem: dict[str, Any]) -> str:
    return f"{problem['description']}（涉及案卷：{'、'.join(problem['case_numbers'])}）"


def draft_report(settings: Settings, case_id: str, caller: Caller) -> dict[str, Any]:
    """A 整改报告 of the case's unit, one ledger row per problem of the 意见书."""
    with db_session(settings, read_only=True) as session:
        case = visible_case(session, case_id, caller)
        opinion = opinion_data(session, case)
        numbering = _numbering(session, case.unit, clock_today().year)
    ledger = [{"source": case.opinion_number, "category": problem["category"], "description": problem["description"],
               "measures": "", "owner": "", "deadline": case.deadline.isoformat(), "progress": ""}  # status: the unit's to say
              for problem in opinion["problems"]]
    return {
        "issuer": {"name": case.unit}, **numbering, "issue_date": clock_today().isoformat(), "signer": "",
        "recipient": case.opinion_issuer,
        "opinion": {"doc_number": case.opinion_number, "issuer": case.opinion_issuer,
                    "received_date": case.issued_on.isoformat()},
        "overview": [f"收到{case.opinion_issuer}《行政执法监督意见书》（{case.opinion_number}）后，我单位对照所列 "
                     f"{len(ledger)} 项问题逐项整改，现将整改情况报告如下。"],
        "ledger": ledger, "mechanisms": [""],
    }


def draft_decision(settings: Settings, case_id: str, caller: Caller, today: date | None = None) -> dict[str, Any]:
    """A 监督决定书 for the city government: Conflict while the rule forbids one (deadline, report in time)."""
    on = today or clock_today()
    with db_session(settings, read_only=True) as session:
        case = visible_case(session, case_id, caller)
        decision_allowed(session, case, on)
        opinion = opinion_data(session, case)
        reports = [d for link, d in documents_of(session, case.id) if link.role == "report" and d.status == "issued"]
        ledger = [item for report in reports for item in _ledger(report)]
        numbering = _numbering(session, GOVERNMENT, on.year)
    open_problems = _still_open(opinion["problems"], ledger)
    outcome = "整改不到位" if reports else "未整改"
    return {
        "issuer": {"name": GOVERNMENT}, **numbering, "issue_date": on.isoformat(), "recipient": case.unit,
        "opinion": {"doc_number": case.opinion_number, "issuer": case.opinion_issuer,
                    "served_date": case.issued_on.isoformat(), "deadline_date": case.deadline.isoformat(),
                    "outcome": outcome},
        "facts": [f"{case.opinion_issuer}于{case.issued_on.year}年{case.issued_on.month}月{case.issued_on.day}日向你单位"
                  f"制发《行政执法监督意见书》（{case.opinion_number}），要求于{case.deadline.year}年{case.deadline.month}月"
                  f"{case.deadline.day}日前完成整改并书面报告。" + ("你单位报告的整改情况经核查不到位。" if reports else
                                                                  "你单位逾期未报告整改情况。"),
                  *[f"{problem['category']}：{_problem_text(problem)}，至今未整改到位。" for problem in open_problems]],
        "reasons": [""],
        "legal_basis": [opinion.get("consequence_basis", "《新疆维吾尔自治区行政执法监督条例》")],
        "decisions": [{"kind": "责令限期履行法定职责", "content": f"对{'、'.join(problem['case_numbers'])}"
                       f"存在的“{problem['description'][:40]}”问题予以纠正", "deadline": {"kind": "working_days", "days": 20}}
                      for problem in open_problems],
    }


def _ledger(report: Any) -> list[dict[str, Any]]:
    import json
    return json.loads(report.data_json).get("ledger", [])


def _still_open(problems: list[dict[str, Any]], ledger: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Problems no report covered, or covered as still 整改中."""
    pending = [item for item in ledger if item.get("status") == "整改中"]
    return [p for p in problems if uncovered_problems([p], ledger) or not uncovered_problems([p], pending)]
