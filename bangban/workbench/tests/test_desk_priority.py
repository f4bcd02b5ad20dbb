"""Priority from the ID number (issue 14, item 8): 老年人 suggested by the birth date, confirmed
by staff at the desk, flagged on the client."""

import pytest
from django.utils import timezone

from bangban.cases.models import Case
from bangban.clients.models import Client
from bangban.clients.services import elderly_suggested
from bangban.consultations.models import Consultation
from bangban.testing import make_resident_id

from .conftest import HTMX
from .conftest import open_case as earlier_case

pytestmark = pytest.mark.django_db

BORN_1954 = make_resident_id("33012219540615001")
BORN_1990 = make_resident_id("33012219900615001")


def consultation_of(client, world):
    client.post(
        "/work/desk/",
        {
            "client_name": "赵大爷",
            "contact": "13700002222",
            "channel": "visit",
            "content": "想开个小卖部",
            "item": str(world.food.pk),
        },
    )
    return Consultation.objects.get()


def open_case(client, consultation, world, id_number, **more):
    return client.post(
        f"/work/desk/consultations/{consultation.pk}/case/",
        {
            "kind": "person",
            "id_number": id_number,
            "name": "赵大爷",
            "mobile": "13700002222",
            "service_type": "proxy",
            "item": str(world.food.pk),
            **more,
        },
    )


def check(client, number):
    return client.get(
        "/work/desk/check-id/", {"kind": "person", "id_number": number}, **HTMX
    ).content.decode()


def test_seam_a_client_born_in_1954_is_flagged_elderly(signed_in, world):
    """A client born in 1954 is not flagged as elderly, although the ID number says so:
    now the desk pre-ticks 老年人 from the birth date and the confirmed tick flags him."""
    client = signed_in(world.agent_a)
    consultation = consultation_of(client, world)
    typed = check(client, BORN_1954)
    assert 'id="elderly-check" hx-swap-oob="true"' in typed
    assert 'name="is_elderly" value="1" checked' in typed
    assert "按身份证出生日期，年满60周岁" in typed
    # staff keep the tick (the form posts what is on screen)
    response = open_case(client, consultation, world, BORN_1954, is_elderly="1")
    assert response.status_code == 302, response.content.decode()
    assert Case.objects.get().client.is_elderly


def test_a_younger_client_is_not_pre_ticked(signed_in, world):
    client = signed_in(world.agent_a)
    typed = check(client, BORN_1990)
    assert 'id="elderly-check" hx-swap-oob="true"' in typed  # unticks a stale tick
    assert "checked" not in typed.split('id="elderly-check"')[1]
    assert "年满60周岁" not in typed


def test_staff_who_untick_it_are_followed(signed_in, world):
    """A suggestion, not a rule: without the confirmed tick nothing is flagged."""
    client = signed_in(world.agent_a)
    consultation = consultation_of(client, world)
    open_case(client, consultation, world, BORN_1954)
    assert not Case.objects.get().client.is_elderly


def test_a_registered_client_is_flagged_when_staff_confirm(signed_in, world):
    """张三 (born 1949) was registered without the flag; at the desk it is confirmed."""
    assert not world.citizen.is_elderly
    earlier_case(world)  # a client of this site: agent A may see him
    client = signed_in(world.agent_a)
    consultation = consultation_of(client, world)
    open_case(client, consultation, world, make_resident_id(), is_elderly="1", name="别的名字")
    world.citizen.refresh_from_db()
    assert world.citizen.is_elderly and world.citizen.name == "张三"


def test_staff_who_may_not_see_the_client_change_nothing(signed_in, world):
    """Another site's agent typing 张三's number confirms nothing on his record."""
    client = signed_in(world.agent_b)
    consultation = consultation_of(client, world)
    open_case(client, consultation, world, make_resident_id(), is_elderly="1")
    world.citizen.refresh_from_db()
    assert not world.citizen.is_elderly


def test_a_confirmed_tick_the_id_contradicts_flags_no_registered_client(signed_in, world):
    client = signed_in(world.agent_a)
    consultation = consultation_of(client, world)
    other = Client.objects.get(name="李四")  # born 1980
    open_case(client, consultation, world, make_resident_id("11010519800101001"), is_elderly="1")
    other.refresh_from_db()
    assert not other.is_elderly


def test_the_form_shown_again_keeps_the_hint(signed_in, world):
    client = signed_in(world.agent_a)
    consultation = consultation_of(client, world)
    page = open_case(client, consultation, world, BORN_1954, service_type="").content.decode()
    assert "按身份证出生日期，年满60周岁" in page


def test_sixty_on_the_county_date_is_elderly():
    today = timezone.localdate()
    sixty_today = today.replace(year=today.year - 60, day=min(today.day, 28))
    body = f"330122{sixty_today:%Y%m%d}001"
    assert elderly_suggested("person", make_resident_id(body))
    assert not elderly_suggested("organisation", make_resident_id(body))
