"""`docgen reminders`: the rectification deadlines due soon or overdue, recorded once a day (for cron)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from docgen.cli import _report, main
from docgen.config import Settings
from docgen.errors import DocgenError

if TYPE_CHECKING:
    from docgen.cases.reminders import ReminderRun


@main.command("reminders")
@click.option("--within", "within_days", type=click.IntRange(0, 60), default=5, show_default=True,
              help="列出多少个工作日内到期的案件")
@click.option("--send", is_flag=True, help="同时发送提醒邮件（需设置 DOCGEN_SMTP_HOST；同一天不重复发送）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def reminders(within_days: int, send: bool, as_json: bool) -> None:
    """列出整改期限即将届满和已逾期的监督案件，并记录当天已提醒（可用 cron 每天运行）。"""
    from docgen.cases.reminders import make_reminders
    from docgen.store.migrate import upgrade
    settings = Settings.from_env()
    try:
        upgrade(settings.effective_database_url)
        run = make_reminders(settings, within_days, send)
    except DocgenError as error:
        sys.exit(_report(error, as_json))
    if as_json:
        click.echo(json.dumps(run.as_dict(), ensure_ascii=False, indent=2))
        return
    if not run.listed:
        click.echo(f"没有 {within_days} 个工作日内到期或已逾期的案件")
    for reminder in run.listed:
        mark = "逾期" if reminder["kind"] == "overdue" else "将到期"
        click.echo(f"  [{mark}] {reminder['text']}")
    click.echo(f"共 {len(run.listed)} 件，本次新记录 {len(run.recorded)} 件" + _sent_note(run, send))


def _sent_note(run: ReminderRun, send: bool) -> str:
    """How the e-mail part went, in one clause."""
    if not send:
        return ""
    if not run.email_configured:
        return "；未设置 DOCGEN_SMTP_HOST，未发送邮件"
    return f"；发送邮件 {len(run.sent)} 封" + ("" if run.sent else "（均已发送过或没有收件地址）")
