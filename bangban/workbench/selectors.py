"""Reads for the workbench: each role's home, time left on a case, agents' loads.

Every list of cases starts from ``visible_cases`` (the one access rule), so a home page
shows a person nothing they could not open; every list is capped, and each is one query
with its related rows joined, so a home costs the same few queries with ten cases or ten
thousand. Time left comes from ``cases.selectors.deadline_status``; nothing here counts
working days itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q, QuerySet

from bangban.cases.access import Actor, agent_sites_q, visible_cases
from bangban.cases.models import AT_DEPARTMENT_STATUSES, Case, CaseItem, CaseRelay, Expedite
from bangban.cases.selectors import CaseListFilters, case_list, deadline_status
from bangban.cases.workflow import CLOCK_RUNNING_STATES, OPEN, State
from bangban.consultations.selectors import replies_due
from bangban.network.models import Site, under_q
from bangban.staff.models import StaffMember
from bangban.workdays.rules import WorkCalendar

HOME_LIMIT = 30  # rows per home list; the ledger has the rest
NEAR_SCAN = 120  # running cases read, soonest due first, to find the near and past due

# status → (mark colour, words); the words are always shown, colour is never the only signal
MARKS = {
    "overdue": ("red", "已超期"),
    "warning": ("amber", "即将到期"),
    "ok": ("green", "正常"),
    "paused": ("grey", "暂停计时"),
    "none": ("none", "未计时"),
}
RANK = {"overdue": 0, "warning": 1, "ok": 2, "paused": 3, "none": 4}


@dataclass(frozen=True)
class TimeLeft:
    status: str
    days: int | None

    @property
    def mark(self) -> str:
        return MARKS[self.status][0]

    @property
    def word(self) -> str:
        return MARKS[self.status][1]

    @property
    def text(self) -> str:
        """The time left in words, e.g. 剩 3 个工作日, 今日到期, 超期 2 个工作日."""
        if self.status == "overdue":
            return f"超期 {-self.days} 个工作日" if self.days else "已过到期日"
        if self.status in {"ok", "warning"}:
            return "今日到期" if self.days == 0 else f"剩 {self.days} 个工作日"
        if self.status == "paused":
            return f"计时暂停，剩 {self.days} 个工作日"
        return ""

    @property
    def rank(self) -> tuple:
        return (RANK[self.status], self.days if self.days is not None else 10**6)


def time_left(case: Case, today: date, calendar: WorkCalendar) -> TimeLeft:
    return TimeLeft(*deadline_status(case, today, calendar))


@dataclass(frozen=True)
class Row:
    """A case in a list, with its time left worked out once."""

    case: Case
    left: TimeLeft


def rows(cases, today: date, calendar: WorkCalendar, *, by_time_left=False) -> list[Row]:
    found = [Row(case, time_left(case, today, calendar)) for case in cases]
    if by_time_left:
        found.sort(key=lambda row: row.left.rank)
    return found


# what a list of cases shows (``_case_rows.html``, the ledger) and what time left needs:
# the rest of a case's columns (needs, delivery, the hash chain…) are never read by a list
LISTED_COLUMNS = (
    "number",
    "title",
    "service_type",
    "channel",
    "state",
    "created_at",
    "accepted_on",
    "promised_days",
    "due_on",
    "paused_since",
    "supplement_due_on",
    "site__name",
    "agent__name",
    "relay_to_site__name",
    "client__name",
    "client__kind",
    "client__is_elderly",
    "client__is_disabled",
)


def listed_columns(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Cases with their site, agent, client and relay site joined, only the columns lists show."""
    return cases.select_related("site", "agent", "client", "relay_to_site").only(*LISTED_COLUMNS)


def _listed(cases: QuerySet[Case]) -> QuerySet[Case]:
    return listed_columns(cases)


# --- the agent's home ---------------------------------------------------------------


