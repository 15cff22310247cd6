"""The document archive behind one interface: files on disk, or rows in SQLite or PostgreSQL, tested alike."""

from __future__ import annotations

import dataclasses
import hashlib
import multiprocessing
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import func, inspect, insert, select, update

from docgen.config import ARCHIVE_BACKENDS, Settings
from docgen.errors import ConfigurationProblem, ServiceUnavailable, StorageFailure
from docgen.store import blobs
from docgen.store.archive import CORRUPT_MESSAGE, LocalArchive, Storage, open_storage
from docgen.store.blobs import DatabaseArchive
from docgen.store.db import engine_for, session_scope
from docgen.store.migrate import alembic_config, upgrade
from docgen.store.models import Blob, utcnow

from servers import POSTGRES_ENV, free_port, postgres_database

NO_POSTGRES = f"{POSTGRES_ENV} 未设置：需要真实的 PostgreSQL（如 postgresql+psycopg://postgres@127.0.0.1:5432/postgres）"
PAYLOAD = os.urandom(300_000)  # about a real PDF's size; random, so no compression can hide a mistake


@contextmanager
def database(backend: str, settings: Settings) -> Iterator[str]:
    """A fresh, empty database of ``backend``: SQLite in the test's instance folder, or a new PostgreSQL database."""
    if backend == "sqlite":
        yield settings.effective_database_url
        return
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(NO_POSTGRES)
    with postgres_database() as url:
        yield url


@pytest.fixture(params=["local", "sqlite", "postgresql"])
def storage_settings(request, settings: Settings) -> Iterator[Settings]:
    """Settings whose archive is one backend, on a migrated database."""
    with database("sqlite" if request.param == "local" else request.param, settings) as url:
        upgrade(url)
        backend = "local" if request.param == "local" else "database"
        yield dataclasses.replace(settings, database_url=url, archive_backend=backend)


@pytest.fixture()
def storage(storage_settings: Settings) -> Storage:
    return open_storage(storage_settings)


def stored_count(settings: Settings) -> int:
    """How many files the configured backend holds."""
    if settings.archive_backend == "local":
        return sum(1 for p in settings.effective_archive_dir.rglob("*") if p.is_file()) \
            if settings.effective_archive_dir.exists() else 0
    with session_scope(settings.effective_database_url) as session:
        return session.execute(select(func.count()).select_from(Blob)).scalar_one()


def tamper(settings: Settings, digest: str, data: bytes) -> None:
    """Replace stored bytes behind the service's back (a bad disk, an operator's UPDATE)."""
    if settings.archive_backend == "local":
        (settings.effective_archive_dir / digest[:2] / digest).write_bytes(data)
        return
    with session_scope(settings.effective_database_url) as session:
        session.execute(update(Blob).where(Blob.sha256 == digest).values(data=data))


def test_round_trip(storage: Storage):
    digest = storage.put(PAYLOAD)
    assert digest == hashlib.sha256(PAYLOAD).hexdigest()
    assert storage.exists(digest) and storage.get(digest) == PAYLOAD
    assert storage.put(b"") == hashlib.sha256(b"").hexdigest() and storage.get(hashlib.sha256(b"").hexdigest()) == b""


def test_put_is_idempotent(storage: Storage, storage_settings: Settings):
    assert storage.put(PAYLOAD) == storage.put(PAYLOAD) == storage.put(bytes(PAYLOAD))
    assert stored_count(storage_settings) == 1 and storage.get(hashlib.sha256(PAYLOAD).hexdigest()) == PAYLOAD


def test_threads_putting_the_same_bytes_at_once_all_succeed(storage: Storage, storage_settings: Settings):
    start = threading.Barrier(8)

    def put(_: int) -> str:
        start.wait()
        return storage.put(PAYLOAD)

    with ThreadPoolExecutor(8) as pool:
        digests = set(pool.map(put, range(8)))
    assert digests == {hashlib.sha256(PAYLOAD).hexdigest()}
    assert stored_count(storage_settings) == 1 and storage.get(digests.pop()) == PAYLOAD


PAYLOAD_FOR_CHILDREN = hashlib.sha256(b"docgen").digest() * 10_000  # the same in every spawned process


