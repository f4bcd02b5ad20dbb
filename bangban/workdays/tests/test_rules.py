"""The working-day rules, with the real 2026 State Council schedule from chinesecalendar.

2026 facts used below (checked against the package):
- Spring Festival: 15–23 Feb off; Sat 14 Feb and Sat 28 Feb are make-up working days.
- Mid-autumn: Fri 25 – Sun 27 Sep off.
- National Day: 1–7 Oct off; Sun 20 Sep and Sat 10 Oct are make-up working days.
"""

import subprocess
import sys
from datetime import date, timedelta

import chinese_calendar
import pytest

from bangban.workdays import rules
from bangban.workdays.rules import (
    DayOverride,
    DayType,
    Pause,
    WorkCalendar,
    deadline,
    unknown_year_warning,
)


@pytest.fixture
def calendar():
    return WorkCalendar()


def d(text: str) -> date:
    return date.fromisoformat(text)


# --- National Day 2026 ---------------------------------------------------------------------


def test_national_day_2026_is_off_from_1_to_7_october(calendar):
    for day in range(1, 8):
        kind = calendar.day_kind(date(2026, 10, day))
        assert kind.type is DayType.HOLIDAY
        assert kind.name == "国庆节"
    assert calendar.is_workday(d("2026-10-08"))


def test_sunday_20_september_and_saturday_10_october_2026_are_make_up_working_days(calendar):
    for day in (d("2026-09-20"), d("2026-10-10")):
        assert calendar.is_workday(day)
        assert calendar.day_kind(day).type is DayType.MAKEUP_WORKDAY
    assert str(calendar.day_kind(d("2026-10-10"))) == "调休上班（国庆节）"


def test_the_third_working_day_after_30_september_2026_is_saturday_10_october(calendar):
    assert calendar.add_workdays(d("2026-09-30"), 1) == d("2026-10-08")
    assert calendar.add_workdays(d("2026-09-30"), 2) == d("2026-10-09")
    assert calendar.add_workdays(d("2026-09-30"), 3) == d("2026-10-10")
    assert calendar.add_workdays(d("2026-09-30"), 4) == d("2026-10-12")


def test_the_next_working_day_after_30_september_2026_is_8_october(calendar):
    assert calendar.next_workday(d("2026-09-30")) == d("2026-10-08")


# --- Spring Festival 2026 ------------------------------------------------------------------


def test_spring_festival_2026_is_off_from_15_to_23_february(calendar):
    for day in range(15, 24):
        assert calendar.day_kind(date(2026, 2, day)).label == "法定节假日（春节）"
    assert calendar.is_workday(d("2026-02-24"))


def test_saturdays_14_and_28_february_2026_are_make_up_working_days(calendar):
    assert calendar.day_kind(d("2026-02-14")).type is DayType.MAKEUP_WORKDAY
    assert calendar.day_kind(d("2026-02-28")).type is DayType.MAKEUP_WORKDAY
    assert calendar.day_kind(d("2026-02-07")).type is DayType.WEEKEND


def test_counting_from_friday_13_february_2026_crosses_spring_festival(calendar):
    start = d("2026-02-13")
    assert calendar.add_workdays(start, 1) == d("2026-02-14")
    assert calendar.add_workdays(start, 2) == d("2026-02-24")
    assert calendar.add_workdays(start, 6) == d("2026-02-28")
    assert calendar.add_workdays(start, 7) == d("2026-03-02")


# --- kinds of day ---------------------------------------------------------------------------


def test_day_kinds_read_in_chinese(calendar):
    assert str(calendar.day_kind(d("2026-03-10"))) == "工作日"
    assert str(calendar.day_kind(d("2026-03-14"))) == "周末"
    assert str(calendar.day_kind(d("2026-01-01"))) == "法定节假日（元旦）"


def test_holidays_carry_the_names_used_in_state_council_notices(calendar):
    names = {
        "2026-01-01": "元旦",
        "2026-02-17": "春节",
        "2026-04-05": "清明节",
        "2026-05-01": "劳动节",
        "2026-06-19": "端午节",
        "2026-09-25": "中秋节",
        "2026-10-01": "国庆节",
    }
    for day, name in names.items():
        assert calendar.day_kind(d(day)).name == name


def test_every_package_holiday_has_a_chinese_name():
    for holiday in chinese_calendar.Holiday:
        assert not rules.holiday_name(holiday.value).isascii()


# --- workdays_between -------------------------------------------------------------------------


