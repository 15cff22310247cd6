"""The batch's account for the 司法局: 汇总.xlsx (units, withheld, late, rejected, every row) and 公示数据.csv.

Both are written unit by unit from the stored summaries, so memory stays flat
whatever the month's size. Cells are always text: a value that begins with "="
is a 当事人's words, never a formula.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import IO, Any

from docgen.batch.plan import OUTCOMES
from docgen.doctypes.disclosure import COLUMNS

UNIT_STATES = {"done": "已生成", "failed": "生成失败", "queued": "排队中", "running": "生成中", "held": "未生成（所有行均被拒收）"}
PUBLIC_COLUMNS = [("unit", "执法单位")] + [(column.key, column.header) for column in COLUMNS]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def ledger_rows(ledger: bytes) -> Iterator[dict[str, Any]]:
    """Every input row's outcome, in input order."""
    for line in io.BytesIO(ledger):
        if line.strip():
            yield json.loads(line)


def write_public_csv(stream: IO[bytes], units: Iterator[tuple[str, list[dict[str, str]]]]) -> int:
    """The published (masked) rows of every unit for the city portal, UTF-8 with BOM (Excel opens it); rows written."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow([title for _, title in PUBLIC_COLUMNS])
    written = 0
    for unit, rows in units:
        for row in rows:
            writer.writerow([_csv_safe(unit if key == "unit" else row.get(key, "")) for key, _ in PUBLIC_COLUMNS])
            written += 1
    text.flush()
    text.detach()
    return written


def _csv_safe(value: str) -> str:
    """A spreadsheet must not read a cell as a formula (CSV injection)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def write_summary_xlsx(stream: IO[bytes], batch: Any, units: list[Any], ledger: bytes) -> None:
    """汇总.xlsx: the month at a glance, then one sheet per kind of finding."""
    from openpyxl import Workbook
    book = Workbook(write_only=True)
    counts = json.loads(batch.counts_json or "{}")
    overview = new_sheet(book, "概况", ["项目", "内容"], [36, 60])
    for label, value in [("公示月份", batch.period), ("公示日期", batch.issue_date.isoformat()),
                         ("输入文件", batch.input_name), ("输入行数", counts.get("rows", 0)),
                         *[(f"{title}（行）", counts.get(key, 0)) for key, title in OUTCOMES.items()],
                         ("公示单位数", counts.get("units", 0) - counts.get("units_held", 0)),
                         ("本月无案件的单位数", counts.get("units_without_cases", 0)),
                         ("所有行均被拒收、未生成公示的单位数", counts.get("units_held", 0)),
                         ("同时发布到文书登记", "是" if batch.issue else "否")]:
        append_row(overview, [label, value])
    _unit_sheets(book, units)
    _ledger_sheets(book, ledger)
    book.save(stream)


def _unit_sheets(book: Any, units: list[Any]) -> None:
    per_unit = new_sheet(book, "单位统计", ["执法单位", "状态", "案件数", "公示", "不予公示", "逾期公示", "文号", "核验码", "提示"],
                      [36, 10, 8, 8, 10, 10, 24, 14, 50])
    withheld = new_sheet(book, "不予公示", ["执法单位", "决定书文号", "原因"], [36, 28, 60])
    late = new_sheet(book, "逾期公示", ["执法单位", "决定书文号", "决定日期", "法定期限（工作日）", "应公示日期", "逾期天数"],
                  [36, 28, 14, 18, 14, 10])
    for unit in units:
        summary = json.loads(unit.summary_json or "{}")
        error = json.loads(unit.error_json or "{}")
        append_row(per_unit, [unit.unit, UNIT_STATES.get(unit.state, unit.state), unit.case_count,
                           summary.get("published", 0), len(summary.get("withheld", [])), len(summary.get("late", [])),
                           summary.get("number", ""), summary.get("verify_code", ""),
                           "；".join(summary.get("warnings", []) + ([error["message"]] if error else []))])
        for case in summary.get("withheld", []):
            append_row(withheld, [unit.unit, case["decision_number"], "、".join(case["reasons"])])
        for case in summary.get("late", []):
            append_row(late, [unit.unit, case["decision_number"], case["decision_date"], case["working_days"], case["due"],
                           case["days_late"]])


def _ledger_sheets(book: Any, ledger: bytes) -> None:
    rejected = new_sheet(book, "拒收的行", ["行号", "执法单位", "决定书文号", "列", "错误代码", "说明"], [8, 36, 28, 16, 22, 70])
    duplicates = new_sheet(book, "重复的行", ["行号", "执法单位", "决定书文号", "说明"], [8, 36, 28, 40])
    every = new_sheet(book, "逐行结果", ["行号", "结果", "执法单位", "决定书文号", "说明"], [8, 10, 36, 28, 70])
    for row in ledger_rows(ledger):
        if row["outcome"] == "rejected":
            append_row(rejected, [row["row"], row["unit"], row["decision_number"], row["column"], row["code"], row["reason"]])
        elif row["outcome"] == "duplicate":
            append_row(duplicates, [row["row"], row["unit"], row["decision_number"], row["reason"]])
        append_row(every, [row["row"], OUTCOMES[row["outcome"]], row["unit"], row["decision_number"], row["reason"]])


def new_sheet(book: Any, title: str, headers: list[str], widths: list[int]) -> Any:
    """A write-only sheet with a bold header row, column widths and the header frozen."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    sheet = book.create_sheet(title)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = Font(bold=True)
        cells.append(cell)
    sheet.append(cells)
    return sheet


def append_row(sheet: Any, values: list[Any]) -> None:
    """A row whose text cells are text, never formulas, and carry no character XML cannot."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    cells = []
    for value in values:
        if isinstance(value, str):  # characters XML 1.0 cannot carry would make the workbook unreadable
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # never a formula, whatever the text begins with
        cells.append(cell)
    sheet.append(cells)
