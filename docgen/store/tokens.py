"""API tokens: created once, shown once, stored as SHA-256; a unit token sees only its unit."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.store.models import ApiToken
from docgen.store.units import find_unit

ROLES = {"judicial": "市司法局（可查看全部单位）", "unit": "行政执法单位（仅本单位）"}


@dataclass(frozen=True)
class Caller:
    """Who is calling: token id and name, role, and unit (None for the 司法局 role)."""

    token_id: int
    name: str
    role: str
    unit: str | None

    def sees(self, unit: str, recipient: str | None, by_judicial: bool) -> bool:
        """A unit sees what it issued and what the 司法局 side addressed to it; the 司法局 sees all.

        A recipient set by another unit grants nothing: any unit may type any name there.
        """
        return self.role == "judicial" or self.unit == unit or (by_judicial and self.unit == recipient)

    def may_act_as(self, unit: str) -> bool:
        """Whether this caller may issue or preview documents in ``unit``'s name."""
        return self.role == "judicial" or self.unit == unit


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, role: str, unit: str | None, name: str = "") -> str:
    """Create a token and return it in clear (the only time it is ever visible)."""
    if role not in ROLES:
        raise ValueError(f"角色应为 {'、'.join(ROLES)} 之一")
    if role == "unit" and not unit:
        raise ValueError("单位角色的令牌必须指定单位（--unit）")
    if role == "unit" and find_unit(session, unit) is None:
        raise ValueError(f"单位“{unit}”未登记；请先用 docgen unit add 登记该单位")
    token = "dg_" + secrets.token_urlsafe(32)
    session.add(ApiToken(name=name or unit or role, token_hash=digest(token), role=role,
                         unit=unit if role == "unit" else None))
    session.flush()
    return token


def authenticate(session: Session, token: str) -> Caller | None:
    """The caller behind a bearer token, or None for an unknown or revoked one."""
    row = session.execute(select(ApiToken).where(ApiToken.token_hash == digest(token))).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    return Caller(token_id=row.id, name=row.name, role=row.role, unit=row.unit)
