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
from docgen.doctypes.registry import DocType, load_registry
from docgen.generate import Generated, generate

REGISTRY = load_registry()
SAMPLES = [(slug, path) for slug, t in REGISTRY.items() for path in t.samples]


def sample_id(item: tuple[str, Path]) -> str:
    return item[1].stem


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    """Settings with a fresh SQLite registry and archive in a temporary instance folder."""
    return dataclasses.replace(Settings.from_env(), instance_dir=tmp_path / "instance")


@pytest.fixture()
def app(settings: Settings):
    upgrade(settings.effective_database_url)
    return create_app({"TESTING": True, "DOCGEN_SETTINGS": settings})


def make_token(settings: Settings, role: str = "judicial", unit: str | None = None,
               organ_codes: tuple[str, ...] = ()) -> dict[str, str]:
    """Authorization headers for a new token."""
    with session_scope(settings.effective_database_url) as session:
        return {"Authorization": f"Bearer {create_token(session, role, unit, organ_codes=organ_codes)}"}


@pytest.fixture()
def client(app):
    return app.test_client()


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


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(params=SAMPLES, ids=[sample_id(s) for s in SAMPLES])
def sample(request) -> tuple[str, Path]:
    return request.param
