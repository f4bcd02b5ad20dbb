"""Every role lands on its work (issue 14, item 1): the loops each role owns reach its home.

The agent is told of a bad review's rectification and follows the cases it relayed; the
supervisor and the administrator get a day of their own; the liaison sees how old each
item is and when it is due; the navigation offers each role exactly its areas; a deadline
counted without the year's holidays says so on the case page.
"""

from datetime import date, datetime, time

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from bangban.cases.access import Actor
from bangban.cases.models import Case
from bangban.oversight.records.services import evaluation_submit
from bangban.oversight.tests.helpers import completed_case
from bangban.testing import COUNTY_ZONE, travel_to
from bangban.visits.models import (
    Appointment,
    AppointmentStatus,
    HomeVisitRequest,
    HomeVisitStatus,
    TimeSlot,
)
from bangban.workdays.models import CalendarYear

from ..navigation import areas, may_use_admin
from .conftest import HTMX, SIGNED, act, handling, open_case

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 16)  # a Monday; 2027's holidays are not in the package


@pytest.fixture(autouse=True)
def monday():
    with travel_to(TODAY):
        yield TODAY


def bad_review(world):
    case = completed_case(world)
    evaluation = evaluation_submit(
        case=case,
        actor=Actor.of_client(world.citizen),
        level=1,
        indicators={},
        comment="跑了三趟",
        channel="portal",
    )
    return case, evaluation.rectification


def test_seam_bad_review_reaches_the_agent(signed_in, world):
    case, rectification = bad_review(world)
    text = signed_in(world.agent_a).get("/work/").content.decode()
    assert "差评整改" in text and case.number in text
    assert rectification.due_on.isoformat() in text
    assert f"/oversight/rectifications/{rectification.pk}/" in text
    assert "待回访核实" in text
    # the village's other agent, who did not handle it, is not made responsible
    other = signed_in(world.agent_a2).get("/work/").content.decode()
    assert f"/oversight/rectifications/{rectification.pk}/" not in other


def test_seam_appointments_and_home_visits_reach_the_agent(signed_in, world):
    slot = TimeSlot.objects.create(
        site=world.village_a, day=TODAY, start=time(9), end=time(10), capacity=2
    )
    Appointment.objects.create(
        number="YY-1",
        slot=slot,
        name="王大爷",
        mobile_masked="138****5678",
        purpose="养老保险认证",
        status=AppointmentStatus.BOOKED,
    )
    HomeVisitRequest.objects.create(
        number="SM-1",
        site=world.village_a,
        name="刘奶奶",
        mobile_masked="139****1111",
        address_masked="东街**号",
        needs="办理残疾人证",
        preferred_times="上午",
        status=HomeVisitStatus.SCHEDULED,
        scheduled_for=timezone.make_aware(datetime.combine(TODAY, time(15)), COUNTY_ZONE),
        agent=world.agent_a,
    )
    text = signed_in(world.agent_a).get("/work/").content.decode()
    assert "王大爷" in text and "养老保险认证" in text and "今天没有预约" not in text
    assert "刘奶奶" in text and "没有安排给您的上门服务" not in text


def test_seam_village_agent_follows_relayed_case(signed_in, world):
    case = handling(open_case(world, agent=world.agent_a), world.agent_a)
    act(case, world.agent_a, "relay_out", to_site=world.town.code, note="需到镇里办理")
    text = signed_in(world.agent_a).get("/work/").content.decode()
    section = text[text.index("我移交的办件") :]
    assert case.number in section and "等待城关镇便民服务中心接收" in section
    act(case, world.town_agent, "relay_accept")
    case.refresh_from_db()
    text = signed_in(world.agent_a).get("/work/").content.decode()
    section = text[text.index("我移交的办件") :]
    assert case.number in section
    assert "城关镇便民服务中心" in section and case.state_label in section
    # the other village never relayed it
    assert case.number not in signed_in(world.agent_b).get("/work/").content.decode()


def test_seam_supervisor_home_has_the_dashboard_and_open_inspections(signed_in, world):
    from bangban.oversight.records.services import inspection_record

    inspection_record(
        inspector=world.supervisor,
        site=world.village_a,
        inspected_on=TODAY,
        summary="台账不全",
        findings=[
            {
                "item": "ledgers",
                "compliant": False,
                "finding": "工作台账缺少签字",
                "deadline_on": date(2026, 11, 20),
            }
        ],
    )
    text = signed_in(world.supervisor).get("/work/").content.decode()
    assert "您的账号没有" not in text
    assert "指标看板" in text and 'href="/oversight/"' in text
    assert "尚未整改完毕的监督检查" in text and "东街社区便民服务站" in text
    assert "差评整改" in text and "投诉" in text


def test_seam_administrator_home_has_calendar_warning_and_untrained_staff(signed_in, world):
    from bangban.staff.models import StaffMember

    admin = StaffMember.objects.create(
        user=world.supervisor.user.__class__.objects.create_user("sysadmin", password="x"),
        name="系统管理员",
        site=world.county,
        is_administrator=True,
        training_passed_on=TODAY,
    )
    StaffMember.objects.filter(pk=world.agent_b.pk).update(training_passed_on=TODAY)
    text = signed_in(admin).get("/work/").content.decode()
    assert "您的账号没有" not in text
    assert "2027年法定节假日安排尚未录入" in text
    assert "村A代办员" in text and "村B代办员" not in text  # trained
    CalendarYear.objects.create(year=2027)
    text = signed_in(admin).get("/work/").content.decode()
    assert "2027年法定节假日安排尚未录入" not in text and "均已录入" in text


