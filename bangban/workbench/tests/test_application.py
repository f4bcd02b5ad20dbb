"""一表申请 (issue 18 §4): for a bundle, the fields several items' forms share are asked once,
and each department's form is filled from that one answer set."""

import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from bangban.cases import application, application_sealing
from bangban.cases.access import Actor
from bangban.cases.audit import verify_all
from bangban.cases.delivery import ERASED
from bangban.cases.models import Case, CaseEvent
from bangban.cases.services import case_submit
from bangban.cases.tests.helpers import open_case
from bangban.cases.workflow import TransitionRefused
from bangban.catalogue.models import (
    Bundle,
    BundleEntry,
    BundleVersion,
)
from bangban.catalogue.services import (
    bundle_version_publish,
)
from bangban.clients import pii
from bangban.documents.department_forms import department_form_issue
from bangban.documents.models import CaseDocument
from bangban.documents.services import document_issue_on_demand
from bangban.documents.tests.cases import with_form_fields
from bangban.testing import _item

from .conftest import act, handling

pytestmark = pytest.mark.django_db

ANSWERS = {
    "applicant_name": "张记小吃店",
    "credit_code": "92330100MA2XXXXX1Y",
    "contact_phone": "13812345678",
    "legal_representative": "张三",
    "employees": "6",
    "drainage_volume": "2.5",
    "business_scope": "餐饮服务",
}
SHARED = ("applicant_name", "credit_code", "contact_phone")


def _bundle_case(world, food_own=("legal_representative", "employees")):
    drainage = _item(
        "ZJ-002", "城镇污水排入排水管网许可证核发", world.housing, world.food.category, 5, []
    )
    food = with_form_fields(world.food, [*SHARED, *food_own])
    building = with_form_fields(world.building, [*SHARED, "legal_representative"])
    drainage = with_form_fields(
        drainage, [*SHARED, "drainage_volume", "business_scope"], ["business_scope"]
    )
    bundle = Bundle.objects.create(code="B-3", name="开饭店一件事（三项）")
    version = BundleVersion.objects.create(bundle=bundle, number=1)
    for position, item in enumerate((food, building, drainage)):
        BundleEntry.objects.create(bundle_version=version, item=item, position=position)
    bundle_version_publish(version=version)
    version.refresh_from_db()
    return case_submit(
        actor=Actor.of_staff(world.agent_a),
        client=world.citizen,
        service_type="proxy",
        channel="window",
        site=world.agent_a.site,
        item_versions=[],
        bundle_version=version,
    )


@pytest.fixture
def bundle_case(world):
    """A bundle of three items whose forms share 申请人名称, 统一社会信用代码 and 联系电话."""
    return _bundle_case(world)


def _page(case):
    return f"/work/cases/{case.number}/application/"


def _post(browser, case, answers):
    case.refresh_from_db()
    return browser.post(_page(case), {**answers, "expected_version": str(case.version)})


def test_a_bundle_asks_the_fields_three_items_share_once(
    signed_in, world, bundle_case, django_assert_max_num_queries
):
    browser = signed_in(world.agent_a)
    with django_assert_max_num_queries(14):
        page = browser.get(_page(bundle_case)).content.decode()
    for code in SHARED:
        assert page.count(f'name="{code}"') == 1  # asked once
    assert "食品经营许可、建筑工程施工许可证核发、城镇污水排入排水管网许可证核发 共用" in page
    assert page.count('name="legal_representative"') == 1  # shared by two of the three
    assert page.count('name="drainage_volume"') == 1  # the drainage permit's own

    response = _post(browser, bundle_case, ANSWERS)
    assert response.status_code == 302
    forms = {}
    for item in bundle_case.items.select_related("item_version__item"):
        document = department_form_issue(
            case=bundle_case, case_item_id=item.pk, actor=Actor.of_staff(world.agent_a)
        )
        forms[item.item_version.item.name] = {
            f["code"]: f["value"] for f in document.fields["specific"]["fields"]
        }
    assert len(forms) == 3
    for values in forms.values():
        assert values["applicant_name"] == "张记小吃店"
        assert values["credit_code"] == "923301********XX1Y"  # the same answer, masked
        assert values["contact_phone"] == "138****5678"
    assert forms["食品经营许可"]["employees"] == "6"
    assert forms["城镇污水排入排水管网许可证核发"]["drainage_volume"] == "2.5"
    assert "drainage_volume" not in forms["食品经营许可"]
    assert "employees" not in forms["建筑工程施工许可证核发"]
    # the page now links each department's form
    page = browser.get(_page(bundle_case)).content.decode()
    assert page.count("/documents/cases/") == 3


