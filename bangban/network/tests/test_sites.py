import pytest
from django.core.exceptions import ValidationError

from bangban.network.models import Site, SiteLevel

pytestmark = pytest.mark.django_db


def test_the_network_of_seed_002_is_representable():
    # seed 002: one district centre, 11 town centres, 66 village stations
    county = Site.objects.create(name="新华区政务服务中心", code="X", level=SiteLevel.COUNTY)
    for t in range(11):
        town = Site.objects.create(name=f"镇{t}", code=f"X{t}", level=SiteLevel.TOWN, parent=county)
        for v in range(6):
            Site.objects.create(
                name=f"村{t}-{v}", code=f"X{t}-{v}", level=SiteLevel.VILLAGE, parent=town
            )
    assert county.subtree().count() == 1 + 11 + 66
    assert Site.objects.filter(level=SiteLevel.VILLAGE).count() == 66


def test_a_site_knows_its_subtree_and_county():
    county = Site.objects.create(name="县", code="C", level=SiteLevel.COUNTY)
    town = Site.objects.create(name="镇", code="T", level=SiteLevel.TOWN, parent=county)
    village = Site.objects.create(name="村", code="V", level=SiteLevel.VILLAGE, parent=town)
    other = Site.objects.create(name="镇二", code="T2", level=SiteLevel.TOWN, parent=county)
    assert set(town.subtree()) == {town, village}
    assert village.county == county
    assert other not in town.subtree()


def test_a_village_station_must_sit_under_a_town_centre():
    county = Site.objects.create(name="县", code="C", level=SiteLevel.COUNTY)
    village = Site(name="村", code="V", level=SiteLevel.VILLAGE, parent=county)
    with pytest.raises(ValidationError, match="便民服务中心"):
        village.full_clean()
