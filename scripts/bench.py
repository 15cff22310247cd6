"""Benchmark: p50/p95 of DOCX and PDF rendering per sample, warm and cold, against LibreOffice.

Usage: python scripts/bench.py [--runs N] [--cold-runs N] [--lo-runs N] [--json FILE]
Prints figures; asserts nothing (speed is a figure, not a test).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docgen.calendar import default_calendar  # noqa: E402
from docgen.doctypes.common import BuildEnv  # noqa: E402
from docgen.doctypes.registry import load_registry  # noqa: E402
from docgen.render import render_docx, render_pdf  # noqa: E402
from docgen.fonts import FONT_DIR  # noqa: E402
from docgen.render.pdf import harfbuzz_subset_available  # noqa: E402

COLD_SNIPPET = """
import json, sys, time
from docgen.calendar import default_calendar
from docgen.doctypes.common import BuildEnv
from docgen.doctypes.registry import get_doctype
from docgen.render import render_docx, render_pdf
doctype = get_doctype(sys.argv[1])
data = json.load(open(sys.argv[2], encoding="utf-8"))
start = time.perf_counter()
context = doctype.build_context(doctype.validate(data), BuildEnv(calendar=default_calendar()))
if sys.argv[3] == "docx":
    render_docx(doctype.docx_template, context)
else:
    render_pdf(doctype.html_template, context)
print(time.perf_counter() - start)
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def timed(action: Callable[[], Any], runs: int) -> list[float]:
    action()  # warm-up
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        out.append(time.perf_counter() - start)
    return out


def cold(slug: str, sample: Path, fmt: str, runs: int) -> list[float]:
    """First render in a fresh interpreter (imports excluded): fonts, templates, calendar load."""
    times = []
    for _ in range(runs):
        output = subprocess.run([sys.executable, "-c", COLD_SNIPPET, slug, str(sample), fmt], cwd=ROOT,
                                capture_output=True, text=True, check=True)
        times.append(float(output.stdout.strip().splitlines()[-1]))
    return times


def libreoffice(docx: bytes, runs: int) -> list[float] | None:
    soffice = shutil.which("soffice")
    if not soffice:
        return None
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "doc.docx"
        source.write_bytes(docx)
        env = {**os.environ, "FONTCONFIG_FILE": str(FONT_DIR / "fonts.conf"), "HOME": tmp}
        profile = f"-env:UserInstallation=file://{tmp}/profile"
        subprocess.run([soffice, profile, "--headless", "--convert-to", "pdf", "--outdir", tmp, str(source)],
                       capture_output=True, env=env, check=True)  # first run creates the profile
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([soffice, profile, "--headless", "--convert-to", "pdf", "--outdir", tmp, str(source)],
                           capture_output=True, env=env, check=True)
            times.append(time.perf_counter() - start)
    return times


def ms(values: list[float] | None) -> str:
    if not values:
        return "      —         —"
    return f"{percentile(values, 50) * 1000:8.1f} {percentile(values, 95) * 1000:8.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--lo-runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    print(f"docgen bench — {os.cpu_count()} cores, HarfBuzz subset: {'yes' if harfbuzz_subset_available() else 'NO (slow)'}")
    print(f"{'sample':<28}{'pages':>5} {'fmt':<5}{'warm p50':>9}{'p95':>9}{'cold p50':>9}{'p95':>9}  (ms)")
    results: list[dict[str, Any]] = []
    env = BuildEnv(calendar=default_calendar())
    for slug, doctype in load_registry().items():
        for sample in doctype.samples:
            context = doctype.build_context(doctype.validate(json.loads(sample.read_text("utf-8"))), env)
            docx = render_docx(doctype.docx_template, context)
            pdf = render_pdf(doctype.html_template, context)
            pages = _pages(pdf)
            row: dict[str, Any] = {"sample": sample.name, "pages": pages}
            for fmt, action in (("docx", lambda: render_docx(doctype.docx_template, context)),
                                ("pdf", lambda: render_pdf(doctype.html_template, context))):
                warm = timed(action, args.runs)
                cold_times = cold(slug, sample, fmt, args.cold_runs) if args.cold_runs else []
                row[fmt] = {"warm": warm, "cold": cold_times}
                print(f"{sample.name:<28}{pages:>5} {fmt:<5}{ms(warm)}{ms(cold_times)}")
            lo = libreoffice(docx, args.lo_runs) if args.lo_runs else None
            row["libreoffice"] = lo
            if lo:
                ratio = percentile(lo, 50) / percentile(row["pdf"]["warm"], 50)
                print(f"{'':<28}{'':>5} {'LO':<5}{ms(lo)}   LibreOffice DOCX→PDF; docgen PDF is {ratio:.0f}× faster")
            results.append(row)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:.0f} MiB")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


def _pages(pdf: bytes) -> int:
    import io

    import pdfplumber
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


if __name__ == "__main__":
    main()
