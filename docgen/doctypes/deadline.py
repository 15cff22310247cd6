"""Deadlines: a fixed date, or N days / N working days from receipt, stated and computed."""

from __future__ import annotations

from datetime import date
from typing import Any

from docgen.dates import format_date_cn, parse_iso_date
from docgen.doctypes.common import BuildEnv, date_field, obj


def deadline_schema(title: str, document: str) -> dict[str, Any]:
    """Schema of a deadline relative to receipt of ``document`` (e.g. 本意见书)."""
    return {
        **obj(title, f"固定日期，或自收到{document}之日起 N 日 / N 个工作日", {
            "kind": {"type": "string", "title": "期限方式", "description": "date：固定日期；days：N 日；working_days：N 个工作日",
                     "enum": ["date", "days", "working_days"]},
            "date": date_field("截止日期", "kind 为 date 时必填"),
            "days": {"type": "integer", "title": "天数", "description": "kind 为 days 或 working_days 时必填",
                     "minimum": 1, "maximum": 365},
            "start_date": date_field("送达日期", f"起算日期（收到{document}之日），默认为成文日期"),
        }, ["kind"]),
        "allOf": [{"if": {"properties": {"kind": {"const": "date"}}},
                   "then": {"required": ["date"]}, "else": {"required": ["days"]}}],
    }


def resolve_deadline(spec: dict[str, Any], issued: date, env: BuildEnv, document: str) -> tuple[date, str]:
    """Due date and the phrase that states it, e.g. 自收到本意见书之日起20个工作日内（即…前）."""
    if spec["kind"] == "date":
        due = parse_iso_date(spec["date"])
        return due, f"于{format_date_cn(due)}前"
    start = parse_iso_date(spec["start_date"]) if "start_date" in spec else issued
    days = spec["days"]
    if spec["kind"] == "working_days":
        result, unit = env.calendar.add_working_days(start, days), f"{days}个工作日"
    else:
        result, unit = env.calendar.add_calendar_days(start, days), f"{days}日"
    env.warn(result.warnings)
    return result.due, f"自收到{document}之日起{unit}内（即{format_date_cn(result.due)}前）"


def deadline_order_issues(spec: dict[str, Any], issued: date, path: str) -> list[Any]:
    """A fixed deadline must follow the issue date; receipt cannot precede it."""
    from docgen.errors import Issue

    issues = []
    if spec["kind"] == "date" and parse_iso_date(spec["date"]) <= issued:
        issues.append(Issue(f"{path}/date", "date_order", "截止日期应晚于成文日期"))
    if "start_date" in spec and parse_iso_date(spec["start_date"]) < issued:
        issues.append(Issue(f"{path}/start_date", "date_order", "送达日期不得早于成文日期"))
    return issues