def test_workdays_between_counts_after_the_first_day_up_to_and_including_the_last(calendar):
    assert calendar.workdays_between(d("2026-09-30"), d("2026-10-10")) == 3
    assert calendar.workdays_between(d("2026-02-13"), d("2026-02-28")) == 6
    assert calendar.workdays_between(d("2026-10-01"), d("2026-10-07")) == 0


def test_workdays_between_is_negative_when_the_second_day_is_earlier(calendar):
    assert calendar.workdays_between(d("2026-10-10"), d("2026-09-30")) == -3
    assert calendar.workdays_between(d("2026-10-10"), d("2026-10-10")) == 0


def test_workdays_between_spans_years(calendar):
    # 2026-12-31 (Thu) and, 2027 being unknown, Fri 1 Jan and Mon 4 Jan 2027.
    assert calendar.workdays_between(d("2026-12-30"), d("2027-01-04")) == 3
    assert calendar.workdays_between(d("2025-06-30"), d("2026-06-30")) == sum(
        calendar.is_workday(d("2025-06-30") + timedelta(days=i)) for i in range(1, 366)
    )


def test_add_workdays_and_workdays_between_agree_on_every_working_day(calendar):
    start = d("2025-12-15")
    for offset in range(0, 420, 7):
        day = start + timedelta(days=offset)
        n = calendar.workdays_between(start, day)
        if calendar.is_workday(day):
            assert calendar.add_workdays(start, n) == day
            assert calendar.add_workdays(day, -n) == start  # start is a Monday


def test_add_workdays_with_zero_returns_the_same_day(calendar):
    assert calendar.add_workdays(d("2026-10-03"), 0) == d("2026-10-03")


def test_add_workdays_with_a_negative_count_goes_backwards(calendar):
    assert calendar.add_workdays(d("2026-10-10"), -1) == d("2026-10-09")
    assert calendar.add_workdays(d("2026-10-10"), -3) == d("2026-09-30")
    assert calendar.add_workdays(d("2027-01-04"), -2) == d("2026-12-31")


def test_add_workdays_crosses_into_the_next_year(calendar):
    assert calendar.add_workdays(d("2026-12-30"), 3) == d("2027-01-04")


# --- overrides ----------------------------------------------------------------------------------


def test_an_override_makes_a_package_holiday_a_working_day():
    calendar = WorkCalendar({d("2026-10-05"): DayOverride(is_workday=True, name="")})
    assert calendar.is_workday(d("2026-10-05"))
    assert calendar.day_kind(d("2026-10-05")).type is DayType.WORKDAY
    assert calendar.next_workday(d("2026-09-30")) == d("2026-10-05")


def test_an_override_makes_a_normal_weekday_a_holiday():
    calendar = WorkCalendar({d("2026-10-08"): DayOverride(is_workday=False, name="台风停工")})
    assert not calendar.is_workday(d("2026-10-08"))
    assert str(calendar.day_kind(d("2026-10-08"))) == "法定节假日（台风停工）"
    assert calendar.next_workday(d("2026-09-30")) == d("2026-10-09")
    assert calendar.workdays_between(d("2026-09-30"), d("2026-10-10")) == 2


def test_an_override_replaces_the_package_entirely_for_its_date():
    calendar = WorkCalendar({d("2026-10-10"): DayOverride(is_workday=False)})
    assert calendar.day_kind(d("2026-10-10")).type is DayType.WEEKEND


def test_overrides_do_not_leak_into_other_calendars():
    WorkCalendar({d("2026-10-08"): DayOverride(is_workday=False, name="停工")})
    assert WorkCalendar().is_workday(d("2026-10-08"))


# --- years the package does not know ----------------------------------------------------------------


def test_2027_is_unknown_and_follows_the_weekend_rule(calendar):
    assert not calendar.is_known_year(2027)
    assert calendar.is_workday(d("2027-01-01"))  # a Friday
    assert calendar.day_kind(d("2027-01-02")).type is DayType.WEEKEND
    assert calendar.unknown_years(d("2026-12-01"), d("2027-02-01")) == [2027]
    assert calendar.warning_years(d("2026-11-22")) == [2027]


def test_this_year_and_next_both_known_give_no_warning(calendar):
    assert calendar.warning_years(d("2025-06-01")) == []


def test_years_before_2004_are_unknown(calendar):
    assert calendar.unknown_years(d("2003-12-31"), d("2004-01-01")) == [2003]
    assert calendar.day_kind(d("2003-12-31")).type is DayType.WORKDAY


