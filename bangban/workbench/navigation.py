"""Which areas each role may use, for the workbench's navigation (the one rule).

  area        who                                             why
  home        every staff member on duty                      each role's work (views/home.py)
  desk        agents and coordinators                         they register clients and open
                                                              cases (``cases.access.can_open_case_at``)
  visits      agents and coordinators                         appointments and home visits
                                                              (``views/visits.py``)
  ledger      every staff member on duty                      the cases ``visible_cases`` gives
  log         agents, coordinators and liaisons               those who act on cases
  notices     every staff member on duty                      their own notices
  oversight   every staff member on duty                      ``oversight.access``: an agent its
                                                              rectifications and complaints, a
                                                              supervisor everything below its site
  remote      agents of a town or county centre, and          those who answer remote help
              coordinators                                    (``remote.services.may_answer``:
                                                              the queue at /work/remote/queue/)
  preparedness coordinators                                   emergency plans and surges
                                                              (``preparedness.views``)
  admin       accounts that may use the admin site            ``may_use_admin``

A supervisor and an administrator do not handle cases: they have no 前台登记 and no 工作日志.
"""

from __future__ import annotations

from bangban.staff.selectors import may_use_admin

AREAS = (
    "home",
    "desk",
    "visits",
    "ledger",
    "log",
    "notices",
    "oversight",
    "remote",
    "preparedness",
    "admin",
)
ANSWERING_LEVELS = ("town", "county")  # a village station asks; the centres above answer


def areas(staff, user=None) -> frozenset[str]:
    """The areas this staff member (and its login ``user``) may use."""
    if staff is None or not staff.is_active:
        return frozenset()
    found = {"home", "ledger", "notices", "oversight"}
    if staff.is_agent or staff.is_coordinator:
        found |= {"desk", "visits"}
    if staff.is_agent or staff.is_coordinator or staff.is_liaison:
        found.add("log")
    if staff.is_coordinator or (staff.is_agent and staff.site.level in ANSWERING_LEVELS):
        found.add("remote")
    if staff.is_coordinator:
        found.add("preparedness")
    if may_use_admin(user):
        found.add("admin")
    return frozenset(found)
