"""Who may see and do what with a case, and so with a client: the one place that decides.

``visible_cases`` and ``get_case_for`` are the only ways to load cases for a person;
``case_roles`` says which roles of the state table a person holds on one case. Every
page, API call, export and download goes through them; a case a person may not see
answers 404, never its data.

A client is personal data, not a free-standing record: ``visible_clients`` and
``get_client_for`` are the only ways to load a client for a person. Staff may name, read
or correct a client only through a case they may see, or while the client they registered
at a site where they open cases has no case yet. A client id in a request body is loaded
through ``get_client_for`` exactly like one in a URL. (The rule lives here, in the core,
because it is the case rule; ``bangban.clients`` stays below it and pages and the API
above it.)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404

from bangban.clients.models import Client
from bangban.inputs import id_or_none
from bangban.network.models import SiteLevel, under_q

from . import clock, surge
from .models import Case, CaseItem, CaseSite, ItemStatus


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff member, a client (portal), the system (scheduled jobs) or a
    partner's system (``bangban.partners``: it has ``name`` and ``covered_paths()``)."""

    kind: str
    staff: object | None = None
    client: object | None = None
    partner: object | None = None
    # a site-tied API token (``apiauth``): only cases and clients of this site and below,
    # whatever more the staff member covers; applied here, in the access functions
    only_site: object | None = None

    @property
    def name(self) -> str:
        if self.kind == "staff":
            return self.staff.name
        if self.kind == "client":
            return self.client.name
        if self.kind == "partner":
            return self.partner.name
        return "系统"

    @classmethod
    def of_staff(cls, staff) -> Actor:
        return cls("staff", staff=staff)

    @classmethod
    def of_client(cls, client) -> Actor:
        return cls("client", client=client)

    @classmethod
    def of_partner(cls, partner) -> Actor:
        return cls("partner", partner=partner)


SYSTEM = Actor("system")


def actor_for_user(user) -> Actor | None:
    """The on-duty staff member signed in as ``user``, or None.

    Every page reads the member's site: the member is loaded with it in one query and kept
    on the user, so asking again in the same request costs nothing.
    """
    from bangban.staff.models import StaffMember

    if not user.is_authenticated:
        return None
    if not StaffMember.user.field.remote_field.is_cached(user):  # user.staff not read yet
        found = StaffMember.objects.select_related("site").filter(user_id=user.pk).first()
        if found is None:
            return None
        user.staff = found
    staff = getattr(user, "staff", None)
    return Actor.of_staff(staff) if staff is not None and staff.is_active else None


def _filed_with(department_id):
    """Items handed to a department: a liaison sees a case once one of them is filed."""
    return CaseItem.objects.filter(department_id=department_id).exclude(status=ItemStatus.PENDING)


def can_open_case_at(actor: Actor, site) -> bool:
    """Clients apply at any site; staff open cases for their own site (or the site they are
    lent to, ``works_at``) or sites they cover."""
    if actor.kind in {"client", "system"}:
        return True
    if actor.kind == "partner":
        return False
    staff = actor.staff
    if not staff.is_active or not within_only_site(actor, site):
        return False
    return works_at(staff, site.pk) or staff.covers(site)


def sees_every_case_at(staff, site, subtree: bool) -> bool:
    """Whether ``visible_cases`` holds every case now at ``site`` (and, with ``subtree``, at
    every site below it), so counting "the cases of this site" needs no per-person filter.

    The oversight roll-up counts by site; it may answer only for such a person. Must agree
    with ``visible_cases`` (tested against it).
    """
    if not staff.is_active:
        return False
    if (staff.is_supervisor or staff.is_administrator) and site.path.startswith(staff.site.path):
        return True
    if staff.covers(site):
        return True
    # an agent sees its site's cases (the case's site is always on its path); not the sites below
    below = subtree and site.level != SiteLevel.VILLAGE
    return staff.is_agent and site.pk == staff.site_id and not below


NEWEST_FIRST = "-newest"  # every visible_cases queryset has ``newest``; lists order by it


