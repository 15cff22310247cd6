"""Generate templates/docx/<slug>.docx for every document type.

Usage: python scripts/build_docx_templates.py [slug ...] [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from docx_blocks import TemplateWriter  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docgen.doctypes import disclosure as disclosure_type, rectification as rectification_type  # noqa: E402
from docgen.doctypes.tables import Column  # noqa: E402

OUT_DIR = Path(__file__).resolve().parent.parent / "templates" / "docx"


def opinion(w: TemplateWriter) -> str:
    """行政执法监督意见书."""
    w.header()
    w.title()
    w.para("{{ recipient }}：", "主送机关")
    w.para("{{ intro_text }}")
    w.para("一、存在的主要问题", "一级标题")
    w.tag("for group in problem_groups")
    w.para("{{ group.ordinal }}{{ group.heading }}", "二级标题")
    w.tag("for item in group.entries")
    w.para("{{ item }}")
    w.tag("endfor")
    w.tag("endfor")
    w.para("二、监督意见", "一级标题")
    w.loop("item in opinion_items", "{{ item }}")
    w.para("三、整改要求", "一级标题")
    w.para("{{ deadline_text }}")
    w.para("{{ report_text }}")
    w.para("{{ consequence_text }}")
    w.closing()
    return "行政执法监督意见书"


def decision(w: TemplateWriter) -> str:
    """行政执法监督决定书."""
    w.header()
    w.title()
    w.para("{{ recipient }}：", "主送机关")
    w.para("{{ history_text }}")
    w.para("一、认定的事实", "一级标题")
    w.loop("paragraph in facts", "{{ paragraph }}")
    w.para("二、决定理由和依据", "一级标题")
    w.loop("paragraph in reasons", "{{ paragraph }}")
    w.para("{{ basis_text }}")
    w.para("三、决定事项", "一级标题")
    w.loop("item in decision_items", "{{ item }}")
    w.para("{{ report_text }}")
    w.para("{{ review_text }}")
    w.closing()
    return "行政执法监督决定书"


def _columns(columns: tuple[Column, ...]) -> list[tuple[str, float, str, bool]]:
    """The doctype's columns as the writer's (header, width, cell expression, centred)."""
    return [(c.header, c.width_mm, f"{{{{ row.{c.key} }}}}", c.centred) for c in columns]


LEDGER_COLUMNS = _columns(rectification_type.LEDGER_COLUMNS)


def rectification(w: TemplateWriter) -> str:
    """整改报告 (上行文) with the 整改台账 on landscape pages."""
    w.header(upward=True)
    w.title()
    w.para("{{ recipient }}：", "主送机关")
    w.para("{{ intro_text }}")
    w.para("一、整改工作总体情况", "一级标题")
    w.loop("paragraph in overview", "{{ paragraph }}")
    w.para("二、逐项整改落实情况", "一级标题")
    w.tag("for group in item_groups")
    w.para("{{ group.heading }}", "二级标题")
    w.loop("entry in group.entries", "{{ entry }}")
    w.tag("endfor")
    w.para("三、尚未完成事项及原因、完成时限", "一级标题")
    w.loop("line in unfinished", "{{ line }}")
    w.para("四、长效机制和下一步工作", "一级标题")
    w.loop("line in mechanisms", "{{ line }}")
    w.para("特此报告。")
    w.signature_block()
    w.landscape_section()
    w.attachment_heading("{{ ledger_label }}", "{{ ledger_title }}")
    w.para("{{ ledger_summary }}")
    w.table(LEDGER_COLUMNS, "row in ledger")
    w.table_note()
    w.imprint()
    return "整改报告"


DISCLOSURE_COLUMNS = _columns(disclosure_type.COLUMNS)


def disclosure(w: TemplateWriter) -> str:
    """行政执法公示: landscape, one row per published case."""
    w.header()
    w.title()
    w.para("{{ intro_text }}")
    w.tag("if cases")
    w.table(DISCLOSURE_COLUMNS, "row in cases")
    w.table_note()
    w.tag("endif")
    w.closing()
    return "行政执法公示"


BUILDERS: dict[str, Callable[[TemplateWriter], str]] = {
    "opinion": opinion, "decision": decision, "rectification": rectification, "disclosure": disclosure,
}
LANDSCAPE = {"disclosure"}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("slugs", nargs="*", help="types to build (default: all)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output directory")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for slug in args.slugs or list(BUILDERS):
        writer = TemplateWriter(landscape=slug in LANDSCAPE)
        title = BUILDERS[slug](writer)
        path = args.out / f"{slug}.docx"
        writer.save(path, title)
        print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