def my_cases(actor: Actor) -> QuerySet[Case]:
    """Open cases this agent handles, soonest due first (not yet accepted last)."""
    return _listed(visible_cases(actor).filter(agent=actor.staff, state__in=OPEN)).order_by(
        F("due_on").asc(nulls_last=True), "created_at", "id"
    )


def new_applications(actor: Actor) -> QuerySet[Case]:
    """Applications at this agent's site (and at the site it is lent to in a surge) that no
    agent has taken up yet (online ones mostly)."""
    return _listed(
        visible_cases(actor).filter(
            agent_sites_q(actor.staff), state=State.RECEIVED, agent__isnull=True
        )
    ).order_by("created_at", "id")


def relays_waiting(actor: Actor, sites=None) -> QuerySet[Case]:
    """Cases handed over to this agent's site (or to ``sites``) and not yet accepted."""
    cases = visible_cases(actor)
    if sites is None:
        cases = cases.filter(relay_to_site_id=actor.staff.site_id)
    else:
        cases = cases.filter(relay_to_site__isnull=False, relay_to_site__in=sites)
    return _listed(cases).order_by("created_at", "id")


def supplements_due(actor: Actor) -> QuerySet[Case]:
    """Cases at this agent's site (and at the site it is lent to in a surge) waiting for the
    client's supplement, soonest due first."""
    return _listed(
        visible_cases(actor).filter(agent_sites_q(actor.staff), state=State.AWAITING_SUPPLEMENT)
    ).order_by(F("supplement_due_on").asc(nulls_last=True), "id")


def home_visits(actor: Actor) -> QuerySet[Case]:
    """Open cases of this agent that came in as a home visit (上门服务)."""
    return my_cases(actor).filter(channel="home_visit")


def consultations_due(staff):
    return replies_due(staff=staff)


@dataclass(frozen=True)
class RelayedOut:
    """A case this site handed on (互动接力), where it is now and how it stands."""

    relay: CaseRelay
    left: TimeLeft

    @property
    def case(self) -> Case:
        return self.relay.case

    @property
    def is_open(self) -> bool:
        return self.case.state in OPEN


def relayed_out(actor: Actor, today: date, calendar: WorkCalendar) -> list[RelayedOut]:
    """Cases this agent's site relayed out, newest hand-over first, one row a case.

    The relaying site stays on the case's path, so its agents still see the case
    (``visible_cases``): the row tells where it is now (the site holding it, or the one it
    waits at) and its state, so a village agent follows what happens after relaying.
    """
    found = (
        CaseRelay.objects.filter(
            from_site_id=actor.staff.site_id, case__in=visible_cases(actor).values("pk")
        )
        .select_related(
            "to_site", "case__site", "case__agent", "case__client", "case__relay_to_site"
        )
        .only(
            "case_id",
            "status",
            "sent_at",
            "to_site__name",
            *(f"case__{name}" for name in LISTED_COLUMNS),
        )
        .order_by("-sent_at", "-id")[: HOME_LIMIT * 2]
    )
    seen: set[int] = set()
    rows_out = []
    for relay in found:
        if relay.case_id in seen:
            continue
        seen.add(relay.case_id)
        rows_out.append(RelayedOut(relay, time_left(relay.case, today, calendar)))
    rows_out.sort(key=lambda row: (not row.is_open, row.left.rank))
    return rows_out[:HOME_LIMIT]


# --- the coordinator's home ------------------------------------------------------------


def covered_sites(staff) -> QuerySet[Site]:
    """Every site this coordinator covers (``StaffMember.covered_paths``)."""
    return Site.objects.under(staff.covered_paths())


def unassigned(actor: Actor) -> QuerySet[Case]:
    return _listed(visible_cases(actor).filter(agent__isnull=True, state__in=OPEN)).order_by(
        "created_at", "id"
    )


