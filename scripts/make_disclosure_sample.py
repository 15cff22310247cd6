"""Write samples/disclosure-long.json: a 200-case month (deterministic), for tests and the benchmark."""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "samples" / "disclosure-long.json"
SURNAMES = ["张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "欧阳", "司马", "马", "韩"]
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "涛", "明", "超", "秀英"]
UYGHUR = ["买买提·艾力", "阿依古丽·吐尔逊", "艾尔肯·努尔", "古丽娜尔·买买提", "热合曼·阿不都"]
FACTS = ["销售超过保质期的食品", "未按规定公示营业执照", "使用未经检定的计量器具", "销售标签不符合规定的预包装食品",
         "未取得许可从事食品经营活动", "发布虚假广告", "未按规定建立进货查验记录"]
KINDS = [["警告"], ["罚款"], ["没收违法所得", "罚款"], ["警告", "罚款"]]


def make_case(n: int, rng: random.Random) -> dict:
    day = 1 + n % 28
    number = f"昌市监罚〔2026〕{n + 1}号"
    kind = KINDS[n % len(KINDS)]
    amount = None if kind == ["警告"] else f"{rng.randint(1, 500) * 100}.00"
    if n % 3 == 0:
        party = {"type": "legal_person", "name": f"昌吉市第{n + 1}商贸有限公司", "credit_code": f"9165230{n:03d}MA7XK2Q3T"[:18],
                 "legal_representative": rng.choice(SURNAMES) + rng.choice(GIVEN)}
        facts = f"当事人{rng.choice(FACTS)}，货值金额人民币{rng.randint(100, 9000)}.00元。"
    else:
        name = rng.choice(UYGHUR) if n % 5 == 1 else rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", "华"])
        party = {"type": "natural_person", "name": name, "id_number": f"65230119{80 + n % 20}0{1 + n % 9}1{n % 10}231{n % 10}",
                 "phone": f"139{rng.randint(10000000, 99999999)}"}
        facts = (f"当事人{name}（联系电话{party['phone']}，家住昌吉市宁边西路{n}号）{rng.choice(FACTS)}，"
                 f"经营场所位于昌吉市北京南路{n + 2}号。")
    case = {"decision_number": number, "decision_type": "行政处罚", "party": party, "facts": facts,
            "basis": "《中华人民共和国食品安全法》第一百二十四条", "penalty_kinds": kind,
            "content": "警告" if amount is None else f"罚款人民币{amount}元", "decision_date": f"2026-03-{day:02d}"}
    if amount:
        case["amount"] = amount
    if n % 40 == 7:
        case["restrictions"] = ["privacy"]
    return case


def main() -> None:
    rng = random.Random(20260301)
    cases = [make_case(n, rng) for n in range(205)]
    data = {"issuer": {"name": "昌吉市市场监督管理局"}, "issue_date": "2026-03-30", "period": {"year": 2026, "month": 3},
            "cases": cases}
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(OUT, sum(1 for c in cases if not c.get("restrictions")), "public cases")


if __name__ == "__main__":
    main()
