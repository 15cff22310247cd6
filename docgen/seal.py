"""Demo seals, clearly marked 样章, for previews and samples; never a real organ's seal."""

from __future__ import annotations

import functools
import io
import math

from PIL import Image, ImageDraw, ImageFont

from docgen.fonts import FONT_DIR

FONT = FONT_DIR / "FandolSong-Bold.otf"
RED = (230, 0, 18, 255)
SIZE = 600


@functools.lru_cache(maxsize=32)
def demo_seal_png(issuer: str) -> bytes:
    """PNG bytes of a demo seal for ``issuer``: its name and 演示专用 round the ring, 样章 below the star."""
    buffer = io.BytesIO()
    draw_seal(f"{issuer}演示专用"[:16]).quantize(colors=16).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def draw_seal(ring_text: str, centre_text: str = "样章") -> Image.Image:
    """A round red seal: ring text, star, and 样章 across the middle."""
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.ellipse((12, 12, SIZE - 12, SIZE - 12), outline=RED, width=22)
    _star(pen, SIZE / 2, SIZE / 2 - 20, 80)
    big = ImageFont.truetype(str(FONT), 96)
    pen.text((SIZE / 2, SIZE / 2 + 140), centre_text, font=big, fill=RED, anchor="mm")
    span = math.radians(220)
    spacing = 215 * span / max(1, len(ring_text) - 1)
    small = ImageFont.truetype(str(FONT), int(min(64, spacing * 0.9)))
    for n, char in enumerate(ring_text):
        angle = math.radians(-200) + span * n / max(1, len(ring_text) - 1)
        x, y = SIZE / 2 + 215 * math.cos(angle), SIZE / 2 + 215 * math.sin(angle)
        glyph = Image.new("RGBA", (90, 90), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((45, 45), char, font=small, fill=RED, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.BICUBIC)
        image.alpha_composite(glyph, (int(x - 45), int(y - 45)))
    return image


def _star(pen: ImageDraw.ImageDraw, cx: float, cy: float, radius: float) -> None:
    points = []
    for n in range(10):
        r = radius if n % 2 == 0 else radius * 0.382
        angle = math.radians(-90 + 36 * n)
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    pen.polygon(points, fill=RED)

