"""The cache keys of the workbench's cached panels of cases (issue 15): exact by versions.

A panel of cases (the home's queues, the ledger's page) is cached under a key that holds
every version of what it shows, so a change makes a new key and the old entry is never
read again; ``CACHE_SECONDS`` only bounds how long unread entries stay.
"""

from __future__ import annotations

import hashlib
from datetime import date

from bangban.cases.changes import version_of
from bangban.cases.surge import may_be_lent

CACHE_SECONDS = 3600  # a bound only: the key's versions make the cached panels exact
# roles whose visible cases are the cases of sites (their own, covered or overseen); a
# liaison's are the items filed with its department, at any site: not cached
CACHED_ROLES = frozenset({"agent", "coordinator", "supervisor", "administrator"})


def cache_key(page: str, staff, today: date, calendar, *extra) -> str | None:
    """The key of this viewer's cached panels of ``page``, or None when not cached.

    Covers: every case the panels may list (``visible_cases`` of an agent is its site's
    path rows, of a coordinator the sites under its covered paths, of a supervisor or an
    administrator the sites under its own: the change counters of exactly those sites,
    bumped by ``case_transition``, ``case_submit`` and client saves in their transaction,
    ``cases.changes``), the expedites and relays on them (written by ``case_transition``),
    the names of sites, staff, departments and items shown (the ``names`` counter), the
    viewer (who, roles, site, covered sites: one viewer's panels are never another's),
    the day (time left, overdue marks), the calendar (working days left) and ``extra``
    (the page's filters).
    """
    roles = tuple(staff.roles)
    if not roles or not set(roles) <= CACHED_ROLES or not staff.is_active:
        return None
    if may_be_lent(staff, today):  # lent to a site in surge: its cases are not versioned here
        return None
    paths = sorted(staff.jurisdiction_paths())
    version = version_of(site_id=staff.site_id if staff.is_agent else None, covered_paths=paths)
    identity = (staff.pk, roles, staff.site_id, tuple(paths))
    content = repr((identity, today.isoformat(), calendar.content_key(), version, extra))
    return f"workbench:{page}:" + hashlib.sha256(content.encode()).hexdigest()