def test_answering_again_replaces_the_set_and_the_timeline_keeps_who_changed_what(
    signed_in, world, bundle_case
):
    browser = signed_in(world.agent_a)
    _post(browser, bundle_case, ANSWERS)
    _post(browser, bundle_case, {**ANSWERS, "employees": "8"})
    events = CaseEvent.objects.filter(case=bundle_case, event="application_answered")
    assert [e.details["answers"]["employees"] for e in events.order_by("seq")] == ["6", "8"]
    assert {e.actor_name for e in events} == {world.agent_a.name}
    page = browser.get(_page(bundle_case)).content.decode()
    assert "填写或修改了 从业人员数" in page
    assert 'value="8"' in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"applicant_name": ""}, "请填写申请人名称"),
        ({"employees": "六个"}, "从业人员数应为数字"),
        ({"contact_phone": "12345"}, "联系电话格式不正确"),
    ],
)
def test_a_missing_required_field_or_a_bad_value_is_refused_in_chinese_and_records_nothing(
    signed_in, world, bundle_case, change, message
):
    browser = signed_in(world.agent_a)
    response = _post(browser, bundle_case, {**ANSWERS, **change})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not CaseEvent.objects.filter(case=bundle_case, event="application_answered").exists()


def test_the_events_guard_refuses_what_the_page_would_refuse(world, bundle_case):
    with pytest.raises(TransitionRefused, match="请填写申请人名称"):
        act(
            bundle_case,
            world.agent_a,
            "application_answered",
            answers={"contact_phone": "13812345678"},
        )
    with pytest.raises(TransitionRefused, match="不是本办件申请表的字段"):
        act(bundle_case, world.agent_a, "application_answered", answers={**ANSWERS, "x": "1"})
    assert not CaseEvent.objects.filter(case=bundle_case, event="application_answered").exists()


def test_another_sites_agent_gets_404_on_the_page_and_on_each_form(signed_in, world, bundle_case):
    act(bundle_case, world.agent_a, "application_answered", answers=ANSWERS)
    documents = [
        department_form_issue(
            case=bundle_case, case_item_id=item.pk, actor=Actor.of_staff(world.agent_a)
        )
        for item in bundle_case.items.all()
    ]
    browser = signed_in(world.agent_b)
    assert browser.get(_page(bundle_case)).status_code == 404
    assert _post(browser, bundle_case, ANSWERS).status_code == 404
    for document in documents:
        url = f"/documents/cases/{bundle_case.number}/{document.number}.pdf"
        assert browser.get(url).status_code == 404
        issue = f"/work/cases/{bundle_case.number}/application/items/{document.fields['specific']['case_item_id']}/form/"
        assert browser.post(issue).status_code == 404
    assert CaseDocument.objects.filter(case=bundle_case).count() == 3


def test_the_liaison_of_a_filed_items_department_sees_its_form_masked(
    signed_in, world, bundle_case
):
    act(bundle_case, world.agent_a, "application_answered", answers=ANSWERS)
    handling(bundle_case, world.agent_a)
    item = bundle_case.items.get(item_version__item=world.food)
    act(bundle_case, world.agent_a, "file_with_department", case_item_id=item.pk)
    department_form_issue(
        case=bundle_case, case_item_id=item.pk, actor=Actor.of_staff(world.agent_a)
    )
    page = signed_in(world.liaison_market).get(_page(bundle_case)).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert "保存一表申请" not in page  # read only
    assert "BMSQ-" in page


def test_a_field_a_filed_items_form_used_keeps_its_answer(world, bundle_case):
    act(bundle_case, world.agent_a, "application_answered", answers=ANSWERS)
    handling(bundle_case, world.agent_a)
    food = bundle_case.items.get(item_version__item=world.food)
    act(bundle_case, world.agent_a, "file_with_department", case_item_id=food.pk)
    with pytest.raises(TransitionRefused, match="“从业人员数”不能再修改"):
        act(
            bundle_case,
            world.agent_a,
            "application_answered",
            answers={**ANSWERS, "employees": "9"},
        )
    # a field only unfiled items use may still change
    act(
        bundle_case,
        world.agent_a,
        "application_answered",
        answers={**ANSWERS, "drainage_volume": "3"},
    )


