"""Working days under China's public-holiday calendar: a plain module, no Django.

Where a date's status comes from, strongest first:

1. an administrator's override (the ``HolidayOverride`` table, passed in as ``DayOverride``);
2. the ``chinesecalendar`` package, which carries the State Council schedule for the
   years it was released with (2004–2026 in 1.11.0) and raises ``NotImplementedError``
   for any other year;
3. the weekend rule: Monday to Friday are working days.

A year is *known* when the package covers it or an administrator has entered its whole
schedule (``entered_years``). An unknown year still gets working days from the weekend
rule plus any overrides, but it is reported, so staff see a warning rather than a
deadline that is silently wrong.

Each year is turned, once and only when first needed, into a sorted tuple of its working
days. Counting N working days is then a few binary searches, not a walk over days, and
the package is asked about a year once per process, never once per day.

The clock (``deadline``) counts from the first working day *after* acceptance, skips
public holidays and weekends, counts make-up working days, and does not count working
days inside a pause (suspension, or waiting for supplements after acceptance).
"""

import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from typing import Any

import chinese_calendar

ONE_DAY = timedelta(days=1)
WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

# The names used in the State Council notices. The package's own Chinese short forms
# (清明, 端午, 中秋) are not what a service hall writes; anything not listed here (a
# holiday added in a later package release) falls back to the package's Chinese name.
_OFFICIAL_NAMES = {
    "new_years_day": "元旦",
    "spring_festival": "春节",
    "tomb_sweeping_day": "清明节",
    "labour_day": "劳动节",
    "dragon_boat_festival": "端午节",
    "mid_autumn_festival": "中秋节",
    "national_day": "国庆节",
}
HOLIDAY_NAMES: Mapping[str, str] = {
    holiday.value: _OFFICIAL_NAMES.get(holiday.name, getattr(holiday, "chinese", holiday.value))
    for holiday in chinese_calendar.Holiday
}


def holiday_name(english: str) -> str:
    """The Chinese name of a holiday as ``chinese_calendar.get_holiday_detail`` names it."""
    return HOLIDAY_NAMES.get(english, english)


def unknown_year_warning(year: int) -> str:
    """The sentence staff pages show while ``year`` has no official schedule entered."""
    return f"{year}年法定节假日安排尚未录入，暂按周末计算工作日，请管理员录入"


def unknown_deadline_warning(year: int) -> str:
    """The sentence beside a deadline that falls in ``year`` while its schedule is unknown."""
    return f"{year}年节假日尚未录入，期限按周末推算，请管理员录入后复核"


def format_day(day: date) -> str:
    """``2026-10-10（周六）``: the weekday matters when a Saturday is a working day."""
    return f"{day.isoformat()}（{WEEKDAY_NAMES[day.weekday()]}）"


# --- the package, asked once per year -------------------------------------------------


@cache
def package_covers(year: int) -> bool:
    """Whether ``chinesecalendar`` has the official schedule for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@cache
def _package_named_days(year: int) -> Mapping[date, tuple[bool, str]]:
    """Holidays and make-up working days of ``year`` per the package: {day: (is_workday, name)}.

    Days the package does not name follow the weekend rule, so they are left out.
    """
    if not package_covers(year):
        return {}
    named = {}
    for day in _days_of(year):
        is_holiday, english = chinese_calendar.get_holiday_detail(day)
        if english is not None:
            named[day] = (not is_holiday, holiday_name(english))
    return named


def _days_of(year: int) -> Iterator[date]:
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += ONE_DAY


# --- one day ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayOverride:
    """An administrator's word on one date; it beats the package and the weekend rule."""

    is_workday: bool
    name: str = ""


class DayType(StrEnum):
    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    MAKEUP_WORKDAY = "makeup_workday"


