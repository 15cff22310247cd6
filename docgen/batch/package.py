"""The batch's result as a ZIP, written as a stream: one unit's files in memory at a time, whatever the month's size.

    单位名/单位名-2025年6月-行政执法公示.pdf / .docx   every unit (an empty month too)
    汇总.xlsx                                          counts, withheld, late, rejected, duplicates, every row
    公示数据.csv                                        the published (masked) rows, for the city portal
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from docgen.batch.report import write_public_csv, write_summary_xlsx
from docgen.clock import BEIJING, aware
from docgen.config import Settings
from docgen.errors import Conflict
from docgen.store import batches as batch_store
from docgen.store.archive import open_storage
from docgen.store.db import db_session
from docgen.store.models import Batch, BatchUnit
from sqlalchemy.orm import defer

FORBIDDEN_IN_NAMES = str.maketrans({c: "_" for c in '/\\:*?"<>|\0'})


class _Chunks(io.RawIOBase):
    """A write-only sink the ZIP writer fills and the response drains."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def unit_file_name(unit: str, period: str, fmt: str) -> str:
    """单位名/单位名-2025年6月-行政执法公示.pdf (no character a file system refuses)."""
    year, month = (int(part) for part in period.split("-"))
    safe = unit.translate(FORBIDDEN_IN_NAMES).strip(". ") or "未命名单位"
    return f"{safe}/{safe}-{year}年{month}月-行政执法公示.{fmt}"


def result_name(batch: Batch) -> str:
    """The ZIP's download name."""
    year, month = (int(part) for part in batch.period.split("-"))
    return f"{year}年{month}月-行政执法公示.zip"


def _done_batch(settings: Settings, batch_id: str) -> tuple[Batch, list[int]]:
    with db_session(settings, read_only=True) as session:
        batch = session.get(Batch, batch_id)
        if batch is not None and batch.state == "purged":
            raise Conflict("该批次已被本月较新的结果取代，文件已按保留期限清理", code="batch_purged")
        if batch is None or batch.state != "done":
            raise Conflict("批量任务尚未完成，没有结果", code="batch_not_done", retry_after=2)
        unit_ids = [unit.id for unit in batch_store.units_of(session, batch_id)]
        session.expunge_all()
    return batch, unit_ids


def _unit(settings: Settings, unit_id: int) -> BatchUnit:
    """One unit's row without its cases (the files and the summary are what the ZIP needs)."""
    with db_session(settings, read_only=True) as session:
        row = session.get(BatchUnit, unit_id, options=[defer(BatchUnit.cases_json)])
        session.expunge(row)
    return row


def zip_chunks(settings: Settings, batch_id: str) -> Iterator[bytes]:
    """The result ZIP, chunk by chunk (the caller checked the batch is done; Conflict otherwise)."""
    batch, unit_ids = _done_batch(settings, batch_id)
    storage = open_storage(settings)
    sink = _Chunks()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for unit_id in unit_ids:
            row = _unit(settings, unit_id)
            if not row.pdf_sha256:  # held back: every row of the unit refused (汇总.xlsx says so)
                continue
            for fmt, digest in (("pdf", row.pdf_sha256), ("docx", row.docx_sha256)):
                archive.writestr(_info(unit_file_name(row.unit, batch.period, fmt), zipfile.ZIP_STORED, batch.finished_at),
                                 storage.get(digest))  # PDF and DOCX are compressed already
                yield sink.take()
        with tempfile.TemporaryFile() as spool:  # openpyxl needs a seekable file
            units = [_unit(settings, unit_id) for unit_id in unit_ids]
            ledger = storage.get(batch.ledger_sha256) if batch.ledger_sha256 else b""
            write_summary_xlsx(spool, batch, units, ledger)
            del units, ledger
            spool.seek(0)
            with archive.open(_info("汇总.xlsx", zipfile.ZIP_STORED, batch.finished_at), "w") as target:
                while block := spool.read(1 << 20):
                    target.write(block)
                    yield sink.take()
        with archive.open(_info("公示数据.csv", zipfile.ZIP_DEFLATED, batch.finished_at), "w") as target:
            write_public_csv(target, _public_rows(settings, unit_ids))
        yield sink.take()
    yield sink.take()


def _public_rows(settings: Settings, unit_ids: list[int]) -> Iterator[tuple[str, list[dict[str, str]]]]:
    """Each unit's published (masked) rows, one unit at a time."""
    storage = open_storage(settings)
    for unit_id in unit_ids:
        row = _unit(settings, unit_id)
        digest = json.loads(row.summary_json or "{}").get("rows_sha256")
        yield row.unit, json.loads(storage.get(digest)) if digest else []


def _info(name: str, compression: int, when: Any = None) -> zipfile.ZipInfo:
    """An entry dated ``when`` (the batch's end, Beijing time)."""
    moment = aware(when).astimezone(BEIJING) if when else None
    info = zipfile.ZipInfo(name, date_time=moment.timetuple()[:6] if moment else (2025, 1, 1, 0, 0, 0))
    info.compress_type = compression
    info.external_attr = 0o644 << 16
    return info


def write_zip(settings: Settings, batch_id: str, path: Path) -> int:
    """Write the result ZIP to ``path`` (whole or not at all); its size."""
    temp = path.with_name(f".{path.name}.part")
    size = 0
    try:
        with open(temp, "wb") as stream:
            for chunk in zip_chunks(settings, batch_id):
                stream.write(chunk)
                size += len(chunk)
        temp.replace(path)
    finally:
        temp.unlink(missing_ok=True)
    return size
