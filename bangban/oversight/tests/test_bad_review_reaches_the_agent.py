"""Seam (issue 14): a bad review opens a rectification, and the agent who must fix it is
told at once, by a notice in the outbox written with the evaluation."""

from bangban.cases.access import Actor
from bangban.notifications.models import Message
from bangban.oversight.models import Rectification
from bangban.oversight.records.services import evaluation_submit

from .helpers import completed_case


def test_seam_bad_review_notice_reaches_the_agent(world):
    case = completed_case(world)
    evaluation_submit(
        case=case,
        actor=Actor.of_client(case.client),
        level=1,
        indicators={},
        comment="等了很久",
        channel="portal",
    )
    rectification = Rectification.objects.get(case=case)
    assert rectification.owner == case.agent
    told = Message.objects.filter(
        template_key="staff.rectification_due", staff=case.agent, ref=case.number
    )
    assert told.exists()
    assert case.number in told.first().body
