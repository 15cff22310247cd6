"""Building blocks for the GB/T 9704 DOCX templates (used by build_docx_templates.py).

The templates in templates/docx/ are ordinary Word files with docxtpl tags; this
module writes them reproducibly so the page set-up, styles and shared blocks are
identical in every type. An administrator may still edit the generated .docx by
hand in Word or WPS; rerunning the script overwrites such edits.
"""

from __future__ import annotations

import copy
import io
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, Twips
from lxml import etree

from docx_styles import CHAR, KAITI, TEXT_WIDTH, add_styles
from docx_shapes import rule, text_box
from docx_xml import make_landscape, make_portrait, off_grid, replace_sentinels, rule_table, schema_order, set_fonts

# Sentinels replaced by Jinja expressions after saving (python-docx only writes numbers).
MARK_SIZE_SENTINEL = 1999  # half-points, replaced by the context's mark size
FINAL_SECTION_SENTINEL = "00987699"  # the document's last w:sectPr, replaced by a Jinja choice
SENTINELS = {"987601": "{{ signature.name_right|char_twips }}", "987602": "{{ signature.date_right|char_twips }}",
             "987603": "{{ signature.note_lines * 579 }}",
             str(MARK_SIZE_SENTINEL): "{{ (mark_size * 2)|int }}"}


IMPRINT_LINE = (
    '<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:pPr><w:pStyle w:val="版记"/>'
    '{% if line.top or line.bottom %}<w:pBdr>'
    '{% if line.top %}<w:top w:val="single" w:sz="{{ line.top }}" w:space="0" w:color="000000"/>{% endif %}'
    '{% if line.bottom %}<w:bottom w:val="single" w:sz="{{ line.bottom }}" w:space="0" w:color="000000"/>{% endif %}'
    '</w:pBdr>{% endif %}<w:tabs><w:tab w:val="right" w:pos="{{ (letterhead.block_width_mm * 56.7 - 560)|int }}"/>'
    '</w:tabs><w:snapToGrid w:val="0"/><w:spacing w:line="579" w:lineRule="exact"/>'
    '<w:ind w:left="280" w:right="280" w:firstLine="0"/></w:pPr>'
    '<w:r><w:t xml:space="preserve">{{ line.left }}</w:t></w:r>'
    '{% if line.right %}<w:r><w:tab/></w:r><w:r><w:t xml:space="preserve">{{ line.right }}</w:t></w:r>{% endif %}'
    '</w:p>'
)


def _wrap_in_jinja(element, statement: str) -> None:
    """Put ``{% statement %}`` before an element and ``{% endif %}`` after it, as text between siblings."""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + f"{{% {statement} %}}"
    else:
        parent = element.getparent()
        parent.text = (parent.text or "") + f"{{% {statement} %}}"
    element.tail = "{% endif %}" + (element.tail or "")


def imprint_box():
    """The 版记 text box: 抄送 and 印发 lines in 4号, one character in from each side, with the rules the
    context gives (thick at top and bottom, thin between; none in 信函格式)."""
    lines = "{% for line in imprint.lines %}" + IMPRINT_LINE + "{% endfor %}"
    return text_box("版记", "margin", "0", "margin", None, "letterhead.block_width_mm * 36000",
                    "(imprint.rows * 28.95 + 3) * 12700", lines)


def letter_shapes() -> list:
    """信函格式 on page 1: the 标志 (a text box 30 mm from the page top) and the two red double rules."""
    top = "(letterhead.block_top_pt + {}) * 12700"
    left, width = "letterhead.rule_left_mm * 36000", "letterhead.rule_width_mm * 36000"
    mark = (
        '<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:pPr><w:pStyle w:val="发文机关标志"/>'
        '<w:snapToGrid w:val="0"/><w:spacing w:line="{{ (letterhead.mark_line_pt * 20)|int }}" w:lineRule="exact"/>'
        '<w:ind w:firstLine="0"/></w:pPr><w:r><w:rPr><w:sz w:val="{{ (mark_size * 2)|int }}"/></w:rPr>'
        '<w:t>{{ issuer_mark }}</w:t></w:r></w:p>'
    )
    thick, gap, thin = "letterhead.rule_thick_pt", "letterhead.rule_gap_pt", "letterhead.rule_thin_pt"
    head, foot = "letterhead.rule_top_pt", "letterhead.foot_rule_top_pt"
    return [
        text_box("发文机关标志", "margin", "0", "page", top.format("letterhead.mark_top_pt"),
                 "letterhead.block_width_mm * 36000",
                 "(letterhead.mark_line_pt + 2) * 12700", mark),
        # 上粗下细 under the 标志; 上细下粗 20 mm above the foot of the page
        rule("红色双线（粗）", "margin", left, "page", top.format(head), width, f"{thick} * 12700"),
        rule("红色双线（细）", "margin", left, "page", top.format(f"{head} + {thick} + {gap}"), width, f"{thin} * 12700"),
        rule("页脚红色双线（细）", "margin", left, "page", top.format(foot), width, f"{thin} * 12700"),
        rule("页脚红色双线（粗）", "margin", left, "page", top.format(f"{foot} + {thin} + {gap}"), width,
             f"{thick} * 12700"),
    ]


