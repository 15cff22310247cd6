"""Benchmark: p50/p95 of DOCX and PDF rendering per sample, warm and cold, against LibreOffice.

Usage: python scripts/bench.py [--seconds S] [--cold-runs N] [--lo-runs N] [--only SUBSTRING] [--json FILE]

Warm: the same process renders the sample again and again (fonts, templates, calendar loaded); as in the
service, the garbage collection a render owes runs after its result is handed over, outside the timing.
Cold: a fresh interpreter renders it once (imports excluded, everything else included).
LibreOffice: `soffice --convert-to pdf` of the same DOCX, a fresh process each time, like cold.
Prints figures and asserts nothing: speed is a figure, not a test.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docgen.doctypes.registry import load_registry  # noqa: E402
from docgen.fonts import FONT_DIR  # noqa: E402
from docgen.generate import prepare  # noqa: E402
from docgen.render import render_docx, render_pdf  # noqa: E402
from docgen.render import gc_pause  # noqa: E402
from docgen.render.pdf import harfbuzz_subset_available  # noqa: E402

COLD_SNIPPET = """
import json, sys, time
from docgen.generate import prepare
from docgen.render import render_docx, render_pdf
data = json.load(open(sys.argv[2], encoding="utf-8"))
start = time.perf_counter()
doctype, context = prepare(sys.argv[1], data)
if sys.argv[3] == "docx":
    render_docx(doctype.docx_template, context)
else:
    render_pdf(doctype.html_template, context)
print(time.perf_counter() - start)
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def timed(action: Callable[[], Any], seconds: float, collections: list[float] | None = None) -> list[float]:
    """Run ``action`` after one warm-up for about ``seconds`` (5 to 30 runs), as the service runs a render: the
    collection it owes runs after the result is handed over, outside the timing (into ``collections``)."""
    start = time.perf_counter()
    action()
    first = time.perf_counter() - start
    runs = max(5, min(30, int(seconds / max(first, 1e-3))))
    out = []
    for _ in range(runs):
        with gc_pause.collections_deferred():
            start = time.perf_counter()
            action()
            out.append(time.perf_counter() - start)
            start = time.perf_counter()
            gc_pause.collect_if_idle()
            if collections is not None:
                collections.append(time.perf_counter() - start)
    return out


def cold(slug: str, sample: Path, fmt: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        output = subprocess.run([sys.executable, "-c", COLD_SNIPPET, slug, str(sample), fmt], cwd=ROOT,
                                capture_output=True, text=True, check=True)
        times.append(float(output.stdout.strip().splitlines()[-1]))
    return times


def libreoffice(docx: bytes, runs: int) -> list[float]:
    soffice = shutil.which("soffice")
    if not soffice or not runs:
        return []
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "doc.docx"
        source.write_bytes(docx)
        env = {**os.environ, "FONTCONFIG_FILE": str(FONT_DIR / "fonts.conf"), "HOME": tmp}
        command = [soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to", "pdf",
                   "--outdir", tmp, str(source)]
        subprocess.run(command, capture_output=True, env=env, check=True)  # the first run creates the profile
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, env=env, check=True)
            times.append(time.perf_counter() - start)
    return times


def pages(pdf: bytes) -> int:
    import pdfplumber
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def ms(values: list[float]) -> str:
    if not values:
        return f"{'—':>8} {'—':>8}"
    return f"{percentile(values, 50) * 1000:8.0f} {percentile(values, 95) * 1000:8.0f}"


def bench_sample(slug: str, sample: Path, args: argparse.Namespace) -> dict[str, Any]:
    doctype, context = prepare(slug, json.loads(sample.read_text("utf-8")))
    docx = render_docx(doctype.docx_template, context)
    pdf = render_pdf(doctype.html_template, context)
    row: dict[str, Any] = {"sample": sample.name, "pages": pages(pdf)}
    actions = {"docx": lambda: render_docx(doctype.docx_template, context),
               "pdf": lambda: render_pdf(doctype.html_template, context)}
    for fmt, action in actions.items():
        row[fmt] = {"warm": timed(action, args.seconds), "cold": cold(slug, sample, fmt, args.cold_runs)}
        print(f"{sample.name:<26}{row['pages']:>5} {fmt:<5}{ms(row[fmt]['warm'])}{ms(row[fmt]['cold'])}", flush=True)
    row["libreoffice"] = libreoffice(docx, args.lo_runs)
    if row["libreoffice"]:
        lo = percentile(row["libreoffice"], 50)
        warm, cold_pdf = percentile(row["pdf"]["warm"], 50), percentile(row["pdf"]["cold"] or row["pdf"]["warm"], 50)
        print(f"{'':<26}{'':>5} {'LO':<5}{ms(row['libreoffice'])}{'':>18}  LibreOffice is {lo / warm:.0f}× docgen warm, "
              f"{lo / cold_pdf:.1f}× docgen cold", flush=True)
    return row


