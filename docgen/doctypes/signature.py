"""The signature block: 署名, 成文日期 and the seal, placed per GB/T 9704 7.3.5."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import math
import warnings
from datetime import date
from typing import Any

from docgen.bounded_cache import BoundedBytes
from docgen.dates import format_date_cn
from docgen.errors import InvalidData, Issue
from docgen.text import text_width

SEAL_MAX_BYTES = 1_000_000
MAX_SEAL_PIXELS = 3000  # refuse larger sources outright
SEAL_PIXELS = 800  # ≈ 480 dpi at 42 mm: sharp in print, small in the file
CHAR_MM = 16 / 72 * 25.4  # one 3号 character
BODY_MM = CHAR_MM  # the height of a 3号 line's characters
PITCH_MM = 28.95 / 72 * 25.4  # one grid line


def signature_context(name: str, issued: date, spec: dict[str, Any], seal_mm: float = 42) -> dict[str, Any]:
    """Signature block geometry per GB/T 9704 7.3.5, in body-character units from the right."""
    date_text = format_date_cn(issued)
    name_w, date_w = text_width(name), text_width(date_text)
    sealed = spec.get("sealed", True)
    if sealed:  # date 右空四字; name centred over the date
        date_right, name_right = 4.0, max(0.0, 4.0 + (date_w - name_w) / 2)
    elif date_w + 2 <= name_w:  # name 右空二字; date starts two characters right of the name
        name_right, date_right = 2.0, name_w - date_w
    else:
        date_right, name_right = 2.0, date_w + 4 - name_w
    seal = _seal_png(name, spec) if sealed else None
    diameter = float(spec.get("seal_diameter_mm", seal_mm))
    # The seal is centred on the date; its top touches the line box of the last body line, two blank lines above
    # the name (GB/T 9704 7.3.5.1: at most one line below the text), so name and date sit below its centre.
    seal_right = (date_right + date_w / 2) * CHAR_MM - diameter / 2
    seal_top = -2 * PITCH_MM
    # The 附注 goes on the line after the date, or lower: its characters start below the seal's box.
    glyph_top = (PITCH_MM - BODY_MM) / 2
    clearance = seal_top + diameter - (2 * PITCH_MM + glyph_top) if sealed else 0.0
    note_lines = max(0, math.ceil(clearance / PITCH_MM - 1e-6))
    return {"name": name, "date_text": date_text, "sealed": sealed, "seal": seal,
            "name_right": name_right, "date_right": date_right, "note_lines": note_lines,
            "seal_mm": round(diameter, 2), "seal_right_mm": round(seal_right, 2), "seal_top_mm": round(seal_top, 2)}


def _seal_png(name: str, spec: dict[str, Any]) -> bytes | None:
    if "seal_image" in spec:
        return decode_seal(spec["seal_image"])
    if not spec.get("demo_seal"):
        return None
    from docgen.seal import demo_seal_png  # Pillow, only when a seal is drawn
    return demo_seal_png(name)


def decode_seal(encoded: str, path: str = "/signature/seal_image") -> bytes:
    """Decode and check a Base64 seal image; return it as PNG bytes of at most SEAL_PIXELS a side."""
    try:
        raw = base64.b64decode(encoded.split(",", 1)[-1], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidData([Issue(path, "bad_base64", "印章图片不是有效的 Base64 编码")]) from exc
    return normalise_seal(raw, path)


_NORMALISED = BoundedBytes(16 * 1024 * 1024)  # a unit's seal comes with every letter it issues: checked once


def normalise_seal(raw: bytes, path: str = "/signature/seal_image") -> bytes:
    """Check a PNG or JPEG seal (size, pixels, completeness) and return it as PNG bytes (the same bytes for the
    same seal: a seal checked before is not decoded and compressed again)."""
    if len(raw) > SEAL_MAX_BYTES:
        raise InvalidData([Issue(path, "too_large", "印章图片不得超过 1 MB")])
    key = hashlib.blake2b(raw, digest_size=16).digest()
    found = _NORMALISED.get(key)
    if found is None:
        found = _normalised(raw, path)
        _NORMALISED.put(key, found)
    return found


def _normalised(raw: bytes, path: str) -> bytes:
    from PIL import Image, UnidentifiedImageError  # only for a document that brings its seal

    bad_image = InvalidData([Issue(path, "bad_image", "无法识别印章图片或图片不完整，请上传完整的 PNG 或 JPEG")])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw), formats=("PNG", "JPEG")) as image:
                if max(image.size) > MAX_SEAL_PIXELS:
                    raise InvalidData([Issue(path, "too_large", f"印章图片边长不得超过 {MAX_SEAL_PIXELS} 像素")])
                _check_complete(raw, image.format)
                image = image.convert("RGBA")
                image.thumbnail((SEAL_PIXELS, SEAL_PIXELS))
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise bad_image from exc
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _check_complete(raw: bytes, fmt: str | None) -> None:
    """Refuse a truncated or corrupt file even though WeasyPrint lets Pillow pad truncated images process-wide."""
    if fmt == "PNG":
        from PIL import Image

        with Image.open(io.BytesIO(raw)) as fresh:
            fresh.verify()  # reads every chunk to IEND and checks its CRC
    elif not raw.rstrip(b"\x00").endswith(b"\xff\xd9"):  # a JPEG ends with its EOI marker
        raise OSError("JPEG without end-of-image marker")
