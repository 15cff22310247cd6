"""Reminders of rectification deadlines: listed, recorded once per case, kind and day, e-mailed when SMTP is set.

A reminder row (case_reminders) is made with channel ``list``; an e-mail run
claims the rows still at ``list`` (one UPDATE each, so two runs never send the
same reminder) and sets ``email`` and the addresses once the server took the
messages. A failed delivery gives the claim back: the next run tries again.
"""

from __future__ import annotations

import json
import logging
import smtplib
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, TypedDict

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from docgen import clock
from docgen.config import Settings
from docgen.dates import format_date_cn
from docgen.errors import ConfigurationProblem, ServiceUnavailable
from docgen.store.db import db_session
from docgen.store.models import CaseReminder

LOG = logging.getLogger(__name__)
SMTP_TIMEOUT_S = 30  # connect and each command; a mail server that hangs must not hold a worker
KINDS = {"overdue": "逾期未报告", "due_soon": "即将到期"}  # in the order the e-mails list them
FOOTER = "本邮件由行政执法监督文书系统（docgen）自动发送，请勿直接回复。"


class Reminder(TypedDict):
    """One deadline to remind of (JSON-ready)."""

    case_id: str
    kind: str  # due_soon | overdue
    unit: str
    opinion_number: str
    opinion_document_id: str
    deadline: str  # ISO date
    working_days_left: int  # negative: working days overdue
    text: str


@dataclass
class ReminderRun:
    """What one run listed, newly recorded and e-mailed."""

    today: date
    within_days: int
    listed: list[Reminder]
    recorded: list[Reminder] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)  # {"to", "subject", "reminders"} per message
    email_configured: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The run as JSON-ready data."""
        return {"today": self.today.isoformat(), "within_days": self.within_days, "listed": self.listed,
                "recorded": self.recorded, "sent": self.sent, "email_configured": self.email_configured}


def reminder_text(unit: str, number: str, deadline: date, left: int, overdue: bool) -> str:
    """昌吉市交通运输局：昌司执监意〔2025〕3号 整改期限 2025年7月4日，还剩 3 个工作日."""
    head = f"{unit}：{number} 整改期限 {format_date_cn(deadline)}，"
    if overdue:  # a weekend right after the deadline: overdue, but no working day yet
        return head + (f"已逾期 {-left} 个工作日" if left < 0 else "已逾期") + "，未报告整改情况"
    return head + ("今天到期" if left == 0 else f"还剩 {left} 个工作日")


def due_reminders(settings: Settings, within_days: int = 5, today: date | None = None) -> list[Reminder]:
    """Open cases due within ``within_days`` working days (due_soon) or overdue, the most urgent first."""
    from docgen.cases.status import overviews
    found: list[Reminder] = []
    for case in overviews(settings, None, today or clock.today()):
        if case.state == "overdue":
            kind = "overdue"
        elif case.state == "rectifying" and 0 <= case.working_days_left <= within_days:
            kind = "due_soon"
        else:
            continue
        found.append(Reminder(
            case_id=case.id, kind=kind, unit=case.unit, opinion_number=case.opinion_number,
            opinion_document_id=case.opinion_document_id, deadline=case.deadline.isoformat(),
            working_days_left=case.working_days_left,
            text=reminder_text(case.unit, case.opinion_number, case.deadline, case.working_days_left,
                               kind == "overdue")))
    found.sort(key=lambda r: (r["kind"] != "overdue", r["working_days_left"], r["deadline"], r["unit"]))
    return found


def make_reminders(settings: Settings, within_days: int = 5, send: bool = False,
                   today: date | None = None) -> ReminderRun:
    """List the due reminders, record each once a day, and e-mail the unsent ones when asked and SMTP is set."""
    day = today or clock.today()
    run = ReminderRun(day, within_days, due_reminders(settings, within_days, day),
                      email_configured=bool(settings.smtp_host))
    run.recorded = _record(settings, run.listed, day)
    if send and run.email_configured and run.listed:
        run.sent = _send_unsent(settings, run.listed, day)
    return run


def _row(reminder: Reminder, day: date) -> Any:
    """The WHERE clause of a reminder's row for ``day``."""
    return ((CaseReminder.case_id == reminder["case_id"]) & (CaseReminder.kind == reminder["kind"])
            & (CaseReminder.made_on == day))


def _record(settings: Settings, reminders: list[Reminder], day: date) -> list[Reminder]:
    """Insert the rows not made yet today; return the reminders that got one now."""
    recorded: list[Reminder] = []
    with db_session(settings) as session:
        for reminder in reminders:
            if session.scalar(select(CaseReminder.id).where(_row(reminder, day))) is not None:
                continue
            try:
                with session.begin_nested():  # a concurrent run may have inserted it since (PostgreSQL)
                    session.add(CaseReminder(case_id=reminder["case_id"], kind=reminder["kind"], made_on=day,
                                             made_at=clock.utcnow(), channel="list"))
            except IntegrityError:
                continue
            recorded.append(reminder)
    return recorded


