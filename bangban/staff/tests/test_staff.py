import pytest
from django.contrib.auth import get_user_model

from bangban.network.models import Site, SiteLevel
from bangban.staff.models import StaffMember
from bangban.staff.selectors import sites_short_of_agents

pytestmark = pytest.mark.django_db


def _agent(site, username, **fields):
    user = get_user_model().objects.create_user(username=username)
    return StaffMember.objects.create(user=user, name=username, site=site, is_agent=True, **fields)


def test_staff_are_deactivated_never_deleted():
    site = Site.objects.create(name="县", code="C", level=SiteLevel.COUNTY)
    agent = _agent(site, "a1")
    with pytest.raises(PermissionError, match="离岗"):
        agent.delete()
    assert StaffMember.objects.filter(pk=agent.pk).exists()


def test_a_site_with_fewer_than_two_active_agents_is_flagged():
    # seed 002 二(一)：帮办代办员应不少于两人
    county = Site.objects.create(name="县", code="C", level=SiteLevel.COUNTY)
    town = Site.objects.create(name="镇", code="T", level=SiteLevel.TOWN, parent=county)
    _agent(county, "c1")
    _agent(county, "c2")
    _agent(town, "t1")
    _agent(town, "t2", is_active=False)
    short = {site.code: site.active_agents for site in sites_short_of_agents()}
    assert short == {"T": 1}


def test_roles_are_listed_in_chinese():
    site = Site.objects.create(name="县", code="C", level=SiteLevel.COUNTY)
    staff = _agent(site, "x", is_coordinator=True)
    assert staff.roles == ["agent", "coordinator"]
    assert staff.role_labels == "帮办代办员、协调员"


# --- which sites a staff member covers: the one rule ---------------------------------------


def _network():
    county = Site.objects.create(name="县", code="C", level=SiteLevel.COUNTY)
    town = Site.objects.create(name="镇", code="T", level=SiteLevel.TOWN, parent=county)
    village = Site.objects.create(name="村", code="V", level=SiteLevel.VILLAGE, parent=town)
    town2 = Site.objects.create(name="镇二", code="T2", level=SiteLevel.TOWN, parent=county)
    village2 = Site.objects.create(name="村二", code="V2", level=SiteLevel.VILLAGE, parent=town2)
    return county, town, village, town2, village2


def _member(site, username, **roles):
    user = get_user_model().objects.create_user(username=username)
    return StaffMember.objects.create(user=user, name=username, site=site, **roles)


def test_a_coordinator_covers_its_covered_sites_and_everything_below_them():
    county, town, village, town2, village2 = _network()
    coordinator = _member(county, "co", is_coordinator=True)
    coordinator.covered_sites.add(town)
    assert coordinator.covered_roots() == [town]
    assert coordinator.covered_paths() == [town.path]
    assert set(Site.objects.under(coordinator.covered_paths())) == {town, village}
    assert coordinator.covers(town) and coordinator.covers(village)
    assert not coordinator.covers(county) and not coordinator.covers(village2)
    assert set(StaffMember.objects.covering(village)) == {coordinator}
    assert list(StaffMember.objects.covering(village2)) == []
    assert list(StaffMember.objects.covering(county)) == []


def test_a_coordinator_with_no_covered_sites_covers_its_own_site_and_below():
    county, town, village, town2, village2 = _network()
    coordinator = _member(town2, "co", is_coordinator=True)
    assert coordinator.covered_roots() == [town2]
    assert set(Site.objects.under(coordinator.covered_paths())) == {town2, village2}
    assert coordinator.covers(village2) and not coordinator.covers(village)
    assert set(StaffMember.objects.covering(village2)) == {coordinator}
    assert list(StaffMember.objects.covering(village)) == []


def test_coordinators_covering_a_site_are_each_listed_once():
    county, town, village, town2, village2 = _network()
    wide = _member(county, "wide", is_coordinator=True)
    wide.covered_sites.add(county, town)  # covers the village twice over
    narrow = _member(town, "narrow", is_coordinator=True)
    narrow.covered_sites.add(village)
    agent = _member(village, "agent", is_agent=True)
    agent.covered_sites.add(village)  # not a coordinator: covers nothing
    assert sorted(s.name for s in StaffMember.objects.covering(village)) == ["narrow", "wide"]
    # the reverse query and covers() agree for every site and person
    for site in Site.objects.all():
        expected = {p for p in StaffMember.objects.all() if p.covers(site)}
        assert set(StaffMember.objects.covering(site)) == expected


def test_only_coordinators_cover_sites():
    county, town, village, *_ = _network()
    agent = _member(village, "agent", is_agent=True)
    supervisor = _member(county, "sup", is_supervisor=True)
    liaison = _member(county, "liaison", is_liaison=True)
    for person in (agent, supervisor, liaison):
        assert person.covered_roots() == [] and person.covered_paths() == []
        assert not person.covers(village)
        assert list(Site.objects.under(person.covered_paths())) == []


def test_jurisdiction_is_own_subtree_for_supervisors_plus_what_a_coordinator_covers():
    county, town, village, town2, village2 = _network()
    supervisor = _member(town2, "sup", is_supervisor=True)
    administrator = _member(county, "admin", is_administrator=True)
    both = _member(town2, "both", is_supervisor=True, is_coordinator=True)
    both.covered_sites.add(town)
    agent = _member(village, "agent", is_agent=True)
    assert supervisor.jurisdiction_paths() == [town2.path]
    assert administrator.jurisdiction_paths() == [county.path]
    assert both.jurisdiction_paths() == [town2.path, town.path]
    assert set(Site.objects.under(both.jurisdiction_paths())) == {town, village, town2, village2}
    # an agent's own site is its own exactly, not a subtree: not in its jurisdiction
    assert agent.jurisdiction_paths() == []
