"""Issuing a document: authorise against the unit registry, reserve the number under a lease, render, archive, settle.

The JSON API, the web workspace, batches and background jobs all issue through
here, so every rule holds for each of them::

    data ─ validate ─ authorise ─┬─ key seen before? ─ return it │ 202 its job │ 409 + Retry-After │ take it over
                                 └─ reserve: number + pending row + lease ─ render now, or queue a job (over budget)

A pending document always has a lease. The process rendering it renews the lease;
when the process dies the lease runs out, and then a retry with the same
Idempotency-Key re-renders it under the same number, or the sweeper marks it
failed with the reason. Every failure path (render, archive, commit) ends in
``failed`` with a reason; the number stays used and is never given again.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from docgen import clock, leases
from docgen.budget import over_sync_budget
from docgen.config import Settings
from docgen.dates import format_date_cn, parse_iso_date
from docgen.errors import Conflict, DocgenError, Forbidden, InvalidData, Issue, ServiceUnavailable, StorageFailure
from docgen.filters import document_number
from docgen.generate import Generated, generate, prepare, prepare_cleaned
from docgen.render.marks import Marks, Verification
from docgen.store import audit, jobs as job_store
from docgen.store.archive import open_storage
from docgen.store.audit import Actor
from docgen.store.db import db_session
from docgen.store.models import Document, IdempotencyKey, Job
from docgen.store.numbering import allocate_number, take_given_number, window_allows
from docgen.store.tokens import Caller
from docgen.store.units import UnitInfo, find_unit

LOG = logging.getLogger(__name__)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
TWIN_WAIT_S = 2.0  # a retry waits this long for a twin still rendering, then answers 409 with Retry-After


@dataclass(frozen=True)
class Outcome:
    """A document and how the request met it: new (201) or the key's earlier one (200); a job means 202."""

    document: Document
    created: bool
    job: Job | None = None


def issue(settings: Settings, caller: Caller, actor: Actor, slug: str, data: Any, key: str | None = None,
          prefer_async: bool = False, case_id: str | None = None) -> Outcome:
    """Validate, authorise and number a document; render it now or in a background job. With ``case_id`` the
    document joins that supervision case, if the case's rules allow it (docgen.cases.rules)."""
    from docgen.cases.rules import case_of, join_case
    doctype, cleaned, context = prepare_cleaned(slug, data, settings)
    with db_session(settings, read_only=True) as session:
        authorise(session, settings, caller, cleaned)
        # A report or decision on a registered 意见书 belongs to its case, whether or not the client said so.
        case_id = case_id or case_of(session, slug, cleaned)
    request_hash = _request_hash(slug, cleaned, case_id)
    background = prefer_async or over_sync_budget(doctype, cleaned, settings)
    document: Document | None = None
    job: Job | None = None
    try:
        with db_session(settings) as session:
            twin = _twin(session, caller, key, request_hash)
            if twin is None:
                if case_id is not None:  # checked in the reserving transaction, the case row locked: no race
                    join_case(session, caller, case_id, slug, cleaned, clock.today())
                if background:
                    job_store.check_quota(session, caller, settings.job_quota)
                document = _reserve(session, settings, caller, slug, cleaned, context["title"], key, request_hash)
                if case_id is not None:
                    from docgen.cases.registry import link
                    link(session, case_id, document.id, slug, clock.today())
                if background:
                    job = _queue_render(session, settings, caller, document)
    except IntegrityError:  # PostgreSQL: another request with the same key committed first
        with db_session(settings) as session:
            twin = _twin(session, caller, key, request_hash)
        if twin is None:
            raise Conflict("文号已被使用，请重试或更换文号", code="number_taken") from None
    if twin is not None:
        return _meet_twin(settings, caller, actor, twin, background)
    assert document is not None
    if job is not None:
        from docgen.jobs import submit
        submit(settings, job.id)
        return Outcome(document, True, job)
    return Outcome(render_reserved(settings, actor, document.id, document.attempts), True)


def reserve(settings: Settings, caller: Caller, slug: str, data: Any,
            on_reserved: Callable[[Session, Document], None] | None = None) -> Document:
    """Validate, authorise and number a document without rendering it (a batch renders it in its own worker);
    ``on_reserved`` runs in the reserving transaction (to record the document where a retry will find it)."""
    _, cleaned, context = prepare_cleaned(slug, data, settings)
    with db_session(settings) as session:
        authorise(session, settings, caller, cleaned)
        document = _reserve(session, settings, caller, slug, cleaned, context["title"], None,
                            _request_hash(slug, cleaned))
        if on_reserved is not None:
            on_reserved(session, document)
        return document


