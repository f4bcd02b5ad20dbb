"""Demo oversight data on top of the demo cases: evaluations, bad-review rectifications at
every stage, complaints, consultations, return visits and inspections.

``load(county)`` runs after ``bangban.cases.demo`` (``manage.py oversight_demo`` runs it on
an already loaded demo database). Everything goes through the services — evaluations
through the case workflow — each at its own moment (``bangban.cases.clock.at``, the
moment ``case_transition(at=…)`` takes), so dates, deadlines and overdue marks are real.
Deterministic: ``random.Random(2026)``.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from bangban.cases import clock as case_clock
from bangban.cases.access import Actor
from bangban.cases.models import Case
from bangban.cases.workflow import State, TransitionRefused
from bangban.network.models import Site
from bangban.staff.models import StaffMember
from bangban.workdays.services import current_calendar

from .figures.facts import refresh_facts
from .figures.rollup import refresh_rollup
from .models import Rectification, RectificationStatus, ReturnVisit, ReturnVisitKind
from .records import services
from .records.evaluations import handled_case

SEED = 2026
FINISHED = (State.COMPLETED, State.DELIVERED, State.ARCHIVED, State.TERMINATED)
GOOD_COMMENTS = [
    "服务热情，办事效率高",
    "一次就办好了，谢谢",
    "代办员很耐心",
    "材料一次性告知清楚",
    "",
]
BAD_COMMENTS = ["跑了两趟才办好", "等待时间太长", "电话一直打不通", "告知的材料不全"]
COMPLAINTS = [
    "窗口工作人员态度生硬，解释不清楚",
    "代办承诺的时间到了还没有办好",
    "补正材料要求前后不一致，多跑了一趟",
    "预约上门服务没有按时到",
    "办事指南上的材料清单和窗口要求不一样",
    "电话咨询一直无人接听",
]
CONSULTATIONS = [
    "开饭店要办哪些证",
    "个体户登记需要什么材料",
    "老人能不能上门办理",
    "施工许可多久能办好",
]


class _Clock:
    def __init__(self):
        self.zone = ZoneInfo(settings.TIME_ZONE)

    def at(self, day: dt.date, hour: int = 10, minute: int = 0):
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)), self.zone)
        return case_clock.at(min(moment, timezone.now()))  # today's steps: never later than now


def _level(rng: random.Random, poor: bool) -> int:
    weights = [3, 2, 10, 25, 60] if not poor else [8, 10, 14, 28, 40]
    return rng.choices([1, 2, 3, 4, 5], weights=weights)[0]


def _finished_on(case: Case) -> dt.date | None:
    if case.completed_on:
        return case.completed_on
    return timezone.localdate(case.closed_at) if case.closed_at else None


def load(county: Site) -> dict[str, int]:
    rng = random.Random(SEED)
    clock = _Clock()
    calendar = current_calendar()
    today = timezone.localdate()
    coordinator = StaffMember.objects.filter(is_coordinator=True, is_active=True).first()
    supervisor = StaffMember.objects.filter(is_supervisor=True, is_active=True).first()
    counts = dict.fromkeys(["evaluations", "bad", "complaints", "consultations", "visits"], 0)
    poor_sites = set(
        Site.objects.filter(path__startswith=county.path, level="village")
        .order_by("code")
        .values_list("pk", flat=True)[::4]
    )

    # 1. evaluations on about two thirds of the finished cases, a day or three after
    cases = list(
        Case.objects.filter(state__in=FINISHED).select_related("client", "site").order_by("pk")
    )
    for case in cases:
        finished = _finished_on(case)
        if finished is None or rng.random() > 0.7:
            continue
        day = calendar.add_workdays(finished, rng.randint(0, 2))
        if day >= today:
            continue
        level = _level(rng, case.site_id in poor_sites)
        if case.state == State.TERMINATED and level > 2:
            level = rng.choice([3, 4])
        by_visit = (
            coordinator is not None and rng.random() < 0.1 and not handled_case(coordinator, case)
        )
        online = case.channel in ("online", "mobile")
        channel = (
            "return_visit"
            if by_visit
            else ("portal" if online else rng.choice(["window_device", "sms", "portal"]))
        )
        keys = (
            ["efficiency", "guide_accuracy"] if online else ["efficiency", "attitude", "standard"]
        )
        indicators = {k: max(1, min(5, level + rng.choice([-1, 0, 0, 1]))) for k in keys}
        actor = Actor.of_staff(coordinator) if by_visit else Actor.of_client(case.client)
        comment = rng.choice(BAD_COMMENTS if level <= 2 else GOOD_COMMENTS)
        with clock.at(day, rng.randint(9, 17), rng.randint(0, 59)):
            try:
                services.evaluation_submit(
                    case=case,
                    actor=actor,
                    level=level,
                    indicators=indicators,
                    comment=comment,
                    channel=channel,
                )
            except TransitionRefused:
                continue
        counts["evaluations"] += 1
        counts["bad"] += level <= 2

    # 2. bad reviews: the older, the further along their loop
    for r in Rectification.objects.select_related("case", "owner", "site").order_by("opened_at"):
        _advance(r, rng, clock, calendar, today, coordinator, supervisor)

    # 3. random return visits by the coordinator
    if coordinator is not None:
        with clock.at(calendar.add_workdays(today, -8)):
            planned = services.return_visits_plan_random(
                staff=coordinator, count=8, since=today - dt.timedelta(days=60)
            )
        for visit in planned[:5]:
            with clock.at(calendar.add_workdays(today, -rng.randint(1, 6)), 15):
                try:
                    services.return_visit_record(
                        visit=visit,
                        staff=coordinator,
                        method="phone",
                        outcome=rng.choice(["satisfied", "satisfied", "issues"]),
                        notes="随机电话回访",
                    )
                except TransitionRefused:
                    continue
            counts["visits"] += 1

    counts["complaints"] = _complaints(rng, clock, calendar, today, cases, coordinator)
    counts["consultations"] = _consultations(rng, clock, calendar, today, county)
    _inspections(rng, clock, calendar, today, county, supervisor)
    # count the figures now, as the periodic job would, so the first dashboard view is quick
    refresh_facts()
    refresh_rollup()
    return counts


def _advance(r, rng, clock, calendar, today, coordinator, supervisor):
    opened = timezone.localdate(r.opened_at)
    age = calendar.workdays_between(opened, today)
    owner = r.owner or coordinator
    if age < 2 or coordinator is None:
        return  # still awaiting its verifying visit (some of them overdue)
    visit = ReturnVisit.objects.filter(rectification=r, kind=ReturnVisitKind.REQUIRED).first()
    try:
        if visit is not None and not handled_case(coordinator, r.case):
            with clock.at(calendar.add_workdays(opened, 1), 11):
                services.return_visit_record(
                    visit=visit,
                    staff=coordinator,
                    method="phone",
                    outcome=rng.choice(["confirmed", "confirmed", "not_confirmed"]),
                    notes="电话回访核实",
                )
        r.refresh_from_db()
        if r.status != RectificationStatus.DECIDING or age < 4:
            return
        outcome = rng.choices(["immediate", "deadline", "explain", "appeal"], [4, 3, 2, 1])[0]
        with clock.at(calendar.add_workdays(opened, 2), 16):
            services.rectification_decide(
                rectification=r,
                staff=owner,
                outcome=outcome,
                measures="已向服务对象致歉，并对相关环节作出改进",
                appeal_reason="服务对象误将审批部门的办理时限计入帮办代办服务",
            )
        if outcome == "appeal" and supervisor is not None and age > 6:
            with clock.at(calendar.add_workdays(opened, 5), 10):
                services.rectification_appeal_decide(
                    rectification=r, staff=supervisor, decision="upheld", note="经核实为误评"
                )
            return
        if outcome == "deadline":
            if age < 10 or rng.random() < 0.3:
                return  # in progress, or left overdue for the ledger's red mark
            with clock.at(calendar.add_workdays(opened, 6), 15):
                services.rectification_complete(rectification=r, staff=owner, result="已完成整改")
        r.refresh_from_db()
        if r.status == RectificationStatus.AWAITING_RATING and age > 8:
            with clock.at(calendar.add_workdays(opened, 8), 14):
                services.rectification_client_rate(
                    rectification=r,
                    actor=Actor.of_client(r.case.client),
                    level=rng.choice([3, 4, 4, 5]),
                    comment="整改及时",
                )
    except TransitionRefused:
        return


def _complaints(rng, clock, calendar, today, cases, coordinator) -> int:
    if not cases or coordinator is None:
        return 0
    count = 0
    handlers = list(StaffMember.objects.filter(is_coordinator=True, is_active=True)) or [
        coordinator
    ]
    for index in range(14):
        received = calendar.add_workdays(today, -rng.randint(1, 55))
        case = rng.choice(cases) if rng.random() < 0.7 else None
        if case is not None and _finished_on(case) and _finished_on(case) > received:
            case = None
        with clock.at(received, rng.randint(9, 16)):
            complaint = services.complaint_submit(
                channel=rng.choice(["onsite", "phone", "written", "online"]),
                complainant_name=rng.choice(["王先生", "李女士", "张先生", "刘女士", "陈先生"]),
                contact=f"139{rng.randint(10000000, 99999999)}",
                content=rng.choice(COMPLAINTS),
                case=case,
                site=None if case else Site.objects.filter(level="county").first(),
            )
        count += 1
        handler = handlers[index % len(handlers)]
        age = calendar.workdays_between(received, today)
        late = index % 6 == 5
        try:
            with clock.at(received, 17):
                services.complaint_assign(
                    complaint=complaint,
                    staff=coordinator,
                    assignee=handler,
                    kind="complex" if index % 4 == 3 else "simple",
                )
            if age < 1:
                continue
            contact_day = calendar.add_workdays(received, 2 if late else 1)
            if contact_day >= today:
                continue
            with clock.at(contact_day, 10):
                services.complaint_contact(
                    complaint=complaint, staff=handler, note="已电话联系投诉人"
                )
            investigate_day = calendar.add_workdays(received, 2 if not late else 4)
            if investigate_day >= today:
                continue
            with clock.at(investigate_day, 15):
                services.complaint_investigate(
                    complaint=complaint,
                    staff=handler,
                    findings="调取办件记录并询问经办人员",
                    substantiated=rng.random() < 0.5,
                )
            reply_day = calendar.add_workdays(received, 4 if not late else 7)
            if reply_day >= today:
                continue
            with clock.at(reply_day, 16):
                services.complaint_reply(
                    complaint=complaint,
                    staff=handler,
                    handling="对经办人员进行提醒谈话，改进告知方式",
                    reply="您反映的问题已核实处理，感谢您的监督。",
                )
            if age > 8:
                with clock.at(calendar.add_workdays(reply_day, 1), 10):
                    services.complaint_archive(complaint=complaint, staff=coordinator)
        except TransitionRefused:
            continue
    return count


def _consultations(rng, clock, calendar, today, county) -> int:
    from bangban.consultations.services import consultation_record, consultation_reply

    agents = list(StaffMember.objects.filter(is_agent=True, is_active=True).select_related("site"))
    if not agents:
        return 0
    for _ in range(60):
        day = calendar.add_workdays(today, -rng.randint(0, 60))
        agent = rng.choice(agents)
        on_spot = rng.random() < 0.7
        with clock.at(day, rng.randint(9, 16)):
            consultation = consultation_record(
                staff=agent,
                client_name=rng.choice(["赵先生", "孙女士", "周先生", "吴女士"]),
                contact=f"138{rng.randint(10000000, 99999999)}",
                channel=rng.choice(["visit", "phone", "online"]),
                content=rng.choice(CONSULTATIONS),
                answer="已一次性告知所需材料和办理流程" if on_spot else "",
            )
        if on_spot:
            continue
        delay = rng.choices([1, 2, 0], [80, 10, 10])[0]
        reply_day = calendar.add_workdays(day, delay) if delay else None
        if reply_day is None or reply_day >= today:
            continue
        with clock.at(reply_day, 11):
            consultation_reply(
                consultation=consultation, staff=agent, answer="经与审批部门确认后答复"
            )
    return 60


def _inspections(rng, clock, calendar, today, county, supervisor) -> None:
    if supervisor is None:
        return
    towns = list(Site.objects.filter(parent=county).order_by("code"))
    plan = [(county, 40, []), (towns[0] if towns else county, 20, ["ledgers", "archives"])]
    if len(towns) > 1:
        plan.append((towns[1], 9, ["area"]))
    for site, back, problems in plan:
        day = calendar.add_workdays(today, -back)
        findings = [
            {
                "item": code,
                "compliant": code not in problems,
                "finding": "工作台账未按日登记"
                if code == "ledgers"
                else "部分档案缺少办结单"
                if code == "archives"
                else "帮办代办区标识不醒目"
                if code in problems
                else "",
            }
            for code in ("area", "team", "conduct", "rules", "ledgers", "archives", "complaints")
        ]
        with clock.at(day, 10):
            inspection = services.inspection_record(
                inspector=supervisor,
                site=site,
                inspected_on=day,
                summary="按监督检查清单逐项检查",
                findings=findings,
            )
        first_problem = inspection.findings.filter(compliant=False).order_by("id").first()
        if first_problem is not None and back > 15:
            with clock.at(calendar.add_workdays(day, 3), 10):
                services.finding_rectified(
                    finding=first_problem, staff=supervisor, result="已整改到位"
                )
