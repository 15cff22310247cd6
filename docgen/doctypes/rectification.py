"""整改报告: the supervised unit reports upward what it fixed, with the 整改台账 as an attachment."""

from __future__ import annotations

from datetime import date
from typing import Any

from docgen.dates import format_date_cn, parse_iso_date
from docgen.doctypes.common import BuildEnv, common_context, date_field, obj, text, text_list
from docgen.doctypes.table_fit import table_context
from docgen.doctypes.tables import Column, table_pages
from docgen.errors import InvalidData, Issue
from docgen.filters import chinese_numeral

SLUG = "rectification"
TITLE = "整改报告"
DESCRIPTION = "被监督单位就《行政执法监督意见书》所提问题向市司法局报告整改情况（上行文），附整改台账。"

STATUSES = ["已完成", "整改中", "长期坚持"]
LEDGER_TITLE = "整改台账"

LEDGER_ITEM = {
    **obj("台账条目", "一个问题的整改情况；整改中的条目须写明未完成原因和承诺完成日期", {
        "source": text("问题来源", "意见书文号，默认为所报告的意见书文号", max_length=60),
        "category": text("问题类别", "如“执法程序”", max_length=30),
        "description": text("问题描述", "意见书指出的问题（与意见书一致）", max_length=2000),
        "measures": text("整改措施", "已采取或将采取的措施", max_length=1000),
        "owner": text("责任科室/责任人", "如“法制科 张伟”", max_length=60),
        "deadline": date_field("整改时限", "计划完成日期"),
        "progress": text("完成情况及佐证", "完成情况和佐证材料", max_length=1000),
        "status": {"type": "string", "title": "状态", "description": "、".join(STATUSES), "enum": STATUSES},
        "reason": text("未完成原因", "状态为“整改中”时必填", max_length=500),
        "committed_date": date_field("承诺完成日期", "状态为“整改中”时必填"),
        "remark": text("备注", "其他说明", max_length=200),
    }, ["category", "description", "measures", "owner", "deadline", "progress", "status"]),
    "allOf": [{"if": {"properties": {"status": {"const": "整改中"}}, "required": ["status"]},
               "then": {"required": ["reason", "committed_date"]}}],
}

LEDGER_COLUMNS = (
    Column("序号", 10, "seq", True), Column("问题来源", 24, "source"), Column("问题类别", 16, "category"),
    Column("问题描述", 34, "description"), Column("整改措施", 34, "measures"), Column("责任科室/责任人", 20, "owner"),
    Column("整改时限", 18, "deadline", True), Column("完成情况及佐证", 29, "progress"), Column("状态", 16, "status", True),
    Column("备注", 24, "remark"),
)

LETTERHEAD = "file"  # 文件格式
COMMON_FIELDS = ["issuer", "doc_number", "issue_date", "signature", "contact", "imprint"]
PROPERTIES: dict[str, Any] = {
    "title": text("标题", "默认“关于落实〔意见书文号〕行政执法监督意见书整改情况的报告”", max_length=80),
    "signer": text("签发人", "上行文的签发人姓名", max_length=20),
    "recipient": text("主送机关", "默认“昌吉市司法局”", max_length=60),
    "opinion": obj("监督意见书", "所报告的《行政执法监督意见书》", {
        "doc_number": text("意见书文号", "如“昌司执监意〔2024〕7号”", max_length=40),
        "issuer": text("意见书制发机关", "默认“昌吉市司法局”", max_length=40),
        "received_date": date_field("收到日期", "收到意见书的日期"),
    }, ["doc_number", "received_date"]),
    "overview": text_list("整改工作总体情况", "逐段陈述", text("段落", "一段文字", max_length=2000), minItems=1, maxItems=20),
    "ledger": {"type": "array", "title": "整改台账", "description": "逐项列出意见书所提问题的整改情况",
               "items": LEDGER_ITEM, "minItems": 1, "maxItems": 300},
    "mechanisms": text_list("长效机制和下一步工作", "逐条陈述", text("条目", "一条措施", max_length=2000), minItems=1, maxItems=20),
    "attachments": text_list("其他附件", "整改台账之外的附件名称", text("附件名称", "附件名称", max_length=100), maxItems=20),
}
REQUIRED = ["issuer", "doc_number", "issue_date", "signer", "opinion", "overview", "ledger", "mechanisms"]


def build_context(data: dict[str, Any], env: BuildEnv) -> dict[str, Any]:
    """Computed keys of the report; the ledger is always attachment 1."""
    data = {**data, "attachments": [LEDGER_TITLE] + data.get("attachments", [])}
    context = common_context(data)
    opinion = data["opinion"]
    _check(data, context["issue_date"])
    ledger = [_ledger_row(n, item, opinion["doc_number"]) for n, item in enumerate(data["ledger"], 1)]
    context.update(
        title=data.get("title", f"关于落实{opinion['doc_number']}行政执法监督意见书整改情况的报告"),
        signer=data["signer"],
        recipient=data.get("recipient", "昌吉市司法局"),
        intro_text=_intro(opinion, context["we"]),
        overview=[*data["overview"], _progress_sentence(ledger, context["issue_date"])],
        item_groups=_item_groups(ledger),
        unfinished=_unfinished(ledger),
        mechanisms=[f"{n}.{line}" for n, line in enumerate(data["mechanisms"], 1)],
        ledger_label="附件" if len(data["attachments"]) == 1 else "附件1",
        ledger_title=LEDGER_TITLE,
        ledger=ledger,
        **table_context(LEDGER_COLUMNS, ledger, keep=frozenset({"seq", "description", "measures", "status"})),
        ledger_summary=_summary(ledger),
    )
    return context


