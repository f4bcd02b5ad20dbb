"""The job that flags consultations past their reply deadline."""

from datetime import date

import pytest
from django.utils import timezone

from bangban.consultations.services import consultation_escalate, consultation_record
from bangban.consultations.tasks import flag_overdue_consultations

pytestmark = pytest.mark.django_db


def test_overdue_consultations_are_counted_and_logged(world, monkeypatch, caplog):
    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2026, 9, 30))
    consultation = consultation_record(
        staff=world.agent_a,
        client_name="张三",
        contact="13812345678",
        channel="online",
        content="个体户登记要多久？",
    )
    consultation_escalate(consultation=consultation, staff=world.agent_a, department=world.market)
    assert flag_overdue_consultations.call_local() == 0
    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2026, 10, 9))
    assert flag_overdue_consultations.call_local() == 1
    assert "1条咨询已超过答复期限" in caplog.text
