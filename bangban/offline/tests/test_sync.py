"""Issue 19.1: what a village station recorded offline reaches the server once, refused in
Chinese or shown as a conflict, never merged and never twice."""

import base64
import io
import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from bangban.cases.access import Actor
from bangban.cases.clients import client_correct
from bangban.cases.models import Case, MaterialStatus, MaterialUpload
from bangban.cases.services import case_submit
from bangban.clients import pii
from bangban.clients.models import Client, ClientCorrection
from bangban.consultations.models import Consultation
from bangban.offline.models import OfflineRecord
from bangban.testing import make_resident_id

pytestmark = pytest.mark.django_db
SYNC = "/work/offline/sync/"


def key():
    return uuid.uuid4().hex


def rec(kind, payload, made_at=None, k=None):
    made_at = made_at or timezone.now() - timedelta(minutes=30)
    return {"key": k or key(), "kind": kind, "made_at": made_at.isoformat(), "payload": payload}


def post(client, records):
    response = client.post(SYNC, json.dumps({"records": records}), content_type="application/json")
    return response


def answers(client, records):
    response = post(client, records)
    assert response.status_code == 200, response.content.decode()
    return response.json()["answers"]


def jpeg() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


def station_batch(world):
    client_key, case_key = key(), key()
    material = world.food.current_version.materials.first()
    return [
        rec(
            "consultation",
            {
                "client_name": "王大爷",
                "contact": "13700001111",
                "channel": "visit",
                "content": "离线咨询：想开小饭店",
                "item_code": world.food.code,
            },
        ),
        rec(
            "client",
            {
                "name": "赵六",
                "id_number": make_resident_id("33012219500101001"),
                "mobile": "13700001111",
            },
            k=client_key,
        ),
        rec(
            "case",
            {
                "client_key": client_key,
                "item_code": world.food.code,
                "item_version": world.food.current_version_id,
                "service_type": "proxy",
                "needs": "行动不便",
            },
            k=case_key,
        ),
        rec(
            "photo",
            {"case_key": case_key, "material": material.pk, "name": "p.jpg", "data": jpeg()},
        ),
        rec(
            "review",
            {"case_key": case_key, "checks": [{"material": material.pk, "status": "received"}]},
        ),
    ]


def counts():
    return (
        Consultation.objects.count(),
        Client.objects.count(),
        Case.objects.count(),
        MaterialUpload.objects.count(),
    )


def test_idempotent_sync_the_same_batch_twice_adds_nothing(world, client):
    client.force_login(world.agent_a.user)
    before = counts()
    batch = station_batch(world)
    first = answers(client, batch)
    assert [a["status"] for a in first] == ["accepted"] * 5, first
    after = counts()
    assert after == (before[0] + 1, before[1] + 1, before[2] + 1, before[3] + 1)
    case = Case.objects.get(pk=OfflineRecord.objects.get(key=batch[2]["key"]).result["case_id"])
    assert case.state == "reviewing" and case.site == world.agent_a.site
    photographed = case.materials.get(material_id=batch[3]["payload"]["material"])
    assert photographed.file and photographed.status == MaterialStatus.RECEIVED

    again = answers(client, batch)
    assert all(a["status"] == "accepted" and a["repeat"] for a in again)
    assert [a["result"] for a in again] == [a["result"] for a in first]
    assert counts() == after
    assert OfflineRecord.objects.filter(staff=world.agent_a).count() == 5


def _known_and_corrected(world):
    """The citizen has a case at the station and its mobile was corrected on the server."""
    case_submit(
        actor=Actor.of_staff(world.agent_a2),
        client=world.citizen,
        service_type="proxy",
        channel="window",
        site=world.agent_a2.site,
        item_versions=[world.food.current_version],
    )
    client_correct(
        staff=world.agent_a2,
        client=world.citizen,
        field="mobile",
        value="13900009999",
        reason="服务对象来电告知换号",
    )


def test_conflict_answered_when_the_client_changed_meanwhile(world, client):
    made = timezone.now() - timedelta(hours=2)  # offline, before the correction
    _known_and_corrected(world)
    client.force_login(world.agent_a.user)
    record = rec(
        "client",
        {"name": "张三", "id_number": make_resident_id(), "mobile": "13812345678"},
        made_at=made,
    )
    [answer] = answers(client, [record])
    assert answer["status"] == "conflict"
    assert "手机号码" in answer["message"] and "在平台更正" in answer["message"]
    assert answer["server"]["手机号码"] == "139****9999"  # masked, never in full
    assert answer["choices"] == ["mine", "server"]
    assert not OfflineRecord.objects.exists()  # not taken: it comes back with a choice

    record["payload"]["resolution"] = "server"
    [taken] = answers(client, [record])
    assert taken["status"] == "accepted"
    world.citizen.refresh_from_db()
    assert world.citizen.mobile_hash == pii.lookup("mobile", "13900009999")


def test_conflict_kept_mine_is_a_recorded_correction(world, client):
    made = timezone.now() - timedelta(hours=2)
    _known_and_corrected(world)
    client.force_login(world.agent_a.user)
    record = rec(
        "client",
        {
            "name": "张三",
            "id_number": make_resident_id(),
            "mobile": "13812345678",
            "resolution": "mine",
        },
        made_at=made,
    )
    [taken] = answers(client, [record])
    assert taken["status"] == "accepted", taken
    world.citizen.refresh_from_db()
    assert world.citizen.mobile_hash == pii.lookup("mobile", "13812345678")
    latest = ClientCorrection.objects.filter(client=world.citizen).latest("at")
    assert latest.staff == world.agent_a and "离线登记" in latest.reason