def test_a_department_form_is_issued_per_item_not_from_the_case_list(world, bundle_case):
    with pytest.raises(TransitionRefused, match="请先填写一表申请"):
        department_form_issue(
            case=bundle_case,
            case_item_id=bundle_case.items.first().pk,
            actor=Actor.of_staff(world.agent_a),
        )
    with pytest.raises(TransitionRefused, match="按事项出具"):
        document_issue_on_demand(
            case=bundle_case, kind="department_form", actor=Actor.of_staff(world.agent_a)
        )


def test_the_case_page_links_the_one_form_when_its_items_have_form_fields(
    signed_in, world, bundle_case
):
    agent = signed_in(world.agent_a)
    assert _page(bundle_case) in agent.get(f"/work/cases/{bundle_case.number}/").content.decode()
    # one item whose form asks fields is linked too; a case whose items ask nothing is not
    single = open_case(world, items=[world.food])
    asks_nothing = open_case(world, service_type="assist", items=[world.assist_only])
    assert _page(single) in agent.get(f"/work/cases/{single.number}/").content.decode()
    page = agent.get(f"/work/cases/{asks_nothing.number}/").content.decode()
    assert _page(asks_nothing) not in page


# --- personal answers at rest: encrypted in the case, only digests in the chain -------------

ID_NUMBER = "33010619800101123X"
PREMISES = "浙江省杭州市西湖区文三路90号"
PERSONAL_ANSWERS = {**ANSWERS, "id_number": ID_NUMBER, "premises": PREMISES}
CLEAR = (ID_NUMBER, "13812345678", "张三", PREMISES)


@pytest.fixture
def personal_case(world):
    """The bundle, the food permit's form also asking the representative's ID and premises."""
    return _bundle_case(world, ("legal_representative", "id_number", "premises", "employees"))


def _raw(text: str) -> list[str]:
    """Where ``text`` is kept in the case rows' and events' raw stored JSON (as typed or
    escaped), read past the ORM."""
    forms = (text, json.dumps(text)[1:-1])
    found = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT number, application, delivery FROM cases_case")
        rows = [(f"case {n}", f"{a} {d}") for n, a, d in cursor.fetchall()]
        cursor.execute("SELECT seq, event, details FROM cases_caseevent")
        rows += [(f"event {seq} {event}", str(d)) for seq, event, d in cursor.fetchall()]
    for where, raw in rows:
        if any(form in raw for form in forms):
            found.append(where)
    return found


def _form_values(case, agent, item) -> dict[str, str]:
    document = department_form_issue(case=case, case_item_id=item.pk, actor=Actor.of_staff(agent))
    return {f["code"]: f["value"] for f in document.fields["specific"]["fields"]}


def _recorded(case) -> list[dict]:
    events = CaseEvent.objects.filter(case=case, event="application_answered").order_by("seq")
    return [e.details["answers"] for e in events]


def test_personal_answers_are_encrypted_at_rest_and_the_chain_holds_only_digests(
    signed_in, world, personal_case
):
    browser = signed_in(world.agent_a)
    assert _post(browser, personal_case, PERSONAL_ANSWERS).status_code == 302

    for value in CLEAR:
        assert _raw(value) == [], value
    (answers,) = _recorded(personal_case)
    for code in ("id_number", "contact_phone", "legal_representative", "premises", "credit_code"):
        assert answers[code].startswith(("hmac-sm3:", "hmac-sha256:"))
    assert answers["applicant_name"] == "张记小吃店" and answers["employees"] == "6"  # not personal
    case = Case.objects.get(pk=personal_case.pk)
    assert application_sealing.matches_chain(case.application, answers)
    swapped = {**case.application["values"], "id_number": pii.encrypt("330106198001012345")}
    forged = {**case.application, "values": swapped}
    assert not application_sealing.matches_chain(forged, answers)

    food = personal_case.items.get(item_version__item=world.food)
    printed = _form_values(personal_case, world.agent_a, food)
    assert printed["id_number"] == "330106********123X"
    assert printed["legal_representative"] == "张*"
    assert printed["contact_phone"] == "138****5678"
    assert printed["premises"] == "浙江省杭州市西湖区****"
    assert printed["applicant_name"] == "张记小吃店"

    page = browser.get(_page(personal_case)).content.decode()  # the agent edits what they typed
    assert f'value="{ID_NUMBER}"' in page and 'value="13812345678"' in page


