"""The gunicorn worker docgen ships (see gunicorn.conf.py): threads, read deadlines, problem+json errors.

gunicorn's threaded worker reads a request in one of its threads with a blocking
socket and no deadline, so a client sending one byte every few seconds holds a
thread as long as it likes; a handful of such clients stop a worker. Here every
client socket carries a deadline for reading the whole request (headers and body,
DOCGEN_REQUEST_READ_TIMEOUT_S, default 30 s) and a timeout for each write: a slow
client loses its connection (or gets 408 while its body is read), the thread is
free again. Errors gunicorn answers itself (bad request line, headers too large)
are problem+json like every other error of the service.

TLS is not terminated here: put the service behind a reverse proxy (README).
"""

from __future__ import annotations

import errno
import json
import os
import socket
import time
from typing import Any

from gunicorn.http import errors as http_errors
from gunicorn.workers.gthread import TConn, ThreadWorker

READ_TIMEOUT_ENV = "DOCGEN_REQUEST_READ_TIMEOUT_S"
WRITE_TIMEOUT_S = 30.0


def read_timeout() -> float:
    """Seconds a client has to send one whole request."""
    value = os.environ.get(READ_TIMEOUT_ENV, "30")
    return float(value) if value.replace(".", "", 1).isdigit() and float(value) > 0 else 30.0


class DeadlineSocket(socket.socket):
    """A client socket: reads share one deadline per request, each write has its own timeout."""

    read_timeout_s = 30.0
    _deadline = 0.0

    @classmethod
    def adopt(cls, plain: socket.socket, read_timeout_s: float) -> "DeadlineSocket":
        """Take over an accepted socket's file descriptor."""
        adopted = cls(plain.family, plain.type, plain.proto, fileno=plain.detach())
        adopted.read_timeout_s = read_timeout_s
        return adopted

    def setblocking(self, flag: bool) -> None:
        # gunicorn switches a connection to blocking just before it reads a request: the deadline starts there.
        if flag:
            self._deadline = time.monotonic() + self.read_timeout_s
            super().settimeout(self.read_timeout_s)
        else:
            super().setblocking(False)

    def _arm_read(self) -> None:
        if self.gettimeout() == 0.0:  # non-blocking use by the poller: leave it alone
            return
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(errno.ETIMEDOUT, "request read deadline passed")
        super().settimeout(left)

    def recv(self, *args: Any) -> bytes:  # type: ignore[override]
        self._arm_read()
        return super().recv(*args)

    def recv_into(self, *args: Any) -> int:  # type: ignore[override]
        self._arm_read()
        return super().recv_into(*args)

    def sendall(self, *args: Any) -> None:  # type: ignore[override]
        super().settimeout(WRITE_TIMEOUT_S)
        super().sendall(*args)

    def send(self, *args: Any) -> int:  # type: ignore[override]
        super().settimeout(WRITE_TIMEOUT_S)
        return super().send(*args)


def _problem_bytes(status: int, reason: str, code: str, detail: str) -> bytes:
    body = json.dumps({"type": f"/problems/{code}", "title": reason, "status": status, "code": code, "detail": detail},
                      ensure_ascii=False).encode("utf-8")
    head = (f"HTTP/1.1 {status} {code}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n"
            f"Content-Length: {len(body)}\r\nX-Content-Type-Options: nosniff\r\n\r\n").encode("latin-1")
    return head + body


def _classify(exc: BaseException) -> tuple[int, str, str, str]:
    """Status, title, code and Chinese detail for an error gunicorn meets before the application runs."""
    if isinstance(exc, http_errors.LimitRequestLine):
        return 414, "请求地址过长", "uri_too_long", "请求地址过长"
    if isinstance(exc, http_errors.LimitRequestHeaders):
        return 431, "请求头过大", "headers_too_large", "请求头过多或过大"
    if isinstance(exc, http_errors.ParseException) or isinstance(exc, ValueError):
        return 400, "请求有误", "bad_request", "无法解析的 HTTP 请求"
    return 500, "服务内部错误", "internal_error", "服务内部错误，请联系管理员"


class DocgenThreadWorker(ThreadWorker):
    """gunicorn's threaded worker with per-request read deadlines and problem+json errors."""

    def init_process(self) -> None:
        self.read_timeout_s = read_timeout()
        super().init_process()

    def accept(self, listener: Any) -> None:
        """Accept a connection as a DeadlineSocket and hand it to the thread pool."""
        try:
            client, address = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        sock = DeadlineSocket.adopt(client, self.read_timeout_s)
        self.enqueue_req(TConn(self.cfg, sock, address, listener.getsockname()))

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        """Answer an error gunicorn met itself as problem+json (never its HTML page)."""
        status, reason, code, detail = _classify(exc)
        if status >= 500:
            self.log.exception("Error handling request")
        else:
            self.log.warning("Invalid request from %s: %s", (addr or ("",))[0], exc)
        try:
            client.sendall(_problem_bytes(status, reason, code, detail))
        except OSError:
            self.log.debug("Failed to send error message.")
