"""What each kind of background job does."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from docgen.generate import MEDIA_TYPES, generate
from docgen.jobs.execute import Handler, JobContext
from docgen.render.marks import Marks
from docgen.store.audit import Actor
from docgen.store.db import db_session, private_dir
from docgen.store.models import Document


def result_dir(ctx_or_settings: Any) -> Path:
    """Where finished previews wait for their download (private; the sweeper removes old ones)."""
    settings = getattr(ctx_or_settings, "settings", ctx_or_settings)
    return private_dir(settings.instance_dir / "jobs")


def run_issue(ctx: JobContext) -> dict[str, Any]:
    """Render a reserved document (too large to render while the client waited)."""
    from docgen.errors import Conflict
    from docgen.issuing import render_reserved
    document_id = ctx.payload["document_id"]
    with db_session(ctx.settings, read_only=True) as session:
        row = session.get(Document, document_id)
    if row.status in ("issued", "void"):  # a redelivered job whose first run finished the document
        return {"document_id": row.id, "number": row.number}
    if row.job_id != ctx.job.id:  # a retry with the Idempotency-Key took the document over
        raise Conflict("该文书已由另一次请求接手处理", code="superseded")
    attempt = row.attempts
    ctx.progress(0, 1)
    actor = Actor(name=ctx.job.owner, source="job", token_id=ctx.job.token_id)
    document = render_reserved(ctx.settings, actor, document_id, attempt)
    ctx.progress(1, 1)
    return {"document_id": document.id, "number": document.number}


def run_preview(ctx: JobContext) -> dict[str, Any]:
    """A 样稿 over the synchronous budget, written to a private file until it is downloaded."""
    payload = ctx.payload
    fmt = payload["format"]
    ctx.progress(0, 1)
    result = generate(payload["type"], payload["data"], (fmt,), ctx.settings, marks=Marks(preview=True))
    name = f"{ctx.job.id}.{fmt}"
    path = result_dir(ctx) / name
    with os.fdopen(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600), "wb") as stream:
        stream.write(result.files[fmt])
    ctx.progress(1, 1)
    return {"format": fmt, "media_type": MEDIA_TYPES[fmt], "file": name, "size": len(result.files[fmt]),
            "warnings": result.warnings}


def run_batch_disclosure(ctx: JobContext) -> dict[str, Any]:
    """Every unit's monthly 公示 notice from one export (docgen.batch)."""
    from docgen.batch.run import run_batch
    return run_batch(ctx)


HANDLERS: dict[str, Handler] = {"issue": run_issue, "preview": run_preview, "batch_disclosure": run_batch_disclosure}