def resume(settings: Settings, actor: Actor, document_id: str) -> Document | None:
    """Finish a reserved document: issued already, or taken over (failed, or its lease ran out) and rendered now.

    None when another process holds it under a live lease.
    """
    with db_session(settings, read_only=True) as session:
        row = session.get(Document, document_id)
    if row.status in ("issued", "void"):
        return row
    attempt = _take_over(settings, document_id)
    return None if attempt is None else render_reserved(settings, actor, document_id, attempt)


def authorise(session: Session, settings: Settings, caller: Caller, data: dict[str, Any]) -> UnitInfo:
    """The issuing unit from the registry; refuse what the caller may not claim (标志, seal, code, number, date)."""
    name = data["issuer"]["name"]
    unit = find_unit(session, name)
    if unit is None:
        raise InvalidData([Issue("/issuer/name", "unknown_unit",
                                 f"发文机关“{name}”未登记；请管理员先用 docgen unit add 登记该单位")])
    if not caller.may_act_as(name):
        raise Forbidden(f"本令牌只能以“{caller.unit}”名义制发文书")
    if not unit.active:
        raise Forbidden(f"单位“{name}”已停用，不能制发文书", code="unit_disabled")
    mark = data["issuer"].get("mark")
    if mark is not None and mark != unit.mark:
        raise Forbidden(f"发文机关标志取自单位登记（“{unit.mark}”），不能改为“{mark}”", code="mark_mismatch")
    number = data.get("doc_number")
    if number and number["organ_code"] not in unit.organ_codes:
        raise Forbidden(f"机关代字“{number['organ_code']}”未登记在“{name}”名下", code="organ_code_not_registered")
    today = clock.today()
    if number and "seq" in number and not window_allows(session, number["organ_code"], number["year"], number["seq"], today):
        shown = document_number(number["organ_code"], number["year"], number["seq"])
        raise Forbidden(f"“{shown}”不在管理员开放的手工文号范围内（docgen numbering allow）；请不填顺序号，由系统编号",
                        code="manual_number_closed")
    issues = _seal_issues(data.get("signature", {}), unit) + _date_issues(data["issue_date"], settings, today)
    if issues:
        raise InvalidData(issues)
    return unit


def _seal_issues(signature: dict[str, Any], unit: UnitInfo) -> list[Issue]:
    issues = []
    if "seal_image" in signature:
        issues.append(Issue("/signature/seal_image", "seal_from_registry", "制发文书的印章取自单位登记，请删除 seal_image"))
    if signature.get("demo_seal"):
        issues.append(Issue("/signature/demo_seal", "demo_seal_not_allowed", "演示印章只能用于预览，制发文书不能使用"))
    if "seal_diameter_mm" in signature and signature["seal_diameter_mm"] != unit.seal_mm:
        issues.append(Issue("/signature/seal_diameter_mm", "seal_from_registry", f"印章直径取自单位登记（{unit.seal_mm:g} 毫米）"))
    return issues


def date_issues(issue_date: str, settings: Settings) -> list[Issue]:
    """Problems with an issue date: outside the window around today that issuing allows."""
    return _date_issues(issue_date, settings, clock.today())


def _date_issues(issue_date: str, settings: Settings, today: Any) -> list[Issue]:
    earliest = today - timedelta(days=settings.issue_date_past_days)
    latest = today + timedelta(days=settings.issue_date_future_days)
    if earliest <= parse_iso_date(issue_date) <= latest:
        return []
    return [Issue("/issue_date", "issue_date_out_of_window",
                  f"成文日期应在{format_date_cn(earliest)}至{format_date_cn(latest)}之间（今天前 {settings.issue_date_past_days} 天"
                  f"至后 {settings.issue_date_future_days} 天）")]


def _request_hash(slug: str, data: dict[str, Any], case_id: str | None = None) -> str:
    body = {"type": slug, "data": data, **({"case_id": case_id} if case_id else {})}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _twin(session: Session, caller: Caller, key: str | None, request_hash: str) -> str | None:
    """The document an earlier request with the same Idempotency-Key created, if any."""
    if not key:
        return None
    row = session.get(IdempotencyKey, (caller.token_id, key))
    if row is None:
        return None
    if row.request_hash != request_hash:
        raise Conflict("该 Idempotency-Key 已用于内容不同的请求", code="idempotency_mismatch")
    return row.document_id