def _put_in_child(settings: Settings, start: Any, answers: Any) -> None:
    """One process of the race: wait for the others, then store the shared bytes."""
    try:
        start.wait(timeout=60)
        answers.put(open_storage(settings).put(PAYLOAD_FOR_CHILDREN))
    except BaseException as exc:  # reported, so the test says what went wrong in the child
        answers.put(f"{type(exc).__name__}: {exc}")


def test_processes_putting_the_same_bytes_at_once_all_succeed(storage_settings: Settings):
    context = multiprocessing.get_context("spawn")
    start, answers = context.Barrier(3), context.Queue()
    children = [context.Process(target=_put_in_child, args=(storage_settings, start, answers)) for _ in range(3)]
    for child in children:
        child.start()
    results = [answers.get(timeout=120) for _ in children]
    for child in children:
        child.join(timeout=30)
    assert results == [hashlib.sha256(PAYLOAD_FOR_CHILDREN).hexdigest()] * 3
    assert stored_count(storage_settings) == 1
    assert open_storage(storage_settings).get(results[0]) == PAYLOAD_FOR_CHILDREN


@pytest.mark.parametrize("upsert", [True, False], ids=["on-conflict", "savepoint"])
@pytest.mark.parametrize("other_commits", [True, False], ids=["other-commits", "other-rolls-back"])
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_put_racing_an_open_insert_of_the_same_bytes(settings, monkeypatch, backend, other_commits, upsert):
    """Another connection has inserted the row but not committed: put waits, then finds it (or stores it itself)."""
    if not upsert:  # the plain INSERT whose unique violation, inside a savepoint, means "already there"
        monkeypatch.setattr(blobs, "UPSERT_DIALECTS", {})
    with database(backend, settings) as url:
        upgrade(url)
        digest, outcome = hashlib.sha256(PAYLOAD).hexdigest(), []
        with engine_for(url).connect() as other:
            other.begin()
            other.execute(insert(Blob).values(sha256=digest, size=len(PAYLOAD), data=PAYLOAD, created_at=utcnow()))
            racer = threading.Thread(target=lambda: outcome.append(_put_or_error(DatabaseArchive(url))))
            racer.start()
            racer.join(0.5)
            assert racer.is_alive(), "put waits for the other transaction"
            other.commit() if other_commits else other.rollback()
        racer.join(30)
        assert outcome == [digest]
        assert DatabaseArchive(url).get(digest) == PAYLOAD


def _put_or_error(storage: Storage) -> str:
    try:
        return storage.put(PAYLOAD)
    except Exception as exc:  # the assertion shows it
        return f"{type(exc).__name__}: {exc}"


@pytest.mark.parametrize("replacement", [b"%PDF-forged", PAYLOAD[:-1] + bytes([PAYLOAD[-1] ^ 1]), b""],
                         ids=["other-bytes", "one-bit", "emptied"])
def test_corruption_is_detected(storage: Storage, storage_settings: Settings, replacement: bytes):
    digest = storage.put(PAYLOAD)
    tamper(storage_settings, digest, replacement)
    with pytest.raises(StorageFailure) as caught:
        storage.get(digest)
    assert caught.value.message == CORRUPT_MESSAGE and caught.value.http_status == 500


def test_discard(storage: Storage, storage_settings: Settings):
    kept, dropped = storage.put(b"kept"), storage.put(PAYLOAD)
    storage.discard([dropped, dropped, hashlib.sha256(b"never stored").hexdigest()])
    storage.discard([])
    assert not storage.exists(dropped) and storage.exists(kept) and storage.get(kept) == b"kept"
    assert stored_count(storage_settings) == 1
    with pytest.raises(StorageFailure):
        storage.get(dropped)


def test_an_unknown_digest_is_a_storage_failure(storage: Storage):
    unknown = hashlib.sha256(b"never stored").hexdigest()
    assert not storage.exists(unknown)
    with pytest.raises(StorageFailure) as caught:
        storage.get(unknown)
    assert caught.value.code == "storage_error" and "存档" in caught.value.message


@pytest.mark.parametrize("bad", ["../../etc/passwd", "A" * 64, "ab", "0" * 63 + "g"])
def test_only_digests_are_accepted(storage: Storage, bad: str):
    for call in (storage.get, storage.exists, lambda d: storage.discard([d])):
        with pytest.raises(ValueError):
            call(bad)


