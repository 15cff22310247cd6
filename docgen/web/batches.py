"""Monthly batches over HTTP: upload an export (202 + job), poll the batch, download the ZIP; who has published."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, request, send_file, stream_with_context, url_for
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

from docgen.errors import BadParameter, Forbidden, NotFound, RequestTimeout
from docgen.store.models import Batch
from docgen.store.db import db_session
from docgen.web.api import accepted, settings
from docgen.web.auth import current_caller
from docgen.web.params import text_parameter
from docgen.web.problems import only_query

bp = Blueprint("batches", __name__, url_prefix="/api/v1")
ZIP = "application/zip"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _judicial() -> Any:
    caller = current_caller()
    if caller.role != "judicial":
        raise Forbidden("批量生成公示只能由司法局发起和查看", code="judicial_only")
    return caller


def batch_links(batch_id: str, job_id: str) -> dict[str, str]:
    """Where to poll a batch, its job, and where its ZIP will be."""
    return {"self": url_for("batches.show", batch_id=batch_id), "result": url_for("batches.result", batch_id=batch_id),
            "job": url_for("jobs.show", job_id=job_id)}


@bp.post("/batches/disclosure")
@only_query()
def start() -> tuple[Response, int]:
    """Upload a month's export (multipart: file, month, issue, issue_date) → 202 with the batch to poll."""
    from datetime import date

    from docgen.batch.run import start_batch
    from docgen.batch.status import describe_batch
    caller = _judicial()
    request.max_content_length = settings().batch_max_upload
    try:
        upload = request.files.get("file")
        form = request.form
    except RequestEntityTooLarge:
        raise BadParameter(f"上传文件超过 {settings().batch_max_upload // (1024 * 1024)} MB", code="file_too_large") from None
    except (OSError, ClientDisconnected) as exc:
        raise RequestTimeout() from exc
    if upload is None or not upload.filename:
        raise BadParameter("请用 multipart/form-data 上传案件文件（字段 file）", code="missing_file")
    month = text_parameter("month", form.get("month", ""))
    issue = form.get("issue", "false").lower() in ("1", "true", "on", "yes")
    issue_date = None
    if form.get("issue_date"):
        try:
            issue_date = date.fromisoformat(text_parameter("issue_date", form["issue_date"]))
        except ValueError:
            raise BadParameter("issue_date 应为 YYYY-MM-DD", code="invalid_date") from None
    batch, job = start_batch(settings(), caller, upload.read(), upload.filename, month, issue, issue_date)
    return accepted(describe_batch(settings(), batch.id, batch_links(batch.id, job.id)),
                    url_for("batches.show", batch_id=batch.id))


def _batch(batch_id: str) -> Batch:
    text_parameter("batch_id", batch_id)
    _judicial()
    with db_session(settings(), read_only=True) as session:
        batch = session.get(Batch, batch_id) if len(batch_id) <= 32 else None
    if batch is None:
        raise NotFound("没有找到该批次")
    return batch


@bp.get("/batches/<batch_id>")
@only_query()
def show(batch_id: str) -> Response:
    """A batch: state, done/total per unit, row counts, rejected rows."""
    from docgen.batch.status import describe_batch
    batch = _batch(batch_id)
    info = describe_batch(settings(), batch.id, batch_links(batch.id, batch.job_id))
    response = jsonify(info)
    if info["state"] in ("planning", "rendering"):
        response.headers["Retry-After"] = "2"
    return response


@bp.get("/batches")
@only_query("month")
def index() -> Response:
    """The latest runs (of one month with ?month=2025-06)."""
    from sqlalchemy import select
    _judicial()
    query = select(Batch).order_by(Batch.created_at.desc()).limit(50)
    if "month" in request.args:  # present means a month: 2025-06, never empty or malformed
        from docgen.batch.run import parse_period
        year, month = parse_period(text_parameter("month", request.args["month"]))
        query = query.where(Batch.period == f"{year}-{month:02d}")
    with db_session(settings(), read_only=True) as session:
        rows = session.execute(query).scalars().all()
    return jsonify({"items": [{"id": b.id, "period": b.period, "state": b.state, "issue": b.issue,
                               "input": b.input_name, "created_at": b.created_at.isoformat(),
                               "links": batch_links(b.id, b.job_id)} for b in rows]})


@bp.get("/batches/<batch_id>/result")
@only_query()
def result(batch_id: str) -> Response:
    """The batch's ZIP, streamed (409 until the batch is done)."""
    from docgen.batch.package import result_name, zip_chunks
    batch = _batch(batch_id)
    chunks = zip_chunks(settings(), batch.id)
    first = next(chunks)  # a batch not done raises here, before the response starts
    body = stream_with_context(_prepend(first, chunks))
    response = Response(body, mimetype=ZIP)
    name = result_name(batch)
    response.headers["Content-Disposition"] = f"attachment; filename=\"batch.zip\"; filename*=UTF-8''{quote(name)}"
    return response


def _prepend(first: bytes, rest: Any) -> Any:
    yield first
    yield from rest


@bp.get("/batches/disclosure/template.xlsx")
def template() -> Response:
    """The blank case template: accepted columns, aliases and instructions."""
    from docgen.batch.columns import write_template
    stream = io.BytesIO()
    write_template(stream)
    stream.seek(0)
    return send_file(stream, mimetype=XLSX, as_attachment=True, download_name="行政执法公示-案件模板.xlsx")


@bp.get("/disclosure/status")
@only_query("month")
def status() -> Response:
    """Which units have published the month's notice, which have not, which cases were late; reminders."""
    from docgen.batch.status import disclosure_status
    caller = current_caller()
    month = request.args.get("month")
    if month is None:
        raise BadParameter("请给出 month 参数，如 2025-06", code="missing_month")
    info = disclosure_status(settings(), text_parameter("month", month))
    if caller.role != "judicial":  # a unit sees its own line, and counts of that line only
        info["units"] = [u for u in info["units"] if u["unit"] == caller.unit]
        info["reminders"] = [u for u in info["reminders"] if u == caller.unit]
        info["counts"] = {state: sum(1 for u in info["units"] if u["state"] == state) for state in info["counts"]}
        info["late_cases"] = sum(len(u["late_cases"]) for u in info["units"])
    return jsonify(info)
