"""A generated month of enforcement cases, as the city's platform would export it, with what each row must become.

Minors, secret and private cases, natural persons (ID, phone, home address,
bank account and other persons' names in the facts), units without cases,
duplicate rows and malformed rows, in a fixed random order (seeded).
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from typing import Any

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰德胜海燕春梅永福宏斌新民"
MINORITY = ["买买提·艾力", "阿依古丽·吐尔逊", "艾尔肯·买买提", "古丽米拉·阿不都", "吐尔洪·肉孜"]
DOMAINS = ["市场监督管理", "城市管理综合行政执法", "交通运输", "生态环境", "自然资源", "住房和城乡建设", "农业农村",
           "文化体育广播电视和旅游", "卫生健康", "应急管理", "水利", "商务", "教育", "民政", "人力资源和社会保障",
           "公安", "税务", "林业和草原", "统计", "医疗保障"]
RESTRICTION_LABELS = {"minor": "当事人为未成年人", "state_secret": "涉及国家秘密", "trade_secret": "涉及商业秘密",
                      "privacy": "涉及个人隐私"}
PARTY_LABELS = {"natural_person": "自然人", "legal_person": "法人", "individual_business": "个体工商户"}
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
HEADERS = ["执法单位", "决定书文号", "决定类别", "当事人", "当事人类型", "统一社会信用代码", "法定代表人", "身份证号", "联系电话",
           "住址", "违法事实", "依据", "处罚种类", "内容", "罚没金额", "决定日期", "执法机关", "公示期限", "备注", "其他自然人",
           "限制公开情形"]


def unit_names(count: int) -> list[str]:
    """Distinct, plausible unit names."""
    names = [f"昌吉市{d}局" for d in DOMAINS]
    n = 1
    while len(names) < count:
        names.append(f"昌吉市{DOMAINS[n % len(DOMAINS)]}第{n}执法大队")
        n += 1
    return names[:count]


@dataclass
class Month:
    """The rows (unit + case objects, some broken), and what the batch must make of them."""

    year: int
    month: int
    units: list[str]
    empty_units: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)  # None values stand for broken cells
    expected: dict[int, str] = field(default_factory=dict)  # 1-based data row index → outcome
    secrets: list[str] = field(default_factory=list)  # strings no published file may contain
    withheld_numbers: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        result = {key: 0 for key in ("published", "withheld", "rejected", "duplicate")}
        for outcome in self.expected.values():
            result[outcome] += 1
        return result


def _person(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return rng.choice(MINORITY)
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _rep(rng: random.Random, operator: bool = False) -> str:
    """A legal representative (published as is) or a 个体工商户's operator (a natural person: masked); the two
    never share a name, and neither is a name a natural party of the month carries."""
    given = "甲乙丙丁戊己庚辛壬癸" if operator else "一二三四五六七八九十"
    return rng.choice(SURNAMES) + "".join(rng.choice(given) for _ in range(2))


def _credit(rng: random.Random) -> str:
    return "91" + "652301" + "".join(rng.choice(CREDIT_CHARS) for _ in range(10))


def _case(rng: random.Random, month: Month, unit_index: int, seq: int) -> tuple[dict[str, Any], list[str]]:
    """One valid case and the personal data it carries that must not be published."""
    day = rng.randint(1, 25)
    kind = rng.choices(["natural_person", "legal_person", "individual_business"], [5, 4, 1])[0]
    secrets: list[str] = []
    decision_type = rng.choices(["行政处罚", "行政许可", "行政强制", "行政检查"], [7, 2, 1, 1])[0]
    case: dict[str, Any] = {
        "decision_number": f"昌测{unit_index}罚〔{month.year}〕{seq}号", "decision_type": decision_type,
        "decision_date": f"{month.year}-{month.month:02d}-{day:02d}",
        "basis": "《中华人民共和国食品安全法》第一百二十四条", "penalty_kinds": ["警告", "罚款"],
        "content": f"警告，罚款人民币{rng.randint(1, 90) * 100}.00元", "disclosure_period": "3年",
    }
    if kind == "natural_person":
        name = _person(rng)
        id_number = f"652301{rng.randint(1960, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(1000, 9999)}"
        phone = f"139{rng.randint(10000000, 99999999)}"
        home = f"昌吉市宁边西路{rng.randint(1, 99)}号{rng.randint(1, 9)}栋{rng.randint(101, 999)}室"
        witness = _person(rng)
        while witness == name or witness[0] == name[0]:
            witness = _person(rng)
        bank = f"6222 0212 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)} 123"
        case["party"] = {"type": kind, "name": name, "id_number": id_number, "phone": phone, "address": home}
        case["facts"] = (f"当事人{name}（身份证号{id_number}，家住{home}，电话{phone}）无证经营，证人{witness}证实；"
                         f"其银行账户{bank}已被告知缴款。")
        case["other_persons"] = [witness]
        secrets += [id_number, phone, home, witness, bank, bank.replace(" ", "")]
        if len(name) > 2:
            secrets.append(name)  # the full name: only 张某 / 张某某 / 买某 may be published
    else:
        rep = _rep(rng, operator=kind == "individual_business")
        company = f"昌吉市{rng.choice(['天山', '庭州', '北庭', '三屯河', '亚中'])}{rng.choice(['商贸', '餐饮', '物流'])}有限公司{seq}"
        case["party"] = {"type": kind, "name": company if kind == "legal_person" else f"昌吉市{rep}小吃店",
                         "credit_code": _credit(rng), "legal_representative": rep}
        case["facts"] = "当事人销售超过保质期的食品，货值金额人民币1,280.00元。"
        if kind == "individual_business":
            secrets.append(rep)  # the operator of a 个体工商户 is a natural person
    return case, secrets


def make_month(cases: int = 3000, units: int = 40, empty: int = 4, seed: int = 7, year: int = 2025,
               month: int = 6) -> Month:
    """A month of ``cases`` rows over ``units`` units (``empty`` of them without rows), with the hard cases mixed in."""
    rng = random.Random(seed)
    names = unit_names(units)
    active = names[: units - empty]
    result = Month(year, month, names, names[units - empty:])
    seqs = {name: 0 for name in active}
    kept: list[dict[str, Any]] = []
    while len(result.rows) < cases:
        roll = rng.random()
        if roll < 0.02 and kept:  # an identical repeat of an accepted row
            result.rows.append(dict(rng.choice(kept)))
            result.expected[len(result.rows)] = "duplicate"
            continue
        unit_index = rng.randrange(len(active))
        unit = active[unit_index]
        seqs[unit] += 1
        case, secrets = _case(rng, result, unit_index, seqs[unit])
        row = {"unit": unit, **case}
        if roll < 0.045:
            _break(rng, row)
            result.rows.append(row)
            result.expected[len(result.rows)] = "rejected"
            continue
        restriction = rng.random()
        if restriction < 0.07:
            reason = rng.choice(list(RESTRICTION_LABELS))
            row["restrictions"] = [reason]
            result.withheld_numbers.append(case["decision_number"])
            secrets.append(case["decision_number"])
            result.expected[len(result.rows) + 1] = "withheld"
        else:
            result.expected[len(result.rows) + 1] = "published"
        result.secrets += secrets
        result.rows.append(row)
        kept.append(row)
    return result


def _break(rng: random.Random, row: dict[str, Any]) -> None:
    """Make a row invalid in one of the ways real exports are."""
    how = rng.choice(["date", "party_type", "no_party", "amount", "credit", "month"])
    if how == "date":
        row["decision_date"] = "2025-13-40"
    elif how == "party_type":
        row["party"] = {**row["party"], "type": "alien"}
    elif how == "no_party":
        row["party"] = {**row["party"], "name": ""}
    elif how == "amount":
        row["amount"] = "-5"
    elif how == "credit":
        row["party"] = {"type": "legal_person", "name": "昌吉市某某有限公司", "credit_code": "123"}
    else:
        row["decision_date"] = "2025-01-15"


def to_table(month: Month) -> list[list[str]]:
    """The rows as the platform's spreadsheet: Chinese headers, Chinese labels, lists joined with 、."""
    table = [HEADERS]
    for row in month.rows:
        party = row["party"]
        table.append([
            row["unit"], row["decision_number"], row["decision_type"], party.get("name", ""),
            PARTY_LABELS.get(party["type"], party["type"]), party.get("credit_code", ""),
            party.get("legal_representative", ""), party.get("id_number", ""), party.get("phone", ""),
            party.get("address", ""), row["facts"], row.get("basis", ""), "、".join(row.get("penalty_kinds", [])),
            row.get("content", ""), row.get("amount", ""), row["decision_date"], row.get("authority", ""),
            row.get("disclosure_period", ""), row.get("remark", ""), "、".join(row.get("other_persons", [])),
            "、".join(RESTRICTION_LABELS[r] for r in row.get("restrictions", [])),
        ])
    return table


def write_xlsx(month: Month, path: Any) -> None:
    from openpyxl import Workbook
    book = Workbook(write_only=True)
    sheet = book.create_sheet("案件")
    for line in to_table(month):
        sheet.append(line)
    book.save(path)


def csv_bytes(month: Month, encoding: str = "gbk") -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(to_table(month))
    return text.getvalue().encode(encoding)


def jsonl_bytes(month: Month) -> bytes:
    import json
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in month.rows).encode("utf-8")