def within_only_site(actor: Actor, site) -> bool:
    """Whether ``site`` is inside the actor's ``only_site`` (always, when there is none)."""
    return actor.only_site is None or site.path.startswith(actor.only_site.path)


def narrowed_to_only_site(actor: Actor | None, rows: QuerySet, field: str = "site") -> QuerySet:
    """``rows`` whose site (``field``, a lookup to a Site) is inside the actor's ``only_site``
    (a site-tied API token), all of them when there is none: the one home of that rule, for
    cases here and for the other areas' records (``bangban.api``)."""
    if actor is None or actor.only_site is None:
        return rows
    return rows.filter(under_q(actor.only_site.path, field))


def visible_cases(actor: Actor | None) -> QuerySet[Case]:
    """Every case this person may see (of its ``only_site``, when tied to one)."""
    return narrowed_to_only_site(actor, _visible_cases(actor))


def _visible_cases(actor: Actor | None) -> QuerySet[Case]:
    """Every case this person may see; an empty queryset for anyone else.

    Each queryset carries ``newest`` (the case id) for lists to order and page by
    (``order_by(NEWEST_FIRST)``, ``newest__lt=<last seen>``). For an agent it is read from
    the (site, case) index of the case's path sites, so "my site's cases, newest first" is
    one ordered range scan whatever the number of cases: SQLite would otherwise sort every
    case of the site to find the newest fifty.
    """
    cases = Case.objects.all()
    if actor is None:
        return cases.none().annotate(newest=F("pk"))
    if actor.kind == "system":
        return cases.annotate(newest=F("pk"))
    if actor.kind == "client":
        return cases.filter(client=actor.client).annotate(newest=F("pk"))
    if actor.kind == "partner":  # the cases at its sites and below
        return cases.filter(under_q(actor.partner.covered_paths(), "site")).annotate(newest=F("pk"))
    staff = actor.staff
    if not staff.is_active:
        return cases.none().annotate(newest=F("pk"))
    # surge mode: a temporary assignment in force today grants the site's cases (cases.surge);
    # looked for only for someone ever lent, so nobody else's plans change
    today = clock.today()
    lent = surge.lent_site_ids(staff, today) if surge.may_be_lent(staff, today) else None
    if staff.roles == ["agent"]:
        own = Q(path_sites__site_id=staff.site_id)
        if lent is not None:
            own |= Q(path_sites__site_id__in=lent)
        return cases.filter(own).annotate(newest=F("path_sites__case_id"))
    rules = []
    if lent is not None:
        rules.append(Q(pk__in=CaseSite.objects.filter(site_id__in=lent).values("case_id")))
    if staff.is_agent:
        rules.append(Q(pk__in=CaseSite.objects.filter(site_id=staff.site_id).values("case_id")))
    if staff.is_coordinator:
        paths = staff.covered_paths()
        rules.append(under_q(paths, "site") | under_q(paths, "relay_to_site"))
    if staff.is_supervisor or staff.is_administrator:
        rules.append(under_q(staff.site.path, "site"))
    if staff.is_liaison and staff.department_id:
        rules.append(Q(pk__in=_filed_with(staff.department_id).values("case_id")))
    if not rules:
        return cases.none().annotate(newest=F("pk"))
    return cases.filter(reduce(or_, rules)).annotate(newest=F("pk"))


def get_case_for(
    actor: Actor | None, number: str, *, queryset: QuerySet[Case] | None = None
) -> Case:
    """The case with this number if this person may see it; 404 otherwise."""
    qs = visible_cases(actor) if queryset is None else queryset & visible_cases(actor)
    try:
        return qs.select_related("site", "client", "agent", "relay_to_site").get(number=number)
    except Case.DoesNotExist:
        raise Http404("办件不存在") from None


