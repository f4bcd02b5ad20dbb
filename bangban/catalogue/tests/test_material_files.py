"""Blank forms and samples of a guide's materials: served by a view, as public as the guide."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from bangban.catalogue import services

from . import factories

pytestmark = pytest.mark.django_db
FORM = b"%PDF-1.4 blank form\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def with_files(version):
    material = version.materials.order_by("position").first()
    material.blank_form.save("申请书.pdf", ContentFile(FORM), save=False)
    material.sample.save("样表.pdf", ContentFile(FORM), save=False)
    material.save()
    return material


def url(material, field="blank_form"):
    return reverse("catalogue:material-file", args=[material.pk, field])


def test_anyone_downloads_the_blank_form_of_a_published_guide(client, dept):
    version = factories.draft_item("SCJG-005", dept=dept)
    material = with_files(version)
    services.item_version_publish(version=version)
    response = client.get(url(material))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == FORM
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(url(material, "sample")).status_code == 200


def test_the_guide_links_the_files_through_the_view_not_media(client, dept):
    version = factories.draft_item("SCJG-005", dept=dept)
    material = with_files(version)
    services.item_version_publish(version=version)
    page = client.get("/items/SCJG-005/").content.decode()
    assert url(material) in page and url(material, "sample") in page
    assert "/media/" not in page


def test_a_drafts_files_are_only_for_staff_previewing_it(client, admin_client, dept):
    material = with_files(factories.draft_item("D-001", dept=dept))
    assert client.get(url(material)).status_code == 404
    assert admin_client.get(url(material)).status_code == 200


def test_other_fields_and_missing_files_are_not_found(client, dept):
    version = factories.draft_item("SCJG-005", dept=dept)
    material = with_files(version)
    services.item_version_publish(version=version)
    assert client.get(url(material, "note")).status_code == 404
    empty = version.materials.order_by("position").last()
    assert client.get(url(empty)).status_code == 404


def test_the_admin_links_the_files_through_the_view(admin_client, dept):
    version = factories.draft_item("SCJG-005", dept=dept)
    material = with_files(version)
    change = reverse("admin:catalogue_itemversion_change", args=[version.pk])
    editable = admin_client.get(change).content.decode()
    assert url(material) in editable and "/media/" not in editable
    services.item_version_publish(version=version)
    read_only = admin_client.get(change).content.decode()
    assert url(material) in read_only and url(material, "sample") in read_only
    assert "/media/" not in read_only