def test_an_entered_2027_is_no_longer_reported_and_its_overrides_apply():
    calendar = WorkCalendar(
        overrides={
            d("2027-01-01"): DayOverride(is_workday=False, name="元旦"),
            d("2027-01-02"): DayOverride(is_workday=False, name="元旦"),
            d("2027-01-03"): DayOverride(is_workday=False, name="元旦"),
        },
        entered_years={2027},
    )
    assert calendar.is_known_year(2027)
    assert calendar.warning_years(d("2026-11-22")) == []
    assert str(calendar.day_kind(d("2027-01-01"))) == "法定节假日（元旦）"
    assert calendar.add_workdays(d("2026-12-30"), 2) == d("2027-01-04")


def test_an_unknown_year_is_asked_of_the_package_once_not_per_day(monkeypatch):
    calls = []
    original = chinese_calendar.is_workday

    def counting_is_workday(day):
        calls.append(day)
        return original(day)

    monkeypatch.setattr(chinese_calendar, "is_workday", counting_is_workday)
    rules.package_covers.cache_clear()
    try:
        calendar = WorkCalendar()
        calendar.add_workdays(d("2027-01-01"), 200)
        calendar.is_workday(d("2027-06-01"))
        calendar.unknown_years(d("2027-01-01"), d("2027-12-31"))
    finally:
        rules.package_covers.cache_clear()
    assert [day.year for day in calls] == [2027]


def test_the_warning_sentence_names_the_year():
    assert unknown_year_warning(2027) == (
        "2027年法定节假日安排尚未录入，暂按周末计算工作日，请管理员录入"
    )


# --- the deadline -----------------------------------------------------------------------------------


def test_a_deadline_without_pauses_is_the_nth_working_day_after_acceptance(calendar):
    result = deadline(d("2026-09-30"), 3, [], calendar)
    assert result.due_on == d("2026-10-10")
    assert not result.provisional
    explanation = result.explanation
    assert explanation.counted_days == (d("2026-10-08"), d("2026-10-09"), d("2026-10-10"))
    assert [day for day, _ in explanation.holidays_met] == [
        date(2026, 10, day) for day in range(1, 8)
    ]
    assert explanation.makeup_days_met == ((d("2026-10-10"), "国庆节"),)
    assert explanation.weekends_skipped == 0  # 3–4 Oct are part of the holiday


def test_a_zero_day_limit_is_due_on_the_day_of_acceptance(calendar):
    result = deadline(d("2026-09-30"), 0, [], calendar)
    assert result.due_on == d("2026-09-30")
    assert result.explanation.lines() == ["2026-09-30（周三）受理，承诺时限为 0 个工作日，当日到期"]


def test_a_suspension_spanning_national_day_pushes_only_by_its_working_days(calendar):
    # Without the pause: 22, 23, 24, 28, 29, 30 Sep, 8, 9, 10, 12 Oct -> due 12 Oct.
    assert deadline(d("2026-09-21"), 10, [], calendar).due_on == d("2026-10-12")
    pause = Pause(d("2026-09-29"), d("2026-10-09"), "服务对象申请暂停")
    result = deadline(d("2026-09-21"), 10, [pause], calendar)
    # Paused working days: 29, 30 Sep and 8, 9 Oct; the 7 holiday days push nothing.
    assert result.explanation.pauses[0].workdays_added == 4
    assert result.due_on == d("2026-10-16")
    assert result.due_on == calendar.add_workdays(d("2026-10-12"), 4)


def test_a_pause_over_a_weekend_pushes_only_by_its_working_days(calendar):
    without_pause = deadline(d("2026-03-10"), 5, [], calendar).due_on
    friday_to_monday = deadline(
        d("2026-03-10"), 5, [Pause(d("2026-03-13"), d("2026-03-16"))], calendar
    )
    assert friday_to_monday.due_on == calendar.add_workdays(without_pause, 2)
    assert friday_to_monday.explanation.pauses[0].workdays_added == 2


def test_a_pause_over_a_weekend_only_pushes_nothing(calendar):
    pause = Pause(d("2026-03-14"), d("2026-03-15"), "")
    result = deadline(d("2026-03-10"), 5, [pause], calendar)
    assert result.due_on == deadline(d("2026-03-10"), 5, [], calendar).due_on
    assert result.explanation.pauses[0].workdays_added == 0
    assert "暂停计时 2026-03-14 至 2026-03-15，期间没有工作日，不顺延" in result.explanation.lines()


def test_a_pause_after_the_due_date_changes_nothing(calendar):
    pause = Pause(d("2026-03-20"), d("2026-03-25"), "")
    result = deadline(d("2026-03-10"), 3, [pause], calendar)
    assert result.due_on == d("2026-03-13")
    assert "不影响到期日" in "".join(result.explanation.lines())


