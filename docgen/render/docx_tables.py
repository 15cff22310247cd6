"""A DOCX table fitted like the PDF's: the template has every column; the columns the context folded away
are removed and the rest get the fitted widths (docgen.doctypes.table_fit)."""

from __future__ import annotations

from typing import Any

from docx.oxml.ns import qn

TWIPS_PER_MM = 1440 / 25.4


def fit_table(document: Any, layout: dict[str, Any]) -> None:
    """Find the table whose header row reads ``layout['headers']`` and fit it."""
    headers = layout["headers"]
    for table in document.tables:
        first = table._tbl.find(qn("w:tr"))
        if first is None:
            continue
        texts = ["".join(t.text or "" for t in cell.iter(qn("w:t"))) for cell in first.findall(qn("w:tc"))]
        if texts == headers:
            _fit(table._tbl, set(layout["kept"]), layout["widths_mm"])


def _fit(tbl: Any, kept: set[int], widths_mm: list[float]) -> None:
    twips = [str(int(round(w * TWIPS_PER_MM))) for w in widths_mm]
    grid = tbl.find(qn("w:tblGrid"))
    for index, column in reversed(list(enumerate(grid.findall(qn("w:gridCol"))))):
        if index not in kept:
            grid.remove(column)
    for column, width in zip(grid.findall(qn("w:gridCol")), twips):
        column.set(qn("w:w"), width)
    for row in tbl.iter(qn("w:tr")):
        cells = row.findall(qn("w:tc"))
        for index, cell in reversed(list(enumerate(cells))):
            if index not in kept:
                row.remove(cell)
        for cell, width in zip(row.findall(qn("w:tc")), twips):
            properties = cell.find(qn("w:tcPr"))
            size = properties.find(qn("w:tcW")) if properties is not None else None
            if size is not None:
                size.set(qn("w:w"), width)
                size.set(qn("w:type"), "dxa")


def keep_last_rows_with_next(document: Any) -> None:
    """A table followed by text (a note, the signature) takes its last row along to that text's page, so no
    page holds only the note and the signature (GB/T 9704 7.3.5; the PDF's ``break-before: avoid``)."""
    for tbl in document.element.body.iterchildren(qn("w:tbl")):
        following = tbl.getnext()
        if following is None or following.tag != qn("w:p") or not "".join(following.itertext()).strip():
            continue
        rows = tbl.findall(qn("w:tr"))
        if len(rows) < 2:
            continue
        for paragraph in rows[-1].iter(qn("w:p")):
            ppr = paragraph.find(qn("w:pPr"))
            if ppr is None:
                ppr = paragraph.makeelement(qn("w:pPr"), {})
                paragraph.insert(0, ppr)
            if ppr.find(qn("w:keepNext")) is None:
                keep = ppr.makeelement(qn("w:keepNext"), {})
                style = ppr.find(qn("w:pStyle"))
                (style.addnext(keep) if style is not None else ppr.insert(0, keep))
