"""Tests for docgen.calendar: holiday data files, working days and periods."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docgen.calendar import (
    BUNDLED_DIR,
    CalendarWarning,
    DeadlineResult,
    HolidayCalendar,
    default_calendar,
    load_year_file,
)

D = date.fromisoformat
XINJIANG = HolidayCalendar.load()  # default region: xinjiang
NATIONAL = HolidayCalendar.load(region=None)

# The State Council notices, restated independently of the data files.
NOTICES: dict[int, tuple[list[tuple[str, str]], list[str]]] = {
    2024: (
        [("01-01", "01-01"), ("02-10", "02-17"), ("04-04", "04-06"), ("05-01", "05-05"),
         ("06-10", "06-10"), ("09-15", "09-17"), ("10-01", "10-07")],
        ["02-04", "02-18", "04-07", "04-28", "05-11", "09-14", "09-29", "10-12"],
    ),
    2025: (
        [("01-01", "01-01"), ("01-28", "02-04"), ("04-04", "04-06"), ("05-01", "05-05"),
         ("05-31", "06-02"), ("10-01", "10-08")],
        ["01-26", "02-08", "04-27", "09-28", "10-11"],
    ),
    2026: (
        [("01-01", "01-03"), ("02-15", "02-23"), ("04-04", "04-06"), ("05-01", "05-05"),
         ("06-19", "06-21"), ("09-25", "09-27"), ("10-01", "10-07")],
        ["01-04", "02-14", "02-28", "05-09", "09-20", "10-10"],
    ),
}

ADMIN_2027 = """\
year = 2027
status = "official"
source = "测试用数据，并非真实通知"

