"""Time as the office sees it: Beijing time, with a settable 'today' for tests and training."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "北京时间")
TODAY_ENV = "DOCGEN_TODAY"


def utcnow() -> datetime:
    """The current instant, timezone-aware UTC (what the database stores)."""
    return datetime.now(timezone.utc)


def aware(moment: datetime) -> datetime:
    """A stored time as aware UTC (SQLite hands back naive UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def today() -> date:
    """Today's date in Beijing, or DOCGEN_TODAY (YYYY-MM-DD) when a test or a training room sets it."""
    fixed = os.environ.get(TODAY_ENV, "")
    if fixed:
        return date.fromisoformat(fixed)
    return datetime.now(BEIJING).date()


def beijing_text(moment: datetime, with_time: bool = True) -> str:
    """2026年11月27日 14:05 (Beijing time) for a stored instant."""
    local = aware(moment).astimezone(BEIJING)
    text = f"{local.year}年{local.month}月{local.day}日"
    return f"{text} {local:%H:%M}" if with_time else text
