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

# Digits as clerks type them: ASCII or full-width (１３８…); a separator is one space, dot, hyphen or dash.
D = "[0-9０-９]"
SEP = "[ \u3000.．\\-－—_/]"
NOT_GLUED = "(?<![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])"
NOT_GLUED_AFTER = "(?![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])"
# 18-digit resident ID (GB 11643) and the old 15-digit form, digits possibly grouped.
_ID_CARD = re.compile(
    NOT_GLUED + f"{D}(?:{SEP}?{D}){{16}}{SEP}?[0-9XxＸｘ]" + NOT_GLUED_AFTER
    + "|" + NOT_GLUED + f"{D}(?:{SEP}?{D}){{14}}" + NOT_GLUED_AFTER
)
# Mobile numbers, optionally +86, in any grouping: 13899912345, 138-9991-2345, 138.9991.2345, １３８ ９９９１ ２３４５.
_MOBILE = re.compile(f"(?<![0-9０-９])(?:(?:[+＋]|00|００)?[8８][6６]{SEP}?)?[1１]{SEP}?[3-9３-９](?:{SEP}?{D}){{9}}(?![0-9０-９])")
# Landlines with an area code: 0994-2345678, (0994)2345678, 0994 2345678, 09942345678, with an extension.
_LANDLINE = re.compile(
    f"(?<![0-9０-９])(?:[（(][0０]{D}{{2,3}}[）)]\\s?|[0０]{D}{{2,3}}{SEP}?){D}{{3,4}}{SEP}?{D}{{3,4}}"
    f"(?:(?:转|-|ext\\.?){D}{{1,6}})?(?![0-9０-９])"
)
# Any other long run of digits (bank cards, accounts, oddly grouped IDs): 11 or more digits, single separators between.
_LONG_NUMBER = re.compile(NOT_GLUED + f"{D}(?:{SEP}?{D}){{10,40}}" + NOT_GLUED_AFTER + "(?![元万亿])")
# Dates written one after another (2024.06.05 2024.07.08) are not an account number.
_DATES = re.compile(r"(?:(?:19|20)\d{2}[.\-/](?:0?[1-9]|1[0-2])[.\-/](?:0?[1-9]|[12]\d|3[01])[ .\-/]?)+")
# E-mail addresses, full-width @ included.
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+\s?[@＠]\s?[A-Za-z0-9\-]+(?:[.．][A-Za-z0-9\-]+)+")
# Numbers and handles introduced by a telling keyword, whatever their shape.
_KEYWORD_NUMBER = re.compile(
    r"((?:身份证(?:号码|号)?|公民身份号码|证件号码|电话|手机(?:号码|号)?|联系方式|联系电话|座机|"
    r"(?:银行)?(?:卡号|账号|帐号|账户|帐户)|开户行账号|微信号?|QQ号?|邮箱|电子邮箱|电子邮件|E-?mail)\s*[：:为是]?\s*)"
    r"[0-9Xx０-９Ａ-Ｚａ-ｚA-Za-z@＠._\-][0-9Xx０-９Ａ-Ｚａ-ｚA-Za-z@＠._\s\-]{4,}[0-9Xx０-９Ａ-Ｚａ-ｚA-Za-z]",
    re.IGNORECASE,
)
# A home address introduced by a keyword, up to the next punctuation mark.
_ADDRESS = re.compile(
    r"(?:家庭住址|家庭地址|现住址|现住|住址|住所地|住所|户籍地址|户籍所在地|户籍地|居住地址|居住地|暂住地|"
    r"家住|住在|居住在|住于)\s*[：:为是在于]?\s*[^，。；;,、）)\n]{2,60}"
)
# What a name of someone other than the party becomes: no surname, no length, no trace.
OTHER_PERSON = "他人"
_NAME_GAP = f"[\\s\u3000{TRANSLITERATION_DOTS}]{{0,2}}"
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９．－", "0123456789.-")


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
    """Remove ID-card, phone and account numbers and e-mail addresses from free text."""
    text = _KEYWORD_NUMBER.sub(lambda m: m.group(1) + REMOVED, text)
    text = _EMAIL.sub(REMOVED, text)
    for pattern in (_ID_CARD, _MOBILE, _LANDLINE):
        text = pattern.sub(REMOVED, text)
    return _LONG_NUMBER.sub(_long_number_replacement, text)


def _long_number_replacement(match: re.Match[str]) -> str:
    found = match.group(0)
    return found if _DATES.fullmatch(found.translate(_FULL_WIDTH_DIGITS).strip()) else REMOVED


def scrub_addresses(text: str) -> str:
    """Remove home addresses introduced by 住址, 家住, 户籍地 … (business premises stay)."""
    return _ADDRESS.sub(ADDRESS_REMOVED, text)


def replace_names(text: str, names: dict[str, str]) -> str:
    """Replace each name by its masked form, longest first (欧阳修 before 欧阳), however it is spaced or dotted."""
    for full in sorted(names, key=lambda name: len(_name_characters(name)), reverse=True):
        pattern = name_pattern(full)
        if pattern is not None:
            text = pattern.sub(lambda _match, masked=names[full]: masked, text)
    return text


def _name_characters(name: str) -> list[str]:
    return [char for char in name if not char.isspace() and char not in TRANSLITERATION_DOTS]


def name_pattern(name: str) -> re.Pattern[str] | None:
    """张伟强 also as 张 伟强 or 张　伟 强; 买买提·艾力 with any dot or none."""
    chars = _name_characters(name)
    return re.compile(_NAME_GAP.join(map(re.escape, chars))) if chars else None


def mask_other_person(name: str) -> str:
    """A natural person other than the party leaves no trace in a public notice."""
    return OTHER_PERSON


def scrub(text: str, names: dict[str, str]) -> str:
    """All free-text rules at once: names, then numbers, then home addresses."""
    return scrub_addresses(scrub_numbers(replace_names(text, names)))
