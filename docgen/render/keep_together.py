"""Words that must not break across lines: 文号, dates, amounts and transliterated names.

A reader should never meet ``〔2026〕40`` at a line end and ``号`` on the next, nor
``2026年12月15`` / ``日`` or ``买买提·艾`` / ``力``. In the PDF such a token becomes a
``nowrap`` span; in the DOCX, word joiners (U+2060) tie its characters, which Word,
WPS and LibreOffice honour as "no break here" and which print as nothing.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape

WORD_JOINER = "\u2060"
D = "[0-9０-９]"
_TOKENS = re.compile("|".join((
    f"[\u4e00-\u9fff]{{2,6}}〔{D}{{4}}〕{D}{{1,6}}号",  # 昌市监罚〔2025〕12号
    f"〔{D}{{4}}〕{D}{{1,6}}号",
    f"{D}{{4}}年{D}{{1,2}}月(?:{D}{{1,2}}日)?",  # 2025年6月5日, 2025年6月
    f"{D}{{1,2}}月{D}{{1,2}}日",
    f"(?:人民币)?{D}[0-9０-９,，]*(?:[.．]{D}+)?(?:万|亿)?元",  # 人民币1,409.50元
    f"{D}{{3,4}}-{D}{{7,8}}",  # 0994-2345678
    f"[\u4e00-\u9fff]{{1,8}}[·•‧・][\u4e00-\u9fff]{{1,8}}(?:[·•‧・][\u4e00-\u9fff]{{1,8}})?",  # 买买提·艾力
)))


def nowrap_html(value: Any) -> Any:
    """Jinja ``finalize`` of the HTML templates: escaped text with its tokens in nowrap spans."""
    if not isinstance(value, str) or isinstance(value, Markup) or not _TOKENS.search(value):
        return value
    pieces, last = [], 0
    for match in _TOKENS.finditer(value):
        pieces.append(escape(value[last:match.start()]))
        pieces.append(Markup('<span class="nobr">') + escape(match.group(0)) + Markup("</span>"))
        last = match.end()
    pieces.append(escape(value[last:]))
    return Markup("").join(pieces)


def joined_docx(value: Any) -> Any:
    """Jinja ``finalize`` of the DOCX templates: word joiners inside each token."""
    if not isinstance(value, str) or isinstance(value, Markup) or not _TOKENS.search(value):
        return value
    return _TOKENS.sub(lambda match: WORD_JOINER.join(match.group(0)), value)


def plain(value: Any) -> Markup:
    """For attributes and <title>: escaped text, no spans."""
    return escape(value)
