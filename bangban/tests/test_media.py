"""No file under MEDIA_ROOT has a public address: the old /media/ URLs answer 404."""

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings
from django.urls import Resolver404, resolve

from bangban.cases.tests.helpers import open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(world, settings, tmp_path):
    """A case with an uploaded material, stored under MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    case = open_case(world)
    material = case.materials.order_by("id").first()
    material.file.save("营业执照.pdf", ContentFile(b"%PDF-1.4 personal data"), save=True)
    return case, material


def test_no_route_serves_media(stored):
    _, material = stored
    with pytest.raises(Resolver404):
        resolve("/media/" + material.file.name)


@pytest.mark.parametrize("debug", [False, True])
def test_the_old_media_url_of_a_stored_file_answers_404(client, world, stored, debug):
    _, material = stored
    assert material.file.storage.exists(material.file.name)
    client.force_login(world.agent_a.user)  # even for someone who may see the case
    with override_settings(DEBUG=debug):
        response = client.get("/media/" + material.file.name)
    assert response.status_code == 404
    assert b"personal data" not in response.content


def test_the_workbench_links_the_file_through_the_checked_view(client, world, stored):
    case, material = stored
    client.force_login(world.agent_a.user)
    page = client.get(f"/work/cases/{case.number}/").content.decode()
    assert f"/work/cases/{case.number}/materials/{material.pk}/file/" in page
    assert "/media/" not in page
