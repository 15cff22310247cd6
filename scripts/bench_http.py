"""HTTP load figures: requests/s and p50/p99 latency with 16 concurrent clients against gunicorn on loopback.

Usage: python scripts/bench_http.py [--clients 16] [--requests 200] [--workers 4] [--database-url URL]
Scenarios: preview DOCX, preview PDF, issue (validate + number + DOCX + PDF + archive).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from docgen.doctypes.registry import load_registry  # noqa: E402
from docgen.store.db import session_scope  # noqa: E402
from docgen.store.migrate import upgrade  # noqa: E402
from docgen.store.tokens import create_token  # noqa: E402
from docgen.store.units import add_unit  # noqa: E402
from servers import gunicorn  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _post(url: str, body: bytes, token: str) -> float:
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as response:
        response.read()
        if response.status >= 300:
            raise RuntimeError(f"HTTP {response.status}")
    return time.perf_counter() - start


def scenario(name: str, url: str, body: bytes, token: str, clients: int, count: int) -> None:
    _post(url, body, token)  # warm every path once
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = list(pool.map(lambda _: _post(url, body, token), range(count)))
    elapsed = time.perf_counter() - start
    print(f"{name:<16}{count / elapsed:9.1f}{percentile(latencies, 50) * 1000:9.0f}{percentile(latencies, 99) * 1000:9.0f}",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
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
        with gunicorn(env, workers=args.workers) as base:
            print(f"gunicorn (gunicorn.conf.py) {args.workers} workers, {args.clients} clients, {args.requests} requests each; "
                  f"opinion sample (2 pages); database {url.split(':')[0]}")
            print(f"{'scenario':<16}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}")
            scenario("preview DOCX", f"{base}/api/v1/render/opinion?format=docx", preview, token, args.clients, args.requests)
            scenario("preview PDF", f"{base}/api/v1/render/opinion?format=pdf", preview, token, args.clients, args.requests)
            scenario("issue", f"{base}/api/v1/documents", issue, token, args.clients, args.requests)


if __name__ == "__main__":
    main()
