import pytest
from django.core.exceptions import ValidationError

from bangban.network.models import Site, SiteLevel, under_q

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


def test_sites_under_some_paths_are_those_sites_and_everything_below_them():
    county = Site.objects.create(name="县", code="C", level=SiteLevel.COUNTY)
    town = Site.objects.create(name="镇", code="T", level=SiteLevel.TOWN, parent=county)
    village = Site.objects.create(name="村", code="V", level=SiteLevel.VILLAGE, parent=town)
    town2 = Site.objects.create(name="镇二", code="T2", level=SiteLevel.TOWN, parent=county)
    village2 = Site.objects.create(name="村二", code="V2", level=SiteLevel.VILLAGE, parent=town2)
    assert set(Site.objects.under([town.path])) == {town, village}
    assert set(Site.objects.under(town.path)) == {town, village}
    assert set(Site.objects.under([village.path, town2.path])) == {village, town2, village2}
    assert set(Site.objects.under([county.path])) == {county, town, village, town2, village2}
    assert list(Site.objects.under([])) == []
    # the same rule through a relation: rows whose site is under the paths
    assert set(Site.objects.filter(under_q([town.path], "parent"))) == {village}
    assert set(town.subtree()) == set(Site.objects.under(town.path))


def test_a_path_prefix_is_a_whole_site_not_a_number_prefix():
    county = Site.objects.create(name="县", code="C", level=SiteLevel.COUNTY)
    one = Site.objects.create(name="镇一", code="T1", level=SiteLevel.TOWN, parent=county)
    twelve = Site.objects.create(name="镇十二", code="T12", level=SiteLevel.TOWN, parent=county)
    # paths end with a slash, so site 1 is not a prefix of site 12
    Site.objects.filter(pk=county.pk).update(path="9/")
    Site.objects.filter(pk=one.pk).update(path="9/1/")
    Site.objects.filter(pk=twelve.pk).update(path="9/12/")
    assert set(Site.objects.under("9/1/")) == {one}
    assert set(Site.objects.under("9/")) == {county, one, twelve}


def test_a_site_knows_the_paths_above_it():
    county = Site.objects.create(name="县", code="C", level=SiteLevel.COUNTY)
    town = Site.objects.create(name="镇", code="T", level=SiteLevel.TOWN, parent=county)
    village = Site.objects.create(name="村", code="V", level=SiteLevel.VILLAGE, parent=town)
    assert village.lineage_paths() == [county.path, town.path, village.path]
    assert county.lineage_paths() == [county.path]
