"""Celery, when DOCGEN_BROKER_URL names a broker: `docgen worker` runs the jobs, the web processes only send them.

Tasks carry nothing but the job id; the job's row holds everything else, so a
message lost or delivered twice changes nothing (claiming a job is atomic).
"""

from __future__ import annotations

import functools
import logging
import os

from celery import Celery
from celery.schedules import crontab

TASK = "docgen.run_job"
BATCH_UNIT_TASK = "docgen.batch_unit"  # one unit's notice of a monthly batch
REMINDERS_TASK = "docgen.reminders"  # the daily deadline reminders, scheduled by beat (`docgen worker -B`)
REMINDERS_AT = {"hour": 8, "minute": 30}  # Beijing time (the app's timezone), before the offices open


@functools.lru_cache(maxsize=4)
def make_celery(broker_url: str) -> Celery:
    """A Celery app for ``broker_url`` with the one task that runs a docgen job."""
    app = Celery("docgen", broker=broker_url)
    app.conf.update(
        task_acks_late=True,  # a job whose worker dies is redelivered, not dropped
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,  # the state lives in the jobs table
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": 3600},
        broker_connection_timeout=3,  # a web request never waits long on a broker that is down
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
        worker_hijack_root_logger=False,
        timezone="Asia/Shanghai",  # beat's crontab times are the office's
        beat_schedule={"deadline-reminders": {"task": REMINDERS_TASK, "schedule": crontab(**REMINDERS_AT)}},
    )

    @app.task(name=TASK, shared=False)  # each app its own tasks: a second app must not re-register them
    def run_job(job_id: str) -> None:
        from docgen.config import Settings
        from docgen.jobs.execute import execute
        execute(Settings.from_env(), job_id)

    @app.task(name=BATCH_UNIT_TASK, shared=False)
    def batch_unit(unit_id: int) -> None:
        from docgen.batch.run import after_unit, resend_if_unsettled
        from docgen.batch.unit_work import render_unit
        from docgen.config import Settings
        settings = Settings.from_env()
        if render_unit(settings, unit_id):
            after_unit(settings, unit_id)
            resend_if_unsettled(settings, unit_id)

    @app.task(name=REMINDERS_TASK, shared=False)
    def deadline_reminders() -> None:
        from docgen.cases.reminders import make_reminders
        from docgen.config import Settings
        run = make_reminders(Settings.from_env(), send=True)  # idempotent: a second beat the same day sends nothing
        logging.getLogger(__name__).info("reminders: %d listed, %d recorded, %d e-mails sent",
                                         len(run.listed), len(run.recorded), len(run.sent))

    return app


def send(broker_url: str, job_id: str) -> None:
    """Queue a job for the Celery workers."""
    make_celery(broker_url).send_task(TASK, args=[job_id])


def send_batch_unit(broker_url: str, unit_id: int, countdown: float | None = None) -> None:
    """Queue one unit's notice of a batch for the Celery workers (not before ``countdown`` seconds)."""
    make_celery(broker_url).send_task(BATCH_UNIT_TASK, args=[unit_id], countdown=countdown)


# `celery -A docgen.jobs.celery_app worker` finds this.
app = make_celery(os.environ.get("DOCGEN_BROKER_URL") or "memory://")
