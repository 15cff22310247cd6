"""Accounting for every input row: published, withheld (with the legal reason), rejected (with the error) or duplicate.

Rows are checked one by one against the schema (in the readers), the registry
(the deciding unit must be registered and active), the month and the notice's
date. A repeated 决定书文号 of the same unit is a duplicate when the row says the
same thing, and rejected when it says something else: the first row stands.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from docgen.dates import parse_iso_date
from docgen.doctypes.disclosure import RESTRICTIONS
from docgen.text import clean_text

OUTCOMES = {"published": "公示", "withheld": "不予公示", "rejected": "拒收", "duplicate": "重复"}
MAX_CASES_PER_NOTICE = 2000  # the disclosure schema's limit for one notice


@dataclass(frozen=True)
class RowOutcome:
    """What became of one input row."""

    row: int
    outcome: str  # published | withheld | rejected | duplicate
    unit: str = ""
    decision_number: str = ""
    code: str = ""
    column: str = ""
    reason: str = ""  # a row's personal data is not kept here: the row number finds it in the input

    def as_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


@dataclass
class Plan:
    """Every unit's cases in input order, every row's outcome, and the units held back (all their rows refused)."""

    units: dict[str, list[dict[str, Any]]]
    outcomes: list[RowOutcome]
    held: dict[str, str] = field(default_factory=dict)  # unit → why no notice is made

    def counts(self) -> dict[str, int]:
        """Rows by outcome, and the total."""
        counts = {key: 0 for key in OUTCOMES}
        for outcome in self.outcomes:
            counts[outcome.outcome] += 1
        counts["rows"] = len(self.outcomes)
        counts["units"] = len(self.units)
        counts["units_without_cases"] = sum(1 for name, cases in self.units.items() if not cases and name not in self.held)
        counts["units_held"] = len(self.held)
        return counts


@dataclass(frozen=True)
class Registry:
    """The units that may publish: active ones by name, inactive ones to say why a row is refused."""

    active: frozenset[str]
    inactive: frozenset[str]
    publishing: tuple[str, ...]  # the enforcement units, each of which publishes a notice every month


def _number_key(unit: str, number: str) -> tuple[str, str]:
    return unit, "".join(unicodedata.normalize("NFKC", number).split())


def account(rows: Iterable[Any], registry: Registry, year: int, month: int, issue_date: date) -> Plan:
    """Sort every row into its unit's notice or the report; units of the registry without rows get an empty notice."""
    units: dict[str, list[dict[str, Any]]] = {name: [] for name in registry.publishing}
    seen: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
    outcomes: list[RowOutcome] = []
    for row in rows:
        outcome = _sort_row(row, registry, year, month, issue_date, seen, units)
        outcomes.append(outcome)
    refused: dict[str, int] = {}
    for outcome in outcomes:
        if outcome.outcome == "rejected" and outcome.unit in registry.active:
            refused[outcome.unit] = refused.get(outcome.unit, 0) + 1
    # A unit whose every row was refused gets no notice: "no decisions this month" would be false.
    held = {unit: f"该单位的 {count} 行均被拒收，未生成公示；请更正后重新运行本月"
            for unit, count in refused.items() if not units.get(unit)}
    for unit in held:
        units.setdefault(unit, [])
    return Plan(units=dict(sorted(units.items())), outcomes=outcomes, held=held)


def _rejected(row: Any, code: str, reason: str, column: str = "", unit: str = "", number: str = "") -> RowOutcome:
    return RowOutcome(row.number, "rejected", clean_text(unit), clean_text(number), code, column, clean_text(reason))


def _sort_row(row: Any, registry: Registry, year: int, month: int, issue_date: date,
              seen: dict[tuple[str, str], tuple[int, dict[str, Any]]],
              units: dict[str, list[dict[str, Any]]]) -> RowOutcome:
    if row.issues:
        first = row.issues[0]
        reason = "；".join(f"{i.column}：{i.message}" if i.column else i.message for i in row.issues[:5])
        return _rejected(row, first.code, reason, first.column, row.raw.get("执法单位", ""),
                         row.raw.get("决定书文号", ""))
    unit, case = row.unit, row.case
    number = case["decision_number"]
    if unit in registry.inactive:
        return _rejected(row, "unit_disabled", f"执法单位“{unit}”已停用", "执法单位", unit, number)
    if unit not in registry.active:
        return _rejected(row, "unknown_unit", f"执法单位“{unit}”未登记；请管理员先用 docgen unit add 登记该单位",
                         "执法单位", unit, number)
    decided = parse_iso_date(case["decision_date"])
    if (decided.year, decided.month) != (year, month):
        return _rejected(row, "outside_period", f"决定日期不在公示月份（{year}年{month}月）内", "决定日期", unit, number)
    if decided > issue_date:
        return _rejected(row, "date_order", "决定日期晚于公示日期", "决定日期", unit, number)
    key = _number_key(unit, number)
    if key in seen:
        first_row, first_case = seen[key]
        if first_case == case:
            return RowOutcome(row.number, "duplicate", unit, number, "duplicate", "", f"与第 {first_row} 行重复")
        return _rejected(row, "conflicting_duplicate", f"与第 {first_row} 行决定书文号相同但内容不同（以第 {first_row} 行为准）",
                         "决定书文号", unit, number)
    cases = units.setdefault(unit, [])
    if len(cases) >= MAX_CASES_PER_NOTICE:
        return _rejected(row, "too_many_cases", f"一份公示最多 {MAX_CASES_PER_NOTICE} 件案件", "", unit, number)
    seen[key] = (row.number, case)
    cases.append(case)
    if case.get("restrictions"):
        reasons = "、".join(RESTRICTIONS[r] for r in case["restrictions"])
        return RowOutcome(row.number, "withheld", unit, number, "withheld", "限制公开情形", reasons)
    return RowOutcome(row.number, "published", unit, number)
