"""Operations: the sweeper, and running background jobs outside the web processes."""

from __future__ import annotations

import dataclasses
import sys
import time

import click

from docgen.cli import EXIT_FAILURE, main
from docgen.config import Settings


@main.command("sweep")
def sweep_command() -> None:
    """清理中断的制发和后台任务：租约到期的文书标为失败（注明原因），任务重新排队，删除临时文件。"""
    from docgen.sweeper import sweep
    report = sweep(Settings.from_env())
    click.echo(f"重新排队任务 {len(report.requeued)} 个；标为失败：任务 {len(report.failed_jobs)} 个、"
               f"文书 {len(report.failed_documents)} 件；删除临时文件 {report.stale_parts} 个、过期结果 {report.old_results} 个")


@main.group()
def jobs() -> None:
    """后台任务。"""


@jobs.command("run")
@click.option("--forever", is_flag=True, help="持续运行：没有任务时等待，而不是退出")
def jobs_run(forever: bool) -> None:
    """在本进程中执行排队的后台任务（未配置 Celery 时，可作为独立的任务进程）。"""
    from docgen.jobs.runner import run_queued
    from docgen.sweeper import sweep
    # This command runs the jobs itself, in the foreground: the sweep must not hand them to background threads
    # (a daemon thread would take the job and die with the command).
    settings = dataclasses.replace(Settings.from_env(), job_threads=0)
    while True:
        sweep(settings)
        ran = run_queued(settings)
        if ran:
            click.echo(f"已执行 {ran} 个后台任务")
        if not forever:
            return
        time.sleep(2)


@main.command("worker", context_settings={"ignore_unknown_options": True})
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def worker(celery_args: tuple[str, ...]) -> None:
    """启动 Celery 任务进程（需设置 DOCGEN_BROKER_URL，如 redis://127.0.0.1:6379/0）；其余参数原样交给 celery worker。"""
    settings = Settings.from_env()
    if not settings.broker_url:
        click.echo("错误：未设置 DOCGEN_BROKER_URL；未配置 Celery 时后台任务在服务进程内执行，"
                   "也可用 docgen jobs run --forever 单独运行", err=True)
        sys.exit(EXIT_FAILURE)
    from docgen.jobs.celery_app import make_celery
    args = list(celery_args) or ["--loglevel=INFO", "--concurrency=1"]
    make_celery(settings.broker_url).worker_main(["worker", *args])
