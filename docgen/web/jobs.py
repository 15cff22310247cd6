"""Background jobs over HTTP: 202 with a job to poll, its state and progress, its result."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, jsonify, redirect, send_file, url_for

from docgen.errors import Conflict, NotFound
from docgen.jobs import submit
from docgen.jobs.handlers import result_dir
from docgen.store import jobs as job_store
from docgen.store.db import db_session
from docgen.store.models import Job
from docgen.store.tokens import Caller
from docgen.web.api import accepted, settings
from docgen.web.auth import current_caller
from docgen.web.params import text_parameter
from docgen.web.problems import only_query

bp = Blueprint("jobs", __name__, url_prefix="/api/v1/jobs")


@bp.url_value_preprocessor
def _check_path(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values and "job_id" in values:
        text_parameter("job_id", values["job_id"])


def job_links(job: Job) -> dict[str, str]:
    """Where to poll a job and where its result will be."""
    links = {"self": url_for("jobs.show", job_id=job.id), "result": url_for("jobs.result", job_id=job.id)}
    if job.document_id:
        links["document"] = url_for("documents.show", document_id=job.document_id)
    return links


def describe(job: Job) -> dict[str, Any]:
    """A job as JSON, with its links."""
    return job_store.describe_job(job, job_links(job))


def start_job(caller: Caller, kind: str, payload: dict[str, Any]) -> Job:
    """Create a job for the caller (within the caller's quota) and hand it to the runner."""
    with db_session(settings()) as session:
        job_store.check_quota(session, caller, settings().job_quota)
        job = job_store.create_job(session, kind, payload, caller, lease_s=settings().pending_timeout_s)
    submit(settings(), job.id)
    return job


def queue_job(caller: Caller, kind: str, payload: dict[str, Any]) -> tuple[Response, int]:
    """Create a job and answer 202 with where to poll it."""
    job = start_job(caller, kind, payload)
    return accepted(describe(job), url_for("jobs.show", job_id=job.id))


def _visible_job(job_id: str) -> Job:
    caller = current_caller()
    with db_session(settings(), read_only=True) as session:
        job = session.get(Job, job_id) if len(job_id) <= 32 else None
    if job is None or not job_store.visible(job, caller):
        raise NotFound("没有找到该后台任务")
    return job


@bp.get("/<job_id>")
@only_query()
def show(job_id: str) -> Response:
    """A job's state (queued, running, done, failed), progress, result or error."""
    job = _visible_job(job_id)
    response = jsonify(describe(job))
    if job.state in job_store.UNFINISHED:
        response.headers["Retry-After"] = "1"
    return response


@bp.get("/<job_id>/result")
@only_query()
def result(job_id: str) -> Any:
    """A finished preview's file, or (303) the document a finished issue job made."""
    job = _visible_job(job_id)
    if job.state != "done":
        raise Conflict("后台任务尚未完成" if job.state in job_store.UNFINISHED else "后台任务失败，没有结果",
                       code="job_not_done", retry_after=1 if job.state in job_store.UNFINISHED else None)
    outcome = json.loads(job.result_json or "{}")
    if "document_id" in outcome:
        return redirect(url_for("documents.show", document_id=outcome["document_id"]), code=303)
    path = result_dir(settings()) / outcome["file"]
    if not path.is_file():
        raise NotFound("结果文件已过期清理，请重新提交")
    return send_file(path, mimetype=outcome["media_type"], download_name=f"样稿.{outcome['format']}",
                     as_attachment=False, max_age=0)
