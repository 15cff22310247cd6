"""Personal-data masking for public notices: names, ID numbers, phones, bank accounts, home addresses.

The rules (domain.md, 行政执法公示): a natural-person party keeps the surname and
the given name becomes 某 (张某, 欧阳某; transliterated names keep their first
character: 买某); ID-card numbers, phone numbers, bank accounts and natural
persons' home addresses are removed from every field, free text included.
Nothing here trusts the input to be clean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

REMOVED = "＊＊＊"
ADDRESS_REMOVED = "住址已隐去"

# Two-character surnames (复姓) in current use; a name starting with one keeps both characters.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 独孤 南宫 万俟 闻人 轩辕 "
    "澹台 西门 呼延 申屠 太史 公冶 宗政 濮阳 淳于 单于 仲孙 钟离 赫连 左丘 东郭 百里 拓跋 夹谷 第五 公羊 "
    "谷梁 梁丘 段干 司空 司寇 巫马 乐正 壤驷 漆雕 亓官 鲜于 闾丘".split()
)
TRANSLITERATION_DOTS = "·•‧・･"

# 18-digit resident ID (GB 11643) and the old 15-digit form; not glued to other letters or digits.
_ID_CARD = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9A-Za-z])"
    r"|(?<![0-9A-Za-z])[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9A-Za-z])"
)
# Mobile numbers, optionally +86 and grouped 3-4-4 by spaces or hyphens.
_MOBILE = re.compile(r"(?<!\d)(?:(?:\+|００)?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)")
# Landlines with an area code: 0994-2345678, (0994)2345678, 0994 2345678, 09942345678, with an extension.
_LANDLINE = re.compile(r"(?<!\d)(?:[（(]0\d{2,3}[）)]\s?|0\d{2,3}[\s-]?)\d{7,8}(?:(?:转|-|ext\.?)\d{1,6})?(?!\d)")
# Bank card / account numbers: 12–30 digits, optionally grouped by spaces or hyphens.
_BANK = re.compile(r"(?<![0-9A-Za-z])\d{4}(?:[\s-]?\d{2,4}){2,6}(?![0-9A-Za-z])")
# Numbers introduced by a telling keyword, whatever their shape.
_KEYWORD_NUMBER = re.compile(
    r"((?:身份证(?:号码|号)?|公民身份号码|证件号码|电话|手机(?:号码|号)?|联系方式|联系电话|座机|"
    r"(?:银行)?(?:卡号|账号|帐号|账户|帐户)|开户行账号)\s*[：:为是]?\s*)[0-9Xx][0-9Xx\s-]{5,}[0-9Xx]"
)
# A home address introduced by a keyword, up to the next punctuation mark.
_ADDRESS = re.compile(
    r"(?:家庭住址|家庭地址|现住址|现住|住址|住所地|住所|户籍地址|户籍所在地|户籍地|居住地址|居住地|暂住地|"
    r"家住|住在|居住在|住于)\s*[：:为是在于]?\s*[^，。；;,、）)\n]{2,60}"
)


@dataclass(frozen=True)
class MaskingRules:
    """How a unit masks party names (the rule differs by sector, so it is configurable)."""

    given_name: str = "某"  # 张某 (or 某某: 张某某)
    transliterated: str = "first_char"  # 买某; or "first_part": 买买提某


def is_transliterated(name: str) -> bool:
    """Names written with a separating dot are transliterations (买买提·艾力)."""
    return any(dot in name for dot in TRANSLITERATION_DOTS)


def mask_person_name(name: str, rules: MaskingRules = MaskingRules()) -> str:
    """张三 → 张某, 欧阳修 → 欧阳某, 买买提·艾力 → 买某 (or 买买提某)."""
    name = name.strip()
    if not name:
        return name
    if is_transliterated(name):
        first = re.split(f"[{TRANSLITERATION_DOTS}]", name)[0]
        keep = first if rules.transliterated == "first_part" else first[:1]
        return keep + rules.given_name
    surname = name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[:1]
    return surname + rules.given_name


def scrub_numbers(text: str) -> str:
    """Remove ID-card, phone and bank-account numbers from free text."""
    text = _KEYWORD_NUMBER.sub(lambda m: m.group(1) + REMOVED, text)
    for pattern in (_ID_CARD, _MOBILE, _LANDLINE):
        text = pattern.sub(REMOVED, text)
    return _BANK.sub(_bank_replacement, text)


def _bank_replacement(match: re.Match[str]) -> str:
    digits = sum(c.isdigit() for c in match.group(0))
    return REMOVED if 12 <= digits <= 30 else match.group(0)


def scrub_addresses(text: str) -> str:
    """Remove home addresses introduced by 住址, 家住, 户籍地 … (business premises stay)."""
    return _ADDRESS.sub(ADDRESS_REMOVED, text)


def replace_names(text: str, names: dict[str, str]) -> str:
    """Replace each full name by its masked form, longest first (欧阳修 before 欧阳)."""
    for full in sorted(names, key=len, reverse=True):
        if full:
            text = text.replace(full, names[full])
            for variant in _dot_variants(full):
                text = text.replace(variant, names[full])
    return text


def _dot_variants(name: str) -> list[str]:
    """The same transliterated name written with another dot, or with none."""
    if not is_transliterated(name):
        return []
    parts = re.split(f"[{TRANSLITERATION_DOTS}]", name)
    return [dot.join(parts) for dot in TRANSLITERATION_DOTS + ""] + ["".join(parts)]


def scrub(text: str, names: dict[str, str]) -> str:
    """All free-text rules at once: names, then numbers, then home addresses."""
    return scrub_addresses(scrub_numbers(replace_names(text, names)))
