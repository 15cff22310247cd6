"""What a user's form of a document type looks like: registry-filled fields, choices, defaults, the sample."""

from __future__ import annotations

import copy
import io
import threading
from dataclasses import dataclass
from typing import Any

from docgen import clock
from docgen.doctypes.registry import DocType
from docgen.store.units import UnitInfo
from docgen.store.users import UserInfo
from docgen.web.ui.schema_form import FormOptions

CARRIED = frozenset({"signature.seal_image"})  # kept as posted, never typed (the registry's seal replaces it)
SKIPPED = frozenset({"issuer.mark"})  # the registry's 标志; a typed one would only be refused at issue time
HINTS = {
    "doc_number.seq": "一般留空，制发时由系统自动编号；手工指定须管理员先开放范围",
    "signature.demo_seal": "只用于预览和培训；制发的文书用单位登记的印章",
    "signature.seal_diameter_mm": "一般留空：制发时取单位登记的印章直径",
}
PREVIEW_PAGES = 30  # page images shown inline; a longer preview is offered as a PDF
PREVIEW_SCALE = 1.25  # 90 dpi: A4 at 744 px wide, sharp enough to read, small enough to send
_PDFIUM = threading.Lock()  # PDFium is not thread-safe


def form_options(doctype: DocType, user: UserInfo, units: list[UnitInfo], data: dict[str, Any]) -> FormOptions:
    """A unit user's issuer is fixed to their unit; the 司法局 picks among registered units; codes come from the registry."""
    properties = doctype.schema["properties"]
    if "issuer" not in properties:
        return FormOptions(carried=CARRIED, skipped=SKIPPED, hints=HINTS)
    active = [u for u in units if u.active]
    issuer = (data.get("issuer") or {}).get("name") if isinstance(data.get("issuer"), dict) else None
    choices: dict[str, tuple[str, ...]] = {}
    fixed: dict[str, str] = {}
    if user.role == "unit" and user.unit:
        fixed["issuer.name"] = user.unit
        codes = [code for u in active if u.name == user.unit for code in u.organ_codes]
    else:
        choices["issuer.name"] = _with(tuple(u.name for u in active), issuer)
        codes = [code for u in active for code in u.organ_codes]
    if "doc_number" in properties:
        current = (data.get("doc_number") or {}).get("organ_code") if isinstance(data.get("doc_number"), dict) else None
        choices["doc_number.organ_code"] = _with(tuple(codes), current)
    return FormOptions(fixed=fixed, choices=choices, carried=CARRIED, skipped=SKIPPED, hints=HINTS)


def _with(options: tuple[str, ...], current: Any) -> tuple[str, ...]:
    """Keep a value the data already has among the options (a template from another year, a sample)."""
    if isinstance(current, str) and current and current not in options:
        return (current, *options)
    return options


def codes_by_unit(units: list[UnitInfo]) -> dict[str, list[str]]:
    """机关代字 per unit, for the page to narrow the code choices when the issuer changes."""
    return {u.name: list(u.organ_codes) for u in units if u.active}


def new_data(doctype: DocType, user: UserInfo, units: list[UnitInfo]) -> dict[str, Any]:
    """A blank form's sensible start: the user's unit as issuer, its first 机关代字, today's date."""
    properties = doctype.schema["properties"]
    today = clock.today()
    data: dict[str, Any] = {}
    unit = next((u for u in units if u.name == user.unit), None) if user.unit else None
    if "issuer" in properties and unit is not None:
        data["issuer"] = {"name": unit.name}
    if "doc_number" in properties:
        data["doc_number"] = {"year": today.year, **({"organ_code": unit.organ_codes[0]} if unit and unit.organ_codes else {})}
    if "issue_date" in properties:
        data["issue_date"] = today.isoformat()
    return data


def sample_for(doctype: DocType, user: UserInfo, units: list[UnitInfo]) -> dict[str, Any]:
    """The type's sample (training); a unit user gets it in their own unit's name."""
    data = copy.deepcopy(doctype.load_sample())
    if user.role == "unit" and user.unit and "issuer" in data:
        data["issuer"] = {"name": user.unit}
        unit = next((u for u in units if u.name == user.unit), None)
        if "doc_number" in data and unit and unit.organ_codes:
            data["doc_number"]["organ_code"] = unit.organ_codes[0]
    return data


def complete(data: dict[str, Any]) -> dict[str, Any]:
    """Fill what the form can infer: the 文号's year is the issue date's."""
    number, issued = data.get("doc_number"), data.get("issue_date")
    if isinstance(number, dict) and "year" not in number and isinstance(issued, str) and issued[:4].isdigit():
        number["year"] = int(issued[:4])
    return data


def label_of(doctype: DocType, data: dict[str, Any]) -> str:
    """A draft's name in lists: its title or recipient, else the type."""
    for key in ("title", "recipient"):
        if isinstance(data.get(key), str) and data[key].strip():
            return f"{doctype.title}：{data[key].strip()}"[:200]
    return doctype.title


@dataclass(frozen=True)
class PageImage:
    """One preview page as a PNG, ready for an <img>."""

    number: int
    png: bytes
    width: int
    height: int


def page_images(pdf: bytes, limit: int = PREVIEW_PAGES) -> tuple[list[PageImage], int]:
    """The first ``limit`` pages of a PDF as PNG images, and the page count."""
    import pypdfium2 as pdfium

    images: list[PageImage] = []
    with _PDFIUM:
        document = pdfium.PdfDocument(pdf)
        try:
            total = len(document)
            for n in range(min(total, limit)):
                page = document[n]
                bitmap = page.render(scale=PREVIEW_SCALE)
                picture = bitmap.to_pil()
                buffer = io.BytesIO()
                picture.convert("RGB").save(buffer, format="PNG", optimize=False, compress_level=3)
                images.append(PageImage(n + 1, buffer.getvalue(), picture.width, picture.height))
                bitmap.close()
                page.close()
        finally:
            document.close()
    return images, total
