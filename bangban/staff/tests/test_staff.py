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
