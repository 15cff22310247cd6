"""Background jobs: large documents, previews over the synchronous budget, batches.

One procedure runs a job wherever it runs: in threads of the service processes
(the default: nothing to install) or in Celery workers when DOCGEN_BROKER_URL
names a broker. Either way the job's row in the database holds its state and
lease, so a job whose worker dies is taken up again, never lost.
"""

from __future__ import annotations

import logging

from docgen.config import Settings

LOG = logging.getLogger(__name__)


def submit(settings: Settings, job_id: str) -> None:
    """Hand a queued job to the runner; if the broker is down, the sweeper sends it again later."""
    if settings.broker_url:
        from docgen.jobs.celery_app import send
        try:
            send(settings.broker_url, job_id)
        except Exception:  # kombu raises many types; the job row stays queued and is resent by the sweeper
            LOG.warning("could not send job %s to the broker; it stays queued", job_id, exc_info=True)
        return
    from docgen.jobs.runner import embedded_runner
    embedded_runner(settings).nudge()
