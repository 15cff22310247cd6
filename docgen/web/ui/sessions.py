"""Server-side sessions: the cookie holds a random id, the database holds the data and a fixed end.

A session lasts DOCGEN_SESSION_HOURS from sign-in, however busy the user is; signing
in starts a new session id (no fixation); signing out or disabling the user ends it
on the server. Requests to the JSON API never open one.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import delete
from werkzeug.datastructures import CallbackDict

from docgen.clock import aware, utcnow
from docgen.config import Settings
from docgen.store.db import db_session, private_dir
from docgen.store.models import WebSession

COOKIE = "docgen_session"


class ServerSession(CallbackDict, SessionMixin):  # type: ignore[misc]
    """Session data that remembers whether it changed, and which row it lives in."""

    def __init__(self, initial: dict[str, Any] | None = None, sid: str | None = None) -> None:
        def changed(_: Any) -> None:
            self.modified = True

        super().__init__(initial or {}, changed)
        self.sid = sid
        self.modified = False
        self.rotate = False  # set at sign-in: the data moves to a fresh id

    def regenerate(self) -> None:
        """Give the session a new id when its privilege changes (sign-in)."""
        self.rotate = True
        self.modified = True


def _row_id(cookie: str) -> str:
    return hashlib.sha256(cookie.encode("ascii", "ignore")).hexdigest()


class DatabaseSessions(SessionInterface):
    """Flask sessions stored in the web_sessions table."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        cookie = request.cookies.get(COOKIE, "")
        if request.path.startswith("/api/") or not cookie or len(cookie) > 100:
            return ServerSession()
        with db_session(self.settings, read_only=True) as session:
            row = session.get(WebSession, _row_id(cookie))
        if row is None or aware(row.expires_at) <= utcnow():
            return ServerSession()
        return ServerSession(json.loads(row.data_json), sid=cookie)

    def save_session(self, app: Flask, session: ServerSession, response: Response) -> None:  # type: ignore[override]
        if not session.modified:
            return
        with db_session(self.settings) as db:
            if session.sid and (session.rotate or not session):
                db.execute(delete(WebSession).where(WebSession.id == _row_id(session.sid)))
            if not session:
                response.delete_cookie(COOKIE, path="/")
                return
            if session.sid is None or session.rotate:
                session.sid = secrets.token_urlsafe(32)
                expires = utcnow() + timedelta(hours=self.settings.session_hours)
                db.add(WebSession(id=_row_id(session.sid), expires_at=expires))
                db.flush()
            row = db.get(WebSession, _row_id(session.sid))
            if row is None:  # ended meanwhile (signed out elsewhere, user disabled): keep nothing
                response.delete_cookie(COOKIE, path="/")
                return
            row.data_json = json.dumps(dict(session), ensure_ascii=False)
            row.user_id = session.get("user_id")
            expires = aware(row.expires_at)
        response.set_cookie(COOKIE, session.sid, expires=expires, httponly=True, samesite="Lax",
                            secure=self.settings.cookie_secure, path="/")


def end_sessions_of(settings: Settings, user_id: int) -> None:
    """Sign a user out everywhere (disabled, or the password was reset)."""
    with db_session(settings) as db:
        db.execute(delete(WebSession).where(WebSession.user_id == user_id))


def remove_expired_sessions(settings: Settings) -> int:
    """Delete sessions past their end (the sweeper calls this)."""
    with db_session(settings) as db:
        return db.execute(delete(WebSession).where(WebSession.expires_at < utcnow())).rowcount or 0


def secret_key(settings: Settings) -> str:
    """DOCGEN_SECRET_KEY, or a key generated once into the instance folder and shared by every worker."""
    if settings.secret_key:
        return settings.secret_key
    folder = private_dir(settings.instance_dir)
    path: Path = folder / "secret_key"
    if not path.exists():
        handle, temp = tempfile.mkstemp(dir=folder, prefix=".secret-")  # written whole, then published at once
        with os.fdopen(handle, "w", encoding="ascii") as stream:
            stream.write(secrets.token_urlsafe(48))
        try:
            os.link(temp, path)  # fails if another worker published first: theirs is the key
        except FileExistsError:
            pass
        finally:
            os.unlink(temp)
    return path.read_text(encoding="ascii").strip()