def _reserve(session: Session, settings: Settings, caller: Caller, slug: str, data: dict[str, Any], title: str,
             key: str | None, request_hash: str) -> Document:
    """Take the number and record the document as pending under a lease, in one short transaction."""
    number = data.get("doc_number")
    organ, year, seq = (number["organ_code"], number["year"], number.get("seq")) if number else (None, None, None)
    if number and seq is not None and not take_given_number(session, organ, year, seq):
        raise Conflict(f"文号“{document_number(organ, year, seq)}”已被使用", code="number_taken")
    if number and seq is None:
        seq = allocate_number(session, organ, year)
    document = Document(
        id=uuid.uuid4().hex, doc_type=slug, unit=data["issuer"]["name"], recipient=data.get("recipient"),
        title=title, organ_code=organ, year=year or int(data["issue_date"][:4]), seq=seq,
        number=document_number(organ, year, seq) if number else "", issue_date=parse_iso_date(data["issue_date"]),
        status="pending", verify_code="".join(secrets.choice(CODE_ALPHABET) for _ in range(10)),
        data_json=json.dumps(data, ensure_ascii=False), created_by=caller.name, created_token_id=caller.token_id,
        created_by_judicial=caller.role == "judicial", lease_until=leases.lease_end(settings), attempts=1,
    )
    session.add(document)
    if key:
        session.add(IdempotencyKey(token_id=caller.token_id, key=key, request_hash=request_hash, document_id=document.id))
    session.flush()
    return document


def _queue_render(session: Session, settings: Settings, caller: Caller, document: Document) -> Job:
    """A background job that renders this reserved document."""
    job = job_store.create_job(session, "issue", {"document_id": document.id}, caller, document_id=document.id,
                               lease_s=settings.pending_timeout_s)
    document.job_id = job.id
    session.flush()
    return job


def _meet_twin(settings: Settings, caller: Caller, actor: Actor, document_id: str, background: bool) -> Outcome:
    """The key's earlier document: finished, still rendering (202 or 409), or abandoned and taken over."""
    deadline = time.monotonic() + TWIN_WAIT_S
    while True:
        with db_session(settings, read_only=True) as session:
            row = session.get(Document, document_id)
            job = session.get(Job, row.job_id) if row.job_id else None
        if row.status in ("issued", "void"):
            return Outcome(row, False)
        if job is not None and job.state in job_store.UNFINISHED:
            return Outcome(row, False, job)
        if background:
            with db_session(settings, read_only=True) as session:
                job_store.check_quota(session, caller, settings.job_quota)
        attempt = _take_over(settings, document_id)
        if attempt is not None:
            LOG.info("document %s taken over by a retry (attempt %d)", document_id, attempt)
            if background:
                with db_session(settings) as session:
                    job = _queue_render(session, settings, caller, session.get(Document, document_id))
                    row = session.get(Document, document_id)
                from docgen.jobs import submit
                submit(settings, job.id)
                return Outcome(row, False, job)
            return Outcome(render_reserved(settings, actor, document_id, attempt), False)
        if time.monotonic() > deadline:
            left = (clock.aware(row.lease_until) - clock.utcnow()).total_seconds() if row.lease_until else 1
            raise Conflict("该 Idempotency-Key 的首次请求仍在处理中，请稍后用同一个键重试", code="in_progress",
                           retry_after=int(max(1, min(5, left + 1))))
        time.sleep(0.1)


def _live_jobs() -> Any:
    return select(Job.id).where(Job.state.in_(job_store.UNFINISHED))


def _take_over(settings: Settings, document_id: str) -> int | None:
    """Claim a failed document, or a pending one whose lease ran out; return the new attempt number."""
    now = clock.utcnow()
    with db_session(settings) as session:
        abandoned = (Document.status == "pending") & (Document.lease_until < now) & (
            Document.job_id.is_(None) | Document.job_id.not_in(_live_jobs()))
        claimed = session.execute(update(Document).where(Document.id == document_id).where(
            (Document.status == "failed") | abandoned).values(
            status="pending", lease_until=leases.lease_end(settings), attempts=Document.attempts + 1,
            failure_reason=None, job_id=None))
        if claimed.rowcount != 1:
            return None
        return session.get(Document, document_id).attempts


def render_reserved(settings: Settings, actor: Actor, document_id: str, attempt: int) -> Document:
    """Render a reserved document under its number, archive the files, mark it issued; failed on any error."""
    with leases.holding(settings, documents=(document_id,)):
        try:
            with db_session(settings, read_only=True) as session:
                row = session.get(Document, document_id)
                unit = find_unit(session, row.unit)
            result = _render(settings, row, unit)
            archive = open_storage(settings)
            hashes: dict[str, str] = {}
            for fmt in ("pdf", "docx"):
                hashes[fmt] = archive.put(result.files[fmt])
            return _settle(settings, actor, row, attempt, result, hashes)
        except _LostOwnership:
            raise Conflict("该文书已由另一次重试接手处理", code="in_progress", retry_after=2) from None
        except BaseException as exc:
            _fail(settings, document_id, attempt, failure_reason(exc))
            _discard_unreferenced(settings, locals().get("hashes", {}))
            raise


