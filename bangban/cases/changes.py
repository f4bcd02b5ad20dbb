"""Change counters: the versions that make cached lists of cases exact (issue 15).

A cached list of cases (the workbench home's queues) is keyed by the counters of the sites
it reads from. The write path bumps them in the transaction that makes the change, so a
list cached before a change is never read after it:

- ``case_transition`` and ``case_submit`` bump every site on the case's path (the sites
  whose staff see it, ``CaseSite``), the site it is at and the one it waits at, before and
  after the change (``bump_case``);
- saving an existing client bumps the sites of its cases (its name and 特殊群体 tag are
  shown in the lists);
- saving a site, a staff member, a department or an item bumps ``names`` (their names are
  shown in the lists).

``version_of`` reads the counters a viewer's lists depend on in one query.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.signals import post_save
from django.dispatch import receiver

from bangban.network.models import under_q

from .models import CaseSite, ChangeCounter

NAMES = "names"


def _site(site_id: int) -> str:
    return f"site:{site_id}"


def bump(
    site_ids: Iterable[int | None] = (), *, names: bool = False, named: Iterable[str] = ()
) -> None:
    """Add one to each of these sites' counters (and to ``names``, and to the counters
    ``named``: another area's tables, e.g. the figures' ``consultations``), creating them
    at 1.

    One statement; rows in a fixed order, so two transactions bumping the same sites wait
    for each other rather than deadlock.
    """
    rows = [(_site(pk), pk) for pk in {pk for pk in site_ids if pk}]
    if names:
        rows.append((NAMES, None))
    rows += [(name, None) for name in set(named)]
    if not rows:
        return
    rows.sort()
    table = connection.ops.quote_name(ChangeCounter._meta.db_table)
    values = ", ".join(["(%s, %s, 1)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, site_id, count) VALUES {values} "
            f"ON CONFLICT (name) DO UPDATE SET count = {table}.count + 1",
            [value for row in rows for value in row],
        )


def bump_case(case, *also: int | None) -> None:
    """Bump every site that sees ``case`` now (its path, its site, the site it waits at)
    and the sites in ``also`` (those that saw it before the change)."""
    path = CaseSite.objects.filter(case_id=case.pk).values_list("site_id", flat=True)
    bump([*path, case.site_id, case.relay_to_site_id, *also])


def version_of(*, site_id: int | None = None, covered_paths: Iterable[str] = ()) -> tuple:
    """The version of everything seen through ``site_id`` and the sites under
    ``covered_paths``, with the names: (sum of their counters, number of counters).

    Counters only grow, so the sum changes whenever one of them is bumped; the number
    changes when a counter is created or removed.
    """
    rule = Q(name=NAMES)
    if site_id:
        rule |= Q(name=_site(site_id))
    paths = list(covered_paths)
    if paths:
        rule |= under_q(paths, "site")
    found = ChangeCounter.objects.filter(rule).aggregate(total=Sum("count"), rows=Count("name"))
    return (found["total"] or 0, found["rows"])


# --- what is saved outside the case write path ------------------------------------------


@receiver(post_save, sender="clients.Client")
def _client_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if created or raw:
        return  # a new client has no case yet
    bump(CaseSite.objects.filter(case__client_id=instance.pk).values_list("site_id", flat=True))


@receiver(post_save, sender="network.Site")
@receiver(post_save, sender="network.Department")
@receiver(post_save, sender="staff.StaffMember")
@receiver(post_save, sender="catalogue.ServiceItem")
def _name_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        bump(names=True)
