"""The monthly disclosure batch in the workspace: upload a month's export, watch it run, download the ZIP; who has published.

The same engine as `docgen batch` and /api/v1/batches (docgen.batch), run with the
signed-in user's caller. Without JavaScript the batch page refreshes itself until
the batch ends; with it, the page polls status.json and swaps the changed part in.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, send_file
from flask import stream_with_context, url_for
from sqlalchemy import select
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

from docgen import clock
from docgen.dates import format_date_cn
from docgen.errors import BadParameter, DocgenError, Forbidden, NotFound, RequestTimeout
from docgen.store.db import db_session
from docgen.store.models import Batch
from docgen.store.tokens import Caller
from docgen.web.params import text_parameter
from docgen.web.ui import csrf, current_user, login_required, settings

bp = Blueprint("batches", __name__)
STATE_TEXT = {"planning": "解析中", "rendering": "生成中", "done": "完成", "failed": "失败", "purged": "已清理"}
UNIT_STATE_TEXT = {"queued": "排队中", "running": "生成中", "done": "完成", "failed": "失败", "held": "未生成"}
NOTICE_STATE_TEXT = {"published": "已公示", "missing": "未公示", "overdue": "逾期未公示"}
FINISHED = ("done", "failed")
RUNS_LISTED = 50
ISSUES_SHOWN = 20
ZIP = "application/zip"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.app_template_filter("month_cn")
def month_cn(period: str) -> str:
    """'2025-06' → '2025年6月'."""
    year, _, month = period.partition("-")
    return f"{year}年{int(month)}月" if month.isdigit() else period


@bp.app_template_filter("iso_cn_date")
def iso_cn_date(value: str | None) -> str:
    """'2025-06-05' → '2025年6月5日' (the engine's JSON carries dates as ISO text)."""
    return format_date_cn(date.fromisoformat(value)) if value else ""


def judicial_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only the 司法局 side (judicial users and administrators); a unit gets the 403 page."""

    @functools.wraps(view)
    @login_required
    def checked(*args: Any, **kwargs: Any) -> Any:
        if current_user().caller().role != "judicial":  # type: ignore[union-attr]
            raise Forbidden("月度公示的批量生成只能由司法局使用", code="judicial_only")
        return view(*args, **kwargs)

    return checked


@dataclass
class Upload:
    """What the clerk entered in the upload form, shown again when the upload is refused."""

    month: str
    issue: bool = False
    issue_date: str = ""
    filename: str = ""


def previous_month(day: date) -> str:
    """'2025-06' for any day of July 2025: the month whose cases are usually uploaded."""
    return f"{day.year - 1}-12" if day.month == 1 else f"{day.year}-{day.month - 1:02d}"


def _recent_runs() -> list[Batch]:
    with db_session(settings(), read_only=True) as db:
        rows = db.execute(select(Batch).order_by(Batch.created_at.desc()).limit(RUNS_LISTED)).scalars().all()
        db.expunge_all()
    return list(rows)


def _form_page(upload: Upload, error: dict[str, Any] | None = None, status: int = 200) -> tuple[str, int]:
    page = render_template("ui/batches.html", upload=upload, error=error, runs=_recent_runs(), state_text=STATE_TEXT,
                           max_mb=settings().batch_max_upload // (1024 * 1024))
    return page, status


def _problem(error: DocgenError) -> dict[str, Any]:
    """An error as the form shows it: message, code, and the first issues of a refused file."""
    issues = [issue.as_dict() for issue in getattr(error, "issues", [])[:ISSUES_SHOWN]]
    return {"code": error.code, "message": error.message, "issues": issues}


@bp.get("/batches")
@judicial_required
def index() -> tuple[str, int]:
    """The upload form, the accepted formats and the latest runs."""
    return _form_page(Upload(month=previous_month(clock.today())))


@bp.post("/batches")
@csrf.exempt  # checked in the view, once the larger upload limit is set (the app-wide check would refuse the file)
@judicial_required
def start() -> Any:
    """Start a batch from the uploaded export and open its page; a refused upload shows the form again, with why."""
    request.max_content_length = settings().batch_max_upload
    upload = Upload(month=previous_month(clock.today()))
    try:
        csrf.protect()
        upload = _posted_upload()
        batch = _start(upload)
    except RequestEntityTooLarge:
        mb = settings().batch_max_upload // (1024 * 1024)
        return _form_page(upload, {"code": "file_too_large", "message": f"上传文件超过 {mb} MB", "issues": []}, 413)
    except (OSError, ClientDisconnected) as exc:
        raise RequestTimeout() from exc
    except DocgenError as error:
        if error.http_status >= 500:
            raise  # the app's error page logs it and hides the detail
        return _form_page(upload, _problem(error), error.http_status)
    return redirect(url_for("ui.batches.show", batch_id=batch.id), code=303)


def _posted_upload() -> Upload:
    form = request.form
    upload = request.files.get("file")
    return Upload(month=form.get("month", "").strip()[:20], issue=form.get("issue") in ("1", "on", "true"),
                  issue_date=form.get("issue_date", "").strip()[:20],
                  filename=upload.filename[:200] if upload is not None and upload.filename else "")


def _start(upload: Upload) -> Batch:
    """The engine's start_batch with the user's caller (its errors are the form's errors)."""
    from docgen.batch.run import start_batch
    file = request.files.get("file")
    if file is None or not upload.filename:
        raise BadParameter("请选择要上传的案件文件", code="missing_file")
    month = text_parameter("month", upload.month)
    if not month:
        raise BadParameter("请填写公示月份，如 2025-06", code="missing_month")
    issue_date = None
    if upload.issue_date:
        try:
            issue_date = date.fromisoformat(text_parameter("issue_date", upload.issue_date))
        except ValueError:
            raise BadParameter("公示日期应为 YYYY-MM-DD", code="invalid_date") from None
    batch, _ = start_batch(settings(), current_user().caller(), file.read(), upload.filename, month,  # type: ignore[union-attr]
                           upload.issue, issue_date)
    return batch


@bp.get("/batches/template.xlsx")
@login_required
def template() -> Response:
    """The blank case template: the accepted columns, their aliases and how to fill them."""
    from docgen.batch.columns import write_template
    stream = io.BytesIO()
    write_template(stream)
    stream.seek(0)
    return send_file(stream, mimetype=XLSX, as_attachment=True, download_name="行政执法公示-案件模板.xlsx")


def _batch(batch_id: str) -> Batch:
    text_parameter("batch_id", batch_id)
    with db_session(settings(), read_only=True) as db:
        batch = db.get(Batch, batch_id) if len(batch_id) <= 32 else None
        db.expunge_all()
    if batch is None:
        raise NotFound("没有找到该批次")
    return batch


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _page_context(batch: Batch) -> dict[str, Any]:
    """What batch.html shows: the engine's description of the batch, and the texts for its states."""
    from docgen.batch.status import describe_batch
    info = describe_batch(settings(), batch.id)
    return {"batch": batch, "info": info, "finished": info["state"] in FINISHED, "state_text": STATE_TEXT,
            "unit_state_text": UNIT_STATE_TEXT, "finished_at": _moment(info.get("finished_at"))}


@bp.get("/batches/<batch_id>")
@judicial_required
def show(batch_id: str) -> str:
    """A batch's progress, counts, units, rejected rows, warnings and error; its ZIP once done."""
    return render_template("ui/batch.html", **_page_context(_batch(batch_id)))


def render_block(template_name: str, block: str, context: dict[str, Any]) -> str:
    """One block of a page template with the page's own context: the markup the page's script swaps in."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    page = app.jinja_env.get_template(template_name)
    app.update_template_context(context)
    return "".join(page.blocks[block](page.new_context(context)))


@bp.get("/batches/<batch_id>/status.json")
@judicial_required
def status(batch_id: str) -> Response:
    """The batch as JSON for the page's script, with its live part already rendered."""
    context = _page_context(_batch(batch_id))
    body = {**context["info"], "finished": context["finished"], "html": render_block("ui/batch.html", "live", context)}
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/batches/<batch_id>/result.zip")
@judicial_required
def result(batch_id: str) -> Response:
    """The batch's ZIP, streamed (the 409 page until the batch is done)."""
    from docgen.batch.package import result_name, zip_chunks
    batch = _batch(batch_id)
    chunks = zip_chunks(settings(), batch.id)
    first = next(chunks)  # a batch not done raises here, before the response starts
    response = Response(stream_with_context(_prepend(first, chunks)), mimetype=ZIP)
    fallback = f"disclosure-{batch.period}.zip"
    response.headers["Content-Disposition"] = (f"attachment; filename=\"{fallback}\"; "
                                               f"filename*=UTF-8''{quote(result_name(batch))}")
    return response


def _prepend(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


@bp.get("/disclosure-status")
@login_required
def disclosure() -> tuple[str, int]:
    """Which units have published the month's notice (a unit sees its own line), late cases, the reminder list."""
    from docgen.batch.status import disclosure_status
    month = request.args.get("month") or clock.today().strftime("%Y-%m")
    caller = current_user().caller()  # type: ignore[union-attr]
    try:
        info = disclosure_status(settings(), text_parameter("month", month[:20]))
    except BadParameter as error:
        return render_template("ui/disclosure_status.html", info=None, month=month[:20], error=_problem(error),
                               state_text=NOTICE_STATE_TEXT, judicial=caller.role == "judicial"), 400
    if caller.role != "judicial":
        info = own_line(info, caller)
    return render_template("ui/disclosure_status.html", info=info, month=info["period"], error=None,
                           state_text=NOTICE_STATE_TEXT, judicial=caller.role == "judicial"), 200


def own_line(info: dict[str, Any], caller: Caller) -> dict[str, Any]:
    """The status as a unit sees it: its own line, and counts over that line only."""
    units = [line for line in info["units"] if line["unit"] == caller.unit]
    counts = {state: sum(1 for line in units if line["state"] == state) for state in NOTICE_STATE_TEXT}
    return {**info, "units": units, "counts": counts, "late_cases": sum(len(line["late_cases"]) for line in units),
            "reminders": [name for name in info["reminders"] if name == caller.unit]}
