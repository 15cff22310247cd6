"""Draw the demo seal (clearly marked 样章) used by samples and tests: samples/assets/sample-seal.png."""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONT = ROOT / "docgen" / "render" / "fonts" / "FandolSong-Bold.otf"
RED = (230, 0, 18, 255)
SIZE = 600


def draw_seal(ring_text: str = "昌吉市司法局演示专用", centre_text: str = "样章") -> Image.Image:
    """A round red seal: ring text, star, and 样章 across the middle."""
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.ellipse((12, 12, SIZE - 12, SIZE - 12), outline=RED, width=22)
    _star(pen, SIZE / 2, SIZE / 2 - 20, 80)
    big = ImageFont.truetype(str(FONT), 96)
    pen.text((SIZE / 2, SIZE / 2 + 140), centre_text, font=big, fill=RED, anchor="mm")
    small = ImageFont.truetype(str(FONT), 64)
    span = math.radians(220)
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


if __name__ == "__main__":
    out = ROOT / "samples" / "assets" / "sample-seal.png"
    draw_seal().quantize(colors=16).save(out, optimize=True)
    print(out, out.stat().st_size)
