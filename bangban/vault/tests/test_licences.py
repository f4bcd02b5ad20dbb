"""Issue 18, electronic licences (level A): recorded by type, number and issuer, checked
against the licence lookup the settings name; no file is needed."""

from datetime import date

import pytest

from bangban.cases.tests.helpers import act, open_case
from bangban.vault import services
from bangban.vault.licences import DemoLicenceLookup, Licence, licence_lookup
from bangban.vault.models import TrustLevel

from . import doubles

pytestmark = pytest.mark.django_db
KEY = ("营业执照", "92330100MA2TEST01X", "示范县市场监督管理局")


@pytest.fixture
def lookup(settings):
    settings.VAULT_LICENCE_LOOKUP = "bangban.vault.tests.doubles.FakeLicenceLookup"
    doubles.LICENCES.clear()
    doubles.ASKED.clear()
    yield doubles.LICENCES
    doubles.LICENCES.clear()


def record(world, kinds, number=KEY[1]):
    return services.licence_record(
        client=world.citizen,
        kind=kinds.licence,
        licence_type=KEY[0],
        number=number,
        issuer=KEY[2],
        staff=world.agent_a,
    )


def test_the_settings_name_the_lookup_and_the_demo_table_is_the_default(settings):
    assert isinstance(licence_lookup(), DemoLicenceLookup)
    found = DemoLicenceLookup().find(
        licence_type="营业执照", number="92330100MA2DEMO01X", issuer="示范县市场监督管理局"
    )
    assert found is not None and found.holder == "张三"


def test_a_licence_found_in_the_lookup_is_kept_at_level_a_without_a_file(
    world, kinds, lookup, vault_items
):
    lookup[KEY] = Licence(*KEY, holder="张三", valid_until=date(2099, 12, 31))
    services.consent_give(client=world.citizen)
    kept = record(world, kinds)
    assert doubles.ASKED == [KEY]
    assert kept.level == TrustLevel.A and not kept.has_file
    assert kept.licence_number_masked != KEY[1] and KEY[1] not in kept.licence_number_cipher
    assert kept.valid_until == date(2099, 12, 31)
    case = open_case(world, items=[vault_items.second])
    offers = {o.material.name: o.best.level for o in services.offers_for(case)}
    assert offers == {"营业执照": TrustLevel.A}
    act(case, world.agent_a, "start_review")
    row = case.materials.get(name="营业执照")
    act(
        case,
        world.agent_a,
        "pre_review",
        checks=[{"material_id": row.pk, "status": "received", "vault_material_id": kept.pk}],
    )


@pytest.mark.parametrize(
    ("licence", "message"),
    [
        (None, "电子证照库中未查到该证照"),
        (Licence(*KEY, holder="张三", revoked=True), "已被注销或吊销"),
        (Licence(*KEY, holder="张三", valid_until=date(2000, 1, 1)), "过期"),
        (Licence(*KEY, holder="王五"), "持证人与服务对象不一致"),
    ],
)
def test_a_licence_the_lookup_does_not_confirm_is_refused(world, kinds, lookup, licence, message):
    if licence is not None:
        lookup[KEY] = licence
    services.consent_give(client=world.citizen)
    with pytest.raises(services.VaultRefused, match=message):
        record(world, kinds)


def test_a_licence_needs_the_clients_consent(world, kinds, lookup):
    lookup[KEY] = Licence(*KEY, holder="张三")
    with pytest.raises(services.VaultRefused, match="尚未同意"):
        record(world, kinds)
