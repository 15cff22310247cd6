"""Schema fragments and context pieces every official document shares.

标志, 文号, 成文日期, the signature block with or without a seal, 附件说明, 附注 and
版记 look the same in every type, so each type's schema and context builder
composes them from here instead of spelling them out again.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from docgen.calendar import CalendarWarning, HolidayCalendar
from docgen.dates import format_date_cn, parse_iso_date
from docgen.errors import InvalidData, Issue
from docgen.filters import document_number
from docgen.doctypes.signature import signature_context
from docgen.text import text_width


@dataclass
class BuildEnv:
    """What a context builder may use besides the data: calendar, settings, today."""

    calendar: HolidayCalendar
    today: date = field(default_factory=date.today)
    warnings: list[CalendarWarning] = field(default_factory=list)

    def warn(self, new: tuple[CalendarWarning, ...]) -> None:
        """Record calendar warnings once each."""
        self.warnings.extend(w for w in new if w not in self.warnings)


def text(title: str, description: str, *, max_length: int = 200, **extra: Any) -> dict[str, Any]:
    """Schema of a required-looking non-empty string field."""
    return {"type": "string", "title": title, "description": description,
            "minLength": 1, "maxLength": max_length, **extra}


def text_list(title: str, description: str, item: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Schema of a list of strings."""
    return {"type": "array", "title": title, "description": description, "items": item, **extra}


def date_field(title: str, description: str) -> dict[str, Any]:
    """Schema of an ISO date string."""
    return {"type": "string", "format": "date", "title": title, "description": description,
            "maxLength": 10, "examples": ["2024-06-05"]}