@dataclass(frozen=True)
class DayKind:
    """What a date is, with the holiday's name for holidays and make-up working days."""

    type: DayType
    name: str = ""

    @property
    def is_workday(self) -> bool:
        return self.type in (DayType.WORKDAY, DayType.MAKEUP_WORKDAY)

    @property
    def label(self) -> str:
        """工作日 / 周末 / 法定节假日（国庆节） / 调休上班（国庆节）."""
        base = {
            DayType.WORKDAY: "工作日",
            DayType.WEEKEND: "周末",
            DayType.HOLIDAY: "法定节假日",
            DayType.MAKEUP_WORKDAY: "调休上班",
        }[self.type]
        return f"{base}（{self.name}）" if self.name else base

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class _Year:
    workdays: tuple[date, ...]  # sorted, for binary search
    workday_set: frozenset[date]
    names: Mapping[date, str]  # names of holidays and make-up working days


# --- the calendar -------------------------------------------------------------------------


class WorkCalendar:
    """Working days from overrides, the package and the weekend rule, in that order.

    Immutable once built; build a new one when the overrides change. Year tables are
    filled lazily; two threads may both build the same year, which is harmless because
    both get the same answer.
    """

    def __init__(
        self,
        overrides: Mapping[date, DayOverride] | None = None,
        entered_years: Iterable[int] = (),
    ) -> None:
        self._overrides_by_year: dict[int, dict[date, DayOverride]] = {}
        for day, override in (overrides or {}).items():
            self._overrides_by_year.setdefault(day.year, {})[day] = override
        self.entered_years = frozenset(entered_years)
        self._years: dict[int, _Year] = {}
        self._content_key: str | None = None

    def with_workdays(self, extra: Mapping[date, DayOverride]) -> "WorkCalendar":
        """A new calendar: this one's overrides plus ``extra`` (a site's surge days, issue 19)."""
        overrides = {d: o for year in self._overrides_by_year.values() for d, o in year.items()}
        return WorkCalendar({**overrides, **extra}, self.entered_years)

    def content_key(self) -> str:
        """A fingerprint of what this calendar was built from (entered years, overrides), the
        same in every process: for cache keys of anything that counts working days."""
        if self._content_key is None:
            overrides = sorted(
                (day.isoformat(), repr(rule))
                for year in self._overrides_by_year.values()
                for day, rule in year.items()
            )
            content = repr((sorted(self.entered_years), overrides)).encode()
            self._content_key = hashlib.sha256(content).hexdigest()[:16]
        return self._content_key

    # years

    def is_known_year(self, year: int) -> bool:
        return year in self.entered_years or package_covers(year)

    def unknown_years(self, start: date, end: date) -> list[int]:
        """Years from ``start`` to ``end`` (inclusive, either order) with no official schedule."""
        first, last = sorted((start.year, end.year))
        return [year for year in range(first, last + 1) if not self.is_known_year(year)]

    def warning_years(self, today: date) -> list[int]:
        """Unknown years among this year and next: deadlines set now reach into next year."""
        return self.unknown_years(today, date(today.year + 1, 1, 1))

    # days

    def is_workday(self, day: date) -> bool:
        return day in self._year(day.year).workday_set

    def day_kind(self, day: date) -> DayKind:
        table = self._year(day.year)
        name = table.names.get(day, "")
        weekend = day.weekday() >= 5
        if day in table.workday_set:
            if weekend:
                return DayKind(DayType.MAKEUP_WORKDAY, name)
            return DayKind(DayType.WORKDAY)
        if weekend and not name:
            return DayKind(DayType.WEEKEND)
        return DayKind(DayType.HOLIDAY, name)

    def next_workday(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        return self.add_workdays(day, 1)

    def add_workdays(self, day: date, n: int) -> date:
        """The n-th working day after ``day`` (before it if n < 0); n = 0 gives ``day`` itself.

        Counting starts on the first working day after ``day``, whatever ``day`` is.
        """
        if n == 0:
            return day
        if n < 0:
            return self._subtract_workdays(day, -n)
        year = day.year
        index = bisect_right(self._year(year).workdays, day)  # first working day after `day`
        while True:
            days = self._year(year).workdays
            if index + n <= len(days):
                return days[index + n - 1]
            n -= len(days) - index
            year, index = year + 1, 0

    def _subtract_workdays(self, day: date, n: int) -> date:
        year = day.year
        before = bisect_left(self._year(year).workdays, day)  # working days before `day`
        while True:
            days = self._year(year).workdays
            if n <= before:
                return days[before - n]
            n -= before
            year -= 1
            before = len(self._year(year).workdays)

    def workdays_between(self, a: date, b: date) -> int:
        """Working days in (a, b]; if b < a, minus the working days in (b, a]; 0 if a == b.

        So ``add_workdays(a, workdays_between(a, b)) == b`` whenever b is a working day.
        """
        if b < a:
            return -self.workdays_between(b, a)
        if a.year == b.year:
            days = self._year(a.year).workdays
            return bisect_right(days, b) - bisect_right(days, a)
        first = self._year(a.year).workdays
        count = len(first) - bisect_right(first, a)
        count += sum(len(self._year(year).workdays) for year in range(a.year + 1, b.year))
        return count + bisect_right(self._year(b.year).workdays, b)

    # year tables

    def _year(self, year: int) -> _Year:
        table = self._years.get(year)
        if table is None:
            table = self._years[year] = self._build_year(year)
        return table

    def _build_year(self, year: int) -> _Year:
        status = dict(_package_named_days(year))
        # An override replaces the package's word on that date entirely, name included.
        for day, override in self._overrides_by_year.get(year, {}).items():
            status[day] = (override.is_workday, override.name)
        workdays = tuple(
            day for day in _days_of(year) if status.get(day, (day.weekday() < 5, ""))[0]
        )
        names = {day: name for day, (_, name) in status.items() if name}
        return _Year(workdays, frozenset(workdays), names)


# --- the clock ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pause:
    """A stretch when the clock stops; both ends are paused days. ``end`` None: still paused."""

    start: date
    end: date | None = None
    reason: str = ""


@dataclass(frozen=True)
class PauseEffect:
    pause: Pause
    assumed_end: date  # pause.end, or for an open pause the day it is assumed to end
    workdays_added: int

    @property
    def is_open(self) -> bool:
        return self.pause.end is None

    def line(self, due_on: date) -> str:
        start, reason = self.pause.start, self.pause.reason
        suffix = f"（原因：{reason}）" if reason else ""
        if self.is_open:
            return (
                f"暂停计时自 {start.isoformat()} 起，尚未恢复；暂按暂停至 {self.assumed_end.isoformat()} "
                f"计算，已顺延 {self.workdays_added} 个工作日{suffix}"
            )
        span = _span(start, self.assumed_end)
        if self.workdays_added:
            return f"暂停计时 {span}，顺延 {self.workdays_added} 个工作日{suffix}"
        if start > due_on:
            return f"暂停计时 {span}，在到期日之后，不影响到期日{suffix}"
        return f"暂停计时 {span}，期间没有工作日，不顺延{suffix}"


@dataclass(frozen=True)
class Explanation:
    """Why a case's deadline is what it is, for the "why is this my deadline" view."""

    start: date
    workdays: int
    due_on: date
    counted_days: tuple[date, ...]
    holidays_met: tuple[tuple[date, str], ...]
    makeup_days_met: tuple[tuple[date, str], ...]
    weekends_skipped: int
    pauses: tuple[PauseEffect, ...]
    unknown_years: tuple[int, ...]

    @property
    def provisional(self) -> bool:
        """True while a pause is open: the due date moves when the case resumes."""
        return any(effect.is_open for effect in self.pauses)

    def lines(self) -> list[str]:
        """Plain sentences for a service-hall worker, in the order the clock met things."""
        if self.workdays == 0:
            return [f"{format_day(self.start)}受理，承诺时限为 0 个工作日，当日到期"]
        lines = [f"{format_day(self.start)}受理，次日起计算 {self.workdays} 个工作日"]
        if self.holidays_met:
            runs = "；".join(_holiday_runs(self.holidays_met))
            lines.append(f"跳过法定节假日：{runs}")
        if self.makeup_days_met:
            days = "、".join(format_day(day) for day, _ in self.makeup_days_met)
            lines.append(f"调休上班：{days}")
        if self.weekends_skipped:
            lines.append(f"跳过周末 {self.weekends_skipped} 天")
        lines.extend(effect.line(self.due_on) for effect in self.pauses)
        lines.append(self._counted_line())
        lines.extend(unknown_year_warning(year) for year in self.unknown_years)
        if self.provisional:
            lines.append(f"暂定到期日：{format_day(self.due_on)}，暂停尚未结束，恢复计时后重新计算")
        else:
            lines.append(f"到期日：{format_day(self.due_on)}")
        return lines

    def _counted_line(self) -> str:
        days = self.counted_days
        if len(days) <= 10:
            return f"计入 {len(days)} 个工作日：" + "、".join(day.isoformat() for day in days)
        return f"计入 {len(days)} 个工作日：{days[0].isoformat()} 起至 {days[-1].isoformat()} 止"


@dataclass(frozen=True)
class Deadline:
    due_on: date
    explanation: Explanation

    @property
    def provisional(self) -> bool:
        return self.explanation.provisional


def deadline(
    start: date,
    workdays: int,
    pauses: Sequence[Pause],
    calendar: WorkCalendar,
    *,
    today: date | None = None,
) -> Deadline:
    """The day a case with a limit of ``workdays`` working days, accepted on ``start``, is due.

    Counting starts on the first working day after ``start``. A working day inside a pause
    (both ends included) is not counted, which pushes the due date by one working day;
    overlapping pauses push once per day. A pause after the due date changes nothing.
    An open pause (``end`` None) is assumed to end on ``today``, or on its own first day if
    ``today`` is not given (what the clock says at the moment of suspension); the result
    is then provisional and the explanation says so.
    """
    if workdays < 0:
        raise ValueError("workdays must not be negative")
    spans = [(pause, pause.start, _assumed_end(pause, today)) for pause in pauses]
    added = [0] * len(spans)
    counted: list[date] = []
    holidays: list[tuple[date, str]] = []
    makeups: list[tuple[date, str]] = []
    weekends = 0
    day = start
    while len(counted) < workdays:
        day += ONE_DAY
        kind = calendar.day_kind(day)
        if kind.type is DayType.HOLIDAY:
            holidays.append((day, kind.name))
        elif kind.type is DayType.WEEKEND:
            weekends += 1
        elif kind.type is DayType.MAKEUP_WORKDAY:
            makeups.append((day, kind.name))
        if not kind.is_workday:
            continue
        paused_by = next(
            (i for i, (_, first, last) in enumerate(spans) if first <= day <= last), None
        )
        if paused_by is None:
            counted.append(day)
        else:
            added[paused_by] += 1
    explanation = Explanation(
        start=start,
        workdays=workdays,
        due_on=day,
        counted_days=tuple(counted),
        holidays_met=tuple(holidays),
        makeup_days_met=tuple(makeups),
        weekends_skipped=weekends,
        pauses=tuple(
            PauseEffect(pause, last, n) for (pause, _, last), n in zip(spans, added, strict=True)
        ),
        unknown_years=tuple(calendar.unknown_years(start + ONE_DAY, day)) if workdays else (),
    )
    return Deadline(due_on=day, explanation=explanation)


def _assumed_end(pause: Pause, today: date | None) -> date:
    if pause.end is not None:
        if pause.end < pause.start:
            raise ValueError(f"pause ends ({pause.end}) before it starts ({pause.start})")
        return pause.end
    return max(today, pause.start) if today is not None else pause.start


def _span(first: date, last: date) -> str:
    if first == last:
        return first.isoformat()
    return f"{first.isoformat()} 至 {last.isoformat()}"


def _holiday_runs(holidays: Sequence[tuple[date, str]]) -> list[str]:
    """Consecutive days with the same name as one run: ``2026-10-01 至 2026-10-07 国庆节（7 天）``."""
    runs: list[list[Any]] = []  # [first, last, name], the last day moved on in place
    for day, name in holidays:
        if runs and runs[-1][1] + ONE_DAY == day and runs[-1][2] == name:
            runs[-1][1] = day
        else:
            runs.append([day, day, name])
    texts = []
    for first, last, name in runs:
        length = (last - first).days + 1
        count = f"（{length} 天）" if length > 1 else ""
        texts.append(f"{_span(first, last)} {name or '放假'}{count}")
    return texts
