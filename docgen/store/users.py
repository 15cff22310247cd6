"""Workspace users: argon2 password hashes, lock-out after repeated failures, one hidden API token each.

A user acts through its own API token (never shown, never usable as a bearer token),
so the workspace issues, lists and scopes documents with exactly the code and the
rules of the JSON API: a unit user sees what a unit token sees.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.clock import aware, utcnow
from docgen.store.models import ApiToken, User
from docgen.store.tokens import Caller, digest
from docgen.store.units import find_unit

ROLES = {"judicial": "市司法局", "unit": "行政执法单位", "admin": "管理员"}
MAX_FAILURES = 5  # wrong passwords in a row before the account locks
LOCK_MINUTES = 15
MIN_PASSWORD = 10
USERNAME = re.compile(r"[A-Za-z0-9_.\-]{3,40}")
HASHER = PasswordHasher()  # argon2id, memory-hard (64 MiB, 3 passes)
_DUMMY_HASH = HASHER.hash("docgen-timing-equaliser")


@dataclass(frozen=True)
class UserInfo:
    """A user as the workspace sees it."""

    id: int
    username: str
    display_name: str
    role: str
    unit: str | None
    token_id: int
    active: bool
    locked: bool

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def caller(self) -> Caller:
        """The user as the registry sees a caller (admins see what the 司法局 sees)."""
        return Caller(token_id=self.token_id, name=self.display_name or self.username,
                      role="unit" if self.role == "unit" else "judicial", unit=self.unit)


def _info(row: User) -> UserInfo:
    locked = row.locked_until is not None and aware(row.locked_until) > utcnow()
    return UserInfo(row.id, row.username, row.display_name, row.role, row.unit, row.token_id, row.active, locked)


def check_password(password: str) -> None:
    """ValueError unless the password is long enough and not trivially simple."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"密码至少 {MIN_PASSWORD} 个字符")
    if len(set(password)) < 4:
        raise ValueError("密码过于简单")


def create_user(session: Session, username: str, password: str, role: str, unit: str | None,
                display_name: str = "") -> UserInfo:
    """A new user with its own hidden token; ValueError for a taken name, a weak password or an unknown unit."""
    if not USERNAME.fullmatch(username):
        raise ValueError("用户名应为 3–40 个字母、数字、下划线、点或连字符")
    if role not in ROLES:
        raise ValueError(f"角色应为 {'、'.join(ROLES)} 之一")
    if role == "unit" and (not unit or find_unit(session, unit) is None):
        raise ValueError("单位用户必须属于已登记的单位（--unit，docgen unit add）")
    if session.execute(select(User.id).where(User.username == username)).first():
        raise ValueError(f"用户名“{username}”已存在")
    check_password(password)
    token = ApiToken(name=f"用户 {username}", token_hash=digest("web:" + secrets.token_urlsafe(32)),
                     role="unit" if role == "unit" else "judicial", unit=unit if role == "unit" else None)
    session.add(token)
    session.flush()
    row = User(username=username, display_name=display_name.strip()[:40] or username, password_hash=HASHER.hash(password),
               role=role, unit=unit if role == "unit" else None, token_id=token.id)
    session.add(row)
    session.flush()
    return _info(row)


def sign_in(session: Session, username: str, password: str) -> UserInfo | None:
    """The user if the password is right and the account open; counts failures and locks after MAX_FAILURES."""
    row = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if row is None:
        _verify(_DUMMY_HASH, password)  # the same time for a name that does not exist
        return None
    if not row.active or (row.locked_until is not None and aware(row.locked_until) > utcnow()):
        return None
    if not _verify(row.password_hash, password):
        row.failed_logins += 1
        if row.failed_logins >= MAX_FAILURES:
            row.locked_until, row.failed_logins = utcnow() + timedelta(minutes=LOCK_MINUTES), 0
        return None
    row.failed_logins, row.locked_until, row.last_login_at = 0, None, utcnow()
    if HASHER.check_needs_rehash(row.password_hash):
        row.password_hash = HASHER.hash(password)
    return _info(row)


def _verify(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def is_locked(session: Session, username: str) -> bool:
    """Whether the account is locked out right now."""
    row = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    return row is not None and _info(row).locked


def get_user(session: Session, user_id: int) -> UserInfo | None:
    """An active user by id (a disabled user's sessions end at their next request)."""
    row = session.get(User, user_id)
    return _info(row) if row is not None and row.active else None


def find_user(session: Session, username: str) -> UserInfo | None:
    row = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    return _info(row) if row else None


def list_users(session: Session) -> list[UserInfo]:
    return [_info(row) for row in session.execute(select(User).order_by(User.username)).scalars()]


def set_active(session: Session, username: str, active: bool) -> UserInfo:
    """Disable (or enable again) a user; disabling also revokes its token. KeyError if unknown."""
    row = _row(session, username)
    row.active = active
    token = session.get(ApiToken, row.token_id)
    token.revoked_at = None if active else utcnow()
    return _info(row)


def reset_password(session: Session, username: str, password: str) -> UserInfo:
    """Set a new password and unlock the account. KeyError if unknown, ValueError if weak."""
    check_password(password)
    row = _row(session, username)
    row.password_hash, row.failed_logins, row.locked_until = HASHER.hash(password), 0, None
    return _info(row)


def has_users(session: Session) -> bool:
    """Whether anyone can sign in yet (a fresh installation has nobody)."""
    return session.execute(select(User.id).limit(1)).first() is not None


def _row(session: Session, username: str) -> User:
    row = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if row is None:
        raise KeyError(username)
    return row