def load_unit_emails(settings: Settings) -> dict[str, str]:
    """Unit name → address from the DOCGEN_UNIT_EMAILS JSON file (empty when unset)."""
    path = settings.unit_emails_file
    if path is None:
        return {}
    try:
        mapping = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigurationProblem("DOCGEN_UNIT_EMAILS 指定的文件无法读取或不是 JSON", code="unit_emails_invalid",
                                   log_detail=f"{path}: {exc}") from exc
    if not isinstance(mapping, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and "@" in v for k, v in mapping.items()):
        raise ConfigurationProblem("DOCGEN_UNIT_EMAILS 文件应为 JSON 对象：{\"单位名称\": \"邮箱地址\", …}",
                                   code="unit_emails_invalid", log_detail=str(path))
    return {unit.strip(): address.strip() for unit, address in mapping.items()}


def _send_unsent(settings: Settings, reminders: list[Reminder], day: date) -> list[dict[str, Any]]:
    """Claim the reminders not e-mailed yet that have a recipient, send them, and mark them sent."""
    unit_emails = load_unit_emails(settings)
    wanted = [r for r in reminders if settings.reminder_to or r["unit"] in unit_emails]
    claimed = _claim(settings, wanted, day)
    if not claimed:
        return []
    mails = compose_mails(claimed, unit_emails, settings.reminder_to, day)
    try:
        _deliver(settings, mails)
    except BaseException:
        _release(settings, claimed, day)
        raise
    _mark_sent(settings, claimed, unit_emails, day)
    return [{"to": to, "subject": message["Subject"], "reminders": count} for to, message, count in mails]


def _claim(settings: Settings, reminders: list[Reminder], day: date) -> list[Reminder]:
    """Move rows from ``list`` to ``email``; only the run whose UPDATE changed a row sends it."""
    claimed: list[Reminder] = []
    with db_session(settings) as session:
        for reminder in reminders:
            result = session.execute(update(CaseReminder).where(_row(reminder, day), CaseReminder.channel == "list")
                                     .values(channel="email"))
            if result.rowcount:
                claimed.append(reminder)
    return claimed


def _release(settings: Settings, reminders: list[Reminder], day: date) -> None:
    """Give the claims of a failed delivery back, so that the next run sends them."""
    with db_session(settings) as session:
        for reminder in reminders:
            session.execute(update(CaseReminder).where(_row(reminder, day)).values(channel="list", sent_to=None))


def _mark_sent(settings: Settings, reminders: list[Reminder], unit_emails: dict[str, str], day: date) -> None:
    """Record where each reminder went."""
    with db_session(settings) as session:
        for reminder in reminders:
            to = [a for a in (unit_emails.get(reminder["unit"]), settings.reminder_to) if a]
            session.execute(update(CaseReminder).where(_row(reminder, day)).values(sent_to=", ".join(to)[:200]))


def _message(to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 message (the From header is set on delivery)."""
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain="docgen")
    message.set_content(body, charset="utf-8")
    return message


def _lines(reminders: list[Reminder], with_unit: bool) -> list[str]:
    """The reminders as list items, overdue ones first, under their headings."""
    lines: list[str] = []
    for kind, heading in KINDS.items():
        items = [r for r in reminders if r["kind"] == kind]
        if items:
            lines += ["", f"{heading}（{len(items)} 件）："]
            lines += [f"  {i}. " + (r["text"] if with_unit else r["text"].split("：", 1)[1])
                      for i, r in enumerate(items, 1)]
    return lines


def compose_mails(reminders: list[Reminder], unit_emails: dict[str, str], digest_to: str,
                  day: date) -> list[tuple[str, EmailMessage, int]]:
    """One message per unit with an address, then the digest for the 司法局: (to, message, reminders)."""
    when = format_date_cn(day)
    mails: list[tuple[str, EmailMessage, int]] = []
    for unit in sorted({r["unit"] for r in reminders if r["unit"] in unit_emails}):
        own = [r for r in reminders if r["unit"] == unit]
        body = [f"{unit}：", "", "贵单位以下行政执法监督意见书的整改期限即将届满或已经届满，"
                "请在期限内完成整改并书面报告整改情况；已逾期的，请尽快报告。", *_lines(own, False), "", FOOTER]
        subject = f"行政执法监督整改期限提醒（{when}）：{len(own)} 件"
        mails.append((unit_emails[unit], _message(unit_emails[unit], subject, "\n".join(body)), len(own)))
    if digest_to:
        counts = "，".join(f"{heading} {sum(r['kind'] == kind for r in reminders)} 件" for kind, heading in KINDS.items())
        body = [f"{when}整改期限提醒汇总：{counts}。", *_lines(reminders, True), "", FOOTER]
        subject = f"整改期限提醒汇总（{when}）：{counts}"
        mails.append((digest_to, _message(digest_to, subject, "\n".join(body)), len(reminders)))
    return mails


def _deliver(settings: Settings, mails: list[tuple[str, EmailMessage, int]]) -> None:
    """Hand the messages to the configured SMTP server over one connection."""
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_S) as smtp:
            for to, message, _ in mails:
                message["From"] = settings.smtp_from
                smtp.send_message(message, settings.smtp_from, [to])
    except (smtplib.SMTPException, OSError) as exc:
        LOG.warning("reminder e-mail failed via %s:%s: %r", settings.smtp_host, settings.smtp_port, exc)
        raise ServiceUnavailable("邮件服务器暂时无法发送提醒邮件，提醒已记录，下次运行时将重新发送",
                                 code="smtp_unavailable",
                                 log_detail=f"{settings.smtp_host}:{settings.smtp_port}: {exc!r}") from exc
