"""行政执法公示: one unit's monthly public notice of decided cases, personal data masked by the service."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from docgen.dates import format_date_cn, parse_iso_date
from docgen.doctypes.common import BuildEnv, common_context, date_field, obj, text, text_list
from docgen.doctypes.table_fit import table_context
from docgen.doctypes.tables import Column, table_pages
from docgen.errors import InvalidData, Issue
from docgen.masking import ADDRESS_REMOVED, REMOVED, MaskingRules, mask_other_person, mask_person_name, scrub
from docgen.money import format_amount

SLUG = "disclosure"
TITLE = "行政执法公示"
DESCRIPTION = "行政执法单位每月公示当月作出的行政执法决定；当事人个人信息由服务按规则脱敏，不宜公开的案件不予公示。"

DECISION_TYPES = ["行政处罚", "行政许可", "行政强制", "行政征收", "行政确认", "行政检查", "其他"]
# 国办发〔2018〕118号: 处罚和许可 within 7 working days of the decision, other decisions within 20.
DISCLOSURE_DAYS = {"行政处罚": 7, "行政许可": 7}
OTHER_DISCLOSURE_DAYS = 20
RESTRICTIONS = {
    "minor": "当事人为未成年人",
    "state_secret": "涉及国家秘密",
    "trade_secret": "涉及商业秘密",
    "privacy": "涉及个人隐私",
    "security": "公开后可能危及国家安全、公共安全、经济安全和社会稳定",
}
PARTY_TYPES = {"natural_person": "自然人", "legal_person": "法人", "other_org": "非法人组织", "individual_business": "个体工商户"}
AMOUNT = {"type": "string", "title": "罚没金额（元）", "description": "阿拉伯数字，最多两位小数，如“5000.00”",
          "maxLength": 15, "pattern": "^(0|[1-9][0-9]{0,11})(\\.[0-9]{1,2})?$"}

PARTY = obj("当事人", "当事人信息；自然人的证件号、电话、住址不会公示", {
    "type": {"type": "string", "title": "当事人类型", "description": "、".join(f"{k}：{v}" for k, v in PARTY_TYPES.items()),
             "enum": list(PARTY_TYPES)},
    "name": text("名称或姓名", "法人、组织名称或自然人姓名", max_length=100),
    "credit_code": text("统一社会信用代码", "18 位代码", max_length=18, pattern="^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"),
    "legal_representative": text("法定代表人", "法人或组织的法定代表人（负责人）", max_length=40),
    "id_number": text("身份证号", "仅供核对，不予公示", max_length=30),
    "phone": text("联系电话", "仅供核对，不予公示", max_length=30),
    "address": text("住址或经营场所", "自然人住址不予公示；法人经营场所可以公示", max_length=200),
}, ["type", "name"])

CASE = obj("案件", "一件行政执法决定", {
    "decision_number": text("决定书文号", "如“昌市监罚〔2024〕12号”", max_length=60),
    "decision_type": {"type": "string", "title": "决定类别", "description": "、".join(DECISION_TYPES), "enum": DECISION_TYPES},
    "party": PARTY,
    "facts": text("主要违法事实", "主要事实（服务会去除其中的个人信息）", max_length=2000),
    "basis": text("处罚依据", "适用的法律条款", max_length=500),
    "penalty_kinds": text_list("处罚种类", "如“警告”“罚款”“没收违法所得”", text("种类", "处罚种类", max_length=30),
                               minItems=1, maxItems=10),
    "content": text("处罚内容", "具体处罚内容", max_length=1000),
    "amount": AMOUNT,
    "decision_date": date_field("作出决定日期", "行政执法决定的作出日期"),
    "authority": text("处罚机关", "默认为公示单位", max_length=60),
    "disclosure_period": text("公示期限", "如“公示期 6 个月”", max_length=40),
    "remark": text("备注", "其他说明（服务会去除其中的个人信息）", max_length=500),
    "other_persons": text_list("涉及的其他自然人", "文中出现的当事人以外的自然人姓名，公示时一律隐去",
                               text("姓名", "自然人姓名", max_length=40), maxItems=50),
    "restrictions": {"type": "array", "title": "不予公开情形", "description": "、".join(f"{k}：{v}" for k, v in RESTRICTIONS.items()),
                     "items": {"type": "string", "title": "情形", "description": "不予公开的情形", "enum": list(RESTRICTIONS)},
                     "uniqueItems": True, "maxItems": len(RESTRICTIONS)},
}, ["decision_number", "decision_type", "party", "facts", "decision_date"])

# Neutral headings: a 行政许可 or 行政检查 row must not stand under 处罚依据 or 处罚机关.
COLUMNS = (
    Column("序号", 9, "seq", True), Column("决定书文号", 24, "decision_number"), Column("当事人", 17, "party"),
    Column("统一社会信用代码", 22, "credit_code"), Column("法定代表人", 14, "legal_representative"),
    Column("主要违法事实", 33, "facts"), Column("执法依据", 22, "basis"), Column("决定类别", 13, "kinds"),
    Column("决定内容/罚没金额", 22, "content"), Column("作出决定日期", 16, "decision_date", True),
    Column("执法机关", 13, "authority"), Column("公示期限", 10, "period"), Column("备注", 10, "remark"),
)
ALWAYS_SHOWN = frozenset({"seq", "decision_number", "party", "facts", "kinds", "decision_date"})

_AMOUNT_IN_TEXT = re.compile(r"([0-9][0-9,，]*(?:\.[0-9]+)?)\s*(万)?元")

LETTERHEAD = "letter"  # 信函格式: the first landscape page keeps room for the table
LANDSCAPE = True  # every page landscape: the notice is a table
COMMON_FIELDS = ["issuer", "doc_number", "issue_date", "signature", "contact", "attachments", "imprint"]
PROPERTIES: dict[str, Any] = {
    "title": text("标题", "默认“{单位}{年}年{月}月行政执法决定公示”", max_length=80),
    "period": obj("公示月份", "所公示案件的决定月份", {
        "year": {"type": "integer", "title": "年", "description": "四位年份", "minimum": 2000, "maximum": 2100},
        "month": {"type": "integer", "title": "月", "description": "1–12", "minimum": 1, "maximum": 12},
    }, ["year", "month"]),
    "basis": text("公示依据", "默认《中华人民共和国行政处罚法》和国办发〔2018〕118号", max_length=300),
    "masking": obj("脱敏规则", "当事人姓名的脱敏方式（各行业规定不同）", {
        "given_name": {"type": "string", "title": "名字替换为", "description": "“某”（张某）或“某某”（张某某）",
                       "enum": ["某", "某某"]},
        "transliterated": {"type": "string", "title": "音译姓名", "description": "first_char：买某；first_part：买买提某",
                           "enum": ["first_char", "first_part"]},
    }, []),
    "cases": {"type": "array", "title": "案件", "description": "本月作出的行政执法决定；没有则为空列表", "items": CASE,
              "maxItems": 2000},
}
REQUIRED = ["issuer", "issue_date", "period", "cases"]


def build_context(data: dict[str, Any], env: BuildEnv) -> dict[str, Any]:
    """Public rows (masked), the empty-month statement, and the internal summary."""
    data = {"signature": {"sealed": False}, **data}
    context = common_context(data)
    issuer, (year, month) = data["issuer"]["name"], (data["period"]["year"], data["period"]["month"])
    _check(data, context["issue_date"])
    rules = MaskingRules(**data.get("masking", {}))
    public, excluded = [], []
    for n, case in enumerate(data["cases"]):
        if case.get("restrictions"):
            excluded.append({"index": n, "decision_number": case["decision_number"],
                             "reasons": [RESTRICTIONS[r] for r in case["restrictions"]]})
        else:
            public.append(_public_row(len(public) + 1, case, issuer, rules))
    late = _late_cases([c for c in data["cases"] if not c.get("restrictions")], context["issue_date"], env)
    basis = data.get("basis", "《中华人民共和国行政处罚法》和《国务院办公厅关于全面推行行政执法公示制度执法全过程"
                              "记录制度重大执法决定法制审核制度的指导意见》（国办发〔2018〕118号）")
    context.update(
        title=data.get("title", f"{issuer}{year}年{month}月行政执法决定公示"),
        intro_text=(f"根据{basis}等规定，现将{issuer}{year}年{month}月作出的行政执法决定公示如下（共{len(public)}件）："
                    if public else f"根据{basis}等规定，现予公示：{year}年{month}月，{issuer}未作出应当公示的行政执法决定。"),
        cases=public,
        **table_context(COLUMNS, public, keep=ALWAYS_SHOWN, fold_same={"authority": "执法机关均为{value}"}),
        internal_summary=_summary(data, public, excluded, late),
    )
    return context


def estimate_pages(data: dict[str, Any]) -> int:
    """Pages of the notice: its table's rows, each as tall as its longest cell in its column."""
    rows = []
    for case in data.get("cases", []):
        if case.get("restrictions"):
            continue
        party = case.get("party", {})
        rows.append({
            "seq": 4, "decision_number": len(case.get("decision_number", "")), "party": len(party.get("name", "")),
            "credit_code": len(party.get("credit_code", "")), "legal_representative": len(party.get("legal_representative", "")),
            "facts": len(case.get("facts", "")), "basis": len(case.get("basis", "")),
            "kinds": sum(len(k) + 1 for k in case.get("penalty_kinds", [])),
            "content": len(case.get("content", "")) + (40 if "amount" in case else 0), "decision_date": 11,
            "authority": len(case.get("authority", data["issuer"]["name"])), "period": len(case.get("disclosure_period", "")),
            "remark": len(case.get("remark", "")),
        })
    return 1 + int(table_pages(rows, COLUMNS))

