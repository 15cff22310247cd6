"""Hostile and broken input: printed literally or refused with the field named — never evaluated."""

from __future__ import annotations

import copy
from typing import Any, Iterator

import pytest
from hypothesis import given, settings, strategies as st

from docgen.doctypes.registry import DocType
from docgen.errors import InvalidData
from docgen.generate import generate

from readers import docx_text_blocks, is_subsequence, pdf_all_text, squash, open_pdf


def _leaves(data: Any, schema: dict[str, Any], path: tuple = ()) -> Iterator[tuple[tuple, dict[str, Any]]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, schema.get("properties", {}).get(key, {}), path + (key,))
    elif isinstance(data, list):
        for n, value in enumerate(data):
            yield from _leaves(value, schema.get("items", {}), path + (n,))
    elif isinstance(data, str):
        yield path, schema


def long_text_path(doctype: DocType, data: dict[str, Any]) -> tuple:
    """The first free-text field of the sample that accepts 2,000 characters."""
    for path, schema in _leaves(data, doctype.schema):
        if schema.get("maxLength", 0) >= 2000 and "pattern" not in schema and "enum" not in schema:
            return path
    raise AssertionError(f"{doctype.slug} has no long free-text field")


def _set(data: dict[str, Any], path: tuple, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


def _pointer(path: tuple) -> str:
    return "".join(f"/{p}" for p in path)


PRINTED_LITERALLY = {
    "markup": ('<b>&"\'</b> ]]> </w:t><w:br/>', '<b>&"\'</b> ]]> </w:t><w:br/>'),
    "jinja_expression": ("{{ 7*7 }} {{ config }}", "{{ 7*7 }} {{ config }}"),
    "jinja_statement": ("{% raw %}{% endraw %}{%p if true %}", "{% raw %}{% endraw %}{%p if true %}"),
    "docxtpl_escapes": ("{_{ a }_} {_% b %_} {%tr x %}", "{_{ a }_} {_% b %_} {%tr x %}"),
    "control_chars": ("前\x00\x07\x1b\x0b后\u200b文", "前后文"),
    "line_breaks": ("第一行\n第二行\r\n第三行\t止", "第一行 第二行 第三行 止"),
    "rare_cjk": ("当事人𠀀某、𠮷某、䶮某", "当事人𠀀某、𠮷某、䶮某"),
    "uyghur_name": ("执法人员买买提·艾力、阿依古丽·吐尔逊", "执法人员买买提·艾力、阿依古丽·吐尔逊"),
    "emoji_with_a_glyph": ("整改完成😀", "整改完成😀"),
    "two_thousand_chars": ("执" * 1995 + "法监督。止", "执" * 1995 + "法监督。止"),
}


@pytest.mark.parametrize("case", list(PRINTED_LITERALLY))
def test_text_is_printed_literally_in_both_formats(doctype: DocType, case: str):
    value, expected = PRINTED_LITERALLY[case]
    data = doctype.load_sample()
    path = long_text_path(doctype, data)
    result = generate(doctype.slug, _set(data, path, value))
    docx_text = squash("".join(docx_text_blocks(result.files["docx"])))
    pdf_text = pdf_all_text(result.files["pdf"])
    assert squash(expected) in docx_text
    # A cell taller than a page continues on the next one, so table text is checked in order, gaps allowed.
    assert squash(expected) in pdf_text or is_subsequence(squash(expected), pdf_text)


def test_rare_hanzi_get_real_glyphs(doctype: DocType):
    data = doctype.load_sample()
    result = generate(doctype.slug, _set(data, long_text_path(doctype, data), "𠀀𠮷·"))
    with open_pdf(result.files["pdf"]) as pdf:
        fonts = {c["text"]: c["fontname"] for page in pdf.pages for c in page.chars if c["text"] in "𠀀𠮷·"}
    assert set(fonts) == {"𠀀", "𠮷", "·"}
    assert "DocgenRare" in fonts["𠀀"] and "DocgenRare" in fonts["𠮷"]


@pytest.mark.parametrize("value", ["执法\U0001fb00检查", "\U0010fffd", "私用区\ue000"])
def test_unprintable_characters_are_refused_with_the_field(doctype: DocType, value: str):
    from docgen.fonts import unsupported_characters
    assert unsupported_characters(value), "precondition: no bundled font draws this"
    data = doctype.load_sample()
    path = long_text_path(doctype, data)
    with pytest.raises(InvalidData) as info:
        generate(doctype.slug, _set(data, path, value))
    issue = info.value.issues[0]
    assert (issue.path, issue.code) == (_pointer(path), "unsupported_character")
    assert "U+" in issue.message


def test_too_long_is_refused_with_the_field(doctype: DocType):
    data = doctype.load_sample()
    path = long_text_path(doctype, data)
    with pytest.raises(InvalidData) as info:
        doctype.validate(_set(data, path, "长" * 100_000))
    assert [(i.path, i.code) for i in info.value.issues] == [(_pointer(path), "too_long")]


def test_every_structural_problem_is_listed_at_once(doctype: DocType):
    data = doctype.load_sample()
    required = [k for k in doctype.schema["required"] if isinstance(data.get(k), (str, dict))]
    wrong_type, missing = required[0], required[1]
    data = _set(data, (wrong_type,), 12345)
    del data[missing]
    data["bogus_field"] = True
    nested = _object_prefix(data, long_text_path(doctype, data)[:-1])
    if nested:
        data = _set(data, nested + ("typo",), "x")
    with pytest.raises(InvalidData) as info:
        doctype.validate(data)
    found = {(i.path, i.code) for i in info.value.issues}
    expected = {(f"/{wrong_type}", "wrong_type"), (f"/{missing}", "required"), ("/bogus_field", "unknown_field")}
    if nested:
        expected.add((_pointer(nested + ("typo",)), "unknown_field"))
    assert expected <= found
    for issue in info.value.issues:
        assert any("\u4e00" <= c <= "\u9fff" for c in issue.message), issue


def _object_prefix(data: dict[str, Any], path: tuple) -> tuple:
    """The longest prefix of ``path`` that leads to a JSON object."""
    while path:
        target: Any = data
        for key in path:
            target = target[key]
        if isinstance(target, dict):
            return path
        path = path[:-1]
    return ()


def test_not_an_object(doctype: DocType):
    for value in ([], "text", None, 3):
        with pytest.raises(InvalidData) as info:
            doctype.validate(value)
        assert info.value.issues[0].path == "" and info.value.issues[0].code == "wrong_type"


# ---------------------------------------------------------------- the fast paths of the character checks

_MIXED_TEXT = st.text(alphabet=st.one_of(
    st.characters(),  # any code point: format, private-use, unassigned, surrogates
    st.sampled_from("执法检查罚款元〔〕号　 \u200b\ufeff\u202e\u00ad𠀀𠮷\U0001fb00\ue000·、ABC 12"),
), max_size=40)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(_MIXED_TEXT, min_size=1, max_size=4))
def test_the_character_checks_answer_what_a_lookup_per_character_answers(texts: list[str]):
    """The remembered characters (docgen.fonts) and the printable-text shortcut (docgen.text) change no answer,
    however often a text or its characters come back."""
    import unicodedata

    from docgen import fonts, text
    covered, common = fonts.covered_codepoints(), fonts.common_codepoints()
    for value in texts + texts:
        assert fonts.unsupported_characters(value) == [
            c for c in dict.fromkeys(value) if ord(c) not in covered and not c.isspace()]
        assert fonts.needs_rare_fonts(value) == any(ord(c) > 0x7F and ord(c) not in common for c in value)
        folded = text._ILLEGAL.sub("", text._LINE_BREAKS.sub(" ", value))
        assert text.clean_text(value) == "".join(c for c in folded if unicodedata.category(c) != "Cf")


def test_the_remembered_characters_stay_within_their_bound(monkeypatch):
    from docgen import fonts
    known = fonts._KnownInside(fonts.covered_codepoints)
    monkeypatch.setattr(known, "REMEMBER_AT_MOST", 50)
    hanzi = "".join(chr(0x4E00 + n) for n in range(400))
    assert known.outside(hanzi + "\U0001fb00") == {"\U0001fb00"}
    assert known.outside(hanzi) == set(), "what is not remembered is looked up again"
    assert len(known._inside) == 50
