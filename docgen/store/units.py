"""The registry of units: each issuing body's name, 标志, kind, 机关代字 and seal, set by an administrator."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.store.models import OrganCode, Unit

KINDS = {"judicial": "市司法局", "government": "市人民政府", "enforcement": "行政执法单位"}
ORGAN_CODE_CHARS = ("\u3400", "\u9fff")


@dataclass(frozen=True)
class UnitInfo:
    """A registered unit as the issuing procedure sees it."""

    name: str
    mark: str
    kind: str
    organ_codes: tuple[str, ...]
    seal_png: bytes | None
    seal_mm: float
    active: bool


def _info(session: Session, row: Unit) -> UnitInfo:
    codes = session.execute(select(OrganCode.code).where(OrganCode.unit_id == row.id).order_by(OrganCode.code)).scalars()
    return UnitInfo(name=row.name, mark=row.mark, kind=row.kind, organ_codes=tuple(codes), seal_png=row.seal_png,
                    seal_mm=row.seal_mm, active=row.active)


def find_unit(session: Session, name: str) -> UnitInfo | None:
    """The unit registered under exactly ``name``, or None."""
    row = session.execute(select(Unit).where(Unit.name == name)).scalar_one_or_none()
    return _info(session, row) if row else None


def list_units(session: Session) -> list[UnitInfo]:
    """Every registered unit, by name."""
    return [_info(session, row) for row in session.execute(select(Unit).order_by(Unit.name)).scalars()]


def _check_name(value: str, what: str, limit: int = 100) -> str:
    value = unicodedata.normalize("NFC", value.strip())
    if not value or len(value) > limit or any(unicodedata.category(c)[0] == "C" for c in value):
        raise ValueError(f"{what}不能为空、不超过 {limit} 个字符且不含控制字符")
    return value


def _check_code(code: str) -> str:
    code = _check_name(code, "机关代字", 20)
    if unicodedata.normalize("NFC", code) != code or not all("\u3400" <= c <= "\u9fff" or ord(c) > 0x1ffff for c in code):
        raise ValueError(f"机关代字“{code}”只能由汉字组成")
    return code


def add_unit(session: Session, name: str, mark: str | None, kind: str, organ_codes: tuple[str, ...],
             seal_png: bytes | None, seal_mm: float = 42.0) -> UnitInfo:
    """Register a unit; ValueError if the name or a 机关代字 is already taken."""
    name = _check_name(name, "单位名称")
    if kind not in KINDS:
        raise ValueError(f"单位类别应为 {'、'.join(KINDS)} 之一")
    if session.execute(select(Unit.id).where(Unit.name == name)).first():
        raise ValueError(f"单位“{name}”已登记")
    row = Unit(name=name, mark=_check_name(mark or name, "发文机关标志"), kind=kind, seal_png=seal_png,
               seal_mm=_check_seal_mm(seal_mm))
    session.add(row)
    session.flush()
    for code in organ_codes:
        _attach_code(session, row, code)
    return _info(session, row)


def _check_seal_mm(value: float) -> float:
    if not 20 <= value <= 60:
        raise ValueError("印章直径应在 20–60 毫米之间")
    return float(value)


def _attach_code(session: Session, row: Unit, code: str) -> None:
    code = _check_code(code)
    owner = session.get(OrganCode, code)
    if owner is not None and owner.unit_id != row.id:
        other = session.get(Unit, owner.unit_id)
        raise ValueError(f"机关代字“{code}”已属于“{other.name if other else owner.unit_id}”")
    if owner is None:
        session.add(OrganCode(code=code, unit_id=row.id))
        session.flush()


@dataclass(frozen=True)
class UnitChange:
    """What an administrator changes about a unit; None leaves a field as it is."""

    mark: str | None = None
    kind: str | None = None
    add_codes: tuple[str, ...] = ()
    remove_codes: tuple[str, ...] = ()
    seal_png: bytes | None = None
    remove_seal: bool = False
    seal_mm: float | None = None
    active: bool | None = None


def update_unit(session: Session, name: str, change: UnitChange) -> tuple[UnitInfo, UnitInfo]:
    """Apply ``change``; return the unit before and after (for the audit log). KeyError if unknown."""
    row = session.execute(select(Unit).where(Unit.name == name)).scalar_one_or_none()
    if row is None:
        raise KeyError(name)
    before = _info(session, row)
    if change.mark is not None:
        row.mark = _check_name(change.mark, "发文机关标志")
    if change.kind is not None:
        if change.kind not in KINDS:
            raise ValueError(f"单位类别应为 {'、'.join(KINDS)} 之一")
        row.kind = change.kind
    if change.seal_png is not None or change.remove_seal:
        row.seal_png = None if change.remove_seal else change.seal_png
    if change.seal_mm is not None:
        row.seal_mm = _check_seal_mm(change.seal_mm)
    if change.active is not None:
        row.active = change.active
    for code in change.add_codes:
        _attach_code(session, row, code)
    for code in change.remove_codes:
        owned = session.get(OrganCode, code)
        if owned is None or owned.unit_id != row.id:
            raise ValueError(f"机关代字“{code}”不属于“{row.name}”")
        session.delete(owned)
    session.flush()
    return before, _info(session, row)


def describe_unit(unit: UnitInfo) -> dict[str, object]:
    """A unit as JSON (the seal as its size only: the image itself is not handed out)."""
    return {"name": unit.name, "mark": unit.mark, "kind": unit.kind, "kind_title": KINDS.get(unit.kind, unit.kind),
            "organ_codes": list(unit.organ_codes), "seal": bool(unit.seal_png), "seal_mm": unit.seal_mm,
            "active": unit.active}