[[holidays]]
name = "元旦"
start = 2027-01-01
end = 2027-01-03
"""


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def codes(result: DeadlineResult) -> list[str]:
    return [w.code for w in result.warnings]


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


# --- bundled data -----------------------------------------------------------


def test_bundled_years() -> None:
    assert NATIONAL.years == (2024, 2025, 2026)
    assert [NATIONAL.covers(y) for y in (2023, 2024, 2025, 2026, 2027)] == [
        False, True, True, True, False
    ]


@pytest.mark.parametrize("year", sorted(NOTICES))
def test_bundled_year_matches_notice_day_by_day(year: int) -> None:
    ranges, workdays = NOTICES[year]
    rest = {d for a, b in ranges for d in days_between(D(f"{year}-{a}"), D(f"{year}-{b}"))}
    work = {D(f"{year}-{md}") for md in workdays}
    for day in days_between(date(year, 1, 1), date(year, 12, 31)):
        expected = day in work or (day.weekday() < 5 and day not in rest)
        assert NATIONAL.is_working_day(day) == expected, day


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_bundled_files_cite_their_notice(year: int) -> None:
    data = load_year_file(BUNDLED_DIR / f"{year}.toml")
    assert data.national.status == "official"
    assert "国办发明电" in data.national.source


def test_xinjiang_only_where_confirmed() -> None:
    assert [y for y in NATIONAL.years if "xinjiang" in NATIONAL.year_data(y).regions] == [2025]


@pytest.mark.parametrize(
    ("day", "national", "xinjiang"),
    [
        ("2025-03-28", True, True),
        ("2025-03-31", True, False),  # 肉孜节, a Monday
        ("2025-06-06", True, False),  # 古尔邦节 6/6–6/10
        ("2025-06-10", True, False),
        ("2025-06-11", True, True),
        ("2026-01-04", True, True),  # 调休上班, a Sunday
        ("2026-02-16", False, False),
        ("2024-02-09", True, True),  # 除夕 2024 was not a holiday
    ],
)
def test_is_working_day(day: str, national: bool, xinjiang: bool) -> None:
    assert NATIONAL.is_working_day(D(day)) is national
    assert XINJIANG.is_working_day(D(day)) is xinjiang


# --- working-day deadlines ----------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # 春节 2026: make-up Saturdays 2/14 and 2/28 count.
        ("2026-02-12", 7, "2026-02-28"),
        ("2026-02-13", 1, "2026-02-14"),
        ("2026-02-13", 2, "2026-02-24"),
        # 国庆 2026: 10/1–10/7 off, 9/20 and 10/10 worked.
        ("2026-09-29", 3, "2026-10-09"),
        ("2026-09-29", 5, "2026-10-12"),
        ("2026-09-30", 1, "2026-10-08"),
        ("2026-09-24", 7, "2026-10-12"),
        ("2026-09-18", 1, "2026-09-20"),
        ("2026-09-24", 1, "2026-09-28"),
        # Plain weeks and a year boundary with data on both sides.
        ("2026-03-02", 5, "2026-03-09"),
        ("2024-12-30", 3, "2025-01-03"),
    ],
)
def test_add_working_days(start: str, n: int, due: str) -> None:
    result = NATIONAL.add_working_days(D(start), n)
    assert result == DeadlineResult(D(due), ())


def test_working_days_across_xinjiang_festival() -> None:
    assert NATIONAL.add_working_days(D("2025-03-27"), 2).due == D("2025-03-31")
    result = XINJIANG.add_working_days(D("2025-03-27"), 2)
    assert result == DeadlineResult(D("2025-04-01"), ())


def test_regional_gap_is_reported() -> None:
    result = XINJIANG.add_working_days(D("2026-02-12"), 7)
    assert result.due == D("2026-02-28")
    (warning,) = result.warnings
    assert warning.code == "regional_holiday_data_missing"
    assert warning.years == (2026,)
    assert "2026年" in warning.message and "新疆维吾尔自治区" in warning.message


def test_deadline_into_year_without_data_counts_weekends_only() -> None:
    result = NATIONAL.add_working_days(D("2026-12-24"), 10)
    assert result.due == D("2027-01-07")  # 2027-01-01 (Fri) counted as a working day
    assert result.warnings == (
        CalendarWarning(
            "holiday_data_missing", "2027年节假日数据缺失，已仅按周末计算，请核对", (2027,)
        ),
    )


def test_deadline_into_year_without_data_with_region() -> None:
    result = XINJIANG.add_working_days(D("2026-12-24"), 10)
    assert result.due == D("2027-01-07")
    assert codes(result) == ["holiday_data_missing", "regional_holiday_data_missing"]
    assert "2027年" in result.warnings[0].message
    assert "2026年" in result.warnings[1].message


def test_several_missing_years_are_named() -> None:
    result = NATIONAL.add_working_days(D("2027-12-24"), 10)
    assert result.due == D("2028-01-07")
    assert result.warnings[0].message.startswith("2027年、2028年节假日数据缺失")


def test_only_consulted_years_warn() -> None:
    # 2023-12-30/31 were looked at, so 2023 is named even though the due date is in 2024.
    result = NATIONAL.add_working_days(D("2023-12-29"), 1)
    assert result.due == D("2024-01-02")
    assert [w.years for w in result.warnings] == [(2023,)]


def test_admin_directory_adds_a_year(tmp_path: Path) -> None:
    write(tmp_path, "2027.toml", ADMIN_2027)
    calendar = HolidayCalendar.load([tmp_path], region=None)
    assert calendar.covers(2027)
    result = calendar.add_working_days(D("2026-12-24"), 10)
    assert result == DeadlineResult(D("2027-01-08"), ())
    assert not calendar.is_working_day(D("2027-01-01"))


def test_admin_year_without_region_still_flags_region(tmp_path: Path) -> None:
    write(tmp_path, "2027.toml", ADMIN_2027)
    result = HolidayCalendar.load([tmp_path]).add_working_days(D("2027-02-01"), 1)
    assert codes(result) == ["regional_holiday_data_missing"]


def test_admin_file_replaces_bundled_year(tmp_path: Path) -> None:
    text = 'year = 2026\nstatus = "unconfirmed"\n'
    write(tmp_path, "2026.toml", text)
    calendar = HolidayCalendar.load([tmp_path], region=None)
    assert calendar.is_working_day(D("2026-10-08"))
    assert calendar.is_working_day(D("2026-10-01"))  # replaced wholesale
    result = calendar.add_working_days(D("2026-09-30"), 1)
    assert result.due == D("2026-10-01")
    assert codes(result) == ["holiday_data_unconfirmed"]
    assert "2026年" in result.warnings[0].message


def test_regional_notice_wins_over_national(tmp_path: Path) -> None:
    write(
        tmp_path,
        "2027.toml",
        HEAD + '[[workdays]]\nname = "补班"\ndate = 2027-01-09\n'
        '[[regions.xinjiang.holidays]]\nname = "地方假日"\ndate = 2027-01-09\n'
        '[[regions.xinjiang.workdays]]\nname = "地方补班"\ndate = 2027-01-10\n',
    )
    national = HolidayCalendar.load([tmp_path], region=None)
    regional = HolidayCalendar.load([tmp_path], region="xinjiang")
    assert (national.is_working_day(D("2027-01-09")), national.is_working_day(D("2027-01-10"))) == (
        True, False
    )
    assert (regional.is_working_day(D("2027-01-09")), regional.is_working_day(D("2027-01-10"))) == (
        False, True
    )


def test_later_extra_dir_wins(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    write(first, "2027.toml", ADMIN_2027)
    write(second, "2027.toml", 'year = 2027\nstatus = "unconfirmed"\n')
    calendar = HolidayCalendar.load([first, second], region=None)
    assert calendar.is_working_day(D("2027-01-01"))


def test_missing_extra_dir_is_ignored_but_file_is_refused(tmp_path: Path) -> None:
    assert HolidayCalendar.load([tmp_path / "absent"]).years == (2024, 2025, 2026)
    not_dir = write(tmp_path, "notes.txt", "")
    with pytest.raises(ValueError, match=re.escape(str(not_dir))):
        HolidayCalendar.load([not_dir])


def test_unknown_region_is_flagged_by_key() -> None:
    result = HolidayCalendar.load(region="tibet").add_working_days(D("2025-06-02"), 1)
    assert result.due == D("2025-06-03")
    assert "地区“tibet”" in result.warnings[0].message


# --- calendar-day periods -----------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        ("2026-09-24", 7, "2026-10-08"),  # ends on 10/1 (国庆) → next working day
        ("2026-09-20", 11, "2026-10-08"),
        ("2026-10-03", 7, "2026-10-10"),  # ends on a make-up Saturday: stays
        ("2026-06-01", 5, "2026-06-08"),  # ends on a Saturday → Monday
        ("2026-06-01", 3, "2026-06-04"),
        ("2026-02-10", 5, "2026-02-24"),  # ends inside 春节
        ("2026-02-09", 5, "2026-02-14"),
        ("2025-03-24", 5, "2025-03-31"),
    ],
)
def test_add_calendar_days(start: str, n: int, due: str) -> None:
    assert NATIONAL.add_calendar_days(D(start), n) == DeadlineResult(D(due), ())


def test_calendar_days_ending_on_xinjiang_festival() -> None:
    assert XINJIANG.add_calendar_days(D("2025-03-24"), 5).due == D("2025-04-01")


def test_calendar_days_into_year_without_data() -> None:
    result = NATIONAL.add_calendar_days(D("2026-12-26"), 6)
    assert result.due == D("2027-01-01")
    assert codes(result) == ["holiday_data_missing"]


# --- argument checks ------------------------------------------------------------


@pytest.mark.parametrize("method", ["add_working_days", "add_calendar_days"])
@pytest.mark.parametrize("n", [0, -3])
def test_period_must_be_positive(method: str, n: int) -> None:
    with pytest.raises(ValueError, match="不少于1"):
        getattr(NATIONAL, method)(D("2026-03-02"), n)


@pytest.mark.parametrize("method", ["add_working_days", "add_calendar_days"])
@pytest.mark.parametrize(
    ("start", "n"), [(D("2026-03-02"), 1.0), (D("2026-03-02"), True), (datetime(2026, 3, 2), 1)]
)
def test_argument_types(method: str, start: date, n: int) -> None:
    with pytest.raises(TypeError):
        getattr(NATIONAL, method)(start, n)


def test_end_of_date_range_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="超出"):
        NATIONAL.add_working_days(date.max - timedelta(days=1), 5)


def test_results_are_frozen() -> None:
    result = NATIONAL.add_working_days(D("2026-03-02"), 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.due = D("2026-03-04")  # type: ignore[misc]


# --- malformed data files ----------------------------------------------------------

HEAD = 'year = 2027\nstatus = "official"\nsource = "测试"\n'
MALFORMED = [
    ("2027.toml", HEAD + '[[holidays]]\nname = "元旦"\nstart = 2027-01-01\nend = 2027-01-03\n'
     '[[workdays]]\nname = "补班"\ndate = 2027-01-02\n', "既是放假日又是调休上班日"),
    ("2027.toml", HEAD.replace("2027", "2026"), "与文件名年份 2027 不一致"),
    ("2027.toml", 'year = "2027"\nstatus = "unconfirmed"\n', "不一致"),
    ("2027.toml", HEAD + '[[holidays]]\nname = "春节"\nstart = 2027-02-30\n', "Invalid"),
    ("2027.toml", HEAD + '[[holidays]]\nname = "春节"\nstart = "2027-02-30"\n', "日期不存在"),
    ("2027.toml", HEAD + '[[holidays]]\nname = "春节"\nstart = "2027-2-3"\n', "YYYY-MM-DD"),
    ("2027.toml", HEAD + '[[holidays]]\nname = "元旦"\ndate = 2026-12-31\n', "不在 2027 年内"),
    ("2027.toml", HEAD + '[[holidays]]\nname = "x"\nstart = 2027-05-05\nend = 2027-05-01\n',
     "早于"),
    ("2027.toml", HEAD + '[[holidays]]\nname = "x"\ndate = 2027-05-05\nstart = 2027-05-05\n',
     "二者之一"),
    ("2027.toml", HEAD + '[[holidays]]\nname = "x"\nend = 2027-05-05\n', "二者之一"),
    ("2027.toml", HEAD + "[[holidays]]\ndate = 2027-05-05\n", "name"),
    ("2027.toml", HEAD + '[[holidays]]\nname = "x"\ndate = 2027-05-05T00:00:00\n', "日期须写成"),
    ("2027.toml", HEAD + '[[workdays]]\nname = "补班"\ndate = 2027-01-05\n', "不是周六或周日"),
    ("2027.toml", HEAD + '[[holiday]]\nname = "x"\ndate = 2027-05-05\n', "未知键 holiday"),
    ("2027.toml", HEAD + 'holidays = "2027-05-05"\n', "数组"),
    ("2027.toml", "year = 2027\n", "status"),
    ("2027.toml", 'year = 2027\nstatus = "draft"\n', "status"),
    ("2027.toml", 'year = 2027\nstatus = "official"\n', "source"),
    ("2027.toml", HEAD + "regions = 1\n", "regions"),
    ("2027.toml", HEAD + "[regions.xinjiang]\nnote = 1\n", "未知键 note"),
    ("2027.toml", HEAD + '[regions.xinjiang]\nstatus = "maybe"\n', "status"),
    ("2027.toml", HEAD + "[[regions.xinjiang.holidays]]\nname = \"肉孜节\"\ndate = 2028-03-01\n",
     "不在 2027 年内"),
    ("2027.toml", "year = 2027\nstatus = \n", "Invalid"),
    ("holidays-2027.toml", HEAD, "文件名须为四位年份"),
]


@pytest.mark.parametrize(("name", "text", "problem"), MALFORMED)
def test_malformed_file_names_file_and_problem(
    tmp_path: Path, name: str, text: str, problem: str
) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(ValueError, match=re.escape(str(path))) as caught:
        HolidayCalendar.load([tmp_path])
    assert problem in str(caught.value)


def test_malformed_file_is_refused_by_default_calendar(tmp_path: Path) -> None:
    path = write(tmp_path, "2027.toml", "year = 2027\n")
    with pytest.raises(ValueError, match=re.escape(str(path))):
        default_calendar([tmp_path], None)


def test_hidden_files_are_ignored(tmp_path: Path) -> None:
    write(tmp_path, ".2027.toml", "not toml at all [")
    assert not HolidayCalendar.load([tmp_path]).covers(2027)


def test_readme_example_is_a_valid_file(tmp_path: Path) -> None:
    readme = (BUNDLED_DIR / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", readme, re.S)
    assert example is not None
    data = load_year_file(write(tmp_path, "2025.toml", example.group(1)))
    bundled = load_year_file(BUNDLED_DIR / "2025.toml")
    assert data.national.holidays.items() <= bundled.national.holidays.items()
    assert data.regions["xinjiang"].holidays.items() <= bundled.regions["xinjiang"].holidays.items()


# --- default_calendar cache ------------------------------------------------------


def test_default_calendar_is_cached_per_settings(tmp_path: Path) -> None:
    assert default_calendar() is default_calendar((), "xinjiang")
    assert default_calendar(region=None) is not default_calendar()
    assert default_calendar([tmp_path], None) is default_calendar([str(tmp_path)], None)


def test_default_calendar_sees_a_new_file(tmp_path: Path) -> None:
    before = default_calendar([tmp_path], None)
    assert not before.covers(2027)
    write(tmp_path, "2027.toml", ADMIN_2027)
    after = default_calendar([tmp_path], None)
    assert after.covers(2027)
    assert after.add_working_days(D("2026-12-24"), 10).warnings == ()


# --- properties ------------------------------------------------------------------

starts = st.dates(min_value=date(2023, 6, 1), max_value=date(2027, 6, 30))
counts = st.integers(min_value=1, max_value=40)
calendars = st.sampled_from([NATIONAL, XINJIANG])


@given(calendars, starts, counts)
def test_working_day_result_is_nth_working_day_after_start(
    calendar: HolidayCalendar, start: date, n: int
) -> None:
    due = calendar.add_working_days(start, n).due
    assert due > start
    assert calendar.is_working_day(due)
    assert sum(map(calendar.is_working_day, days_between(start + timedelta(1), due))) == n


@given(calendars, starts, counts)
def test_calendar_day_result_is_first_working_day_from_period_end(
    calendar: HolidayCalendar, start: date, n: int
) -> None:
    due = calendar.add_calendar_days(start, n).due
    end = start + timedelta(days=n)
    assert due >= end and calendar.is_working_day(due)
    assert not any(map(calendar.is_working_day, days_between(end, due)[:-1]))


@given(calendars, starts, counts)
def test_missing_years_warned_exactly(calendar: HolidayCalendar, start: date, n: int) -> None:
    result = calendar.add_working_days(start, n)
    consulted = {d.year for d in days_between(start + timedelta(1), result.due)}
    expected = tuple(sorted(y for y in consulted if not calendar.covers(y)))
    missing = [w for w in result.warnings if w.code == "holiday_data_missing"]
    assert [w.years for w in missing] == ([expected] if expected else [])
    assert all(f"{y}年" in w.message for w in missing for y in w.years)
