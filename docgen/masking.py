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

from docgen.lazy_pattern import lazy_compile

REMOVED = "＊＊＊"
ADDRESS_REMOVED = "住址已隐去"

# Two-character surnames (复姓) in current use; a name starting with one keeps both characters.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 独孤 南宫 万俟 闻人 轩辕 "
    "澹台 西门 呼延 申屠 太史 公冶 宗政 濮阳 淳于 单于 仲孙 钟离 赫连 左丘 东郭 百里 拓跋 夹谷 第五 公羊 "
    "谷梁 梁丘 段干 司空 司寇 巫马 乐正 壤驷 漆雕 亓官 鲜于 闾丘".split()
)
TRANSLITERATION_DOTS = "·•‧・･"

# Digits as clerks type them: ASCII or full-width (１３８…); between two digits up to two separators
# (space, dot, hyphen, dash, slash), so 138 9991 2345, 138.9991.2345 and １３８－９９９１－２３４５ are one number.
D = "[0-9０-９]"
SEP = "[ \u3000.．\\-－—_/]"
LETTER = "A-Za-zＡ-Ｚａ-ｚ"
# Numbers that are never personal data are shielded first, so a number beside them cannot swallow them:
# amounts (…元), dates (2024-06-05, 2024年6月5日), times (10:30), decimals with one point (87.6177).
_SHIELDED = lazy_compile("|".join((
    f"(?<![0-9０-９.．]){D}{{1,12}}(?:[.．]{D}{{1,2}})?\\s?(?:万元|亿元|元)",
    f"(?<![0-9０-９]){D}{{1,3}}(?:[,，]{D}{{3}})+(?:[.．]{D}{{1,2}})?\\s?(?:万元|亿元|元)?",
    f"(?<![0-9０-９])(?:19|20|１９|２０){D}{{2}}[.．\\-－/年]{D}{{1,2}}[.．\\-－/月]{D}{{1,2}}日?(?![0-9０-９])",
    f"(?<![0-9０-９]){D}{{1,2}}[:：]{D}{{2}}(?:[:：]{D}{{2}})?(?![0-9０-９])",
    f"(?<![0-9０-９.．]){D}{{1,9}}[.．]{D}{{1,6}}(?![0-9０-９.．])",
)))
# A run of digits, as long as it goes (never starting inside a longer run or right after letters, as in JY165…):
# an optional +86, the digits with their separators, an ID card's final X, a landline's extension.
_DIGIT_RUN = lazy_compile(
    f"(?<![0-9０-９{LETTER}])(?:(?:[+＋]|00|００)[8８][6６]{SEP}{{0,2}})?"
    f"(?P<number>{D}(?:{SEP}{{0,2}}{D})*(?:{SEP}{{0,2}}[XxＸｘ])?)(?:转{D}{{1,6}})?(?![0-9０-９])"
)
# Landlines written with the area code in brackets: (0994)2345678, （0994）234-5678.
_BRACKETED_LANDLINE = lazy_compile(f"[（(][0０]{D}{{2,3}}[）)]\\s?{D}(?:{SEP}?{D}){{5,8}}(?:转{D}{{1,6}})?")
# E-mail addresses, full-width letters, ＠ and ． included.
_EMAIL = lazy_compile(f"[0-9０-９{LETTER}._%+\\-．]+\\s?[@＠]\\s?[0-9０-９{LETTER}\\-]+(?:[.．][0-9０-９{LETTER}\\-]+)+")
# Numbers and handles introduced by a telling keyword, whatever their shape.
_KEYWORD_NUMBER = lazy_compile(
    r"((?:身份证(?:号码|号)?|公民身份号码|证件号码|电话|手机(?:号码|号)?|联系方式|联系电话|座机|"
    r"(?:银行)?(?:卡号|账号|帐号|账户|帐户)|开户行账号|微信号?|QQ号?|邮箱|电子邮箱|电子邮件|E-?mail)\s*[：:为是]?\s*)"
    r"[0-9Xx０-９Ａ-Ｚａ-ｚA-Za-z@＠._\-][0-9Xx０-９Ａ-Ｚａ-ｚA-Za-z@＠._\s\-]{4,}[0-9Xx０-９Ａ-Ｚａ-ｚA-Za-z]",
    re.IGNORECASE,
)
SHIELD_BASE = 0xF0000  # supplementary private use: no bundled font draws it, so validation keeps it out of data
# A home address introduced by a keyword, up to the next punctuation mark.
_ADDRESS = lazy_compile(
    r"(?:家庭住址|家庭地址|现住址|现住|住址|住所地|住所|户籍地址|户籍所在地|户籍地|居住地址|居住地|暂住地|"
    r"家住|住在|居住在|住于)\s*[：:为是在于]?\s*[^，。；;,、）)\n]{2,60}"
)
# What a bracketed aside may hold and still say nothing once the details are gone.
_ASIDE = lazy_compile(r"[（(]([^（()）]{0,120})[）)]")
_REMOVED_DETAIL = lazy_compile(
    f"{REMOVED}|{ADDRESS_REMOVED}|(?:身份证(?:号码|号)?|公民身份号码|证件号码|电话|手机(?:号码|号)?|联系方式|联系电话|座机|"
    r"(?:银行)?(?:卡号|账号|帐号|账户|帐户)|开户行账号|微信号?|QQ号?|邮箱|电子邮箱|电子邮件|E-?mail)\s*[：:为是]?",
    re.IGNORECASE,
)
# What a name of someone other than the party becomes: no surname, no length, no trace.
OTHER_PERSON = "他人"
_NAME_GAP = f"[\\s\u3000{TRANSLITERATION_DOTS}]{{0,2}}"


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
    """Remove ID-card, phone and account numbers and e-mail addresses from free text; keep dates and amounts."""
    shielded: list[str] = []

    def shield(match: re.Match[str]) -> str:
        shielded.append(match.group(0))
        return chr(SHIELD_BASE + len(shielded) - 1)

    text = _EMAIL.sub(REMOVED, text)
    text = _KEYWORD_NUMBER.sub(lambda m: m.group(1) + REMOVED, text)
    text = _SHIELDED.sub(shield, _BRACKETED_LANDLINE.sub(REMOVED, text))
    text = _DIGIT_RUN.sub(_run_replacement, text)
    return re.sub("[\U000F0000-\U000FFFFD]", lambda m: shielded[ord(m.group(0)) - SHIELD_BASE], text)


def _run_replacement(match: re.Match[str]) -> str:
    """A run of 11 or more digits (mobile, ID, account) or a landline with its area code (0…, 10+ digits) goes."""
    digits = sum(char.isdigit() for char in match.group("number"))
    landline = match.group("number")[0] in "0０" and digits >= 10
    return REMOVED if digits >= 11 or landline or match.group(0)[0] in "+＋" else match.group(0)


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


def drop_empty_asides(text: str) -> str:
    """A bracketed aside left with nothing but removed details, （联系电话＊＊＊，住址已隐去）, goes entirely."""
    def keep_or_drop(match: re.Match[str]) -> str:
        rest = _REMOVED_DETAIL.sub("", match.group(1))
        return "" if rest.strip(" \u3000，,、；;：:") == "" else match.group(0)
    return _ASIDE.sub(keep_or_drop, text)


def scrub(text: str, names: dict[str, str]) -> str:
    """All free-text rules at once: names, then numbers, then home addresses; then asides left empty."""
    return drop_empty_asides(scrub_addresses(scrub_numbers(replace_names(text, names))))
