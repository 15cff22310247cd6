"""Building blocks for the GB/T 9704 DOCX templates (used by build_docx_templates.py).

The templates in templates/docx/ are ordinary Word files with docxtpl tags; this
module writes them reproducibly so the page set-up, styles and shared blocks are
identical in every type. An administrator may still edit the generated .docx by
hand in Word or WPS; rerunning the script overwrites such edits.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, Twips

from docx_styles import CHAR, KAITI, TEXT_WIDTH, add_styles
from docx_xml import make_landscape, replace_sentinels, rule_table, schema_order, set_fonts, with_w_namespace

# Sentinels replaced by Jinja expressions after saving (python-docx only writes numbers).
MARK_SIZE_SENTINEL = 1999  # half-points, replaced by the context's mark size
SENTINELS = {"987601": "{{ signature.name_right|char_twips }}", "987602": "{{ signature.date_right|char_twips }}",
             str(MARK_SIZE_SENTINEL): "{{ (mark_size * 2)|int }}"}






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
        section = self.doc.sections[0]
        for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
            footer.is_linked_to_previous = False
            paragraph = footer.paragraphs[0]
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
        """版头: red 发文机关标志, two blank lines, 文号 (centred, or left with 签发人 right), the red rule."""
        mark = self.para("", "发文机关标志")
        mark.add_run("{{ issuer_mark }}").font.size = Pt(MARK_SIZE_SENTINEL / 2)
        if upward:
            self.blank(2)
            line = self.para("{{ doc_number_text }}", "上行文号")
            line.paragraph_format.left_indent = line.paragraph_format.right_indent = CHAR
            line.add_run().add_tab()
            line.add_run("签发人：")
            set_fonts(line.add_run("{{ signer }}")._r, KAITI)
            line.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH - CHAR * 2, alignment=2)
        else:
            self.tag("if doc_number_text")
            self.blank(2)
            self.para("{{ doc_number_text }}", "发文字号")
            self.tag("endif")
        rule = self.para("", "红色分隔线")
        self._border(rule, "bottom", size=12, space=0, color="E60012")

    def landscape_section(self) -> None:
        """Start a new page in landscape (tables), keeping the page-number footers."""
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
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

    def _cell(self, cell, text: str, style: str, centred: bool) -> None:
        paragraph = cell.paragraphs[0]
        paragraph.style = self.doc.styles[style]
        if centred:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(text)

    def title(self) -> None:
        self.blank(2)
        self.para("{{ title }}", "公文标题")
        self.blank()

    def attachments(self) -> None:
        self.tag("if attachment_lines")
        self.blank()
        self.tag("for line in attachment_lines")
        self.para("{{ line }}")
        self.tag("endfor")
        self.tag("endif")

    def closing(self) -> None:
        """What ends every document: 附件说明, signature (and 附注), 版记 — as base.html does for the PDF."""
        self.attachments()
        self.signature()
        self.imprint()

    def signature(self) -> None:
        """署名 and 成文日期 with right indents from the context; the seal floats over them.

        The last lines of text travel with the signature so no page holds only the seal and date.
        """
        self._keep_last_text_with_next()
        self.tag("if signature.sealed")
        self.keep(self.para())
        self.tag("endif")
        self.keep(self.para())
        name = self.para("{{ signature.name }}{% if signature.seal %}{{ signature.seal }}{% endif %}", "署名")
        name.paragraph_format.right_indent = Twips(987601)
        name.paragraph_format.keep_with_next = True
        date = self.para("{{ signature.date_text }}", "署名")
        date.paragraph_format.right_indent = Twips(987602)
        date.paragraph_format.keep_with_next = True  # 附注, when there is one, stays with the date
        self.tag("if note_text")
        self.para("{{ note_text }}", "附注")
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
        """版记: a table without side borders floating at the foot of the text block on the last page."""
        self.tag("if imprint")
        table = self.doc.add_table(rows=4, cols=1)
        self._imprint_table(table)
        cells = [row.cells[0] for row in table.rows]
        cells[0].paragraphs[0].add_run("{%tr if imprint.cc_text %}")
        self._imprint_cell(cells[1], "{{ imprint.cc_text }}")
        cells[2].paragraphs[0].add_run("{%tr endif %}")
        printed = self._imprint_cell(cells[3], "{{ imprint.printer or '' }}")
        printed.add_run().add_tab()
        printed.add_run("{{ imprint.print_date_text }}")
        printed.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH - Twips(280) * 2, alignment=2)
        self.tag("endif")
        # Word wants a paragraph after a table at the end of the body; keep it one point tall.
        tail = self.para()
        tail.paragraph_format.line_spacing = Pt(1)
        tail.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY

    def _imprint_cell(self, cell, text: str):
        paragraph = cell.paragraphs[0]
        paragraph.style = self.doc.styles["版记"]
        paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = Twips(280)
        paragraph.add_run(text)
        return paragraph

    @staticmethod
    def _imprint_table(table) -> None:
        tbl_pr = table._tbl.tblPr
        for child in list(tbl_pr):
            tbl_pr.remove(child)
        # Children in CT_TblPr order. Thick first and last rules (0.35 mm), thin between (0.25 mm).
        for xml in (
            '<w:tblpPr w:leftFromText="0" w:rightFromText="0" w:vertAnchor="margin" w:horzAnchor="margin" '
            'w:tblpXSpec="center" w:tblpYSpec="bottom"/>',
            f'<w:tblW w:w="{TEXT_WIDTH.twips}" w:type="dxa"/>',
            '<w:tblBorders><w:top w:val="single" w:sz="8" w:space="0" w:color="000000"/><w:left w:val="nil"/>'
            '<w:bottom w:val="single" w:sz="8" w:space="0" w:color="000000"/><w:right w:val="nil"/>'
            '<w:insideH w:val="single" w:sz="6" w:space="0" w:color="000000"/><w:insideV w:val="nil"/></w:tblBorders>',
            '<w:tblLayout w:type="fixed"/>',
            '<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>',
        ):
            tbl_pr.append(parse_xml(with_w_namespace(xml)))
        table._tbl.tblGrid.gridCol_lst[0].w = TEXT_WIDTH
        for row in table.rows:
            row.cells[0].width = TEXT_WIDTH

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
                f._element for section in self.doc.sections for f in (section.footer, section.even_page_footer)]:
            schema_order(part)
        buffer = io.BytesIO()
        self.doc.save(buffer)
        path.write_bytes(replace_sentinels(buffer.getvalue(), SENTINELS))












