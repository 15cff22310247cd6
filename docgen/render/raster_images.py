"""Seals and QR codes handed to WeasyPrint in the form it keeps, and their PDF streams made once.

A seal is a palette PNG with a transparent background. WeasyPrint converts such an
image to RGBA when it reads it and, as the result is no longer the PNG it read,
compresses it again at the default level; when it writes the PDF it decodes that,
splits off the alpha channel and compresses both once more. For a 600 × 600 seal
that was a fifth of a sealed letter's render, for every letter.

- ``prepared(data)`` (used by docgen.render.fetcher for ``data:image/png`` URIs)
  makes the same conversion WeasyPrint would (``RGBA`` if the PNG has a transparent
  colour, ``RGB`` for palette, 1-bit and 32-bit integer images), saved quickly
  (compression level 1), once per distinct image: WeasyPrint then takes the bytes
  as they are. Images it would not convert, or that carry EXIF or ICC data, are
  left alone.
- The PNG data of an image's PDF stream (``RasterImage._get_png_data``) is kept per
  pixel content, so the seal's streams are compressed once per process.

The PDF is byte for byte the same (tests/test_performance.py). The second part
wraps a private method, so both are used only on the WeasyPrint versions they were
checked on.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from docgen.bounded_cache import BoundedBytes
from docgen.render.weasy_patches import checked
from weasyprint import images

CHECKED_VERSIONS = ("70.",)
ORIGINAL = images.RasterImage._get_png_data
MAX_BYTES = 16 * 1024 * 1024  # of kept results, each table (prepared images, stream data) on its own
STATS = {"prepared": 0, "streams": 0}


_PREPARED = BoundedBytes(MAX_BYTES)
_STREAMS = BoundedBytes(MAX_BYTES)


def prepared(data: bytes) -> bytes:
    """``data`` (PNG bytes) in the mode WeasyPrint would convert it to, or ``data`` itself."""
    if not INSTALLED or not data.startswith(b"\x89PNG"):
        return data
    key = hashlib.blake2b(data, digest_size=16).digest()
    found = _PREPARED.get(key)
    if found is None:
        found = _convert(data)
        _PREPARED.put(key, found)
    return found


def _convert(data: bytes) -> bytes:
    from PIL import Image
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG" or "exif" in image.info or "icc_profile" in image.info:
                return data
            if "transparency" in image.info:
                converted = image.convert("RGBA")
            elif image.mode in ("1", "P", "I"):
                converted = image.convert("RGB")
            else:
                return data
            out = io.BytesIO()
            converted.save(out, format="PNG", compress_level=1)
    except Exception:  # noqa: BLE001  (a broken image is WeasyPrint's to report, as it always was)
        return data
    STATS["prepared"] += 1
    return out.getvalue()


def _png_data(pillow_image: Any) -> bytes:
    pixels = pillow_image.tobytes()
    key = (pillow_image.mode, pillow_image.size, hashlib.blake2b(pixels, digest_size=16).digest())
    found = _STREAMS.get(key)
    if found is None:
        found = ORIGINAL(pillow_image)
        _STREAMS.put(key, found)
        STATS["streams"] += 1
    return found


def clear() -> None:
    _PREPARED.clear()
    _STREAMS.clear()


def install() -> bool:
    if not checked(CHECKED_VERSIONS, "image preparation", "seals are converted and compressed for every PDF"):
        return False
    images.RasterImage._get_png_data = staticmethod(_png_data)
    return True


def uninstall() -> None:
    """WeasyPrint's own handling again (for the identity test)."""
    global INSTALLED
    images.RasterImage._get_png_data = staticmethod(ORIGINAL)
    INSTALLED = False


def reinstall() -> None:
    global INSTALLED
    INSTALLED = install()


INSTALLED = install()
