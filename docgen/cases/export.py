"""The case list as an XLSX for the 司法局's records (text cells never formulas)."""

from __future__ import annotations

import io

from docgen.batch.report import append_row, new_sheet
from docgen.cases.status import CaseOverview, by_unit


def cases_xlsx(items: list[CaseOverview]) -> bytes:
    """Cases by urgency, and units by open cases."""
    from openpyxl import Workbook
    book = Workbook(write_only=True)
    cases = new_sheet(book, "监督案件", ["被监督单位", "意见书文号", "制发日期", "整改期限", "剩余工作日", "状态", "按期报告", "提示"],
                   [36, 26, 14, 14, 12, 12, 10, 40])
    for item in items:
        append_row(cases, [item.unit, item.opinion_number, item.issued_on.isoformat(), item.deadline.isoformat(),
                        item.working_days_left, item.state_text,
                        {True: "是", False: "否", None: ""}[item.report_in_time], "；".join(item.warnings)])
    units = new_sheet(book, "各单位", ["单位", "未结案件", "逾期未报告", "5个工作日内到期"], [36, 12, 12, 16])
    for line in by_unit(items):
        append_row(units, [line["unit"], line["open"], line["overdue"], line["due_soon"]])
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()