def _check(data: dict[str, Any], issued: date) -> None:
    year, month = data["period"]["year"], data["period"]["month"]
    issues = []
    for n, case in enumerate(data["cases"]):
        decided = parse_iso_date(case["decision_date"])
        if (decided.year, decided.month) != (year, month):
            issues.append(Issue(f"/cases/{n}/decision_date", "outside_period", f"决定日期不在公示月份（{year}年{month}月）内"))
        if decided > issued:
            issues.append(Issue(f"/cases/{n}/decision_date", "date_order", "决定日期不得晚于公示日期"))
    if issues:
        raise InvalidData(issues)


def _public_row(seq: int, case: dict[str, Any], issuer: str, rules: MaskingRules) -> dict[str, str]:
    """One table row with every personal detail masked, in every field."""
    party = case["party"]
    natural = party["type"] == "natural_person"
    names = {name: mask_other_person(name) for name in case.get("other_persons", [])}
    if natural:
        names[party["name"]] = mask_person_name(party["name"], rules)
    elif party["type"] == "individual_business" and party.get("legal_representative"):
        # The operator of a 个体工商户 is a natural person: masked wherever the name appears.
        operator = party["legal_representative"]
        names[operator] = mask_person_name(operator, rules)
    # The party's own details as written in the data go wherever they appear, whatever words introduce them.
    literals = [(party[key], ADDRESS_REMOVED if key == "address" else REMOVED)
                for key in ("id_number", "phone", "address") if natural and len(party.get(key, "")) >= 4]
    clean = lambda value: scrub(_without(value, literals), names) if value else ""  # noqa: E731
    amount = case.get("amount")
    content = clean(case.get("content", ""))
    if amount is not None and not _mentions_amount(content, Decimal(amount)):
        content = (content + "；" if content else "") + f"罚没金额{format_amount(amount)}元"
    return {
        "seq": str(seq),
        "decision_number": case["decision_number"],
        "party": names.get(party["name"], party["name"]) if natural else clean(party["name"]),
        "credit_code": party.get("credit_code", "") if not natural else "",
        "legal_representative": clean(party.get("legal_representative", "")) if not natural else "",
        "facts": clean(case["facts"]),
        "basis": clean(case.get("basis", "")),
        "kinds": "、".join(case.get("penalty_kinds", [case["decision_type"]])),
        "content": content,
        "decision_date": format_date_cn(parse_iso_date(case["decision_date"])),
        "authority": clean(case.get("authority", issuer)),
        "period": clean(case.get("disclosure_period", "")),
        "remark": clean(case.get("remark", "")),
    }


