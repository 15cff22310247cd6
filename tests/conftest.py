"""Shared fixtures: the Flask app and clients, the registry, rendered samples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import dataclasses

from docgen import create_app
from docgen.config import Settings
from docgen.store.db import session_scope
from docgen.store.migrate import upgrade
from docgen.store.tokens import create_token
from docgen.store.units import add_unit, find_unit
from docgen.doctypes.registry import DocType, load_registry
from docgen.generate import Generated, generate

REGISTRY = load_registry()
SAMPLES = [(slug, path) for slug, t in REGISTRY.items() for path in t.samples]


def sample_id(item: tuple[str, Path]) -> str:
    return item[1].stem


# The issuers of the samples, as an administrator would register them (docgen unit add).
SAMPLE_UNITS = [
    ("昌吉市司法局", "judicial", ("昌司执监意",), 42.0),
    ("昌吉市人民政府", "government", ("昌市政执监决",), 45.0),
    ("昌吉市市场监督管理局", "enforcement", ("昌市监",), 42.0),
    ("昌吉市城市管理综合行政执法局", "enforcement", ("昌城管",), 42.0),
    ("昌吉市林业和草原综合行政执法大队", "enforcement", (), 42.0),
    ("昌吉市交通运输局", "enforcement", ("昌交",), 42.0),
]


def register_units(settings: Settings, seal_png: bytes | None = None) -> None:
    """Register the samples' issuers (idempotent)."""
    with session_scope(settings.effective_database_url) as session:
        for name, kind, codes, seal_mm in SAMPLE_UNITS:
            if find_unit(session, name) is None:
                add_unit(session, name, None, kind, codes, seal_png, seal_mm)


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    """Settings with a fresh SQLite registry and archive in a temporary instance folder.

    The samples are dated 2025–2026: the issue-date window is wide here and narrow in its own tests;
    rate limits are off here and on in theirs.
    """
    return dataclasses.replace(Settings.from_env(), instance_dir=tmp_path / "instance", issue_date_past_days=3650,
                               issue_date_future_days=3650, rate_limits=False)


@pytest.fixture()
def app(settings: Settings):
    upgrade(settings.effective_database_url)
    register_units(settings)
    return create_app({"TESTING": True, "DOCGEN_SETTINGS": settings})


def make_token(settings: Settings, role: str = "judicial", unit: str | None = None) -> dict[str, str]:
    """Authorization headers for a new token."""
    with session_scope(settings.effective_database_url) as session:
        return {"Authorization": f"Bearer {create_token(session, role, unit)}"}


@pytest.fixture()
def judicial(app, settings) -> dict[str, str]:
    """Headers of a 司法局 token."""
    return make_token(settings, "judicial")


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def authed(app, settings):
    """A test client whose every request carries a 司法局 token (previews need one)."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = make_token(settings, "judicial")["Authorization"]
    return client


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(params=list(REGISTRY.values()), ids=list(REGISTRY))
def doctype(request) -> DocType:
    return request.param


_rendered: dict[Path, Generated] = {}


def rendered(path: Path) -> Generated:
    """Render a sample file once per test session (both formats)."""
    if path not in _rendered:
        slug = next(s for s, t in REGISTRY.items() if path in t.samples)
        _rendered[path] = generate(slug, load_json(path))
    return _rendered[path]


def issuable(slug: str, index: int = 0) -> dict[str, Any]:
    """A sample as a client would issue it: no hand-picked number, the seal left to the unit registry."""
    data = REGISTRY[slug].load_sample(index)
    if "doc_number" in data:
        data["doc_number"].pop("seq", None)
    for key in ("demo_seal", "seal_image", "seal_diameter_mm"):
        data.get("signature", {}).pop(key, None)
    return data


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(params=SAMPLES, ids=[sample_id(s) for s in SAMPLES])
def sample(request) -> tuple[str, Path]:
    return request.param
