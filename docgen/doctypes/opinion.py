"""行政执法监督意见书: the 司法局 orders a unit to rectify problems found in its case files."""

from __future__ import annotations

from datetime import date
from typing import Any

from docgen.dates import format_date_cn, parse_iso_date
from docgen.doctypes.common import BuildEnv, common_context, date_field, obj, text, text_list
from docgen.doctypes.deadline import deadline_order_issues, deadline_schema, resolve_deadline
from docgen.errors import InvalidData, Issue
from docgen.filters import chinese_numeral, join_cn

SLUG = "opinion"
TITLE = "行政执法监督意见书"
DESCRIPTION = "市司法局对案卷评查中发现问题的行政执法单位制发，责令限期整改并书面报告整改情况。"

# Problem categories in the order of the seed plan (item 15); heading printed for each.
CATEGORIES: dict[str, str] = {
    "执法主体": "执法主体不合法",
    "执法权限": "执法权限不合法",
    "执法内容": "执法内容不合法",
    "执法程序": "执法程序不合法",
    "执法决定": "执法决定不合法",
    "三项制度": "未落实行政执法“三项制度”",
}

PROBLEM = obj("问题", "评查发现的一个问题", {
    "category": {"type": "string", "title": "问题类别", "description": "执法主体/权限/内容/程序/决定不合法，或未落实三项制度",
                 "enum": list(CATEGORIES)},
    "description": text("问题描述", "问题的具体表现", max_length=2000),
    "case_numbers": text_list("涉及案卷", "案卷号或处罚决定书文号", text("案卷号", "如“昌市监罚〔2024〕12号”", max_length=60),
                              minItems=1, maxItems=50),
    "provisions": text_list("违反条款", "违反的法律条款", text("条款", "如“《中华人民共和国行政处罚法》第四十四条”", max_length=120),
                            maxItems=20),
}, ["category", "description", "case_numbers"])

DEADLINE = deadline_schema("整改期限", "本意见书")

LETTERHEAD = "letter"  # 信函格式: a letter to one unit, two pages where 文件格式 takes three
COMMON_FIELDS = ["issuer", "doc_number", "issue_date", "signature", "contact", "attachments", "imprint"]
PROPERTIES: dict[str, Any] = {
    "title": text("标题", "默认“行政执法监督意见书”", max_length=60),
    "recipient": text("主送机关", "被监督的行政执法单位全称", max_length=60),
    "supervision": obj("监督情况", "监督的依据、方式和范围", {
        "basis": text_list("监督依据", "法规、规章或文件名称（含书名号）", text("依据", "如“《新疆维吾尔自治区行政执法监督条例》”", max_length=100),
                           minItems=1, maxItems=10),
        "activity": text("监督活动", "如“2024年第一季度行政执法案卷抽查评查”", max_length=100),
        "scope": text("评查范围", "如“2024年1月至3月办结的行政处罚案卷”", max_length=200),
        "start_date": date_field("开始日期", "评查开始日期"),
        "end_date": date_field("结束日期", "评查结束日期"),
        "case_count": {"type": "integer", "title": "评查案卷数", "description": "抽查评查的案卷数量", "minimum": 1, "maximum": 100000},
    }, ["basis", "activity", "start_date", "end_date", "case_count"]),
    "problems": {"type": "array", "title": "存在的问题", "description": "按问题类别归类列出", "items": PROBLEM,
                 "minItems": 1, "maxItems": 200},
    "opinions": text_list("监督意见", "逐条列出的意见和整改要求", text("意见", "一条监督意见", max_length=2000),
                          minItems=1, maxItems=50),
    "deadline": DEADLINE,
    "consequence_basis": text("逾期处理依据", "报请制发监督决定书的依据，如“《新疆维吾尔自治区行政执法监督条例》”", max_length=200),
}
REQUIRED = ["issuer", "doc_number", "issue_date", "recipient", "supervision", "problems", "opinions", "deadline"]


def build_context(data: dict[str, Any], env: BuildEnv) -> dict[str, Any]:
    """Computed keys of the opinion letter."""
    context = common_context(data)
    _check_dates(data, context["issue_date"])
    we = context["we"]
    due, deadline_phrase = resolve_deadline(data["deadline"], context["issue_date"], env, "本意见书")
    context.update(
        title=data.get("title", TITLE),
        recipient=data["recipient"],
        intro_text=_intro(data["supervision"], we),
        problem_groups=_problem_groups(data["problems"]),
        opinion_items=[f"{n}.{text}" for n, text in enumerate(data["opinions"], 1)],
        deadline_due=due,
        deadline_text=f"请你单位{deadline_phrase}完成整改。",
        report_text=(f"整改完成后，请于{format_date_cn(due)}前将整改情况书面报告{we}，并附整改台账，"
                     "逐项写明问题描述、整改措施、责任科室及责任人、整改时限和完成情况。"),
        consequence_text=_consequence(data.get("consequence_basis"), we),
    )
    return context


def _check_dates(data: dict[str, Any], issued: date) -> None:
    issues = []
    sup = data["supervision"]
    if parse_iso_date(sup["end_date"]) < parse_iso_date(sup["start_date"]):
        issues.append(Issue("/supervision/end_date", "date_order", "评查结束日期不得早于开始日期"))
    issues += deadline_order_issues(data["deadline"], issued, "/deadline")
    if issues:
        raise InvalidData(issues)


def _intro(sup: dict[str, Any], we: str) -> str:
    start, end = parse_iso_date(sup["start_date"]), parse_iso_date(sup["end_date"])
    period = format_date_cn(start) if start == end else f"{format_date_cn(start)}至{format_date_cn(end)}"
    scope = f"对你单位{sup['scope']}" if "scope" in sup else "对你单位行政执法案卷"
    return (f"根据{join_cn(sup['basis'])}等规定，{period}，{we}{scope}开展了{sup['activity']}，"
            f"共评查案卷{sup['case_count']}卷。经评查，发现你单位在行政执法工作中存在以下问题，"
            "现提出监督意见如下：")


def _problem_groups(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Problems grouped by category in statutory order, numbered （一） and 1."""
    groups = []
    for category, heading in CATEGORIES.items():
        members = [p for p in problems if p["category"] == category]
        if members:
            groups.append({
                "ordinal": f"（{chinese_numeral(len(groups) + 1)}）",
                "heading": heading,
                "entries": [f"{n}.{_problem_text(p)}" for n, p in enumerate(members, 1)],
            })
    return groups


def _problem_text(problem: dict[str, Any]) -> str:
    description = problem["description"].rstrip("。；;.，, ")
    cases = "、".join(problem["case_numbers"])
    provisions = problem.get("provisions", [])
    breach = f"；不符合{join_cn(provisions)}的规定" if provisions else ""
    return f"{description}（涉及案卷：{cases}{breach}）。"


def _consequence(basis: str | None, we: str) -> str:
    legal = f"依据{basis}的规定，" if basis else ""
    return (f"逾期未整改或者整改不到位的，{we}将{legal}报请市人民政府制发《行政执法监督决定书》，"
            "责令限期履行法定职责、重新作出行政行为或者撤销行政行为。")
