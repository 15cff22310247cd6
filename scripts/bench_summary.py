"""One table of the figures the performance issue targets, from the JSON of bench.py and bench_http.py.

Usage: python scripts/bench_summary.py BENCH_JSON HTTP_JSON [BATCH_JSON]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SPEED_LOOP_TEXT = "10,000,000 pure-Python additions, best of three"


def p50(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] * 1000 if ordered else float("nan")


def main() -> None:
    bench = json.loads(Path(sys.argv[1]).read_text("utf-8"))
    http = json.loads(Path(sys.argv[2]).read_text("utf-8"))
    opinion = next(s for s in bench["samples"] if s["sample"] == "opinion.json")
    months = {m["cases"]: m for m in bench["months"]}
    rows = [
        ("opinion DOCX, warm p50", f"{p50(opinion['docx']['warm']):.1f} ms", "≤ 7.6 ms"),
        ("opinion PDF (2 pages), warm p50", f"{p50(opinion['pdf']['warm']):.0f} ms", "≤ 60 ms"),
        ("LibreOffice, same DOCX → PDF, p50", f"{p50(opinion['libreoffice']):.0f} ms", "(peer)"),
    ]
    for cases, month in sorted(months.items()):
        rows.append((f"{cases}-case month PDF ({month['pages']} pages), warm",
                     f"{p50(month['split']):.0f} ms (one pass {p50(month['one_pass']):.0f})", "≤ 2000 ms" if cases == 200 else ""))
    rows += [
        ("HTTP preview DOCX", f"{http['preview DOCX']['rps']:.0f} req/s", "≥ 150 req/s"),
        ("HTTP preview PDF", f"{http['preview PDF']['rps']:.1f} docs/s", "≥ 30 docs/s"),
        ("HTTP issue (DOCX + PDF + archive + number)", f"{http['issue']['rps']:.1f}/s", "≥ 20/s"),
        ("first request after worker start", f"{http['first_request']['first_ms']:.0f} ms "
         f"(warm {http['first_request']['warm_p50_ms']:.0f})", "≤ 2× warm"),
        *([("first request after make serve started", f"{http['dev_server_first_request']['first_ms']:.0f} ms "
            f"(warm {http['dev_server_first_request']['warm_p50_ms']:.0f})", "")]
          if "dev_server_first_request" in http else []),
        ("CLI cold, start to file: DOCX / PDF", f"{p50(bench['cli']['docx']):.0f} / {p50(bench['cli']['pdf']):.0f} ms",
         "≤ 300 / ≤ 500 ms"),
        ("peak RSS per HTTP worker", ", ".join(f"{p:.0f}" for p in http["worker_peak_rss_mib"]) + " MiB", ""),
    ]
    if len(sys.argv) > 3:
        rows += batch_rows(json.loads(Path(sys.argv[3]).read_text("utf-8")))
    width = max(len(r[0]) for r in rows) + 2
    if "machine_speed_s" in bench:  # the same loop takes 0.4–4 s on this VM at different times of day
        start, end = bench["machine_speed_s"]
        print(f"\nmachine speed: {start:.2f} s at the start, {end:.2f} s at the end of bench.py "
              f"({SPEED_LOOP_TEXT}; lower is faster)")
    print(f"\n{'path':<{width}}{'measured':<34}target")
    for name, value, target in rows:
        print(f"{name:<{width}}{value:<34}{target}")


def batch_rows(batch: dict) -> list[tuple[str, str, str]]:
    """The monthly batch end to end: wall time and peak memory, in-process and on Celery workers."""
    name = f"batch {batch['cases']} cases / {batch['units']} units"
    rows = []
    for label, run in (("in-process", batch["in_process"]), ("Celery", batch.get("celery"))):
        if run:
            rows.append((f"{name}, {label}", f"{run['wall_s']} s, PSS {run['peak_pss_mib']} MiB "
                         f"(RSS {run['peak_rss_mib']})", "≤ 60 s, ≤ 500 MB"))
    return rows


if __name__ == "__main__":
    main()
