"""Workspace figures: form page time, preview round trip per type, and 20 signed-in users previewing at once.

Usage: python scripts/bench_ui.py [--users 20] [--rounds 5]
Server time is measured in-process (the Flask test client); the concurrent run goes through gunicorn
(gunicorn.conf.py) on loopback, each simulated user with their own session, as a browser would.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.cookiejar
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from docgen import create_app  # noqa: E402
from docgen.config import Settings  # noqa: E402
from docgen.doctypes.registry import load_registry  # noqa: E402
from docgen.store.db import session_scope  # noqa: E402
from docgen.store.migrate import upgrade  # noqa: E402
from docgen.store.users import create_user  # noqa: E402
from conftest import register_units  # noqa: E402
from servers import gunicorn  # noqa: E402
from webforms import csrf_token, read_form  # noqa: E402

PASSWORD = "correct horse battery"
FORM = "application/x-www-form-urlencoded"


def _encoded(pairs: list[tuple[str, str]]) -> str:
    return urllib.parse.urlencode(pairs)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def in_process(settings: Settings, rounds: int) -> None:
    app = create_app({"TESTING": True, "DOCGEN_SETTINGS": settings})
    client = app.test_client()
    page = client.get("/ui/login").get_data(as_text=True)
    client.post("/ui/login", data={"username": "user0", "password": PASSWORD, "csrf_token": csrf_token(page)})
    print(f"{'type':<15}{'form p50 ms':>12}{'form p95':>10}{'preview p50 ms':>16}{'preview p95':>13}{'pages':>7}")
    for slug in load_registry(settings):
        form_times = []
        for _ in range(rounds * 4):
            start = time.perf_counter()
            html = client.get(f"/ui/new/{slug}").get_data(as_text=True)
            form_times.append(time.perf_counter() - start)
        sample = client.post(f"/ui/edit/{slug}", data=_encoded([*read_form(html).fields, ("action", "sample")]),
                             content_type=FORM).get_data(as_text=True)
        fields = _encoded([*read_form(sample).fields, ("action", "preview")])
        preview_times, pages = [], 0
        for _ in range(rounds + 1):
            start = time.perf_counter()
            answer = client.post(f"/ui/edit/{slug}", data=fields, content_type=FORM, headers={"X-Docgen-Fetch": "1"})
            preview_times.append(time.perf_counter() - start)
            pages = answer.get_data(as_text=True).count("<img ")
            assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
        preview_times = preview_times[1:]  # the first one warms the fonts
        print(f"{slug:<15}{percentile(form_times, 50) * 1000:12.1f}{percentile(form_times, 95) * 1000:10.1f}"
              f"{percentile(preview_times, 50) * 1000:16.0f}{percentile(preview_times, 95) * 1000:13.0f}{pages:7d}", flush=True)


def signed_in_opener(base: str, username: str) -> tuple[urllib.request.OpenerDirector, list[tuple[str, str]]]:
    """A browser-like client: its own cookie jar, signed in, holding the opinion sample's form."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"{base}/ui/login").read().decode()
    opener.open(f"{base}/ui/login", urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrf_token": csrf_token(page)}).encode()).read()
    html = opener.open(f"{base}/ui/new/opinion").read().decode()
    filled = opener.open(f"{base}/ui/edit/opinion", urllib.parse.urlencode(
        [*read_form(html).fields, ("action", "sample")]).encode()).read().decode()
    return opener, [*read_form(filled).fields, ("action", "preview")]


def concurrent(base: str, users: int, rounds: int) -> None:
    clients = [signed_in_opener(base, f"user{n}") for n in range(users)]
    errors: list[str] = []
    latencies: list[float] = []

    def work(n: int) -> None:
        opener, fields = clients[n]
        body = urllib.parse.urlencode(fields).encode()
        for _ in range(rounds):
            request = urllib.request.Request(f"{base}/ui/edit/opinion", data=body, headers={"X-Docgen-Fetch": "1"})
            start = time.perf_counter()
            try:
                with opener.open(request, timeout=120) as response:
                    text = response.read().decode()
                    if "<img " not in text:
                        errors.append("no page images")
            except Exception as exc:  # every failure counts, whatever its kind
                errors.append(f"{type(exc).__name__}: {exc}")
            latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    with ThreadPoolExecutor(users) as pool:
        list(pool.map(work, range(users)))
    elapsed = time.perf_counter() - start
    print(f"\n{users} signed-in users × {rounds} previews of the opinion sample through gunicorn: "
          f"{len(latencies)} previews in {elapsed:.1f} s ({len(latencies) / elapsed:.1f}/s), "
          f"p50 {percentile(latencies, 50) * 1000:.0f} ms, p95 {percentile(latencies, 95) * 1000:.0f} ms, "
          f"errors {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        instance = Path(folder) / "instance"
        settings = dataclasses.replace(Settings.from_env(), instance_dir=instance, rate_limits=False)
        upgrade(settings.effective_database_url)
        register_units(settings)
        with session_scope(settings.effective_database_url) as session:
            for n in range(args.users):
                create_user(session, f"user{n}", PASSWORD, "judicial", None)
        in_process(settings, args.rounds)
        env = {"DOCGEN_INSTANCE_DIR": str(instance), "DOCGEN_RATE_LIMITS": "off"}
        with gunicorn(env, workers=4) as base:
            concurrent(base, args.users, args.rounds)


if __name__ == "__main__":
    main()
