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

import concurrent.futures
import errno
import json
import os
import re
import socket
import time
from typing import Any

from gunicorn.http import errors as http_errors
from gunicorn.workers.gthread import TConn, ThreadWorker

READ_TIMEOUT_ENV = "DOCGEN_REQUEST_READ_TIMEOUT_S"
WRITE_TIMEOUT_S = 30.0


def read_timeout() -> float:
    """Seconds a client has to send one whole request (ASCII digits only; 30 if unset or malformed)."""
    value = os.environ.get(READ_TIMEOUT_ENV, "30").strip()
    return float(value) if re.fullmatch(r"[0-9]{1,6}(\.[0-9]{1,3})?", value) and float(value) > 0 else 30.0


class ReadDeadlinePassed(TimeoutError):
    """The client did not send its request in time (quietly logged: slow clients are a fact of life)."""

    def __init__(self) -> None:
        # gunicorn logs OSErrors with a traceback except for these numbers; a stalled client is not a server fault.
        super().__init__(errno.ECONNRESET, "request read deadline passed")


class DeadlineSocket(socket.socket):
    """A client socket: reads share one deadline per request, each write has its own timeout.

    The deadline starts when gunicorn switches the connection to blocking to read a request. A
    timeout that gunicorn sets itself (draining a body, closing gracefully) is kept when it is
    shorter: the deadline only ever shortens waits, it never lengthens them.
    """

    read_timeout_s = 30.0
    _deadline = 0.0
    _explicit: float | None = None

    @classmethod
    def adopt(cls, plain: socket.socket, read_timeout_s: float) -> "DeadlineSocket":
        """Take over an accepted socket's file descriptor."""
        adopted = cls(plain.family, plain.type, plain.proto, fileno=plain.detach())
        adopted.read_timeout_s = read_timeout_s
        return adopted

    def setblocking(self, flag: bool) -> None:
        if flag:
            self._deadline, self._explicit = time.monotonic() + self.read_timeout_s, None
            super().settimeout(self.read_timeout_s)
        else:
            self._explicit = None
            super().setblocking(False)

    def settimeout(self, value: float | None) -> None:
        self._explicit = value
        super().settimeout(value)

    def _arm_read(self) -> None:
        if super().gettimeout() == 0.0:  # non-blocking use by the poller: leave it alone
            return
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise ReadDeadlinePassed()
        super().settimeout(left if self._explicit is None else min(left, self._explicit))

    def recv(self, *args: Any) -> bytes:  # type: ignore[override]
        self._arm_read()
        return super().recv(*args)

    def recv_into(self, *args: Any) -> int:  # type: ignore[override]
        self._arm_read()
        return super().recv_into(*args)

    def sendall(self, *args: Any) -> None:  # type: ignore[override]
        super().settimeout(WRITE_TIMEOUT_S if self._explicit is None else min(WRITE_TIMEOUT_S, self._explicit))
        super().sendall(*args)

    def send(self, *args: Any) -> int:  # type: ignore[override]
        super().settimeout(WRITE_TIMEOUT_S if self._explicit is None else min(WRITE_TIMEOUT_S, self._explicit))
        return super().send(*args)


def _problem_bytes(status: int, reason: str, code: str, detail: str) -> bytes:
    body = json.dumps({"type": f"/problems/{code}", "title": reason, "status": status, "code": code, "detail": detail},
                      ensure_ascii=False).encode("utf-8")
    head = (f"HTTP/1.1 {status} {code}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n"
            f"Content-Length: {len(body)}\r\nX-Content-Type-Options: nosniff\r\n\r\n").encode("latin-1")
    return head + body


def _classify(exc: BaseException) -> tuple[int, str, str, str]:
    """Status, title, code and Chinese detail for an error gunicorn meets around the application."""
    if isinstance(exc, (http_errors.InvalidResponseHeader, http_errors.InvalidResponseHeaderName)):
        return 500, "服务内部错误", "internal_error", "服务内部错误，请联系管理员"  # our answer was malformed
    if isinstance(exc, http_errors.LimitRequestLine):
        return 414, "请求地址过长", "uri_too_long", "请求地址过长"
    if isinstance(exc, http_errors.LimitRequestHeaders):
        return 431, "请求头过大", "headers_too_large", "请求头过多或过大"
    if isinstance(exc, http_errors.ExpectationFailed):
        return 417, "无法满足 Expect 请求头", "expectation_failed", "不支持该 Expect 请求头"
    if isinstance(exc, http_errors.UnsupportedTransferCoding):
        return 501, "不支持的传输编码", "unsupported_transfer_coding", "不支持该 Transfer-Encoding"
    if isinstance(exc, http_errors.ForbiddenProxyRequest):
        return 403, "无权访问", "forbidden", "不接受该代理的请求"
    if isinstance(exc, (http_errors.ParseException, ValueError)):
        return 400, "请求有误", "bad_request", "无法解析的 HTTP 请求"
    return 500, "服务内部错误", "internal_error", "服务内部错误，请联系管理员"


class LingeringCloseConn(TConn):
    """A connection whose graceful close (wait for the client's FIN, up to 2 s) runs off the main loop.

    gunicorn closes finished connections on the worker's main thread, which also accepts and sends
    the heartbeat: clients that never close their side could otherwise hold it 2 s each, and a few
    dozen of them get the worker killed as silent.
    """

    closer = concurrent.futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="docgen-close")

    def close(self, graceful: bool = False) -> None:
        if graceful:
            self.closer.submit(super().close, True)
        else:
            super().close()


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
        self.enqueue_req(LingeringCloseConn(self.cfg, sock, address, listener.getsockname()))

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
