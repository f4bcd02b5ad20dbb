"""Files in the documents admin: a letterhead's logo and an issued PDF open through views
that check who may have them, never through a media address (none is served)."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse

from bangban.documents.kinds import Kind
from bangban.documents.models import Letterhead

from .cases import issued

pytestmark = pytest.mark.django_db


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def letterhead(world):
    letterhead = Letterhead(site=world.county, title="示范县政务服务中心")
    letterhead.logo.save("logo.png", ContentFile(png()), save=True)
    return letterhead


def logo_url(letterhead):
    return reverse("documents:letterhead-logo", args=[letterhead.pk])


def test_the_letterhead_page_links_the_logo_through_the_view(admin_client, letterhead):
    page = admin_client.get(reverse("admin:documents_letterhead_change", args=[letterhead.pk]))
    text = page.content.decode()
    assert logo_url(letterhead) in text and "/media/" not in text
    response = admin_client.get(logo_url(letterhead))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"


def test_the_logo_is_only_for_those_who_may_view_letterheads(client, world, letterhead):
    assert client.get(logo_url(letterhead)).status_code == 302  # to the login
    client.force_login(world.agent_a.user)
    assert client.get(logo_url(letterhead)).status_code == 404
    world.agent_a.user.user_permissions.add(Permission.objects.get(codename="view_letterhead"))
    assert client.get(logo_url(letterhead)).status_code == 200


def test_an_issued_documents_admin_page_links_the_checked_download(admin_client, world):
    case, document = issued(world, Kind.ACCEPTANCE_SLIP)
    page = admin_client.get(reverse("admin:documents_casedocument_change", args=[document.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert reverse("documents:download", args=[case.number, document.number]) in text
    assert "/media/" not in text