def test_conflict_when_the_catalogue_version_was_retired(world, client):
    client.force_login(world.agent_a.user)
    client_key = key()
    record = rec(
        "case",
        {
            "client_key": client_key,
            "item_code": world.food.code,
            "item_version": world.food.current_version_id + 999,
            "service_type": "proxy",
        },
    )
    batch = [
        rec(
            "client",
            {"name": "赵六", "id_number": make_resident_id("33012219500101001")},
            k=client_key,
        ),
        record,
    ]
    first = answers(client, batch)
    assert first[1]["status"] == "conflict" and "已停用" in first[1]["message"]
    assert first[1]["choices"] == ["server"]
    record["payload"]["resolution"] = "server"
    assert answers(client, [record])[0]["status"] == "accepted"


def test_refused_with_chinese_reasons_and_nothing_kept(world, client):
    client.force_login(world.agent_a.user)
    before = counts()
    bad_id = make_resident_id("33012219500101001")[:-1] + "0"
    if bad_id == make_resident_id("33012219500101001"):
        bad_id = bad_id[:-1] + "1"
    result = answers(
        client,
        [
            rec("client", {"name": "赵六", "id_number": bad_id}),
            rec(
                "client",
                {
                    "name": "赵六",
                    "id_number": make_resident_id("33012219500101001"),
                    "mobile": "1234",
                },
            ),
            rec("consultation", {"client_name": "", "contact": "13700001111", "content": "问"}),
            rec(
                "case", {"client_key": key(), "item_code": world.food.code, "service_type": "proxy"}
            ),
            rec("photo", {"case_key": key(), "material": 1, "data": jpeg()}),
            {"key": "x", "kind": "client", "made_at": timezone.now().isoformat(), "payload": {}},
        ],
    )
    assert [a["status"] for a in result] == ["refused"] * 6
    assert "校验位错误" in result[0]["message"]
    assert "手机号码格式不正确" in result[1]["message"]
    assert result[2]["message"] == "请填写服务对象姓名或名称"
    assert "尚未同步成功" in result[3]["message"] and "尚未同步成功" in result[4]["message"]
    assert "幂等键" in result[5]["message"]
    assert counts() == before and not OfflineRecord.objects.exists()


def test_access_only_the_agents_own_site_and_keys(world, client):
    # another agent's keys answer nothing of the first agent's records
    client.force_login(world.agent_a.user)
    batch = station_batch(world)
    answers(client, batch[1:3])
    client.force_login(world.agent_b.user)
    photo = batch[3]
    [answer] = answers(client, [photo])
    assert answer["status"] == "refused" and "尚未同步成功" in answer["message"]
    # the same key by another agent is another record: B's case opens at B's own site
    other = answers(client, batch[1:3])
    assert [a["status"] for a in other] == ["accepted", "accepted"]
    assert not other[0].get("repeat")
    assert Case.objects.get(pk=other[1]["result"]["case_id"]).site == world.agent_b.site
    # coordinators, liaisons and anyone signed out may not sync
    client.force_login(world.coordinator.user)
    assert post(client, batch).status_code == 403
    client.force_login(world.liaison_market.user)
    assert post(client, batch).status_code == 403
    client.logout()
    response = post(client, batch)
    assert response.status_code == 403 and "重新登录" in response.json()["message"]


def test_sync_needs_csrf(world):
    from django.test import Client as TestClient

    strict = TestClient(enforce_csrf_checks=True)
    strict.force_login(world.agent_a.user)
    assert post(strict, station_batch(world)[:1]).status_code == 403
    token = strict.get("/work/offline/session/").json()["csrf"]
    response = strict.post(
        SYNC,
        json.dumps({"records": station_batch(world)[:1]}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200


def test_session_gives_the_same_key_again_and_never_to_be_cached(world, client):
    client.force_login(world.agent_a.user)
    first = client.get("/work/offline/session/")
    assert "no-store" in first["Cache-Control"]
    assert len(base64.b64decode(first.json()["key"])) == 32
    client.logout()
    client.force_login(world.agent_a.user)
    assert client.get("/work/offline/session/").json()["key"] == first.json()["key"]
    client.force_login(world.agent_b.user)
    assert client.get("/work/offline/session/").json()["key"] != first.json()["key"]


def test_catalogue_json_has_the_version_and_materials(world, client, django_assert_max_num_queries):
    client.force_login(world.agent_a.user)
    with django_assert_max_num_queries(12):
        data = client.get("/work/offline/catalogue.json").json()
    assert data["version"]
    food = next(i for i in data["items"] if i["code"] == world.food.code)
    assert food["version"] == world.food.current_version_id
    assert [m["name"] for m in food["materials"]] == [
        m.name for m in world.food.current_version.materials.all()
    ]


def test_service_worker_is_served_at_the_workbench_scope(client):
    response = client.get("/work/sw.js")
    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/work/"
    assert response["Content-Type"].startswith("text/javascript")
    assert b"/work/offline/catalogue.json" in response.content
    manifest = client.get("/work/offline/manifest.webmanifest").json()
    assert manifest["scope"] == "/work/" and manifest["start_url"] == "/work/offline/"
