"""The columns a monthly case export may have, how their cells become a disclosure case, and the blank template."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, BinaryIO, Callable

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from docgen.doctypes.common import text
from docgen.doctypes.disclosure import CASE, DECISION_TYPES, PARTY_TYPES, RESTRICTIONS

UNIT_SCHEMA = text("执法单位", "作出决定的执法单位全称（公示的署名机关）", max_length=40)


@dataclass(frozen=True)
class SourceColumn:
    """One accepted column: the case field it fills, its canonical header and the aliases real exports use."""

    key: str  # "unit", a case field, or "party.<field>"
    header: str
    aliases: tuple[str, ...]
    description: str
    required: bool = False
    kind: str = "text"  # text | code | decision_type | party_type | list | restrictions | amount | date
    example: str = ""
    width: int = 16  # template column width, in Excel character units


C = SourceColumn
SOURCE_COLUMNS: tuple[SourceColumn, ...] = (
    C("unit", "执法单位", ("单位", "公示单位", "决定单位", "执法主体", "执法单位名称"),
      "作出决定的执法单位全称，每个单位生成一份公示", True, example="昌吉市市场监督管理局", width=24),
    C("decision_number", "决定书文号", ("文号", "处罚决定书文号", "行政处罚决定书文号", "决定文书号", "决定书编号"),
      "行政执法决定书文号", True, example="昌市监罚〔2025〕12号", width=22),
    C("decision_type", "决定类别", ("行政行为类别", "决定类型", "案件类别"),
      "行政执法决定的类别", True, "decision_type", "行政处罚", 12),
    C("party.name", "当事人", ("当事人名称", "行政相对人名称", "相对人名称", "当事人姓名"),
      "法人、组织名称或自然人姓名（自然人姓名公示时脱敏）", True, example="昌吉市某某商贸有限公司", width=24),
    C("party.type", "当事人类型", ("相对人类别", "行政相对人类别", "当事人类别"),
      "当事人的类型，决定公示时如何脱敏", True, "party_type", "法人", 12),
    C("party.credit_code", "统一社会信用代码", ("信用代码", "统一社会信用代码（身份证号除外）",
                                        "行政相对人代码_1（统一社会信用代码）", "社会信用代码"),
      "法人、组织或个体工商户的 18 位代码", kind="code", example="91652301MA78ABCD1X", width=22),
    C("party.legal_representative", "法定代表人", ("法定代表人（负责人）", "负责人", "法定代表人姓名"),
      "法人或组织的法定代表人（负责人）；个体工商户填经营者", example="王某某"),
    C("party.id_number", "身份证号", ("证件号码", "身份证号码", "证件号"), "仅供核对，不予公示", kind="code", width=22),
    C("party.phone", "联系电话", ("电话", "联系方式"), "仅供核对，不予公示", kind="code", width=14),
    C("party.address", "住址", ("地址", "住所", "经营场所"), "自然人住址不予公示；法人经营场所可以公示", width=30),
    C("facts", "违法事实", ("主要违法事实", "违法行为", "事实"), "主要违法事实（公示时去除其中的个人信息）", True,
      example="未按规定明码标价", width=40),
    C("basis", "依据", ("处罚依据", "执法依据", "法律依据"), "适用的法律条款",
      example="《明码标价和禁止价格欺诈规定》第二十一条", width=30),
    C("penalty_kinds", "处罚种类", ("处罚类别", "处罚种类名称"), "处罚或决定的种类，可填多项", kind="list",
      example="警告、罚款"),
    C("content", "内容", ("处罚内容", "决定内容", "处罚结果"), "具体处罚（决定）内容", example="罚款人民币5000元", width=30),
    C("amount", "罚没金额", ("罚款金额", "罚没款金额", "罚没金额（元）", "金额（元）"), "罚没金额，单位元",
      kind="amount", example="5000.00", width=12),
    C("decision_date", "决定日期", ("作出决定日期", "处罚决定日期", "决定时间", "处罚日期"), "行政执法决定的作出日期",
      True, "date", "2025-06-05", 12),
    C("authority", "执法机关", ("处罚机关", "决定机关", "作出决定机关"), "默认为执法单位", example="昌吉市市场监督管理局",
      width=20),
    C("disclosure_period", "公示期限", ("公示截止期", "公示期"), "如“公示期 6 个月”", example="公示期 6 个月", width=14),
    C("remark", "备注", ("备注说明",), "其他说明（公示时去除其中的个人信息）", width=20),
    C("other_persons", "其他自然人", ("涉及的其他自然人", "其他人员"), "文中出现的当事人以外的自然人姓名，公示时一律隐去",
      kind="list", example="李某某、赵某"),
    C("restrictions", "限制公开情形", ("不予公开情形", "不公开理由", "限制公开原因"), "有任一情形的案件不予公示",
      kind="restrictions", example="无", width=18),
)
del C
COLUMN_BY_KEY = {column.key: column for column in SOURCE_COLUMNS}


class CellError(ValueError):
    """A cell whose value cannot become its field: a stable code and a Chinese message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _folded(value: str) -> str:
    """NFKC, no whitespace, Latin letters in lower case: how names and enum values are compared."""
    return "".join(unicodedata.normalize("NFKC", value).split()).casefold()


