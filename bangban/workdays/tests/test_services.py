from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from bangban.workdays.context_processors import calendar_warnings as warnings_context
from bangban.workdays.models import CalendarYear, HolidayOverride
from bangban.workdays.rules import DayType, unknown_year_warning
from bangban.workdays.services import calendar_warnings, current_calendar, in_calendar_scope

pytestmark = pytest.mark.django_db

NOV_2026 = date(2026, 11, 22)


def test_an_override_saved_in_the_database_changes_the_current_calendar():
    assert current_calendar().is_workday(date(2026, 10, 8))
    override = HolidayOverride.objects.create(
        date=date(2026, 10, 8), is_workday=False, name="台风停工"
    )
    assert not current_calendar().is_workday(date(2026, 10, 8))
    assert str(current_calendar().day_kind(date(2026, 10, 8))) == "法定节假日（台风停工）"

    override.is_workday = True
    override.save()
    assert current_calendar().is_workday(date(2026, 10, 8))

    override.delete()
    assert current_calendar().day_kind(date(2026, 10, 8)).type is DayType.WORKDAY


def test_an_override_can_make_a_package_holiday_a_working_day():
    HolidayOverride.objects.create(date=date(2026, 10, 5), is_workday=True, name="国庆节值班")
    assert current_calendar().next_workday(date(2026, 9, 30)) == date(2026, 10, 5)


def test_the_calendar_is_reused_while_the_tables_are_unchanged(django_assert_num_queries):
    HolidayOverride.objects.create(date=date(2026, 10, 8), is_workday=False, name="停工")
    first = current_calendar()
    with django_assert_num_queries(1):  # the fingerprint only; no override is reloaded
        second = current_calendar()
    assert second is first


def test_a_function_in_calendar_scope_checks_once_per_call(django_assert_num_queries):
    @in_calendar_scope
    def job(day):
        """A job asking for the calendar for each of its cases."""
        return [current_calendar().is_workday(day) for _ in range(5)]

    assert job.__name__ == "job" and job.__doc__.startswith("A job")  # huey names tasks so
    current_calendar()
    with django_assert_num_queries(1):  # the fingerprint, once for the five
        assert job(date(2026, 10, 8)) == [True] * 5
    # The next call checks again: an override entered by another process in between (no
    # signal reaches this one) is seen.
    HolidayOverride.objects.bulk_create(
        [HolidayOverride(date=date(2026, 10, 8), is_workday=False, name="台风停工")]
    )
    assert job(date(2026, 10, 8)) == [False] * 5


def test_the_warning_names_2027_until_the_year_is_entered():
    assert calendar_warnings(today=NOV_2026) == [unknown_year_warning(2027)]
    assert "2027年法定节假日安排尚未录入" in calendar_warnings(today=NOV_2026)[0]
    CalendarYear.objects.create(year=2027, note="国办发明电〔2026〕号")
    assert calendar_warnings(today=NOV_2026) == []


def test_an_entered_2027_uses_the_administrators_holidays():
    HolidayOverride.objects.create(date=date(2027, 1, 1), is_workday=False, name="元旦")
    CalendarYear.objects.create(year=2027)
    calendar = current_calendar()
    assert str(calendar.day_kind(date(2027, 1, 1))) == "法定节假日（元旦）"
    assert calendar.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert calendar.unknown_years(date(2026, 1, 1), date(2027, 12, 31)) == []


def test_the_admin_lists_say_what_each_override_changes(admin_client):
    HolidayOverride.objects.create(date=date(2026, 10, 10), is_workday=False, name="停工")
    CalendarYear.objects.create(year=2027)
    page = admin_client.get("/admin/workdays/holidayoverride/").content.decode()
    assert "调休上班（国庆节）" in page and "周六" in page
    assert admin_client.get("/admin/workdays/calendaryear/").status_code == 200


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_staff_pages_get_the_warnings(django_user_model, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: NOV_2026)
    user = django_user_model.objects.create_user("admin1", is_staff=True)
    context = warnings_context(_request(user))
    assert list(context["calendar_warnings"]) == [unknown_year_warning(2027)]


def test_anonymous_visitors_and_clients_get_no_warnings(django_user_model):
    client_user = django_user_model.objects.create_user("citizen")
    for user in (AnonymousUser(), client_user):
        warnings = warnings_context(_request(user))["calendar_warnings"]
        assert not warnings
        assert list(warnings) == []


def test_a_deadline_in_a_year_without_holidays_is_warned_about():
    from bangban.workdays.services import deadline_warnings

    warning = "2027年节假日尚未录入，期限按周末推算，请管理员录入后复核"
    assert deadline_warnings(date(2027, 1, 4), None, date(2026, 12, 30)) == [warning]
    assert deadline_warnings(date(2026, 12, 31), None) == []  # 2026 is in the package
    CalendarYear.objects.create(year=2027)
    assert deadline_warnings(date(2027, 1, 4)) == []
