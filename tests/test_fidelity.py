"""What a 公文 reviewer checks with a ruler, measured from the rendered PDF of every sample.

Full lines hold 28 characters and end flush at 184 mm; no line is left alone at a page's top or foot;
文号 and dates are never cut; titles break between words; the 附注 starts below the seal; the letterhead
stands where GB/T 9704 puts it (文件格式 and 信函格式); landscape pages of a portrait document are turned
and the 版记 gets an even, numberless page when it cannot share one with the body.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict

import jieba
import pytest

from docgen.generate import generate
from docgen.titles import break_points, title_lines

from readers import MM, open_pdf, squash

from conftest import REGISTRY, SAMPLES, rendered

BODY_PT = 16  # 3号
LEFT, RIGHT = 28 * MM, 184 * MM  # the portrait text block
CHAR = 156 * MM / 28
RED = (0.902, 0.0, 0.071)  # #E60012
PORTRAIT = [(slug, path) for slug, path in SAMPLES if not REGISTRY[slug].landscape]


def _lines(page) -> list[dict]:  # type: ignore[no-untyped-def]
    """Body lines (3号 characters) of a portrait page, top to bottom: text, x0, x1, top."""
    rows: dict[int, list[dict]] = defaultdict(list)
    for char in page.chars:
        if abs(char["size"] - BODY_PT) < 0.3 and char["text"].strip() and page.height > page.width \
                and 37 * MM - 2 < char["top"] < page.height - 35 * MM:
            rows[round(char["matrix"][5])].append(char)  # by baseline: digits of another face stand taller
    lines = []
    for baseline in sorted(rows, reverse=True):
        chars = sorted(rows[baseline], key=lambda c: c["x0"])
        top = min(c["top"] for c in chars)
        lines.append({"text": "".join(c["text"] for c in chars), "x0": chars[0]["x0"], "x1": chars[-1]["x1"],
                      "top": top, "font": chars[0]["fontname"]})
    return lines


def _body_pages(path) -> list[list[dict]]:  # type: ignore[no-untyped-def]
    with open_pdf(rendered(path).files["pdf"]) as pdf:
        return [_lines(page) for page in pdf.pages]


def _is_full(line: dict) -> bool:
    return line["x1"] > RIGHT - CHAR / 2


def _plain_cjk(text: str) -> bool:
    return all("\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef" for c in text)


@pytest.mark.parametrize("sample", PORTRAIT, ids=[p.stem for _, p in PORTRAIT])
def test_full_lines_hold_28_characters_and_end_at_184_mm(sample):
    """Every full line ends at 184 ± 0.5 mm. A full line of plain CJK text holds 28 characters (counting its
    indent), except where a character that may not start a line (，。）) or an unbreakable 文号, date or name
    pushed the last one or more down: then the line is justified with fewer, never with more."""
    _, path = sample
    counts = []
    for lines in _body_pages(path):
        for line, following in zip(lines, lines[1:]):
            runs_on = abs(following["x0"] - LEFT) < 2 and following["top"] - line["top"] < 1.2 * 28.95
            if not (runs_on and _is_full(line)):  # a line its paragraph runs on from
                continue
            assert line["x1"] == pytest.approx(RIGHT, abs=0.5 * MM), line["text"]
            indent = (line["x0"] - LEFT) / CHAR
            if _plain_cjk(line["text"]) and min(abs(indent), abs(indent - 2)) < 0.1:  # body paragraphs
                count = len(line["text"]) + round(indent)
                counts.append(count)
                # 27: one character pushed down by the line-breaking rules (禁则); fewer needs a reason
                assert count in (27, 28) or count < 27 and _pushed_down(line["text"], following["text"]), \
                    f"{count} characters: {line['text']!r} / {following['text']!r}"
    assert len(counts) >= 5, "the sample has full lines to measure"
    assert counts.count(28) >= len(counts) / 3, counts


_NOT_AT_START = set("，。、；：！？）》」』”’…·")
_NOT_AT_END = set("（《「『“‘")


def _pushed_down(line: str, following: str) -> bool:
    """Why a full line may hold fewer than 28: its next characters could not end or start a line, or the
    next line opens with an unbreakable 文号, date, amount or name."""
    return bool(set(following[1:3]) & _NOT_AT_START or following[0] in _NOT_AT_END
                or re.match(r"[^，。；]{0,8}[〔\d·]", following))


@pytest.mark.parametrize("sample", PORTRAIT, ids=[p.stem for _, p in PORTRAIT])
def test_no_widow_or_orphan_line(sample):
    """A paragraph cut by a page leaves at least two lines on each side (GB/T 9704 wants no lone line)."""
    _, path = sample
    pages = [lines for lines in _body_pages(path) if lines]
    for before, after in zip(pages, pages[1:]):
        last, first = before[-1], after[0]
        continues = _is_full(last) and abs(first["x0"] - LEFT) < 2  # the paragraph runs on over the break
        if not continues:
            continue
        assert len(after) == 1 or _is_full(first), f"widow at the top of a page: {first['text']!r}"
        opened = abs(last["x0"] - LEFT - 2 * CHAR) < 2  # the paragraph's first, indented, line
        assert not opened, f"orphan at the foot of a page: {last['text']!r}"


_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,8}〔\d{4}〕\d+号")


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for _, p in SAMPLES])
def test_numbers_and_dates_are_never_cut(sample):
    _, path = sample
    with open_pdf(rendered(path).files["pdf"]) as pdf:
        lines = [squash(line) for page in pdf.pages for line in (page.extract_text() or "").splitlines()]
    whole = "".join(lines)
    for pattern in (_DATE, _NUMBER):
        for found in set(pattern.findall(whole)):
            digits = re.sub(r"^[\u4e00-\u9fff]+(?=〔)", "", found)  # a 文号 may follow a word on its line
            assert any(digits in line for line in lines), f"{found} is cut across lines"


@pytest.mark.parametrize("title", [
    "关于落实昌司执监意〔2025〕7号行政执法监督意见书整改情况的报告",
    "昌吉市城市管理综合行政执法局关于落实昌司执监意〔2026〕23号行政执法监督意见书整改情况的报告",
    "昌吉市林业和草原综合行政执法大队2025年6月行政执法决定公示",
    "行政执法监督意见书",
])
def test_titles_break_between_words_in_balanced_lines(title):
    lines = title_lines(title, ("昌吉市城市管理综合行政执法局", "昌吉市林业和草原综合行政执法大队"))
    assert "".join(lines) == title
    cuts = [sum(len(line) for line in lines[:n]) for n in range(1, len(lines))]
    assert set(cuts) <= set(break_points(title)), lines
    words = {w for w in jieba.cut(title)}
    for cut in cuts:
        assert not any(title.find(w) < cut < title.find(w) + len(w) for w in words if len(w) > 1 and w in title
                       and title.count(w) == 1), f"cut inside a word: {lines}"
    assert min(len(line) for line in lines) >= 3 or len(lines) == 1, f"a stub line: {lines}"


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for _, p in SAMPLES])
def test_the_note_starts_below_the_seal(sample):
    """The 附注 (联系人) starts below the seal's box, never under the seal."""
    _, path = sample
    data = json.loads(path.read_text("utf-8"))
    if not data.get("contact"):
        pytest.skip("no 附注")
    with open_pdf(rendered(path).files["pdf"]) as pdf:
        notes = [(page, line) for page in pdf.pages for line in page.extract_text_lines()
                 if squash(line["text"]).startswith("（联系人")]
        assert notes, "the 附注 is printed"
        page, note = notes[-1]
        seals = [i for i in page.images if i["width"] > 35 * MM]
        if not seals:
            pytest.skip("unsealed sample")
        assert note["top"] >= max(s["bottom"] for s in seals) - 0.5, "the seal covers the 附注"


