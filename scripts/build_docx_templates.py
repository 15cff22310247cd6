"""Generate templates/docx/<slug>.docx for every document type.

Usage: python scripts/build_docx_templates.py [slug ...]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from docx_blocks import TemplateWriter  # noqa: E402

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
    w.tag("for item in opinion_items")
    w.para("{{ item }}")
    w.tag("endfor")
    w.para("三、整改要求", "一级标题")
    w.para("{{ deadline_text }}")
    w.para("{{ report_text }}")
    w.para("{{ consequence_text }}")
    w.attachments()
    w.signature()
    w.imprint()
    return "行政执法监督意见书"


BUILDERS: dict[str, Callable[[TemplateWriter], str]] = {"opinion": opinion}


def main(slugs: list[str]) -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for slug in slugs or list(BUILDERS):
        writer = TemplateWriter()
        title = BUILDERS[slug](writer)
        path = OUT_DIR / f"{slug}.docx"
        writer.save(path, title)
        print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