def near_or_past_due(actor: Actor, today: date, calendar: WorkCalendar) -> list[Row]:
    """Running cases that are overdue or close to due, most urgent first.

    Reads the ``NEAR_SCAN`` soonest due running cases in one query and keeps those
    ``deadline_status`` marks as overdue or warning.
    """
    running = _listed(
        visible_cases(actor).filter(state__in=CLOCK_RUNNING_STATES, due_on__isnull=False)
    ).order_by("due_on", "id")[:NEAR_SCAN]
    urgent = [row for row in rows(running, today, calendar) if row.left.status != "ok"]
    urgent.sort(key=lambda row: row.left.rank)
    return urgent[:HOME_LIMIT]


def open_expedites(actor: Actor, department=None) -> QuerySet[Expedite]:
    """促办 not yet answered on cases this person may see (for ``department`` if given)."""
    found = Expedite.objects.filter(
        replied_at__isnull=True, case__in=visible_cases(actor).values("pk")
    )
    if department is not None:
        found = found.filter(department=department)
    return found.select_related(
        "case", "case_item__item_version__item", "department", "sent_by"
    ).order_by("sent_at", "id")


# --- the liaison's home ------------------------------------------------------------------


def department_items(actor: Actor) -> QuerySet[CaseItem]:
    """Items filed with this liaison's department and not yet decided, oldest filed first."""
    return (
        CaseItem.objects.filter(
            department_id=actor.staff.department_id,
            status__in=AT_DEPARTMENT_STATUSES,
            case__in=visible_cases(actor).values("pk"),
        )
        .select_related("case__site", "case__agent", "item_version__item")
        .order_by("filed_on", "id")
    )


@dataclass(frozen=True)
class ItemAge:
    """An item filed with a department: working days since filing and the day it is due
    (the item's promised limit, counted in working days from the filing day)."""

    item: CaseItem
    age: int
    due_on: date
    overdue: bool
    due_today: bool


def aged_items(items, today: date, calendar: WorkCalendar) -> list[ItemAge]:
    found = []
    for item in items:
        filed = item.filed_on or today
        days = 0 if item.item_version.is_immediate else item.item_version.promised_limit_days
        due_on = calendar.add_workdays(filed, days)
        found.append(
            ItemAge(
                item=item,
                age=calendar.workdays_between(filed, today) if today > filed else 0,
                due_on=due_on,
                overdue=today > due_on,
                due_today=today == due_on,
            )
        )
    return found


# --- the supervisor's and the administrator's home ---------------------------------------


def overdue_case_count(actor: Actor) -> int:
    """Cases this person may see whose running clock is past due (as the ledger's filter)."""
    return case_list(actor, CaseListFilters(overdue=True)).count()


def untrained_staff(staff) -> QuerySet[StaffMember]:
    """Active staff under this administrator's site with no pre-service training passed
    (岗前培训考试): ``training_passed_on`` empty."""
    return (
        StaffMember.objects.filter(is_active=True, training_passed_on__isnull=True)
        .filter(under_q(staff.jurisdiction_paths(), "site"))
        .select_related("site")
        .order_by("site__path", "name")
    )


# --- people ---------------------------------------------------------------------------


def agents_with_load(site) -> QuerySet[StaffMember]:
    """Active agents of ``site``, each with ``open_cases``: how many open cases they hold."""
    return (
        StaffMember.objects.filter(site=site, is_agent=True, is_active=True)
        .annotate(open_cases=Count("cases", filter=Q(cases__state__in=OPEN)))
        .order_by("open_cases", "name")
    )


def relay_targets(site) -> list[Site]:
    """Active sites a case may be handed to: the site above first, then the rest by level."""
    sites = list(Site.objects.filter(is_active=True).exclude(pk=site.pk).order_by("path"))
    sites.sort(key=lambda s: (s.pk != site.parent_id, s.path))
    return sites


def ledger_sites(staff) -> QuerySet[Site]:
    """The sites whose cases a staff member's ledger can be narrowed to: its jurisdiction
    (``StaffMember.jurisdiction_paths``) and, for an agent, its own site."""
    paths = staff.jurisdiction_paths()
    if staff.is_agent:
        return Site.objects.filter(Q(pk=staff.site_id) | under_q(paths)).order_by("path")
    return Site.objects.under(paths).order_by("path")
