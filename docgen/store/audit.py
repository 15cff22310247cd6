"""The audit log: who issued, voided, renumbered or changed a unit or a token, when and from where."""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from docgen.clock import aware
from docgen.store.models import AuditEvent

ACTIONS = {
    "document.issue": "制发文书", "document.void": "作废文书", "document.fail": "制发失败", "case.review": "登记复查结果",
    "numbering.set": "设定下一个文号", "numbering.window": "开放手工文号", "numbering.close": "关闭手工文号",
    "unit.add": "登记单位", "unit.update": "修改单位",
    "token.create": "创建令牌", "token.revoke": "吊销令牌",
    "user.create": "创建用户", "user.disable": "停用用户", "user.enable": "启用用户", "user.password": "重置密码",
}


@dataclass(frozen=True)
class Actor:
    """Who acts: a token's name and id, or an administrator at the command line; and from where."""

    name: str
    source: str
    token_id: int | None = None

    @classmethod
    def cli(cls) -> "Actor":
        """The operating-system user running a `docgen` command."""
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = "unknown"
        return cls(name=f"管理员（{user}）", source=f"cli:{user}")


def record(session: Session, actor: Actor, action: str, target: str, **detail: Any) -> None:
    """Add one event to the log, in the caller's transaction (it commits or rolls back with the change)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    session.add(AuditEvent(actor=actor.name[:200], token_id=actor.token_id, source=actor.source[:100], action=action,
                           target=target[:200], detail_json=json.dumps(detail, ensure_ascii=False, default=str)))


def list_events(session: Session, action: str | None, since: datetime | None, page: int,
                page_size: int) -> tuple[list[AuditEvent], int]:
    """One page of events, newest first, and the total count."""
    query = select(AuditEvent)
    if action:
        query = query.where(AuditEvent.action == action)
    if since:
        query = query.where(AuditEvent.at >= since)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                           .offset((page - 1) * page_size).limit(page_size)).scalars().all()
    return list(rows), int(total)


def describe_event(event: AuditEvent) -> dict[str, Any]:
    """An event as JSON."""
    return {"id": event.id, "at": aware(event.at).isoformat(), "actor": event.actor, "token_id": event.token_id,
            "source": event.source, "action": event.action, "action_title": ACTIONS.get(event.action, event.action),
            "target": event.target, "detail": json.loads(event.detail_json or "{}")}
