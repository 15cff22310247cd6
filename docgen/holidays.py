"""Reading and validating the per-year TOML holiday data files (format: data/holidays/README.md)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from docgen.dates import parse_iso_date

__all__ = ["BUNDLED_DIR", "Schedule", "YearData", "load_year_file"]

BUNDLED_DIR = Path(__file__).parent / "data" / "holidays"
_STATUSES = ("official", "unconfirmed")
_FILE_NAME = re.compile(r"[0-9]{4}\.toml")
_TOP_KEYS = frozenset({"year", "status", "source", "holidays", "workdays", "regions"})
_REGION_KEYS = frozenset({"name", "status", "source", "holidays", "workdays"})
_ENTRY_KEYS = frozenset({"name", "date", "start", "end"})


@dataclass(frozen=True)
class Schedule:
    """Holidays and make-up working days from one notice (national or regional)."""

    name: str
    status: str
    source: str
    holidays: Mapping[date, str]
    workdays: Mapping[date, str]


@dataclass(frozen=True)
class YearData:
    """One validated year file."""

    year: int
    path: Path
    national: Schedule
    regions: Mapping[str, Schedule]


def _parse_day(value: Any, year: int, label: str) -> date:
    """A TOML date (or quoted YYYY-MM-DD) that must fall inside the file's year."""
    if isinstance(value, str):
        value = parse_iso_date(value)
    if type(value) is not date:
        raise ValueError(f"{label} 的日期须写成 {year}-01-01 的形式，现为 {value!r}")
    if value.year != year:
        raise ValueError(f"{label} 的日期 {value.isoformat()} 不在 {year} 年内")
    return value


def _check_keys(table: Mapping[str, Any], allowed: frozenset[str], label: str) -> None:
    """Unknown keys are usually typos (holiday vs holidays), so refuse them."""
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ValueError(f"{label} 含未知键 {', '.join(unknown)}")


def _entry_days(item: Any, year: int, label: str) -> tuple[str, list[date]]:
    """One entry: a name plus either date (one day) or start..end (inclusive)."""
    if not isinstance(item, dict):
        raise ValueError(f"{label} 须为表")
    _check_keys(item, _ENTRY_KEYS, label)
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{label} 须有非空的 name")
    if ("date" in item) == ("start" in item) or ("end" in item and "start" not in item):
        raise ValueError(f"{label} 须写 date（单日）或 start、end（区间）二者之一")
    start = _parse_day(item.get("date", item.get("start")), year, label)
    end = _parse_day(item.get("end", start), year, label)
    if end < start:
        raise ValueError(f"{label} 的 end {end.isoformat()} 早于 start {start.isoformat()}")
    return name, [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _parse_days(items: Any, year: int, where: str, kind: str) -> dict[date, str]:
    """Expand the [[holidays]] or [[workdays]] entries of a section into days."""
    if not isinstance(items, list):
        raise ValueError(f"{where}{kind} 须写成 [[{kind}]] 数组")
    days: dict[date, str] = {}
    for index, item in enumerate(items, 1):
        label = f"{where}第{index}个 {kind} 条目"
        name, span = _entry_days(item, year, label)
        for day in span:
            # A weekday is a working day anyway, so listing one as 调休上班 is a typo.
            if kind == "workdays" and day.weekday() < 5:
                raise ValueError(f"{label} 的 {day.isoformat()} 不是周六或周日，不能作为调休上班日")
            days[day] = name
    return days


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    """An optional string field, empty when absent."""
    value = table.get(key, "")
    if not isinstance(value, str):
        raise ValueError(f"{where}{key} 须为字符串")
    return value.strip()


def _parse_schedule(
    table: Any, year: int, where: str, parent: Schedule | None = None
) -> Schedule:
    """Validate the national (file level) or one regional section."""
    if not isinstance(table, dict):
        raise ValueError(f"{where}须为表")
    _check_keys(table, _TOP_KEYS if parent is None else _REGION_KEYS, where or "文件顶层")
    status = table.get("status", parent.status if parent else None)
    if status not in _STATUSES:
        raise ValueError(f"{where}status 须为 \"official\" 或 \"unconfirmed\"，现为 {status!r}")
    source = _text(table, "source", where)
    # Only the file level must cite its notice; a region may rely on it.
    if parent is None and status == "official" and not source:
        raise ValueError("status = \"official\" 时须填写 source（通知名称、文号）")
    holidays = _parse_days(table.get("holidays", []), year, where, "holidays")
    workdays = _parse_days(table.get("workdays", []), year, where, "workdays")
    clash = sorted(set(holidays) & set(workdays))
    if clash:
        raise ValueError(f"{where}{clash[0].isoformat()} 既是放假日又是调休上班日")
    return Schedule(_text(table, "name", where), status, source, holidays, workdays)


def _parse_year(doc: dict[str, Any], year: int, path: Path) -> YearData:
    """Validate a parsed TOML document against the file name's year."""
    if type(doc.get("year")) is not int or doc["year"] != year:
        raise ValueError(f"year = {doc.get('year')!r} 与文件名年份 {year} 不一致")
    national = _parse_schedule(doc, year, "")
    regions = doc.get("regions", {})
    if not isinstance(regions, dict):
        raise ValueError("regions 须为表，如 [regions.xinjiang]")
    parsed = {k: _parse_schedule(v, year, f"[regions.{k}] ", national) for k, v in regions.items()}
    return YearData(year, path, national, parsed)


def load_year_file(path: Path) -> YearData:
    """Read and validate one YYYY.toml; any problem is a ValueError naming the file."""
    try:
        if not _FILE_NAME.fullmatch(path.name):
            raise ValueError("文件名须为四位年份，如 2027.toml")
        with path.open("rb") as fh:
            doc = tomllib.load(fh)  # TOMLDecodeError is a ValueError too
        return _parse_year(doc, int(path.stem), path)
    except ValueError as exc:
        raise ValueError(f"节假日数据文件 {path} 有误：{exc}") from exc


def _year_files(dirs: Iterable[Path]) -> list[Path]:
    """One file per year name; a later directory's file replaces an earlier one."""
    files: dict[str, Path] = {}
    for directory in dirs:
        # A configured admin directory may not exist yet; its years then
        # simply stay missing and every deadline touching them is flagged.
        if not directory.exists():
            continue
        if not directory.is_dir():
            raise ValueError(f"节假日数据目录 {directory} 不是目录")
        for path in directory.glob("*.toml"):
            if not path.name.startswith("."):  # editor lock and backup files
                files[path.name] = path
    return [files[name] for name in sorted(files)]
