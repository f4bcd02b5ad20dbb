"""Pre-review that tells the truth (issue 14, 预审): a material that applies only in some
cases is marked 不适用 on the case page, with a note when it is a required one, counts as
satisfied, and the one-time notice the citizen takes home says 不适用 — never that it
符合要求 (seed 002 附件3 一次性告知单)."""

import re

import pytest

from bangban.cases.models import CaseMaterial, MaterialStatus
from bangban.documents.kinds import Kind
from bangban.documents.models import CaseDocument
from bangban.documents.services import document_render
from bangban.documents.tests.pdf import text

from .conftest import HTMX, SIGNED, act, open_case

pytestmark = pytest.mark.django_db


def _review(client, case, material, status, note=""):
    case.refresh_from_db()
    return client.post(
        f"/work/cases/{case.number}/review/{material.pk}/",
        {"expected_version": case.version, "status": status, "note": note},
        **HTMX,
    )


def test_seam_not_applicable_is_said_on_the_one_time_notice(signed_in, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = open_case(world)
    act(case, world.agent_a, "start_review")
    client = signed_in(world.agent_a)
    page = client.get(f"/work/cases/{case.number}/").content.decode()
    plan = case.materials.get(name="场所平面图")  # not required
    licence = case.materials.get(name="营业执照")  # required
    assert f'id="m{plan.pk}-not_applicable"' in page and ">不适用</button>" in page

    # a required material marked 不适用 needs the reason, in Chinese
    refused = _review(client, case, licence, "not_applicable").content.decode()
    assert "必要材料“营业执照”标为“不适用”时须填写说明" in refused
    assert CaseMaterial.objects.get(pk=licence.pk).status == MaterialStatus.PENDING

    _review(client, case, licence, "not_applicable", "个体工商户首次申请，尚未办理营业执照")
    _review(client, case, plan, "not_applicable")
    for name, status in (
        ("食品经营许可申请书", "received"),
        ("食品安全管理制度", "missing"),
    ):
        _review(client, case, case.materials.get(name=name), status)
    body = client.get(f"/work/cases/{case.number}/").content.decode()
    assert body.count('class="status-not_applicable">不适用</span>') == 2

    act(case, world.agent_a, "request_supplement")
    notice = case.notices.get()
    assert [m["name"] for m in notice.accepted] == ["食品经营许可申请书"]
    assert [m["name"] for m in notice.needed] == ["食品安全管理制度"]
    assert {m["name"] for m in notice.not_applicable} == {"营业执照", "场所平面图"}

    printed = text(document_render(CaseDocument.objects.get(case=case, kind=Kind.ONE_TIME_NOTICE)))
    accepted_part = printed.split("符合事项申请格式要求")[1].split("您还需补充提交")[0]
    assert "食品经营许可申请书" in accepted_part
    assert "营业执照" not in accepted_part and "场所平面图" not in accepted_part
    assert re.search(r"不适用，无需提交.*营业执照（不适用）个体工商户首次申请", printed)
    assert "场所平面图（不适用）" in printed

    # what the notice asked for, once in, is all the case needs: 不适用 counts as satisfied
    # up to filing with the department, whose guard wants every required material
    case.refresh_from_db()
    missing = case.materials.get(name="食品安全管理制度")
    act(case, world.agent_a, "supplement", received=[missing.pk])
    act(case, world.agent_a, "accept", confirmation=SIGNED)
    act(case, world.agent_a, "file_with_department", case_item_id=case.items.get().pk)
    assert case.items.get().status == "filed"
