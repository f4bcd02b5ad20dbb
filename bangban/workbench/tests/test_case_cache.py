"""The case page's cached parts (``views.case.case_parts``): never stale, never another's.

The parts that only the case's version, the day, the calendar and the viewer's roles decide
are kept in the cache; everything that changes without a new case version is read fresh.
"""

import pytest
from django.core.files.base import ContentFile

from bangban.cases.clients import client_correct
from bangban.cases.models import MaterialStatus, MaterialUpload
from bangban.workbench.views import case as case_view

from .conftest import accepted, act, open_case, review_all

pytestmark = pytest.mark.django_db


def page(client, case):
    return client.get(f"/work/cases/{case.number}/")


def buttons(text: str) -> set[str]:
    return {part.split('"', 1)[0] for part in text.split('id="act-')[1:]}


def test_a_cached_case_page_changes_as_soon_as_the_case_changes(signed_in, world):
    case = open_case(world)
    client = signed_in(world.agent_a)
    first = page(client, case).content.decode()
    assert "start_review" in buttons(first)
    act(case, world.agent_a, "start_review")
    again = page(client, case).content.decode()
    assert "start_review" not in buttons(again) and "accept" in buttons(again)
    assert f'value="{case.version}"' in again  # the version the forms post is the new one
    assert "开始预审" in again.split('id="h-timeline"')[1]  # the timeline has the event


def test_another_viewer_never_gets_the_first_viewers_cached_page(signed_in, client, world):
    case = open_case(world)
    agent_page = page(signed_in(world.agent_a), case).content.decode()
    client.logout()
    coordinator_page = page(signed_in(world.coordinator), case).content.decode()
    assert buttons(agent_page) != buttons(coordinator_page)
    client.logout()
    assert page(signed_in(world.agent_a), case).content.decode().count('id="act-') == len(
        buttons(agent_page)
    )
    for stranger in (world.agent_b, world.town_agent, world.liaison_market):
        client.logout()
        assert page(signed_in(stranger), case).status_code == 404  # cached or not


def test_each_request_gets_its_own_csrf_token_in_the_cached_forms(signed_in, client, world):
    case = open_case(world)
    agent = signed_in(world.agent_a)
    page(agent, case)
    text = page(agent, case).content.decode()
    assert "csrf-slot" not in text
    token = agent.cookies["csrftoken"].value
    posted = agent.post(
        f"/work/cases/{case.number}/note/",
        {"expected_version": case.version, "text": "电话联系", "csrfmiddlewaretoken": token},
    )
    assert posted.status_code in {200, 302}


def test_a_client_correction_shows_at_once_though_the_case_version_stays(signed_in, world):
    case = open_case(world)
    client = signed_in(world.agent_a)
    page(client, case)
    version = case.version
    client_correct(
        staff=world.agent_a,
        client=case.client,
        field="mobile",
        value="13900001111",
        reason="电话核实",
    )
    case.refresh_from_db()
    assert case.version == version
    text = page(client, case).content.decode()
    assert "139****1111" in text and "信息更正记录" in text


def test_the_cache_cannot_leak_a_field_revealed_by_another_viewer(signed_in, client, world):
    case = open_case(world)
    agent = signed_in(world.agent_a)
    revealed = agent.post(
        f"/work/cases/{case.number}/reveal/", {"field": "mobile", "reason": "电话通知补正"}
    )
    assert "13812345678" in revealed.content.decode()
    assert "13812345678" not in page(agent, case).content.decode()
    client.logout()
    assert "13812345678" not in page(signed_in(world.coordinator), case).content.decode()


def test_a_file_uploaded_for_a_material_shows_at_once(signed_in, world):
    case = open_case(world)
    client = signed_in(world.agent_a)
    assert "查看电子文件" not in page(client, case).content.decode()
    material = case.materials.first()
    material.file.save("x.pdf", ContentFile(b"%PDF-1.4"), save=True)
    MaterialUpload.objects.create(material=material, stored_name="x.pdf", kind="pdf", size=8)
    assert "查看电子文件" in page(client, case).content.decode()


def test_the_case_page_is_bounded_cold_and_warm(signed_in, world, django_assert_max_num_queries):
    case = accepted(open_case(world), world.agent_a)
    client = signed_in(world.agent_a)
    # cold: parts read and rendered, vault consent and the case's 告知承诺 (issue 18)
    with django_assert_max_num_queries(14):
        assert page(client, case).status_code == 200
    with django_assert_max_num_queries(10):  # warm: the case, its uploads and the fresh blocks
        assert page(client, case).status_code == 200


def test_a_panel_older_than_the_timeline_is_still_read(signed_in, world, monkeypatch):
    """Panels written by one event's effect are skipped only when the whole history is in
    the timeline and that event is not: a notice whose event fell off the timeline shows."""
    case = open_case(world)
    act(case, world.agent_a, "start_review")
    review_all(case, world.agent_a, 营业执照=MaterialStatus.MISSING)
    act(case, world.agent_a, "request_supplement")
    for n in range(3):
        act(case, world.agent_a, "note", text=f"第{n}条")
    monkeypatch.setattr(case_view, "TIMELINE_LIMIT", 2)
    text = page(signed_in(world.agent_a), case).content.decode()
    assert 'id="h-notices"' in text and "出具一次性告知单" not in text.split('id="h-timeline"')[1]


def test_panels_no_event_wrote_cost_no_query(signed_in, world, django_assert_max_num_queries):
    """A case that never had a notice, relay, expedite or pause, applied for at the window:
    its cold page reads none of those tables (and no application on behalf)."""
    case = open_case(world)
    client = signed_in(world.agent_a)
    with django_assert_max_num_queries(13) as done:  # + the vault's consent
        assert page(client, case).status_code == 200
    read = " ".join(q["sql"] for q in done.captured_queries)
    for table in ("onetimenotice", "caserelay", "cases_expedite", "casepause", "onbehalf"):
        assert table not in read
