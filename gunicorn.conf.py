"""gunicorn configuration of docgen for production; `gunicorn` run in the project root reads it.

    .venv/bin/gunicorn                      # bind 127.0.0.1:8000, DOCGEN_WORKERS workers
    DOCGEN_BIND=0.0.0.0:8000 DOCGEN_WORKERS=4 .venv/bin/gunicorn

Threaded workers with read deadlines (docgen.serving): a slow or stalled client
costs one thread for at most DOCGEN_REQUEST_READ_TIMEOUT_S seconds, never a
worker; /healthz stays responsive. Put nginx in front (README): it buffers whole
requests, terminates TLS and adds the client address.
"""

import multiprocessing
import os

wsgi_app = "docgen:create_app()"
bind = os.environ.get("DOCGEN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("DOCGEN_WORKERS", min(4, multiprocessing.cpu_count() * 2)))
worker_class = "docgen.serving.DocgenThreadWorker"
threads = int(os.environ.get("DOCGEN_THREADS", "16"))  # mostly waiting: slow clients, database, one PDF at a time
worker_connections = int(os.environ.get("DOCGEN_WORKER_CONNECTIONS", "1000"))
backlog = 2048
timeout = 60  # heartbeat of a worker's main loop; requests are bounded by the synchronous budget instead
graceful_timeout = 30
keepalive = 5
limit_request_line = 4094
limit_request_fields = 60
limit_request_field_size = 8190
max_requests = 2000  # recycle workers now and then: long-lived processes keep fragments of big renders
max_requests_jitter = 200
umask = 0o077  # the database and the archive hold personal data
forwarded_allow_ips = os.environ.get("DOCGEN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("DOCGEN_ACCESS_LOG") or None
errorlog = "-"


def post_worker_init(worker):  # noqa: ANN001, ANN201  (gunicorn's hook signature)
    """Warm each worker up (fonts, stylesheet, templates, one render) before it takes a request."""
    if os.environ.get("DOCGEN_WARM_UP", "1") != "0":
        from docgen.warmup import warm_up
        worker.log.info("docgen: worker %s warmed up in %.2f s", worker.pid, warm_up())
