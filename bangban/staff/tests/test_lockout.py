"""The address ceiling names the login forms it guards by URL name: one that is missing
(renamed, or a URLconf without it) is an error on the first login, not a form left unguarded."""

import pytest
from django.urls import NoReverseMatch

pytestmark = pytest.mark.django_db


@pytest.mark.urls("bangban.staff.tests.login_only_urls")
def test_a_login_form_the_ceiling_cannot_name_fails_loudly(client):
    with pytest.raises(NoReverseMatch, match="admin"):
        client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})