def month(cases: int) -> dict[str, Any]:
    """The monthly notice with ``cases`` cases (the 200-case sample, repeated), warm, split and in one pass."""
    import dataclasses

    from docgen.config import Settings
    from docgen.render.pdf import render_pdf_placed
    data = json.loads((ROOT / "samples" / "disclosure-long.json").read_text("utf-8"))
    base = list(data["cases"])
    data["cases"] = [{**case, "decision_number": f"昌市监罚〔2026〕{n + 1}号"}
                     for n, case in enumerate((base * (cases // len(base) + 1))[:cases])]
    row: dict[str, Any] = {"cases": cases}
    for split in (True, False):
        settings = dataclasses.replace(Settings.from_env(), table_split=split, sync_max_pages=10_000)
        doctype, context = prepare("disclosure", data, settings)

        def whole() -> bytes:
            _, ctx = prepare("disclosure", data, settings)
            return render_pdf_placed(doctype.html_template, ctx, settings)[0]
        pdf = whole()
        row["pages"] = pages(pdf)
        collections: list[float] = []
        row["split" if split else "one_pass"] = timed(whole, 1.0, collections)
        row.setdefault("collection", collections)
    print(f"{f'month, {cases} cases':<26}{row['pages']:>5} {'PDF':<5}{ms(row['split'])}{'':>18}  "
          f"(one process, no split: {ms(row['one_pass']).split()[0]} ms)", flush=True)
    print(f"{'':<26}{'':>5} {'GC':<5}{ms(row['collection'])}{'':>18}  the collection after the PDF is handed over",
          flush=True)
    return row


def cli_cold(fmt: str, runs: int) -> list[float]:
    """``docgen render`` end to end: process start to file written."""
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([str(Path(sys.executable).parent / "docgen"), "render", "opinion",
                            str(ROOT / "samples" / "opinion.json"), "-o", tmp, "--format", fmt],
                           capture_output=True, check=True, cwd=ROOT)
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="time budget per warm measurement")
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--lo-runs", type=int, default=3)
    parser.add_argument("--only", default="", help="benchmark only samples whose name contains this")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    subset = "yes" if harfbuzz_subset_available() else "NO — PDFs ~10× slower"
    speed = [machine_speed_s()]
    print(f"docgen bench — {os.cpu_count()} cores, HarfBuzz subset: {subset}, machine speed: {speed[0]:.2f} s "
          f"for {SPEED_LOOP:,} pure-Python additions (lower is faster)")
    print(f"{'sample':<26}{'pages':>5} {'fmt':<5}{'warm p50':>9}{'p95':>9}{'cold p50':>9}{'p95':>9}  (ms)")
    results = [bench_sample(slug, sample, args) for slug, doctype in load_registry().items()
               for sample in doctype.samples if args.only in sample.name]
    months = [month(cases) for cases in (200, 400)] if not args.only else []
    cli = {fmt: cli_cold(fmt, max(3, args.cold_runs)) for fmt in ("docx", "pdf")}
    for fmt, values in cli.items():
        print(f"{'CLI cold, start to file':<26}{'':>5} {fmt:<5}{ms(values)}", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:.0f} MiB")
    speed.append(machine_speed_s())
    print(f"machine speed at the end: {speed[1]:.2f} s")
    if args.json:
        args.json.write_text(json.dumps({"samples": results, "months": months, "cli": cli, "peak_rss_mib": peak,
                                         "machine_speed_s": speed}, indent=2), encoding="utf-8")


SPEED_LOOP = 10_000_000


def machine_speed_s() -> float:
    """Seconds for a fixed pure-Python loop (best of three): how fast this machine is right now. A virtual
    machine's speed can change several-fold within a day; figures are comparable only at a similar speed."""
    best = float("inf")
    for _ in range(3):
        start, total = time.perf_counter(), 0
        for i in range(SPEED_LOOP):
            total += i
        best = min(best, time.perf_counter() - start)
    return best


if __name__ == "__main__":
    main()