class _LostOwnership(Exception):
    """Another attempt took the document over while this one rendered (its lease had lapsed)."""


def _render(settings: Settings, row: Document, unit: UnitInfo | None) -> Generated:
    """The document's files: its stored data, its number, the registry's 标志 and seal, the verification mark."""
    data = json.loads(row.data_json)
    if row.seq is not None:
        data["doc_number"]["seq"] = row.seq
    if unit is not None:
        data["issuer"]["mark"] = unit.mark
        _, context = prepare(row.doc_type, data, settings)
        if context["signature"]["sealed"]:
            signature = {**data.get("signature", {}), "sealed": True, "seal_diameter_mm": unit.seal_mm}
            if unit.seal_png:
                signature["seal_image"] = base64.b64encode(unit.seal_png).decode("ascii")
            data["signature"] = signature
    marks = Marks(verification=Verification(row.verify_code, f"{settings.public_url}/verify/{row.verify_code}"))
    return generate(row.doc_type, data, settings=settings, marks=marks)


def _settle(settings: Settings, actor: Actor, row: Document, attempt: int, result: Generated,
            hashes: dict[str, str]) -> Document:
    with db_session(settings) as session:
        settled = session.execute(update(Document).where(
            Document.id == row.id, Document.attempts == attempt, Document.status.in_(("pending", "failed"))).values(
            status="issued", pdf_sha256=hashes["pdf"], pdf_size=len(result.files["pdf"]),
            docx_sha256=hashes["docx"], docx_size=len(result.files["docx"]),
            warnings_json=json.dumps(result.warnings, ensure_ascii=False), lease_until=None, failure_reason=None))
        if settled.rowcount != 1:
            raise _LostOwnership()
        audit.record(session, actor, "document.issue", row.number or row.title, document_id=row.id, type=row.doc_type,
                     unit=row.unit, attempt=attempt)
        settled_row = session.get(Document, row.id)
        # An 意见书 of the 司法局 side to a registered unit opens its supervision case; a unit's own letter does not.
        if row.doc_type == "opinion" and row.created_by_judicial and find_unit(session, row.recipient or "") is not None:
            from docgen.cases.registry import open_case
            open_case(session, settled_row, result.due or settled_row.issue_date)
        if row.doc_type == "decision":  # the last guard: one decision per case, whatever path issued it
            from docgen.cases.rules import one_decision_per_case
            one_decision_per_case(session, row.id)
        return settled_row


def failure_reason(exc: BaseException) -> str:
    """Why issuing failed, in words an administrator can act on (no paths, no stack traces)."""
    if isinstance(exc, StorageFailure):
        return "文件存档写入失败（存档不可写或存储空间已满）"
    if isinstance(exc, ServiceUnavailable):
        return "数据库暂时无法访问"
    if isinstance(exc, DocgenError):  # a 5xx's message may name server paths: its class's words instead
        return f"生成失败：{exc.message if exc.http_status < 500 else type(exc).message}"[:500]
    if isinstance(exc, (KeyboardInterrupt, SystemExit)):
        return "处理被中断（服务停止或进程被终止）"
    return f"内部错误（{type(exc).__name__}）"


def _discard_unreferenced(settings: Settings, hashes: dict[str, str]) -> None:
    """Files archived for an attempt that then failed: no record points at them, and they hold personal data."""
    try:
        with db_session(settings, read_only=True) as session:
            orphans = [digest for digest in hashes.values() if session.execute(select(Document.id).where(
                (Document.pdf_sha256 == digest) | (Document.docx_sha256 == digest)).limit(1)).first() is None]
        open_storage(settings).discard(orphans)
    except Exception:
        LOG.warning("could not remove the files of a failed attempt", exc_info=True)


def _fail(settings: Settings, document_id: str, attempt: int, reason: str) -> None:
    """Mark this attempt failed; if even that is impossible, the lease runs out and the sweeper does it."""
    try:
        with db_session(settings) as session:
            failed = session.execute(update(Document).where(
                Document.id == document_id, Document.attempts == attempt, Document.status == "pending").values(
                status="failed", failure_reason=reason, lease_until=None))
            if failed.rowcount:
                row = session.get(Document, document_id)
                audit.record(session, Actor("docgen", "service"), "document.fail", row.number or row.title,
                             document_id=document_id, reason=reason, attempt=attempt)
    except Exception:
        LOG.exception("could not mark document %s failed; the sweeper will", document_id)
