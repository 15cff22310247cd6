"""Official numbering: the next 发文顺序号 per 机关代字 and year, never given twice."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.store.models import Document, NumberCounter


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


def lock_counter(session: Session, organ_code: str, year: int) -> None:
    """Take the counter row's lock without advancing it (so a hand-given number cannot race an allocation)."""
    stmt = _upsert(session).values(organ_code=organ_code, year=year, last_seq=0)
    stmt = stmt.on_conflict_do_update(index_elements=[NumberCounter.organ_code, NumberCounter.year],
                                      set_={"last_seq": NumberCounter.last_seq})
    session.execute(stmt)


def number_taken(session: Session, organ_code: str, year: int, seq: int) -> bool:
    """Whether a document already carries this number (issued, void or failed: a number is used once)."""
    found = session.execute(
        select(Document.id).where(Document.organ_code == organ_code, Document.year == year, Document.seq == seq)
    ).first()
    return found is not None


def allocate_number(session: Session, organ_code: str, year: int) -> int:
    """The next free number, skipping numbers a clerk already gave by hand."""
    while True:
        seq = next_number(session, organ_code, year)
        if not number_taken(session, organ_code, year, seq):
            return seq
