"""Working-day calendar and statutory deadlines built on the holiday data files."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from docgen.holidays import BUNDLED_DIR, Schedule, YearData, _year_files, load_year_file

__all__ = ["BUNDLED_DIR", "CalendarWarning", "DeadlineResult", "HolidayCalendar"]
__all__ += ["Schedule", "YearData", "default_calendar", "load_year_file"]

DEFAULT_REGION = "xinjiang"


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


def _require_date(value: object, what: str) -> date:
    """Refuse datetimes too: they never compare equal to the date keys."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{what}须为日期（date），收到 {type(value).__name__}")
    return value


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

    def working_days_between(self, start: date, end: date) -> tuple[int, tuple[CalendarWarning, ...]]:
        """Working days after ``start`` up to ``end`` (negative when ``end`` is earlier), and the caveats."""
        first, last = sorted((_require_date(start, "起算日"), _require_date(end, "截止日")))
        count, day, seen = 0, first, {first.year}
        while day < last:
            day = _next_day(day)
            seen.add(day.year)
            count += self.is_working_day(day)
        return (count if end >= start else -count), self._warnings(seen)

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