def test_seam_liaison_sees_age_and_due_date(signed_in, world):
    with travel_to(date(2026, 11, 2)):  # a Monday
        case = handling(open_case(world, agent=world.county_agent), world.county_agent)
        act(case, world.county_agent, "file_with_department", case_item_id=case.items.get().pk)
    # filed Monday 2 Nov, 10 working days promised: due Monday 16 Nov (today)
    text = signed_in(world.liaison_market).get("/work/").content.decode()
    assert "10 个工作日" in text and "2026-11-16" in text and "今日到期" in text
    with travel_to(date(2026, 11, 17)):
        text = signed_in(world.liaison_market).get("/work/").content.decode()
    assert "11 个工作日" in text and "已超期" in text


@pytest.mark.parametrize(
    ("persona", "shown", "hidden"),
    [
        (
            "agent_a",
            {"前台登记", "预约与上门", "工作台账", "工作日志", "监督评价"},
            {"远程帮办", "应急预案"},  # a village station asks for remote help, never answers
        ),
        ("town_agent", {"前台登记", "远程帮办"}, {"应急预案"}),
        (
            "coordinator",
            {"前台登记", "预约与上门", "工作台账", "工作日志", "监督评价", "远程帮办", "应急预案"},
            set(),
        ),
        (
            "liaison_market",
            {"工作台账", "工作日志", "监督评价"},
            {"前台登记", "预约与上门", "远程帮办", "应急预案"},
        ),
        (
            "supervisor",
            {"工作台账", "监督评价"},
            {"前台登记", "预约与上门", "工作日志", "远程帮办", "应急预案"},
        ),
    ],
)
def test_seam_navigation_per_role(signed_in, world, persona, shown, hidden):
    text = signed_in(getattr(world, persona)).get("/work/").content.decode()
    nav = text[
        text.index('aria-label="工作台导航"') : text.index("</nav>", text.index("工作台导航"))
    ]
    assert all(f">{name}<" in nav for name in shown)
    assert not any(f">{name}<" in nav for name in hidden)
    assert "管理后台" not in text  # none of them may use the admin


def test_seam_admin_link_only_for_who_may_use_it(signed_in, world):
    user = world.supervisor.user
    user.is_staff = True
    user.save()
    assert not may_use_admin(user)  # is_staff without any permission: the admin refuses
    assert "管理后台" not in signed_in(world.supervisor).get("/work/").content.decode()
    user.user_permissions.add(Permission.objects.get(codename="view_staffmember"))
    user = type(user).objects.get(pk=user.pk)  # permissions are cached on the object
    assert may_use_admin(user) and "admin" in areas(world.supervisor, user)
    assert "管理后台" in signed_in(world.supervisor).get("/work/").content.decode()


def test_seam_resumption_year_warning(signed_in, world):
    with travel_to(date(2026, 12, 14)):
        case = handling(open_case(world), world.agent_a)
        client = signed_in(world.agent_a)
        response = client.post(
            f"/work/cases/{case.number}/events/suspend/",
            {
                "expected_version": Case.objects.get(pk=case.pk).version,
                "reason_code": "client_pause",
                "reason": "申请人外出务工",
                "resumption_days": "20",
                "signed": "1",
                "signer": SIGNED["signer"],
                "sign_method": SIGNED["method"],
            },
            **HTMX,
        )
        text = response.content.decode()
    case.refresh_from_db()
    assert case.state == "suspended", text[:2000]
    assert case.resumption_due_on.year == 2027
    warning = "2027年节假日尚未录入，期限按周末推算，请管理员录入后复核"
    assert "已完成" in text and warning in text  # beside the suspension's flash
    with travel_to(date(2026, 12, 14)):
        assert (
            warning in signed_in(world.agent_a).get(f"/work/cases/{case.number}/").content.decode()
        )
        CalendarYear.objects.create(year=2027)
        assert warning not in client.get(f"/work/cases/{case.number}/").content.decode()


@pytest.mark.parametrize(
    ("persona", "limit"),
    [
        ("agent_a", 20),
        ("coordinator", 18),
        ("liaison_market", 14),
        ("supervisor", 14),
    ],
)
def test_each_role_home_is_bounded(signed_in, world, persona, limit, django_assert_max_num_queries):
    bad_review(world)
    for _ in range(3):
        case = handling(open_case(world, agent=world.agent_a), world.agent_a)
        act(case, world.agent_a, "relay_out", to_site=world.town.code, note="移交")
    client = signed_in(getattr(world, persona))
    client.get("/work/")  # warm the calendar cache, as a running server has
    with django_assert_max_num_queries(limit):
        assert client.get("/work/").status_code == 200
    for _ in range(5):
        case = handling(open_case(world, agent=world.agent_a), world.agent_a)
        act(case, world.agent_a, "relay_out", to_site=world.town.code, note="移交")
    with django_assert_max_num_queries(limit):
        assert client.get("/work/").status_code == 200


def test_the_administrator_home_is_bounded(signed_in, world, django_assert_max_num_queries):
    from bangban.staff.models import StaffMember

    user = world.supervisor.user.__class__.objects.create_user("sysadmin", password="x")
    admin = StaffMember.objects.create(
        user=user, name="系统管理员", site=world.county, is_administrator=True
    )
    client = signed_in(admin)
    client.get("/work/")
    with django_assert_max_num_queries(12):
        assert client.get("/work/").status_code == 200