def test_only_the_local_archive_has_stale_parts(storage: Storage, storage_settings: Settings):
    storage.put(PAYLOAD)
    assert storage.remove_stale_parts(older_than_s=0) == 0
    assert isinstance(storage, LocalArchive if storage_settings.archive_backend == "local" else DatabaseArchive)


def test_an_unreachable_database_is_unavailable_not_corrupt():
    storage = DatabaseArchive(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/docgen", timeout_s=1)
    for call in (lambda: storage.put(b"x"), lambda: storage.get(hashlib.sha256(b"x").hexdigest())):
        with pytest.raises(ServiceUnavailable):
            call()


@pytest.mark.skipif(not os.environ.get(POSTGRES_ENV), reason=NO_POSTGRES)
def test_a_database_error_is_a_storage_failure():
    with postgres_database() as url:  # not migrated: no blobs table (ProgrammingError, not 'not answering')
        with pytest.raises(StorageFailure) as caught:
            DatabaseArchive(url).put(b"x")
        assert "blobs" in caught.value.log_detail and "blobs" not in caught.value.message


def test_the_setting(monkeypatch):
    assert Settings.from_env({}).archive_backend == "local"
    assert Settings.from_env({"DOCGEN_ARCHIVE_BACKEND": ""}).archive_backend == "local"
    assert Settings.from_env({"DOCGEN_ARCHIVE_BACKEND": " Database "}).archive_backend == "database"
    with pytest.raises(ConfigurationProblem, match="DOCGEN_ARCHIVE_BACKEND"):
        Settings.from_env({"DOCGEN_ARCHIVE_BACKEND": "s3"})
    monkeypatch.setenv("DOCGEN_ARCHIVE_BACKEND", "nfs")
    from docgen import create_app
    with pytest.raises(ConfigurationProblem):
        create_app({"TESTING": True})  # refused at start-up, not at the first upload
    for backend in ARCHIVE_BACKENDS:
        open_storage(dataclasses.replace(Settings(), archive_backend=backend))
    with pytest.raises(ConfigurationProblem):
        open_storage(dataclasses.replace(Settings(), archive_backend="s3"))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_issued_documents_go_to_the_database_and_come_back_byte_identical(settings, backend):
    from conftest import make_token, register_units
    from docgen import create_app
    from test_documents_api import _opinion

    with database(backend, settings) as url:
        shared = dataclasses.replace(settings, database_url=url, archive_backend="database")
        upgrade(url)
        register_units(shared)
        client = create_app({"TESTING": True, "DOCGEN_SETTINGS": shared}).test_client()
        judicial = make_token(shared, "judicial")
        document = client.post("/api/v1/documents", json=_opinion(), headers=judicial).get_json()
        assert document["status"] == "issued", document
        with session_scope(url) as session:
            rows = {row.sha256: row for row in session.execute(select(Blob)).scalars()}
        assert set(rows) == {document["sha256"]["pdf"], document["sha256"]["docx"]}
        for fmt, magic in (("pdf", b"%PDF-"), ("docx", b"PK")):
            download = client.get(document["links"][fmt], headers=judicial)
            row = rows[document["sha256"][fmt]]
            assert download.status_code == 200 and download.data.startswith(magic)
            assert download.data == row.data and row.size == len(row.data) == document["size"][fmt]
        assert not shared.effective_archive_dir.exists(), "nothing on disk"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_0005_creates_and_drops_the_blobs_table(settings, backend):
    from alembic import command

    with database(backend, settings) as url:
        upgrade(url, "0004")
        assert "blobs" not in inspect(engine_for(url)).get_table_names()
        upgrade(url, "0005")
        schema = inspect(engine_for(url))
        columns = {c["name"]: c for c in schema.get_columns("blobs")}
        assert list(columns) == ["sha256", "size", "data", "created_at"]
        assert schema.get_pk_constraint("blobs")["constrained_columns"] == ["sha256"]
        assert not any(c["nullable"] for c in columns.values())
        if backend == "postgresql":
            assert str(columns["data"]["type"]) == "BYTEA"
        command.downgrade(alembic_config(url), "0004")
        assert "blobs" not in inspect(engine_for(url)).get_table_names()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migrations_build_exactly_the_models(settings, backend):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from docgen.store.models import Base

    with database(backend, settings) as url:
        upgrade(url)
        with engine_for(url).connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
