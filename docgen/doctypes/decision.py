"""行政执法监督决定书: the city government decides when a unit missed the opinion letter's deadline."""

from __future__ import annotations

from datetime import date
from typing import Any

from docgen.dates import format_date_cn, parse_iso_date
from docgen.doctypes.common import BuildEnv, common_context, date_field, obj, text, text_list
from docgen.doctypes.deadline import deadline_order_issues, deadline_schema, resolve_deadline
from docgen.errors import InvalidData, Issue
from docgen.filters import chinese_numeral, join_cn

SLUG = "decision"
TITLE = "行政执法监督决定书"
DESCRIPTION = "被监督单位逾期未按《行政执法监督意见书》整改的，由市人民政府制发，责令限期履行、重新作出或者撤销行政行为等。"

DECISION_KINDS = ["责令限期履行法定职责", "重新作出行政行为", "撤销行政行为", "变更行政行为", "确认违法"]
OUTCOMES = {
    "未整改": "你单位逾期未整改，也未书面报告整改情况",
    "整改不到位": "你单位虽书面报告了整改情况，但经核查整改不到位",
}
CITY_SEAL_MM = 45  # a city government's seal

DECISION = obj("决定事项", "一项监督决定及其履行期限", {
    "kind": {"type": "string", "title": "决定种类", "description": "、".join(DECISION_KINDS), "enum": DECISION_KINDS},
    "content": text("决定内容", "具体要求，如“对昌市监罚〔2024〕12号案重新作出行政处罚决定”", max_length=2000),
    "deadline": deadline_schema("履行期限", "本决定书"),
}, ["kind", "content"])

LETTERHEAD = "file"  # 文件格式
COMMON_FIELDS = ["issuer", "doc_number", "issue_date", "signature", "contact", "attachments", "imprint"]
PROPERTIES: dict[str, Any] = {
    "title": text("标题", "默认“行政执法监督决定书”", max_length=60),
    "recipient": text("主送机关", "被监督的行政执法单位全称", max_length=60),
    "opinion": obj("监督意见书", "此前制发的《行政执法监督意见书》及其送达、整改期限", {
        "doc_number": text("意见书文号", "如“昌司执监意〔2024〕7号”", max_length=40),
        "issuer": text("意见书制发机关", "默认“昌吉市司法局”", max_length=40),
        "served_date": date_field("送达日期", "意见书送达被监督单位的日期"),
        "deadline_date": date_field("整改期限", "意见书规定的整改截止日期"),
        "outcome": {"type": "string", "title": "逾期情形", "description": "未整改：逾期未整改也未报告；整改不到位：已报告但核查不到位",
                    "enum": list(OUTCOMES), "default": "未整改"},
    }, ["doc_number", "served_date", "deadline_date"]),
    "facts": text_list("认定的事实", "逐段陈述的事实", text("事实", "一段事实", max_length=2000), minItems=1, maxItems=30),
    "reasons": text_list("决定理由", "逐段陈述的理由", text("理由", "一段理由", max_length=2000), minItems=1, maxItems=30),
    "legal_basis": text_list("法律依据", "作出决定所依据的法律条款", text("依据", "如“《新疆维吾尔自治区行政执法监督条例》第三十条”", max_length=120),
                             minItems=1, maxItems=10),
    "decisions": {"type": "array", "title": "决定事项", "description": "一项或多项监督决定", "items": DECISION,
                  "minItems": 1, "maxItems": 20},
    "report_to": text("报告对象", "履行情况书面报告的机关，默认为发文机关", max_length=40),
    "review": obj("复查", "被监督单位申请复查的期限和受理机关", {
        "days": {"type": "integer", "title": "复查申请期限（日）", "description": "自收到本决定书之日起的日数，默认 10",
                 "minimum": 1, "maximum": 90, "default": 10},
        "authority": text("复查机关", "默认为发文机关", max_length=40),
    }, []),
}
REQUIRED = ["issuer", "doc_number", "issue_date", "recipient", "opinion", "facts", "reasons", "legal_basis", "decisions"]


def build_context(data: dict[str, Any], env: BuildEnv) -> dict[str, Any]:
    """Computed keys of the decision."""
    context = common_context(data, seal_mm=CITY_SEAL_MM)
    issued = context["issue_date"]
    _check(data, issued)
    issuer = data["issuer"]["name"]
    items, dues = _decision_items(data["decisions"], issued, env)
    review = data.get("review", {})
    report_to = data.get("report_to", issuer)
    opinion_issuer = data["opinion"].get("issuer", "昌吉市司法局")
    report_due = f"于{format_date_cn(max(dues))}前" if dues else "在履行完毕之日起5个工作日内"
    context.update(
        title=data.get("title", TITLE),
        recipient=data["recipient"],
        history_text=_history(data["opinion"], issued),
        facts=data["facts"],
        reasons=data["reasons"],
        basis_text=f"依据{join_cn(data['legal_basis'])}的规定，{context['we']}决定如下：",
        decision_items=items,
        report_text=f"你单位应当按期履行本决定，并{report_due}将履行情况书面报告{report_to}，同时抄送{opinion_issuer}。",
        review_text=(f"你单位对本决定有异议的，可以自收到本决定书之日起{review.get('days', 10)}日内"
                     f"向{review.get('authority', issuer)}申请复查。复查期间，本决定不停止执行。"),
    )
    return context


def _check(data: dict[str, Any], issued: date) -> None:
    opinion = data["opinion"]
    served, deadline = parse_iso_date(opinion["served_date"]), parse_iso_date(opinion["deadline_date"])
    issues = []
    if deadline < served:
        issues.append(Issue("/opinion/deadline_date", "date_order", "整改期限不得早于意见书送达日期"))
    if issued <= deadline:
        issues.append(Issue("/issue_date", "not_overdue", f"意见书整改期限（{format_date_cn(deadline)}）尚未届满，不能制发监督决定书"))
    for n, decision in enumerate(data["decisions"]):
        if "deadline" in decision:
            issues += deadline_order_issues(decision["deadline"], issued, f"/decisions/{n}/deadline")
    if issues:
        raise InvalidData(issues)


def _history(opinion: dict[str, Any], issued: date) -> str:
    issuer = opinion.get("issuer", "昌吉市司法局")
    outcome = OUTCOMES[opinion.get("outcome", "未整改")]
    return (f"{format_date_cn(parse_iso_date(opinion['served_date']))}，{issuer}向你单位送达"
            f"《行政执法监督意见书》（{opinion['doc_number']}），责令你单位于"
            f"{format_date_cn(parse_iso_date(opinion['deadline_date']))}前完成整改并书面报告整改情况。"
            f"截至{format_date_cn(issued)}，{outcome}。")


def _decision_items(decisions: list[dict[str, Any]], issued: date, env: BuildEnv) -> tuple[list[str], list[date]]:
    """（一）责令限期履行法定职责：…，自收到本决定书之日起30日内（即…前）履行完毕。"""
    items, dues = [], []
    for n, decision in enumerate(decisions, 1):
        content = decision["content"].rstrip("。；;. ")
        sentence = f"（{chinese_numeral(n)}）{decision['kind']}：{content}"
        if "deadline" in decision:
            due, phrase = resolve_deadline(decision["deadline"], issued, env, "本决定书")
            dues.append(due)
            sentence += f"，{phrase}履行完毕"
        items.append(sentence + "。")
    return items, dues