_HEADER_TAIL = re.compile(r"(?:\(元\)|\*)+$")


def normalize_header(value: object) -> str:
    """A header as compared: NFKC, no whitespace, lower case, no trailing (元) or required-mark *."""
    return _HEADER_TAIL.sub("", _folded(str(value))).lstrip("*")


# The field keys (party.name …) are accepted too, for exports made by programs.
_BY_HEADER = {normalize_header(name): column
              for column in SOURCE_COLUMNS for name in (column.header, *column.aliases, column.key)}


def match_header(value: object) -> SourceColumn | None:
    """The column a header cell names, or None."""
    return _BY_HEADER.get(normalize_header(value)) if value is not None else None


def cell_text(value: object) -> str:
    """A cell as text: a number Excel stored for digits becomes those digits (no .0, no exponent), a date ISO."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        number = Decimal(str(value))
        if not number.is_finite():
            return str(value)
        return str(int(number)) if number == number.to_integral_value() else format(number, "f")
    return str(value).strip()


def _text(column: SourceColumn, value: object) -> str | None:
    return cell_text(value) or None


_SCIENTIFIC = re.compile(r"[0-9](?:\.[0-9]+)?[eE]\+?[0-9]+")
_UPPER_CODES = frozenset({"party.credit_code", "party.id_number"})


def _code(column: SourceColumn, value: object) -> str | None:
    """Codes and numbers (信用代码, 身份证号, 电话): Excel keeps only 15 digits of a number, so longer ones are lost."""
    long_number = isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= 10**15
    if long_number or _SCIENTIFIC.fullmatch(cell_text(value)):
        raise CellError("number_precision", f"“{column.header}”被 Excel 存成了数字，超过 15 位的部分已丢失；"
                                            "请把该列设为文本格式后重新填写")
    if column.key in _UPPER_CODES:  # 信用代码 and 身份证号 are written in capitals: 91…X, 11…X
        return "".join(unicodedata.normalize("NFKC", cell_text(value)).split()).upper() or None
    return cell_text(value) or None


def _enum(names: dict[str, str], accepted: str) -> Callable[[SourceColumn, object], str]:
    """A converter that accepts the names in ``names`` (compared folded)."""
    def convert(column: SourceColumn, value: object) -> str:
        found = names.get(_folded(cell_text(value)))
        if found is None:
            raise CellError("invalid_value", f"“{column.header}”的值“{cell_text(value)[:30]}”无法识别，应为{accepted}")
        return found
    return convert


def _folded_names(pairs: dict[str, str]) -> dict[str, str]:
    return {_folded(name): value for name, value in pairs.items()}


PARTY_TYPE_NAMES = _folded_names({**{code: code for code in PARTY_TYPES}, **{v: k for k, v in PARTY_TYPES.items()},
                                  "其他组织": "other_org", "法人及非法人组织": "legal_person",
                                  "个人": "natural_person", "公民": "natural_person"})
DECISION_TYPE_NAMES = _folded_names({**{t: t for t in DECISION_TYPES},
                                     **{t.removeprefix("行政"): t for t in DECISION_TYPES if t.startswith("行政")}})
RESTRICTION_NAMES = _folded_names({**{code: code for code in RESTRICTIONS}, **{v: k for k, v in RESTRICTIONS.items()},
                                   "未成年人": "minor", "未成年": "minor", "国家秘密": "state_secret",
                                   "商业秘密": "trade_secret", "个人隐私": "privacy", "隐私": "privacy",
                                   "危及安全": "security", "安全": "security"})
NO_RESTRICTION = frozenset({"无", "否", "没有", "不涉及", "none"})
_SEPARATORS = re.compile(r"[、，,;；/／\r\n]+")


def _list(column: SourceColumn, value: object) -> list[str] | None:
    items = [item.strip() for item in _SEPARATORS.split(cell_text(value))]
    return [item for item in items if item] or None


def _restrictions(column: SourceColumn, value: object) -> list[str] | None:
    folded = _folded(cell_text(value))
    for name, code in RESTRICTION_NAMES.items():  # a full label may itself contain a 、
        if _SEPARATORS.search(name):
            folded = folded.replace(name, code)
    codes: list[str] = []
    for item in filter(None, _SEPARATORS.split(folded)):
        if item in NO_RESTRICTION:
            continue
        code = RESTRICTION_NAMES.get(item)
        if code is None:
            raise CellError("invalid_value", f"“{column.header}”中的“{item[:30]}”无法识别，应为"
                                             f"{'、'.join(RESTRICTIONS.values())}之一，或“无”")
        if code not in codes:
            codes.append(code)
    return codes or None


_AMOUNT = re.compile(r"(?:人民币)?¥?(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?P<frac>\.[0-9]+)?(?P<wan>万)?元?")
CENT = Decimal("0.01")


def _amount(column: SourceColumn, value: object) -> str:
    """Exact yuan with two decimals: 5000, 5,000.00, 5000元, ￥5000, 3.27万元 (never float arithmetic)."""
    wrong = f"“{column.header}”应为不小于 0 的金额，最多两位小数，如 5000 或 5000.00"
    if isinstance(value, bool):
        raise CellError("invalid_amount", wrong)
    if isinstance(value, (int, float)):
        amount = Decimal(str(value))
    else:
        match = _AMOUNT.fullmatch("".join(unicodedata.normalize("NFKC", str(value)).split()))
        if match is None:
            raise CellError("invalid_amount", wrong)
        amount = Decimal(match["int"].replace(",", "") + (match["frac"] or ""))
        amount *= 10000 if match["wan"] else 1
    if not amount.is_finite() or amount < 0 or amount.adjusted() > 14:
        raise CellError("invalid_amount", wrong)
    cents = amount.quantize(CENT)
    # A number cell may carry binary noise (0.1 + 0.2 = 0.30000000000000004) that Excel shows as 0.30.
    if cents != amount and not (isinstance(value, float) and abs(cents - amount) < Decimal("1e-6")):
        raise CellError("invalid_amount", wrong)
    return f"{cents + 0:f}"  # + 0 turns -0.00 into 0.00


_DATES = (
    re.compile(r"(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})"
               r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"),
    re.compile(r"(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})日"),
    re.compile(r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})"),
)
EXCEL_SERIALS = (36526, 73050)  # 2000-01-01 … 2099-12-31 as Excel day numbers (1900 date system)


def _date(column: SourceColumn, value: object) -> str:
    """YYYY-MM-DD from a date cell, an Excel day number or the ways people write dates."""
    if isinstance(value, (datetime, date)):
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if number and EXCEL_SERIALS[0] <= value <= EXCEL_SERIALS[1]:  # type: ignore[operator]
        return from_excel(value).date().isoformat()
    written = unicodedata.normalize("NFKC", cell_text(value)).strip()
    for pattern in _DATES:
        match = pattern.fullmatch(written)
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"])).isoformat()
            except ValueError:
                raise CellError("invalid_date", f"“{column.header}”中的日期“{written[:20]}”不存在") from None
    raise CellError("invalid_date", f"“{column.header}”的值“{written[:30]}”不是可识别的日期，"
                                    "应如 2025-06-05、2025/6/5、2025年6月5日 或 20250605")


_CONVERTERS: dict[str, Callable[[SourceColumn, object], Any]] = {
    "text": _text, "code": _code, "list": _list, "restrictions": _restrictions, "amount": _amount, "date": _date,
    "decision_type": _enum(DECISION_TYPE_NAMES, "、".join(DECISION_TYPES) + "之一"),
    "party_type": _enum(PARTY_TYPE_NAMES, "自然人、法人、非法人组织、个体工商户之一"),
}


def convert_cell(column: SourceColumn, value: object) -> Any:
    """The schema value of one non-empty cell; None when it says nothing (“无”); CellError when it is wrong."""
    return _CONVERTERS[column.kind](column, value)


_ACCEPTED = {
    "decision_type": "、".join(DECISION_TYPES) + "（“行政”二字可省略）",
    "party_type": "自然人、法人、非法人组织（其他组织）、个体工商户，或代码 " + "、".join(PARTY_TYPES),
    "list": "可填多项，用顿号、逗号、分号、斜杠或换行分隔",
    "restrictions": ("、".join(RESTRICTIONS.values()) + "；或简称 未成年人、国家秘密、商业秘密、个人隐私、危及安全；"
                     "多项分隔同上；“无”或留空表示没有"),
    "amount": "数字，最多两位小数；可带千分位、“元”“￥”或“万元”，如 5000、5,000.00、5000元",
    "date": "Excel 日期，或 2025-06-05、2025/6/5、2025.6.5、2025年6月5日、20250605",
    "code": "文本（请把该列设为文本格式，以免 Excel 把长数字改成科学计数法）",
}


def field_schema(key: str) -> dict[str, Any]:
    """The JSON Schema of the field a column fills."""
    if key == "unit":
        return UNIT_SCHEMA
    node: dict[str, Any] = CASE
    for part in key.split("."):
        node = node["properties"][part]
    return node


def header_documentation() -> list[dict[str, Any]]:
    """Every column as data (header, aliases, required, accepted values, example), for the template and the docs."""
    docs = []
    for column in SOURCE_COLUMNS:
        limit = field_schema(column.key).get("maxLength")
        accepted = _ACCEPTED.get(column.kind) or (f"文本，最多 {limit} 字" if limit else "文本")
        docs.append({"key": column.key, "header": column.header, "aliases": list(column.aliases),
                     "required": column.required, "description": column.description, "accepted": accepted,
                     "example": column.example})
    return docs


TEMPLATE_ROWS = 5000  # rows the template's drop-down lists and formats cover
_FORMATS = {"code": "@", "date": "yyyy-mm-dd", "amount": "0.00"}


def write_template(stream: BinaryIO) -> None:
    """A blank XLSX: sheet 案件 with the canonical headers (required ones bold, with a note), sheet 说明."""
    book = Workbook()
    sheet = book.active
    sheet.title = "案件"
    sheet.append([column.header for column in SOURCE_COLUMNS])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(SOURCE_COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.kind in _FORMATS:
            sheet.column_dimensions[letter].number_format = _FORMATS[column.kind]
        cell = sheet.cell(row=1, column=index)
        if column.required:
            cell.font = Font(bold=True, color="C00000")
            cell.comment = Comment(f"必填：{column.description}", "docgen")
        if column.kind in ("decision_type", "party_type"):
            options = DECISION_TYPES if column.kind == "decision_type" else list(PARTY_TYPES.values())
            validation = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.add_data_validation(validation)
    _write_notes(book.create_sheet("说明"))
    book.save(stream)


def _write_notes(sheet: Any) -> None:
    """The 说明 sheet: one row per column."""
    sheet.append(["列名", "可用别名", "必填", "说明", "可填写的值", "示例"])
    for doc in header_documentation():
        sheet.append([doc["header"], "、".join(doc["aliases"]), "是" if doc["required"] else "否",
                      doc["description"], doc["accepted"], doc["example"]])
    for letter, width in zip("ABCDEF", (16, 36, 6, 36, 48, 24)):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