def _without(text: str, literals: list[tuple[str, str]]) -> str:
    for literal, replacement in literals:
        text = text.replace(literal, replacement)
    return text


def _mentions_amount(text: str, amount: Decimal) -> bool:
    """Whether the 处罚内容 already states the amount (罚款人民币32700.00元 or 3.27万元), so it is not said twice."""
    for match in _AMOUNT_IN_TEXT.finditer(text):
        value = Decimal(match.group(1).replace(",", "").replace("，", ""))
        if (value * 10000 if match.group(2) == "万" else value) == amount:
            return True
    return False


def _late_cases(cases: list[dict[str, Any]], published: date, env: BuildEnv) -> list[dict[str, Any]]:
    """Cases whose statutory disclosure deadline passed before the notice's date."""
    late = []
    for case in cases:
        days = DISCLOSURE_DAYS.get(case["decision_type"], OTHER_DISCLOSURE_DAYS)
        result = env.calendar.add_working_days(parse_iso_date(case["decision_date"]), days)
        env.warn(result.warnings)
        if published > result.due:
            late.append({"decision_number": case["decision_number"], "decision_date": case["decision_date"],
                         "working_days": days, "due": result.due.isoformat(),
                         "days_late": (published - result.due).days})
    return late


def _summary(data: dict[str, Any], public: list[Any], excluded: list[dict[str, Any]],
             late: list[dict[str, Any]]) -> dict[str, Any]:
    """The internal summary: what was withheld and why, and which cases were published late."""
    counts: dict[str, int] = {}
    for case in excluded:
        for reason in case["reasons"]:
            counts[reason] = counts.get(reason, 0) + 1
    return {
        "unit": data["issuer"]["name"],
        "period": f"{data['period']['year']}-{data['period']['month']:02d}",
        "published_on": data["issue_date"],
        "total": len(data["cases"]),
        "published": len(public),
        "withheld": excluded,
        "withheld_by_reason": counts,
        "late": late,
    }