def test_answering_again_records_the_same_digest_for_the_same_value_and_a_new_one_for_a_new(
    world, personal_case
):
    act(personal_case, world.agent_a, "application_answered", answers=PERSONAL_ANSWERS)
    act(
        personal_case,
        world.agent_a,
        "application_answered",
        answers={**PERSONAL_ANSWERS, "employees": "8"},
    )
    act(
        personal_case,
        world.agent_a,
        "application_answered",
        answers={**PERSONAL_ANSWERS, "employees": "8", "contact_phone": "13900001111"},
    )
    first, second, third = _recorded(personal_case)
    assert second["id_number"] == first["id_number"]
    assert second["contact_phone"] == first["contact_phone"]
    assert third["contact_phone"] != second["contact_phone"]
    labels = {"employees": "从业人员数", "contact_phone": "联系电话"}
    changes = application.history(application.answer_events(personal_case), labels)
    assert [row["changed"] for row in changes[:2]] == [["联系电话"], ["从业人员数"]]
    assert application.current_answers(personal_case)["contact_phone"] == "13900001111"


def test_erasing_shreds_the_personal_answers_and_the_chain_still_verifies(
    world, personal_case, capsys
):
    act(personal_case, world.agent_a, "application_answered", answers=PERSONAL_ANSWERS)
    before = Case.objects.get(pk=personal_case.pk).application
    chain = _recorded(personal_case)

    call_command("pii_erase", "--case", personal_case.number, "--reason", "服务对象申请删除")
    assert "一表申请中的个人信息" in capsys.readouterr().out

    case = Case.objects.get(pk=personal_case.pk)
    stored = json.dumps(case.application)
    for code in ("id_number", "contact_phone", "legal_representative", "premises"):
        assert before["values"][code] not in stored
        assert case.application["masked"][code] == ERASED
    assert before["digest_key"] not in stored
    assert case.application["erased_reason"] == "服务对象申请删除"
    opened = application.current_answers(case)
    assert "id_number" not in opened and opened["applicant_name"] == "张记小吃店"
    assert _recorded(personal_case) == chain  # no event touched
    report = verify_all()
    assert report.ok, [str(p) for p in report.problems]

    food = case.items.get(item_version__item=world.food)
    printed = _form_values(case, world.agent_a, food)
    assert printed["id_number"] == ERASED and printed["contact_phone"] == ERASED
    assert printed["employees"] == "6"

    call_command("pii_erase", "--case", personal_case.number, "--reason", "重复执行")
    assert "删除了 0 件" in capsys.readouterr().out


def test_pii_rekey_reencrypts_the_personal_answers_and_their_digests_stay_comparable(
    world, personal_case
):
    old_key, new_key = settings.PERSONAL_DATA_KEY, "the-new-master-key-after-rotation-0123456789"
    with override_settings(CRYPTO_SUITE="legacy"):
        act(personal_case, world.agent_a, "application_answered", answers=PERSONAL_ANSWERS)
    before = Case.objects.get(pk=personal_case.pk).application
    assert before["values"]["id_number"].startswith("v1:")

    with override_settings(
        CRYPTO_SUITE="sm", PERSONAL_DATA_KEY=new_key, PERSONAL_DATA_KEY_OLD=old_key
    ):
        call_command("pii_rekey")
    with override_settings(CRYPTO_SUITE="sm", PERSONAL_DATA_KEY=new_key, PERSONAL_DATA_KEY_OLD=""):
        case = Case.objects.get(pk=personal_case.pk)
        assert {
            case.application["values"]["id_number"][:3],
            case.application["digest_key"][:3],
        } == {"v2:"}
        assert application.current_answers(case)["id_number"] == ID_NUMBER
        act(
            case,
            world.agent_a,
            "application_answered",
            answers={**PERSONAL_ANSWERS, "employees": "7"},
        )
        # the case keeps its digest key and algorithm: an unchanged value, an unchanged digest
        first, second = _recorded(case)
        assert first["id_number"].startswith("hmac-sha256:")
        assert second["id_number"] == first["id_number"]
