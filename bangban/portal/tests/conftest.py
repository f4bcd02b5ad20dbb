"""Fixtures of the portal tests: a captured SMS outbox, a signed-in browser session, files."""

import io
import re
from dataclasses import asdict

import pytest

from bangban.portal.identity import SESSION_KEY, PortalIdentity


class Outbox(list):
    """Every SMS the code under test sent, as (phone, text)."""

    def last_code(self, phone: str | None = None) -> str:
        for to, text in reversed(self):
            if phone is None or to == phone:
                found = re.search(r"(\d{6})", text)
                if found:
                    return found.group(1)
        raise AssertionError("没有收到验证码短信")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate limits count in the cache, which outlives a test's database."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def sms(monkeypatch):
    outbox = Outbox()

    def fake_send(phone, text):
        outbox.append((phone, text))
        return "test"

    for module in (
        "bangban.portal.otp",
        "bangban.visits.services",
        "bangban.documents.confirmations",
    ):
        monkeypatch.setattr(f"{module}.send_sms", fake_send)
    # what goes through the outbox (visit and consultation texts), once delivered
    monkeypatch.setattr(
        "bangban.notifications.delivery.send_sms", lambda phone, text, **key: fake_send(phone, text)
    )
    return outbox


def sign_in(client, mobile: str) -> PortalIdentity:
    identity = PortalIdentity.of_mobile(mobile)
    session = client.session
    session[SESSION_KEY] = asdict(identity)
    session.save()
    return identity


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def pdf_bytes(extra: bytes = b"") -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\n" + extra + b"\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(out, format="PNG")
    return out.getvalue()