def _red_text_top(page) -> float:  # type: ignore[no-untyped-def]
    red = [c for c in page.chars if c.get("non_stroking_color") and
           tuple(round(v, 2) for v in c["non_stroking_color"][:3]) == tuple(round(v, 2) for v in RED)]
    assert red, "a red 发文机关标志"
    return min(c["top"] for c in red), max(c["bottom"] for c in red)


def _red_rules(page) -> list[dict]:  # type: ignore[no-untyped-def]
    def red(obj):  # type: ignore[no-untyped-def]
        colour = obj.get("stroking_color") or obj.get("non_stroking_color")
        return colour and tuple(round(v, 2) for v in colour[:3]) == tuple(round(v, 2) for v in RED)
    return [r for r in page.lines + page.rects if red(r) and r["width"] > 100 * MM]


@pytest.mark.parametrize("kind", ["file", "letter"])
@pytest.mark.parametrize("slug", ["opinion", "decision"])
def test_letterhead_where_gbt9704_puts_it(slug, kind):
    """文件格式: the mark's top 35 mm under the block's top (72 mm), the red rule 4 mm under the 文号.
    信函格式: the mark 30 mm from the page's top, red double rules under it and 20 mm above the page's foot,
    no page number on page 1."""
    data = REGISTRY[slug].load_sample()
    data["letterhead"] = kind
    pdf = generate(slug, data, ("pdf",)).files["pdf"]
    with open_pdf(pdf) as document:
        page = document.pages[0]
        mark_top, mark_bottom = _red_text_top(page)
        rules = _red_rules(page)
        footer = squash("".join(c["text"] for c in page.chars if c["top"] > page.height - 35 * MM))
        if kind == "file":
            # the glyph box of a 小标宋-like face starts a little under the em box's top
            assert mark_top == pytest.approx(72 * MM, abs=3 * MM)
            assert len(rules) == 1 and rules[0]["top"] > mark_bottom + 10 * MM
            number = [w for w in page.extract_words() if "〔" in w["text"] and w["bottom"] < rules[0]["top"]]
            assert number and rules[0]["top"] - max(w["bottom"] for w in number) == pytest.approx(4 * MM, abs=1.5 * MM)
            assert "—1—" in footer
        else:
            assert mark_top == pytest.approx(30 * MM, abs=3 * MM)
            tops = sorted(r["top"] for r in rules)
            upper = [t for t in tops if t < page.height / 2]
            lower = [t for t in tops if t > page.height / 2]
            assert len(upper) >= 2 and len(lower) >= 2, "double rules at the head and the foot"
            assert min(upper) - mark_bottom == pytest.approx(4 * MM, abs=2 * MM)
            assert page.height - max(r["bottom"] for r in rules) == pytest.approx(20 * MM, abs=1.5 * MM)
            assert "—1—" not in footer, "a letter's first page has no number"


