"""The caller's address: REMOTE_ADDR unless the deployment names its proxy's header."""

import pytest
from django.test import RequestFactory, override_settings

from bangban.netaddr import client_ip, meta_key

FORGED = {"HTTP_X_FORWARDED_FOR": "203.0.113.9", "HTTP_X_REAL_IP": "203.0.113.10"}


def request(**meta):
    return RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", **meta)


def test_by_default_a_forged_forwarded_for_is_ignored():
    with override_settings(CLIENT_IP_HEADER=""):
        assert client_ip(request(**FORGED)) == "10.0.0.2"


def test_the_configured_real_ip_header_is_used():
    with override_settings(CLIENT_IP_HEADER="X-Real-IP"):
        assert client_ip(request(HTTP_X_REAL_IP="198.51.100.7")) == "198.51.100.7"


def test_of_forwarded_for_only_the_entry_the_proxy_appended_counts():
    # The client sent "203.0.113.9"; nginx appended the address it saw, on the right.
    with override_settings(CLIENT_IP_HEADER="X-Forwarded-For"):
        forwarded = request(HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7")
        assert client_ip(forwarded) == "198.51.100.7"


@pytest.mark.parametrize("value", ["", "not-an-address", "198.51.100.7, <script>"])
def test_a_missing_or_malformed_header_falls_back_to_the_connection(value):
    with override_settings(CLIENT_IP_HEADER="X-Forwarded-For"):
        assert client_ip(request(HTTP_X_FORWARDED_FOR=value)) == "10.0.0.2"


def test_ipv6_addresses_are_kept():
    with override_settings(CLIENT_IP_HEADER="X-Real-IP"):
        assert client_ip(request(HTTP_X_REAL_IP="2001:db8::1")) == "2001:db8::1"


def test_the_header_may_be_named_as_sent_or_as_django_stores_it():
    assert meta_key("X-Real-IP") == meta_key("HTTP_X_REAL_IP") == "HTTP_X_REAL_IP"
    assert meta_key(" x-forwarded-for ") == "HTTP_X_FORWARDED_FOR"


def lookups(client, count: int, **meta):
    """``count`` lookups of the track page; the last response."""
    for _ in range(count):
        response = client.post("/track/", {"number": "X-1", "phone": "13900001111"}, **meta)
    return response


@pytest.fixture
def fresh_limits():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_portal_rate_limits_are_not_escaped_by_forging_the_header(client, fresh_limits):
    from bangban.portal.views.track import LOOKUPS_PER_TEN_MINUTES

    with override_settings(CLIENT_IP_HEADER=""):
        for n in range(LOOKUPS_PER_TEN_MINUTES):
            lookups(client, 1, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        assert lookups(client, 1, HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 429


@pytest.mark.django_db
def test_behind_the_proxy_each_caller_has_its_own_limit(client, fresh_limits):
    from bangban.portal.views.track import LOOKUPS_PER_TEN_MINUTES

    with override_settings(CLIENT_IP_HEADER="X-Real-IP"):
        busy = lookups(client, LOOKUPS_PER_TEN_MINUTES + 1, HTTP_X_REAL_IP="198.51.100.7")
        assert busy.status_code == 429
        assert lookups(client, 1, HTTP_X_REAL_IP="198.51.100.8").status_code == 200