def test_overlapping_pauses_push_each_working_day_once(calendar):
    pauses = [Pause(d("2026-03-11"), d("2026-03-13")), Pause(d("2026-03-12"), d("2026-03-16"))]
    result = deadline(d("2026-03-10"), 2, pauses, calendar)
    # 11–13 and 16 Mar are paused (4 working days); counted: 17, 18 Mar.
    assert result.due_on == d("2026-03-18")
    assert [effect.workdays_added for effect in result.explanation.pauses] == [3, 1]


def test_an_open_pause_runs_until_today_and_makes_the_due_date_provisional(calendar):
    pause = Pause(d("2026-03-11"), None, "费用未缴纳")
    result = deadline(d("2026-03-10"), 3, [pause], calendar, today=d("2026-03-16"))
    # Paused 11, 12, 13, 16 Mar; counted 17, 18, 19 Mar.
    assert result.due_on == d("2026-03-19")
    assert result.provisional
    lines = result.explanation.lines()
    assert (
        "暂停计时自 2026-03-11 起，尚未恢复；暂按暂停至 2026-03-16 计算，已顺延 4 个工作日"
        in lines[2]
    )
    assert lines[-1] == "暂定到期日：2026-03-19（周四），暂停尚未结束，恢复计时后重新计算"


def test_an_open_pause_without_today_is_assumed_to_end_on_its_first_day(calendar):
    result = deadline(d("2026-03-10"), 3, [Pause(d("2026-03-11"))], calendar)
    assert result.due_on == d("2026-03-16")
    assert result.provisional


def test_a_pause_that_ends_before_it_starts_is_refused(calendar):
    with pytest.raises(ValueError):
        deadline(d("2026-03-10"), 3, [Pause(d("2026-03-12"), d("2026-03-11"))], calendar)


def test_a_negative_limit_is_refused(calendar):
    with pytest.raises(ValueError):
        deadline(d("2026-03-10"), -1, [], calendar)


def test_the_explanation_reads_as_plain_sentences(calendar):
    pause = Pause(d("2026-10-12"), d("2026-10-14"), "服务对象申请暂停")
    result = deadline(d("2026-09-30"), 10, [pause], calendar)
    assert result.explanation.lines() == [
        "2026-09-30（周三）受理，次日起计算 10 个工作日",
        "跳过法定节假日：2026-10-01 至 2026-10-07 国庆节（7 天）",
        "调休上班：2026-10-10（周六）",
        "跳过周末 3 天",
        "暂停计时 2026-10-12 至 2026-10-14，顺延 3 个工作日（原因：服务对象申请暂停）",
        "计入 10 个工作日：2026-10-08、2026-10-09、2026-10-10、2026-10-15、2026-10-16、"
        "2026-10-19、2026-10-20、2026-10-21、2026-10-22、2026-10-23",
        "到期日：2026-10-23（周五）",
    ]


def test_the_explanation_groups_different_holidays_separately(calendar):
    result = deadline(d("2026-09-24"), 5, [], calendar)
    assert result.explanation.lines()[1] == (
        "跳过法定节假日：2026-09-25 至 2026-09-27 中秋节（3 天）；"
        "2026-10-01 至 2026-10-07 国庆节（7 天）"
    )


def test_the_explanation_warns_when_counted_days_reach_an_unknown_year(calendar):
    result = deadline(d("2026-12-20"), 30, [], calendar)
    assert result.explanation.unknown_years == (2027,)
    assert unknown_year_warning(2027) in result.explanation.lines()
    assert result.explanation.lines()[-3].startswith("计入 30 个工作日：2026-12-21 起至")


def test_a_long_limit_is_cheap_to_count(calendar):
    result = deadline(d("2026-01-05"), 200, [Pause(d("2026-03-02"), d("2026-03-20"))], calendar)
    assert len(result.explanation.counted_days) == 200
    assert calendar.workdays_between(d("2026-01-05"), result.due_on) == 200 + 15


def test_the_rules_module_runs_without_django():
    code = "import sys, bangban.workdays.rules; sys.exit('django' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_a_calendars_content_key_follows_its_years_and_overrides_only():
    """Cached pages that count working days are keyed by this: equal content, equal key."""
    typhoon = {date(2026, 10, 8): rules.DayOverride(is_workday=False, name="台风停工")}
    built = rules.WorkCalendar(overrides=typhoon, entered_years=[2027])
    assert built.content_key() == rules.WorkCalendar(typhoon, [2027]).content_key()
    assert built.content_key() != rules.WorkCalendar(typhoon).content_key()
    assert built.content_key() != rules.WorkCalendar(entered_years=[2027]).content_key()