def test_a_landscape_ledger_is_turned_and_numbered():
    """GB/T 9704 10.2: in a portrait document the landscape table's pages are turned (/Rotate 270)."""
    import pypdfium2
    [path] = [p for s, p in SAMPLES if s == "rectification" and p.stem == "rectification"]
    data = rendered(path).files["pdf"]
    document = pypdfium2.PdfDocument(data)
    turned = [n for n, page in enumerate(document, 1) if page.get_rotation() == 270]
    portrait = [n for n, page in enumerate(document, 1) if page.get_rotation() == 0]
    assert turned and portrait
    with open_pdf(data) as pdf:
        for number in turned:
            page = pdf.pages[number - 1]
            assert page.width > page.height
            assert f"—{number}—" in squash("".join(c["text"] for c in page.chars)), "the turned page is numbered"


def test_an_imprint_that_does_not_fit_gets_an_even_numberless_page():
    [path] = [p for s, p in SAMPLES if p.stem == "decision"]
    with open_pdf(rendered(path).files["pdf"]) as pdf:
        last = pdf.pages[-1]
        text = squash(last.extract_text() or "")
        assert len(pdf.pages) % 2 == 0 and "印发" in text
        assert "—" not in text, "the 版记 page carries no number"
        assert not _lines(last), "the 版记 page holds nothing of the body"


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for _, p in SAMPLES])
def test_pages_are_kept_as_images_for_a_reviewer(sample):
    """test-artifacts/pages/<sample>/page-NN.png: every page of every sample, for a person to look at."""
    import pypdfium2
    from pathlib import Path
    _, path = sample
    folder = Path(__file__).resolve().parent.parent / "test-artifacts" / "pages" / path.stem
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("page-*.png"):
        old.unlink()
    document = pypdfium2.PdfDocument(rendered(path).files["pdf"])
    for number, page in enumerate(document, 1):
        image = page.render(scale=80 / 72).to_pil()
        image.save(folder / f"page-{number:02d}.png")
        assert min(image.size) > 600  # A4 at 80 dpi
    assert len(list(folder.glob("page-*.png"))) == len(document)
    document.close()