def estimate_pages(data: dict[str, Any]) -> int:
    """Pages of the report: its text (every ledger item is told once in the body too) and its landscape ledger."""
    from docgen.budget import generic_pages
    number = data.get("opinion", {}).get("doc_number", "")
    rows = [{"seq": 3, "source": len(item.get("source", number)), "category": len(item.get("category", "")),
             "description": len(item.get("description", "")), "measures": len(item.get("measures", "")),
             "owner": len(item.get("owner", "")), "deadline": 11, "progress": len(item.get("progress", "")),
             "status": 4, "remark": len(item.get("remark", "")) + (len(item.get("reason", "")) + 20 if "reason" in item else 0)}
            for item in data.get("ledger", [])]
    return generic_pages(data) + int(table_pages(rows, LEDGER_COLUMNS))


def _check(data: dict[str, Any], issued: date) -> None:
    received = parse_iso_date(data["opinion"]["received_date"])
    issues = []
    if received > issued:
        issues.append(Issue("/opinion/received_date", "date_order", "收到意见书日期不得晚于成文日期"))
    for n, item in enumerate(data["ledger"]):
        if "committed_date" in item and parse_iso_date(item["committed_date"]) < issued:
            issues.append(Issue(f"/ledger/{n}/committed_date", "date_order", "承诺完成日期不得早于报告成文日期"))
    if issues:
        raise InvalidData(issues)


def _ledger_row(n: int, item: dict[str, Any], opinion_number: str) -> dict[str, Any]:
    """One 台账 row, every cell already formatted."""
    row = {key: item.get(key, "") for key in ("category", "description", "measures", "owner", "progress", "status")}
    remark = item.get("remark", "")
    if item["status"] == "整改中":
        committed = format_date_cn(parse_iso_date(item["committed_date"]))
        remark = "；".join(filter(None, [f"未完成原因：{item['reason']}；承诺{committed}前完成", remark]))
    return {**row, "seq": str(n), "source": item.get("source", opinion_number), "remark": remark,
            "deadline": format_date_cn(parse_iso_date(item["deadline"])),
            "reason": item.get("reason"), "committed": item.get("committed_date")}


def _intro(opinion: dict[str, Any], we: str) -> str:
    issuer = opinion.get("issuer", "昌吉市司法局")
    received = format_date_cn(parse_iso_date(opinion["received_date"]))
    return (f"{received}，{we}收到{issuer}《行政执法监督意见书》（{opinion['doc_number']}）。"
            f"{we}高度重视，对照意见书指出的问题逐项制定整改措施、明确责任和时限，认真抓好整改落实。"
            "现将整改情况报告如下：")


def _item_groups(ledger: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One （N） heading per problem category, in the order the categories first appear; items numbered within."""
    categories = list(dict.fromkeys(row["category"] for row in ledger))
    return [{"heading": f"（{chinese_numeral(n)}）{category}方面",
             "entries": [f"{k}.{_item_text(row)}" for k, row in enumerate((r for r in ledger if r["category"] == category), 1)]}
            for n, category in enumerate(categories, 1)]


def _item_text(row: dict[str, Any]) -> str:
    sentence = f"{_strip(row['description'])}。整改措施：{_strip(row['measures'])}。完成情况：{_strip(row['progress'])}"
    return sentence + f"（责任：{row['owner']}；{row['status']}）。"


def _progress_sentence(ledger: list[dict[str, Any]], issued: date) -> str:
    """The figures of the report, counted from the ledger (free text may disagree; the ledger is the record)."""
    counts = {status: sum(1 for row in ledger if row["status"] == status) for status in STATUSES}
    return (f"截至{format_date_cn(issued)}，意见书指出的{len(ledger)}个问题中，已完成整改{counts['已完成']}项，"
            f"正在整改{counts['整改中']}项，需长期坚持{counts['长期坚持']}项。")


def _unfinished(ledger: list[dict[str, Any]]) -> list[str]:
    lines = []
    for row in ledger:
        if row["status"] == "整改中":
            committed = format_date_cn(parse_iso_date(row["committed"]))
            lines.append(f"{_strip(row['description'])}：尚未完成，原因是{_strip(row['reason'])}，承诺于{committed}前完成。")
        elif row["status"] == "长期坚持":
            lines.append(f"{_strip(row['description'])}：已建立制度，需长期坚持，{_strip(row['measures'])}。")
    return [f"{n}.{line}" for n, line in enumerate(lines, 1)] or ["意见书所提问题均已整改完成，无尚未完成事项。"]


def _summary(ledger: list[dict[str, Any]]) -> str:
    counts = {status: sum(1 for row in ledger if row["status"] == status) for status in STATUSES}
    return f"共{len(ledger)}项，其中已完成{counts['已完成']}项、整改中{counts['整改中']}项、长期坚持{counts['长期坚持']}项。"


def _strip(value: str) -> str:
    return value.rstrip("。；;.，, ")
