from datetime import date

import pytest

from bangban.oversight.models import CentrePolicy, ComplaintKind, ComplaintStage
from bangban.oversight.records.services import (
    OversightRefused,
    complaint_archive,
    complaint_assign,
    complaint_contact,
    complaint_for_tracking,
    complaint_investigate,
    complaint_public_steps,
    complaint_reply,
    complaint_submit,
)

from .helpers import at, completed_case


def _submit(world, **kw):
    data = dict(
        channel="online",
        complainant_name="张三",
        contact="13812345678",
        content="窗口人员让我跑了三次",
    )
    data.update(kw)
    return complaint_submit(**data)


def test_a_complaint_is_registered_with_a_number_and_its_deadlines(world):
    with at(date(2026, 11, 20)):  # a Friday
        complaint = _submit(world, site=world.village_a)
    assert complaint.number.startswith("TS-V1-2026-")
    assert complaint.stage == ComplaintStage.ACCEPTED
    assert complaint.contact_due_on == date(2026, 11, 23)  # next working day, Monday
    assert complaint.due_on == date(2026, 11, 27)  # 5 working days
    assert complaint.contact_masked and "12345678" not in complaint.contact_masked


def test_complaint_deadlines_skip_the_national_day_holiday(world):
    with at(date(2026, 9, 30)):
        complaint = _submit(world)
    assert complaint.contact_due_on == date(2026, 10, 8)  # 1–7 October are holidays
    assert complaint.due_on == date(2026, 10, 13)  # 8, 9, Sat 10 (make-up day), 12, 13
    complaint_assign(
        complaint=complaint,
        staff=world.coordinator,
        assignee=world.county_agent,
        kind=ComplaintKind.COMPLEX,
    )
    assert complaint.due_on == date(2026, 10, 27)  # 15 working days


def test_the_limits_are_configurable_per_centre(world):
    CentrePolicy.objects.create(
        centre=world.county, complaint_contact_workdays=2, complaint_simple_workdays=3
    )
    with at(date(2026, 11, 20)):
        complaint = _submit(world, site=world.village_b)
    assert complaint.contact_due_on == date(2026, 11, 24)
    assert complaint.due_on == date(2026, 11, 25)


def test_a_complaint_goes_through_every_stage_and_the_reply_is_trackable(world):
    case = completed_case(world)
    complaint = _submit(world, case=case)
    assert complaint.site == world.village_a
    with pytest.raises(OversightRefused):
        complaint_assign(complaint=complaint, staff=world.coordinator, assignee=world.agent_a)
    complaint_assign(complaint=complaint, staff=world.coordinator, assignee=world.town_agent)
    with pytest.raises(OversightRefused):
        complaint_reply(complaint=complaint, staff=world.town_agent, handling="x", reply="y")
    complaint_contact(complaint=complaint, staff=world.town_agent, note="已电话联系")
    complaint_investigate(
        complaint=complaint, staff=world.town_agent, findings="查实", substantiated=True
    )
    complaint_reply(
        complaint=complaint,
        staff=world.town_agent,
        handling="批评教育",
        reply="已对相关人员批评教育，感谢监督",
    )
    complaint_archive(complaint=complaint, staff=world.coordinator)
    assert complaint.stage == ComplaintStage.ARCHIVED

    found = complaint_for_tracking(complaint.number, "138 1234 5678")
    assert found == complaint and found.reply.startswith("已对相关人员")
    assert [a for _, a in complaint_public_steps(found)] == [
        "受理登记",
        "分派承办",
        "联系投诉人",
        "调查核实",
        "答复投诉人",
        "归档",
    ]
    assert complaint_for_tracking(complaint.number, "13900001111") is None
    assert complaint_for_tracking("TS-NOPE", "13812345678") is None


def test_an_outsider_cannot_handle_a_complaint(world):
    complaint = _submit(world, site=world.village_a)
    with pytest.raises(OversightRefused):
        complaint_contact(complaint=complaint, staff=world.agent_b, note="x")


def test_a_complaint_needs_a_name_a_phone_and_content(world):
    with pytest.raises(OversightRefused):
        _submit(world, complainant_name=" ")
    with pytest.raises(OversightRefused):
        _submit(world, contact="abc")
    with pytest.raises(OversightRefused):
        _submit(world, content="")
    with pytest.raises(OversightRefused):
        _submit(world, channel="fax")