def case_roles(actor: Actor, case: Case) -> frozenset[str]:
    """The state-table roles this person holds on this case right now."""
    if actor.kind == "system":
        return frozenset({"system"})
    if actor.kind == "client":
        return frozenset({"client"}) if case.client_id == actor.client.pk else frozenset()
    if actor.kind == "partner":
        paths = actor.partner.covered_paths()
        return (
            frozenset({"partner"})
            if any(case.site.path.startswith(p) for p in paths)
            else frozenset()
        )
    staff = actor.staff
    if not staff.is_active:
        return frozenset()
    roles = set()
    if works_at(staff, case.site_id):
        roles.add("agent")
    if staff.is_agent and case.relay_to_site_id == staff.site_id:
        roles.add("receiver")
    if staff.covers(case.site):
        roles.add("coordinator")
    if staff.is_liaison and _filed_with(staff.department_id).filter(case=case).exists():
        roles.add("liaison")
    if staff.is_supervisor:
        roles.add("supervisor")
    return frozenset(roles)


def works_at(staff, site_id) -> bool:
    """Whether ``staff`` is an agent of ``site_id`` today: its own site, or a site it is lent
    to (surge mode, ``cases.surge``) for the days of its assignment, not after. The one home
    of "agent here" for the case roles, opening a case and a new case's agent. One query,
    only for someone ever lent (``surge.may_be_lent``)."""
    if not staff.is_agent:
        return False
    if staff.site_id == site_id:
        return True
    today = clock.today()
    if not surge.may_be_lent(staff, today):
        return False
    return surge.lent_site_ids(staff, today).filter(surge__site_id=site_id).exists()


def agent_sites_q(staff, field: str = "site_id") -> Q:
    """The sites whose queues this agent works today, as a filter on ``field``: its own
    site and, during a surge assignment in force today, the site it is lent to. The one
    home of "my site" for an agent's lists (``workbench.selectors``)."""
    rule = Q(**{field: staff.site_id})
    today = clock.today()
    if staff.is_agent and surge.may_be_lent(staff, today):
        rule |= Q(**{f"{field}__in": surge.lent_site_ids(staff, today)})
    return rule


# --- clients ------------------------------------------------------------------------------

CLIENT_NOT_FOUND = "服务对象不存在"


def visible_clients(actor: Actor | None) -> QuerySet[Client]:
    """Every client this person may name, read or correct; empty for anyone else.

    Staff: the clients of the cases they may see (``visible_cases``), and, while it has no
    case yet, a client registered at a site where they may open cases (the desk that just
    registered the person opens the first case next). A client sees only itself.
    """
    clients = Client.objects.all()
    if actor is None:
        return clients.none()
    if actor.kind == "system":
        return clients
    if actor.kind == "client":
        return clients.filter(pk=actor.client.pk)
    if actor.kind == "partner":  # a partner's system names no client
        return clients.none()
    staff = actor.staff
    if not staff.is_active:
        return clients.none()
    rule = Q(pk__in=visible_cases(actor).values("client_id"))
    registered = []
    if staff.is_agent:
        registered.append(Q(registered_site_id=staff.site_id))
    if staff.is_coordinator:
        registered.append(under_q(staff.covered_paths(), "registered_site"))
    if registered:
        no_case = ~Exists(Case.objects.filter(client_id=OuterRef("pk")))
        where = reduce(or_, registered)
        if actor.only_site is not None:
            where &= under_q(actor.only_site.path, "registered_site")
        rule |= where & no_case
    return clients.filter(rule)


def get_client_for(actor: Actor | None, client_id) -> Client:
    """The client with this id if this person may see it; 404 otherwise (as for a case).

    Used for ids in URLs and in request bodies alike: an id is not a licence to read.
    """
    pk = id_or_none(client_id)  # None also past any table: SQLite cannot even compare it
    client = visible_clients(actor).filter(pk=pk).first() if pk is not None else None
    if client is None:
        raise Http404(CLIENT_NOT_FOUND)
    return client


def may_see_client(actor: Actor | None, client: Client) -> bool:
    return visible_clients(actor).filter(pk=client.pk).exists()


def may_register_at(actor: Actor, site) -> bool:
    """Who may register (or match by ID number) a client at ``site``: whoever opens cases there."""
    return actor.kind == "staff" and can_open_case_at(actor, site)
