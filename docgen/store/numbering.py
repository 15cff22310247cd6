"""Official numbering: the next 发文顺序号 per 机关代字 and year, never given twice, never below the highest used.

A hand-picked number is allowed only inside a window an administrator opened
(`docgen numbering allow`); taking one moves the counter up to it, so the next
automatic number follows the highest number in use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from docgen.store.models import Document, NumberCounter, NumberWindow


def _upsert(session: Session):  # type: ignore[no-untyped-def]
    """The dialect's INSERT … ON CONFLICT, which both SQLite (3.35+) and PostgreSQL offer."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(NumberCounter)


def next_number(session: Session, organ_code: str, year: int) -> int:
    """Atomically advance the counter and return the new number (row lock until the transaction ends)."""
    stmt = _upsert(session).values(organ_code=organ_code, year=year, last_seq=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[NumberCounter.organ_code, NumberCounter.year],
        set_={"last_seq": NumberCounter.last_seq + 1},
    ).returning(NumberCounter.last_seq)
    return int(session.execute(stmt).scalar_one())


def lock_counter(session: Session, organ_code: str, year: int) -> int:
    """Take the counter row's lock without advancing it; return its value."""
    stmt = _upsert(session).values(organ_code=organ_code, year=year, last_seq=0)
    stmt = stmt.on_conflict_do_update(index_elements=[NumberCounter.organ_code, NumberCounter.year],
                                      set_={"last_seq": NumberCounter.last_seq}).returning(NumberCounter.last_seq)
    return int(session.execute(stmt).scalar_one())


def _raise_counter(session: Session, organ_code: str, year: int, seq: int) -> None:
    """Move the (locked) counter up to ``seq`` if it is below."""
    row = session.get(NumberCounter, (organ_code, year))
    if row is not None and row.last_seq < seq:
        row.last_seq = seq
        session.flush()


def number_taken(session: Session, organ_code: str, year: int, seq: int) -> bool:
    """Whether a document already carries this number (issued, void or failed: a number is used once)."""
    found = session.execute(
        select(Document.id).where(Document.organ_code == organ_code, Document.year == year, Document.seq == seq)
    ).first()
    return found is not None


def highest_used(session: Session, organ_code: str, year: int) -> int:
    """The highest number any document carries under this code and year (0 if none)."""
    value = session.execute(select(func.max(Document.seq)).where(Document.organ_code == organ_code,
                                                                 Document.year == year)).scalar_one()
    return int(value or 0)


def allocate_number(session: Session, organ_code: str, year: int) -> int:
    """The next number, above every number in use even if the counter lagged (rows from before counters kept up)."""
    seq = next_number(session, organ_code, year)  # holds the counter's lock from here to the commit
    used = highest_used(session, organ_code, year)
    if seq <= used:
        seq = used + 1
        session.get(NumberCounter, (organ_code, year)).last_seq = seq
        session.flush()
    return seq


def take_given_number(session: Session, organ_code: str, year: int, seq: int) -> bool:
    """Reserve a hand-picked number: False if it is taken; otherwise the counter moves up to it."""
    lock_counter(session, organ_code, year)  # wait for any allocation under way, then look
    if number_taken(session, organ_code, year, seq):
        return False
    _raise_counter(session, organ_code, year, seq)
    return True


def set_next(session: Session, organ_code: str, year: int, next_seq: int) -> tuple[int, int]:
    """Make ``next_seq`` the next automatic number; ValueError if that is not above every number used."""
    before = lock_counter(session, organ_code, year)
    used = highest_used(session, organ_code, year)
    if next_seq <= used:
        raise ValueError(f"{organ_code}〔{year}〕已用到 {used} 号，下一个文号必须大于 {used}")
    if not 1 <= next_seq <= 99999:
        raise ValueError("文号顺序号应在 1–99999 之间")
    session.get(NumberCounter, (organ_code, year)).last_seq = next_seq - 1
    session.flush()
    return before + 1, next_seq


def open_window(session: Session, organ_code: str, year: int, seq_from: int, seq_to: int,
                open_until: date | None, created_by: str) -> NumberWindow:
    """Allow hand-picked numbers ``seq_from``–``seq_to`` for this code and year (until ``open_until``)."""
    if not 1 <= seq_from <= seq_to <= 99999:
        raise ValueError("手工文号范围应为 1–99999 之间的“起-止”，且起不大于止")
    lock_counter(session, organ_code, year)  # so the code and year show in `docgen numbering show`
    window = NumberWindow(organ_code=organ_code, year=year, seq_from=seq_from, seq_to=seq_to,
                          open_until=open_until, created_by=created_by)
    session.add(window)
    session.flush()
    return window


def close_windows(session: Session, organ_code: str, year: int) -> int:
    """Close every hand-picked window of this code and year; return how many there were."""
    return session.execute(delete(NumberWindow).where(NumberWindow.organ_code == organ_code,
                                                      NumberWindow.year == year)).rowcount or 0


def window_allows(session: Session, organ_code: str, year: int, seq: int, today: date) -> bool:
    """Whether an open window covers this hand-picked number today."""
    found = session.execute(select(NumberWindow.id).where(
        NumberWindow.organ_code == organ_code, NumberWindow.year == year,
        NumberWindow.seq_from <= seq, NumberWindow.seq_to >= seq,
        (NumberWindow.open_until.is_(None)) | (NumberWindow.open_until >= today))).first()
    return found is not None


@dataclass(frozen=True)
class CounterState:
    """One 机关代字 and year: the counter, the highest number used, and the open windows."""

    organ_code: str
    year: int
    next_seq: int
    highest_used: int
    windows: tuple[str, ...]


def counter_states(session: Session, organ_code: str | None = None) -> list[CounterState]:
    """The numbering state of every code and year (or of one code)."""
    query = select(NumberCounter).order_by(NumberCounter.organ_code, NumberCounter.year)
    if organ_code:
        query = query.where(NumberCounter.organ_code == organ_code)
    states = []
    for counter in session.execute(query).scalars():
        windows = session.execute(select(NumberWindow).where(NumberWindow.organ_code == counter.organ_code,
                                                             NumberWindow.year == counter.year)).scalars()
        shown = tuple(f"{w.seq_from}-{w.seq_to}" + (f"（至{w.open_until.isoformat()}）" if w.open_until else "")
                      for w in windows)
        states.append(CounterState(counter.organ_code, counter.year, counter.last_seq + 1,
                                   highest_used(session, counter.organ_code, counter.year), shown))
    return states
