"""A material's electronic file: only for those who may see the case, never cached."""

import pytest
from django.core.files.base import ContentFile

from .conftest import open_case

pytestmark = pytest.mark.django_db
PDF = "%PDF-1.4\n% 张三的营业执照\n%%EOF\n".encode()


@pytest.fixture
def case(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return open_case(world)


def stored(case, name="营业执照.pdf", data=PDF):
    material = case.materials.order_by("id").first()
    material.file.save(name, ContentFile(data), save=True)
    return material


def url(case, material):
    return f"/work/cases/{case.number}/materials/{material.pk}/file/"


def test_the_owning_agent_gets_the_bytes_not_cached_and_not_sniffed(signed_in, world, case):
    material = stored(case)
    response = signed_in(world.agent_a).get(url(case, material))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("persona", ["agent_b", "town_agent", "liaison_market"])
def test_staff_who_may_not_see_the_case_get_404(signed_in, world, case, persona):
    material = stored(case)
    assert signed_in(getattr(world, persona)).get(url(case, material)).status_code == 404


def test_a_material_of_another_case_is_not_found_through_this_case(signed_in, world, case):
    material = stored(case)
    mine = open_case(world, agent=world.agent_b)
    assert signed_in(world.agent_b).get(url(mine, material)).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login(client, case):
    material = stored(case)
    response = client.get(url(case, material))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_file_that_could_carry_script_is_only_downloaded(signed_in, world, case):
    material = stored(case, "page.html", b"<script>alert(1)</script>")
    response = signed_in(world.agent_a).get(url(case, material))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_file_gone_from_the_disk_is_not_found(signed_in, world, case):
    material = stored(case)
    material.file.storage.delete(material.file.name)
    assert signed_in(world.agent_a).get(url(case, material)).status_code == 404


def test_a_material_file_is_encrypted_at_rest_and_served_plain(signed_in, world, case, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bangban.cases.uploads import material_upload

    material = case.materials.order_by("id").first()
    material_upload(material=material, upload=SimpleUploadedFile("营业执照.pdf", PDF))
    material.refresh_from_db()
    [on_disk] = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    assert on_disk.name.endswith(".pdf.enc") and PDF not in on_disk.read_bytes()
    assert b"%PDF" not in on_disk.read_bytes()
    response = signed_in(world.agent_a).get(url(case, material))
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    filename = response["Content-Disposition"]
    assert ".pdf" in filename and ".enc" not in filename
    assert signed_in(world.agent_b).get(url(case, material)).status_code == 404


def test_a_material_file_stored_before_encryption_is_still_served(signed_in, world, case):
    material = stored(case)  # written plain, as before encryption
    assert not material.file.name.endswith(".enc")
    response = signed_in(world.agent_a).get(url(case, material))
    assert b"".join(response.streaming_content) == PDF
