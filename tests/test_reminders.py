"""Deadline reminders: listed from the cases' states, recorded once a day, e-mailed to a local SMTP sink."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import json
import socket
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from docgen.cases.reminders import due_reminders, make_reminders
from docgen.cases.status import overviews
from docgen.cli import main
from docgen.config import Settings
from docgen.errors import ServiceUnavailable
from docgen.generate import load_calendar
from docgen.store.db import db_session
from docgen.store.models import CaseReminder

from conftest import issuable

SOON_UNIT, LATE_UNIT = "昌吉市市场监督管理局", "昌吉市交通运输局"
DIGEST_TO = "zfjd@sfj.example.test"
UNIT_TO = "jt@jtj.example.test"


class Sink:
    """An aiosmtpd handler that keeps every message it is handed."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append({"rcpt": list(envelope.rcpt_tos), "from": envelope.mail_from,
                              "message": email.message_from_bytes(envelope.content, policy=email.policy.default)})
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture()
def smtp_sink() -> Iterator[tuple[Sink, int]]:
    """A local SMTP server on 127.0.0.1 (nothing leaves the machine)."""
    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


def _issue_opinion(client, headers: dict[str, str], recipient: str, days: int) -> dict[str, Any]:
    data = issuable("opinion")
    data["recipient"] = recipient
    data["deadline"]["days"] = days
    response = client.post("/api/v1/documents", json={"type": "opinion", "data": data}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture()
def cases(client, judicial, settings) -> dict[str, Any]:
    """Two open cases: 20 working days for 市场监督管理局, 10 for 交通运输局 (the same start)."""
    _issue_opinion(client, judicial, SOON_UNIT, 20)
    _issue_opinion(client, judicial, LATE_UNIT, 10)
    return {case.unit: case for case in overviews(settings, None)}


def working_day_before(settings: Settings, deadline: date, left: int) -> date:
    """The working day from which ``left`` working days remain to ``deadline``."""
    calendar, day = load_calendar(settings), deadline
    while not (calendar.is_working_day(day) and calendar.working_days_between(day, deadline)[0] == left):
        day -= timedelta(days=1)
    return day


def test_due_soon_and_overdue_are_listed_most_urgent_first(cases, settings, monkeypatch):
    soon, late = cases[SOON_UNIT], cases[LATE_UNIT]
    assert (soon.deadline, late.deadline) == (date(2025, 7, 8), date(2025, 6, 24)), "the 意见书s' own deadlines"
    monkeypatch.setenv("DOCGEN_TODAY", "2025-07-03")
    listed = due_reminders(settings)
    assert [(r["unit"], r["kind"], r["working_days_left"]) for r in listed] == [
        (LATE_UNIT, "overdue", -7), (SOON_UNIT, "due_soon", 3)]
    assert listed[1]["text"] == f"{SOON_UNIT}：{soon.opinion_number} 整改期限 2025年7月8日，还剩 3 个工作日"
    assert listed[0]["text"] == f"{LATE_UNIT}：{late.opinion_number} 整改期限 2025年6月24日，已逾期 7 个工作日，未报告整改情况"
    assert listed[1]["deadline"] == "2025-07-08" and listed[1]["opinion_document_id"] == soon.opinion_document_id


@pytest.mark.parametrize("left, within, listed", [(6, 5, False), (5, 5, True), (6, 6, True), (0, 5, True)])
def test_due_soon_window_counts_working_days(cases, settings, left, within, listed):
    soon = cases[SOON_UNIT]
    today = working_day_before(settings, soon.deadline, left)
    found = [r for r in due_reminders(settings, within, today) if r["unit"] == SOON_UNIT]
    assert bool(found) == listed
    if left == 0:
        assert found[0]["text"].endswith("整改期限 2025年7月8日，今天到期")


def test_nothing_is_listed_while_every_deadline_is_far(cases, settings):
    assert due_reminders(settings, today=date(2025, 6, 10)) == []


def test_recording_is_once_per_case_kind_and_day(cases, settings):
    first = make_reminders(settings, today=date(2025, 7, 3))
    again = make_reminders(settings, today=date(2025, 7, 3))
    assert len(first.listed) == len(first.recorded) == 2 and first.sent == []
    assert len(again.listed) == 2 and again.recorded == []
    next_day = make_reminders(settings, today=date(2025, 7, 4))
    assert len(next_day.recorded) == 2
    with db_session(settings, read_only=True) as session:
        rows = session.execute(select(CaseReminder).order_by(CaseReminder.made_on, CaseReminder.kind)).scalars().all()
        assert [(r.kind, r.made_on, r.channel, r.sent_to) for r in rows] == [
            ("due_soon", date(2025, 7, 3), "list", None), ("overdue", date(2025, 7, 3), "list", None),
            ("due_soon", date(2025, 7, 4), "list", None), ("overdue", date(2025, 7, 4), "list", None)]


def _mail_settings(settings: Settings, tmp_path: Path, port: int) -> Settings:
    mapping = tmp_path / "unit-emails.json"
    mapping.write_text(json.dumps({LATE_UNIT: UNIT_TO}, ensure_ascii=False), encoding="utf-8")
    return dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=port, smtp_from="docgen@sfj.example.test",
                               reminder_to=DIGEST_TO, unit_emails_file=mapping)


