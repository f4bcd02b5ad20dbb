"""Numbering, the timeline link, immutability and corrections."""

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from bangban.cases.access import Actor
from bangban.cases.models import CaseEvent
from bangban.cases.tests.helpers import SIGNED, act, open_case, review_all
from bangban.cases.workflow import TransitionRefused
from bangban.documents.kinds import KINDS, Kind
from bangban.documents.models import CaseDocument, DocumentImmutable
from bangban.documents.services import (
    document_correct,
    document_issue_on_demand,
    document_render,
)

from .cases import issued
from .pdf import text

pytestmark = pytest.mark.django_db


def accept(case, agent):
    act(case, agent, "start_review")
    review_all(case, agent)
    return act(case, agent, "accept", confirmation=SIGNED)


def test_each_kind_has_its_own_prefix():
    prefixes = [info.prefix for info in KINDS.values()]
    assert len(prefixes) == len(set(prefixes))


def test_numbers_are_unique_per_site_and_year_and_restart_each_year(world, monkeypatch):
    year = timezone.localdate().year
    first = accept(open_case(world), world.agent_a).details["document"]
    second = accept(open_case(world), world.agent_a).details["document"]
    other_site = accept(open_case(world, agent=world.agent_b), world.agent_b).details["document"]
    assert first == f"SL-V1-{year}-000001"
    assert second == f"SL-V1-{year}-000002"
    assert other_site == f"SL-V2-{year}-000001"
    next_year = dt.date(year + 1, 1, 5)
    monkeypatch.setattr(timezone, "localdate", lambda *a: next_year)
    case = open_case(world)
    document = document_issue_on_demand(
        case=case, kind=Kind.ENTRUSTMENT, actor=Actor.of_staff(world.agent_a)
    )
    assert document.number == f"WT-V1-{year + 1}-000001"
    numbers = list(CaseDocument.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))


def test_the_event_that_issued_a_document_names_it_and_the_document_links_back(world):
    case = open_case(world)
    event = accept(case, world.agent_a)
    document = CaseDocument.objects.get(case=case, kind=Kind.ACCEPTANCE_SLIP)
    assert event.details["document"] == document.number
    assert document.issued_by == world.agent_a and not document.sha256
    document_render(document)
    document.refresh_from_db()
    assert document.event_id == event.pk and len(document.sha256) == 64


def test_a_form_issued_on_demand_is_recorded_on_the_timeline(world):
    case = open_case(world)
    document = document_issue_on_demand(
        case=case, kind=Kind.SERVICE_NOTICE, actor=Actor.of_staff(world.agent_a)
    )
    note = CaseEvent.objects.get(case=case, event="note")
    assert note.details["document"] == document.number
    assert note.details["text"] == f"出具《帮办代办服务告知书》，编号 {document.number}"
    assert document.event_id == note.pk


def test_the_pdf_is_made_after_commit_by_the_job(world, django_capture_on_commit_callbacks):
    case = open_case(world)
    with django_capture_on_commit_callbacks(execute=True):
        document = document_issue_on_demand(
            case=case, kind=Kind.APPLICATION, actor=Actor.of_staff(world.agent_a)
        )
    document.refresh_from_db()
    assert document.sha256 == hashlib.sha256(document.file.read()).hexdigest()


def test_only_the_case_agents_and_coordinators_issue(world):
    case = open_case(world)
    for outsider in (world.supervisor, world.agent_b, world.liaison_market):
        with pytest.raises(TransitionRefused):
            document_issue_on_demand(
                case=case, kind=Kind.SERVICE_NOTICE, actor=Actor.of_staff(outsider)
            )
    assert not CaseDocument.objects.exists()
    document_issue_on_demand(
        case=case, kind=Kind.SERVICE_NOTICE, actor=Actor.of_staff(world.coordinator)
    )


def test_forms_an_event_issues_cannot_be_issued_on_demand(world):
    case = open_case(world)
    with pytest.raises(TransitionRefused, match="随办件操作出具"):
        document_issue_on_demand(
            case=case, kind=Kind.ACCEPTANCE_SLIP, actor=Actor.of_staff(world.agent_a)
        )


def test_an_issued_document_cannot_be_changed_or_deleted(world):
    _, document = issued(world, Kind.REFUSAL_NOTICE)
    document.reason = "改一下"
    with pytest.raises(DocumentImmutable):
        document.save()
    with pytest.raises(DocumentImmutable):
        document.delete()


def test_a_correction_is_a_new_version_referencing_the_old_which_stays_unchanged(world):
    case, old = issued(world, Kind.SUSPENSION_SLIP)
    old_bytes, old_fields = old.file.read(), dict(old.fields)
    old.file.close()
    world.agent_a.name = "村A代办员（更名）"
    world.agent_a.save(update_fields=["name"])
    case.refresh_from_db()
    new = document_correct(
        document=old, actor=Actor.of_staff(world.agent_a), reason="代办员姓名有误"
    )
    new = document_render(new)
    assert new.number == f"{old.number}-V2" and new.series == old.number
    assert new.version == 2 and new.supersedes == old and old.superseded_by == new
    assert new.fields["specific"] == old.fields["specific"]  # what the suspension decided
    printed = text(new)
    assert "第2版，替代编号" in printed and old.number in printed and "代办员姓名有误" in printed
    assert "村A代办员（更名）" in printed
    old.refresh_from_db()
    assert old.fields == old_fields
    assert old.file.read() == old_bytes and hashlib.sha256(old_bytes).hexdigest() == old.sha256
    note = CaseEvent.objects.filter(case=case, event="note").latest("seq")
    assert note.details["document"] == new.number and "代办员姓名有误" in note.details["text"]
    with pytest.raises(TransitionRefused, match="更新的版本"):
        document_correct(document=old, actor=Actor.of_staff(world.agent_a), reason="再改")
    with pytest.raises(TransitionRefused, match="更正原因"):
        document_correct(document=new, actor=Actor.of_staff(world.agent_a), reason=" ")


def test_issuing_an_on_demand_form_again_supersedes_the_previous_version(world):
    case = open_case(world)
    actor = Actor.of_staff(world.agent_a)
    first = document_issue_on_demand(case=case, kind=Kind.ENTRUSTMENT, actor=actor)
    second = document_issue_on_demand(case=case, kind=Kind.ENTRUSTMENT, actor=actor)
    assert second.supersedes == first and second.number == f"{first.number}-V2"