def obj(title: str, description: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    """Schema of a closed object: unknown fields are errors, not silently dropped."""
    return {"type": "object", "title": title, "description": description,
            "properties": properties, "required": required, "additionalProperties": False}


ISSUER = obj("发文机关", "制发本文书的机关", {
    "name": text("机关名称", "发文机关全称，用于署名，如“昌吉市司法局”", max_length=40),
    "mark": text("发文机关标志", "版头红色标志文字，默认同机关名称", max_length=40),
}, ["name"])

DOC_NUMBER = obj("发文字号", "文号三要素：机关代字、年份、发文顺序号；预览稿可不填顺序号", {
    "organ_code": text("机关代字", "如“昌司执监意”，不含括号和年份", max_length=20,
                       pattern="^[\\u3400-\\u9fff\\U00020000-\\U0003134f]+$"),
    "year": {"type": "integer", "title": "年份", "description": "四位年份，如 2024",
             "minimum": 2000, "maximum": 2100},
    "seq": {"type": "integer", "title": "发文顺序号", "description": "自然数，不编虚位，不加“第”字",
            "minimum": 1, "maximum": 99999},
}, ["organ_code", "year"])

SIGNATURE = obj("署名与印章", "是否加盖印章；可附印章图片（PNG/JPEG，Base64 编码）", {
    "sealed": {"type": "boolean", "title": "加盖印章", "description": "true 按加盖印章格式排版（默认）", "default": True},
    "seal_image": {"type": "string", "title": "印章图片", "description": "PNG 或 JPEG 图片的 Base64 编码，不超过 1 MB",
                   "contentEncoding": "base64", "maxLength": 1_400_000},
    "seal_diameter_mm": {"type": "number", "title": "印章直径（毫米）", "description": "默认 42；市人民政府印章 45",
                         "minimum": 20, "maximum": 60},
    "demo_seal": {"type": "boolean", "title": "演示印章", "description": "true 时加盖标有“样章”的演示印章（仅供演示）"},
}, [])

CONTACT = obj("联系人", "附注中的联系人及电话", {
    "name": text("联系人", "联系人姓名", max_length=20),
    "phone": text("联系电话", "如 0994-2345678", max_length=30, pattern="^[0-9０-９()（）+\\- 转]+$"),
}, ["name", "phone"])

ATTACHMENTS = text_list("附件", "附件名称，按顺序排列，名称后不加标点",
                        text("附件名称", "附件名称", max_length=100), maxItems=20)

IMPRINT = obj("版记", "抄送机关与印发机关、印发日期", {
    "cc": text_list("抄送机关", "抄送机关名称列表", text("抄送机关", "机关名称", max_length=60), maxItems=30),
    "printer": text("印发机关", "如“昌吉市司法局办公室”", max_length=40),
    "print_date": date_field("印发日期", "印发日期，默认同成文日期"),
}, [])

LETTERHEAD = {"type": "string", "title": "版头格式",
              "description": "file：文件格式（标志上边缘距版心上边缘 35 毫米）；letter：信函格式（标志上边缘距页面上边 30 毫米，"
                             "上下各一条红色双线，首页不显示页码）；不填则按文书类型的默认格式",
              "enum": ["file", "letter"]}

COMMON_PROPERTIES: dict[str, Any] = {
    "issuer": ISSUER,
    "doc_number": DOC_NUMBER,
    "issue_date": date_field("成文日期", "成文日期（签发日期）"),
    "signature": SIGNATURE,
    "contact": CONTACT,
    "attachments": ATTACHMENTS,
    "imprint": IMPRINT,
}


def common_context(data: dict[str, Any], seal_mm: float = 42) -> dict[str, Any]:
    """Context keys shared by every type: 标志, 文号, dates, signature, 附件, 附注, 版记."""
    issued = parse_iso_date(data["issue_date"])
    number = data.get("doc_number")
    if number and number["year"] != issued.year:
        raise InvalidData([Issue("/doc_number/year", "year_mismatch", f"文号年份应与成文日期年份（{issued.year}）一致")])
    if number and unicodedata.normalize("NFC", number["organ_code"]) != number["organ_code"]:
        # CJK compatibility ideographs look like ordinary hanzi: two such codes would print the same 文号.
        raise InvalidData([Issue("/doc_number/organ_code", "compatibility_ideograph", "机关代字含有兼容汉字，请改用标准汉字")])
    imprint = data.get("imprint", {})
    return {
        "issuer_name": data["issuer"]["name"],
        "issuer_mark": (mark := data["issuer"].get("mark", data["issuer"]["name"])),
        "mark_size": mark_size(mark),
        "doc_number_text": document_number(number["organ_code"], number["year"], number.get("seq")) if number else None,
        "issue_date": issued,
        "issue_date_text": format_date_cn(issued),
        "we": self_reference(data["issuer"]["name"]),
        "signature": signature_context(data["issuer"]["name"], issued, data.get("signature", {}), seal_mm),
        "attachment_lines": attachment_lines(data.get("attachments", [])),
        "note_text": contact_note(data.get("contact")),
        "imprint": imprint_context(imprint, issued) if imprint else None,
    }


def mark_size(mark: str, widest: float = 36.0) -> float:
    """Point size of the 发文机关标志 so that it stays on one line of the 156 mm text block."""
    line_pt = 156 / 25.4 * 72
    return min(widest, round(line_pt / (text_width(mark) * 1.05 + 0.5), 1))


def self_reference(issuer: str) -> str:
    """How the issuer names itself in the text: 我局, 我委, 我办 …, otherwise 本机关."""
    for suffix in ("局", "委", "办", "厅", "所", "院", "队"):
        if issuer.endswith(suffix):
            return "我" + suffix
    return "本机关"


def attachment_lines(names: list[str]) -> list[str]:
    """附件说明 lines: 附件：1. 名称, continuation lines aligned under the first name."""
    if len(names) == 1:
        return [f"附件：{names[0]}"]
    pad = "\u3000" * 3
    return [f"{'附件：' if n == 1 else pad}{n}. {name}" for n, name in enumerate(names, 1)]


def contact_note(contact: dict[str, str] | None) -> str | None:
    """附注 text: （联系人：张三，联系电话：0994-2345678）."""
    if not contact:
        return None
    return f"（联系人：{contact['name']}，联系电话：{contact['phone']}）"


def imprint_context(imprint: dict[str, Any], issued: date) -> dict[str, Any]:
    """版记 lines: 抄送 and 印发机关 + 印发日期."""
    printed = parse_iso_date(imprint["print_date"]) if "print_date" in imprint else issued
    cc = imprint.get("cc", [])
    return {
        "cc_text": f"抄送：{'，'.join(cc)}。" if cc else None,
        "printer": imprint.get("printer"),
        "print_date_text": f"{format_date_cn(printed)}印发",
    }


IMPRINT_CHARS_PER_LINE = 29  # 4号 on the 156 mm block, one character in from each side
THICK_RULE, THIN_RULE = 8, 6  # eighths of a point: 0.35 mm and 0.25 mm (GB/T 9704 7.4.1)


def imprint_lines(imprint: dict[str, Any], ruled: bool) -> dict[str, Any] | None:
    """The 版记 as printed: its lines with the rules above and below each (文件格式), or 抄送 alone and no
    rules (信函格式, GB/T 9704 10.1); ``rows`` counts the printed lines for the DOCX text box's height."""
    lines: list[dict[str, Any]] = []
    if imprint["cc_text"]:
        lines.append({"left": imprint["cc_text"], "right": None})
    if ruled:
        lines.append({"left": imprint["printer"] or "", "right": imprint["print_date_text"]})
    if not lines:
        return None
    for n, line in enumerate(lines):
        line["top"] = (THICK_RULE if n == 0 else THIN_RULE) if ruled else 0
        line["bottom"] = THICK_RULE if ruled and n == len(lines) - 1 else 0
    rows = sum(max(1, -(-int(text_width(line["left"]) + (10 if line["right"] else 0)) // IMPRINT_CHARS_PER_LINE))
               for line in lines)
    return {**imprint, "lines": lines, "rows": rows, "ruled": ruled}
