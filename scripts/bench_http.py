"""HTTP load figures against gunicorn (the shipped gunicorn.conf.py) on loopback, with wrk as the load generator.

Usage: python scripts/bench_http.py [--seconds 30] [--connections 16] [--workers 4] [--threads 16]
                                    [--database-url URL] [--json FILE]
Scenarios: preview DOCX, preview PDF, issue (validate + number + DOCX + PDF + archive), each for --seconds.
Also: the first request a freshly started worker answers, against its warm p50 (gunicorn, and `make serve`'s
flask run once it has warmed up), and each worker's peak RSS.
Without wrk (Debian package `wrk`, installed by `make setup-test`) a Python thread pool stands in.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from docgen.doctypes.registry import load_registry  # noqa: E402
from docgen.store.db import session_scope  # noqa: E402
from docgen.store.migrate import upgrade  # noqa: E402
from docgen.store.tokens import create_token  # noqa: E402
from docgen.store.units import add_unit  # noqa: E402
from servers import flask_run, gunicorn  # noqa: E402

WRK_SCRIPT = """
wrk.method = "POST"
local f = io.open(os.getenv("DOCGEN_BENCH_BODY"), "rb")
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("DOCGEN_BENCH_TOKEN")
"""
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _post(url: str, body: bytes, token: str) -> float:
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as response:
        response.read()
        if response.status >= 300:
            raise RuntimeError(f"HTTP {response.status}")
    return time.perf_counter() - start


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def with_wrk(url: str, body: bytes, token: str, seconds: int, connections: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        body_file, script = Path(tmp) / "body.json", Path(tmp) / "post.lua"
        body_file.write_bytes(body)
        script.write_text(WRK_SCRIPT, encoding="utf-8")
        env = {"DOCGEN_BENCH_BODY": str(body_file), "DOCGEN_BENCH_TOKEN": token, "PATH": "/usr/bin:/bin"}
        output = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "60s", "--latency",
                                 "-s", str(script), url], capture_output=True, text=True, check=True, env=env).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}  # type: ignore[union-attr]
    for percent in ("50", "99"):
        result[f"p{percent}_ms"] = _ms(re.search(rf"^\s+{percent}%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["errors"] = int(errors.group(1)) if errors else 0
    return result


def with_threads(url: str, body: bytes, token: str, seconds: int, connections: int) -> dict[str, Any]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    def client(_: int) -> None:
        while time.perf_counter() < deadline:
            latencies.append(_post(url, body, token))

    start = time.perf_counter()
    with ThreadPoolExecutor(connections) as pool:
        list(pool.map(client, range(connections)))
    ordered = sorted(latencies)
    return {"rps": len(ordered) / (time.perf_counter() - start), "p50_ms": ordered[len(ordered) // 2] * 1000,
            "p99_ms": ordered[int(len(ordered) * 0.99)] * 1000, "errors": 0}


def worker_peaks(master: int) -> list[float]:
    """Peak resident memory (VmHWM) of each worker of a gunicorn master, in MiB."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    peaks = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024)  # type: ignore[union-attr]
    return peaks


def first_request(env: dict[str, str], pdf_url_path: str, body: bytes, token: str) -> dict[str, float]:
    """A freshly started single worker: its first PDF preview, then its warm median."""
    with gunicorn(env, workers=1, warm=True) as base:
        first = _post(f"{base}{pdf_url_path}", body, token) * 1000
        warm = sorted(_post(f"{base}{pdf_url_path}", body, token) * 1000 for _ in range(15))[7]
    return {"first_ms": first, "warm_p50_ms": warm}


def dev_server_first_request(env: dict[str, str], pdf_url_path: str, body: bytes, token: str) -> dict[str, float]:
    """make serve's server (flask run) once it has warmed up: its first PDF preview, then its warm median."""
    with flask_run(env) as base:
        first = _post(f"{base}{pdf_url_path}", body, token) * 1000
        warm = sorted(_post(f"{base}{pdf_url_path}", body, token) * 1000 for _ in range(15))[7]
    return {"first_ms": first, "warm_p50_ms": warm}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=0, help="threads per worker (default: gunicorn.conf.py's)")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    load = with_wrk if shutil.which("wrk") else with_threads
    results: dict[str, Any] = {"generator": "wrk" if load is with_wrk else "python threads"}
    with tempfile.TemporaryDirectory() as instance:
        url = args.database_url or f"sqlite:///{instance}/docgen.sqlite3"
        upgrade(url)
        with session_scope(url) as session:
            add_unit(session, "昌吉市司法局", None, "judicial", ("昌司执监意",), None)
            token = create_token(session, "judicial", None, "bench")
        sample = load_registry()["opinion"].load_sample()
        sample["doc_number"].pop("seq", None)
        preview = json.dumps(sample, ensure_ascii=False).encode()
        issue = json.dumps({"type": "opinion", "data": sample}, ensure_ascii=False).encode()
        # The sample's date is "today"; no rate limits: this measures throughput, not the limiter.
        env = {"DOCGEN_DATABASE_URL": url, "DOCGEN_INSTANCE_DIR": instance, "DOCGEN_TODAY": sample["issue_date"],
               "DOCGEN_RATE_LIMITS": "off"}
        if args.threads:
            env["DOCGEN_THREADS"] = str(args.threads)
        results["first_request"] = first_request(env, "/api/v1/render/opinion?format=pdf", preview, token)
        results["dev_server_first_request"] = dev_server_first_request(env, "/api/v1/render/opinion?format=pdf",
                                                                       preview, token)
        with gunicorn(env, workers=args.workers, warm=True) as base:
            print(f"gunicorn (gunicorn.conf.py) {args.workers} workers, {args.connections} connections, "
                  f"{args.seconds} s per scenario with {results['generator']}; opinion sample (2 pages); "
                  f"database {url.split(':')[0]}")
            print(f"{'scenario':<16}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
            for name, path, body in (("preview DOCX", "/api/v1/render/opinion?format=docx", preview),
                                     ("preview PDF", "/api/v1/render/opinion?format=pdf", preview),
                                     ("issue", "/api/v1/documents", issue)):
                _post(f"{base}{path}", body, token)  # every path once
                figures = load(f"{base}{path}", body, token, args.seconds, args.connections)
                results[name] = figures
                print(f"{name:<16}{figures['rps']:9.1f}{figures['p50_ms']:9.0f}{figures['p99_ms']:9.0f}"
                      f"{figures['errors']:8d}", flush=True)
            results["worker_peak_rss_mib"] = worker_peaks(base.pid)
    first = results["first_request"]
    print(f"first request after worker start: {first['first_ms']:.0f} ms (warm p50 {first['warm_p50_ms']:.0f} ms)")
    dev = results["dev_server_first_request"]
    print(f"first request after make serve started: {dev['first_ms']:.0f} ms (warm p50 {dev['warm_p50_ms']:.0f} ms)")
    print("peak RSS per worker: " + ", ".join(f"{p:.0f}" for p in results["worker_peak_rss_mib"]) + " MiB")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