class TemplateWriter:
    """Writes one GB/T 9704 document template paragraph by paragraph."""

    def __init__(self, landscape: bool = False) -> None:
        self.doc = Document()
        self._page_setup(landscape)
        add_styles(self.doc)
        self._page_numbers()
        body = self.doc.element.body
        for paragraph in list(body.iterchildren(qn("w:p"))):
            body.remove(paragraph)

    # -- page ---------------------------------------------------------------
    def _page_setup(self, landscape: bool) -> None:
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.header_distance = Mm(15)
        section.footer_distance = Mm(23)  # puts the page number's top 7 mm under the text block
        section.start_type = WD_SECTION.NEW_PAGE
        if landscape:
            make_landscape(section)
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            section._sectPr.append(grid)
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), "579")
        self.doc.settings.odd_and_even_pages_header_footer = True

    def _page_numbers(self) -> None:
        """Odd pages numbered at the right, even at the left; the first page has its own footer, numbered
        unless the letterhead says otherwise (信函格式: no number on page 1, GB/T 9704 10.1)."""
        section = self.doc.sections[0]
        section.different_first_page_header_footer = True
        for footer, align, first in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, False),
                                     (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, False),
                                     (section.first_page_footer, WD_ALIGN_PARAGRAPH.RIGHT, True)):
            footer.is_linked_to_previous = False
            paragraph = footer.paragraphs[0]
            if first:
                paragraph.add_run("{%r if letterhead.first_page_number %}")
            paragraph.style = self.doc.styles["页码"]
            paragraph.alignment = align
            indent = Twips(280)  # 右空一字 / 左空一字 at 4号
            if align == WD_ALIGN_PARAGRAPH.RIGHT:
                paragraph.paragraph_format.right_indent = indent
            else:
                paragraph.paragraph_format.left_indent = indent
            paragraph.add_run("— ")
            self._field(paragraph, "PAGE", "1")
            paragraph.add_run(" —")
            if first:
                paragraph.add_run("{%r endif %}")

    @staticmethod
    def _field(paragraph, instruction: str, placeholder: str) -> None:
        run = paragraph.add_run()
        run._r.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="begin"/>'))
        run = paragraph.add_run()
        run._r.append(parse_xml(f'<w:instrText {nsdecls("w")} xml:space="preserve"> {instruction} </w:instrText>'))
        run = paragraph.add_run()
        run._r.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="separate"/>'))
        paragraph.add_run(placeholder)
        run = paragraph.add_run()
        run._r.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="end"/>'))

    # -- paragraphs ---------------------------------------------------------
    def para(self, text: str = "", style: str = "Normal"):
        """Append a paragraph (text may hold docxtpl tags)."""
        paragraph = self.doc.add_paragraph(style=style)
        if text:
            paragraph.add_run(text)
        return paragraph

    def blank(self, count: int = 1) -> None:
        for _ in range(count):
            self.para()

    def tag(self, statement: str) -> None:
        """A paragraph-level docxtpl statement, e.g. ``for x in xs`` or ``endif``."""
        self.para(f"{{%p {statement} %}}")

    def loop(self, clause: str, text: str, style: str = "Normal") -> None:
        """One paragraph repeated for each item: {%p for clause %} text {%p endfor %}."""
        self.tag(f"for {clause}")
        self.para(text, style)
        self.tag("endfor")

    def header(self, upward: bool = False) -> None:
        """版头 in 文件格式 or 信函格式, placed by the context's ``letterhead`` numbers (docgen.doctypes.letterhead).

        文件格式: the 标志 paragraph (35 mm above it, padded to whole grid lines), two blank lines, the 文号 with
        the red rule floating 4 mm under it. 信函格式: the 标志 and both red double rules float on page 1, the
        文号 paragraph alone starts the flow. ``upward``: 文号 left and 签发人 right on one line (上行文).
        """
        self.tag('if letterhead.kind == "letter"')
        number = self._number_line(upward, align=None if upward else WD_ALIGN_PARAGRAPH.RIGHT)
        off_grid(number, before="letterhead.number_before_pt", after="letterhead.number_after_pt")
        for shape in letter_shapes():
            number._p.append(shape)
        self.tag("else")
        mark = self.para("", "发文机关标志")
        mark.add_run("{{ issuer_mark }}").font.size = Pt(MARK_SIZE_SENTINEL / 2)
        off_grid(mark, before="letterhead.mark_before_pt", after="letterhead.mark_after_pt",
                 line="letterhead.mark_line_pt")
        self.blank(2)
        number = self._number_line(upward)
        number._p.append(rule("红色分隔线", "margin", "0", "paragraph", "letterhead.rule_offset_pt * 12700",
                              "letterhead.block_width_mm * 36000", "19050"))
        self.tag("endif")

    def _number_line(self, upward: bool, align=None):
        """The 文号 line: centred (or as ``align`` says), or 文号 left and 签发人 (楷体) right for 上行文."""
        if not upward:
            line = self.para("{{ doc_number_text or '' }}", "发文字号")
            if align is not None:
                line.alignment = align
            return line
        line = self.para("{{ doc_number_text or '' }}", "上行文号")
        line.paragraph_format.left_indent = line.paragraph_format.right_indent = CHAR
        line.add_run().add_tab()
        line.add_run("签发人：")
        set_fonts(line.add_run("{{ signer }}")._r, KAITI)
        line.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH - CHAR * 2, alignment=2)
        return line

    def landscape_section(self) -> None:
        """Start a new page in landscape (tables), keeping the page-number footers."""
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        section.different_first_page_header_footer = False  # only the document's first page is special
        make_landscape(section)

    def attachment_heading(self, label: str, title: str) -> None:
        """附件 page top: 附件N in 黑体 at the left of line 1, the title centred on line 3."""
        self.para(label, "附件标识")
        self.blank()
        self.para(title, "公文标题")
        self.blank()

    def table(self, columns: list[tuple[str, float, str, bool]], loop: str) -> None:
        """A ruled table: header row repeated on every page, one row per item of ``loop``.

        ``columns`` holds (header, width in mm, cell expression, centred).
        """
        table = self.doc.add_table(rows=4, cols=len(columns))
        rule_table(table, [Mm(width) for _, width, _, _ in columns])
        header, opening, body, closing = table.rows
        header._tr.get_or_add_trPr().append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))
        opening.cells[0].paragraphs[0].add_run(f"{{%tr for {loop} %}}")
        closing.cells[0].paragraphs[0].add_run("{%tr endfor %}")
        for n, (title, _, expression, centred) in enumerate(columns):
            self._cell(header.cells[n], title, "表头", True)
            self._cell(body.cells[n], expression, "表格", centred)
        body._tr.get_or_add_trPr().append(parse_xml(f'<w:cantSplit {nsdecls("w")}/>'))

    def table_note(self) -> None:
        """The note under a fitted table: columns folded away because they were empty or all the same."""
        self.tag("if table_note")
        self.para("{{ table_note }}", "表注")
        self.tag("endif")

    def _cell(self, cell, text: str, style: str, centred: bool) -> None:
        paragraph = cell.paragraphs[0]
        paragraph.style = self.doc.styles[style]
        if centred:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(text)

    def title(self) -> None:
        """标题: two blank lines under the red rule, its lines as the context broke them (whole words)."""
        self.blank(2)
        self.loop("line in title_lines", "{{ line }}", "公文标题")
        self.blank()

    def attachments(self) -> None:
        """附件说明: a blank line, then its lines; all of it stays with the signature that follows."""
        self.tag("if attachment_lines")
        self.keep(self.para())
        self.tag("for line in attachment_lines")
        self.keep(self.para("{{ line }}"))
        self.tag("endfor")
        self.tag("endif")

    def closing(self) -> None:
        """What ends every document: 附件说明, signature (and 附注), 版记 — as base.html does for the PDF."""
        self.signature_block()
        self.imprint()

    def signature_block(self) -> None:
        """The last body paragraph, 附件说明 and the signature kept together (two lines at least carry over,
        by widow control), so no page holds only the seal and date."""
        self._keep_last_text_with_next()
        self.attachments()
        self.signature()

    def signature(self) -> None:
        """署名 and 成文日期 with right indents from the context; the seal floats over them.

        The last lines of text travel with it (signature_block).
        """
        self.tag("if signature.sealed")
        self.keep(self.para())
        self.tag("endif")
        self.keep(self.para())
        name = self.para("{{ signature.name }}{% if signature.seal %}{{ signature.seal }}{% endif %}", "署名")
        name.paragraph_format.right_indent = Twips(987601)
        name.paragraph_format.keep_with_next = True
        date = self.para("{{ signature.date_text }}", "署名")
        date.paragraph_format.right_indent = Twips(987602)
        # 版记 sharing the last page: a text box at the foot of this page's text block (anchored bottom, no
        # wrapping), so Word, WPS and LibreOffice put it in the same place.
        box = imprint_box()
        date._p.append(box)
        _wrap_in_jinja(box, "if imprint and not (imprint_page and imprint_page.alone)")
        date.paragraph_format.keep_with_next = True  # 附注, when there is one, stays with the date
        self.tag("if note_text")
        note = self.para("{{ note_text }}", "附注")
        note.paragraph_format.space_before = Twips(987603)  # clear of the seal (signature.note_lines)
        self.tag("endif")

    @staticmethod
    def keep(paragraph):
        paragraph.paragraph_format.keep_with_next = True
        return paragraph

    def _keep_last_text_with_next(self) -> None:
        for paragraph in reversed(self.doc.paragraphs):
            if paragraph.text.startswith("{%p"):
                continue
            self.keep(paragraph)
            if paragraph.text.strip():
                break

    def imprint(self) -> None:
        """版记 alone: when the PDF's layout gave it a page of its own (``imprint_page.alone``,
        docgen.render.pdf) it goes to a portrait section without page numbers, after a blank page when the
        body ends on an even page. (On the last page with the body, it is anchored to the date: signature().)"""
        self.tag("if imprint and imprint_page and imprint_page.alone")
        body = copy.deepcopy(self.doc.sections[-1]._sectPr)
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)  # the body's section now ends in this paragraph
        self._tiny(self.doc.paragraphs[-1])
        make_portrait(section)
        section.different_first_page_header_footer = False
        for footer in (section.footer, section.even_page_footer):
            footer.is_linked_to_previous = False  # own, empty footers: no page number (GB/T 9704 7.5)
        self.final_sections = (body, section._sectPr)
        self.tag("if imprint_page.blank_before")
        self.para().add_run().add_break(WD_BREAK.PAGE)
        self.tag("endif")
        anchor = self._tiny(self.para())
        anchor._p.append(imprint_box())
        self.tag("endif")

    @staticmethod
    def _tiny(paragraph):
        paragraph.paragraph_format.line_spacing = Pt(1)
        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        paragraph._p.get_or_add_pPr().append(parse_xml(f'<w:snapToGrid {nsdecls("w")} w:val="0"/>'))
        return paragraph

    @staticmethod
    def _border(paragraph, side: str, *, size: int, space: int, color: str) -> None:
        ppr = paragraph._p.get_or_add_pPr()
        borders = ppr.find(qn("w:pBdr"))
        if borders is None:
            borders = OxmlElement("w:pBdr")
            ppr.append(borders)
        edge = OxmlElement(f"w:{side}")
        for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", str(space)), ("w:color", color)):
            edge.set(qn(key), value)
        borders.append(edge)

    # -- output ---------------------------------------------------------------
    def save(self, path: Path, title: str) -> None:
        """Save, then turn sentinel numbers into Jinja expressions."""
        props = self.doc.core_properties
        props.title, props.author, props.language = title, "docgen", "zh-CN"
        props.comments = "docgen 文书模板：双花括号内为数据占位符，请勿删除；可修改文字与格式。"
        for part in [self.doc.element, self.doc.styles.element] + [
                f._element for section in self.doc.sections
                for f in (section.footer, section.even_page_footer, section.first_page_footer)]:
            schema_order(part)
        sentinels = dict(SENTINELS)
        if hasattr(self, "final_sections"):
            # The document's last section is the 版记 page only when the 版记 stands alone; else the body's.
            body, alone = (etree.tostring(e, encoding="unicode") for e in self.final_sections)
            final = self.doc.element.body.sectPr
            placeholder = parse_xml(f'<w:sectPr {nsdecls("w")} w:rsidR="{FINAL_SECTION_SENTINEL}"/>')
            final.addprevious(placeholder)
            final.getparent().remove(final)
            sentinels[f'<w:sectPr w:rsidR="{FINAL_SECTION_SENTINEL}"/>'] = (
                "{% if imprint and imprint_page and imprint_page.alone %}" + alone + "{% else %}" + body + "{% endif %}")
        buffer = io.BytesIO()
        self.doc.save(buffer)
        path.write_bytes(replace_sentinels(buffer.getvalue(), sentinels))
