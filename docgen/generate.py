"""The one way through: validate → build context → render DOCX and/or PDF, as bytes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from docgen.calendar import HolidayCalendar, default_calendar
from docgen.config import Settings
from docgen.doctypes.common import BuildEnv
from docgen.doctypes.registry import get_doctype
from docgen.errors import ConfigurationProblem

if TYPE_CHECKING:
    from docgen.render.marks import Marks

FORMATS = ("docx", "pdf")
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@dataclass
class Generated:
    """The rendered files of one document and the warnings met on the way."""

    slug: str
    files: dict[str, bytes] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    summary: dict[str, Any] | None = None  # internal-only figures (e.g. withheld cases), never printed
    due: Any = None  # the deadline the document sets (an 意见书's rectification deadline), when it sets one


def load_calendar(settings: Settings) -> HolidayCalendar:
    """The holiday calendar of the configured data directories; bad data is a configuration problem."""
    try:
        return default_calendar(settings.holiday_dirs, settings.holiday_region)
    except ValueError as exc:
        raise ConfigurationProblem(f"节假日数据有误：{exc}") from exc


def prepare(slug: str, data: Any, settings: Settings | None = None) -> tuple[Any, dict[str, Any]]:
    """Validate ``data`` and build its context; raise InvalidData or UnknownDocType."""
    doctype, _, context = prepare_cleaned(slug, data, settings)
    return doctype, context


def prepare_cleaned(slug: str, data: Any, settings: Settings | None = None) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """Like ``prepare``, also returning the cleaned data (control characters removed, 10.0 → 10)."""
    settings = settings or Settings.from_env()
    doctype = get_doctype(slug, settings)
    cleaned = doctype.validate(data)
    env = BuildEnv(calendar=load_calendar(settings))
    return doctype, cleaned, doctype.build_context(cleaned, env)


def generate(slug: str, data: Any, formats: Iterable[str] = FORMATS, settings: Settings | None = None,
             marks: Marks | None = None) -> Generated:
    """Validate and render a document in the requested formats, with optional marks (watermark, QR)."""
    settings = settings or Settings.from_env()
    doctype, context = prepare(slug, data, settings)
    return render_prepared(doctype, context, formats, settings, marks)


def render_prepared(doctype: Any, context: dict[str, Any], formats: Iterable[str], settings: Settings,
                    marks: Marks | None = None) -> Generated:
    """Render an already validated document's context in the requested formats.

    The PDF comes first: its layout decides where the 版记 goes, and the DOCX puts it in the same place.
    """
    formats = list(formats)
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown:
        raise ValueError(f"unknown format {unknown[0]!r}")
    result = Generated(slug=doctype.slug, warnings=list(context["warnings"]), summary=context.get("internal_summary"),
                       due=context.get("deadline_due"))
    placement = None
    # Each renderer pauses the garbage collector itself, once it runs (docgen.render.gc_pause).
    if "pdf" in formats or context.get("imprint"):
        from docgen.render.pdf import imprint_placement, render_pdf_placed  # the PDF engine, when needed
    if "pdf" in formats:
        result.files["pdf"], placement = render_pdf_placed(doctype.html_template, context, settings, marks)
    elif context.get("imprint"):
        placement = imprint_placement(doctype.html_template, context, settings)
    if "docx" in formats:
        from docgen.render.docx import render_docx  # python-docx and docxtpl, when needed
        placed = {**context, "imprint_page": placement.as_context() if placement else None}
        result.files["docx"] = render_docx(doctype.docx_template, placed, marks)
    result.files = {fmt: result.files[fmt] for fmt in formats}  # in the order asked for
    return result
