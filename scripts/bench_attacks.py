"""What the worst requests cost: the hardening findings' bodies, measured in CPU seconds in one process.

Usage: python scripts/bench_attacks.py
Each row: the request, the answer the service gives, and the CPU time that answer costs.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import resource
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from docgen import create_app  # noqa: E402
from docgen.budget import estimate_pages  # noqa: E402
from docgen.config import Settings  # noqa: E402
from docgen.doctypes.registry import load_registry  # noqa: E402
from docgen.store.migrate import upgrade  # noqa: E402
from conftest import make_token, register_units  # noqa: E402
from test_limits import heavy_month  # noqa: E402


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def narrowest_within_budget(settings: Settings) -> dict:
    """The costliest shape that still fits the budget: 500-character remarks in the 10 mm column."""
    data = load_registry()["disclosure"].load_sample()
    base = next(c for c in data["cases"] if not c.get("restrictions"))
    data["cases"] = []
    while True:
        case = copy.deepcopy(base)
        case.update(decision_number=f"昌市监罚〔2025〕{len(data['cases']) + 1}号", remark="备" * 500)
        data["cases"].append(case)
        if estimate_pages(load_registry()["disclosure"], data) > settings.sync_max_pages:
            data["cases"].pop()
            return data


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = dataclasses.replace(Settings.from_env(), instance_dir=Path(folder), rate_limits=False)
        upgrade(settings.effective_database_url)
        register_units(settings)
        client = create_app({"TESTING": True, "DOCGEN_SETTINGS": settings}).test_client()
        token = make_token(settings)
        quadratic = load_registry()["disclosure"].load_sample()
        quadratic["cases"][0]["restrictions"] = list(range(20_000)) + ["minor"]
        heavy = heavy_month()
        shaped = narrowest_within_budget(settings)
        rows = [
            ("restrictions: 20,000 items (row 1)", "summary", quadratic, token),
            ("200 cases x 600 chars, anonymous (row 2)", "pdf", heavy, {}),
            ("200 cases x 600 chars, with a token (row 2)", "pdf", heavy, token),
            (f"worst shape within the budget ({len(shaped['cases'])} cases)", "pdf", shaped, token),
        ]
        print(f"{'request':<48}{'body KB':>8}{'answer':>8}{'CPU s':>8}")
        for name, fmt, body, headers in rows:
            raw = json.dumps(body, ensure_ascii=False).encode()
            start = cpu()
            response = client.post(f"/api/v1/render/disclosure?format={fmt}", data=raw, headers=headers,
                                    content_type="application/json")
            spent = cpu() - start
            print(f"{name:<48}{len(raw) // 1024:>8}{response.status_code:>8}{spent:>8.2f}", flush=True)
            response.close()


if __name__ == "__main__":
    main()
