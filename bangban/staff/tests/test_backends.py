"""A signed-in staff member is read with their record and site in the session's one query."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def test_a_staff_page_reads_the_user_and_the_staff_record_in_one_query(client, world):
    user = world.agent_a.user
    signed_in = client.post(
        "/accounts/login/", {"username": user.username, "password": f"pw-{user.username}"}
    )
    assert signed_in.status_code == 302
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/work/").status_code == 200
    users = [q["sql"] for q in captured.captured_queries if 'FROM "auth_user"' in q["sql"]]
    assert len(users) == 1 and '"staff_staffmember"' in users[0]
    by_user = [
        q for q in captured.captured_queries if '"staff_staffmember"."user_id" =' in q["sql"]
    ]
    assert by_user == []  # ``actor_for_user`` found the record already read


def test_a_session_begun_with_djangos_own_backend_still_signs_in(client, world):
    client.force_login(world.agent_a.user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/work/").status_code == 200