def test_units_and_the_digest_are_mailed_once(cases, settings, smtp_sink, tmp_path):
    sink, port = smtp_sink
    mailing = _mail_settings(settings, tmp_path, port)
    make_reminders(mailing, today=date(2025, 7, 3))  # listed first (cron without --send): still e-mailed later
    run = make_reminders(mailing, send=True, today=date(2025, 7, 3))
    assert run.recorded == [] and [(m["to"], m["reminders"]) for m in run.sent] == [(UNIT_TO, 1), (DIGEST_TO, 2)]
    unit_mail, digest = sink.messages
    assert unit_mail["rcpt"] == [UNIT_TO] and digest["rcpt"] == [DIGEST_TO]
    assert unit_mail["from"] == "docgen@sfj.example.test"
    assert unit_mail["message"]["Subject"] == "行政执法监督整改期限提醒（2025年7月3日）：1 件"
    body = unit_mail["message"].get_content()
    assert body.startswith(f"{LATE_UNIT}：") and "整改期限 2025年6月24日，已逾期 7 个工作日，未报告整改情况" in body
    assert SOON_UNIT not in body, "a unit sees only its own cases"
    assert digest["message"]["Subject"] == "整改期限提醒汇总（2025年7月3日）：逾期未报告 1 件，即将到期 1 件"
    digest_body = digest["message"].get_content()
    assert f"{SOON_UNIT}：" in digest_body and "还剩 3 个工作日" in digest_body and f"{LATE_UNIT}：" in digest_body
    assert digest["message"].get_content_charset() == "utf-8"

    again = make_reminders(mailing, send=True, today=date(2025, 7, 3))
    assert again.sent == [] and len(sink.messages) == 2, "nothing is sent twice the same day"
    with db_session(settings, read_only=True) as session:
        sent_to = dict(session.execute(select(CaseReminder.kind, CaseReminder.sent_to)).all())
    assert sent_to == {"overdue": f"{UNIT_TO}, {DIGEST_TO}", "due_soon": DIGEST_TO}


def test_a_failed_delivery_is_sent_by_the_next_run(cases, settings, smtp_sink, tmp_path):
    sink, port = smtp_sink
    down = _mail_settings(settings, tmp_path, free_port())  # nothing listens there
    with pytest.raises(ServiceUnavailable) as failed:
        make_reminders(down, send=True, today=date(2025, 7, 3))
    assert failed.value.code == "smtp_unavailable" and "已记录" in failed.value.message
    with db_session(settings, read_only=True) as session:
        assert set(session.execute(select(CaseReminder.channel)).scalars()) == {"list"}
    run = make_reminders(_mail_settings(settings, tmp_path, port), send=True, today=date(2025, 7, 3))
    assert run.recorded == [] and len(run.sent) == len(sink.messages) == 2


def test_without_smtp_nothing_is_sent(cases, settings):
    run = make_reminders(settings, send=True, today=date(2025, 7, 3))
    assert not run.email_configured and run.sent == [] and len(run.recorded) == 2


def test_cli_lists_records_and_sends(cases, settings, runner, smtp_sink, monkeypatch):
    sink, port = smtp_sink
    monkeypatch.setenv("DOCGEN_INSTANCE_DIR", str(settings.instance_dir))
    monkeypatch.setenv("DOCGEN_TODAY", "2025-07-03")
    result = runner.invoke(main, ["reminders"])
    assert result.exit_code == 0, result.output
    assert f"[逾期] {LATE_UNIT}：" in result.output and "还剩 3 个工作日" in result.output
    assert "共 2 件，本次新记录 2 件" in result.output
    monkeypatch.setenv("DOCGEN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DOCGEN_SMTP_PORT", str(port))
    monkeypatch.setenv("DOCGEN_REMINDER_TO", DIGEST_TO)
    result = runner.invoke(main, ["reminders", "--send"])
    assert result.exit_code == 0, result.output
    assert "本次新记录 0 件；发送邮件 1 封" in result.output and [m["rcpt"] for m in sink.messages] == [[DIGEST_TO]]
    result = runner.invoke(main, ["reminders", "--within", "2", "--send", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert [r["kind"] for r in body["listed"]] == ["overdue"] and body["sent"] == [] and body["today"] == "2025-07-03"


def test_cli_reports_an_unreadable_unit_email_file(cases, settings, runner, monkeypatch, tmp_path):
    monkeypatch.setenv("DOCGEN_INSTANCE_DIR", str(settings.instance_dir))
    monkeypatch.setenv("DOCGEN_TODAY", "2025-07-03")
    monkeypatch.setenv("DOCGEN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DOCGEN_UNIT_EMAILS", str(tmp_path / "missing.json"))
    result = runner.invoke(main, ["reminders", "--send"])
    assert result.exit_code == 3 and "错误：DOCGEN_UNIT_EMAILS 指定的文件无法读取或不是 JSON" in result.output
    assert str(tmp_path) not in result.output, "the path goes to the log, not to the message"


def test_celery_beat_runs_the_reminders_daily(cases, settings, monkeypatch):
    from celery.schedules import crontab
    from docgen.jobs.celery_app import REMINDERS_TASK, make_celery
    app = make_celery("memory://")
    entries = [entry for entry in app.conf.beat_schedule.values() if entry["task"] == REMINDERS_TASK]
    assert len(entries) == 1 and REMINDERS_TASK in app.tasks
    assert entries[0]["schedule"] == crontab(hour=8, minute=30) and app.conf.timezone == "Asia/Shanghai"
    monkeypatch.setenv("DOCGEN_INSTANCE_DIR", str(settings.instance_dir))
    monkeypatch.setenv("DOCGEN_TODAY", "2025-07-03")
    app.tasks[REMINDERS_TASK].apply().get()
    with db_session(settings, read_only=True) as session:
        assert sorted(session.execute(select(CaseReminder.kind)).scalars()) == ["due_soon", "overdue"]
