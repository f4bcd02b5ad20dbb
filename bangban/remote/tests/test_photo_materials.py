"""Photos of materials (issue 17): kept on disk encrypted, and kept as case materials only
with the client's consent, ticked by the staff member on the session record."""

import io

import pytest
from django.conf import settings
from django.test import Client as Browser
from PIL import Image

from bangban.cases.tests.helpers import open_case
from bangban.remote.services import CONSENT_WORDS, help_answer, help_ask, session_photo

from .conftest import staff

pytestmark = pytest.mark.django_db


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "JPEG")
    return out.getvalue()


def signed_in(member) -> Browser:
    browser = Browser()
    browser.force_login(member.user)
    return browser


@pytest.fixture
def photo_of_a_case(rota, settings, tmp_path):
    """The village agent asked about a case, the town answered, a photo crossed."""
    settings.MEDIA_ROOT = tmp_path
    world = rota
    case = open_case(world)
    session = help_answer(
        world.town_agent, help_ask(staff(world.agent_a), question="这份证明行吗？", case=case)
    )
    photo = session_photo(
        session, sender_actor=staff(world.agent_a), content=jpeg(), name="证明.jpg"
    )
    return world, case, session, photo


def test_a_session_photo_is_encrypted_at_rest_and_served_decrypted(photo_of_a_case):
    world, case, session, photo = photo_of_a_case
    on_disk = (settings.MEDIA_ROOT / photo.file.name).read_bytes()
    assert photo.file.name.endswith(".enc")
    assert not on_disk.startswith(b"\xff\xd8") and jpeg()[:64] not in on_disk
    for browser, url in (
        (signed_in(world.agent_a), f"/work/remote/sessions/{session.pk}/photos/{photo.pk}/"),
        (signed_in(world.town_agent), f"/remote/sessions/{session.pk}/photos/{photo.pk}/"),
    ):
        response = browser.get(url)
        assert response.status_code == 200, url
        assert b"".join(response.streaming_content) == jpeg()
        assert response["Content-Type"] == "image/jpeg"


def test_a_photo_becomes_the_case_materials_file_with_the_clients_consent(photo_of_a_case):
    world, case, session, photo = photo_of_a_case
    material = case.materials.order_by("id").first()
    agent = signed_in(world.agent_a)
    page = agent.get(f"/work/remote/sessions/{session.pk}/").content.decode()
    assert CONSENT_WORDS == "服务对象已同意将此照片作为办件材料" and CONSENT_WORDS in page
    assert f"/work/remote/sessions/{session.pk}/photos/{photo.pk}/keep/" in page
    response = agent.post(
        f"/work/remote/sessions/{session.pk}/photos/{photo.pk}/keep/",
        {"material": material.pk, "consent": "yes"},
        follow=True,
    )
    assert f"照片已作为办件材料“{material.name}”保存" in response.content.decode()
    photo.refresh_from_db()
    material.refresh_from_db()
    assert photo.material == material and photo.consent_recorded_by == world.agent_a
    assert photo.consent_words == CONSENT_WORDS and photo.consent_recorded_at
    # the material's file, as the case page links it, is the photo
    served = agent.get(f"/work/cases/{case.number}/materials/{material.pk}/file/")
    assert b"".join(served.streaming_content) == jpeg()
    record = agent.get(f"/work/remote/sessions/{session.pk}/").content.decode()
    assert f"已转为办件材料“{material.name}”" in record


def test_the_case_page_shows_the_kept_photo_like_an_uploaded_file(photo_of_a_case):
    from bangban.remote.services import photo_to_case_material

    world, case, session, photo = photo_of_a_case
    material = case.materials.order_by("id").first()
    photo_to_case_material(photo, staff=world.agent_a, consent=True, material=material)
    case_page = signed_in(world.agent_a).get(f"/work/cases/{case.number}/").content.decode()
    assert f"/work/cases/{case.number}/materials/{material.pk}/file/" in case_page


def test_without_the_ticked_consent_the_photo_is_refused_in_chinese(photo_of_a_case):
    world, case, session, photo = photo_of_a_case
    material = case.materials.order_by("id").first()
    response = signed_in(world.agent_a).post(
        f"/work/remote/sessions/{session.pk}/photos/{photo.pk}/keep/",
        {"material": material.pk},
        follow=True,
    )
    assert "须经服务对象同意，照片才能作为办件材料" in response.content.decode()
    photo.refresh_from_db()
    material.refresh_from_db()
    assert photo.material is None and not photo.consent_recorded_at and not material.file


def test_keeping_a_photo_is_404_for_who_may_not_see_the_case(photo_of_a_case):
    world, case, session, photo = photo_of_a_case
    material = case.materials.order_by("id").first()
    response = signed_in(world.agent_b).post(
        f"/work/remote/sessions/{session.pk}/photos/{photo.pk}/keep/",
        {"material": material.pk, "consent": "yes"},
    )
    assert response.status_code == 404
    photo.refresh_from_db()
    assert photo.material is None


def test_the_form_is_offered_only_to_who_may_keep_the_photo(photo_of_a_case):
    world, case, session, photo = photo_of_a_case
    # a colleague of the station reads the record but was not in the session
    page = signed_in(world.agent_a2).get(f"/work/remote/sessions/{session.pk}/").content.decode()
    assert "证明.jpg" in page and "/keep/" not in page


def test_the_record_page_with_its_photo_forms_is_a_bounded_number_of_queries(
    photo_of_a_case, django_assert_max_num_queries
):
    world, case, session, photo = photo_of_a_case
    for n in range(5):
        session_photo(session, sender_actor=staff(world.agent_a), content=jpeg(), name=f"{n}.jpg")
    agent = signed_in(world.agent_a)
    agent.get(f"/work/remote/sessions/{session.pk}/")  # the session and the user, warmed
    with django_assert_max_num_queries(10):  # 9 today, whatever the photos
        page = agent.get(f"/work/remote/sessions/{session.pk}/").content.decode()
    assert page.count("/keep/") == 6


def test_the_live_session_page_points_the_staff_to_the_record_to_keep_photos(photo_of_a_case):
    world, case, session, photo = photo_of_a_case
    live = signed_in(world.agent_a).get(f"/work/remote/sessions/{session.pk}/live/")
    assert "在本次记录页把照片转为办件材料" in live.content.decode()
