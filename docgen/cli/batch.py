"""`docgen batch …`: every unit's monthly 公示 notice from one export, on the same path as the API."""

from __future__ import annotations

import getpass
import json
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from docgen.cli import EXIT_FAILURE, _report, main
from docgen.config import Settings
from docgen.errors import DocgenError


@main.group()
def batch() -> None:
    """批量生成：各单位的月度行政执法公示。"""


def _caller() -> Any:
    from docgen.store.tokens import Caller
    return Caller(token_id=0, name=f"cli:{getpass.getuser()}"[:100], role="judicial", unit=None)


@batch.command("disclosure")
@click.argument("cases", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--month", required=True, help="公示月份，如 2025-06")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="结果 ZIP 文件")
@click.option("--issue", is_flag=True, help="同时将公示发布到文书登记（编号、存档、可核验；同一月份不会重复发布）")
@click.option("--issue-date", type=click.DateTime(formats=["%Y-%m-%d"]), help="公示日期（默认今天）")
@click.option("--quiet", is_flag=True, help="不显示进度条")
def disclosure(cases: Path, month: str, output: Path, issue: bool, issue_date: datetime | None,
                quiet: bool) -> None:
    """读取案件文件（XLSX、CSV、JSONL、JSON），为每个单位生成公示（PDF + DOCX），打包为 ZIP。"""
    from docgen.batch.run import start_batch
    from docgen.store.migrate import upgrade
    settings = Settings.from_env()
    try:
        upgrade(settings.effective_database_url)
        batch_row, job = start_batch(settings, _caller(), cases.read_bytes(), cases.name, month, issue,
                                     issue_date.date() if issue_date else None,
                                     run_here=not settings.broker_url)
        _run_with_progress(settings, batch_row.id, job.id, quiet)
        _finish(settings, batch_row.id, output)
    except DocgenError as error:
        sys.exit(_report(error, as_json=False))


def _run_with_progress(settings: Settings, batch_id: str, job_id: str, quiet: bool) -> None:
    """Run the job here (no broker) or wait for the Celery workers, showing units done."""
    from docgen.jobs.execute import execute
    worker = None
    if not settings.broker_url:
        worker = threading.Thread(target=execute, args=(settings, job_id), daemon=True)
        worker.start()
    bar = None
    while True:
        state, done, total = _progress(settings, batch_id)
        if total and bar is None and not quiet:
            from tqdm import tqdm
            bar = tqdm(total=total, unit="单位", desc="生成公示", file=sys.stderr)
        if bar is not None:
            bar.update(done - bar.n)
        if state in ("done", "failed") or (worker is not None and not worker.is_alive()):
            break
        time.sleep(0.5)
    if worker is not None:
        worker.join()
    if bar is not None:
        bar.close()


def _progress(settings: Settings, batch_id: str) -> tuple[str, int, int]:
    from docgen.store import batches as batch_store
    from docgen.store.db import db_session
    from docgen.store.models import Batch
    with db_session(settings, read_only=True) as session:
        counts = batch_store.unit_counts(session, batch_id)
        state = session.get(Batch, batch_id).state
    return state, batch_store.settled(counts), sum(counts.values())


def _finish(settings: Settings, batch_id: str, output: Path) -> None:
    from docgen.batch.package import write_zip
    from docgen.batch.status import describe_batch
    info = describe_batch(settings, batch_id)
    if info["state"] != "done":
        error = info.get("error") or {"message": "批量任务未完成"}
        click.echo(f"错误：{error['message']}（批次 {batch_id}；可用 docgen jobs run 继续）", err=True)
        sys.exit(EXIT_FAILURE)
    size = write_zip(settings, batch_id, output)
    counts = info["counts"]
    held = f"（{counts['units_held']} 个单位所有行均被拒收，未生成）" if counts.get("units_held") else ""
    click.echo(f"已写入 {output}（{size / 1e6:.1f} MB）：{counts['units'] - counts.get('units_held', 0)} 个单位{held}；"
               f"{counts['rows']} 行中公示 "
               f"{counts['published']}、不予公示 {counts['withheld']}、拒收 {counts['rejected']}、重复 {counts['duplicate']}"
               f"（明细见 ZIP 中的 汇总.xlsx）")


@batch.command("result")
@click.argument("batch_id")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def result(batch_id: str, output: Path) -> None:
    """下载已完成批次的结果 ZIP（如被中断的批次经 docgen jobs run 继续完成后）。"""
    try:
        _finish(Settings.from_env(), batch_id, output)
    except DocgenError as error:
        sys.exit(_report(error, as_json=False))


@batch.command("template")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("行政执法公示-案件模板.xlsx"))
def template(output: Path) -> None:
    """写出空白的案件 XLSX 模板（列名、别名和填写说明）。"""
    from docgen.batch.columns import write_template
    with open(output, "wb") as stream:
        write_template(stream)
    click.echo(f"已写入 {output}")


@batch.command("late")
@click.option("--month", required=True, help="公示月份，如 2025-06")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def late(month: str, as_json: bool) -> None:
    """哪些单位已公示、哪些尚未公示、哪些案件逾期公示；30 日前的催办名单。"""
    from docgen.batch.status import disclosure_status
    try:
        status = disclosure_status(Settings.from_env(), month)
    except DocgenError as error:
        sys.exit(_report(error, as_json))
    if as_json:
        click.echo(json.dumps(status, ensure_ascii=False, indent=2))
        return
    click.echo(f"{status['period']} 公示截止 {status['deadline']}（{status['deadline_note']}）")
    for unit in status["units"]:
        mark = {"published": "已公示", "missing": "未公示", "overdue": "逾期未公示"}[unit["state"]]
        late_cases = f"；逾期公示案件 {len(unit['late_cases'])} 件" if unit["late_cases"] else ""
        click.echo(f"  {mark}  {unit['unit']}{late_cases}")
