"""Working-day calendar; holiday data lives in TOML files, one per year.

Format: ``docgen/data/holidays/README.md``. A year without data is counted by
weekends only and flagged with a warning, never an exception.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from docgen.dates import parse_iso_date

__all__ = ["BUNDLED_DIR", "CalendarWarning", "DeadlineResult", "HolidayCalendar"]
__all__ += ["Schedule", "YearData", "default_calendar", "load_year_file"]

BUNDLED_DIR = Path(__file__).parent / "data" / "holidays"
DEFAULT_REGION = "xinjiang"
_STATUSES = ("official", "unconfirmed")
_FILE_NAME = re.compile(r"[0-9]{4}\.toml")
_TOP_KEYS = frozenset({"year", "status", "source", "holidays", "workdays", "regions"})
_REGION_KEYS = frozenset({"name", "status", "source", "holidays", "workdays"})
_ENTRY_KEYS = frozenset({"name", "date", "start", "end"})


@dataclass(frozen=True)
class CalendarWarning:
    """A caveat on a computed date: stable ASCII code, Chinese message."""

    code: str
    message: str
    years: tuple[int, ...] = ()


@dataclass(frozen=True)
class DeadlineResult:
    """A computed due date and the caveats that apply to it."""

    due: date
    warnings: tuple[CalendarWarning, ...] = ()


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


def _require_date(value: object, what: str) -> date:
    """Refuse datetimes too: they never compare equal to the date keys."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{what}须为日期（date），收到 {type(value).__name__}")
    return value


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


def _years_text(years: Sequence[int]) -> str:
    """2027年 or 2027年、2028年."""
    return "、".join(f"{year}年" for year in years)


def _next_day(day: date, days: int = 1) -> date:
    """Step forward, turning the end of the date range into a ValueError."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        raise ValueError(f"日期超出可计算范围：{day.isoformat()} 之后 {days} 日") from None


def _check_count(n: int) -> None:
    """A period counts at least one day."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"期限天数须为整数，收到 {type(n).__name__}")
    if n < 1:
        raise ValueError(f"期限天数须不少于1，收到 {n}")


class HolidayCalendar:
    """Decides working days and computes statutory deadlines."""

    def __init__(
        self, years: Iterable[YearData] = (), region: str | None = DEFAULT_REGION
    ) -> None:
        """Merge national and (if set) regional rules of every year."""
        self.region = region
        self._years = {data.year: data for data in years}
        self._rest: dict[date, str] = {}
        self._work: dict[date, str] = {}
        for data in self._years.values():
            regional = [schedule for key, schedule in data.regions.items() if key == region]
            # Applied in order, so the regional notice wins where it differs.
            for layer in (data.national, *regional):
                for day, name in layer.holidays.items():
                    self._rest[day] = name
                    self._work.pop(day, None)
                for day, name in layer.workdays.items():
                    self._work[day] = name
                    self._rest.pop(day, None)

    @classmethod
    def load(
        cls, extra_dirs: Sequence[Path] = (), region: str | None = DEFAULT_REGION
    ) -> HolidayCalendar:
        """Bundled data, then each extra directory replacing files of the same year."""
        files = _year_files((BUNDLED_DIR, *(Path(d) for d in extra_dirs)))
        return cls((load_year_file(path) for path in files), region)

    @property
    def years(self) -> tuple[int, ...]:
        """Years that have national data."""
        return tuple(sorted(self._years))

    def covers(self, year: int) -> bool:
        """Whether national holiday data exists for the year."""
        return year in self._years

    def year_data(self, year: int) -> YearData | None:
        """The validated file for a year, e.g. to show its source and status."""
        return self._years.get(year)

    def is_working_day(self, d: date) -> bool:
        """Mon–Fri unless a holiday, plus make-up working days."""
        d = _require_date(d, "日期")
        if d in self._work:
            return True
        if d in self._rest:
            return False
        return d.weekday() < 5

    def add_working_days(self, start: date, n: int) -> DeadlineResult:
        """The nth working day strictly after start."""
        day = _require_date(start, "起算日")
        _check_count(n)
        counted, seen = 0, set[int]()
        while counted < n:
            day = _next_day(day)
            seen.add(day.year)
            counted += self.is_working_day(day)
        return DeadlineResult(day, self._warnings(seen))

    def add_calendar_days(self, start: date, n: int) -> DeadlineResult:
        """Period of n days counted from the day after start, ending on a working day."""
        # 《行政处罚法》第八十五条, 民法典第二百零一条、第二百零三条: the start
        # day is not counted, and a period whose last day is a rest day ends
        # on the next working day instead.
        day = _require_date(start, "起算日")
        _check_count(n)
        day = _next_day(day, n)
        seen = {day.year}
        while not self.is_working_day(day):
            day = _next_day(day)
            seen.add(day.year)
        return DeadlineResult(day, self._warnings(seen))

    def _region_label(self) -> str:
        """The region's display name from any year that has it."""
        regional = (d.regions.get(self.region or "") for d in self._years.values())
        names = [schedule.name for schedule in regional if schedule and schedule.name]
        return names[0] if names else f"地区“{self.region}”"

    def _warnings(self, years: Iterable[int]) -> tuple[CalendarWarning, ...]:
        """Warnings for the years whose days decided the result."""
        ordered = sorted(years)
        known = [self._years[y] for y in ordered if y in self._years]
        missing = tuple(y for y in ordered if y not in self._years)
        gaps: list[int] = []
        unconfirmed: list[int] = []
        for data in known:
            regional = data.regions.get(self.region) if self.region is not None else None
            if self.region is not None and regional is None:
                gaps.append(data.year)
            if "unconfirmed" in (data.national.status, regional.status if regional else None):
                unconfirmed.append(data.year)
        warnings: list[CalendarWarning] = []
        if missing:
            text = f"{_years_text(missing)}节假日数据缺失，已仅按周末计算，请核对"
            warnings.append(CalendarWarning("holiday_data_missing", text, missing))
        if gaps:
            label = self._region_label()
            text = f"{_years_text(gaps)}{label}地方节假日数据缺失，已仅按全国节假日计算，请核对"
            warnings.append(CalendarWarning("regional_holiday_data_missing", text, tuple(gaps)))
        if unconfirmed:
            text = f"{_years_text(unconfirmed)}节假日数据尚未经正式通知确认，请核对"
            warnings.append(CalendarWarning("holiday_data_unconfirmed", text, tuple(unconfirmed)))
        return tuple(warnings)


def _fingerprint(dirs: Iterable[Path]) -> tuple[tuple[str, int, int], ...]:
    """Names, mtimes and sizes of the data files, so edits invalidate the cache."""
    stats = ((path, path.stat()) for path in _year_files(dirs))
    return tuple((str(path), st.st_mtime_ns, st.st_size) for path, st in stats)


@functools.lru_cache(maxsize=16)
def _cached_calendar(dirs: tuple[Path, ...], region: str | None, stamp: object) -> HolidayCalendar:
    """Build once per settings and data-file state (stamp is only part of the key)."""
    return HolidayCalendar.load(dirs, region)


def default_calendar(
    extra_dirs: Sequence[Path | str] = (), region: str | None = DEFAULT_REGION
) -> HolidayCalendar:
    """Shared calendar for these settings; rebuilt when a data file is added or changed."""
    dirs = tuple(Path(d) for d in extra_dirs)
    return _cached_calendar(dirs, region, _fingerprint((BUNDLED_DIR, *dirs)))
