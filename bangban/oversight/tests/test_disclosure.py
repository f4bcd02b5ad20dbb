from datetime import date

from bangban.cases.access import Actor
from bangban.oversight.figures.disclosure import (
    disclosure_by_site,
    disclosure_rate,
    site_disclosures,
)
from bangban.oversight.figures.metrics import Period, Rate, Scope


def _scope(world, site=None):
    return Scope(
        actor=Actor.of_staff(world.supervisor),
        period=Period(date(2026, 11, 1), date(2026, 11, 30)),
        site=site or world.county,
    )


def test_disclosure_counts_site_items_with_a_complete_guide_and_five_public(world):
    # the test catalogue's guides have no legal basis yet: nothing is fully disclosed
    assert disclosure_rate(_scope(world)).met == 0
    from bangban.catalogue.models import ItemVersion

    ItemVersion.objects.filter(status="published").update(
        legal_basis="《食品安全法》", conditions="依法登记", process="申请-受理-决定"
    )
    for site in (world.village_a,):
        site.address, site.phone = "东街1号", "0571-88880001"
        site.save()
    rows = {row.site.pk: row for row in site_disclosures(_scope(world))}
    assert rows[world.village_a.pk].five_public
    assert rows[world.village_a.pk].rate == Rate(3, 3)
    # village B has an agent but no address or phone
    assert rows[world.village_b.pk].rate == Rate(0, 3)
    # the town centre and town 2 have no agent at all
    assert not rows[world.town2.pk].five_public
    by_unit = disclosure_by_site(_scope(world), [world.town, world.town2])
    assert by_unit[world.town.pk] == Rate(3, 9)
    assert disclosure_rate(_scope(world, world.village_a)) == Rate(3, 3)
